/**
 * A followed Docker log stream, taken apart as it arrives: stdout and stderr separated from the
 * 8-byte frame headers (type in byte 0, three zero bytes, big-endian payload length; raw bytes
 * for TTY containers, all of it stdout), each split into lines by its own assembler, each line's
 * timestamp prefix read and the rest decoded.
 *
 * Frames and lines may be cut anywhere by the chunks the socket delivers; nothing here assumes a
 * chunk boundary means anything.
 *
 * The app's followed streams and the agent's one-off reads (`parseDockerLogs`) both go through
 * here, so a line reads the same wherever it is read, cut at the same length with the same marker.
 */
import type { LogEntry } from '../../shared/model/logs';
import { LineAssembler } from './log-line-assembler';
import { TimestampReader } from './log-timestamp';

export interface ParsedLine {
  /** Epoch milliseconds, or null when the line came without a readable timestamp. */
  tsMs: number | null;
  stream: LogStream;
  message: string;
}

/** 1 MB of one line is kept; the rest is counted and marked (`cutMarker`). */
export const MAX_LINE_BYTES = 1 << 20;

/** What follows the kept part of a line that was longer than the cap. */
export function cutMarker(cutBytes: number): string {
  return `… [${cutBytes} bytes cut]`;
}

const HEADER = 8;

type LogStream = LogEntry['stream'];

export class DockerLogParser {
  private readonly stamps = new TimestampReader();
  private readonly assemblers: Record<LogStream, LineAssembler>;
  /** False once the bytes turned out not to be framed (a TTY container whose flag we misread). */
  private framed: boolean;
  private readonly header = Buffer.alloc(HEADER);
  private headerFill = 0;
  private remaining = 0;
  private current: LogStream = 'stdout';

  constructor(
    tty: boolean,
    private readonly onLine: (line: ParsedLine) => void,
    maxLineBytes = MAX_LINE_BYTES,
  ) {
    this.framed = !tty;
    this.assemblers = {
      stdout: new LineAssembler(maxLineBytes, (bytes, start, end, cut) => this.emit('stdout', bytes, start, end, cut)),
      stderr: new LineAssembler(maxLineBytes, (bytes, start, end, cut) => this.emit('stderr', bytes, start, end, cut)),
    };
  }

  push(chunk: Buffer): void {
    if (!this.framed) {
      this.assemblers.stdout.write(chunk);
      return;
    }
    let pos = 0;
    const length = chunk.length;
    while (pos < length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, length - pos);
        this.assemblers[this.current].write(chunk, pos, pos + take);
        this.remaining -= take;
        pos += take;
        continue;
      }
      let header: Buffer;
      let at: number;
      if (this.headerFill === 0 && length - pos >= HEADER) {
        // The usual case: the whole header in this chunk, read where it is.
        header = chunk;
        at = pos;
        pos += HEADER;
      } else {
        const take = Math.min(HEADER - this.headerFill, length - pos);
        chunk.copy(this.header, this.headerFill, pos, pos + take);
        this.headerFill += take;
        pos += take;
        if (this.headerFill < HEADER) return;
        this.headerFill = 0;
        header = this.header;
        at = 0;
      }
      const type = header[at]!;
      if (type > 2 || header[at + 1] !== 0 || header[at + 2] !== 0 || header[at + 3] !== 0) {
        // Not a frame header after all: from here on it is raw text.
        this.framed = false;
        this.assemblers.stdout.write(Buffer.concat([header.subarray(at, at + HEADER), chunk.subarray(pos)]));
        return;
      }
      this.current = type === 2 ? 'stderr' : 'stdout';
      this.remaining = header.readUInt32BE(at + 4);
      this.assemblers[this.current].frameStart();
    }
  }

  /** The stream ended: emit what is left of unfinished lines. */
  end(): void {
    this.assemblers.stdout.end();
    this.assemblers.stderr.end();
  }

  private emit(stream: LogStream, bytes: Buffer, start: number, end: number, cut: number): void {
    const length = this.stamps.read(bytes, start, end);
    // Buffer's own UTF-8 slice: the same text TextDecoder gives (invalid bytes as U+FFFD, a BOM
    // kept), without a Buffer view per line to hand it.
    let message = bytes.toString('utf8', start + length, end);
    if (cut > 0) message += cutMarker(cut);
    this.onLine({ tsMs: length ? this.stamps.ms : null, stream, message });
  }
}

/**
 * A whole log response (a `follow=false` read) as lines: the streaming parser fed once, so a
 * read and a follow of the same bytes give the same lines.
 */
export function parseDockerLogs(body: Buffer, tty: boolean, maxLineBytes = MAX_LINE_BYTES): ParsedLine[] {
  const lines: ParsedLine[] = [];
  const parser = new DockerLogParser(tty, (line) => lines.push(line), maxLineBytes);
  parser.push(body);
  parser.end();
  return lines;
}
