/**
 * The `http` kind: one HTTP(S) request, its status, headers and body (up to the cap), timed.
 *
 * The connection is opened here (net-connect.ts) and handed to node:http, so a certificate is
 * judged before a byte of the request (which may carry secrets) is sent, and a bad one is
 * reported as what it is ("The certificate is for other.test, not api.test."). Each run uses a
 * fresh connection: a probe measures a real connect, not a pooled socket.
 *
 * The body is read as a stream and kept only up to `bodyCap` bytes; at the cap the connection is
 * closed, so a 10 MB answer is neither read nor held whole. A compressed body (the probe's headers
 * asked for one) is decoded, and the cap counts decoded bytes, so a small gzip bomb stays small. Values: `STATUS`, `RESPONSE_TIME` (ms
 * to the whole body or the cap, redirects included), `BODY`, `HEADERS` (lower-case names),
 * `CONNECTED`, `IP`, and for https `CERTIFICATE_EXPIRATION` (ms left). Artifacts: the body as
 * `response.<ext>`, and the image at `imageJsonPath` when that is set (the Gemini image preset).
 */
import { request, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { z } from 'zod';
import { abortReason, isAbort } from '../../abort';
import type { HttpSettings, ProbeMetadata } from '../../../shared/model/probe';
import type { ArtifactData, KindOutcome, PlaceholderValues, ProbeKindModule, ProbeRunContext } from '../probe-kind';
import { judgeCertificate } from './net-certificate';
import { connectTcp, connectTls } from './net-connect';
import { extensionFor, parseJsonPath, sniffImageType, valueAt } from './net-content';
import { errorCode, networkErrorSentence } from './net-errors';

type Settings = z.output<typeof HttpSettings>;

const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers that must not follow a redirect to another origin (as fetch does). */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

interface Exchange {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** What one request got back: either a response to read, or the run's outcome (an error). */
type Reply = { response: IncomingMessage; socket: Socket; ip: string | null } | { outcome: KindOutcome };

interface CappedBody {
  data: Buffer;
  /** Body bytes that arrived, the discarded rest of the last chunk included. */
  received: number;
  truncated: boolean;
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** Opens the connection (judging the certificate for https) and sends the request. */
async function send(exchange: Exchange, ctx: ProbeRunContext, values: PlaceholderValues): Promise<Reply> {
  const { url } = exchange;
  const host = hostOf(url);
  const port = portOf(url);
  const failed = (error: string): Reply => ({ outcome: { values: { ...values, CONNECTED: false }, metadata: {}, artifacts: [], error } });
  let socket: Socket;
  try {
    if (url.protocol === 'https:') {
      const tlsSocket = await connectTls(host, port, ctx.signal);
      const verdict = judgeCertificate(tlsSocket, host, ctx.clock.now());
      values.CERTIFICATE_EXPIRATION = verdict.expiresInMs;
      values.IP = tlsSocket.remoteAddress ?? null;
      if (verdict.problem) {
        tlsSocket.destroy();
        return failed(verdict.problem);
      }
      socket = tlsSocket;
    } else {
      socket = await connectTcp(host, port, ctx.signal);
    }
  } catch (error) {
    if (isAbort(error) || ctx.signal.aborted) throw error;
    return failed(networkErrorSentence(error, host, port));
  }
  const ip = socket.remoteAddress ?? null;
  values.IP = ip;
  const headers: OutgoingHttpHeaders = { ...exchange.headers };
  const names = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  if (!names.has('host')) headers.host = url.host;
  if (!names.has('user-agent')) headers['user-agent'] = 'control-room-probe';
  try {
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request({
        method: exchange.method,
        host,
        port,
        path: `${url.pathname}${url.search}`,
        headers,
        setHost: false,
        createConnection: () => socket,
      });
      const onAbort = () => {
        req.destroy();
        reject(abortReason(ctx.signal));
      };
      if (ctx.signal.aborted) return onAbort();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      req.once('response', (res) => {
        ctx.signal.removeEventListener('abort', onAbort);
        resolve(res);
      });
      req.once('error', (error) => {
        ctx.signal.removeEventListener('abort', onAbort);
        reject(error);
      });
      req.end(exchange.body);
    });
    return { response, socket, ip };
  } catch (error) {
    socket.destroy();
    if (isAbort(error) || ctx.signal.aborted) throw ctx.signal.aborted ? abortReason(ctx.signal) : error;
    const code = errorCode(error);
    if (code === 'ECONNRESET') return failed(`${host}:${port} closed the connection without answering.`);
    if (code === 'HPE_INVALID_CONSTANT' || code?.startsWith('HPE_')) return failed(`${host}:${port} did not answer with HTTP.`);
    return failed(networkErrorSentence(error, host, port));
  }
}

/** A decoder for a compressed body (sent only when the probe's headers asked for it), or null. */
function decoderFor(encoding: string | undefined): Transform | null {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return null;
  }
}

/**
 * Reads `response` up to `cap` bytes (decoded, when it was compressed); at the cap it closes the
 * connection rather than draining the rest, so memory and traffic stay bounded whatever the
 * server sends.
 */
function readCapped(response: IncomingMessage, socket: Socket, cap: number, signal: AbortSignal): Promise<CappedBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let received = 0;
    const decoder = decoderFor(response.headers['content-encoding']);
    const body: Readable = decoder ?? response;
    const finish = (truncated: boolean) => {
      cleanup();
      resolve({ data: Buffer.concat(chunks, kept), received, truncated });
    };
    const onRaw = (chunk: Buffer) => {
      received += chunk.length;
    };
    const onData = (chunk: Buffer) => {
      if (kept + chunk.length <= cap) {
        chunks.push(chunk);
        kept += chunk.length;
        return;
      }
      chunks.push(chunk.subarray(0, cap - kept));
      kept = cap;
      socket.destroy();
      decoder?.destroy();
      finish(true);
    };
    const onEnd = () => finish(false);
    const onError = (error: Error) => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onDecodeError = (error: Error) =>
      onError(Object.assign(new Error(`The ${String(response.headers['content-encoding'])} body could not be decoded (${error.message}).`), { code: 'EDECODE' }));
    const onClose = () => {
      if (!response.complete) onError(Object.assign(new Error('The connection closed before the whole response arrived.'), { code: 'ECONNRESET' }));
    };
    const onAbort = () => {
      cleanup();
      socket.destroy();
      decoder?.destroy();
      reject(abortReason(signal));
    };
    const cleanup = () => {
      response.off('data', onRaw);
      body.off('data', onData);
      body.off('end', onEnd);
      response.off('error', onError);
      decoder?.off('error', onDecodeError);
      response.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    response.on('data', onRaw);
    body.on('data', onData);
    body.once('end', onEnd);
    response.once('error', onError);
    decoder?.once('error', onDecodeError);
    response.once('close', onClose);
    if (decoder) response.pipe(decoder);
  });
}

function headerValues(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The request to make after a redirect, or null when `location` is missing or not http(s). */
function redirected(exchange: Exchange, status: number, location: string | undefined): Exchange | null {
  if (!location) return null;
  let next: URL;
  try {
    next = new URL(location, exchange.url);
  } catch {
    return null;
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') return null;
  // 303, and 301/302 after a POST, become a GET without a body, as browsers do.
  const toGet = (status === 303 && exchange.method !== 'HEAD') || ((status === 301 || status === 302) && exchange.method === 'POST');
  const headers = { ...exchange.headers };
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (next.origin !== exchange.url.origin && CREDENTIAL_HEADERS.has(lower)) delete headers[name];
    if (toGet && (lower === 'content-type' || lower === 'content-length')) delete headers[name];
  }
  return { url: next, method: toGet ? 'GET' : exchange.method, headers, body: toGet ? undefined : exchange.body };
}

/** The image at `path` in a JSON body, as an artifact; or why there is none, as a sentence. */
function imageArtifact(body: CappedBody, path: string): ArtifactData | string {
  if (body.truncated) return 'The response was cut at the body cap, so its image could not be read.';
  const steps = parseJsonPath(path);
  if (!steps) return `The image path ${path} is not a JSON path.`;
  let root: unknown;
  try {
    root = JSON.parse(body.data.toString('utf8'));
  } catch {
    return 'The response is not JSON, so it holds no image.';
  }
  const encoded = valueAt(root, steps);
  if (typeof encoded !== 'string' || encoded.length === 0) return `The response has no image at ${path}.`;
  const data = Buffer.from(encoded.replace(/^data:[^,]*,/, ''), 'base64');
  if (data.length === 0) return `The value at ${path} is not base64 image data.`;
  const parent = valueAt(root, steps.slice(0, -1)) as Record<string, unknown> | undefined;
  const declared = parent?.mimeType ?? parent?.mime_type;
  const contentType = typeof declared === 'string' && declared.startsWith('image/') ? declared : (sniffImageType(data) ?? 'image/png');
  return { name: `image.${extensionFor(contentType)}`, contentType, data, truncated: false };
}

async function run(settings: Settings, ctx: ProbeRunContext): Promise<KindOutcome> {
  const started = ctx.clock.now();
  let exchange: Exchange = { url: new URL(settings.url), method: settings.method, headers: settings.headers, body: settings.body };
  const values: PlaceholderValues = {};
  const metadata: ProbeMetadata = { method: settings.method, url: settings.url };
  for (let redirects = 0; ; redirects += 1) {
    const reply = await send(exchange, ctx, values);
    if ('outcome' in reply) {
      values.RESPONSE_TIME = ctx.clock.now() - started;
      return { ...reply.outcome, metadata: { ...metadata, ...(redirects > 0 ? { finalUrl: exchange.url.href, redirects } : {}) } };
    }
    const { response, socket } = reply;
    const status = response.statusCode ?? 0;
    if (settings.followRedirects && REDIRECT_STATUSES.has(status)) {
      const next = redirected(exchange, status, response.headers.location);
      if (next) {
        socket.destroy();
        if (redirects + 1 > MAX_REDIRECTS) {
          return {
            values: { ...values, CONNECTED: true, STATUS: status, RESPONSE_TIME: ctx.clock.now() - started },
            metadata: { ...metadata, status, finalUrl: exchange.url.href, redirects },
            artifacts: [],
            error: `Stopped after ${MAX_REDIRECTS} redirects, at ${exchange.url.host}.`,
          };
        }
        exchange = next;
        continue;
      }
    }
    let body: CappedBody;
    try {
      body = await readCapped(response, socket, settings.bodyCap, ctx.signal);
    } catch (error) {
      socket.destroy();
      if (isAbort(error) || ctx.signal.aborted) throw ctx.signal.aborted ? abortReason(ctx.signal) : error;
      return {
        values: { ...values, CONNECTED: true, STATUS: status, RESPONSE_TIME: ctx.clock.now() - started },
        metadata: { ...metadata, status },
        artifacts: [],
        error:
          errorCode(error) === 'EDECODE'
            ? (error as Error).message
            : `${exchange.url.host} closed the connection before the whole response arrived.`,
      };
    }
    socket.destroy();
    const elapsed = ctx.clock.now() - started;
    const contentType = response.headers['content-type'] ?? 'application/octet-stream';
    const artifacts: ArtifactData[] = [];
    if (body.data.length > 0 || body.truncated) {
      artifacts.push({ name: `response.${extensionFor(contentType)}`, contentType, data: body.data, truncated: body.truncated });
    }
    const runMetadata: ProbeMetadata = {
      ...metadata,
      status,
      contentType,
      bytes: body.received,
      truncated: body.truncated,
      httpVersion: response.httpVersion,
      ip: reply.ip,
      ...(redirects > 0 ? { finalUrl: exchange.url.href, redirects } : {}),
    };
    if (settings.imageJsonPath) {
      const image = imageArtifact(body, settings.imageJsonPath);
      if (typeof image === 'string') runMetadata.image = image;
      else artifacts.push(image);
    }
    return {
      values: {
        ...values,
        STATUS: status,
        RESPONSE_TIME: elapsed,
        BODY: body.data.toString('utf8'),
        HEADERS: headerValues(response.headers),
        CONNECTED: true,
      },
      metadata: runMetadata,
      artifacts,
    };
  }
}

export const httpKind: ProbeKindModule<Settings> = { kind: 'http', run };
