/**
 * Docker's timestamps: RFC3339 with nanoseconds ("2024-05-01T10:00:00.123456789Z"), podman's
 * whole seconds ("2024-05-01T10:00:00Z" or with an offset), and Go's zero time
 * ("0001-01-01T00:00:00Z") for "never". JavaScript's Date keeps milliseconds, so the extra
 * digits are cut before parsing rather than trusting Date.parse with them.
 */
const RFC3339 = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/i;

/** ISO string in UTC with millisecond precision, or null for missing, zero or unparseable times. */
export function parseDockerTime(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') {
    // NaN, Infinity or a number past year 275760 would make toISOString throw.
    const date = new Date(value * 1000);
    return value > 0 && !Number.isNaN(date.getTime()) ? date.toISOString() : null;
  }
  const match = RFC3339.exec(value.trim());
  if (!match) return null;
  const [, date, time, fraction = '', zone = 'Z'] = match;
  if (date!.startsWith('0001-')) return null;
  const millis = (fraction + '000').slice(0, 3);
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const parsed = new Date(`${date}T${time}.${millis}${offset}`);
  return Number.isNaN(parsed.getTime()) ? null : parsed.toISOString();
}
