// One build for all three sides: main (the Electron entry and the browser-mode host, Node CJS),
// preload (a single CommonJS bundle: sandboxed preloads cannot require local files) and the
// renderer (Vite + React).
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const quiet = process.argv.includes('--quiet');
const define = { __APP_VERSION__: JSON.stringify(pkg.version) };

rmSync('dist', { recursive: true, force: true });

const node = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, define, logLevel: 'warning' };
await Promise.all([
  // Dependencies stay in node_modules: several are native (better-sqlite3, keytar, ssh2).
  esbuild({ ...node, entryPoints: { host: 'main/host/main.ts' }, outdir: 'dist/main', outExtension: { '.js': '.cjs' }, packages: 'external' }),
  esbuild({ ...node, entryPoints: { electron: 'main/electron/main.ts' }, outdir: 'dist/main', outExtension: { '.js': '.cjs' }, packages: 'external', external: ['electron'] }),
  // opsctl: `node dist/cli/opsctl.cjs` (package.json "bin").
  esbuild({ ...node, entryPoints: { opsctl: 'main/cli/opsctl.ts' }, outdir: 'dist/cli', outExtension: { '.js': '.cjs' }, packages: 'external', banner: { js: '#!/usr/bin/env node' } }),
  // Minified: the preload carries the contract's zod schemas and loads with every window.
  esbuild({ ...node, entryPoints: { preload: 'preload/index.ts' }, outdir: 'dist/preload', outExtension: { '.js': '.cjs' }, external: ['electron'], target: 'chrome130', minify: true }),
]);
await viteBuild({ configFile: 'vite.config.mts', logLevel: quiet ? 'warn' : 'info' });
if (!quiet) console.log('build: dist/main, dist/cli, dist/preload, dist/renderer');

// The ops agent (dist/agent/agent.cjs, `node dist/agent/agent.cjs`) and the browser reporter
// (dist/reporter/reporter.js for a script tag, reporter.mjs for bundlers); see agent/build.mjs.
const { buildAgentServer, buildReporter } = await import('../agent/build.mjs');
await Promise.all([buildAgentServer(), buildReporter()]);
if (!quiet) console.log('build: dist/agent, dist/reporter');
