/**
 * A Clock whose time moves only when the test says so.
 *
 * `advance(ms)` fires every timer due within those milliseconds, in the order they fall due (ties
 * in the order they were set), with `now()` at each timer's own time; timers set by a callback
 * fire too when they fall within the window. `advanceAsync` does the same but lets promise
 * chains and I/O callbacks run after each timer, for services whose timers start async work
 * (a poll, a trim) that in turn sets the next timer. `pending` counts the timers still set, so a
 * test can check that disposing a service left none behind.
 */
import type { Clock, Timer } from '../../node/clock';

interface FakeTimer extends Timer {
  readonly id: number;
  at: number;
  readonly every: number | null;
  readonly callback: () => void;
  /** The delay it was set with. */
  readonly ms: number;
}

export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly timers = new Map<number, FakeTimer>();
  private waiters: { match: (ms: number) => boolean; resolve: (ms: number) => void }[] = [];

  constructor(start: number | string = Date.UTC(2024, 4, 1, 10)) {
    this.time = typeof start === 'string' ? Date.parse(start) : start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): Timer {
    return this.add(callback, ms, null);
  }

  clearTimeout(timer: Timer | undefined): void {
    if (timer) this.timers.delete((timer as FakeTimer).id);
  }

  setInterval(callback: () => void, ms: number): Timer {
    return this.add(callback, ms, Math.max(1, ms));
  }

  clearInterval(timer: Timer | undefined): void {
    this.clearTimeout(timer);
  }

  /** Timers set and not yet fired (intervals count while set). */
  get pending(): number {
    return this.timers.size;
  }

  /** The delays of the pending timers, soonest first. */
  get pendingDelays(): number[] {
    return this.sorted().map((t) => t.ms);
  }

  /** Milliseconds until the next timer is due; null when none is set. */
  nextIn(): number | null {
    const next = this.sorted()[0];
    return next ? next.at - this.time : null;
  }

  /** Moves time on by `ms`, firing the timers due on the way, synchronously. Returns how many fired. */
  advance(ms: number): number {
    const end = this.time + ms;
    let fired = 0;
    for (let timer = this.due(end); timer; timer = this.due(end)) {
      this.fire(timer);
      fired++;
    }
    this.time = end;
    return fired;
  }

  /** Like `advance`, but settles promises and I/O after each timer, so async work it starts runs. */
  async advanceAsync(ms: number): Promise<number> {
    const end = this.time + ms;
    let fired = 0;
    await settle();
    for (let timer = this.due(end); timer; timer = this.due(end)) {
      this.fire(timer);
      fired++;
      await settle();
    }
    this.time = end;
    return fired;
  }

  /**
   * Resolves with its delay when a timer is set whose delay matches (any when no predicate): at
   * once if one is already pending. For "wait until the service has scheduled its next step".
   */
  nextTimer(match: (ms: number) => boolean = () => true): Promise<number> {
    const already = this.sorted().find((t) => match(t.ms));
    if (already) return Promise.resolve(already.ms);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  private add(callback: () => void, ms: number, every: number | null): Timer {
    const delayMs = Math.max(0, Number.isFinite(ms) ? ms : 0);
    const timer: FakeTimer = { id: ++this.seq, at: this.time + delayMs, every, callback, ms: delayMs, unref: () => timer };
    this.timers.set(timer.id, timer);
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) {
      if (waiter.match(delayMs)) waiter.resolve(delayMs);
      else this.waiters.push(waiter);
    }
    return timer;
  }

  private sorted(): FakeTimer[] {
    return [...this.timers.values()].sort((a, b) => a.at - b.at || a.id - b.id);
  }

  private due(end: number): FakeTimer | undefined {
    const next = this.sorted()[0];
    return next && next.at <= end ? next : undefined;
  }

  private fire(timer: FakeTimer) {
    this.time = Math.max(this.time, timer.at);
    if (timer.every === null) this.timers.delete(timer.id);
    else timer.at += timer.every;
    timer.callback();
  }
}

/** Lets pending promise callbacks and already-arrived I/O run (one macrotask turn, twice). */
async function settle(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
