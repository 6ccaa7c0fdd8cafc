/**
 * The fake clock the service tests rely on (timers fire in due order, with `now()` at their own
 * time; intervals repeat; `nextTimer` waits for a schedule) and `delay`, the abortable wait.
 */
import { describe, expect, it } from 'vitest';
import { isAbort } from '../../../node/abort';
import { delay, isoNow } from '../../../node/clock';
import { FakeClock } from '../../support/fake-clock';

describe('FakeClock', () => {
  it('fires due timers in order, each at its own time, including ones set while advancing', () => {
    const clock = new FakeClock(1_000);
    const fired: [string, number][] = [];
    clock.setTimeout(() => fired.push(['b', clock.now()]), 20);
    clock.setTimeout(() => {
      fired.push(['a', clock.now()]);
      clock.setTimeout(() => fired.push(['a+5', clock.now()]), 5);
    }, 10);
    clock.setTimeout(() => fired.push(['late', clock.now()]), 100);
    expect(clock.advance(20)).toBe(3);
    expect(fired).toEqual([
      ['a', 1_010],
      ['a+5', 1_015],
      ['b', 1_020],
    ]);
    expect(clock.now()).toBe(1_020);
    expect(clock.pendingDelays).toEqual([100]);
    expect(clock.nextIn()).toBe(80);
  });

  it('repeats intervals until cleared, and a cleared timer never fires', () => {
    const clock = new FakeClock(0);
    let ticks = 0;
    const interval = clock.setInterval(() => ticks++, 10);
    const timeout = clock.setTimeout(() => ticks += 100, 5);
    clock.clearTimeout(timeout);
    clock.advance(35);
    expect(ticks).toBe(3);
    clock.clearInterval(interval);
    expect(clock.pending).toBe(0);
    expect(clock.advance(100)).toBe(0);
  });

  it('resolves nextTimer when a matching timer is set', async () => {
    const clock = new FakeClock(0);
    const waiting = clock.nextTimer((ms) => ms === 500);
    clock.setTimeout(() => undefined, 10);
    void Promise.resolve().then(() => clock.setTimeout(() => undefined, 500));
    expect(await waiting).toBe(500);
    expect(isoNow(clock)).toBe('1970-01-01T00:00:00.000Z');
  });
});

describe('delay', () => {
  it('resolves after its time on the clock, not before', async () => {
    const clock = new FakeClock(0);
    let done = false;
    const waiting = delay(clock, 1_000).then(() => (done = true));
    await clock.advanceAsync(999);
    expect(done).toBe(false);
    await clock.advanceAsync(1);
    await waiting;
    expect(done).toBe(true);
  });

  it('rejects with an AbortError as soon as its signal aborts, and clears its timer', async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const waiting = delay(clock, 60_000, controller.signal);
    expect(clock.pending).toBe(1);
    controller.abort();
    const error = await waiting.then(() => null, (e: unknown) => e);
    expect(isAbort(error)).toBe(true);
    expect(clock.pending).toBe(0);
    await expect(delay(clock, 10, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});
