/**
 * The time Docker puts in front of every line with `timestamps=true`: RFC3339Nano from Docker
 * (`2024-05-01T10:00:00.123456789Z `), whole seconds from podman (`2024-05-01T10:00:00Z `).
 * Read from the raw bytes, so the line itself does not have to be decoded to find it.
 */
import { parseDockerTime } from '../docker/docker-time';

const STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/;
/** `2024-05-01T10:00:00.123456789+05:00` is 35 characters. */
const LONGEST = 36;
const SPACE = 0x20;

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
