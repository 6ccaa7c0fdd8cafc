/**
 * The time Docker puts in front of every line with `timestamps=true`: RFC3339Nano from Docker
 * (`2024-05-01T10:00:00.123456789Z `), whole seconds from podman (`2024-05-01T10:00:00Z `).
 * Read from the raw bytes, so the line itself does not have to be decoded to find it.
 *
 * A burst stamps thousands of lines within one second, so `TimestampReader` remembers the last
 * second it parsed and reads only the fraction of the next stamp that shares it: the full parse
 * (a regular expression and a Date) runs once per second of log, not once per line.
 */
import { parseDockerTime } from './docker-time';

const STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/;
/** `2024-05-01T10:00:00.123456789+05:00` is 35 characters. */
const LONGEST = 36;
/** `2024-05-01T10:00:00`: the part a second's stamps share. */
const SECOND = 19;
const SPACE = 0x20;
const DOT = 0x2e;
const ZULU = 0x5a;
const ZERO = 0x30;
/** Where `YYYY-MM-DDTHH:MM:SS` has its separators, and which. */
const SEPARATORS: [number, number][] = [
  [4, 0x2d],
  [7, 0x2d],
  [10, 0x54],
  [13, 0x3a],
  [16, 0x3a],
];

export class TimestampReader {
  /** The time of the prefix `read` last found, in epoch milliseconds. */
  ms = Number.NaN;
  private readonly second = Buffer.alloc(SECOND);
  private secondMs = Number.NaN;

  /**
   * Length of the timestamp prefix of `bytes[start, end)` including its space (its time in `ms`),
   * or 0 when there is none.
   */
  read(bytes: Buffer, start = 0, end = bytes.length): number {
    const fast = this.readUtc(bytes, start, end);
    if (fast >= 0) return fast;
    const { ts, length } = parseTimestampPrefix(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
    if (!length) return 0;
    this.ms = Date.parse(ts!);
    return length;
  }

  /**
   * `YYYY-MM-DDTHH:MM:SS[.fraction]Z` followed by a space (or nothing, for an empty line):
   * the prefix length, or -1 for anything else (offsets, odd shapes), left to the full parse.
   */
  private readUtc(bytes: Buffer, start: number, stop: number): number {
    const length = stop - start;
    if (length < SECOND + 1) return -1;
    let end = start + SECOND;
    let fraction = 0;
    if (bytes[end] === DOT) {
      end++;
      let digits = 0;
      while (end < stop && digits < 9) {
        const digit = bytes[end]! - ZERO;
        if (digit < 0 || digit > 9) break;
        if (digits < 3) fraction = fraction * 10 + digit;
        digits++;
        end++;
      }
      if (digits === 0) return -1;
      for (let i = digits; i < 3; i++) fraction *= 10;
    }
    // The range may end before the buffer does: a byte past it belongs to the next line.
    if (end >= stop || bytes[end] !== ZULU) return -1;
    end++;
    if (end < stop && bytes[end] !== SPACE) return -1;
    if (!this.sameSecond(bytes, start)) {
      for (const [at, byte] of SEPARATORS) if (bytes[start + at] !== byte) return -1;
      // Once per second of log: the careful parse (ranges, Go's zero time) decides.
      const iso = parseDockerTime(`${bytes.toString('latin1', start, start + SECOND)}Z`);
      if (!iso) return -1;
      bytes.copy(this.second, 0, start, start + SECOND);
      this.secondMs = Date.parse(iso);
    }
    this.ms = this.secondMs + fraction;
    return (end < stop ? end + 1 : end) - start;
  }

  private sameSecond(bytes: Buffer, start: number): boolean {
    if (Number.isNaN(this.secondMs)) return false;
    const second = this.second;
    // From the end: consecutive stamps differ in their last digits first.
    for (let i = SECOND - 1; i >= 0; i--) if (bytes[start + i] !== second[i]) return false;
    return true;
  }
}

/** Length of the timestamp prefix including its space, or 0 when the bytes do not start with one. */
export function timestampPrefixLength(bytes: Buffer): number {
  return parseTimestampPrefix(bytes).length;
}

/** The prefix's time as an ISO string with milliseconds, and how many bytes it takes. */
export function parseTimestampPrefix(bytes: Buffer): { ts: string | null; length: number } {
  const limit = Math.min(bytes.length, LONGEST + 1);
  // The shortest stamp is 20 characters (`2024-05-01T10:00:00Z`).
  for (let i = 20; i < limit; i++) {
    if (bytes[i] !== SPACE) continue;
    const text = bytes.toString('latin1', 0, i);
    if (!STAMP.test(text)) return { ts: null, length: 0 };
    const ts = parseDockerTime(text);
    return ts ? { ts, length: i + 1 } : { ts: null, length: 0 };
  }
  // An empty line may come as the bare stamp, without the space.
  if (bytes.length >= 20 && bytes.length <= LONGEST) {
    const text = bytes.toString('latin1');
    const ts = STAMP.test(text) ? parseDockerTime(text) : null;
    if (ts) return { ts, length: bytes.length };
  }
  return { ts: null, length: 0 };
}
