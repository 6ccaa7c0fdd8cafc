import { describe, expect, it } from 'vitest';
import { BoundaryDedupe, dedupeKey } from '../../../shared/boundary-dedupe';

const key = (message: string) => ({ stream: 'stdout' as const, message });

describe('BoundaryDedupe', () => {
  it('lets everything through until a re-read is armed', () => {
    const d = new BoundaryDedupe();
    expect([d.accept(1000, key('a')), d.accept(1000, key('a')), d.accept(2000, key('b'))]).toEqual([true, true, true]);
    expect(d.lastTimestamp).toBe(2000);
  });

  it('skips the replayed second as often as each line was seen, and older lines', () => {
    const d = new BoundaryDedupe();
    for (const [ts, m] of [
      [1000, 'old'],
      [2000, 'x'],
      [2000, 'x'],
      [2000, 'y'],
    ] as const)
      d.accept(ts, key(m));
    d.arm();
    const replay = [
      [1000, 'old'],
      [2000, 'x'],
      [2000, 'y'],
      [2000, 'x'],
      [2000, 'x'], // a third x in that second is new
      [3000, 'z'],
      [3000, 'z'],
    ] as const;
    expect(replay.map(([ts, m]) => d.accept(ts, key(m)))).toEqual([false, false, false, false, true, true, true]);
    expect(d.replaying).toBe(false);
  });

  it('re-arms at the newest second after more lines came', () => {
    const d = new BoundaryDedupe();
    d.accept(1000, key('a'));
    d.arm();
    d.accept(1000, key('a'));
    d.accept(2000, key('b'));
    d.arm();
    expect([d.accept(1000, key('a')), d.accept(2000, key('b')), d.accept(2000, key('c'))]).toEqual([
      false,
      false,
      true,
    ]);
  });

  it('as a one-off gate seeded from the cache, stops checking after the first newer line', () => {
    const gate = new BoundaryDedupe({ record: false });
    gate.seed(5000, [key('cached')]);
    expect(gate.replaying).toBe(true);
    expect([
      gate.accept(4000, key('older')),
      gate.accept(5000, key('cached')),
      gate.accept(5000, key('new')),
      gate.accept(6000, key('later')),
    ]).toEqual([false, false, true, true]);
    expect(gate.replaying).toBe(false);
  });

  it('for a live pane, skips lines of the boundary second from before the first one it showed', () => {
    // A tail of 1 showed only "42" of a second that also had 40 and 41.
    const d = new BoundaryDedupe({ skipUnseenBefore: true });
    d.accept(5000, key('42'));
    d.arm();
    const reread = ['40', '41', '42', '43'].map((m) => d.accept(5000, key(m)));
    expect(reread).toEqual([false, false, false, true]);
    // Without the option (the cache's gate), 40 and 41 are lines it lacks: they pass.
    const gate = new BoundaryDedupe({ record: false });
    gate.seed(5000, [key('42')]);
    expect(['40', '41', '42', '43'].map((m) => gate.accept(5000, key(m)))).toEqual([true, true, false, true]);
  });

  it('tells stdout from stderr and long lines apart by their length', () => {
    expect(dedupeKey({ stream: 'stdout', message: 'm' })).not.toBe(dedupeKey({ stream: 'stderr', message: 'm' }));
    expect(key('a'.repeat(300))).not.toBe(key('a'.repeat(301)));
  });

  it("as a pane's gate (lines kept, no stream), skips a renewed tail's repeats of long and short lines alike", () => {
    const long = 'L'.repeat(5_000);
    const d = new BoundaryDedupe({ keepLines: true });
    for (const [ts, message] of [
      [1000, 'old'],
      [2000, long],
      [2000, 'x'],
      [2000, long],
    ] as const)
      expect(d.accept(ts, { message })).toBe(true);
    d.arm();
    // The renewed follow's tail: the whole boundary second again, then what is new.
    const tail = [
      [1000, 'old'],
      [2000, long],
      [2000, 'x'],
      [2000, long],
      [2000, `${long}!`],
      [3000, 'x'],
    ] as const;
    expect(tail.map(([ts, message]) => d.accept(ts, { message }))).toEqual([false, false, false, false, true, true]);
    expect(d.replaying).toBe(false);
  });
});
