/**
 * The network kinds (`http`, `tls`, `tcp`, `dns`) against real servers: HTTPS servers with
 * certificates made by openssl for this run (valid, expired, expiring in 5 days, for another
 * host, from an untrusted CA), plain HTTP and TCP listeners, and dnsmasq on a loopback port.
 * The kinds are called directly with a small real context; the engine is tested elsewhere.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { systemClock } from '../../../node/clock';
import { dnsKind } from '../../../node/probes/kinds/dns';
import { httpKind } from '../../../node/probes/kinds/http';
import { addTrustedCertificates } from '../../../node/probes/kinds/net-trust';
import { tcpKind } from '../../../node/probes/kinds/tcp';
import { tlsKind } from '../../../node/probes/kinds/tls';
import type { KindOutcome, ProbeRunContext } from '../../../node/probes/probe-kind';
import { DnsSettings, HttpSettings, TcpSettings, TlsSettings } from '../../../shared/model/probe';
import { startDnsmasq, type Dnsmasq } from '../../support/dnsmasq';
import { freePort } from '../../support/sshd';
import { createTestCa, daysFromNow, type TestCa } from '../../support/tls-certs';

const DAY_MS = 24 * 3600 * 1000;
const BIG_BYTES = 10 * 1024 * 1024;
const CHUNK = 64 * 1024;
/** A 1×1 PNG, as the Gemini image preset would find it in `inlineData.data`. */
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** A run context with a real clock; these kinds need no secrets or targets, so those throw. */
function context(signal: AbortSignal = new AbortController().signal): ProbeRunContext {
  const refuse = (what: string) => () => Promise.reject(new Error(`The network kinds do not use ${what}.`));
  return {
    signal,
    clock: systemClock,
    secret: refuse('secrets'),
    docker: refuse('Docker'),
    sshExec: refuse('SSH'),
    opsContext: refuse('ops-API targets'),
    previousValues: null,
  };
}

/** What the 10 MB route saw of its last response: how much it wrote, and whether it ended. */
const big = { written: 0, finished: false, closed: Promise.resolve() };
/** Requests per path (every server), so a test can see what reached a server and when. */
const arrivals = new Map<string, number>();
const waiters: { path: string; resolve: () => void }[] = [];
/** Responses held open by the hanging routes, ended in afterAll. */
const held: ServerResponse[] = [];

function arrived(path: string): Promise<void> {
  return new Promise((resolve) => waiters.push({ path, resolve }));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
  });
}

/** The routes every HTTP(S) server here serves. */
async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname;
  arrivals.set(path, (arrivals.get(path) ?? 0) + 1);
  for (const waiter of waiters.filter((w) => w.path === path)) {
    waiters.splice(waiters.indexOf(waiter), 1);
    waiter.resolve();
  }
  const redirect = /^\/redirect\/(\d+)$/.exec(path);
  if (path === '/health') {
    res.writeHead(200, { 'content-type': 'application/json', 'x-probe': 'yes', 'set-cookie': ['a=1', 'b=2'] });
    res.end(JSON.stringify({ status: 'UP', items: [1, 2] }));
  } else if (path === '/echo') {
    const body = await readBody(req);
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null, type: req.headers['content-type'] ?? null }));
  } else if (path === '/html') {
    res.writeHead(503, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<html><body>Service Unavailable</body></html>');
  } else if (redirect) {
    const left = Number(redirect[1]);
    res.writeHead(302, { location: left === 0 ? '/health' : `/redirect/${left - 1}` });
    res.end();
  } else if (path === '/see-other') {
    await readBody(req);
    res.writeHead(303, { location: '/echo' });
    res.end();
  } else if (path === '/loop') {
    res.writeHead(302, { location: '/loop' });
    res.end();
  } else if (path === '/image') {
    res.writeHead(200, { 'content-type': 'application/json' });
    const part = { inlineData: { mimeType: 'image/png', data: PNG_BASE64 } };
    res.end(JSON.stringify({ candidates: [{ content: { parts: [{ text: 'Here it is.' }, part] } }] }));
  } else if (path === '/big') {
    // Writes 10 MB as fast as the client reads it (respecting backpressure), recording how far
    // it got: a client that stops at its cap leaves most of it unwritten.
    big.written = 0;
    big.finished = false;
    big.closed = new Promise((resolve) => res.once('close', () => resolve()));
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(BIG_BYTES) });
    const chunk = Buffer.alloc(CHUNK, 0x61);
    const more = () => {
      while (big.written < BIG_BYTES && !res.destroyed) {
        big.written += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', more);
          return;
        }
      }
      if (!res.destroyed) {
        big.finished = true;
        res.end();
      }
    };
    more();
  } else if (path === '/gzip') {
    // 10 MB of one letter, about 10 KB compressed: what arrives is small, what it decodes to is not.
    res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
    res.end(gzipSync(Buffer.alloc(BIG_BYTES, 0x62)));
  } else if (path === '/hang') {
    held.push(res);
  } else if (path === '/stall') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('partial ');
    held.push(res);
  } else {
    res.writeHead(404);
    res.end();
  }
}

function listen(server: Server | TcpServer): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

let ca: TestCa;
let untrustedCa: TestCa;
const servers: (Server | TcpServer)[] = [];
const ports = { http: 0, valid: 0, expired: 0, expiring: 0, wrongHost: 0, untrusted: 0, silentTls: 0, tcp: 0, closed: 0 };
const silentSockets: Socket[] = [];
let silentServer: TcpServer;

async function httpsServer(ca: TestCa, hosts: string[], notBefore: Date, notAfter: Date): Promise<number> {
  const leaf = await ca.issue({ hosts, notBefore, notAfter });
  // The CA goes with the leaf, as real servers send their intermediates, so chain.pem has both.
  const server = createHttpsServer({ cert: leaf.cert + ca.cert, key: leaf.key }, (req, res) => void handle(req, res));
  servers.push(server);
  return listen(server);
}

beforeAll(async () => {
  ca = await createTestCa();
  untrustedCa = await createTestCa();
  addTrustedCertificates(ca.cert);
  const httpServer = createHttpServer((req, res) => void handle(req, res));
  servers.push(httpServer);
  ports.http = await listen(httpServer);
  ports.valid = await httpsServer(ca, ['localhost', '127.0.0.1'], daysFromNow(-1), daysFromNow(365));
  ports.expired = await httpsServer(ca, ['localhost'], daysFromNow(-60), daysFromNow(-30));
  ports.expiring = await httpsServer(ca, ['localhost'], daysFromNow(-1), daysFromNow(5));
  ports.wrongHost = await httpsServer(ca, ['other.test'], daysFromNow(-1), daysFromNow(365));
  ports.untrusted = await httpsServer(untrustedCa, ['localhost'], daysFromNow(-1), daysFromNow(365));
  // Accepts connections and never says a word: a TLS handshake to it never finishes.
  silentServer = createTcpServer((socket) => silentSockets.push(socket));
  servers.push(silentServer);
  ports.silentTls = await listen(silentServer);
  const tcp = createTcpServer((socket) => socket.end());
  servers.push(tcp);
  ports.tcp = await listen(tcp);
  ports.closed = await freePort();
});

afterAll(async () => {
  for (const res of held) res.destroy();
  for (const socket of silentSockets) socket.destroy();
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          if ('closeAllConnections' in server) server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
  ca?.dispose();
  untrustedCa?.dispose();
});

const http = (input: z.input<typeof HttpSettings>) => httpKind.run(HttpSettings.parse(input), context());

/** Runs `start` with a signal aborted once `trigger` resolves; returns the rejection and how long it took after the abort. */
async function abortedRun(start: (ctx: ProbeRunContext) => Promise<KindOutcome>, trigger: Promise<void>): Promise<{ error: unknown; afterAbortMs: number }> {
  const controller = new AbortController();
  const run = start(context(controller.signal));
  await trigger;
  const abortedAt = Date.now();
  controller.abort(new Error('No answer within 1 s.'));
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  );
  return { error, afterAbortMs: Date.now() - abortedAt };
}

describe('http kind', () => {
  it('reports status, body, headers, address and certificate expiry of a healthy HTTPS endpoint', async () => {
    const outcome = await http({ url: `https://localhost:${ports.valid}/health?key=abc` });
    expect(outcome.error).toBeUndefined();
    expect(outcome.values.STATUS).toBe(200);
    expect(outcome.values.CONNECTED).toBe(true);
    expect(outcome.values.IP).toBe('127.0.0.1');
    expect(JSON.parse(outcome.values.BODY as string)).toEqual({ status: 'UP', items: [1, 2] });
    const headers = outcome.values.HEADERS as Record<string, string>;
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-probe']).toBe('yes');
    expect(headers['set-cookie']).toBe('a=1, b=2');
    expect(outcome.values.RESPONSE_TIME).toBeGreaterThanOrEqual(0);
    expect(outcome.values.RESPONSE_TIME).toBeLessThan(10_000);
    const expiry = outcome.values.CERTIFICATE_EXPIRATION as number;
    expect(expiry).toBeGreaterThan(364 * DAY_MS);
    expect(expiry).toBeLessThanOrEqual(365 * DAY_MS);
    expect(outcome.metadata).toMatchObject({ status: 200, method: 'GET', contentType: 'application/json', httpVersion: '1.1', truncated: false });
    expect(outcome.metadata.bytes).toBe(Buffer.byteLength(outcome.values.BODY as string));
    expect(outcome.artifacts).toHaveLength(1);
    expect(outcome.artifacts[0]).toMatchObject({ name: 'response.json', contentType: 'application/json', truncated: false });
    expect(outcome.artifacts[0]!.data.toString()).toBe(outcome.values.BODY);
  });

  it('sends the method, headers and body, and over plain HTTP has no certificate value', async () => {
    const outcome = await http({
      url: `http://127.0.0.1:${ports.http}/echo`,
      method: 'POST',
      headers: { Authorization: 'Bearer t0ken', 'Content-Type': 'application/json' },
      body: '{"ping":1}',
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.values.STATUS).toBe(201);
    expect(JSON.parse(outcome.values.BODY as string)).toEqual({ method: 'POST', body: '{"ping":1}', auth: 'Bearer t0ken', type: 'application/json' });
    expect(outcome.values).not.toHaveProperty('CERTIFICATE_EXPIRATION');
  });

  it('follows redirects when asked, turns a 303 after a POST into a GET, and stops a loop after 10', async () => {
    const followed = await http({ url: `http://127.0.0.1:${ports.http}/redirect/3` });
    expect(followed.values.STATUS).toBe(200);
    expect(followed.metadata).toMatchObject({ redirects: 4, finalUrl: `http://127.0.0.1:${ports.http}/health` });

    const seeOther = await http({ url: `http://127.0.0.1:${ports.http}/see-other`, method: 'POST', body: 'form=1', headers: { 'Content-Type': 'text/plain' } });
    expect(JSON.parse(seeOther.values.BODY as string)).toMatchObject({ method: 'GET', body: '', type: null });

    const notFollowed = await http({ url: `http://127.0.0.1:${ports.http}/redirect/3`, followRedirects: false });
    expect(notFollowed.values.STATUS).toBe(302);
    expect((notFollowed.values.HEADERS as Record<string, string>).location).toBe('/redirect/2');

    const before = arrivals.get('/loop') ?? 0;
    const loop = await http({ url: `http://127.0.0.1:${ports.http}/loop` });
    expect(loop.error).toBe(`Stopped after 10 redirects, at 127.0.0.1:${ports.http}.`);
    expect((arrivals.get('/loop') ?? 0) - before).toBe(11);
  });

  it('keeps only bodyCap bytes of a 10 MB response and closes the connection instead of reading on', async () => {
    const cap = 256 * 1024;
    const outcome = await http({ url: `http://127.0.0.1:${ports.http}/big`, bodyCap: cap });
    expect(outcome.error).toBeUndefined();
    expect(outcome.values.STATUS).toBe(200);
    expect((outcome.values.BODY as string).length).toBe(cap);
    expect(outcome.metadata.truncated).toBe(true);
    // What the kind read: the cap plus at most the chunk that crossed it.
    expect(outcome.metadata.bytes).toBeGreaterThanOrEqual(cap);
    expect(outcome.metadata.bytes).toBeLessThanOrEqual(cap + CHUNK);
    expect(outcome.artifacts[0]).toMatchObject({ name: 'response.bin', contentType: 'application/octet-stream', truncated: true });
    expect(outcome.artifacts[0]!.data.length).toBe(cap);
    // The server saw the client go away before it could write the whole 10 MB.
    await big.closed;
    expect(big.finished).toBe(false);
    expect(big.written).toBeLessThan(BIG_BYTES);
  });

  it('decodes a gzip body it asked for and caps what it decodes to', async () => {
    const cap = 100_000;
    const outcome = await http({ url: `http://127.0.0.1:${ports.http}/gzip`, headers: { 'Accept-Encoding': 'gzip' }, bodyCap: cap });
    expect(outcome.error).toBeUndefined();
    expect(outcome.values.BODY).toBe('b'.repeat(cap));
    expect(outcome.metadata.truncated).toBe(true);
    expect(outcome.metadata.bytes).toBeLessThan(BIG_BYTES / 100);
    expect(outcome.artifacts[0]).toMatchObject({ name: 'response.txt', truncated: true });
  });

  it('makes a HEAD request without reading a body', async () => {
    const outcome = await http({ url: `https://localhost:${ports.valid}/health`, method: 'HEAD' });
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({ STATUS: 200, BODY: '', CONNECTED: true });
    expect(outcome.artifacts).toEqual([]);
  });

  it('returns a body that is not JSON as it is (judging it is the conditions\' job), and says there is no image in it', async () => {
    const outcome = await http({ url: `http://127.0.0.1:${ports.http}/html`, imageJsonPath: 'candidates[0].content.parts[0].inlineData.data' });
    expect(outcome.error).toBeUndefined();
    expect(outcome.values.STATUS).toBe(503);
    expect(outcome.values.BODY).toBe('<html><body>Service Unavailable</body></html>');
    expect(outcome.artifacts.map((a) => a.name)).toEqual(['response.html']);
    expect(outcome.metadata.image).toBe('The response is not JSON, so it holds no image.');
  });

  it('keeps the base64 image at imageJsonPath as an image artifact of its declared type', async () => {
    const outcome = await http({ url: `https://localhost:${ports.valid}/image`, imageJsonPath: 'candidates[0].content.parts[1].inlineData.data' });
    expect(outcome.error).toBeUndefined();
    const image = outcome.artifacts.find((a) => a.name === 'image.png');
    expect(image).toMatchObject({ contentType: 'image/png', truncated: false });
    expect(image!.data.equals(Buffer.from(PNG_BASE64, 'base64'))).toBe(true);

    const missing = await http({ url: `https://localhost:${ports.valid}/image`, imageJsonPath: 'candidates[0].content.parts[0].inlineData.data' });
    expect(missing.metadata.image).toBe('The response has no image at candidates[0].content.parts[0].inlineData.data.');
  });

  it('refuses an expired certificate before sending the request, saying when it expired', async () => {
    const before = arrivals.get('/echo') ?? 0;
    const outcome = await http({ url: `https://localhost:${ports.expired}/echo`, method: 'POST', headers: { Authorization: 'Bearer secret' }, body: 'x' });
    expect(outcome.error).toMatch(/^The certificate for localhost expired on \d{4}-\d{2}-\d{2}\.$/);
    expect(outcome.values.CONNECTED).toBe(false);
    expect(outcome.values.CERTIFICATE_EXPIRATION as number).toBeLessThan(-29 * DAY_MS);
    expect(arrivals.get('/echo') ?? 0).toBe(before);
  });

  it('refuses a certificate for another host, and one from an untrusted authority', async () => {
    const wrong = await http({ url: `https://localhost:${ports.wrongHost}/health` });
    expect(wrong.error).toBe('The certificate is for other.test, not localhost.');
    expect(wrong.values.CONNECTED).toBe(false);

    const untrusted = await http({ url: `https://localhost:${ports.untrusted}/health` });
    expect(untrusted.error).toBe('The certificate for localhost is not signed by a trusted authority (issuer Control Room Test CA).');
  });

  it('accepts a certificate expiring in 5 days and reports the time left', async () => {
    const outcome = await http({ url: `https://localhost:${ports.expiring}/health` });
    expect(outcome.error).toBeUndefined();
    expect(outcome.values.STATUS).toBe(200);
    const left = outcome.values.CERTIFICATE_EXPIRATION as number;
    expect(left).toBeGreaterThan(4.9 * DAY_MS);
    expect(left).toBeLessThanOrEqual(5 * DAY_MS);
  });

  it('says so when the name does not resolve or the port refuses', async () => {
    const unresolved = await http({ url: 'https://no-such-host.invalid/health' });
    expect(unresolved.error).toBe('The name no-such-host.invalid could not be resolved (DNS has no such host).');
    expect(unresolved.values.CONNECTED).toBe(false);

    const refused = await http({ url: `http://127.0.0.1:${ports.closed}/health` });
    expect(refused.error).toBe(`The connection to 127.0.0.1:${ports.closed} was refused.`);
    expect(refused.values.CONNECTED).toBe(false);
  });

  it('ends promptly with the signal\'s reason when a server never answers, or stalls mid-body', async () => {
    const settings = HttpSettings.parse({ url: `http://127.0.0.1:${ports.http}/hang` });
    const hang = await abortedRun((ctx) => httpKind.run(settings, ctx), arrived('/hang'));
    expect(hang.error).toBeInstanceOf(Error);
    expect((hang.error as Error).message).toBe('No answer within 1 s.');
    expect(hang.afterAbortMs).toBeLessThan(1000);

    const stallSettings = HttpSettings.parse({ url: `https://localhost:${ports.valid}/stall` });
    const stall = await abortedRun((ctx) => httpKind.run(stallSettings, ctx), arrived('/stall'));
    expect((stall.error as Error).message).toBe('No answer within 1 s.');
    expect(stall.afterAbortMs).toBeLessThan(1000);
  });
});

describe('tls kind', () => {
  const tls = (input: z.input<typeof TlsSettings>) => tlsKind.run(TlsSettings.parse(input), context());

  it('reports a valid chain, a matching host, the time left and the chain as PEM', async () => {
    const outcome = await tls({ host: 'localhost', port: ports.valid });
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({ CONNECTED: true, CHAIN_VALID: true, HOSTNAME_MATCH: true, DAYS_LEFT: 364, IP: '127.0.0.1' });
    expect(outcome.values.CERTIFICATE_EXPIRATION as number).toBeGreaterThan(364 * DAY_MS);
    expect(outcome.metadata).toMatchObject({ subject: 'CN=localhost', issuer: 'CN=Control Room Test CA', authorizationError: null, problem: null });
    expect(Date.parse(outcome.metadata.validTo as string)).toBeGreaterThan(Date.now() + 364 * DAY_MS);
    const [artifact] = outcome.artifacts;
    expect(artifact).toMatchObject({ name: 'chain.pem', contentType: 'application/x-pem-file', truncated: false });
    const pems = artifact!.data.toString().match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    expect(pems.map((pem) => new X509Certificate(pem).subject)).toEqual(['CN=localhost', 'CN=Control Room Test CA']);
  });

  it('connects to an expired certificate and says it is expired', async () => {
    const outcome = await tls({ host: 'localhost', port: ports.expired });
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({ CONNECTED: true, CHAIN_VALID: false, HOSTNAME_MATCH: true });
    expect(outcome.values.DAYS_LEFT as number).toBeLessThanOrEqual(-30);
    expect(outcome.values.CERTIFICATE_EXPIRATION as number).toBeLessThan(0);
    expect(outcome.metadata.authorizationError).toBe('CERT_HAS_EXPIRED');
    expect(outcome.metadata.problem).toMatch(/^The certificate for localhost expired on \d{4}-\d{2}-\d{2}\.$/);
  });

  it('reports a certificate expiring in 5 days as valid with 4 whole days left', async () => {
    const outcome = await tls({ host: 'localhost', port: ports.expiring });
    expect(outcome.values).toMatchObject({ CHAIN_VALID: true, HOSTNAME_MATCH: true, DAYS_LEFT: 4 });
    expect(outcome.metadata.problem).toBeNull();
  });

  it('reports a certificate for another host as a valid chain that does not match, unless that name is asked for', async () => {
    const outcome = await tls({ host: 'localhost', port: ports.wrongHost });
    expect(outcome.values).toMatchObject({ CHAIN_VALID: true, HOSTNAME_MATCH: false });
    expect(outcome.metadata.problem).toBe('The certificate is for other.test, not localhost.');
    expect(outcome.metadata.authorizationError).toBe('ERR_TLS_CERT_ALTNAME_INVALID');

    const asked = await tls({ host: '127.0.0.1', port: ports.wrongHost, serverName: 'other.test' });
    expect(asked.values).toMatchObject({ CHAIN_VALID: true, HOSTNAME_MATCH: true });
  });

  it('reports a chain from an untrusted authority as invalid', async () => {
    const outcome = await tls({ host: 'localhost', port: ports.untrusted });
    expect(outcome.values).toMatchObject({ CONNECTED: true, CHAIN_VALID: false, HOSTNAME_MATCH: true });
    expect(outcome.metadata.authorizationError).toBe('SELF_SIGNED_CERT_IN_CHAIN');
    expect(outcome.metadata.problem).toBe('The certificate for localhost is not signed by a trusted authority (issuer Control Room Test CA).');
  });

  it('fails a refused port, and ends promptly when the handshake never comes', async () => {
    const refused = await tls({ host: '127.0.0.1', port: ports.closed });
    expect(refused.error).toBe(`The connection to 127.0.0.1:${ports.closed} was refused.`);
    expect(refused.values.CONNECTED).toBe(false);

    const settings = TlsSettings.parse({ host: '127.0.0.1', port: ports.silentTls });
    const accepted = new Promise<void>((resolve) => silentServer.once('connection', () => resolve()));
    const silent = await abortedRun((ctx) => tlsKind.run(settings, ctx), accepted);
    expect((silent.error as Error).message).toBe('No answer within 1 s.');
    expect(silent.afterAbortMs).toBeLessThan(1000);
  });
});

describe('tcp kind', () => {
  it('connects and reports the time and address', async () => {
    const outcome = await tcpKind.run(TcpSettings.parse({ host: 'localhost', port: ports.tcp }), context());
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({ CONNECTED: true, IP: '127.0.0.1' });
    expect(outcome.values.RESPONSE_TIME).toBeGreaterThanOrEqual(0);
  });

  it('says a refused port was refused', async () => {
    const outcome = await tcpKind.run(TcpSettings.parse({ host: '127.0.0.1', port: ports.closed }), context());
    expect(outcome.error).toBe(`The connection to 127.0.0.1:${ports.closed} was refused.`);
    expect(outcome.values.CONNECTED).toBe(false);
  });

  it('does not start when the signal has already fired', async () => {
    const controller = new AbortController();
    controller.abort(new Error('No answer within 1 s.'));
    await expect(tcpKind.run(TcpSettings.parse({ host: '127.0.0.1', port: ports.tcp }), context(controller.signal))).rejects.toThrow('No answer within 1 s.');
  });
});

describe('dns kind', () => {
  let dnsmasq: Dnsmasq;
  const dns = (input: Omit<z.input<typeof DnsSettings>, 'server'>) => dnsKind.run(DnsSettings.parse({ ...input, server: dnsmasq.server }), context());

  beforeAll(async () => {
    dnsmasq = await startDnsmasq({
      localDomains: ['test'],
      addresses: { 'ok.test': '10.1.2.3' },
      hostRecords: { 'v4only.test': '10.1.2.4' },
      txt: { 'txt.test': 'v=spf1 -all' },
      mx: [['mail.test', 'mx.ok.test', 10]],
    });
  });

  afterAll(async () => {
    await dnsmasq?.stop();
  });

  it('answers an A query with NOERROR, the address as BODY and the answer as JSON', async () => {
    const outcome = await dns({ name: 'ok.test', type: 'A' });
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({ DNS_RCODE: 'NOERROR', BODY: '10.1.2.3', ANSWERS: ['10.1.2.3'] });
    expect(outcome.values.RESPONSE_TIME).toBeGreaterThanOrEqual(0);
    expect(outcome.artifacts[0]).toMatchObject({ name: 'answer.json', contentType: 'application/json', truncated: false });
    expect(JSON.parse(outcome.artifacts[0]!.data.toString())).toEqual({
      name: 'ok.test',
      type: 'A',
      server: dnsmasq.server,
      rcode: 'NOERROR',
      answers: ['10.1.2.3'],
    });
  });

  it('renders TXT and MX answers as text', async () => {
    const txt = await dns({ name: 'txt.test', type: 'TXT' });
    expect(txt.values).toMatchObject({ DNS_RCODE: 'NOERROR', BODY: 'v=spf1 -all', ANSWERS: ['v=spf1 -all'] });
    const mx = await dns({ name: 'mail.test', type: 'MX' });
    expect(mx.values).toMatchObject({ DNS_RCODE: 'NOERROR', BODY: '10 mx.ok.test' });
  });

  it('reports NXDOMAIN, an empty NOERROR and REFUSED as answers, not errors', async () => {
    const nx = await dns({ name: 'missing.test', type: 'A' });
    expect(nx.error).toBeUndefined();
    expect(nx.values).toMatchObject({ DNS_RCODE: 'NXDOMAIN', BODY: '', ANSWERS: [] });

    const empty = await dns({ name: 'v4only.test', type: 'AAAA' });
    expect(empty.values).toMatchObject({ DNS_RCODE: 'NOERROR', BODY: '', ANSWERS: [] });

    // dnsmasq has no upstream, so a name outside its local domains is refused.
    const refused = await dns({ name: 'example.com', type: 'A' });
    expect(refused.values).toMatchObject({ DNS_RCODE: 'REFUSED', ANSWERS: [] });
  });

  it('ends promptly with the signal\'s reason when the server never answers', async () => {
    const silent: UdpSocket = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', () => resolve()));
    const queried = new Promise<void>((resolve) => silent.once('message', () => resolve()));
    const settings = DnsSettings.parse({ server: `127.0.0.1:${silent.address().port}`, name: 'ok.test' });
    const result = await abortedRun((ctx) => dnsKind.run(settings, ctx), queried);
    silent.close();
    expect((result.error as Error).message).toBe('No answer within 1 s.');
    expect(result.afterAbortMs).toBeLessThan(1000);
  });

  it('says the server did not answer once it is stopped', async () => {
    const server = dnsmasq.server;
    await dnsmasq.stop();
    const outcome = await dnsKind.run(DnsSettings.parse({ server, name: 'ok.test' }), context());
    expect(outcome.error).toBe(`The DNS server ${server} did not answer.`);
    expect(outcome.values).not.toHaveProperty('DNS_RCODE');
  });
});
