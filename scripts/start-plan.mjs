// What `npm start` opens, decided apart from doing it so a test can run the decision in Node:
// the desktop window when Electron can run here, otherwise browser mode. Browser mode is chosen
// when the Electron binary is missing (it could not be downloaded), when there is no display to
// open a window on, or when CONTROL_ROOM_MODE=browser asks for it. The desktop window first
// needs the native modules built for Electron (electron-native.mjs); browser mode runs on Node's.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { electronVersion, rebuildReason } from './electron-native.mjs';

/** The Electron binary's path when it was downloaded, else undefined. */
export function electronBinary(root) {
  try {
    const binary = createRequire(join(root, 'package.json'))('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

export function hasDisplay(env = process.env, platform = process.platform) {
  if (platform !== 'linux') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/**
 * `{ mode: 'desktop', binary, version, rebuild }` (rebuild: why the native modules must be built
 * first, or null) or `{ mode: 'browser', why }` (why: null when browser mode was asked for).
 */
export function planStart({ root, env = process.env, platform = process.platform, binary = electronBinary(root) }) {
  if (env.CONTROL_ROOM_MODE === 'browser') return { mode: 'browser', why: null };
  if (!binary) return { mode: 'browser', why: 'the Electron binary is not installed' };
  if (!hasDisplay(env, platform)) return { mode: 'browser', why: 'there is no display' };
  const version = electronVersion(root);
  if (!version) return { mode: 'browser', why: 'the electron package is not installed' };
  return { mode: 'desktop', binary, version, rebuild: rebuildReason(root, version) };
}
