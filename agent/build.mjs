// Bundles for the agent: the server as one CommonJS file (dependencies stay in node_modules,
// better-sqlite3 is native) and the browser reporter as a minified IIFE (for a script tag) and
// ESM (for an app's bundler). scripts/build.mjs calls this; the reporter tests call it too, so
// they measure and load exactly what ships.
import { build } from 'esbuild';
import { join } from 'node:path';

export const REPORTER_IIFE = 'reporter.js';
export const REPORTER_ESM = 'reporter.mjs';

/** @param {{ outRoot?: string, root?: string }} [options] */
export async function buildReporter({ outRoot = 'dist', root = '.' } = {}) {
  const common = { bundle: true, minify: true, target: 'es2020', platform: 'browser', logLevel: 'warning', legalComments: 'none' };
  await Promise.all([
    build({ ...common, entryPoints: [join(root, 'agent/reporter/auto.ts')], format: 'iife', globalName: 'ControlRoomReporter', outfile: join(outRoot, 'reporter', REPORTER_IIFE) }),
    build({ ...common, entryPoints: [join(root, 'agent/reporter/reporter.ts')], format: 'esm', outfile: join(outRoot, 'reporter', REPORTER_ESM) }),
  ]);
  return { iife: join(outRoot, 'reporter', REPORTER_IIFE), esm: join(outRoot, 'reporter', REPORTER_ESM) };
}

/** @param {{ outRoot?: string, root?: string }} [options] */
export async function buildAgentServer({ outRoot = 'dist', root = '.' } = {}) {
  await build({
    entryPoints: { agent: join(root, 'agent/main.ts') },
    outdir: join(outRoot, 'agent'),
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    packages: 'external',
    logLevel: 'warning',
  });
  return join(outRoot, 'agent', 'agent.cjs');
}
