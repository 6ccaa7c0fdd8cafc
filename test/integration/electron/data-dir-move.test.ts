/**
 * The desktop entry opens the one data directory (the one browser mode and opsctl use), and a
 * store an earlier desktop build left in Electron's userData (~/.config/Control Room on Linux)
 * is moved there once: the bundled main process under a stand-in Electron, a temporary HOME, a
 * real SQLite store with a saved target (Linux, where the two folders differ).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createServices } from '../../../main/services';
import { MemoryCredentialBackend } from '../../../main/services/credentials/credential-backend';
import { APP_ENTRY_URL } from '../../../main/transport/app-protocol';
import { IPC_CHANNELS } from '../../../shared/ipc-channels';
import { eventFrom, FakeWebContents as FakePage } from '../transport/fake-electron-ipc';
import { useBundledMain } from './bundled-main';

const { launch, tempDir } = useBundledMain();
const saved = { HOME: process.env.HOME, XDG_DATA_HOME: process.env.XDG_DATA_HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };

beforeEach(() => {
  delete process.env.XDG_DATA_HOME;
  delete process.env.XDG_CONFIG_HOME;
});
afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

it('moves the store from Electron’s userData into the one data directory and opens it', async () => {
  const home = tempDir('home-');
  const userData = join(home, '.config', 'Control Room');
  mkdirSync(userData, { recursive: true });
  const old = createServices({ dataDir: userData, credentials: new MemoryCredentialBackend(), home });
  await old.targets.create({ name: 'from-the-desktop', environment: 'prod', kind: 'ops-api', settings: { baseUrl: 'https://ops.example.com' } });
  old.close();

  process.env.HOME = home;
  const messages: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((message: string) => void messages.push(message));
  const electron = launch({ userData });
  delete process.env.CONTROL_ROOM_DATA_DIR; // launch() points it at userData; this is about the default
  await electron.becomeReady();
  const invoke = (channel: string) => electron.ipcMain.invoke(IPC_CHANNELS.invoke, eventFrom(new FakePage(), APP_ENTRY_URL), channel, {});

  const dataDir = join(home, '.local', 'share', 'control-room');
  expect(await invoke('app:info')).toMatchObject({ ok: true, value: { dataDir } });
  expect(await invoke('targets:list')).toMatchObject({ ok: true, value: [{ name: 'from-the-desktop' }] });
  expect(existsSync(join(userData, 'control-room.sqlite'))).toBe(false);
  expect(messages).toEqual([expect.stringMatching(/^Control Room: moved its store from .*\.config\/Control Room to .*control-room, /)]);
  vi.restoreAllMocks();
});
