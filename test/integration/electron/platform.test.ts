/**
 * The `platform:*` channels in the desktop app, end to end except for Electron itself: the
 * renderer's channel-backed Platform → preload's transport → IPC → the bundled main process
 * (main/electron/platform.ts over real files) → a stand-in `electron` module that records what
 * reaches the system browser, the clipboard and the file dialogs.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRawTransport } from '../../../preload/raw-transport';
import { createChannelPlatform } from '../../../renderer/src/platform/channel-platform';
import { saveText, type Platform } from '../../../renderer/src/platform/platform';
import { APP_ENTRY_URL } from '../../../main/transport/app-protocol';
import { REFUSED_SENDER_MESSAGE } from '../../../main/transport/ipc-handlers';
import { ApiError } from '../../../shared/errors';
import { IPC_CHANNELS } from '../../../shared/ipc-channels';
import { EXTERNAL_URL_ERROR, PLATFORM_CHUNK_BYTES } from '../../../shared/model/platform';
import { createClient, type ControlRoomApi } from '../../../shared/transport';
import { eventFrom, fakeIpcRenderer, FakeWebContents as FakePage } from '../transport/fake-electron-ipc';
import { useBundledMain } from './bundled-main';
import type { FakeElectron } from './fake-electron';

const main = useBundledMain();

interface Desktop {
  electron: FakeElectron;
  platform: Platform;
  /** Every contract channel the page invoked, in order. */
  invoked: string[];
  downloads: string;
}

async function desktop(): Promise<Desktop> {
  const downloads = main.tempDir('downloads-');
  const electron = main.launch({ downloads });
  await electron.becomeReady();
  const transport = createRawTransport(fakeIpcRenderer(electron.ipcMain, new FakePage(), APP_ENTRY_URL));
  const client = createClient(transport);
  const invoked: string[] = [];
  const api: ControlRoomApi = {
    invoke: (channel, request) => {
      invoked.push(channel);
      return client.invoke(channel, request);
    },
    subscribe: client.subscribe,
  };
  return { electron, platform: createChannelPlatform(api), invoked, downloads };
}

/** What a page's raw IPC call gets back, skipping the renderer's own checks. */
function rawInvoke(electron: FakeElectron, channel: string, payload: unknown) {
  return electron.ipcMain.invoke(IPC_CHANNELS.invoke, eventFrom(new FakePage(), APP_ENTRY_URL), channel, payload);
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('platform channels in the desktop app', () => {
  it('opens http(s) links in the system browser and refuses every other scheme', async () => {
    const { electron, platform } = await desktop();
    await platform.openExternal('https://example.com/docs?q=1#top');
    await platform.openExternal('http://127.0.0.1:8080/health');
    expect(electron.shell.opened).toEqual(['https://example.com/docs?q=1#top', 'http://127.0.0.1:8080/health']);

    const refused = [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      ' javascript:alert(1)',
      'file:///etc/passwd',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox',
      'slack://open',
      'ms-settings:display',
      'smb://fileserver/share',
      'ftp://example.com/',
      'https://user:secret@example.com/',
      'http://',
      'https://%zz',
      'not a url',
      `https://example.com/${'a'.repeat(3000)}`,
    ];
    for (const url of refused) {
      const error = await rejection(platform.openExternal(url));
      expect(error.code, url).toBe('invalid-request');
      // The contract refuses it, so the page learns why next to the field.
      expect(error.fieldErrors?.url, url).toMatch(
        url.length > 2048 ? /2048/ : new RegExp(EXTERNAL_URL_ERROR.slice(0, 20)),
      );
      // Straight over IPC, past the renderer, the answer is the same.
      expect(await rawInvoke(electron, 'platform:openExternal', { url }), url).toMatchObject({
        ok: false,
        error: { code: 'invalid-request' },
      });
    }
    expect(electron.shell.opened).toHaveLength(2);
    for (const url of electron.shell.opened) expect(new URL(url).protocol).toMatch(/^https?:$/);
  });

  it('copies text to the system clipboard', async () => {
    const { electron, platform } = await desktop();
    await platform.copyText('sha 3f2c1e9\nline two — ✓');
    expect(electron.clipboard.written).toEqual(['sha 3f2c1e9\nline two — ✓']);
  });

  it('saves a large file the user picked in several chunks, byte for byte, with no partial file left', async () => {
    const { electron, platform, invoked, downloads } = await desktop();
    const target = join(downloads, 'chosen.log');
    electron.dialogs.saveAnswers.push({ canceled: false, filePath: target });
    // Over 1.5 MB with multi-byte characters and an emoji at every chunk boundary's neighbourhood.
    const line = 'shop-api-1 level=info räksmörgås 🚀 request ok\n';
    const text = line.repeat(Math.ceil((3 * PLATFORM_CHUNK_BYTES) / line.length));
    const binary = Uint8Array.from({ length: PLATFORM_CHUNK_BYTES + 1000 }, (_, i) => (i * 7) % 256);

    const sink = await platform.saveFile({
      suggestedName: 'shop-prod_api.log',
      filters: [{ name: 'Logs', extensions: ['log'] }],
    });
    expect(sink).toBeDefined();
    await sink!.write(text);
    await sink!.write(binary);
    const saved = await sink!.close();

    const expected = Buffer.concat([Buffer.from(text, 'utf8'), Buffer.from(binary)]);
    expect(saved).toEqual({ name: 'chosen.log', path: target, bytes: expected.length });
    expect(readFileSync(target).equals(expected)).toBe(true);
    expect(invoked.filter((channel) => channel === 'platform:saveWrite').length).toBeGreaterThanOrEqual(5);
    expect(readdirSync(downloads)).toEqual(['chosen.log']);

    const [call] = electron.dialogs.calls;
    expect(call).toMatchObject({ kind: 'save', parent: electron.windows[0] });
    expect(call!.options).toMatchObject({
      defaultPath: join(downloads, 'shop-prod_api.log'),
      filters: [{ name: 'Logs', extensions: ['log'] }],
    });
  });

  it('saves nothing when the user cancels the dialog', async () => {
    const { electron, platform, invoked, downloads } = await desktop();
    electron.dialogs.saveAnswers.push({ canceled: true, filePath: '' });
    expect(await saveText(platform, { suggestedName: 'x.log' }, 'never written')).toBeUndefined();
    expect(invoked).toEqual(['platform:saveBegin']);
    expect(readdirSync(downloads)).toEqual([]);
  });

  it('an aborted save leaves the file it would have replaced as it was', async () => {
    const { electron, platform, downloads } = await desktop();
    const target = join(downloads, 'keep.log');
    writeFileSync(target, 'the old contents');
    electron.dialogs.saveAnswers.push({ canceled: false, filePath: target });
    const sink = await platform.saveFile({ suggestedName: 'keep.log' });
    await sink!.write('half of the new contents');
    await sink!.abort();
    expect(readFileSync(target, 'utf8')).toBe('the old contents');
    expect(readdirSync(downloads)).toEqual(['keep.log']);
  });

  it('refuses writes to a save that ended or never began, and chunks over the limit', async () => {
    const { electron, platform, downloads } = await desktop();
    electron.dialogs.saveAnswers.push({ canceled: false, filePath: join(downloads, 'once.log') });
    const sink = await platform.saveFile({ suggestedName: 'once.log' });
    await sink!.write('done');
    await sink!.close();
    expect((await rejection(sink!.write('more'))).code).toBe('not-found');
    expect(await rawInvoke(electron, 'platform:saveWrite', { saveId: 'x'.repeat(22), data: 'hi' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(
      await rawInvoke(electron, 'platform:saveWrite', {
        saveId: 'x'.repeat(22),
        data: 'a'.repeat(PLATFORM_CHUNK_BYTES + 1),
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    for (const suggestedName of ['../../etc/passwd', '/tmp/x.log', '.bashrc', 'a\nb.log']) {
      expect(await rawInvoke(electron, 'platform:saveBegin', { suggestedName }), suggestedName).toMatchObject({
        ok: false,
        error: { code: 'invalid-request' },
      });
    }
    expect(electron.dialogs.calls).toHaveLength(1);
    expect(readFileSync(join(downloads, 'once.log'), 'utf8')).toBe('done');
  });

  it('opens a file the user picked and reads it in chunks; a canceled dialog opens nothing', async () => {
    const { electron, platform, downloads } = await desktop();
    const path = join(downloads, 'bundle.bin');
    const content = Buffer.from(
      Uint8Array.from({ length: 2 * PLATFORM_CHUNK_BYTES + 12345 }, (_, i) => (i * 31) % 251),
    );
    writeFileSync(path, content);

    electron.dialogs.openAnswers.push({ canceled: true, filePaths: [] });
    expect(await platform.openFile()).toBeUndefined();

    electron.dialogs.openAnswers.push({ canceled: false, filePaths: [path] });
    const file = await platform.openFile({ filters: [{ name: 'Bundles', extensions: ['bin'] }] });
    expect(file).toMatchObject({ name: 'bundle.bin', size: content.length });
    const whole = await file!.read(0, content.length);
    expect(Buffer.from(whole).equals(content)).toBe(true);
    const tail = await file!.read(content.length - 10, 100);
    expect(Buffer.from(tail).equals(content.subarray(content.length - 10))).toBe(true);
    await file!.close();
    expect((await rejection(file!.read(0, 10))).code).toBe('not-found');
    expect(electron.dialogs.calls.map((call) => call.kind)).toEqual(['open', 'open']);
    expect(electron.dialogs.calls[1]!.options).toMatchObject({ properties: ['openFile'] });
  });

  it('answers platform channels from a page that is not the app with the sender refusal, touching nothing', async () => {
    const { electron } = await desktop();
    const asked: [string, unknown][] = [
      ['platform:openExternal', { url: 'https://example.com/' }],
      ['platform:copyText', { text: 'stolen' }],
      ['platform:saveBegin', { suggestedName: 'x.log' }],
      ['platform:openFile', {}],
    ];
    for (const [channel, payload] of asked) {
      const event = eventFrom(new FakePage(), 'https://evil.example/');
      expect(await electron.ipcMain.invoke(IPC_CHANNELS.invoke, event, channel, payload), channel).toEqual({
        ok: false,
        error: { code: 'invalid-request', message: REFUSED_SENDER_MESSAGE },
      });
    }
    expect(electron.shell.opened).toEqual([]);
    expect(electron.clipboard.written).toEqual([]);
    expect(electron.dialogs.calls).toEqual([]);
  });
});
