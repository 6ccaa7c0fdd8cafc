/**
 * A followed Docker log request read by hand: `GET /containers/<id>/logs?follow=…` written on a
 * fresh connection to the engine (the local socket or an SSH channel to it), the response's head
 * read, and its chunked body handed on as plain bytes.
 *
 * Why not Node's HTTP client, as every other Docker request: docker and podman send each log line
 * as its own HTTP chunk, and Node's client makes a Buffer, a stream push and a read-side copy per
 * chunk — per line, about a microsecond of main's time in a burst, more than the line's parsing.
 * Here a whole socket read is de-chunked with one copy per chunk into one buffer and pushed once.
 *
 * The body is a Readable with the same manners as the response it replaces: paused mode works
 * (`readable` + `read()`), and not reading stops the socket (so, through the tunnel, the SSH
 * channel's window) — Docker feels the backpressure. Destroying it closes the connection.
 *
 * A status other than 200 rejects with an error shaped like docker-modem's (`statusCode`, `json`,
 * "(HTTP code N) … - <engine message>"), so callers read it with the same dockerReason().
 */
import { Readable, type Duplex } from 'node:stream';
import { abortReason } from '../abort';

/** The longest response head accepted; Docker's are a few hundred bytes. */
const MAX_HEAD_BYTES = 64 * 1024;
/** An error body is read up to this much for its message. */
const MAX_ERROR_BODY = 64 * 1024;
const CR = 0x0d;
const LF = 0x0a;

export interface FollowedResponseError extends Error {
  statusCode: number;
  json: unknown;
}

type BodyMode =
  'chunk-size' | 'chunk-extension' | 'chunk-data' | 'chunk-end' | 'trailer' | 'length' | 'until-close' | 'done';

/** Sends `GET path` on `socket` and resolves with the response body once the head says 200. */
export function requestFollowed(socket: Duplex, path: string, signal?: AbortSignal): Promise<Readable> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let head: Buffer[] = [];
    let headBytes = 0;
    let body: FollowedBody | undefined;
    let failed: { status: number; reason: string; bytes: Buffer[]; size: number } | undefined;

    const settle = (error: Error | null, value?: Readable) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (error) {
        socket.destroy();
        reject(error);
      } else {
        resolve(value!);
      }
    };
    const onAbort = () => settle(abortReason(signal!));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });

    const onData = (chunk: Buffer) => {
      if (body) return body.feed(chunk);
      if (failed) return collectError(chunk);
      head.push(chunk);
      headBytes += chunk.length;
      const all = head.length === 1 ? chunk : Buffer.concat(head, headBytes);
      const end = all.indexOf('\r\n\r\n');
      if (end === -1) {
        if (headBytes > MAX_HEAD_BYTES) settle(new Error('The Docker engine sent a response head longer than 64 KB.'));
        head = [all];
        return;
      }
      head = [];
      const parsed = parseHead(all.toString('latin1', 0, end));
      if (!parsed) return settle(new Error('The Docker engine sent something that is not an HTTP response.'));
      const rest = all.subarray(end + 4);
      if (parsed.status !== 200) {
        failed = { status: parsed.status, reason: parsed.reason, bytes: [], size: 0 };
        if (rest.length) collectError(rest);
        return;
      }
      body = new FollowedBody(
        socket,
        parsed.chunked ? 'chunk-size' : parsed.length >= 0 ? 'length' : 'until-close',
        parsed.length,
      );
      settle(null, body);
      if (rest.length) body.feed(rest);
    };
    const collectError = (chunk: Buffer) => {
      if (failed!.size < MAX_ERROR_BODY) {
        failed!.bytes.push(chunk);
        failed!.size += chunk.length;
      }
    };
    const onEnd = () => {
      if (body) return body.finish();
      if (failed)
        return settle(engineError(failed.status, failed.reason, decodeErrorBody(Buffer.concat(failed.bytes))));
      settle(new Error('The Docker engine closed the connection before it answered.'));
    };
    const onError = (error: Error) => {
      // Once the body is complete, the connection's end is no longer the reader's concern.
      if (body) {
        if (!body.complete) body.destroy(error);
      } else settle(error);
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onError);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: control-room\r\nConnection: close\r\n\r\n`);
  });
}

/** The de-chunked body: fed by the socket's reads, pausing the socket while nobody reads. */
class FollowedBody extends Readable {
  private size = 0;
  /** Bytes of the CRLF after a chunk's data still to skip. */
  private crlf = 0;
  private trailerLine = 0;

  constructor(
    private readonly socket: Duplex,
    private mode: BodyMode,
    /** Bytes still to come for a Content-Length body. */
    private remaining: number,
  ) {
    super({ highWaterMark: 64 * 1024 });
  }

  override _read(): void {
    this.socket.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.closeSocket();
    callback(error);
  }

  /**
   * An SSH channel says 'close' only after its readable side ended, so it is drained, not left
   * paused: the tunnel forgets a channel at its 'close'.
   */
  private closeSocket(): void {
    this.socket.destroy();
    this.socket.resume();
  }

  /** True once the whole body has arrived. */
  get complete(): boolean {
    return this.mode === 'done';
  }

  /** The connection ended: a chunked body that stopped short still ends here, as Node's does. */
  finish(): void {
    if (this.mode !== 'done') {
      this.mode = 'done';
      this.push(null);
    }
  }

  feed(chunk: Buffer): void {
    if (this.mode === 'done' || this.destroyed) return;
    if (this.mode === 'until-close') {
      if (!this.push(chunk)) this.socket.pause();
      return;
    }
    const out = Buffer.allocUnsafe(chunk.length);
    let filled = 0;
    let pos = 0;
    const length = chunk.length;
    while (pos < length) {
      switch (this.mode) {
        case 'chunk-data': {
          const take = Math.min(this.size, length - pos);
          chunk.copy(out, filled, pos, pos + take);
          filled += take;
          pos += take;
          this.size -= take;
          if (this.size === 0) {
            this.mode = 'chunk-end';
            this.crlf = 2;
          }
          break;
        }
        case 'chunk-end': {
          // The CRLF after a chunk's data.
          while (this.crlf > 0 && pos < length) {
            pos++;
            this.crlf--;
          }
          if (this.crlf === 0) this.mode = 'chunk-size';
          break;
        }
        case 'chunk-size': {
          const byte = chunk[pos++]!;
          const digit = hexValue(byte);
          if (digit >= 0) {
            this.size = this.size * 16 + digit;
          } else if (byte === LF) {
            this.endSizeLine();
          } else if (byte !== CR) {
            // `;` starts a chunk extension, which means nothing to us; anything else is not HTTP.
            if (byte !== 0x3b && byte !== 0x20 && byte !== 0x09)
              return void this.destroy(new Error('The Docker engine sent a malformed chunked response.'));
            this.mode = 'chunk-extension';
          }
          break;
        }
        case 'chunk-extension': {
          const newline = chunk.indexOf(LF, pos);
          if (newline === -1) pos = length;
          else {
            pos = newline + 1;
            this.endSizeLine();
          }
          break;
        }
        case 'trailer': {
          // Trailer lines until an empty one.
          const byte = chunk[pos++]!;
          if (byte === LF) {
            if (this.trailerLine === 0) {
              this.mode = 'done';
              pos = length;
            }
            this.trailerLine = 0;
          } else if (byte !== CR) {
            this.trailerLine++;
          }
          break;
        }
        case 'length': {
          const take = Math.min(this.remaining, length - pos);
          chunk.copy(out, filled, pos, pos + take);
          filled += take;
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) this.mode = 'done';
          break;
        }
        default:
          pos = length;
      }
    }
    const more = filled > 0 ? this.push(out.subarray(0, filled)) : true;
    if (this.mode === 'done') {
      this.push(null);
      // The body is complete: the connection has nothing more to say.
      this.closeSocket();
    } else if (!more) {
      this.socket.pause();
    }
  }

  private endSizeLine(): void {
    if (this.size === 0) {
      this.mode = 'trailer';
      this.trailerLine = 0;
    } else {
      this.mode = 'chunk-data';
    }
  }
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  return -1;
}

interface ResponseHead {
  status: number;
  reason: string;
  chunked: boolean;
  /** Content-Length, or -1 without one. */
  length: number;
}

function parseHead(text: string): ResponseHead | null {
  const lines = text.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!status) return null;
  let chunked = false;
  let length = -1;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'transfer-encoding')
      chunked = value
        .toLowerCase()
        .split(',')
        .map((v) => v.trim())
        .includes('chunked');
    else if (name === 'content-length' && /^\d+$/.test(value)) length = Number(value);
  }
  return { status: Number(status[1]), reason: status[2] ?? '', chunked, length };
}

/** An error body's text, de-chunked when it came chunked. */
function decodeErrorBody(bytes: Buffer): string {
  // Chunk sizes count bytes: frame in latin1 (a byte a character), decode the pieces as UTF-8.
  const text = bytes.toString('latin1');
  if (!/^[0-9a-fA-F]+\r\n/.test(text)) return bytes.toString('utf8');
  let out = '';
  let rest = text;
  for (;;) {
    const match = /^([0-9a-fA-F]+)[^\r\n]*\r\n/.exec(rest);
    if (!match) return Buffer.from(out, 'latin1').toString('utf8');
    const size = parseInt(match[1]!, 16);
    if (size === 0) return Buffer.from(out, 'latin1').toString('utf8');
    const start = match[0].length;
    out += rest.slice(start, start + size);
    rest = rest.slice(start + size + 2);
  }
}

function engineError(status: number, reason: string, body: string): FollowedResponseError {
  let json: unknown = null;
  try {
    json = JSON.parse(body);
  } catch {
    // Plain text: kept in the message.
  }
  const said = (json as { message?: unknown } | null)?.message;
  const message = `(HTTP code ${status}) ${reason.toLowerCase() || 'error'} - ${typeof said === 'string' ? said : body.trim()}`;
  return Object.assign(new Error(message), { statusCode: status, json });
}
