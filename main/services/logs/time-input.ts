/**
 * Times as the Logs requests carry them: an ISO time, or a duration back from now (`30s`, `5m`,
 * `2h`, `7d`) as the ops API's `since` takes it.
 */
import { ApiError } from '../../../shared/errors';

const RELATIVE = /^(\d{1,7})\s*(s|m|h|d)$/i;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds since the epoch; throws an `invalid-request` naming the field when unreadable. */
export function parseTimeInput(text: string, field: string, now = Date.now()): number {
  const value = text.trim();
  const relative = RELATIVE.exec(value);
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2]!.toLowerCase()]!;
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new ApiError(
      'invalid-request',
      `${field}=${text.slice(0, 40)} is not a time: use an ISO time or a duration such as 5m, 2h or 7d.`,
      {
        [field]: 'Use an ISO time or a duration such as 5m, 2h or 7d.',
      },
    );
  }
  return ms;
}
