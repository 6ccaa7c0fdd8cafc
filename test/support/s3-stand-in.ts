/**
 * A stand-in for S3: s3rver (a local S3-compatible server) behind a front that checks SigV4.
 *
 * s3rver stores buckets and objects and answers as S3 does, but it does not verify version-4
 * signatures (its authentication middleware only looks the access key ID up and lets any V4
 * signature through; see node_modules/s3rver/lib/middleware/authentication.js). So the front
 * recomputes each request's signature with @smithy/signature-v4 from the secret key it holds and
 * answers as S3 does when it differs (403 `SignatureDoesNotMatch`), refuses unknown access key
 * IDs (403 `InvalidAccessKeyId`) and payloads whose `x-amz-content-sha256` is wrong; a request
 * that passes goes on to s3rver unchanged but for its Authorization header. Both listen on
 * loopback ports. `hold` makes the front take requests and never answer (a hung endpoint).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

const Sha256 = Hash.bind(null, 'sha256');

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
// s3rver is CommonJS without types; this is the part of it the stand-in uses.
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

export interface S3StandInOptions {
  /** Buckets that exist from the start. */
  buckets: string[];
  /** Access key ID → secret access key. */
  keys: Record<string, string>;
}

export interface S3StandIn {
  /** The endpoint to give the probe (the verifying front), `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** Requests the front received, in order, with how it judged them. */
  requests: { method: string; path: string; verdict: 'passed' | 'held' | string }[];
  /** Take requests without answering them, until false again. */
  hold: boolean;
  /** Stores an object straight in s3rver, past the front (a test's own fixture). */
  putDirect(bucket: string, key: string, body: string): Promise<void>;
  /** Keys in `bucket` under `prefix`, asked of s3rver directly. */
  listKeys(bucket: string, prefix: string): Promise<string[]>;
  /** Resolves when the front has received `count` requests in all. */
  waitForRequests(count: number): Promise<void>;
  stop(): Promise<void>;
}

function s3ErrorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>stand-in</RequestId></Error>`;
}

/** The parts of `AWS4-HMAC-SHA256 Credential=…/scope, SignedHeaders=a;b, Signature=hex`. */
function parseAuthorization(header: string): { accessKeyId: string; date: string; region: string; service: string; signedHeaders: string[]; signature: string } | null {
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(header);
  if (!match) return null;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match as unknown as string[];
  return { accessKeyId: accessKeyId!, date: date!, region: region!, service: service!, signedHeaders: signedHeaders!.split(';'), signature: signature! };
}

/** `20240102T030405Z` as a Date. */
function parseAmzDate(value: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : null;
}

/** Why the request's signature does not hold, as S3's error code and message; null when it does. */
async function verify(request: http.IncomingMessage, body: Buffer, keys: Record<string, string>): Promise<[number, string, string] | null> {
  const authorization = request.headers.authorization;
  if (!authorization) return [403, 'AccessDenied', 'Access Denied'];
  const auth = parseAuthorization(authorization);
  if (!auth) return [400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed.'];
  const secret = keys[auth.accessKeyId];
  if (secret === undefined) return [403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.'];
  const payloadHash = request.headers['x-amz-content-sha256'];
  if (typeof payloadHash !== 'string') return [400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256'];
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== createHash('sha256').update(body).digest('hex')) {
    return [400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed."];
  }
  const signingDate = parseAmzDate(String(request.headers['x-amz-date'] ?? ''));
  if (!signingDate) return [403, 'AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header'];
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return [403, 'SignatureDoesNotMatch', `The signed header ${name} is missing.`];
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const url = new URL(request.url ?? '/', 'http://stand-in');
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  const signer = new SignatureV4({ service: auth.service, region: auth.region, credentials: { accessKeyId: auth.accessKeyId, secretAccessKey: secret }, sha256: Sha256, uriEscapePath: false });
  const expected = await signer.sign(
    { method: request.method ?? 'GET', protocol: 'http:', hostname: url.hostname, path: url.pathname, query, headers },
    { signingDate, signableHeaders: new Set(auth.signedHeaders) },
  );
  const expectedSignature = /Signature=([0-9a-f]{64})$/.exec(expected.headers.authorization ?? '')?.[1];
  const expectedSigned = /SignedHeaders=([^,]+),/.exec(expected.headers.authorization ?? '')?.[1];
  if (expectedSignature !== auth.signature || expectedSigned !== auth.signedHeaders.join(';')) {
    return [403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.'];
  }
  return null;
}

/** Starts s3rver with `buckets` and the verifying front before it. */
export async function startS3StandIn(options: S3StandInOptions): Promise<S3StandIn> {
  const directory = mkdtempSync(join(tmpdir(), 's3-stand-in-'));
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: options.buckets.map((name) => ({ name })) });
  const backPort = (await s3rver.run()).port;
  const requests: S3StandIn['requests'] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const held: http.ServerResponse[] = [];
  const record = (entry: S3StandIn['requests'][number]) => {
    requests.push(entry);
    for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };

  const front = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const entry = { method: request.method ?? '', path: request.url ?? '' };
      if (standIn.hold) {
        held.push(response);
        record({ ...entry, verdict: 'held' });
        return;
      }
      void verify(request, body, options.keys).then((refusal) => {
        if (refusal) {
          const [status, code, message] = refusal;
          record({ ...entry, verdict: code });
          response.writeHead(status, { 'content-type': 'application/xml' }).end(s3ErrorXml(code, message));
          return;
        }
        record({ ...entry, verdict: 'passed' });
        const headers = { ...request.headers };
        delete headers.authorization;
        const forward = http.request({ host: '127.0.0.1', port: backPort, method: request.method, path: request.url, headers }, (reply) => {
          response.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(response);
        });
        forward.on('error', () => response.destroy());
        forward.end(body);
      });
    });
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const frontPort = (front.address() as AddressInfo).port;

  const standIn: S3StandIn = {
    endpoint: `http://127.0.0.1:${frontPort}`,
    requests,
    hold: false,
    async putDirect(bucket, key, body) {
      const reply = await fetch(`http://127.0.0.1:${backPort}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`, { method: 'PUT', body });
      if (!reply.ok) throw new Error(`s3rver did not store ${key}: ${reply.status} ${await reply.text()}`);
    },
    async listKeys(bucket, prefix) {
      const reply = await fetch(`http://127.0.0.1:${backPort}/${bucket}?list-type=2&prefix=${encodeURIComponent(prefix)}`);
      const xml = await reply.text();
      if (!reply.ok) throw new Error(`s3rver could not list ${bucket}: ${reply.status} ${xml}`);
      return [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!);
    },
    waitForRequests(count) {
      if (requests.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async stop() {
      for (const response of held) response.destroy();
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await s3rver.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
  return standIn;
}
