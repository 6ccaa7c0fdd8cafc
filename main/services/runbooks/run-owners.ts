/**
 * Which process owns each active run.
 *
 * The desktop app, browser mode and `opsctl run` are separate processes on one data directory,
 * each with its own executor: a run lives in the process that started it. When a process starts,
 * it marks the runs a crash left active as interrupted — and must not take another live process's
 * runs for such leftovers (an `opsctl runs list` while the app deploys would interrupt the deploy
 * and free its lock). So each active run has a small file `<dir>/<run id>` naming its process:
 * the PID and, on Linux, the process's start time (so a PID reused after a crash does not count).
 * The file goes when the run ends; a crash leaves it behind pointing at a dead process.
 */
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Under the data directory. */
export const RUN_OWNERS_DIR = 'run-owners';

interface Owner {
  pid: number;
  /** /proc/<pid>/stat's start time (clock ticks since boot); null where there is no /proc. */
  startTime: string | null;
}

export class RunOwners {
  private readonly self: Owner = { pid: process.pid, startTime: processStartTime(process.pid) };

  constructor(private readonly dir: string) {}

  /** Records this process as the run's owner. */
  claim(runId: string): void {
    try {
      mkdirSync(this.dir, { recursive: true });
      const file = join(this.dir, runId);
      writeFileSync(`${file}.part`, JSON.stringify(this.self));
      renameSync(`${file}.part`, file);
    } catch {
      // Best effort: without the file the run only looks like a crash's leftover to another
      // process starting while it runs, as it did before owners were recorded.
    }
  }

  release(runId: string): void {
    try {
      unlinkSync(join(this.dir, runId));
    } catch {
      // Already gone.
    }
  }

  /**
   * Whether the run belongs to another process that is still alive. Runs of this same process
   * (a second set of services in it, as tests make) count as leftovers, as do runs with no owner.
   */
  ownedElsewhere(runId: string): boolean {
    let owner: Owner;
    try {
      owner = JSON.parse(readFileSync(join(this.dir, runId), 'utf8')) as Owner;
    } catch {
      return false;
    }
    if (!Number.isInteger(owner.pid) || owner.pid <= 0 || owner.pid === this.self.pid) return false;
    if (!alive(owner.pid) || zombie(owner.pid)) return false;
    const startTime = processStartTime(owner.pid);
    return owner.startTime === null || startTime === null || owner.startTime === startTime;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An exited process its parent has not reaped yet still answers signal 0; it runs nothing. */
function zombie(pid: number): boolean {
  return statFields(pid)?.[0] === 'Z';
}

/** Field 22 of /proc/<pid>/stat, read after the command name (which may hold spaces and parentheses). */
export function processStartTime(pid: number): string | null {
  return statFields(pid)?.[19] ?? null;
}

/** /proc/<pid>/stat from its third field (the state) on; null where there is none. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}
