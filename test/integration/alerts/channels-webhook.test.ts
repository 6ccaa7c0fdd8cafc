/**
 * Webhook, Slack and Discord channels against a real local HTTP server, secrets in a real
 * keychain: retries with exact backoff waits on a fake clock (500, 500, then 200), a 400 not
 * retried, a server that never answers timed out per attempt and finally reported as failed with
 * one sentence, the bodies Slack and Discord expect, and the URL and token never in the error.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { CHANNEL_OFF_MESSAGE, ChannelsService } from '../../../main/services/alerts/channels/channels-service';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import { openDatabase } from '../../../main/services/store/database';
import type { Db } from '../../../main/services/store/database';
import type { AlertMessage } from '../../../shared/model/alert-message';
import type { ChannelDraftInput } from '../../../shared/model/channels';
import { ChannelDraft } from '../../../shared/model/channels';
import { FakeClock } from '../../support/fake-clock';
import { startKeyring, waitFor, type Keyring } from '../../support/keyring';

const SERVICE = `control-room-test-${randomUUID()}`;
const TOKEN = 'whk-token-7f3a9c2e1b';
const TIMEOUT_MS = 5_000;

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

let keyring: Keyring;
let server: Server;
let base: string;
let dataDir: string;
let db: Db;
let clock: FakeClock;
let channels: ChannelsService;
/** What each path answers, in order; `hang` never answers. */
const script = new Map<string, (number | 'hang')[]>();
const received: Received[] = [];

const message: AlertMessage = {
  kind: 'alert',
  probe: { id: 'p-1', name: 'GitHub API', scope: 'github', provider: null, check: 'api' },
  status: 'fail',
  summary: 'GitHub API is failing',
  detail: 'HTTP 503 from api.github.com',
  failedConditions: [{ expression: '[STATUS] == 200', observed: '503' }],
  at: '2024-05-01T10:00:00.000Z',
  target: { name: 'prod-eu', environment: 'prod' },
};

beforeAll(async () => {
  keyring = await startKeyring();
  keyring.useInThisProcess();
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(text || 'null') });
      const next = script.get(req.url ?? '')?.shift() ?? 200;
      if (next === 'hang') return;
      res.writeHead(next, { 'content-type': 'text/plain' }).end(next === 400 ? 'invalid payload' : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dataDir = mkdtempSync(join(tmpdir(), 'cr-channels-'));
  db = openDatabase(join(dataDir, 'control-room.db'));
}, 30_000);

beforeEach(() => {
  clock = new FakeClock();
  channels = new ChannelsService(db, new KeytarBackend(SERVICE), clock, {
    retry: { attempts: 3, timeoutMs: TIMEOUT_MS, backoff: { initialMs: 1_000, maxMs: 30_000, random: () => 1 } },
  });
  received.length = 0;
  script.clear();
});

afterAll(async () => {
  db?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  await keyring?.stop();
});

async function hook(kind: 'webhook' | 'slack' | 'discord', path: string, token?: string) {
  const draft: ChannelDraftInput = { name: `${kind} ${randomUUID().slice(0, 8)}`, kind, settings: {}, secrets: { url: `${base}${path}`, ...(token ? { token } : {}) } };
  return channels.create(ChannelDraft.parse(draft));
}

/** Waits for the next backoff wait (any timer but an attempt's timeout), returns it and lets it pass. */
async function passBackoff(): Promise<number> {
  const ms = await clock.nextTimer((delay) => delay !== TIMEOUT_MS);
  await clock.advanceAsync(ms);
  return ms;
}

it('retries a 500 twice with backoff waits of 1 s then 2 s, and the third attempt delivers', async () => {
  const channel = await hook('webhook', '/flaky', TOKEN);
  script.set('/flaky', [500, 500, 200]);
  const outcome = channels.deliver(channel.id, message);
  const waits = [await passBackoff(), await passBackoff()];
  expect(waits).toEqual([1_000, 2_000]);
  expect(await outcome).toEqual({ channelId: channel.id, ok: true, attempts: 3, status: 200, error: null });
  expect(received).toHaveLength(3);
  expect(received[2]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  expect(received[2]!.headers['content-type']).toBe('application/json');
  expect(received[2]!.body).toEqual({ version: 1, source: 'control-room', ...message });
});

it('retries a 429 (too many requests) like a 5xx', async () => {
  const channel = await hook('webhook', '/busy');
  script.set('/busy', [429, 200]);
  const outcome = channels.deliver(channel.id, message);
  expect(await passBackoff()).toBe(1_000);
  expect(await outcome).toMatchObject({ ok: true, attempts: 2, status: 200 });
});

it('stops at once when the caller aborts during a backoff wait, and says it was canceled', async () => {
  const channel = await hook('webhook', '/down');
  script.set('/down', [503, 503, 503]);
  const controller = new AbortController();
  const outcome = channels.deliver(channel.id, message, controller.signal);
  await clock.nextTimer((ms) => ms !== TIMEOUT_MS);
  controller.abort();
  expect(await outcome).toMatchObject({ ok: false, attempts: 1, status: 503, error: 'The delivery was canceled before it could be retried.' });
  expect(clock.pending).toBe(0);
  expect(received).toHaveLength(1);
});

it('delivers nothing to a channel that is turned off, but its test still goes out', async () => {
  const channel = await hook('webhook', '/off');
  await channels.update(channel.id, ChannelDraft.parse({ name: channel.name, kind: 'webhook', enabled: false, settings: {} }));
  expect(await channels.deliver(channel.id, message)).toEqual({ channelId: channel.id, ok: false, attempts: 0, status: null, error: CHANNEL_OFF_MESSAGE });
  expect(received).toHaveLength(0);
  expect(await channels.test(channel.id)).toMatchObject({ ok: true, attempts: 1 });
  expect(received).toHaveLength(1);
});

it('does not retry a 400, and says what the server answered', async () => {
  const channel = await hook('webhook', '/bad');
  script.set('/bad', [400]);
  const outcome = await channels.deliver(channel.id, message);
  expect(outcome).toMatchObject({ ok: false, attempts: 1, status: 400 });
  expect(outcome.error).toBe("The server answered 400 Bad Request: invalid payload (after 1 attempt) — check the channel's settings and send a test.");
  expect(received).toHaveLength(1);
  expect(clock.pending).toBe(0);
});

it('times out a server that never answers on every attempt, then reports the failure with one sentence', async () => {
  const channel = await hook('webhook', `/hang/${TOKEN}`, TOKEN);
  script.set(`/hang/${TOKEN}`, ['hang', 'hang', 'hang']);
  const outcome = channels.deliver(channel.id, message);
  for (let attempt = 1; attempt <= 3; attempt++) {
    await waitFor(() => received.length === attempt, 5_000, `attempt ${attempt} did not reach the server`);
    expect(await clock.nextTimer((ms) => ms === TIMEOUT_MS)).toBe(TIMEOUT_MS);
    await clock.advanceAsync(TIMEOUT_MS);
    if (attempt < 3) expect(await passBackoff()).toBe(attempt === 1 ? 1_000 : 2_000);
  }
  const result = await outcome;
  expect(result).toMatchObject({ channelId: channel.id, ok: false, attempts: 3, status: null });
  expect(result.error).toBe("No answer within 5 s (after 3 attempts) — check the channel's settings and send a test.");
  expect(result.error).not.toContain(TOKEN);
  server.closeAllConnections();
});

it('redacts the webhook URL and token from an error that quotes them', async () => {
  // Nothing listens on port 9 of loopback: the error names the address, never the secret path.
  const channel = await channels.create(
    ChannelDraft.parse({ name: `closed ${randomUUID().slice(0, 8)}`, kind: 'webhook', settings: {}, secrets: { url: `http://127.0.0.1:9/${TOKEN}` } }),
  );
  const outcome = channels.deliver(channel.id, message);
  await passBackoff();
  await passBackoff();
  const result = await outcome;
  expect(result).toMatchObject({ ok: false, attempts: 3 });
  expect(result.error).toMatch(/^Could not reach the server: .+ \(after 3 attempts\) — check the channel's settings and send a test\.$/);
  expect(result.error).not.toContain(TOKEN);
});

it('sends Slack a text fallback with Block Kit blocks', async () => {
  const channel = await hook('slack', '/services/T000/B000/XXXX');
  expect(await channels.deliver(channel.id, message)).toMatchObject({ ok: true, attempts: 1, status: 200 });
  const body = received[0]!.body as { text: string; blocks: { type: string; text?: { type: string; text: string } }[] };
  expect(body.text).toBe('Alert: GitHub API is failing');
  expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
  expect(body.blocks[0]!.text).toEqual({ type: 'plain_text', text: 'Alert: GitHub API is failing', emoji: false });
  expect(body.blocks[1]!.text!.type).toBe('mrkdwn');
  expect(body.blocks[1]!.text!.text).toContain('Failed: [STATUS] == 200 (observed 503)');
  expect(body.blocks[1]!.text!.text).toContain('Target: prod-eu (prod)');
  expect(received[0]!.headers.authorization).toBeUndefined();
});

it('sends Discord content with one embed coloured by the kind', async () => {
  const channel = await hook('discord', '/api/webhooks/1/abc');
  expect(await channels.deliver(channel.id, message)).toMatchObject({ ok: true, attempts: 1 });
  expect(received[0]!.body).toEqual({
    content: 'Alert: GitHub API is failing',
    embeds: [
      {
        title: 'GitHub API is failing',
        description: 'HTTP 503 from api.github.com',
        color: 0xd92d20,
        timestamp: '2024-05-01T10:00:00.000Z',
        fields: [{ name: '[STATUS] == 200', value: '503', inline: false }],
        footer: { text: 'prod-eu (prod)' },
      },
    ],
    allowed_mentions: { parse: [] },
  });
});

it('"Send test" delivers a test message and a deleted channel answers with an outcome, not an exception', async () => {
  const channel = await hook('webhook', '/test');
  expect(await channels.test(channel.id)).toMatchObject({ ok: true, attempts: 1 });
  expect(received[0]!.body).toMatchObject({ kind: 'test', probe: null, at: new Date(clock.now()).toISOString() });
  await channels.delete(channel.id);
  expect(await channels.deliver(channel.id, message)).toEqual({
    channelId: channel.id,
    ok: false,
    attempts: 0,
    status: null,
    error: 'The channel no longer exists — pick another one.',
  });
});
