// better-sqlite3 and keytar built for Electron, for `npm start` from a source checkout.
//
// `npm ci` builds the two native modules for Node's ABI (tests, browser mode, opsctl use them so);
// Electron has its own ABI and cannot load those builds. Only `npm run dist` rebuilds them for
// Electron, inside the package. For the desktop window from a checkout, start.mjs builds them once
// into .electron-native/<electron version>/node_modules/, beside node_modules and never in it, and
// the desktop entry resolves exactly these two modules there (main/electron/native-modules.ts).
//
// A build is redone when the folder for this Electron is missing (first start, or Electron was
// upgraded), when a module's version in node_modules differs from the one built (npm update), or
// when the last build did not finish.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** Keep in step with main/electron/native-modules.ts NATIVE_MODULES (a unit test compares them). */
export const NATIVE_MODULES = ['better-sqlite3', 'keytar'];
export const NATIVE_FOLDER = '.electron-native';
export const ELECTRON_HEADERS = 'https://electronjs.org/headers';
const STAMP = 'built.json';

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** The installed electron package's version (the binary it downloads is that version), or null. */
export function electronVersion(root) {
  return readJson(join(root, 'node_modules', 'electron', 'package.json'))?.version ?? null;
}

export function nativeDir(root, version) {
  return join(root, NATIVE_FOLDER, version);
}

/** The versions of the native modules in node_modules: what a build for Electron is made from. */
export function moduleVersions(root, modules = NATIVE_MODULES) {
  return Object.fromEntries(modules.map((name) => [name, readJson(join(root, 'node_modules', name, 'package.json'))?.version ?? null]));
}

function hasBinary(moduleDir) {
  const release = join(moduleDir, 'build', 'Release');
  return existsSync(release) && readdirSync(release).some((file) => file.endsWith('.node'));
}

/**
 * Why the modules must be built for Electron `version` before the desktop window opens, as a
 * phrase for the progress line; null when the build in .electron-native is current.
 */
export function rebuildReason(root, version, modules = NATIVE_MODULES) {
  const dir = nativeDir(root, version);
  if (!existsSync(dir)) {
    const others = existsSync(join(root, NATIVE_FOLDER)) ? readdirSync(join(root, NATIVE_FOLDER)).filter((name) => !name.includes('.partial')) : [];
    return others.length ? `Electron is now ${version}; they were built for ${others.join(', ')}` : `they have not been built for Electron ${version} yet`;
  }
  const stamp = readJson(join(dir, STAMP));
  if (!stamp || modules.some((name) => !hasBinary(join(dir, 'node_modules', name)))) return 'the last build did not finish';
  const current = moduleVersions(root, modules);
  for (const name of modules) {
    if (stamp.modules?.[name] !== current[name]) return `${name} is now ${current[name]}; it was built from ${stamp.modules?.[name] ?? 'another version'}`;
  }
  return null;
}

function run(command, args, cwd, quiet) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: quiet ? ['ignore', 'ignore', 'pipe'] : 'inherit' });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${args.slice(0, 2).join(' ')} in ${cwd} exited with ${code}${stderr ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`)),
    );
  });
}

/**
 * Copies the modules' sources out of node_modules and builds each with node-gyp for `version`,
 * in a staging folder renamed into place only when every module built, so a cut-short build is
 * never taken for a finished one. Older Electron versions' folders are removed afterwards.
 *
 * `target`/`distUrl`/`gypArgs` default to Electron's; tests and a manual check can build for
 * Node's own headers the same way.
 */
export async function buildNativeModules({
  root,
  version,
  modules = NATIVE_MODULES,
  distUrl = ELECTRON_HEADERS,
  gypArgs = [],
  quiet = false,
}) {
  const require = createRequire(join(root, 'package.json'));
  const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
  const dir = nativeDir(root, version);
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    for (const name of modules) {
      const from = join(root, 'node_modules', name);
      const to = join(staging, 'node_modules', name);
      mkdirSync(to, { recursive: true });
      // Node's build stays behind: the copy is built from source for Electron.
      cpSync(from, to, { recursive: true, filter: (src) => src !== join(from, 'build') && src !== join(from, 'node_modules') });
      const args = [nodeGyp, 'rebuild', '--release', `--target=${version}`, ...(distUrl ? [`--dist-url=${distUrl}`] : []), ...gypArgs];
      await run(process.execPath, args, to, quiet);
    }
    writeFileSync(join(staging, STAMP), `${JSON.stringify({ electron: version, modules: moduleVersions(root, modules) }, null, 2)}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  for (const other of readdirSync(join(root, NATIVE_FOLDER))) {
    if (other !== version) rmSync(join(root, NATIVE_FOLDER, other), { recursive: true, force: true });
  }
  return dir;
}
