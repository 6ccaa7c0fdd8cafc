/**
 * The data directory: the environment variable for tests wins, then XDG, then the platform's
 * place; a store the desktop app left in Electron's userData is moved in once (real SQLite files
 * in a temporary HOME, opened through the app's services).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices } from '../../../main/services';
import { MemoryCredentialBackend } from '../../../main/services/credentials/credential-backend';
import {
  defaultDataDir,
  electronUserDataDir,
  moveLegacyStore,
  openDataDir,
  STORE_FILE,
} from '../../../main/services/data-dir';
import { DATABASE_FILE } from '../../../main/services/store/database';

describe('defaultDataDir', () => {
  it('honours CONTROL_ROOM_DATA_DIR above everything else', () => {
    const env = { CONTROL_ROOM_DATA_DIR: '/srv/cr-test', XDG_DATA_HOME: '/xdg', HOME: '/home/ann' };
    expect(defaultDataDir(env, 'linux')).toBe('/srv/cr-test');
    expect(defaultDataDir(env, 'darwin')).toBe('/srv/cr-test');
    expect(defaultDataDir(env, 'win32')).toBe('/srv/cr-test');
  });

  it('uses $XDG_DATA_HOME/control-room on Linux', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/xdg/data', HOME: '/home/ann' }, 'linux')).toBe('/xdg/data/control-room');
  });

  it('falls back to $HOME/.local/share/control-room without XDG_DATA_HOME', () => {
    expect(defaultDataDir({ HOME: '/home/ann' }, 'linux')).toBe('/home/ann/.local/share/control-room');
  });

  it('treats empty variables as unset', () => {
    expect(defaultDataDir({ CONTROL_ROOM_DATA_DIR: '', XDG_DATA_HOME: '', HOME: '/home/ann' }, 'linux')).toBe(
      '/home/ann/.local/share/control-room',
    );
  });

  it('uses the OS home directory when HOME is not set', () => {
    expect(defaultDataDir({}, 'linux')).toBe(join(homedir(), '.local', 'share', 'control-room'));
  });

  it('uses the usual places on macOS and Windows', () => {
    expect(defaultDataDir({ HOME: '/Users/ann' }, 'darwin')).toBe(
      '/Users/ann/Library/Application Support/Control Room',
    );
    expect(defaultDataDir({ HOME: '/h', APPDATA: 'C:/Users/ann/AppData/Roaming' }, 'win32')).toBe(
      join('C:/Users/ann/AppData/Roaming', 'Control Room'),
    );
  });
});

describe('electronUserDataDir: where desktop builds kept the store before', () => {
  it('is ~/.config/Control Room on Linux (XDG_CONFIG_HOME when set), the data directory elsewhere', () => {
    expect(electronUserDataDir({ HOME: '/home/ann' }, 'linux')).toBe('/home/ann/.config/Control Room');
    expect(electronUserDataDir({ HOME: '/home/ann', XDG_CONFIG_HOME: '/cfg' }, 'linux')).toBe('/cfg/Control Room');
    expect(electronUserDataDir({ HOME: '/Users/ann' }, 'darwin')).toBe(defaultDataDir({ HOME: '/Users/ann' }, 'darwin'));
    const win = { HOME: '/h', APPDATA: 'C:/Users/ann/AppData/Roaming' };
    expect(electronUserDataDir(win, 'win32')).toBe(defaultDataDir(win, 'win32'));
  });

  it('names the same file as the store', () => {
    expect(STORE_FILE).toBe(DATABASE_FILE);
  });
});

describe('openDataDir: a store in the old desktop place is moved in once', () => {
  let home: string;
  let messages: string[];
  const log = (message: string) => messages.push(message);
  const oldDir = () => join(home, '.config', 'Control Room');
  const newDir = () => join(home, '.local', 'share', 'control-room');

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'cr-home-'));
    messages = [];
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  /**
   * A desktop store with one saved target whose row is only in the -wal (as after a crash, or
   * while the app runs): the move must carry the WAL along or the target is lost.
   */
  async function leaveDesktopStore(dir: string, name: string): Promise<void> {
    const scratch = mkdtempSync(join(tmpdir(), 'cr-desktop-'));
    const services = createServices({ dataDir: scratch, credentials: new MemoryCredentialBackend(), home });
    try {
      services.db.pragma('wal_autocheckpoint = 0');
      await services.targets.create({ name, environment: 'prod', kind: 'ops-api', settings: { baseUrl: 'https://ops.example.com' } });
      mkdirSync(dir, { recursive: true });
      // The store's files only: services also make folders (runbooks, run owners) beside them.
      for (const entry of readdirSync(scratch, { withFileTypes: true })) {
        if (entry.isFile()) copyFileSync(join(scratch, entry.name), join(dir, entry.name));
      }
      expect(existsSync(join(dir, `${STORE_FILE}-wal`))).toBe(true);
    } finally {
      services.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  function targetNames(dataDir: string): string[] {
    const services = createServices({ dataDir, credentials: new MemoryCredentialBackend(), home });
    try {
      return services.targets.list().map((t) => t.name);
    } finally {
      services.close();
    }
  }

  it('moves the store with its WAL, opens with its rows, and does nothing on the next start', async () => {
    await leaveDesktopStore(oldDir(), 'desktop-prod');
    const env = { HOME: home };
    expect(openDataDir(env, 'linux', log)).toBe(newDir());
    expect(messages).toHaveLength(1);
    expect(messages[0]).toBe(
      `Control Room: moved its store from ${oldDir()} to ${newDir()}, the one data directory of the app, browser mode and opsctl.`,
    );
    expect(existsSync(join(oldDir(), STORE_FILE))).toBe(false);
    expect(existsSync(join(oldDir(), `${STORE_FILE}-wal`))).toBe(false);
    expect(targetNames(newDir())).toEqual(['desktop-prod']);

    expect(openDataDir(env, 'linux', log)).toBe(newDir());
    expect(messages).toHaveLength(1);
    expect(targetNames(newDir())).toEqual(['desktop-prod']);
  });

  it('never overwrites a store already in the new place', async () => {
    await leaveDesktopStore(newDir(), 'already-here');
    await leaveDesktopStore(oldDir(), 'old-desktop');
    expect(openDataDir({ HOME: home }, 'linux', log)).toBe(newDir());
    expect(messages).toEqual([]);
    expect(targetNames(newDir())).toEqual(['already-here']);
    expect(targetNames(oldDir())).toEqual(['old-desktop']); // left where it was, untouched
  });

  it('moves nothing into an explicit CONTROL_ROOM_DATA_DIR, and nothing when there is no old store', async () => {
    await leaveDesktopStore(oldDir(), 'old-desktop');
    const explicit = join(home, 'explicit');
    expect(openDataDir({ HOME: home, CONTROL_ROOM_DATA_DIR: explicit }, 'linux', log)).toBe(explicit);
    expect(existsSync(join(explicit, STORE_FILE))).toBe(false);
    rmSync(oldDir(), { recursive: true });
    expect(openDataDir({ HOME: home }, 'linux', log)).toBe(newDir());
    expect(messages).toEqual([]);
    expect(existsSync(newDir())).toBe(false);
  });

  it('copies, compares and removes across filesystems (tmpfs /dev/shm to the temp folder)', async () => {
    const from = mkdtempSync(join('/dev/shm', 'cr-old-'));
    try {
      expect(statSync(from).dev).not.toBe(statSync(home).dev); // else this would only test rename
      await leaveDesktopStore(from, 'from-tmpfs');
      expect(moveLegacyStore(from, newDir(), log)).toBe('moved');
      expect(readdirSync(from)).toEqual([]);
      expect(readdirSync(newDir()).filter((f) => f.includes('.moving-'))).toEqual([]);
      expect(targetNames(newDir())).toEqual(['from-tmpfs']);
    } finally {
      rmSync(from, { recursive: true, force: true });
    }
  });

  it('finishes a move cut short after the sidecars went', async () => {
    await leaveDesktopStore(oldDir(), 'interrupted');
    mkdirSync(newDir(), { recursive: true });
    renameSync(join(oldDir(), `${STORE_FILE}-wal`), join(newDir(), `${STORE_FILE}-wal`));
    expect(openDataDir({ HOME: home }, 'linux', log)).toBe(newDir());
    expect(targetNames(newDir())).toEqual(['interrupted']);
  });
});
