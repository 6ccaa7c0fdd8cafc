/**
 * Native modules built for Electron, for the desktop window started from a source checkout.
 *
 * node_modules holds better-sqlite3 and keytar built for Node (tests, browser mode and opsctl run
 * on Node); `npm start` builds Electron's copies into `.electron-native/<electron version>/`
 * (scripts/electron-native.mjs). Here, before anything requires them, exactly those two names
 * are resolved there; every other module (their own dependencies included) resolves as usual.
 * A packaged app has them rebuilt in place by electron-builder and no such folder.
 *
 * No Electron import: the tests run this under plain Node with stand-in modules.
 */
import { existsSync } from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';

/** Keep in step with scripts/electron-native.mjs NATIVE_MODULES (a unit test compares them). */
export const NATIVE_MODULES: readonly string[] = ['better-sqlite3', 'keytar'];

type ResolveFilename = (this: unknown, request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
const loader = Module as unknown as { _resolveFilename: ResolveFilename };

/** `.electron-native/<version>` under the app's folder when start.mjs built it there, else null. */
export function electronNativeDir(appRoot: string, electronVersion: string): string | null {
  const dir = join(appRoot, '.electron-native', electronVersion);
  return existsSync(join(dir, 'node_modules')) ? dir : null;
}

/** `keytar` → keytar, `better-sqlite3/lib/database` → better-sqlite3; relative and absolute paths → null. */
function packageOf(request: string): string | null {
  if (request.startsWith('.') || request.startsWith('/') || request.includes(':') || request.includes('\\')) return null;
  const [first = '', second = ''] = request.split('/');
  return first.startsWith('@') ? `${first}/${second}` : first;
}

/**
 * Resolves `names` (and their subpaths) inside `dir/node_modules` from now on; returns the undo.
 * A name without a folder there keeps resolving from node_modules.
 */
export function preferNativeModules(dir: string, names: readonly string[] = NATIVE_MODULES): () => void {
  const present = new Set(names.filter((name) => existsSync(join(dir, 'node_modules', name, 'package.json'))));
  const original = loader._resolveFilename;
  const hooked: ResolveFilename = function (request, parent, isMain, options) {
    const name = packageOf(request);
    const target = name && present.has(name) ? join(dir, 'node_modules', request) : request;
    return original.call(this, target, parent, isMain, options);
  };
  loader._resolveFilename = hooked;
  return () => {
    if (loader._resolveFilename === hooked) loader._resolveFilename = original;
  };
}
