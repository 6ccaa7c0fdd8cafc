/**
 * CPU time used by the processes a benchmark involves, read from /proc (Linux), so a benchmark
 * can say where a run's CPU went: on a small machine every process of the pipeline (the
 * container engine, sshd, the app, Chromium's processes) competes for the same cores.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export type CpuSample = Map<string, number>;

const TICKS_PER_SECOND = 100;

/** What a process is, by its name and command line. */
function groupOf(comm: string, pid: string): string | undefined {
  const cmdline = () => readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  if (comm.startsWith('chrom')) {
    const type = /--type=([a-z-]+)/.exec(cmdline())?.[1];
    return type === 'renderer' ? 'Chromium page' : 'Chromium other';
  }
  if (comm === 'node' || comm.startsWith('MainThread')) return cmdline().includes('host.cjs') ? 'main' : undefined;
  if (comm === 'podman' || comm === 'conmon') return 'podman';
  if (comm === 'sshd') return 'sshd';
  return undefined;
}

/** CPU ticks so far per group; empty where /proc cannot be read. */
export function sampleCpu(): CpuSample {
  const sample: CpuSample = new Map();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return sample;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const group = groupOf(comm, pid);
      if (!group) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime: fields 14 and 15 of stat, 12 and 13 after the command name.
      const ticks = Number(fields[11]) + Number(fields[12]);
      sample.set(`${group}\u0000${pid}`, ticks);
    } catch {
      // The process ended while we looked.
    }
  }
  return sample;
}

/** CPU seconds per group between two samples, busiest first: `podman 0.91 s, main 0.70 s, …`. */
export function cpuBetween(before: CpuSample, after: CpuSample): string {
  const seconds = new Map<string, number>();
  for (const [key, ticks] of after) {
    const used = ticks - (before.get(key) ?? 0);
    const group = key.slice(0, key.indexOf('\u0000'));
    seconds.set(group, (seconds.get(group) ?? 0) + used / TICKS_PER_SECOND);
  }
  const total = [...seconds.values()].reduce((sum, value) => sum + value, 0);
  const parts = [...seconds]
    .filter(([, value]) => value >= 0.01)
    .sort((a, b) => b[1] - a[1])
    .map(([group, value]) => `${group} ${value.toFixed(2)} s`);
  return `${parts.join(', ')} (${total.toFixed(2)} s on ${availableParallelism()} cores)`;
}

/**
 * Pins the processes that stand in for the production host (podman, conmon, sshd, all their
 * threads) to `cpus` (taskset's list syntax, "0"). In production they run on the server, not on
 * the desktop whose cores the app and its page use; on a two-core test machine this is the
 * nearest arrangement. Returns how many processes were pinned.
 */
export function pinServerProcesses(cpus: string): number {
  let pinned = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm !== 'podman' && comm !== 'conmon' && comm !== 'sshd') continue;
      execFileSync('taskset', ['-a', '-p', '-c', cpus, pid], { stdio: 'ignore' });
      pinned++;
    } catch {
      // Gone meanwhile, or not ours to change.
    }
  }
  return pinned;
}
