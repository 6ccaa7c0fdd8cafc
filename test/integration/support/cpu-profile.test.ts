/**
 * cpu-profile.ts against a real `node --cpu-prof` of an esbuild bundle with its source map, as
 * the benchmark reads the host's: frames map back to the TypeScript source, the profile's clock is
 * `monotonicMicros()`'s, and the event loop's profile comes first.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monotonicMicros, profilesIn, readCpuProfile, summarizeProfile } from '../../support/cpu-profile';

// Each function spins until its thread has used `ms` of CPU (/proc/thread-self), so the profile
// holds them however busy the machine is.
const SOURCE = `import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';

function threadMs(): number {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function spinOnTheEventLoop(ms: number): number {
  const until = threadMs() + ms;
  let sum = 0;
  while (threadMs() < until) for (let i = 0; i < 10000; i++) sum += Math.sqrt(i);
  return sum;
}

spinOnTheEventLoop(300);
new Worker(process.env.WORKER_SOURCE!, { eval: true }).on('exit', () => process.exit(0));
`;

const WORKER = `const { readFileSync } = require('node:fs');
function threadMs() {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
function spinInTheWorker(ms) {
  const until = threadMs() + ms;
  let sum = 0;
  while (threadMs() < until) for (let i = 0; i < 10000; i++) sum += Math.sqrt(i);
  return sum;
}
spinInTheWorker(200);
`;

let dir: string;
let profiles: string[];
let started: number;
let ended: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cr-cpu-profile-'));
  writeFileSync(join(dir, 'spin.ts'), SOURCE);
  await build({
    entryPoints: [join(dir, 'spin.ts')],
    outfile: join(dir, 'out', 'spin.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    sourcemap: true,
    logLevel: 'silent',
  });
  started = monotonicMicros();
  const child = spawn(
    process.execPath,
    ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'profiles')}`, join(dir, 'out', 'spin.cjs')],
    {
      env: { ...process.env, WORKER_SOURCE: WORKER },
      stdio: 'ignore',
    },
  );
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  ended = monotonicMicros();
  expect(code).toBe(0);
  profiles = profilesIn(join(dir, 'profiles'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a real profile', () => {
  it('lists the event loop first, then the worker thread', () => {
    expect(profiles).toHaveLength(2);
    const [eventLoop, worker] = profiles.map((path) => summarizeProfile(readCpuProfile(path), { root: dir, top: 3 }));
    expect(eventLoop!.self[0]!.label).toMatch(/^spinOnTheEventLoop /);
    expect(worker!.self[0]!.label).toMatch(/^spinInTheWorker /);
  });

  it('maps a bundled frame to its source file and line', () => {
    const summary = summarizeProfile(readCpuProfile(profiles[0]!), { root: dir, top: 1 });
    // The function is declared on line 10 of spin.ts, not of the bundle.
    expect(summary.self[0]!.label).toBe('spinOnTheEventLoop spin.ts:10');
    expect(summary.self[0]!.micros).toBeGreaterThan(150_000);
  });

  it('stamps its samples on the clock of monotonicMicros()', () => {
    const profile = readCpuProfile(profiles[0]!);
    expect(profile.startTime).toBeGreaterThanOrEqual(started);
    expect(profile.endTime).toBeLessThanOrEqual(ended);
    const within = summarizeProfile(profile, { root: dir, windows: [[started, ended]] });
    const all = summarizeProfile(profile, { root: dir });
    expect(within.sampledMicros).toBe(all.sampledMicros);
    expect(summarizeProfile(profile, { root: dir, windows: [[started - 10_000_000, started]] }).sampledMicros).toBe(0);
  });

  it('groups the spin with its callees', () => {
    const summary = summarizeProfile(readCpuProfile(profiles[0]!), {
      root: dir,
      groups: [{ name: 'spin', matches: (frame) => frame.file === 'spin.ts' }],
    });
    // readFileSync and Math.sqrt, called from the spin, count for it.
    expect(summary.groups[0]!.micros).toBeGreaterThan(summary.self[0]!.micros);
  });
});
