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
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
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
      stdout: new LineAssembler(maxLineBytes, (bytes, cut) => this.emit('stdout', bytes, cut)),
      stderr: new LineAssembler(maxLineBytes, (bytes, cut) => this.emit('stderr', bytes, cut)),
    };
  }

  push(chunk: Buffer): void {
    if (!this.framed) {
      this.assemblers.stdout.write(chunk);
      return;
    }
    let pos = 0;
    while (pos < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - pos);
        this.assemblers[this.current].write(chunk.subarray(pos, pos + take));
        this.remaining -= take;
        pos += take;
        continue;
      }
      const take = Math.min(HEADER - this.headerFill, chunk.length - pos);
      chunk.copy(this.header, this.headerFill, pos, pos + take);
      this.headerFill += take;
      pos += take;
      if (this.headerFill < HEADER) return;
      this.headerFill = 0;
      const type = this.header[0]!;
      if (type > 2 || this.header[1] !== 0 || this.header[2] !== 0 || this.header[3] !== 0) {
        // Not a frame header after all: from here on it is raw text.
        this.framed = false;
        this.assemblers.stdout.write(Buffer.concat([this.header, chunk.subarray(pos)]));
        return;
      }
      this.current = type === 2 ? 'stderr' : 'stdout';
      this.remaining = this.header.readUInt32BE(4);
      this.assemblers[this.current].frameStart();
    }
  }

  /** The stream ended: emit what is left of unfinished lines. */
  end(): void {
    this.assemblers.stdout.end();
    this.assemblers.stderr.end();
  }

  private emit(stream: LogStream, bytes: Buffer, cut: number): void {
    const length = this.stamps.read(bytes);
    let message = this.decoder.decode(length ? bytes.subarray(length) : bytes);
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
