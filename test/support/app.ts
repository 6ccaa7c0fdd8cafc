/**
 * Starts the app as `npm start` does (scripts/start.mjs, after `npm run build`) in browser mode,
 * with its own data directory and keychain environment, and hands back the printed URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stopProcess } from './keyring';

export const REPO_ROOT = resolve(__dirname, '..', '..');

export interface RunningApp {
  url: string;
  dataDir: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * `options.dataDir`: run on an existing data directory (a relaunch), which `stop()` then leaves
 * in place for the caller to remove; by default each app gets a fresh one, removed on stop.
 */
export async function startApp(env: Record<string, string>, options: { dataDir?: string } = {}): Promise<RunningApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cr-data-'));
  // APP_CPU_PROF_DIR (benchmarks): the browser-mode host itself under `--cpu-prof`, which Node
  // refuses in NODE_OPTIONS; the profile is written there when the app stops.
  const profileDir = process.env.APP_CPU_PROF_DIR;
  const command = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, 'dist/main/host.cjs'] : ['scripts/start.mjs'];
  const child: ChildProcess = spawn(process.execPath, command, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, CONTROL_ROOM_DATA_DIR: dataDir, DISPLAY: '', WAYLAND_DISPLAY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`the app printed no URL within 20 s:\n${output}`)), 20_000);
    const check = () => {
      const match = /(http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the app exited (${code}) before printing its URL:\n${output}`));
    });
  });
  return {
    url,
    dataDir,
    output: () => output,
    stop: async () => {
      await stopProcess(child);
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
