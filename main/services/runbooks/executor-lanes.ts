/**
 * Who runs when: read-only runs share four lanes (A–D) and wait in one FIFO queue when all are
 * busy; changing runs wait per target, FIFO, for the target's lock (the lock itself lives in the
 * run store so a crash leaves a trace). Only bookkeeping here — the executor starts the runs.
 */

export const READ_ONLY_LANES = ['A', 'B', 'C', 'D'] as const;

export class ReadOnlyLanes {
  private readonly busy = new Map<string, string>();
  private readonly waiting: string[] = [];

  constructor(private readonly lanes: readonly string[] = READ_ONLY_LANES) {}

  /** A free lane for the run, or null (then it should `wait`). */
  take(runId: string): string | null {
    const lane = this.lanes.find((name) => !this.busy.has(name));
    if (lane === undefined) return null;
    this.busy.set(lane, runId);
    return lane;
  }

  wait(runId: string): void {
    this.waiting.push(runId);
  }

  /**
   * Frees the run's lane (or drops it from the queue). Returns the next queued run, which
   * already holds the freed lane, or null.
   */
  release(runId: string): { runId: string; lane: string } | null {
    this.drop(runId);
    const lane = [...this.busy].find(([, holder]) => holder === runId)?.[0];
    if (lane === undefined) return null;
    this.busy.delete(lane);
    const next = this.waiting.shift();
    if (next === undefined) return null;
    this.busy.set(lane, next);
    return { runId: next, lane };
  }

  /** Takes a waiting run out of the queue (canceled before it started). */
  drop(runId: string): boolean {
    const at = this.waiting.indexOf(runId);
    if (at < 0) return false;
    this.waiting.splice(at, 1);
    return true;
  }

  get busyCount(): number {
    return this.busy.size;
  }

  get waitingCount(): number {
    return this.waiting.length;
  }
}

/** Changing runs waiting for a target's lock, first come first served. */
export class TargetQueues {
  private readonly queues = new Map<string, string[]>();

  wait(targetId: string, runId: string): void {
    const queue = this.queues.get(targetId) ?? [];
    queue.push(runId);
    this.queues.set(targetId, queue);
  }

  /** The next run waiting for the target, taken out of its queue. */
  next(targetId: string): string | null {
    const queue = this.queues.get(targetId);
    const runId = queue?.shift() ?? null;
    if (queue && queue.length === 0) this.queues.delete(targetId);
    return runId;
  }

  /** Back at the head of the target's queue (its lock was still held). */
  putFirst(targetId: string, runId: string): void {
    this.queues.set(targetId, [runId, ...(this.queues.get(targetId) ?? [])]);
  }

  /** Targets some run waits for. */
  targets(): string[] {
    return [...this.queues.keys()];
  }

  drop(runId: string): boolean {
    for (const [targetId, queue] of this.queues) {
      const at = queue.indexOf(runId);
      if (at < 0) continue;
      queue.splice(at, 1);
      if (queue.length === 0) this.queues.delete(targetId);
      return true;
    }
    return false;
  }
}
