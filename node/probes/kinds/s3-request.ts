/**
 * One SigV4-signed request to an S3-compatible endpoint (AWS S3, DigitalOcean Spaces, MinIO).
 *
 * Builds the object's URL (path-style `endpoint/bucket/key`, or virtual-host style
 * `bucket.endpoint/key`), signs it with @smithy/signature-v4 (service `s3`, the payload's SHA-256
 * in `x-amz-content-sha256`, as S3 requires) and sends it with node:http(s), reading the reply
 * whole up to a cap: the probe's objects are a few bytes and S3's error replies are small XML, so
 * the cap only guards against an endpoint that is not S3 at all streaming something large.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { abortReason } from '../../abort';
import type { Clock } from '../../clock';

export interface S3Location {
  endpoint: string;
  region: string;
  bucket: string;
  forcePathStyle: boolean;
}

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface S3Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** SHA-256 as SigV4 takes it: a hash class constructed with an optional HMAC key (as the AWS SDK binds it). */
const Sha256 = Hash.bind(null, 'sha256');

/** Bytes of a reply kept; more than this is not an S3 reply to anything the probe sends. */
const REPLY_CAP = 256 * 1024;

/** RFC 3986 escaping, as SigV4's canonical URI wants it (encodeURIComponent leaves !'()* alone). */
function escapeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The URL of `key` in the bucket: path-style when `forcePathStyle` (MinIO, local servers),
 * otherwise the bucket as a subdomain of the endpoint (AWS, Spaces). A path on the endpoint
 * (a reverse proxy's prefix) is kept in front.
 */
export function objectUrl(location: S3Location, key: string): URL {
  const url = new URL(location.endpoint);
  const base = url.pathname.replace(/\/+$/, '');
  const encodedKey = key.split('/').map(escapeSegment).join('/');
  if (location.forcePathStyle) {
    url.pathname = `${base}/${escapeSegment(location.bucket)}/${encodedKey}`;
  } else {
    url.hostname = `${location.bucket}.${url.hostname}`;
    url.pathname = `${base}/${encodedKey}`;
  }
  url.search = '';
  url.hash = '';
  return url;
}

export interface S3RequestOptions {
  method: 'PUT' | 'GET' | 'DELETE';
  url: URL;
  region: string;
  credentials: S3Credentials;
  body?: Buffer;
  contentType?: string;
  clock: Clock;
  signal: AbortSignal;
}

/** Signs the request for `region`; the signing time is the clock's, as S3 allows 15 minutes of skew. */
async function sign(options: S3RequestOptions): Promise<Record<string, string>> {
  const body = options.body ?? Buffer.alloc(0);
  const headers: Record<string, string> = {
    host: options.url.host,
    'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
  };
  if (options.body) {
    headers['content-length'] = String(body.length);
    headers['content-type'] = options.contentType ?? 'application/octet-stream';
  }
  // S3 signs the path as sent, without the second round of escaping other AWS services use.
  const signer = new SignatureV4({ service: 's3', region: options.region, credentials: options.credentials, sha256: Sha256, uriEscapePath: false });
  const request: HttpRequest = {
    method: options.method,
    protocol: options.url.protocol,
    hostname: options.url.hostname,
    path: options.url.pathname,
    query: {},
    headers,
    ...(options.url.port ? { port: Number(options.url.port) } : {}),
  };
  const signed = await signer.sign(request, { signingDate: new Date(options.clock.now()) });
  return signed.headers;
}

/**
 * Sends one signed request and reads the reply. Rejects with the network error (its `code` says
 * refused, unresolved, reset …) or, once `signal` aborts, with the abort reason at once.
 */
export async function s3Request(options: S3RequestOptions): Promise<S3Reply> {
  const { signal, url } = options;
  if (signal.aborted) throw abortReason(signal);
  const headers = await sign(options);
  // Signing is async: an abort in the meantime must not send the request.
  if (signal.aborted) throw abortReason(signal);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<S3Reply>((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      finish();
    };
    const onAbort = () => {
      request.destroy();
      settle(() => reject(abortReason(signal)));
    };
    const request = transport.request(url, { method: options.method, headers }, (response) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      response.on('data', (chunk: Buffer) => {
        if (kept >= REPLY_CAP) return;
        const part = chunk.subarray(0, REPLY_CAP - kept);
        chunks.push(part);
        kept += part.length;
      });
      response.on('end', () => settle(() => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) })));
      response.on('error', (error) => settle(() => reject(error)));
    });
    request.on('error', (error) => settle(() => reject(error)));
    signal.addEventListener('abort', onAbort, { once: true });
    request.end(options.body);
  });
}
