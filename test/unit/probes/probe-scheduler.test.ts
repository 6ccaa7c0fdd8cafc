/**
 * node/probes/probe-scheduler.ts on the fake clock: start-to-start intervals, first runs spread
 * over the interval, the concurrency bound with fair queueing across groups, no probe overlapping
 * itself, pause and remove, "run now" beside the schedule, and dispose aborting runs in flight.
 */
import { describe, expect, it } from 'vitest';
import { delay } from '../../../node/clock';
import { ProbeScheduler, spreadOffset, type RunState, type ScheduledProbe } from '../../../node/probes/probe-scheduler';
import type { ProbeTrigger } from '../../../shared/model/probe';
import { FakeClock } from '../../support/fake-clock';

interface Start {
  id: string;
  trigger: ProbeTrigger;
  at: number;
}

/** A scheduler whose runs take `durationMs(id)` of fake time, recording what ran when. */
function harness(options: { concurrency?: number; durationMs?: (id: string) => number } = {}) {
  const clock = new FakeClock(0);
  const starts: Start[] = [];
  const lateness: { id: string; dueMs: number; startedMs: number }[] = [];
  const aborted: string[] = [];
  const active = new Set<string>();
  let maxActive = 0;
  let overlapped = false;
  const scheduler = new ProbeScheduler({
    clock,
    concurrency: options.concurrency,
    run: async (id, trigger, signal) => {
      if (active.has(id)) overlapped = true;
      active.add(id);
      maxActive = Math.max(maxActive, active.size);
      starts.push({ id, trigger, at: clock.now() });
      try {
        await delay(clock, options.durationMs?.(id) ?? 1_000, signal);
      } catch (error) {
        aborted.push(id);
        throw error;
      } finally {
        active.delete(id);
      }
    },
    onStart: (id, dueMs, startedMs) => lateness.push({ id, dueMs, startedMs }),
  });
  return {
    clock,
    scheduler,
    starts,
    lateness,
    aborted,
    active,
    get maxActive() {
      return maxActive;
    },
    get overlapped() {
      return overlapped;
    },
    times: (id: string) => starts.filter((s) => s.id === id).map((s) => s.at),
  };
}

const probe = (id: string, intervalMs: number, extra: Partial<ScheduledProbe> = {}): ScheduledProbe => ({ id, intervalMs, paused: false, ...extra });

describe('ProbeScheduler: rhythm', () => {
  it('measures intervals start to start: a 3 s run every 10 s starts at 0, 10, 20, 30 s', async () => {
    const h = harness({ durationMs: () => 3_000 });
    h.scheduler.set([probe('alpha', 10_000)]);
    h.scheduler.start();
    const first = spreadOffset('alpha', 10_000);
    expect(h.scheduler.nextDue('alpha')).toBe(first);
    await h.clock.advanceAsync(first + 35_000);
    expect(h.times('alpha')).toEqual([0, 10_000, 20_000, 30_000].map((t) => first + t));
    expect(h.starts.every((s) => s.trigger === 'scheduler')).toBe(true);
    // Every run started exactly when it was due: no lateness on an idle scheduler.
    expect(h.lateness.every((l) => l.startedMs === l.dueMs)).toBe(true);
  });

  it('skips a turn that comes while the previous run is still going, and counts it', async () => {
    const h = harness({ durationMs: () => 15_000 });
    h.scheduler.set([probe('slow', 10_000)]);
    h.scheduler.start();
    const first = spreadOffset('slow', 10_000);
    await h.clock.advanceAsync(first + 45_000);
    expect(h.times('slow')).toEqual([0, 20_000, 40_000].map((t) => first + t));
    expect(h.overlapped).toBe(false);
    expect(h.scheduler.skippedTurns('slow')).toBe(2);
    expect(h.scheduler.stats()).toMatchObject({ started: 3, skipped: 2 });
  });

  it('spreads first runs over the interval, the same way every time', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `probe-${i}`);
    const h = harness({ durationMs: () => 10 });
    h.scheduler.set(ids.map((id) => probe(id, 60_000)));
    h.scheduler.start();
    await h.clock.advanceAsync(60_000);
    const firsts = ids.map((id) => h.times(id)[0]!);
    expect(firsts.every((t) => t >= 0 && t < 60_000)).toBe(true);
    expect(firsts).toEqual(ids.map((id) => spreadOffset(id, 60_000)));
    // Never more than a handful in any one second (all 100 at once is what this prevents).
    const perSecond = new Map<number, number>();
    for (const t of firsts) perSecond.set(Math.floor(t / 1_000), (perSecond.get(Math.floor(t / 1_000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(6);
    expect(new Set(firsts).size).toBeGreaterThan(95);
  });

  it('resumes from the last start after a restart, or spreads when that time has passed', () => {
    const h = harness();
    h.clock.advance(100_000);
    h.scheduler.set([probe('recent', 30_000, { lastStartedMs: 90_000 }), probe('old', 30_000, { lastStartedMs: 10_000 })]);
    h.scheduler.start();
    expect(h.scheduler.nextDue('recent')).toBe(120_000);
    expect(h.scheduler.nextDue('old')).toBe(100_000 + spreadOffset('old', 30_000));
  });

  it('does nothing before start, and keeps running after a run that throws or rejects', async () => {
    const clock = new FakeClock(0);
    const calls: number[] = [];
    const scheduler = new ProbeScheduler({
      clock,
      run: () => {
        calls.push(clock.now());
        if (calls.length === 1) throw new Error('synchronous');
        return Promise.reject(new Error('asynchronous'));
      },
    });
    scheduler.set([probe('p', 10_000)]);
    await clock.advanceAsync(50_000);
    expect(calls).toEqual([]);
    expect(clock.pending).toBe(0);
    scheduler.start();
    await clock.advanceAsync(30_000);
    const first = spreadOffset('p', 10_000);
    expect(calls).toEqual([50_000 + first, 60_000 + first, 70_000 + first]);
    expect(scheduler.isRunning('p')).toBe(false);
  });
});

describe('ProbeScheduler: concurrency and fairness', () => {
  it('runs at most `concurrency` at once and serves a group of one beside a group of a hundred', async () => {
    const h = harness({ concurrency: 2, durationMs: () => 1_000 });
    h.clock.advance(60_000);
    // All due at the same instant: their last start was an interval ago.
    const big = Array.from({ length: 100 }, (_, i) => probe(`big-${i}`, 60_000, { group: 'github', lastStartedMs: 0 }));
    h.scheduler.set([...big, probe('lonely', 60_000, { group: 'gemini', lastStartedMs: 0 })]);
    h.scheduler.start();
    await h.clock.advanceAsync(0);
    expect(h.scheduler.stats()).toMatchObject({ running: 2, queued: 99 });
    // The lonely scope's probe is served in the first round, not after the hundred.
    expect(h.times('lonely')).toEqual([60_000]);
    await h.clock.advanceAsync(50_000);
    expect(h.maxActive).toBe(2);
    expect(h.starts).toHaveLength(101);
    // Within a group, first due first: big-0 … big-99 in order, two a second.
    const bigStarts = h.starts.filter((s) => s.id.startsWith('big-'));
    expect(bigStarts.map((s) => s.id)).toEqual(big.map((p) => p.id));
    expect(bigStarts.at(-1)!.at).toBe(60_000 + 50_000);
    // Lateness is what the queue cost: due at 60 s, the last started 50 s later.
    expect(Math.max(...h.lateness.map((l) => l.startedMs - l.dueMs))).toBe(50_000);
  });

  it('alternates between groups while both have runs waiting', async () => {
    const h = harness({ concurrency: 1, durationMs: () => 100 });
    h.clock.advance(10_000);
    const a = ['a1', 'a2', 'a3', 'a4'].map((id) => probe(id, 10_000, { group: 'a', lastStartedMs: 0 }));
    const b = ['b1', 'b2'].map((id) => probe(id, 10_000, { group: 'b', lastStartedMs: 0 }));
    h.scheduler.set([...a, ...b]);
    h.scheduler.start();
    await h.clock.advanceAsync(1_000);
    expect(h.starts.map((s) => s.id)).toEqual(['a1', 'b1', 'a2', 'b2', 'a3', 'a4']);
  });
});

describe('ProbeScheduler: pause, remove, run now', () => {
  it('stops a paused probe and resumes it; lets a run in flight finish', async () => {
    const h = harness({ durationMs: () => 2_000 });
    h.scheduler.set([probe('p', 10_000)]);
    h.scheduler.start();
    const first = spreadOffset('p', 10_000);
    await h.clock.advanceAsync(first + 1_000);
    expect(h.scheduler.isRunning('p')).toBe(true);
    h.scheduler.set([probe('p', 10_000, { paused: true })]);
    expect(h.scheduler.nextDue('p')).toBeNull();
    await h.clock.advanceAsync(40_000);
    expect(h.times('p')).toEqual([first]);
    expect(h.aborted).toEqual([]);
    expect(h.clock.pending).toBe(0);
    // Resumed long after: its old rhythm has passed, so it takes its spread place from now.
    const resumedAt = h.clock.now();
    h.scheduler.set([probe('p', 10_000)]);
    await h.clock.advanceAsync(10_000);
    expect(h.times('p')).toEqual([first, resumedAt + first]);
  });

  it('removes a probe: its run in flight is aborted, its queued run dropped, no timer left', async () => {
    const h = harness({ concurrency: 1, durationMs: () => 5_000 });
    h.clock.advance(10_000);
    h.scheduler.set([probe('one', 10_000, { lastStartedMs: 0 }), probe('two', 10_000, { lastStartedMs: 0 })]);
    h.scheduler.start();
    await h.clock.advanceAsync(0);
    expect(h.scheduler.state('one')).toBe('running');
    expect(h.scheduler.state('two')).toBe('queued');
    h.scheduler.set([]);
    await h.clock.advanceAsync(0);
    expect(h.aborted).toEqual(['one']);
    expect(h.scheduler.state('one')).toBe('idle');
    expect(h.scheduler.state('two')).toBe('idle');
    await h.clock.advanceAsync(60_000);
    expect(h.starts.map((s) => s.id)).toEqual(['one']);
    expect(h.clock.pending).toBe(0);
  });

  it('changes an interval from the last due time, start to start', async () => {
    const h = harness({ durationMs: () => 100 });
    h.scheduler.set([probe('p', 10_000)]);
    h.scheduler.start();
    const first = spreadOffset('p', 10_000);
    await h.clock.advanceAsync(first + 2_000);
    h.scheduler.set([probe('p', 30_000)]);
    expect(h.scheduler.nextDue('p')).toBe(first + 30_000);
    await h.clock.advanceAsync(60_000);
    expect(h.times('p')).toEqual([first, first + 30_000, first + 60_000]);
  });

  it('runs now without moving the schedule, joins a run already going, and runs a paused probe', async () => {
    const h = harness({ durationMs: () => 2_000 });
    h.scheduler.set([probe('p', 10_000), probe('held', 10_000, { paused: true })]);
    h.scheduler.start();
    const first = spreadOffset('p', 10_000);
    await h.clock.advanceAsync(first + 4_000);
    let done = false;
    const manual = h.scheduler.runNow(['p', 'held', 'unknown'], 'manual').then(() => (done = true));
    expect(h.scheduler.state('p')).toBe('running');
    // Asked again while it runs: joined, not a second run.
    const again = h.scheduler.runNow(['p'], 'cli');
    await h.clock.advanceAsync(1_999);
    expect(done).toBe(false);
    await h.clock.advanceAsync(1);
    await manual;
    await again;
    await h.clock.advanceAsync(30_000);
    expect(h.starts.filter((s) => s.id === 'p').map((s) => [s.at - first, s.trigger])).toEqual([
      [0, 'scheduler'],
      [4_000, 'manual'],
      [10_000, 'scheduler'],
      [20_000, 'scheduler'],
      [30_000, 'scheduler'],
    ]);
    expect(h.starts.filter((s) => s.id === 'held').map((s) => s.trigger)).toEqual(['manual']);
    expect(h.overlapped).toBe(false);
  });

  it('turns a queued scheduled run into the manual one asked for', async () => {
    const h = harness({ concurrency: 1, durationMs: () => 1_000 });
    h.clock.advance(10_000);
    h.scheduler.set([probe('first', 10_000, { lastStartedMs: 0 }), probe('second', 10_000, { lastStartedMs: 0 })]);
    h.scheduler.start();
    await h.clock.advanceAsync(0);
    expect(h.scheduler.state('second')).toBe('queued');
    const asked = h.scheduler.runNow(['second'], 'manual');
    await h.clock.advanceAsync(2_000);
    await asked;
    expect(h.starts.map((s) => [s.id, s.trigger])).toEqual([
      ['first', 'scheduler'],
      ['second', 'manual'],
    ]);
  });

  it('tells listeners as a probe is queued, runs and ends', async () => {
    const h = harness({ concurrency: 1, durationMs: () => 500 });
    const seen: [string, RunState][] = [];
    const unsubscribe = h.scheduler.onChange((id, state) => seen.push([id, state]));
    h.scheduler.set([probe('a', 10_000), probe('b', 10_000)]);
    void h.scheduler.runNow(['a', 'b'], 'manual');
    await h.clock.advanceAsync(1_000);
    expect(seen).toEqual([
      ['a', 'queued'],
      ['b', 'queued'],
      ['a', 'running'],
      ['a', 'idle'],
      ['b', 'running'],
      ['b', 'idle'],
    ]);
    unsubscribe();
    void h.scheduler.runNow(['a'], 'manual');
    expect(seen).toHaveLength(6);
  });
});

describe('ProbeScheduler: dispose', () => {
  it('aborts runs in flight, drops queued ones, clears its timer and resolves when they have ended', async () => {
    const h = harness({ concurrency: 1, durationMs: () => 60_000 });
    h.clock.advance(10_000);
    h.scheduler.set([probe('a', 10_000, { lastStartedMs: 0 }), probe('b', 10_000, { lastStartedMs: 0 })]);
    h.scheduler.start();
    await h.clock.advanceAsync(0);
    let waitedFor = false;
    const waiting = h.scheduler.runNow(['b'], 'manual').then(() => (waitedFor = true));
    await h.scheduler.dispose();
    await waiting;
    expect(waitedFor).toBe(true);
    expect(h.aborted).toEqual(['a']);
    expect(h.active.size).toBe(0);
    expect(h.clock.pending).toBe(0);
    await h.scheduler.runNow(['a'], 'manual');
    h.scheduler.set([probe('c', 10_000)]);
    await h.clock.advanceAsync(60_000);
    expect(h.starts.map((s) => s.id)).toEqual(['a']);
  });
});
