/**
 * The desktop entry bundled the way scripts/build.mjs bundles it, loaded under Node against a
 * stand-in `electron` module (fake-electron.ts): `useBundledMain()` in a test file builds it
 * once and hands back `launch()`, which loads a fresh copy against a new fake Electron.
 */
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createFakeElectron, type FakeElectron } from './fake-electron';

export const ROOT = resolve(__dirname, '..', '..', '..');
// Under the repo so the bundle's external requires (better-sqlite3, zod) resolve from node_modules.
export const WORK = join(ROOT, 'test', '.tmp');

type ModuleWithLoad = typeof Module & { _load(request: string, parent: unknown, isMain: boolean): unknown };

export interface LaunchOptions {
  userData?: string;
  downloads?: string;
  /** False: another instance holds the lock (default true). */
  singleInstance?: boolean;
}

export function useBundledMain(): {
  launch(options?: LaunchOptions): FakeElectron;
  tempDir(prefix: string): string;
  /** The bundle's dist/ folder (main/, renderer/, and where the preload would be). */
  distDir(): string;
} {
  const require = createRequire(__filename);
  const moduleLoader = Module as ModuleWithLoad;
  const originalLoad = moduleLoader._load;
  const dirs: string[] = [];
  let bundle = '';
  let dist = '';
  let current: FakeElectron | undefined;
  const originalDataDir = process.env.CONTROL_ROOM_DATA_DIR;

  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(WORK, prefix));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    mkdirSync(WORK, { recursive: true });
    dist = join(tempDir('electron-main-'), 'dist');
    await build({
      entryPoints: { electron: join(ROOT, 'main/electron/main.ts') },
      outdir: join(dist, 'main'),
      outExtension: { '.js': '.cjs' },
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      packages: 'external',
      external: ['electron'],
      define: { __APP_VERSION__: '"9.9.9-test"' },
      logLevel: 'silent',
    });
    bundle = join(dist, 'main', 'electron.cjs');
    mkdirSync(join(dist, 'renderer', 'assets'), { recursive: true });
    writeFileSync(join(dist, 'renderer', 'index.html'), '<!doctype html><title>Control Room</title>');
    writeFileSync(join(dist, 'renderer', 'assets', 'app.js'), 'void 0');
    // Beside the renderer, not in it: the app protocol must never serve it.
    writeFileSync(join(dist, 'secret.txt'), 'TOP SECRET');
    moduleLoader._load = function load(request, parent, isMain) {
      if (request === 'electron') {
        if (!current) throw new Error('no fake electron set up');
        return current.module;
      }
      return originalLoad.call(this, request, parent, isMain);
    };
  });

  afterEach(() => {
    // Closes the services (SQLite) and open files the way quitting does.
    current?.app.emit('will-quit');
    current = undefined;
  });

  afterAll(() => {
    moduleLoader._load = originalLoad;
    if (originalDataDir === undefined) delete process.env.CONTROL_ROOM_DATA_DIR;
    else process.env.CONTROL_ROOM_DATA_DIR = originalDataDir;
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  return {
    tempDir,
    distDir: () => dist,
    launch(options = {}) {
      const userData = options.userData ?? tempDir('user-data-');
      // The app's data in the test's folder, never the user's real one.
      process.env.CONTROL_ROOM_DATA_DIR = userData;
      current = createFakeElectron({
        userData,
        ...(options.downloads ? { downloads: options.downloads } : {}),
        ...(options.singleInstance !== undefined ? { singleInstance: options.singleInstance } : {}),
      });
      delete require.cache[bundle];
      require(bundle);
      return current;
    },
  };
}
