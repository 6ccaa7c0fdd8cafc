/**
 * CPU time used by the processes a benchmark involves, read from /proc (Linux), so a benchmark
 * can say where a run's CPU went: on a small machine every process of the pipeline (the
 * container engine, sshd, the app, Chromium's processes) competes for the same cores.
 *
 * With a scope, only the benchmark's own processes count: those it started (its descendants) and
 * those whose command line names one of its folders (podman's conmon leaves the process tree when
 * it daemonizes). Another engineer's tests on the same machine start their own app and Chromium,
 * which would otherwise be added to ours.
 *
 * The app's main process is also read per thread: its event loop (the thread whose id is the
 * process id) apart from its other threads (V8's collector and compiler helpers, libuv's pool,
 * worker threads). A busy event loop is what delays every window's input and IPC in Electron,
 * while work moved to another thread does not.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export const CPU_GROUPS = ['podman', 'sshd', 'main', 'Chromium page', 'Chromium other'] as const;
export type CpuGroup = (typeof CPU_GROUPS)[number];
/** What runs on the operator's desktop; podman and sshd stand in for the production host. */
export const DESKTOP_GROUPS: readonly CpuGroup[] = ['main', 'Chromium page', 'Chromium other'];

/** A benchmark's own processes: descendants of `rootPid`, and any whose command line names one of `folders`. */
export interface CpuScope {
  rootPid: number;
  folders: readonly string[];
}

export interface CpuSample {
  /** Ticks so far per process, keyed `<group>\0<pid>`. */
  processes: Map<string, number>;
  /** Ticks so far of each main process's event-loop thread, keyed by pid. */
  eventLoops: Map<string, number>;
}

/** CPU seconds between two samples. */
export interface CpuUse {
  seconds: Record<CpuGroup, number>;
  /** Main's event-loop thread; the rest of `seconds.main` is its other threads. */
  mainEventLoop: number;
}

const TICKS_PER_SECOND = 100;

/** What a process is, by its name and command line. */
function groupOf(comm: string, cmdline: () => string): CpuGroup | undefined {
  if (comm.startsWith('chrom')) {
    const type = /--type=([a-z-]+)/.exec(cmdline())?.[1];
    return type === 'renderer' ? 'Chromium page' : 'Chromium other';
  }
  if (comm === 'node' || comm.startsWith('MainThread')) return cmdline().includes('host.cjs') ? 'main' : undefined;
  if (comm === 'podman' || comm === 'conmon') return 'podman';
  if (comm === 'sshd') return 'sshd';
  return undefined;
}

interface ProcStat {
  comm: string;
  ppid: number;
  /** utime + stime. */
  ticks: number;
}

function readStat(path: string): ProcStat {
  const stat = readFileSync(path, 'utf8');
  const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  // After the name: state, ppid, …; utime and stime are fields 14 and 15 of stat, 12 and 13 here.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { comm, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
}

interface ProcessInfo extends ProcStat {
  pid: string;
  /** Read once, when first asked. */
  cmdline(): string;
}

/** Every process now (only `scope`'s, when given, as far as `wanted` tells by name first). */
function listProcesses(scope: CpuScope | undefined, wanted: (process: ProcessInfo) => boolean): ProcessInfo[] {
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const stats = new Map<string, ProcStat>();
  for (const pid of pids) {
    try {
      stats.set(pid, readStat(`/proc/${pid}/stat`));
    } catch {
      // The process ended while we looked.
    }
  }
  const descends = (pid: string) => {
    for (let at = Number(pid), hops = 0; at > 1 && hops < 64; at = stats.get(String(at))?.ppid ?? 0, hops++)
      if (at === scope!.rootPid) return true;
    return false;
  };
  const found: ProcessInfo[] = [];
  for (const [pid, stat] of stats) {
    try {
      let cmdline: string | undefined;
      const info: ProcessInfo = {
        ...stat,
        pid,
        cmdline: () => (cmdline ??= readFileSync(`/proc/${pid}/cmdline`, 'utf8')),
      };
      if (!wanted(info)) continue;
      if (scope && !descends(pid) && !scope.folders.some((folder) => info.cmdline().includes(folder))) continue;
      found.push(info);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** CPU ticks so far per process of each group (only `scope`'s, when given); empty where /proc cannot be read. */
export function sampleCpu(scope?: CpuScope): CpuSample {
  const sample: CpuSample = { processes: new Map(), eventLoops: new Map() };
  const groups = new Map<string, CpuGroup>();
  const wanted = (process: ProcessInfo) => {
    const group = groupOf(process.comm, process.cmdline);
    if (group) groups.set(process.pid, group);
    return group !== undefined;
  };
  for (const { pid, ticks } of listProcesses(scope, wanted)) {
    const group = groups.get(pid)!;
    try {
      if (group === 'main') sample.eventLoops.set(pid, readStat(`/proc/${pid}/task/${pid}/stat`).ticks);
      sample.processes.set(`${group}\u0000${pid}`, ticks);
    } catch {
      // The process ended while we looked.
    }
  }
  return sample;
}

/** CPU seconds per group between two samples (a process that ended between them is left out). */
export function cpuUsed(before: CpuSample, after: CpuSample): CpuUse {
  const seconds = Object.fromEntries(CPU_GROUPS.map((group) => [group, 0])) as Record<CpuGroup, number>;
  for (const [key, ticks] of after.processes) {
    const group = key.slice(0, key.indexOf('\u0000')) as CpuGroup;
    seconds[group] += (ticks - (before.processes.get(key) ?? 0)) / TICKS_PER_SECOND;
  }
  let mainEventLoop = 0;
  for (const [pid, ticks] of after.eventLoops)
    mainEventLoop += (ticks - (before.eventLoops.get(pid) ?? 0)) / TICKS_PER_SECOND;
  return { seconds, mainEventLoop };
}

/** `podman 0.91 s, main 0.70 s, …`, busiest first, with the total and the cores it shared. */
export function formatCpu(use: CpuUse): string {
  const total = CPU_GROUPS.reduce((sum, group) => sum + use.seconds[group], 0);
  const parts = CPU_GROUPS.filter((group) => use.seconds[group] >= 0.01)
    .sort((a, b) => use.seconds[b] - use.seconds[a])
    .map((group) => `${group} ${use.seconds[group].toFixed(2)} s`);
  return `${parts.join(', ')} (${total.toFixed(2)} s on ${availableParallelism()} cores)`;
}

/** CPU seconds per group between two samples, busiest first: `podman 0.91 s, main 0.70 s, …`. */
export function cpuBetween(before: CpuSample, after: CpuSample): string {
  return formatCpu(cpuUsed(before, after));
}

/** The ticks of a process, or undefined when it is gone. */
function ticksOf(pid: string): number | undefined {
  try {
    return readStat(`/proc/${pid}/stat`).ticks;
  } catch {
    return undefined;
  }
}

/**
 * Waits until the main processes of `sample` have used at most `idleShare` of a core over
 * `quietMs` (work a burst left behind, such as cache writes, is done), or `deadlineMs` passed.
 * Resolves with whether it went quiet.
 */
export async function waitForQuietMain(
  sample: CpuSample,
  { quietMs = 500, idleShare = 0.05, deadlineMs = 20_000 } = {},
): Promise<boolean> {
  const pids = [...sample.eventLoops.keys()];
  const total = () => pids.reduce((sum, pid) => sum + (ticksOf(pid) ?? 0), 0);
  const stepMs = 100;
  const window: number[] = [total()];
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, stepMs));
    window.push(total());
    if (window.length > quietMs / stepMs + 1) window.shift();
    const used = (window.at(-1)! - window[0]!) / TICKS_PER_SECOND;
    if (window.length > quietMs / stepMs && used <= (idleShare * quietMs) / 1000) return true;
  }
  return false;
}

/**
 * Pins the processes that stand in for the production host (podman, conmon, sshd, all their
 * threads; only `scope`'s, when given) to `cpus` (taskset's list syntax, "0"). In production they
 * run on the server, not on the desktop whose cores the app and its page use; on a two-core test
 * machine this is the nearest arrangement. Returns how many processes were pinned.
 */
export function pinServerProcesses(cpus: string, scope?: CpuScope): number {
  const server = ({ comm }: ProcessInfo) => comm === 'podman' || comm === 'conmon' || comm === 'sshd';
  let pinned = 0;
  for (const { pid } of listProcesses(scope, server)) {
    try {
      execFileSync('taskset', ['-a', '-p', '-c', cpus, pid], { stdio: 'ignore' });
      pinned++;
    } catch {
      // Gone meanwhile, or not ours to change.
    }
  }
  return pinned;
}
