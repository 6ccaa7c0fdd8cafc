/**
 * ISO times ↔ milliseconds, fast for the one shape every log entry carries
 * (`2024-05-01T10:00:00.123Z`, what toISOString writes). Main's log sources and cache and the
 * renderer's panes convert every line; Date.parse and toISOString dominated that cost, and lines
 * come in time order, so the day repeats from one line to the next and only the time of day is
 * computed.
 */

const ZERO = 48;
let lastDay = '';
let lastDayMs = 0;
/** The last conversion each way: a burst's lines often share their millisecond (podman: their second). */
let lastIso = '';
let lastIsoMs = Number.NaN;
let lastMs = Number.NaN;
let lastMsIso = '';

/** Milliseconds since the epoch; NaN when the text is not a time. */
export function isoToMs(iso: string): number {
  if (iso === lastIso) return lastIsoMs;
  const ms = parseIso(iso);
  lastIso = iso;
  lastIsoMs = ms;
  return ms;
}

function parseIso(iso: string): number {
  if (
    iso.length !== 24 ||
    iso.charCodeAt(10) !== 84 /* T */ ||
    iso.charCodeAt(23) !== 90 /* Z */ ||
    iso.charCodeAt(19) !== 46 /* . */
  ) {
    return Date.parse(iso);
  }
  let dayMs: number;
  if (lastDay.length === 10 && iso.startsWith(lastDay)) {
    dayMs = lastDayMs;
  } else {
    dayMs = Date.parse(iso.slice(0, 10) + 'T00:00:00Z');
    if (Number.isNaN(dayMs)) return Date.parse(iso);
    lastDay = iso.slice(0, 10);
    lastDayMs = dayMs;
  }
  const h = digits2(iso, 11);
  const m = digits2(iso, 14);
  const s = digits2(iso, 17);
  const ms = digits2(iso, 20) * 10 + digit(iso, 22);
  if (
    h > 23 ||
    m > 59 ||
    s > 59 ||
    ms < 0 ||
    Number.isNaN(h + m + s + ms) ||
    iso.charCodeAt(13) !== 58 ||
    iso.charCodeAt(16) !== 58
  ) {
    return Date.parse(iso);
  }
  return dayMs + ((h * 60 + m) * 60 + s) * 1000 + ms;
}

const DAY_MS = 86_400_000;
let lastDayNumber = Number.NaN;
let lastPrefix = '';

/** `toISOString`, with the date part reused while lines stay within one day. */
export function msToIso(ms: number): string {
  if (ms === lastMs) return lastMsIso;
  const iso = formatIso(ms);
  lastMs = ms;
  lastMsIso = iso;
  return iso;
}

function formatIso(ms: number): string {
  const dayNumber = Math.floor(ms / DAY_MS);
  if (dayNumber !== lastDayNumber) {
    const iso = new Date(ms).toISOString();
    // Years outside 0000–9999 have another shape: leave them to toISOString every time.
    if (iso.length !== 24) return iso;
    lastDayNumber = dayNumber;
    lastPrefix = iso.slice(0, 11);
  }
  let rest = ms - dayNumber * DAY_MS;
  const milli = rest % 1000;
  rest = (rest - milli) / 1000;
  const second = rest % 60;
  rest = (rest - second) / 60;
  const minute = rest % 60;
  const hour = (rest - minute) / 60;
  return `${lastPrefix}${pad2(hour)}:${pad2(minute)}:${pad2(second)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

function digit(text: string, at: number): number {
  const d = text.charCodeAt(at) - ZERO;
  return d >= 0 && d <= 9 ? d : Number.NaN;
}

function digits2(text: string, at: number): number {
  return digit(text, at) * 10 + digit(text, at + 1);
}
