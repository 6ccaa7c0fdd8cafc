/**
 * The History settings form as plain data: how long raw results and aggregates are kept and the
 * size the whole history is bounded by, as typed, turned into a `ProbeRetention` checked by the
 * schema main uses, with one message per field. DOM-free, so it is unit-tested in node.
 */
import { DEFAULT_PROBE_RETENTION, ProbeRetention } from '../../../../shared/model/probe';

export interface RetentionFormState {
  rawDays: string;
  aggregateDays: string;
  maxMegabytes: string;
}

export type RetentionField = keyof RetentionFormState;
export type RetentionErrors = Partial<Record<RetentionField, string>>;

/** The schema's bounds, repeated in the hints and messages. */
export const RETENTION_BOUNDS: Record<RetentionField, { min: number; max: number }> = {
  rawDays: { min: 1, max: 3650 },
  aggregateDays: { min: 1, max: 3650 },
  maxMegabytes: { min: 10, max: 1_000_000 },
};

export function retentionFormState(retention: ProbeRetention): RetentionFormState {
  return {
    rawDays: String(retention.rawDays),
    aggregateDays: String(retention.aggregateDays),
    maxMegabytes: String(retention.maxMegabytes),
  };
}

export function defaultRetentionForm(): RetentionFormState {
  return retentionFormState(DEFAULT_PROBE_RETENTION);
}

const UNITS: Record<RetentionField, string> = { rawDays: 'days', aggregateDays: 'days', maxMegabytes: 'MB' };

/** "1,000,000" and "1 000 000" read as 1000000; anything else but digits is refused. */
function wholeNumber(text: string): number | undefined {
  const compact = text.trim().replace(/[\s,_]/g, '');
  return /^\d{1,9}$/.test(compact) ? Number(compact) : undefined;
}

export function buildRetention(
  state: RetentionFormState,
): { ok: true; retention: ProbeRetention } | { ok: false; errors: RetentionErrors } {
  const errors: RetentionErrors = {};
  const values: Partial<Record<RetentionField, number>> = {};
  for (const field of Object.keys(RETENTION_BOUNDS) as RetentionField[]) {
    const { min, max } = RETENTION_BOUNDS[field];
    const text = state[field];
    if (text.trim() === '') {
      errors[field] = 'Enter a number.';
      continue;
    }
    const value = wholeNumber(text);
    if (value === undefined) errors[field] = `Enter a whole number of ${UNITS[field]}.`;
    else if (value < min || value > max)
      errors[field] = `Between ${formatCount(min)} and ${formatCount(max)} ${UNITS[field]}.`;
    else values[field] = value;
  }
  // The charts read aggregates where raw results have gone: shorter aggregates would leave a hole.
  if (
    values.rawDays !== undefined &&
    values.aggregateDays !== undefined &&
    values.aggregateDays < values.rawDays &&
    !errors.aggregateDays
  ) {
    errors.aggregateDays = `Keep aggregates at least as long as raw results (${formatCount(values.rawDays)} days).`;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  const parsed = ProbeRetention.safeParse(values);
  if (!parsed.success) return { ok: false, errors: { rawDays: parsed.error.issues[0]?.message ?? 'Not valid.' } };
  return { ok: true, retention: parsed.data };
}

/** Whether the form says what is in use now. */
export function sameRetention(a: ProbeRetention, b: ProbeRetention): boolean {
  return a.rawDays === b.rawDays && a.aggregateDays === b.aggregateDays && a.maxMegabytes === b.maxMegabytes;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** "30 days", "1 day", "1 year" for 365, "2 years" for 730. */
export function formatDays(days: number): string {
  if (days % 365 === 0) return days === 365 ? '1 year' : `${formatCount(days / 365)} years`;
  return days === 1 ? '1 day' : `${formatCount(days)} days`;
}

/** "1,024 MB", "1 GB" for 1000 … as the user typed megabytes, shown as megabytes (GB when whole). */
export function formatMegabytes(mb: number): string {
  return mb >= 1000 && mb % 1000 === 0 ? `${formatCount(mb / 1000)} GB` : `${formatCount(mb)} MB`;
}

/** One sentence: what the store keeps under these settings. */
export function describeRetention(retention: ProbeRetention): string {
  return `Raw results ${formatDays(retention.rawDays)}, aggregates ${formatDays(retention.aggregateDays)}, at most ${formatMegabytes(retention.maxMegabytes)} on disk.`;
}
