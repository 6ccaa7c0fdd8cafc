/**
 * Docker's log stream, taken apart: without a TTY every chunk comes in a frame with an 8-byte
 * header (stream type in byte 0, three zero bytes, big-endian payload length); with a TTY the
 * bytes are raw and all of it is stdout. With `timestamps=true` every line begins with an
 * RFC3339 time: nanoseconds from Docker, whole seconds from podman.
 */
import { parseDockerTime } from '../../node/docker/docker-time';

export type StreamName = 'stdout' | 'stderr';

export interface LogLine {
  ts: string | null;
  stream: StreamName;
  text: string;
}

/** One entry longer than this is cut: a runaway line must not make a reply of hundreds of MB. */
export const MAX_LINE = 64 * 1024;

export function demultiplex(buffer: Buffer, tty: boolean): { stream: StreamName; payload: Buffer }[] {
  if (tty || !looksFramed(buffer, 0)) return buffer.length ? [{ stream: 'stdout', payload: buffer }] : [];
  const frames: { stream: StreamName; payload: Buffer }[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    if (!looksFramed(buffer, offset)) {
      // The rest is not framed after all (a TTY container whose flag we misread): keep it as text.
      frames.push({ stream: 'stdout', payload: buffer.subarray(offset) });
      return frames;
    }
    const size = buffer.readUInt32BE(offset + 4);
    const end = Math.min(offset + 8 + size, buffer.length);
    frames.push({ stream: buffer[offset] === 2 ? 'stderr' : 'stdout', payload: buffer.subarray(offset + 8, end) });
    offset = end;
  }
  return frames;
}

function looksFramed(buffer: Buffer, offset: number): boolean {
  if (buffer.length - offset < 8) return false;
  const type = buffer[offset]!;
  return type <= 2 && buffer[offset + 1] === 0 && buffer[offset + 2] === 0 && buffer[offset + 3] === 0;
}

const STAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))\s?/;

/**
 * Lines with their timestamp and stream. Each stream is joined before splitting, so a line that
 * Docker cut into two frames comes back whole; a line without a timestamp of its own (the tail
 * of a long line) inherits the previous one's.
 */
export function parseLogLines(buffer: Buffer, tty: boolean, timestamps = true): LogLine[] {
  const lines: LogLine[] = [];
  const pending: Record<StreamName, string> = { stdout: '', stderr: '' };
  let lastTs: string | null = null;
  const emit = (stream: StreamName, raw: string) => {
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    let ts: string | null = null;
    if (timestamps) {
      const match = STAMP.exec(text);
      if (match) {
        ts = parseDockerTime(match[1]!);
        text = text.slice(match[0].length);
      }
    }
    ts ??= lastTs;
    lastTs = ts;
    if (text.length > MAX_LINE) text = `${text.slice(0, MAX_LINE)}… [cut at ${MAX_LINE} characters]`;
    lines.push({ ts, stream, text });
  };
  for (const { stream, payload } of demultiplex(buffer, tty)) {
    const chunk = pending[stream] + payload.toString('utf8');
    const parts = chunk.split('\n');
    pending[stream] = parts.pop()!;
    for (const part of parts) emit(stream, part);
  }
  for (const stream of ['stdout', 'stderr'] as const) if (pending[stream]) emit(stream, pending[stream]);
  return lines;
}
