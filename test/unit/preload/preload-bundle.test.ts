/**
 * The preload as Electron loads it: one CommonJS bundle (as scripts/build.mjs makes it) run with
 * a sandboxed preload's `require`, which knows 'electron' and nothing from disk. Checks that the
 * bundle needs nothing else and that it exposes exactly `window.controlRoom` = { invoke, subscribe }.
 */
import { build } from 'esbuild';
import { resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';

const ROOT = resolve(__dirname, '..', '..', '..');

async function bundlePreload(): Promise<string> {
  // The options scripts/build.mjs uses for dist/preload/preload.cjs.
  const result = await build({
    entryPoints: [resolve(ROOT, 'preload/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'chrome130',
    external: ['electron'],
    define: { __APP_VERSION__: '"test"' },
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

describe('preload bundle', () => {
  it('requires only electron and exposes exactly window.controlRoom', async () => {
    const code = await bundlePreload();
    const exposed = new Map<string, unknown>();
    const ipcRenderer = { invoke: vi.fn(async () => ({ ok: true, value: [] })), on: vi.fn(), send: vi.fn() };
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
      ipcRenderer,
    };
    const required: string[] = [];
    const sandboxRequire = (name: string) => {
      required.push(name);
      if (name === 'electron') return electron;
      throw new Error(`module not found: ${name} (a sandboxed preload can only require 'electron')`);
    };
    const module = { exports: {} };
    runInNewContext(code, {
      require: sandboxRequire,
      module,
      exports: module.exports,
      console,
      queueMicrotask,
      setTimeout,
      clearTimeout,
    });

    expect(required).toEqual(['electron']);
    expect([...exposed.keys()]).toEqual(['controlRoom']);
    const bridge = exposed.get('controlRoom') as Record<string, unknown>;
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'subscribe']);
    expect(Object.values(bridge).every((value) => typeof value === 'function')).toBe(true);

    // It works, and it refuses what is outside the contract before reaching IPC.
    const invoke = bridge.invoke as (channel: string, payload: unknown) => Promise<unknown>;
    await expect(invoke('targets:list', {})).resolves.toEqual({ ok: true, value: [] });
    await expect(invoke('shell:exec', {})).resolves.toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
    expect(ipcRenderer.invoke).toHaveBeenCalledTimes(1);
    expect(ipcRenderer.send).not.toHaveBeenCalled();
  });
});
