/**
 * When each probe runs: on its interval, on request, never overlapping itself, at most a few at
 * a time, fairly across groups.
 *
 * - Intervals are measured start to start, from the time a run was due rather than the time it
 *   ended or actually started, so a probe at 10 s runs at 0, 10, 20 … however long each run takes
 *   and however late one started: end-to-start scheduling drifts by the run time every round.
 * - A probe's first run falls at a fixed point within its interval chosen by a hash of its id, so
 *   a hundred probes added (or an app restarted) at once do not all fire in the same instant, and
 *   a probe keeps the same phase across restarts. A probe that reports when it last started
 *   resumes from that instead, unless that time has already passed.
 * - A probe that comes due while its previous run is still going (or still queued) skips that
 *   turn: the turn is counted (`stats().skipped`) and the next is an interval later. Deferring it
 *   instead would stack runs behind a slow endpoint and then fire them back to back.
 * - At most `concurrency` runs are in flight; the rest wait in one queue per group (a probe's
 *   scope), served round-robin, first due first within a group, so a scope with a hundred probes
 *   cannot starve a scope with one.
 * - `runNow` queues a run at once without touching the schedule; asking for a probe that is
 *   already queued or running joins that run instead of starting a second.
 * - `dispose` aborts every run in flight through the signal it was given.
 *
 * The scheduler knows nothing of probes beyond an id, an interval and a group: what a run does is
 * the `run` callback's business, so the app and the agent can drive their own.
 */
import { AbortedError } from '../abort';
import type { Clock, Timer } from '../clock';
import type { ProbeTrigger } from '../../shared/model/probe';

/** One probe as the scheduler sees it. */
export interface ScheduledProbe {
  id: string;
  intervalMs: number;
  paused: boolean;
  /** Probes of one group share a fair share of the run slots (the probe's scope); default: one group for all. */
  group?: string;
  /** When its last run started (after a restart); its next run is then an interval after that. */
  lastStartedMs?: number | null;
}

export type RunState = 'idle' | 'queued' | 'running';

export interface ProbeSchedulerOptions {
  clock: Clock;
  /** Runs in flight at most, across all probes. */
  concurrency?: number;
  /** Makes one run. Must honour `signal`; a rejection is the callback's own business and is ignored here. */
  run: (probeId: string, trigger: ProbeTrigger, signal: AbortSignal) => Promise<void>;
  /** Called as a run starts, with when it was due: their difference is its lateness. */
  onStart?: (probeId: string, dueMs: number, startedMs: number, trigger: ProbeTrigger) => void;
}

export interface SchedulerStats {
  /** Runs started since construction. */
  started: number;
  /** Scheduled turns skipped because the probe's previous run was still queued or running. */
  skipped: number;
  /** Scheduled turns that passed entirely while the process could not fire them (a suspended laptop). */
  missed: number;
  queued: number;
  running: number;
}

export const DEFAULT_PROBE_CONCURRENCY = 8;

interface Entry {
  id: string;
  intervalMs: number;
  paused: boolean;
  group: string;
  /** The due time in the heap; null when not scheduled (paused, or the scheduler not started). */
  nextDueMs: number | null;
  /** The last scheduled due time that came round: the base of the start-to-start rhythm. */
  lastDueMs: number | null;
  lastStartedMs: number | null;
  skipped: number;
}

interface Queued {
  id: string;
  group: string;
  dueMs: number;
  trigger: ProbeTrigger;
  waiters: (() => void)[];
}

interface InFlight {
  controller: AbortController;
  done: Promise<void>;
  waiters: (() => void)[];
}

interface HeapItem {
  dueMs: number;
  seq: number;
  id: string;
}

export class ProbeScheduler {
  private readonly clock: Clock;
  private readonly concurrency: number;
  private readonly runFn: ProbeSchedulerOptions['run'];
  private readonly onStartFn: ProbeSchedulerOptions['onStart'];
  private readonly entries = new Map<string, Entry>();
  private readonly queued = new Map<string, Queued>();
  private readonly inFlight = new Map<string, InFlight>();
  /** Waiting runs by group, and the groups with any, in the round-robin's order. */
  private readonly queues = new Map<string, Queued[]>();
  private ring: string[] = [];
  private cursor = 0;
  private readonly heap = new DueHeap();
  private readonly listeners = new Set<(probeId: string, state: RunState) => void>();
  private timer: Timer | undefined;
  private timerAt: number | null = null;
  private started = false;
  private disposed = false;
  private readonly counts = { started: 0, skipped: 0, missed: 0 };

  constructor(options: ProbeSchedulerOptions) {
    this.clock = options.clock;
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_PROBE_CONCURRENCY));
    this.runFn = options.run;
    this.onStartFn = options.onStart;
  }

  /**
   * Makes the schedule match `probes`: new ones added, changed ones rescheduled, missing ones
   * removed (a removed probe's run in flight is aborted, its queued run dropped). Pausing drops a
   * queued scheduled run but lets one in flight finish.
   */
  set(probes: readonly ScheduledProbe[]): void {
    if (this.disposed) return;
    const wanted = new Map(probes.map((probe) => [probe.id, probe]));
    for (const id of [...this.entries.keys()]) {
      if (!wanted.has(id)) this.remove(id);
    }
    for (const probe of wanted.values()) {
      const intervalMs = Math.max(1, Math.round(probe.intervalMs));
      const group = probe.group ?? '';
      const entry = this.entries.get(probe.id);
      if (!entry) {
        const added: Entry = {
          id: probe.id,
          intervalMs,
          paused: probe.paused,
          group,
          nextDueMs: null,
          lastDueMs: null,
          lastStartedMs: probe.lastStartedMs ?? null,
          skipped: 0,
        };
        this.entries.set(probe.id, added);
        if (this.started && !added.paused) this.schedule(added, this.firstDue(added));
        continue;
      }
      entry.group = group;
      const resumed = entry.paused && !probe.paused;
      const changed = entry.intervalMs !== intervalMs;
      entry.intervalMs = intervalMs;
      entry.paused = probe.paused;
      if (probe.paused) {
        entry.nextDueMs = null;
        const waiting = this.queued.get(probe.id);
        if (waiting?.trigger === 'scheduler') this.dropQueued(waiting);
      } else if (this.started && (resumed || changed || entry.nextDueMs === null)) {
        this.schedule(entry, this.firstDue(entry));
      }
    }
    this.arm();
  }

  /** Starts the timers; first runs spread over each probe's interval from now. */
  start(): void {
    if (this.started || this.disposed) return;
    this.started = true;
    for (const entry of this.entries.values()) {
      if (!entry.paused) this.schedule(entry, this.firstDue(entry));
    }
    this.arm();
    this.pump();
  }

  /**
   * Queues a run of each of `ids` now (paused ones too: a person asked), leaving their schedules
   * as they were. One already queued or running is joined rather than run twice; unknown ids are
   * ignored. Resolves when every run asked for has ended (or was dropped).
   */
  runNow(ids: readonly string[], trigger: ProbeTrigger): Promise<void> {
    if (this.disposed) return Promise.resolve();
    const waits: Promise<void>[] = [];
    const now = this.clock.now();
    for (const id of new Set(ids)) {
      const entry = this.entries.get(id);
      if (!entry) continue;
      const running = this.inFlight.get(id);
      const waiting = this.queued.get(id);
      if (running) {
        waits.push(new Promise((resolve) => running.waiters.push(resolve)));
      } else if (waiting) {
        // A person asking turns a queued scheduled run into theirs, so the result says so.
        if (waiting.trigger === 'scheduler') waiting.trigger = trigger;
        waits.push(new Promise((resolve) => waiting.waiters.push(resolve)));
      } else {
        const item = this.enqueue(entry, now, trigger);
        waits.push(new Promise((resolve) => item.waiters.push(resolve)));
      }
    }
    this.pump();
    return Promise.all(waits).then(() => undefined);
  }

  isRunning(id: string): boolean {
    return this.inFlight.has(id);
  }

  state(id: string): RunState {
    if (this.inFlight.has(id)) return 'running';
    return this.queued.has(id) ? 'queued' : 'idle';
  }

  /** When the probe is next due on its schedule; null when paused, unknown or not started. */
  nextDue(id: string): number | null {
    return this.entries.get(id)?.nextDueMs ?? null;
  }

  /** Turns this probe skipped because its previous run had not ended. */
  skippedTurns(id: string): number {
    return this.entries.get(id)?.skipped ?? 0;
  }

  stats(): SchedulerStats {
    return { ...this.counts, queued: this.queued.size, running: this.inFlight.size };
  }

  /** Called whenever a probe becomes queued, running or idle; returns the unsubscribe. */
  onChange(listener: (probeId: string, state: RunState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the timers, drops queued runs and aborts those in flight; resolves when they have ended. */
  dispose(): Promise<void> {
    if (!this.disposed) {
      this.disposed = true;
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
      for (const item of [...this.queued.values()]) this.dropQueued(item);
      for (const run of this.inFlight.values()) run.controller.abort(new AbortedError('The probe scheduler stopped.'));
      this.entries.clear();
      this.listeners.clear();
    }
    return Promise.all([...this.inFlight.values()].map((run) => run.done)).then(() => undefined);
  }

  private remove(id: string) {
    this.entries.delete(id);
    const waiting = this.queued.get(id);
    if (waiting) this.dropQueued(waiting);
    // It stays in flight until it has ended, so a probe re-added under the same id cannot overlap it.
    this.inFlight.get(id)?.controller.abort(new AbortedError('The probe was removed.'));
  }

  /** The first due time: an interval after the last start if that is still ahead, else a fixed phase. */
  private firstDue(entry: Entry): number {
    const now = this.clock.now();
    const base = entry.lastDueMs ?? entry.lastStartedMs;
    if (base !== null && base + entry.intervalMs >= now) return base + entry.intervalMs;
    return now + spreadOffset(entry.id, entry.intervalMs);
  }

  private schedule(entry: Entry, dueMs: number) {
    entry.nextDueMs = dueMs;
    this.heap.push(dueMs, entry.id);
  }

  /** Keeps one timer, set for the earliest due time. */
  private arm() {
    if (!this.started || this.disposed) return;
    let top = this.heap.peek();
    // Items of probes since removed, paused or rescheduled are left in the heap and dropped here.
    while (top && this.entries.get(top.id)?.nextDueMs !== top.dueMs) {
      this.heap.pop();
      top = this.heap.peek();
    }
    if (!top) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = null;
      return;
    }
    if (this.timer !== undefined && this.timerAt === top.dueMs) return;
    this.clock.clearTimeout(this.timer);
    this.timerAt = top.dueMs;
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, top.dueMs - this.clock.now()));
  }

  private fire() {
    this.timer = undefined;
    this.timerAt = null;
    const now = this.clock.now();
    for (let top = this.heap.peek(); top && top.dueMs <= now; top = this.heap.peek()) {
      this.heap.pop();
      const entry = this.entries.get(top.id);
      if (entry && entry.nextDueMs === top.dueMs) this.comeDue(entry, top.dueMs, now);
    }
    this.arm();
    this.pump();
  }

  private comeDue(entry: Entry, dueMs: number, now: number) {
    entry.lastDueMs = dueMs;
    // Start to start from the due time; turns that passed whole while nothing could fire are missed.
    let next = dueMs + entry.intervalMs;
    if (next <= now) {
      const missed = Math.floor((now - dueMs) / entry.intervalMs);
      this.counts.missed += missed;
      next = dueMs + (missed + 1) * entry.intervalMs;
    }
    this.schedule(entry, next);
    if (this.inFlight.has(entry.id) || this.queued.has(entry.id)) {
      entry.skipped++;
      this.counts.skipped++;
      return;
    }
    this.enqueue(entry, dueMs, 'scheduler');
  }

  private enqueue(entry: Entry, dueMs: number, trigger: ProbeTrigger): Queued {
    const item: Queued = { id: entry.id, group: entry.group, dueMs, trigger, waiters: [] };
    this.queued.set(entry.id, item);
    const queue = this.queues.get(item.group);
    if (queue) queue.push(item);
    else {
      this.queues.set(item.group, [item]);
      this.ring.push(item.group);
    }
    this.emit(entry.id, 'queued');
    return item;
  }

  private dropQueued(item: Queued) {
    this.queued.delete(item.id);
    const queue = this.queues.get(item.group);
    const at = queue?.indexOf(item) ?? -1;
    if (queue && at >= 0) queue.splice(at, 1);
    if (queue?.length === 0) this.dropGroup(item.group);
    for (const resolve of item.waiters) resolve();
    this.emit(item.id, 'idle');
  }

  private dropGroup(group: string) {
    this.queues.delete(group);
    const at = this.ring.indexOf(group);
    if (at < 0) return;
    this.ring.splice(at, 1);
    if (at < this.cursor) this.cursor--;
  }

  /** The next waiting run, taking groups in turn. */
  private takeFair(): Queued | undefined {
    if (this.ring.length === 0) return undefined;
    if (this.cursor >= this.ring.length) this.cursor = 0;
    const group = this.ring[this.cursor]!;
    const queue = this.queues.get(group)!;
    const item = queue.shift()!;
    if (queue.length === 0) this.dropGroup(group);
    else this.cursor++;
    this.queued.delete(item.id);
    return item;
  }

  private pump() {
    while (!this.disposed && this.inFlight.size < this.concurrency) {
      const item = this.takeFair();
      if (!item) return;
      this.begin(item);
    }
  }

  private begin(item: Queued) {
    const startedMs = this.clock.now();
    const entry = this.entries.get(item.id);
    if (entry) entry.lastStartedMs = startedMs;
    this.counts.started++;
    // In flight before the callback runs, so it (and any listener) already sees the probe running.
    const run: InFlight = { controller: new AbortController(), waiters: item.waiters, done: Promise.resolve() };
    this.inFlight.set(item.id, run);
    this.onStartFn?.(item.id, item.dueMs, startedMs, item.trigger);
    this.emit(item.id, 'running');
    let finished: Promise<void>;
    try {
      finished = Promise.resolve(this.runFn(item.id, item.trigger, run.controller.signal));
    } catch (error) {
      finished = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    run.done = finished.then(
      () => this.end(item.id, run),
      () => this.end(item.id, run),
    );
  }

  private end(id: string, run: InFlight) {
    if (this.inFlight.get(id) === run) this.inFlight.delete(id);
    for (const resolve of run.waiters) resolve();
    this.emit(id, this.queued.has(id) ? 'queued' : 'idle');
    this.pump();
  }

  private emit(id: string, state: RunState) {
    for (const listener of this.listeners) listener(id, state);
  }
}

/** Where in its interval a probe's first run falls: a fixed fraction by a hash of its id. */
export function spreadOffset(id: string, intervalMs: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // FNV-1a alone barely stirs the high bits for ids that differ in their last characters
  // (probe-1, probe-2 …), and those bits pick the phase: murmur3's finaliser spreads them.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return Math.floor(((hash >>> 0) / 2 ** 32) * intervalMs);
}

/** A binary min-heap of due times; ties in the order they were pushed. */
class DueHeap {
  private readonly items: HeapItem[] = [];
  private seq = 0;

  push(dueMs: number, id: string) {
    const items = this.items;
    items.push({ dueMs, seq: this.seq++, id });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  peek(): HeapItem | undefined {
    return this.items[0];
  }

  pop(): HeapItem | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let least = i;
        if (left < items.length && before(items[left]!, items[least]!)) least = left;
        if (right < items.length && before(items[right]!, items[least]!)) least = right;
        if (least === i) break;
        [items[i], items[least]] = [items[least]!, items[i]!];
        i = least;
      }
    }
    return top;
  }
}

function before(a: HeapItem, b: HeapItem): boolean {
  return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.seq < b.seq);
}
