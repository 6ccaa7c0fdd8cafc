/**
 * The desktop entry as it ships: main/electron/main.ts bundled the way scripts/build.mjs bundles
 * it, loaded under Node with a stand-in `electron` module, over real services (SQLite in a
 * temporary userData folder). Checks the wiring Electron would see: scheme registered before
 * ready, hardened window preferences, guards, permission denial, the app protocol serving the
 * renderer with its CSP, IPC handlers with the sender check, and clear start-up failures.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { APP_ENTRY_URL, RENDERER_CSP } from '../../../main/transport/app-protocol';
import { IPC_CHANNELS } from '../../../shared/ipc-channels';
import { REFUSED_SENDER_MESSAGE } from '../../../main/transport/ipc-handlers';
import { eventFrom, FakeWebContents as FakeSender } from '../transport/fake-electron-ipc';
import { useBundledMain } from './bundled-main';

const { launch, tempDir, distDir } = useBundledMain();

afterEach(() => {
  vi.restoreAllMocks();
});

describe('bundled Electron main process', () => {
  it('registers the app scheme as privileged before ready, and creates nothing before ready', () => {
    const electron = launch();
    expect(electron.protocol.registeredBeforeReady).toBe(true);
    expect(electron.app.sandboxed).toBe(true);
    expect(electron.protocol.privileged).toEqual([
      { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) },
    ]);
    expect(electron.windows).toHaveLength(0);
    expect(electron.ipcMain.handlers.size).toBe(0);
  });

  it('on ready: opens one hardened window on app://control-room/ with the bundled preload', async () => {
    const electron = launch();
    await electron.becomeReady();
    expect(electron.errors).toEqual([]);
    expect(electron.windows).toHaveLength(1);
    const window = electron.windows[0]!;
    expect(window.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(window.options.webPreferences.preload).toBe(join(distDir(), 'preload', 'preload.cjs'));
    expect(window.loadedUrl).toBe(APP_ENTRY_URL);
    // IPC is ready before the page can send anything.
    expect(electron.calls.indexOf('new BrowserWindow')).toBeGreaterThan(
      electron.calls.indexOf(`ipcMain.handle:${IPC_CHANNELS.invoke}`),
    );
  });

  it('keeps every web page at home: no navigation away, no window.open, no webview', async () => {
    const electron = launch();
    await electron.becomeReady();
    const contents = electron.windows[0]!.webContents;
    expect(contents.prevented('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.prevented('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.prevented('will-redirect', 'app://control-room.evil/')).toBe(true);
    expect(contents.prevented('will-navigate', 'app://control-room/index.html#/targets')).toBe(false);
    expect(contents.prevented('will-attach-webview')).toBe(true);
    expect(contents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('refuses every permission', async () => {
    const electron = launch();
    await electron.becomeReady();
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
      const callback = vi.fn();
      electron.permissions.request?.({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
    }
    expect(electron.permissions.check?.({}, 'media', 'app://control-room')).toBe(false);
  });

  it('serves the renderer on the app scheme with the CSP, and nothing outside it', async () => {
    const electron = launch();
    await electron.becomeReady();
    const handler = electron.protocol.handlers.get('app')!;
    const page = await handler(new Request(APP_ENTRY_URL));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    expect(await page.text()).toContain('<title>Control Room</title>');
    expect((await handler(new Request('app://control-room/assets/app.js'))).headers.get('content-type')).toMatch(
      /javascript/,
    );
    const escape = await handler(new Request('app://control-room/..%2fsecret.txt'));
    expect(escape.status).toBe(404);
    expect(await escape.text()).not.toContain('SECRET');
  });

  it('answers IPC from the app page through the real API in electron mode, and refuses others', async () => {
    const userData = tempDir('user-data-');
    const electron = launch({ userData });
    await electron.becomeReady();
    const page = new FakeSender();
    const info = await electron.ipcMain.invoke(IPC_CHANNELS.invoke, eventFrom(page, APP_ENTRY_URL), 'app:info', {});
    expect(info).toMatchObject({ ok: true, value: { mode: 'electron', version: '9.9.9-test', dataDir: userData } });
    expect(existsSync(join(userData, 'control-room.sqlite'))).toBe(true);

    const invalid = await electron.ipcMain.invoke(
      IPC_CHANNELS.invoke,
      eventFrom(page, APP_ENTRY_URL),
      'targets:create',
      { name: 7 },
    );
    expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid-request' } });

    const refused = await electron.ipcMain.invoke(
      IPC_CHANNELS.invoke,
      eventFrom(page, 'https://evil.example/'),
      'app:info',
      {},
    );
    expect(refused).toEqual({ ok: false, error: { code: 'invalid-request', message: REFUSED_SENDER_MESSAGE } });
  });

  it('quits when another instance holds the lock, touching nothing', async () => {
    const electron = launch({ singleInstance: false });
    expect(electron.app.quitCalls).toBe(1);
    expect(electron.protocol.privileged).toEqual([]);
    await electron.becomeReady();
    expect(electron.windows).toHaveLength(0);
  });

  it('quits when the last window closes (except on macOS)', async () => {
    const electron = launch();
    await electron.becomeReady();
    electron.app.emit('window-all-closed');
    expect(electron.app.quitCalls).toBe(process.platform === 'darwin' ? 0 : 1);
  });

  it('shows a clear message and exits when the data file is from a newer version', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const userData = tempDir('user-data-');
    const db = new Database(join(userData, 'control-room.sqlite'));
    db.pragma('user_version = 9999');
    db.close();

    const electron = launch({ userData });
    await electron.becomeReady();
    expect(electron.errors).toHaveLength(1);
    expect(electron.errors[0]![0]).toBe('Control Room could not start');
    expect(electron.errors[0]![1]).toMatch(/newer Control Room/);
    expect(electron.app.exitCode).toBe(1);
    expect(electron.windows).toHaveLength(0);
  });
});
