/**
 * The Electron IPC transport without Electron: the real handlers, the real API and real services
 * (SQLite on disk, in-memory keychain), driven through a stand-in `ipcMain` — and, at the end,
 * through the real preload transport, so the whole renderer → main path is exercised.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApi, type Api } from '../../../main/api';
import { createServices, type Services } from '../../../main/services';
import { MemoryCredentialBackend } from '../../../main/services/credentials/credential-backend';
import { APP_ENTRY_URL, isTrustedFrame } from '../../../main/transport/app-protocol';
import { IPC_CHANNELS } from '../../../shared/ipc-channels';
import {
  MAX_SUBSCRIPTIONS_PER_PAGE,
  REFUSED_SENDER_MESSAGE,
  registerIpcHandlers,
} from '../../../main/transport/ipc-handlers';
import { TOO_MANY_SUBSCRIPTIONS_MESSAGE } from '../../../main/transport/subscription-limits';
import { createRawTransport } from '../../../preload/raw-transport';
import { createClient, type Reply } from '../../../shared/transport';
import { ApiError } from '../../../shared/errors';
import { eventFrom, FakeIpcMain, FakeWebContents, fakeIpcRenderer } from './fake-electron-ipc';

const SECRET = 'super-secret-private-key-value-7f3a';
const APP_PAGE = APP_ENTRY_URL;

const sshDraft = (name = 'prod-web') => ({
  name,
  environment: 'prod',
  kind: 'docker-ssh',
  settings: { host: 'prod.example.com', port: 22, username: 'deploy', socketPath: '/var/run/docker.sock' },
  secrets: { privateKey: SECRET },
});

let dataDir: string;
let services: Services;
let credentials: MemoryCredentialBackend;
let api: Api;
let ipcMain: FakeIpcMain;
let page: FakeWebContents;
let dispose: () => void;
let logged: string[];
/** Every unsubscribe function the API handed out, wrapped so the test sees it called. */
let ended: ReturnType<typeof vi.fn>[];

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cr-ipc-'));
  credentials = new MemoryCredentialBackend();
  services = createServices({ dataDir, credentials });
  const realApi = createApi(services, { version: 'test', mode: 'electron' }, () => undefined);
  ended = [];
  api = {
    invoke: (channel, payload) => realApi.invoke(channel, payload),
    subscribe: async (stream, params, emit) => {
      const reply = await realApi.subscribe(stream, params, emit);
      if (!reply.ok) return reply;
      const unsubscribe = vi.fn(reply.value);
      ended.push(unsubscribe);
      return { ok: true, value: unsubscribe };
    },
  };
  ipcMain = new FakeIpcMain();
  page = new FakeWebContents();
  logged = [];
  dispose = registerIpcHandlers(ipcMain, api, {
    isTrustedSender: isTrustedFrame,
    log: (message) => logged.push(message),
  });
});

afterEach(() => {
  dispose();
  services.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function invoke(channel: unknown, payload: unknown, url: string | null = APP_PAGE, sender = page) {
  return ipcMain.invoke(IPC_CHANNELS.invoke, eventFrom(sender, url), channel, payload) as Promise<Reply>;
}

function subscribe(stream: unknown, id: unknown, url: string | null = APP_PAGE, sender = page) {
  return ipcMain.invoke(IPC_CHANNELS.subscribe, eventFrom(sender, url), stream, {}, id) as Promise<Reply>;
}

function eventsSentTo(sender: FakeWebContents) {
  return sender.sent.filter(([channel]) => channel === IPC_CHANNELS.event);
}

describe('IPC handlers over the real API', () => {
  it('registers exactly the three request channels', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(
      [IPC_CHANNELS.invoke, IPC_CHANNELS.subscribe, IPC_CHANNELS.unsubscribe].sort(),
    );
  });

  it('answers an invalid payload with a typed invalid-request reply, never an exception', async () => {
    const badPort = await invoke('targets:create', {
      ...sshDraft(),
      settings: { ...sshDraft().settings, port: 'abc' },
    });
    expect(badPort).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(!badPort.ok && badPort.error.fieldErrors).toHaveProperty(['settings.port']);

    const { name: _name, ...nameless } = sshDraft();
    const noName = await invoke('targets:create', nameless);
    expect(noName).toMatchObject({
      ok: false,
      error: { code: 'invalid-request', fieldErrors: { name: expect.any(String) } },
    });

    for (const junk of [undefined, null, 42, 'text', [], { kind: 'nope' }]) {
      await expect(invoke('targets:create', junk)).resolves.toMatchObject({
        ok: false,
        error: { code: 'invalid-request' },
      });
    }
    expect(services.targets.list()).toEqual([]);
  });

  it('answers an unknown or malformed channel name with unknown-channel', async () => {
    await expect(invoke('targets:explode', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'unknown-channel' },
    });
    await expect(invoke('__proto__', {})).resolves.toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
    for (const channel of [42, null, undefined, { toString: 'x' }, ['targets:list']]) {
      await expect(invoke(channel, {})).resolves.toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
    }
  });

  it('creates a target whose reply shows the secret as { ref, present } and never its value', async () => {
    const reply = await invoke('targets:create', sshDraft());
    expect(reply.ok).toBe(true);
    const target = (reply as { ok: true; value: { id: string; secrets: Record<string, unknown> } }).value;
    expect(target.secrets.privateKey).toEqual({ ref: expect.any(String), present: true });
    expect(target.secrets.passphrase).toEqual({ ref: expect.any(String), present: false });
    expect(JSON.stringify(reply)).not.toContain(SECRET);
    // It went to the keychain, under the ref the renderer was told.
    const ref = (target.secrets.privateKey as { ref: string }).ref;
    expect(credentials.values.get(ref)).toBe(SECRET);

    const listed = await invoke('targets:list', {});
    expect(listed).toMatchObject({ ok: true, value: [{ id: target.id, name: 'prod-web' }] });
    expect(JSON.stringify(listed)).not.toContain(SECRET);
  });

  it.each([
    ['a web page', 'https://evil.example/'],
    ['a local file', 'file:///tmp/index.html'],
    ['a look-alike host', 'app://control-room.evil.example/index.html'],
    ['user info before the host', 'app://evil@control-room/index.html'],
    ['another port', 'app://control-room:8080/index.html'],
    ['about:blank', 'about:blank'],
    ['a frame that is gone', null],
  ])('refuses %s and nothing reaches the API', async (_what, url) => {
    const evil = new FakeWebContents();
    const refused = { ok: false, error: { code: 'invalid-request', message: REFUSED_SENDER_MESSAGE } };

    await expect(invoke('targets:create', sshDraft(), url, evil)).resolves.toEqual(refused);
    await expect(invoke('targets:list', {}, url, evil)).resolves.toEqual(refused);
    await expect(subscribe('targets:changed', 1, url, evil)).resolves.toEqual(refused);
    await expect(ipcMain.invoke(IPC_CHANNELS.unsubscribe, eventFrom(evil, url), 1)).resolves.toEqual(refused);

    expect(services.targets.list()).toEqual([]);
    expect(credentials.values.size).toBe(0);
    expect(ended).toHaveLength(0); // no subscription was made
    // A change made by the real app is not streamed to the refused page either.
    await invoke('targets:create', sshDraft());
    expect(evil.sent).toEqual([]);
    expect(logged.some((line) => line.includes('refused an IPC request'))).toBe(true);
  });

  it('streams targets:changed through sender.send, without secret values', async () => {
    await expect(subscribe('targets:changed', 7)).resolves.toEqual({ ok: true, value: null });
    await invoke('targets:create', sshDraft());

    const events = eventsSentTo(page);
    expect(events).toHaveLength(1);
    const [, id, event] = events[0]!;
    expect(id).toBe(7);
    expect(event).toMatchObject({ targets: [{ name: 'prod-web', secrets: { privateKey: { present: true } } }] });
    expect(JSON.stringify(page.sent)).not.toContain(SECRET);
  });

  it('stops streaming after unsubscribe, and unsubscribing twice is harmless', async () => {
    await subscribe('targets:changed', 1);
    const unsubscribe = () => ipcMain.invoke(IPC_CHANNELS.unsubscribe, eventFrom(page, APP_PAGE), 1);
    await expect(unsubscribe()).resolves.toEqual({ ok: true, value: null });
    await expect(unsubscribe()).resolves.toEqual({ ok: true, value: null });
    expect(ended[0]).toHaveBeenCalledTimes(1);

    await invoke('targets:create', sshDraft());
    expect(eventsSentTo(page)).toEqual([]);
  });

  it('ends a page’s subscriptions when its webContents is destroyed', async () => {
    await subscribe('targets:changed', 1);
    await subscribe('targets:changed', 2);
    const other = new FakeWebContents();
    await subscribe('targets:changed', 1, APP_PAGE, other);

    page.destroy();
    expect(ended[0]).toHaveBeenCalledTimes(1);
    expect(ended[1]).toHaveBeenCalledTimes(1);
    expect(ended[2]).not.toHaveBeenCalled();

    // The destroyed page is not sent to (its send would throw); the other page still is.
    await invoke('targets:create', sshDraft());
    expect(eventsSentTo(page)).toEqual([]);
    expect(eventsSentTo(other)).toHaveLength(1);
    expect(logged.filter((line) => line.includes('could not deliver'))).toEqual([]);
  });

  it('ends a page’s subscriptions when its main frame loads a new document, not on in-page navigation', async () => {
    await subscribe('targets:changed', 1);
    page.emit('did-start-navigation', { isMainFrame: true, isSameDocument: true });
    page.emit('did-start-navigation', { isMainFrame: false, isSameDocument: false });
    expect(ended[0]).not.toHaveBeenCalled();

    page.navigate();
    expect(ended[0]).toHaveBeenCalledTimes(1);
    // The reloaded page starts its ids again at 1: that must be a fresh subscription.
    await subscribe('targets:changed', 1);
    await invoke('targets:create', sshDraft());
    expect(eventsSentTo(page)).toHaveLength(1);
  });

  it('ends a subscription that finishes setting up after its page was destroyed', async () => {
    const pending = subscribe('targets:changed', 1);
    page.destroy();
    await expect(pending).resolves.toEqual({ ok: true, value: null });
    expect(ended[0]).toHaveBeenCalledTimes(1);
  });

  it('replaces a subscription re-using a live id instead of leaking the first', async () => {
    await subscribe('targets:changed', 3);
    await subscribe('targets:changed', 3);
    expect(ended[0]).toHaveBeenCalledTimes(1);
    await invoke('targets:create', sshDraft());
    expect(eventsSentTo(page)).toHaveLength(1);
  });

  it('refuses bad subscription ids and unknown streams', async () => {
    for (const id of ['1', -1, 1.5, Number.NaN, null, undefined, 2 ** 60]) {
      await expect(subscribe('targets:changed', id)).resolves.toMatchObject({
        ok: false,
        error: { code: 'invalid-request' },
      });
      await expect(ipcMain.invoke(IPC_CHANNELS.unsubscribe, eventFrom(page, APP_PAGE), id)).resolves.toMatchObject({
        ok: false,
        error: { code: 'invalid-request' },
      });
    }
    await expect(subscribe('targets:exploded', 1)).resolves.toMatchObject({
      ok: false,
      error: { code: 'unknown-channel' },
    });
    await expect(subscribe(42, 1)).resolves.toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
    await expect(
      ipcMain.invoke(IPC_CHANNELS.subscribe, eventFrom(page, APP_PAGE), 'targets:changed', { extra: 1 }, 1),
    ).resolves.toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(ended).toHaveLength(0);
  });

  it('caps the live subscriptions of one page', async () => {
    for (let id = 0; id < MAX_SUBSCRIPTIONS_PER_PAGE; id++) await subscribe('targets:changed', id);
    await expect(subscribe('targets:changed', MAX_SUBSCRIPTIONS_PER_PAGE)).resolves.toMatchObject({ ok: false });
    // Re-using a live id is a replacement, not growth.
    await expect(subscribe('targets:changed', 0)).resolves.toEqual({ ok: true, value: null });
  });

  it('counts subscriptions still being set up, so a burst cannot pass the cap', async () => {
    const extra = 20;
    const replies = await Promise.all(
      Array.from({ length: MAX_SUBSCRIPTIONS_PER_PAGE + extra }, (_, id) => subscribe('targets:changed', id)),
    );
    const refused = replies.filter((reply) => !(reply as { ok: boolean }).ok);
    expect(refused).toHaveLength(extra);
    for (const reply of refused)
      expect(reply).toEqual({ ok: false, error: { code: 'invalid-request', message: TOO_MANY_SUBSCRIPTIONS_MESSAGE } });
  });

  it('turns an exception inside the API into an internal error reply', async () => {
    const throwing = new FakeIpcMain();
    const broken: Api = {
      invoke: () => Promise.reject(new Error('boom')),
      subscribe: () => {
        throw new Error('boom');
      },
    };
    const lines: string[] = [];
    registerIpcHandlers(throwing, broken, { isTrustedSender: isTrustedFrame, log: (line) => lines.push(line) });
    const event = eventFrom(page, APP_PAGE);
    await expect(throwing.invoke(IPC_CHANNELS.invoke, event, 'targets:list', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'internal' },
    });
    await expect(throwing.invoke(IPC_CHANNELS.subscribe, event, 'targets:changed', {}, 1)).resolves.toMatchObject({
      ok: false,
      error: { code: 'internal' },
    });
    expect(lines.join('\n')).toContain('boom');
  });

  it('refuses when the sender check itself throws', async () => {
    const strict = new FakeIpcMain();
    registerIpcHandlers(strict, api, {
      isTrustedSender: () => {
        throw new Error('frame gone');
      },
      log: () => undefined,
    });
    await expect(
      strict.invoke(IPC_CHANNELS.invoke, eventFrom(page, APP_PAGE), 'targets:list', {}),
    ).resolves.toMatchObject({
      ok: false,
      error: { message: REFUSED_SENDER_MESSAGE },
    });
  });

  it('removes its handlers and ends every subscription when disposed', async () => {
    await subscribe('targets:changed', 1);
    dispose();
    expect(ipcMain.handlers.size).toBe(0);
    expect(ended[0]).toHaveBeenCalledTimes(1);
    dispose = () => undefined;
  });
});

describe('the preload transport end to end over the stand-in IPC', () => {
  it('drives targets through window.controlRoom’s typed client', async () => {
    const ipcRenderer = fakeIpcRenderer(ipcMain, page, APP_PAGE);
    const client = createClient(createRawTransport(ipcRenderer));

    const seen: unknown[] = [];
    const stop = await client.subscribe('targets:changed', {}, (event) => seen.push(event));
    const created = await client.invoke('targets:create', sshDraft() as never);
    expect(created.secrets.privateKey).toMatchObject({ present: true });
    await client.invoke('targets:update', { id: created.id, draft: { ...sshDraft('prod-api'), secrets: {} } as never });
    expect(await client.invoke('targets:list', {})).toMatchObject([{ name: 'prod-api' }]);
    expect(seen).toHaveLength(2);
    expect(JSON.stringify(seen)).not.toContain(SECRET);

    stop();
    await vi.waitFor(() => expect(ended[0]).toHaveBeenCalledTimes(1));
    await client.invoke('targets:delete', { id: created.id });
    expect(seen).toHaveLength(2);
    expect(credentials.values.size).toBe(0);
  });

  it('rejects with a typed ApiError for an invalid payload', async () => {
    const client = createClient(createRawTransport(fakeIpcRenderer(ipcMain, page, APP_PAGE)));
    const error = await client.invoke('targets:create', { name: '' } as never).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'invalid-request' });
  });

  it('refuses an unknown channel in the preload, before any IPC', async () => {
    const ipcRenderer = fakeIpcRenderer(ipcMain, page, APP_PAGE);
    const transport = createRawTransport(ipcRenderer);
    await expect(transport.invoke('shell:exec', { command: 'rm -rf /' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'unknown-channel' },
    });
    expect(ipcRenderer.calls).toEqual([]);
  });

  it('is refused as a whole when the page is not the app', async () => {
    const client = createClient(createRawTransport(fakeIpcRenderer(ipcMain, page, 'https://evil.example/')));
    await expect(client.invoke('targets:list', {})).rejects.toMatchObject({
      code: 'invalid-request',
      message: REFUSED_SENDER_MESSAGE,
    });
    await expect(client.subscribe('targets:changed', {}, () => undefined)).rejects.toMatchObject({
      message: REFUSED_SENDER_MESSAGE,
    });
  });
});
