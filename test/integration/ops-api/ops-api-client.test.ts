/**
 * The ops API client against misbehaving servers. The server here is a deliberately broken
 * stand-in for "a product's own ops API" (the happy path runs against the real agent in the
 * agent's tests): every failure must become one clear sentence, never a crash or a hang.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { OpsApiClient } from '../../../main/services/ops-api/ops-api-client';
import type { ConnectionState } from '../../../shared/model/connection';
import type { OpsEvent } from '../../../shared/model/ops';
import { isAbort } from '../../../node/abort';
import { FakeClock } from '../../support/fake-clock';
import { waitFor } from '../../support/keyring';
import { freePort } from '../../support/sshd';

let server: Server;
let wss: WebSocketServer;
let base: string;
const seenAuth: string[] = [];
let route: (path: string) => { status: number; body: string; headers?: Record<string, string> } | 'hang';

beforeAll(async () => {
  server = createServer((req, res) => {
    seenAuth.push(req.headers.authorization ?? '');
    const answer = route(new URL(req.url!, 'http://x').pathname);
    if (answer === 'hang') return; // never answers
    res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
    res.end(answer.body);
  });
  wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (req.headers.authorization !== 'Bearer good-token') {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  wss.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const client = (token: string | null = 'good-token', baseUrl = base) =>
  new OpsApiClient({ baseUrl, token: async () => token, timeoutMs: 1_500, backoff: { initialMs: 100, maxMs: 300 } });

describe('ops API client: replies it cannot use', () => {
  it('sends the token as a bearer header', async () => {
    route = () => ({ status: 200, body: JSON.stringify({ errors: [] }) });
    await client().frontendLogs({ since: '5m' });
    expect(seenAuth.at(-1)).toBe('Bearer good-token');
  });

  it('names the field when a reply has the wrong shape', async () => {
    route = () => ({ status: 200, body: JSON.stringify({ generatedAt: 'now', host: { ok: true } }) });
    await expect(client().context()).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringMatching(/answered \/api\/ops\/context in a shape Control Room does not understand \(host/),
    });
  });

  it('says so when the reply is not JSON (a web page at the base URL, say)', async () => {
    route = () => ({ status: 200, body: '<!doctype html><title>Shop</title>', headers: { 'Content-Type': 'text/html' } });
    await expect(client().context()).rejects.toThrow(/is not JSON — is the base URL an ops API\?/);
  });

  it('turns 401 and 403 into what to do about the token', async () => {
    route = () => ({ status: 401, body: JSON.stringify({ error: 'no', statusCode: 401 }) });
    await expect(client().context()).rejects.toMatchObject({ code: 'unauthorized', message: expect.stringContaining('set a valid API token') });
    route = () => ({ status: 403, body: JSON.stringify({ error: 'no', statusCode: 403 }) });
    await expect(client().supportBundle()).rejects.toMatchObject({ code: 'unauthorized', message: expect.stringContaining('admin scope') });
  });

  it("passes on the server's own one-sentence error", async () => {
    route = () => ({ status: 404, body: JSON.stringify({ error: 'No service called "nope" — known: backend, frontend.', statusCode: 404 }) });
    await expect(client().logs({ service: 'nope' })).rejects.toMatchObject({ code: 'not-found', message: expect.stringContaining('No service called "nope"') });
  });

  it('gives up on a server that never answers, in its timeout', async () => {
    route = () => 'hang';
    const started = Date.now();
    await expect(client().context()).rejects.toMatchObject({ code: 'unreachable', message: expect.stringContaining('no answer in time') });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('gives up when the fake clock passes the timeout, not before', async () => {
    route = () => 'hang';
    const clock = new FakeClock();
    const hanging = new OpsApiClient({ baseUrl: base, token: async () => 'good-token', timeoutMs: 60_000, clock });
    const asked = seenAuth.length;
    const reply = hanging.context();
    await waitFor(() => seenAuth.length > asked, 5_000, 'the request reached the server');
    expect(clock.pendingDelays).toEqual([60_000]);
    let settled = false;
    reply.catch(() => undefined).finally(() => (settled = true));
    await clock.advanceAsync(59_999);
    expect(settled).toBe(false);
    clock.advance(1);
    await expect(reply).rejects.toMatchObject({ code: 'unreachable', message: expect.stringContaining('no answer in time') });
    expect(clock.pending).toBe(0);
  });

  it('stops a request at once when its signal aborts, with an AbortError that says what was cancelled', async () => {
    route = () => 'hang';
    const controller = new AbortController();
    const asked = seenAuth.length;
    // A long timeout: only the abort can end this request within the test.
    const reply = new OpsApiClient({ baseUrl: base, token: async () => 'good-token', timeoutMs: 600_000 }).logs(
      { service: 'api' },
      { signal: controller.signal },
    );
    await waitFor(() => seenAuth.length > asked, 5_000, 'the request reached the server');
    const started = Date.now();
    controller.abort();
    const error = await reply.then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(isAbort(error)).toBe(true);
    expect(error?.message).toMatch(/^The request for \/api\/ops\/logs to the ops API at 127\.0\.0\.1:\d+ was cancelled\.$/);
  });

  it('aborts every request of a client when the signal it was made with fires (the service closing)', async () => {
    route = () => 'hang';
    const lifetime = new AbortController();
    const owned = new OpsApiClient({ baseUrl: base, token: async () => 'good-token', timeoutMs: 600_000, signal: lifetime.signal });
    const asked = seenAuth.length;
    const replies = [owned.context(), owned.frontendLogs({})].map((p) => p.then(() => null, (e: unknown) => e as Error));
    await waitFor(() => seenAuth.length >= asked + 2, 5_000, 'both requests reached the server');
    lifetime.abort(new Error('the ops API service was closed'));
    for (const error of await Promise.all(replies)) {
      expect(isAbort(error)).toBe(true);
      expect(error?.message).toMatch(/was cancelled \(the ops API service was closed\)\.$/);
    }
    // An already-aborted signal refuses at once, without a request.
    const before = seenAuth.length;
    await expect(owned.context()).rejects.toMatchObject({ name: 'AbortError' });
    expect(seenAuth.length).toBe(before);
  });

  it('reports a refused connection as unreachable', async () => {
    const port = await freePort();
    await expect(client('t', `http://127.0.0.1:${port}`).context()).rejects.toMatchObject({
      code: 'unreachable',
      message: expect.stringContaining('connection refused'),
    });
  });

  it('refuses a support bundle that is not gzipped JSON', async () => {
    route = () => ({ status: 200, body: 'not gzip', headers: { 'Content-Type': 'application/gzip' } });
    await expect(client().supportBundle()).rejects.toThrow(/not gzipped JSON/);
  });

  it('does not follow redirects (a token must not travel to another host)', async () => {
    route = () => ({ status: 302, body: '', headers: { Location: 'http://example.invalid/steal' } });
    await expect(client().context()).rejects.toMatchObject({ code: 'unreachable' });
  });
});

describe('ops API client: the events stream', () => {
  it('delivers events, skips malformed ones, and reconnects after a drop', async () => {
    const events: OpsEvent[] = [];
    const states: ConnectionState[] = [];
    const sockets: WebSocket[] = [];
    wss.on('connection', (ws) => sockets.push(ws));
    const stop = client().events((e) => events.push(e), (s) => states.push(s));
    try {
      await waitFor(() => sockets.length === 1 && states.at(-1)?.status === 'connected', 5_000, 'never connected');
      sockets[0]!.send('{not json');
      sockets[0]!.send(JSON.stringify({ type: 'mystery' }));
      sockets[0]!.send(JSON.stringify({ type: 'container', at: new Date().toISOString(), action: 'restart', container: 'shop-backend-1', service: 'backend' }));
      await waitFor(() => events.length === 1, 5_000, 'the valid event never arrived');
      expect(events[0]).toMatchObject({ type: 'container', action: 'restart' });

      sockets[0]!.terminate();
      await waitFor(() => states.some((s) => s.status === 'reconnecting'), 5_000, 'no reconnecting state');
      await waitFor(() => sockets.length === 2 && states.at(-1)?.status === 'connected', 5_000, 'never reconnected');
    } finally {
      stop();
      wss.removeAllListeners('connection');
    }
  });

  it('waits exactly the backoff on the clock before reconnecting', async () => {
    const clock = new FakeClock();
    const states: ConnectionState[] = [];
    const sockets: WebSocket[] = [];
    wss.on('connection', (ws) => sockets.push(ws));
    // random() = 1: the longest delay of each step, so the waits are exact.
    const stop = new OpsApiClient({
      baseUrl: base,
      token: async () => 'good-token',
      backoff: { initialMs: 1_000, maxMs: 8_000, random: () => 1 },
      clock,
    }).events(() => undefined, (s) => states.push(s));
    try {
      await waitFor(() => sockets.length === 1 && states.at(-1)?.status === 'connected', 5_000, 'never connected');
      sockets[0]!.terminate();
      await waitFor(() => states.at(-1)?.status === 'reconnecting', 5_000, 'no reconnecting state');
      expect(states.at(-1)).toEqual({
        status: 'reconnecting',
        at: new Date(clock.now() + 1_000).toISOString(),
        attempt: 1,
        reason: 'the events stream closed',
      });
      expect(clock.pendingDelays).toEqual([1_000]);
      expect(clock.advance(999)).toBe(0);
      expect(states.at(-1)?.status).toBe('reconnecting');
      expect(clock.advance(1)).toBe(1);
      await waitFor(() => sockets.length === 2 && states.at(-1)?.status === 'connected', 5_000, 'never reconnected');
    } finally {
      stop();
      wss.removeAllListeners('connection');
    }
    expect(clock.pending).toBe(0);
  });

  it('stops with a clear reason when the token is refused, instead of retrying forever', async () => {
    const states: ConnectionState[] = [];
    const stop = client('bad-token').events(() => undefined, (s) => states.push(s));
    try {
      await waitFor(() => states.at(-1)?.status === 'failed', 5_000, 'never failed');
      expect(states.at(-1)).toMatchObject({ code: 'auth', reason: expect.stringContaining('refused the token') });
    } finally {
      stop();
    }
  });
});
