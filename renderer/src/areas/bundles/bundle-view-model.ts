/**
 * Reading an opened bundle's sections for display. The view's sections arrive as plain JSON
 * (`unknown` in the contract: a Control Room bundle and an agent bundle differ, and a bundle
 * from an older version may hold other fields), so each is looked at, not trusted.
 */

/** `container:shop-backend-1` → `shop-backend-1`; a plain name stays. */
export function sourceName(source: string): string {
  return source.replace(/^(container|service):/, '');
}

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a section has anything to show (an agent bundle has fewer sections). */
export function hasContent(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isRecord(value)) return Object.values(value).some(hasContent);
  return true;
}

/**
 * A section as named lists of records: an array is one list; an object's array fields are one
 * list each (`{ groups: [...], raw: [...] }`), its other fields ignored here.
 */
export function recordLists(value: unknown, name = 'Entries'): { name: string; records: JsonRecord[] }[] {
  if (Array.isArray(value)) return [{ name, records: value.map(asRecord) }];
  if (!isRecord(value)) return [];
  const lists: { name: string; records: JsonRecord[] }[] = [];
  for (const [key, field] of Object.entries(value)) {
    if (Array.isArray(field)) lists.push({ name: labelOf(key), records: field.map(asRecord) });
  }
  return lists;
}

function asRecord(value: unknown): JsonRecord {
  return isRecord(value) ? value : { value };
}

/** `frontendErrors` → `Frontend errors`, `raw` → `Raw`. */
export function labelOf(key: string): string {
  const words = key
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[-_]+/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The columns of a table of records: keys whose values are plain (text, numbers, flags, null) in
 * any of the first records, in first-seen order, the preferred ones first, at most `max`.
 */
export function columnsOf(records: readonly JsonRecord[], preferred: readonly string[] = [], max = 8): string[] {
  const seen = new Set<string>();
  for (const record of records.slice(0, 50)) {
    for (const [key, value] of Object.entries(record)) if (isPlain(value)) seen.add(key);
  }
  const first = preferred.filter((key) => seen.has(key));
  const rest = [...seen].filter((key) => !first.includes(key));
  return [...first, ...rest].slice(0, max);
}

function isPlain(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * One cell's text: times (ISO) in local time, `…Ms` durations in ms or s, other plain values as
 * they are, anything else as short JSON.
 */
export function cellText(value: unknown, max = 160, column = ''): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number' && /Ms$/.test(column))
    return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(1)} s`;
  if (typeof value === 'string' && ISO_TIME.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime()))
      return date.toLocaleString(undefined, {
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A run's events when the bundle has them inline (`events`: an array of `{ seq, type, … }`). */
export function eventsOf(record: JsonRecord): JsonRecord[] {
  return Array.isArray(record.events) ? record.events.map(asRecord) : [];
}

/** A run record's summary: `{ run: {...}, events }` or the summary's own fields. */
export function runSummaryOf(record: JsonRecord): JsonRecord {
  return isRecord(record.run) ? record.run : record;
}
