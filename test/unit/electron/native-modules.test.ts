/**
 * The desktop entry's module resolution, run under plain Node with stand-in module folders: the
 * Electron builds in `.electron-native/<version>` win for exactly better-sqlite3 and keytar.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { electronNativeDir, NATIVE_MODULES, preferNativeModules } from '../../../main/electron/native-modules';
import { NATIVE_MODULES as BUILT_BY_START } from '../../../scripts/electron-native.mjs';
import { REPO_ROOT } from '../../support/app';

const requireHere = createRequire(__filename);
const rootModules = join(REPO_ROOT, 'node_modules');
let dir: string;
let undo: (() => void) | undefined;

/** A stand-in package: `require(name)` gives `{ standIn: name }`. */
function standIn(name: string) {
  const folder = join(dir, 'node_modules', name);
  mkdirSync(join(folder, 'lib'), { recursive: true });
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name, version: '0.0.0-stand-in', main: 'index.js' }));
  writeFileSync(join(folder, 'index.js'), `module.exports = { standIn: ${JSON.stringify(name)} };\n`);
  writeFileSync(join(folder, 'lib', 'inner.js'), 'module.exports = "inner";\n');
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cr-native-'));
});
afterEach(() => {
  undo?.();
  undo = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('preferNativeModules', () => {
  it('resolves better-sqlite3 and keytar (and their subpaths) in the Electron folder, nothing else', () => {
    for (const name of ['better-sqlite3', 'keytar', 'zod', 'ws']) standIn(name);
    undo = preferNativeModules(dir);
    expect(requireHere('better-sqlite3')).toEqual({ standIn: 'better-sqlite3' });
    expect(requireHere('keytar')).toEqual({ standIn: 'keytar' });
    expect(requireHere.resolve('better-sqlite3/lib/inner.js')).toBe(join(dir, 'node_modules', 'better-sqlite3', 'lib', 'inner.js'));
    // Same-named stand-ins of other packages are ignored: only the two native modules move.
    expect(requireHere.resolve('zod')).toMatch(new RegExp(`^${rootModules}/zod/`));
    expect(requireHere.resolve('ws')).toMatch(new RegExp(`^${rootModules}/ws/`));
    expect(requireHere.resolve('./native-modules.test.ts')).toBe(__filename);
  });

  it('leaves a module without a folder there to node_modules, and undoes cleanly', () => {
    standIn('keytar');
    undo = preferNativeModules(dir);
    expect(requireHere.resolve('keytar')).toBe(join(dir, 'node_modules', 'keytar', 'index.js'));
    expect(requireHere.resolve('better-sqlite3')).toMatch(new RegExp(`^${rootModules}/better-sqlite3/`));
    undo();
    undo = undefined;
    expect(requireHere.resolve('keytar')).toMatch(new RegExp(`^${rootModules}/keytar/`));
  });

  it('names the same modules start.mjs builds', () => {
    expect([...NATIVE_MODULES]).toEqual(BUILT_BY_START);
  });
});

describe('electronNativeDir', () => {
  it('is the folder for this Electron version when it was built, else null', () => {
    expect(electronNativeDir(dir, '38.8.6')).toBeNull();
    mkdirSync(join(dir, '.electron-native', '38.8.6', 'node_modules'), { recursive: true });
    expect(electronNativeDir(dir, '38.8.6')).toBe(join(dir, '.electron-native', '38.8.6'));
    expect(electronNativeDir(dir, '39.0.0')).toBeNull();
  });
});
