/**
 * process-cpu.ts against real processes: a Node process whose command line names host.cjs is
 * "main", its event-loop thread and its worker thread are told apart, a scope keeps out what is
 * not the benchmark's, waitForQuietMain tells a busy main from one that went quiet, and a real
 * sshd of ours is pinned to a core while one outside the scope is left alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  cpuBetween,
  cpuUsed,
  pinServerProcesses,
  sampleCpu,
  waitForQuietMain,
  type CpuScope,
} from '../../support/process-cpu';
import { stopProcess, waitFor } from '../../support/keyring';
import { startSshd } from '../../support/sshd';

/**
 * Stands in for the host: told `loop` on stdin, its event loop spins 300 ms of its own CPU time;
 * told `worker`, a worker thread does; `spin` starts a worker that spins until `stop`. Each says
 * `done` when it is done.
 */
const STAND_IN = `
const { Worker } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const threadMs = () => {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const spin = (ms) => { const until = threadMs() + ms; let sum = 0; while (threadMs() < until) for (let i = 0; i < 10000; i++) sum += Math.sqrt(i); return sum; };
const stopFlag = new Int32Array(new SharedArrayBuffer(4));
const worker = (source, data) => new Worker(source, { eval: true, workerData: data });
const SPIN = \`const { readFileSync } = require('node:fs'); const { workerData } = require('node:worker_threads');
const threadMs = \${threadMs.toString()};
if (workerData.flag) { while (Atomics.load(workerData.flag, 0) === 0) for (let i = 0; i < 10000; i++) Math.sqrt(i); }
else { const until = threadMs() + workerData.ms; while (threadMs() < until) for (let i = 0; i < 10000; i++) Math.sqrt(i); }\`;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text) => {
  for (const command of text.split('\\n').filter(Boolean)) {
    if (command === 'loop') { spin(300); console.log('done'); }
    if (command === 'worker') worker(SPIN, { ms: 300 }).on('exit', () => console.log('done'));
    if (command === 'spin') { Atomics.store(stopFlag, 0, 0); worker(SPIN, { flag: stopFlag }); }
    if (command === 'stop') Atomics.store(stopFlag, 0, 1);
  }
});
`;

let child: ChildProcess | undefined;
let output = '';

/** Starts the stand-in; `marker` makes its command line findable by a scope's folders. */
function startStandIn(marker: string): ChildProcess {
  output = '';
  child = spawn(process.execPath, ['-e', STAND_IN, 'host.cjs', marker], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return child;
}

async function tell(command: string, doneCount?: number): Promise<void> {
  child!.stdin!.write(`${command}\n`);
  if (doneCount !== undefined)
    await waitFor(
      () => output.split('done').length - 1 >= doneCount,
      20_000,
      `the stand-in did not finish "${command}"`,
    );
}

afterEach(async () => {
  if (child) await stopProcess(child);
  child = undefined;
});

describe('sampleCpu', () => {
  it('tells the event loop from the other threads of main', async () => {
    const standIn = startStandIn(randomUUID());
    const scope: CpuScope = { rootPid: process.pid, folders: [] };
    await waitFor(() => sampleCpu(scope).eventLoops.has(String(standIn.pid)), 10_000, 'the stand-in did not start');
    const before = sampleCpu(scope);
    await tell('loop', 1);
    const afterLoop = sampleCpu(scope);
    await tell('worker', 2);
    const afterWorker = sampleCpu(scope);

    const loop = cpuUsed(before, afterLoop);
    expect(loop.mainEventLoop).toBeGreaterThanOrEqual(0.28);
    expect(loop.seconds.main - loop.mainEventLoop).toBeLessThan(0.2);
    const worker = cpuUsed(afterLoop, afterWorker);
    expect(worker.seconds.main - worker.mainEventLoop).toBeGreaterThanOrEqual(0.28);
    expect(worker.mainEventLoop).toBeLessThan(0.2);
    expect(cpuBetween(before, afterWorker)).toMatch(/^main \d+\.\d\d s.* \(\d+\.\d\d s on \d+ cores\)$/);
  });

  it('keeps out what is not in its scope', async () => {
    const marker = randomUUID();
    const standIn = startStandIn(marker);
    const key = `main\u0000${standIn.pid}`;
    await waitFor(() => sampleCpu().processes.has(key), 10_000, 'the stand-in did not start');
    // Its parent is this process; pid 2 is the kernel's thread daemon, nobody's ancestor here.
    expect(sampleCpu({ rootPid: process.pid, folders: [] }).processes.has(key)).toBe(true);
    expect(sampleCpu({ rootPid: 2, folders: [] }).processes.has(key)).toBe(false);
    expect(sampleCpu({ rootPid: 2, folders: [marker] }).processes.has(key)).toBe(true);
  });
});

describe('waitForQuietMain', () => {
  it('answers false while main is busy and true once it has gone quiet', async () => {
    const standIn = startStandIn(randomUUID());
    const scope: CpuScope = { rootPid: process.pid, folders: [] };
    await waitFor(() => sampleCpu(scope).eventLoops.has(String(standIn.pid)), 10_000, 'the stand-in did not start');
    const sample = sampleCpu(scope);
    await tell('spin');
    expect(await waitForQuietMain(sample, { deadlineMs: 1_500 })).toBe(false);
    await tell('stop');
    expect(await waitForQuietMain(sample, { deadlineMs: 10_000 })).toBe(true);
  });
});

describe('pinServerProcesses', () => {
  it("pins the scope's sshd to the cores asked for, and nothing outside the scope", async () => {
    const sshd = await startSshd();
    try {
      const ours = (): string[] => {
        const pids: string[] = [];
        for (const key of sampleCpu({ rootPid: process.pid, folders: [] }).processes.keys())
          if (key.startsWith('sshd\u0000')) pids.push(key.slice('sshd\u0000'.length));
        return pids;
      };
      // undefined once the process is gone (a connection's child that ended).
      const allowed = (pid: string) => {
        try {
          return /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
        } catch {
          return undefined;
        }
      };
      expect(ours().length).toBeGreaterThan(0);
      // pid 2 is nobody's ancestor here: nothing of anyone's is touched.
      expect(pinServerProcesses('0', { rootPid: 2, folders: [] })).toBe(0);
      // sshd forks a child for a connection now and then: count what is there, not an exact number.
      expect(pinServerProcesses('0', { rootPid: process.pid, folders: [] })).toBeGreaterThan(0);
      const lists = ours()
        .map(allowed)
        .filter((list) => list !== undefined);
      expect(lists.length).toBeGreaterThan(0);
      expect(new Set(lists)).toEqual(new Set(['0']));
    } finally {
      await sshd.dispose();
    }
  });
});
