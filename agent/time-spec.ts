/**
 * `since` as people type it: `30s`, `5m`, `2h`, `7d`, an ISO date, or Unix seconds.
 */
const RELATIVE = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/i;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds since the epoch, or null when the text is none of the accepted forms. */
export function parseSince(text: string, now = Date.now()): number | null {
  const value = text.trim();
  const relative = RELATIVE.exec(value);
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2]!.toLowerCase()]!;
  if (/^\d{9,11}(\.\d+)?$/.test(value)) return Number(value) * 1000;
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

export const SINCE_HINT = 'Use a duration such as 30s, 5m, 2h or 7d, an ISO date, or Unix seconds.';
