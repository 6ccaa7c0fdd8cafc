import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApi, NO_PLATFORM_MESSAGE } from '../../../main/api';
import { createServices, type Services } from '../../../main/services';
import { MemoryCredentialBackend } from '../../../main/services/credentials/credential-backend';
import { startHost, type Host } from '../../../main/host/host-server';
import { MAX_SUBSCRIPTIONS_PER_PAGE, TOO_MANY_SUBSCRIPTIONS_MESSAGE } from '../../../main/transport/subscription-limits';
import type { Reply, ServerFrame } from '../../../shared/transport';

let services: Services;
let host: Host;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cr-host-'));
  const staticDir = join(dir, 'renderer');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Control Room</title>');
  writeFileSync(join(dir, 'secret.txt'), 'outside the renderer folder');
  services = createServices({ dataDir: join(dir, 'data'), credentials: new MemoryCredentialBackend() });
  host = await startHost({ api: createApi(services, { version: 'test', mode: 'browser' }, () => {}), staticDir });
});

afterAll(async () => {
  await host.close();
  services.close();
  rmSync(dir, { recursive: true, force: true });
});

const origin = () => `http://127.0.0.1:${host.port}`;
const wsUrl = (token = host.token) => `ws://127.0.0.1:${host.port}/ws?token=${encodeURIComponent(token)}`;

/** Resolves with the HTTP status of a refused upgrade, or 101 when the socket opened. */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { Origin: origin(), ...headers } });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', (error) => reject(error));
  });
}

function open(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(), { origin: origin() });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function nextFrame(ws: WebSocket): Promise<ServerFrame> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(data.toString()) as ServerFrame)));
}

function closeCode(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

function httpGet(path: string, hostHeader?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, headers: hostHeader ? { Host: hostHeader } : {} }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('browser-mode host: who may connect', () => {
  it('listens on loopback only and prints a URL carrying the token in its fragment', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(32);
  });

  it('accepts the right token from its own origin', async () => {
    expect(await upgradeStatus(wsUrl())).toBe(101);
  });

  it('refuses a missing or wrong token', async () => {
    expect(await upgradeStatus(`ws://127.0.0.1:${host.port}/ws`)).toBe(401);
    expect(await upgradeStatus(wsUrl('x'.repeat(host.token.length)))).toBe(401);
    expect(await upgradeStatus(wsUrl(host.token.slice(0, -1)))).toBe(401);
  });

  it('refuses a foreign Origin even with the right token', async () => {
    expect(await upgradeStatus(wsUrl(), { Origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(wsUrl(), { Origin: 'null' })).toBe(403);
  });

  it('refuses a rebinding Host header', async () => {
    expect(await upgradeStatus(wsUrl(), { Host: `evil.example:${host.port}`, Origin: `http://evil.example:${host.port}` })).toBe(403);
    expect((await httpGet('/', `evil.example:${host.port}`)).status).toBe(403);
  });
});

describe('browser-mode host: frames', () => {
  it('answers a valid request and rejects an invalid payload with a typed error', async () => {
    const ws = await open();
    ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'app:info', payload: {} }));
    const info = await nextFrame(ws);
    expect(info).toMatchObject({ type: 'reply', id: 1, reply: { ok: true, value: { version: 'test', mode: 'browser' } } });

    ws.send(JSON.stringify({ type: 'invoke', id: 2, channel: 'targets:create', payload: { name: '', kind: 'ops-api' } }));
    const invalid = await nextFrame(ws);
    expect(invalid).toMatchObject({ type: 'reply', id: 2, reply: { ok: false, error: { code: 'invalid-request' } } });
    ws.close();
  });

  it('closes a connection that sends a malformed frame, and keeps serving others', async () => {
    for (const bad of ['not json', JSON.stringify({ type: 'invoke', id: 'one' }), JSON.stringify({ type: 'launch-missiles', id: 1 }), '[]']) {
      const ws = await open();
      const closed = closeCode(ws);
      ws.send(bad);
      expect(await closed).toBe(1008);
    }
    const binary = await open();
    const closed = closeCode(binary);
    binary.send(Buffer.from([1, 2, 3]));
    expect(await closed).toBe(1008);

    const healthy = await open();
    healthy.send(JSON.stringify({ type: 'invoke', id: 9, channel: 'targets:list', payload: {} }));
    expect(await nextFrame(healthy)).toMatchObject({ id: 9, reply: { ok: true, value: [] } });
    healthy.close();
  });

  it('closes a connection that sends an oversized frame', async () => {
    const ws = await open();
    const closed = closeCode(ws);
    ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'targets:list', payload: { pad: 'x'.repeat(2 << 20) } }));
    expect(await closed).toBe(1009);
    expect(await upgradeStatus(wsUrl())).toBe(101);
  });

  it('delivers stream events to a subscriber and stops after unsubscribe', async () => {
    const ws = await open();
    const frames: ServerFrame[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as ServerFrame));
    ws.send(JSON.stringify({ type: 'subscribe', id: 5, stream: 'targets:changed', params: {} }));
    await expect.poll(() => frames.find((f) => f.type === 'reply' && f.id === 5)).toBeTruthy();

    await services.targets.create({
      name: 'staging api',
      environment: 'staging',
      kind: 'ops-api',
      settings: { baseUrl: 'https://ops.example.com' },
      secrets: { apiToken: 'tok-123' },
    });
    await expect.poll(() => frames.filter((f) => f.type === 'event').length).toBe(1);
    const event = frames.find((f) => f.type === 'event') as Extract<ServerFrame, { type: 'event' }>;
    expect(event.id).toBe(5);
    expect(JSON.stringify(event)).toContain('staging api');
    expect(JSON.stringify(event)).not.toContain('tok-123');

    ws.send(JSON.stringify({ type: 'unsubscribe', id: 5 }));
    ws.send(JSON.stringify({ type: 'invoke', id: 6, channel: 'targets:list', payload: {} }));
    await expect.poll(() => frames.some((f) => f.type === 'reply' && f.id === 6)).toBe(true);
    const target = services.targets.list()[0]!;
    await services.targets.delete(target.id);
    await new Promise((r) => setTimeout(r, 100));
    expect(frames.filter((f) => f.type === 'event').length).toBe(1);
    ws.close();
  });

  it('refuses an unknown stream with a typed error', async () => {
    const ws = await open();
    ws.send(JSON.stringify({ type: 'subscribe', id: 1, stream: 'secrets:dump', params: {} }));
    expect(await nextFrame(ws)).toMatchObject({ reply: { ok: false, error: { code: 'unknown-channel' } } });
    ws.close();
  });
});

describe('browser-mode host: subscriptions per connection', () => {
  it('refuses subscriptions past the cap with the IPC reply, and keeps the live ones at the cap', async () => {
    const ws = await open();
    const replies = new Map<number, Reply>();
    const eventsById = new Map<number, number>();
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      if (frame.type === 'reply') replies.set(frame.id, frame.reply);
      else eventsById.set(frame.id, (eventsById.get(frame.id) ?? 0) + 1);
    });
    const subscribe = (id: number) => ws.send(JSON.stringify({ type: 'subscribe', id, stream: 'targets:changed', params: {} }));

    // One burst, every frame sent before any reply, as a leaking or hostile page would.
    const extra = 25;
    for (let id = 1; id <= MAX_SUBSCRIPTIONS_PER_PAGE + extra; id++) subscribe(id);
    await expect.poll(() => replies.size, { timeout: 20_000 }).toBe(MAX_SUBSCRIPTIONS_PER_PAGE + extra);
    const refused = [...replies.entries()].filter(([, reply]) => !reply.ok);
    expect(refused).toHaveLength(extra);
    for (const [, reply] of refused)
      expect(reply).toEqual({ ok: false, error: { code: 'invalid-request', message: TOO_MANY_SUBSCRIPTIONS_MESSAGE } });

    // Exactly the accepted ones are live: one change reaches each of them once, and no other.
    const created = await services.targets.create({
      name: 'cap check',
      environment: 'dev',
      kind: 'ops-api',
      settings: { baseUrl: 'https://ops.example.com' },
      secrets: { apiToken: 'tok-cap' },
    });
    await expect.poll(() => eventsById.size, { timeout: 20_000 }).toBe(MAX_SUBSCRIPTIONS_PER_PAGE);
    const accepted = [...replies.entries()].filter(([, reply]) => reply.ok).map(([id]) => id);
    expect([...eventsById.keys()].sort((a, b) => a - b)).toEqual(accepted.sort((a, b) => a - b));
    expect([...eventsById.values()].every((count) => count === 1)).toBe(true);

    // The cap is on live subscriptions: end one and one more fits, but no second.
    ws.send(JSON.stringify({ type: 'unsubscribe', id: accepted[0] }));
    replies.clear();
    subscribe(90_001);
    subscribe(90_002);
    await expect.poll(() => replies.size).toBe(2);
    expect(replies.get(90_001)).toEqual({ ok: true, value: null });
    expect(replies.get(90_002)).toMatchObject({ ok: false, error: { message: TOO_MANY_SUBSCRIPTIONS_MESSAGE } });
    // Re-using a live id replaces it instead of growing.
    replies.clear();
    subscribe(accepted[1]!);
    await expect.poll(() => replies.get(accepted[1]!)).toEqual({ ok: true, value: null });

    await services.targets.delete(created.id);
    ws.close();
  });
});

describe('browser-mode host: platform channels', () => {
  it('answers platform:* with a clear error: in a browser the page uses its own web APIs', async () => {
    const ws = await open();
    ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'platform:copyText', payload: { text: 'x' } }));
    expect(await nextFrame(ws)).toEqual({
      type: 'reply',
      id: 1,
      reply: { ok: false, error: { code: 'unknown-channel', message: NO_PLATFORM_MESSAGE } },
    });
    ws.close();
  });
});

describe('browser-mode host: static files', () => {
  it('serves the renderer with a strict CSP starting from default-src none', async () => {
    const page = await httpGet('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Control Room');
    const csp = String(page.headers['content-security-policy']);
    expect(csp.startsWith("default-src 'none'")).toBe(true);
    expect(csp).toContain(`connect-src ws://127.0.0.1:${host.port}`);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });

  it('never serves a file outside the renderer folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%00']) {
      const res = await httpGet(path);
      expect(res.status, path).not.toBe(200);
      expect(res.body).not.toContain('outside the renderer folder');
    }
  });
});
