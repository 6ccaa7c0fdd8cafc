/**
 * When `npm start` builds the native modules for Electron, and when it does not even look
 * (browser mode): the decision logic of scripts/start-plan.mjs and scripts/electron-native.mjs,
 * on a stand-in checkout in a temporary folder.
 */
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nativeDir, rebuildReason } from '../../../scripts/electron-native.mjs';
import { planStart } from '../../../scripts/start-plan.mjs';

let root: string;

function setVersion(name: string, version: string) {
  mkdirSync(join(root, 'node_modules', name), { recursive: true });
  writeFileSync(join(root, 'node_modules', name, 'package.json'), JSON.stringify({ name, version }));
}

/** What a finished build leaves: each module with a .node file, and the stamp of what it was built from. */
function finishedBuild(electron: string, modules: Record<string, string>) {
  const dir = nativeDir(root, electron);
  for (const name of Object.keys(modules)) {
    mkdirSync(join(dir, 'node_modules', name, 'build', 'Release'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', name, 'build', 'Release', `${name}.node`), '');
  }
  writeFileSync(join(dir, 'built.json'), JSON.stringify({ electron, modules }));
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cr-checkout-'));
  setVersion('electron', '38.8.6');
  setVersion('better-sqlite3', '12.4.1');
  setVersion('keytar', '7.9.0');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('rebuildReason', () => {
  it('asks for a build when the folder is missing', () => {
    expect(rebuildReason(root, '38.8.6')).toBe('they have not been built for Electron 38.8.6 yet');
  });

  it('is satisfied by a finished build of the same versions', () => {
    finishedBuild('38.8.6', { 'better-sqlite3': '12.4.1', keytar: '7.9.0' });
    expect(rebuildReason(root, '38.8.6')).toBeNull();
  });

  it('asks again when Electron changed version', () => {
    finishedBuild('38.8.6', { 'better-sqlite3': '12.4.1', keytar: '7.9.0' });
    setVersion('electron', '39.0.0');
    expect(rebuildReason(root, '39.0.0')).toBe('Electron is now 39.0.0; they were built for 38.8.6');
  });

  it('asks again when a module changed version', () => {
    finishedBuild('38.8.6', { 'better-sqlite3': '12.4.1', keytar: '7.9.0' });
    setVersion('better-sqlite3', '12.5.0');
    expect(rebuildReason(root, '38.8.6')).toBe('better-sqlite3 is now 12.5.0; it was built from 12.4.1');
  });

  it('asks again when the last build did not finish', () => {
    finishedBuild('38.8.6', { 'better-sqlite3': '12.4.1', keytar: '7.9.0' });
    unlinkSync(join(nativeDir(root, '38.8.6'), 'node_modules', 'keytar', 'build', 'Release', 'keytar.node'));
    expect(rebuildReason(root, '38.8.6')).toBe('the last build did not finish');
    unlinkSync(join(nativeDir(root, '38.8.6'), 'built.json'));
    expect(rebuildReason(root, '38.8.6')).toBe('the last build did not finish');
  });
});

describe('planStart', () => {
  const display = { DISPLAY: ':0' };

  it('opens browser mode without looking at native modules when the Electron binary is missing', () => {
    expect(planStart({ root, env: display, platform: 'linux', binary: undefined })).toEqual({
      mode: 'browser',
      why: 'the Electron binary is not installed',
    });
  });

  it('opens browser mode with no display, or when asked', () => {
    expect(planStart({ root, env: {}, platform: 'linux', binary: process.execPath })).toEqual({ mode: 'browser', why: 'there is no display' });
    expect(planStart({ root, env: { ...display, CONTROL_ROOM_MODE: 'browser' }, platform: 'linux', binary: process.execPath })).toEqual({
      mode: 'browser',
      why: null,
    });
  });

  it('opens the desktop window, with a build first when one is needed', () => {
    expect(planStart({ root, env: display, platform: 'linux', binary: process.execPath })).toEqual({
      mode: 'desktop',
      binary: process.execPath,
      version: '38.8.6',
      rebuild: 'they have not been built for Electron 38.8.6 yet',
    });
    finishedBuild('38.8.6', { 'better-sqlite3': '12.4.1', keytar: '7.9.0' });
    expect(planStart({ root, env: {}, platform: 'darwin', binary: process.execPath })).toMatchObject({ mode: 'desktop', rebuild: null });
  });
});
