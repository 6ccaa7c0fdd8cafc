/**
 * Channels through the contract over the real services, secrets in a real keychain: create,
 * read, update (keep, replace, clear a secret), delete; no reply carries a secret value; "Send
 * test" answers with the delivery's outcome; the desktop channel's notices reach windows
 * subscribed to `channels:desktop` and a failed one says no window is open.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApi, type Api } from '../../../main/api';
import { createServices, type Services } from '../../../main/services';
import { NO_WINDOW_MESSAGE } from '../../../main/services/alerts/channels/channels-service';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import type { Channel } from '../../../shared/model/channels';
import type { Reply } from '../../../shared/transport';
import { FakeClock } from '../../support/fake-clock';
import { readWithSecretTool, startKeyring, type Keyring } from '../../support/keyring';

const SERVICE = `control-room-test-${randomUUID()}`;
const URL_SECRET = 'hooks-path-3c9e1a7f5b';
const TOKEN = 'bearer-8d2f6a4c0e';
const PASSWORD = 'smtp-pw-1a2b3c4d5e';

let keyring: Keyring;
let server: Server;
let base: string;
let dataDir: string;
let services: Services;
let api: Api;
let hits = 0;

beforeAll(async () => {
  keyring = await startKeyring();
  keyring.useInThisProcess();
  server = createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dataDir = mkdtempSync(join(tmpdir(), 'cr-channels-api-'));
  services = createServices({ dataDir, credentials: new KeytarBackend(SERVICE), clock: new FakeClock(), probes: { background: false } });
  api = createApi(services, { version: '9.9.9-test', mode: 'browser' }, () => undefined);
}, 30_000);

afterAll(async () => {
  services?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  await keyring?.stop();
});

function valueOf<T>(reply: Reply): T {
  if (!reply.ok) throw new Error(`expected success, got ${JSON.stringify(reply.error)}`);
  return reply.value as T;
}

function expectNoSecrets(reply: Reply) {
  const text = JSON.stringify(reply);
  for (const secret of [URL_SECRET, TOKEN, PASSWORD]) expect(text).not.toContain(secret);
}

it('creates, reads, updates and deletes a webhook with its URL and token only in the keychain', async () => {
  const created = await api.invoke('channels:create', {
    name: 'Ops hook',
    kind: 'webhook',
    settings: {},
    secrets: { url: `${base}/${URL_SECRET}`, token: TOKEN },
  });
  expectNoSecrets(created);
  const channel = valueOf<Channel>(created);
  expect(channel).toMatchObject({
    name: 'Ops hook',
    kind: 'webhook',
    enabled: true,
    settings: {},
    secrets: { url: { ref: `channel/${channel.id}/url`, present: true }, token: { ref: `channel/${channel.id}/token`, present: true } },
  });
  expect(await readWithSecretTool(keyring.env, SERVICE, `channel/${channel.id}/token`)).toBe(TOKEN);

  for (const reply of [await api.invoke('channels:list', {}), await api.invoke('channels:get', { id: channel.id })]) {
    expectNoSecrets(reply);
    expect(reply.ok).toBe(true);
  }

  // Leaving the URL out keeps it; null clears the token.
  const updated = await api.invoke('channels:update', {
    id: channel.id,
    draft: { name: 'Ops hook 2', kind: 'webhook', enabled: false, settings: {}, secrets: { token: null } },
  });
  expectNoSecrets(updated);
  expect(valueOf<Channel>(updated)).toMatchObject({ name: 'Ops hook 2', enabled: false, secrets: { url: { present: true }, token: { present: false } } });
  expect(await readWithSecretTool(keyring.env, SERVICE, `channel/${channel.id}/token`)).toBeNull();

  const tested = valueOf<{ ok: boolean; attempts: number; status: number }>(await api.invoke('channels:test', { id: channel.id }));
  expect(tested).toMatchObject({ channelId: channel.id, ok: true, attempts: 1, status: 204, error: null });
  expect(hits).toBe(1);

  expect(valueOf(await api.invoke('channels:delete', { id: channel.id }))).toEqual({ id: channel.id });
  expect(await readWithSecretTool(keyring.env, SERVICE, `channel/${channel.id}/url`)).toBeNull();
  expect(await api.invoke('channels:get', { id: channel.id })).toMatchObject({ ok: false, error: { code: 'not-found' } });
});

it('changing a webhook into an email channel removes its URL and token from the keychain', async () => {
  const hook = valueOf<Channel>(await api.invoke('channels:create', { name: 'Shifty', kind: 'webhook', settings: {}, secrets: { url: `${base}/x`, token: TOKEN } }));
  const settings = { host: 'smtp.example.com', port: 465, security: 'tls', from: 'cr@example.com', to: ['ops@example.com'] };
  const mail = valueOf<Channel>(await api.invoke('channels:update', { id: hook.id, draft: { name: 'Shifty', kind: 'email', settings } }));
  expect(mail).toMatchObject({ kind: 'email', settings, secrets: { username: { present: false }, password: { present: false } } });
  expect(await readWithSecretTool(keyring.env, SERVICE, `channel/${hook.id}/url`)).toBeNull();
  expect(await readWithSecretTool(keyring.env, SERVICE, `channel/${hook.id}/token`)).toBeNull();
});

it('refuses a webhook without a URL, a non-http URL and a taken name, with the field marked', async () => {
  expect(await api.invoke('channels:create', { name: 'No URL', kind: 'slack', settings: {} })).toMatchObject({
    ok: false,
    error: { code: 'invalid-request', fieldErrors: { 'secrets.url': 'Enter the webhook URL.' } },
  });
  expect(await api.invoke('channels:create', { name: 'Bad URL', kind: 'discord', settings: {}, secrets: { url: 'file:///etc/passwd' } })).toMatchObject({
    ok: false,
    error: { code: 'invalid-request', message: 'The webhook URL must start with https:// or http://.' },
  });
  valueOf(await api.invoke('channels:create', { name: 'Taken', kind: 'desktop', settings: {} }));
  expect(await api.invoke('channels:create', { name: 'taken', kind: 'desktop', settings: {} })).toMatchObject({
    ok: false,
    error: { code: 'conflict' },
  });
});

it('keeps SMTP credentials in the keychain and validates the settings', async () => {
  const settings = { host: 'smtp.example.com', port: 587, security: 'starttls', from: 'cr@example.com', to: ['ops@example.com'] };
  const reply = await api.invoke('channels:create', { name: 'Mail', kind: 'email', settings, secrets: { username: 'cr', password: PASSWORD } });
  expectNoSecrets(reply);
  expect(valueOf<Channel>(reply)).toMatchObject({ settings, secrets: { username: { present: true }, password: { present: true } } });
  expect(await api.invoke('channels:create', { name: 'Mail 2', kind: 'email', settings: { ...settings, to: [], security: 'ssl' } })).toMatchObject({
    ok: false,
    error: { code: 'invalid-request', fieldErrors: { 'settings.to': 'Add at least one recipient.' } },
  });
});

it('sends desktop notices to subscribed windows, and says so when no window is open', async () => {
  const desktop = valueOf<Channel>(await api.invoke('channels:create', { name: 'This Mac', kind: 'desktop', settings: {} }));
  expect(await api.invoke('channels:test', { id: desktop.id })).toEqual({
    ok: true,
    value: { channelId: desktop.id, ok: false, attempts: 1, status: null, error: NO_WINDOW_MESSAGE },
  });

  const notices: unknown[] = [];
  const sub = await api.subscribe('channels:desktop', {}, (notice) => notices.push(notice));
  if (!sub.ok) throw new Error('subscribe failed');
  const outcome = await services.channels.deliver(desktop.id, {
    kind: 'alert',
    probe: { id: 'probe-42', name: 'S3', scope: 'spaces', provider: null, check: 'list' },
    status: 'fail',
    summary: 'S3 is failing',
    detail: 'Access denied',
    failedConditions: [{ expression: '[STATUS] == 200', observed: '403' }],
    at: '2024-05-01T10:00:00.000Z',
    target: null,
  });
  expect(outcome).toMatchObject({ ok: true, attempts: 1 });
  expect(notices).toEqual([{ title: 'Alert: S3 is failing', body: 'Access denied\nFailed: [STATUS] == 200', probeId: 'probe-42' }]);
  sub.value();

  // Browser mode and opsctl have no window to move: the stream is accepted and stays silent.
  const nav = await api.subscribe('platform:navigate', {}, () => undefined);
  expect(nav.ok).toBe(true);
  expect(await api.invoke('platform:notify', { title: 't', body: 'b', probeId: null })).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
});
