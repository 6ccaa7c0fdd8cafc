/**
 * defaultDataDir(): the environment variable for tests wins, then XDG, then the platform's place.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../../main/services/data-dir';

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
