/**
 * Turns one output stream's bytes into lines, at the byte level.
 *
 * Bytes are only decoded once a line is complete, so a multi-byte UTF-8 character that Docker
 * or TCP cut across two chunks comes back whole; decoding a complete line with TextDecoder turns
 * genuinely invalid bytes into U+FFFD and leaves NUL bytes as they are (the renderer neutralizes
 * them). A line longer than `maxBytes` keeps its first `maxBytes` and only counts the rest, so a
 * 10 MB line costs 1 MB of memory, not 10, and the stream keeps flowing.
 *
 * podman (and Docker for lines over 16 KB) sends a long line as several log messages, each with
 * its own timestamp prefix. The caller marks where a message starts (`frameStart`); a message
 * that starts in the middle of a line continues it, so its timestamp prefix is dropped.
 */
import { timestampPrefixLength } from './log-timestamp';

/** A finished line: `bytes[start, end)`, a view only valid during the call. */
export type LineSink = (bytes: Buffer, start: number, end: number, cutBytes: number) => void;

/** Long enough for any RFC3339Nano time with an offset, plus the space after it. */
const MAX_PREFIX = 40;
const NEWLINE = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;

export class LineAssembler {
  private parts: Buffer[] = [];
  private kept = 0;
  private cut = 0;
  /** A message began in the middle of a line: the bytes up to its timestamp's space are held here. */
  private prefix: Buffer[] | null = null;
  private prefixBytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: LineSink,
  ) {}

  /** A new log message starts with the next byte written. */
  frameStart(): void {
    if (this.kept > 0 || this.cut > 0) {
      this.prefix = [];
      this.prefixBytes = 0;
    }
  }

  /** The bytes `chunk[start, end)`: a range, so a burst's frames cost no Buffer view each. */
  write(chunk: Buffer, start = 0, end = chunk.length): void {
    if (this.prefix) {
      const rest = this.takePrefix(chunk.subarray(start, end));
      if (rest === null) return;
      chunk = rest;
      start = 0;
      end = rest.length;
    }
    let pos = start;
    while (pos < end) {
      let newline = chunk.indexOf(NEWLINE, pos);
      if (newline >= end) newline = -1;
      const stop = newline === -1 ? end : newline;
      if (newline !== -1 && this.kept === 0 && this.cut === 0 && stop - pos <= this.maxBytes) {
        // The usual case: a whole line inside the chunk, handed on in place.
        this.onLine(chunk, pos, stop > pos && chunk[stop - 1] === CR ? stop - 1 : stop, 0);
      } else {
        this.append(chunk, pos, stop);
        if (newline === -1) return;
        this.finish();
      }
      pos = newline + 1;
    }
  }

  /** The stream ended: whatever is left is a line without its newline. */
  end(): void {
    if (this.prefix) {
      const held = Buffer.concat(this.prefix);
      this.prefix = null;
      this.write(held);
    }
    if (this.kept > 0 || this.cut > 0) this.finish();
  }

  /**
   * Collects a continuation message's first bytes until its timestamp's space. Returns the bytes
   * to process as content (the prefix dropped, or everything if it was not a timestamp), or null
   * while more bytes are needed to decide.
   */
  private takePrefix(chunk: Buffer): Buffer | null {
    const prefix = this.prefix!;
    const want = Math.min(chunk.length, MAX_PREFIX - this.prefixBytes);
    let stop = -1;
    for (let i = 0; i < want; i++) {
      const byte = chunk[i]!;
      if (byte === SPACE || byte === NEWLINE) {
        stop = i;
        break;
      }
    }
    if (stop === -1 && this.prefixBytes + chunk.length < MAX_PREFIX) {
      prefix.push(chunk);
      this.prefixBytes += chunk.length;
      return null;
    }
    this.prefix = null;
    const held = Buffer.concat([...prefix, chunk]);
    const length = stop === -1 ? 0 : timestampPrefixLength(held);
    return length > 0 ? held.subarray(length) : held;
  }

  private append(chunk: Buffer, start: number, end: number): void {
    if (end <= start) return;
    const take = Math.min(end - start, this.maxBytes - this.kept);
    if (take > 0) {
      // A view, not a copy: the chunk stays referenced only until this line ends.
      this.parts.push(chunk.subarray(start, start + take));
      this.kept += take;
    }
    this.cut += end - start - take;
  }

  private finish(): void {
    const line = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.kept);
    let cut = this.cut;
    this.parts = [];
    this.kept = 0;
    this.cut = 0;
    let end = line.length;
    if (cut === 0) {
      // TTY output ends lines with \r\n.
      if (end && line[end - 1] === CR) end--;
    } else {
      // A cut in the middle of a multi-byte character would decode as U+FFFD: end on a whole one.
      end = wholeCharacterEnd(line);
      cut += line.length - end;
    }
    this.onLine(line, 0, end, cut);
  }
}

/** The length of `bytes` without a trailing incomplete UTF-8 sequence. */
export function wholeCharacterEnd(bytes: Buffer): number {
  const length = bytes.length;
  let lead = length - 1;
  // At most 3 continuation bytes (10xxxxxx) follow a lead byte.
  while (lead >= 0 && lead >= length - 4 && (bytes[lead]! & 0xc0) === 0x80) lead--;
  if (lead < 0 || lead < length - 4) return length;
  const byte = bytes[lead]!;
  const size = byte < 0x80 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
  return lead + size > length ? lead : length;
}
