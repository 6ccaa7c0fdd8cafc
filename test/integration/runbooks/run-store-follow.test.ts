/**
 * The viewer's cursor on a real SQLite file: followers that join at different points of a
 * 50,000-event run, one that leaves and comes back with its last sequence number three times, and
 * followers whose own emit appends and so writes batches in the middle of a hand-over. Every one
 * must get each event after its cursor exactly once, in order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../shared/model/runbook';
import { waitFor } from '../../support/keyring';
import { newRun, openFixture, outputLine, type StoreFixture } from './run-store-support';

let fx: StoreFixture | undefined;

afterEach(() => {
  fx?.close();
  fx = undefined;
});

const TOTAL = 50_000;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What one viewer was given, and whether it came in order, once each. */
class Viewer {
  readonly seqs: number[] = [];
  outOfOrder = 0;
  constructor(readonly from: number) {}
  get last(): number {
    return this.seqs.length ? this.seqs[this.seqs.length - 1]! : this.from;
  }
  take(events: RunEvent[]): void {
    for (const event of events) {
      if (event.seq !== this.last + 1) this.outOfOrder++;
      this.seqs.push(event.seq);
    }
  }
  /** True when it was given exactly from+1 … total, in order. */
  complete(total: number): boolean {
    return this.seqs.length === total - this.from && this.outOfOrder === 0 && this.last === total;
  }
}

describe('follow', () => {
  it('gives three followers at different cursors and one that reconnects three times every event once', async () => {
    fx = openFixture({ flushMs: 50, batchSize: 1_000 });
    const { store, clock } = fx;
    const run = store.createRun(newRun());

    const a = new Viewer(0);
    store.follow(run.id, 0, (events) => a.take(events));
    let b: Viewer | undefined;
    let c: Viewer | undefined;

    // D leaves three times: twice from inside its emit (coming back at once, or after a few
    // writer turns), once between turns.
    const d = new Viewer(0);
    let reconnects = 0;
    let stopD: () => void = () => {};
    const followD = () => {
      stopD = store.follow(run.id, d.last, (events) => {
        d.take(events);
        if (reconnects === 0 && d.last >= 8_000) {
          reconnects++;
          stopD();
          followD();
        } else if (reconnects === 1 && d.last >= 20_000) {
          reconnects++;
          stopD();
          void nextTurn()
            .then(nextTurn)
            .then(() => followD());
        }
      });
    };
    followD();

    // The writer: uneven bursts, a turn of the event loop between them, the batch timer now and then.
    for (let seq = 1; seq <= TOTAL; ) {
      const burst = Math.min(TOTAL - seq + 1, 1 + ((seq * 7_919) % 1_700));
      for (let k = 0; k < burst; k++, seq++) expect(store.append(run.id, outputLine(seq))).toBe(seq);
      if (seq % 3 === 0) clock.advance(50);
      if (!b && seq > 10_000) {
        b = new Viewer(5_000);
        const viewer = b;
        store.follow(run.id, 5_000, (events) => viewer.take(events));
      }
      if (!c && seq > 30_000) {
        c = new Viewer(12_345);
        const viewer = c;
        store.follow(run.id, 12_345, (events) => viewer.take(events));
      }
      if (reconnects === 2 && d.last >= 33_000) {
        reconnects++;
        stopD();
        await nextTurn();
        followD();
      }
      await nextTurn();
    }
    store.flush();

    await waitFor(() => [a, b!, c!, d].every((v) => v.last === TOTAL), 20_000, 'every follower reached the last event');
    expect(reconnects).toBe(3);
    for (const viewer of [a, b!, c!, d]) {
      expect({ from: viewer.from, count: viewer.seqs.length, outOfOrder: viewer.outOfOrder }).toEqual({
        from: viewer.from,
        count: TOTAL - viewer.from,
        outOfOrder: 0,
      });
      expect(viewer.complete(TOTAL)).toBe(true);
    }
    // Nothing arrives twice later either.
    store.append(run.id, outputLine(TOTAL + 1));
    store.flush();
    await waitFor(() => a.last === TOTAL + 1, 5_000, 'the next event reached a');
    expect([a, b!, c!, d].map((v) => v.seqs.length)).toEqual([TOTAL + 1, TOTAL + 1 - 5_000, TOTAL + 1 - 12_345, TOTAL + 1]);
  });

  it('keeps order when an emit appends and writes a batch during the hand-over', async () => {
    fx = openFixture({ flushMs: 50, batchSize: 500 });
    const { store } = fx;
    const run = store.createRun(newRun());
    const other = store.createRun(newRun());
    let seq = 0;
    const write = (count: number) => {
      for (let k = 0; k < count; k++) store.append(run.id, outputLine(++seq));
    };
    // The echoing viewer appends 600 events (more than a batch) from inside each emit until 6,000:
    // the batch it writes must reach the quiet viewer after the batch being handed over.
    const echo = new Viewer(0);
    const quiet = new Viewer(0);
    const late = new Viewer(0);
    const otherRun = new Viewer(0);
    store.follow(other.id, 0, (events) => otherRun.take(events));
    store.follow(run.id, 0, (events) => {
      echo.take(events);
      if (seq < 6_000) write(600);
      if (seq % 7 === 0) store.append(other.id, outputLine(seq));
    });
    // The late viewer joins from inside the quiet one's emit: in the middle of a hand-over, with
    // a written batch still waiting to be handed over.
    let lateJoined = false;
    store.follow(run.id, 0, (events) => {
      quiet.take(events);
      if (!lateJoined && quiet.last > 2_000) {
        lateJoined = true;
        store.follow(run.id, 0, (lateEvents) => late.take(lateEvents));
      }
    });
    // Live first, so an echo's batch is written while the first one is still being handed over.
    await nextTurn();
    await nextTurn();
    write(1);
    store.flush();
    await waitFor(
      () => {
        store.flush();
        return [echo, quiet, late].every((v) => v.last === seq) && seq >= 6_000;
      },
      10_000,
      'the viewers caught up',
    );
    for (const viewer of [echo, quiet, late]) expect(viewer.complete(seq)).toBe(true);

    // A viewer still reading the backlog whose emit writes a batch: that batch was not handed to
    // it (it was not live yet), so it must read it before going live.
    const catchingUp = new Viewer(0);
    let echoed = false;
    store.follow(run.id, 0, (events) => {
      catchingUp.take(events);
      // On its last backlog page: the page came back short, and would let it go live.
      if (!echoed && catchingUp.last === seq) {
        echoed = true;
        write(600);
      }
    });
    await waitFor(() => echoed && catchingUp.last === seq, 10_000, 'the catching-up viewer caught up');
    store.flush();
    expect(catchingUp.complete(seq)).toBe(true);
    expect(lateJoined).toBe(true);
    expect(otherRun.outOfOrder).toBe(0);
    expect(otherRun.seqs.length).toBeGreaterThan(0);
    expect(otherRun.last).toBe(store.getRun(other.id).lastSeq);
  });

  it('stops emitting once unsubscribed, also in the middle of a backlog', async () => {
    fx = openFixture({ flushMs: 50, batchSize: 2_000 });
    const { store } = fx;
    const run = store.createRun(newRun());
    for (let i = 1; i <= 12_000; i++) store.append(run.id, outputLine(i));
    const pages: number[] = [];
    const stop = store.follow(run.id, 0, (events) => {
      pages.push(events.length);
      stop();
    });
    // Pages come one a turn: the first one's emit stops the rest.
    expect(pages).toEqual([]);
    await waitFor(() => pages.length > 0, 5_000, 'the first page came');
    await nextTurn();
    await nextTurn();
    store.append(run.id, outputLine(12_001));
    store.flush();
    expect(pages).toEqual([5_000]);

    const live: number[] = [];
    const stopLive = store.follow(run.id, 12_001, (events) => live.push(...events.map((e) => e.seq)));
    await nextTurn();
    store.append(run.id, outputLine(12_002));
    store.flush();
    stopLive();
    store.append(run.id, outputLine(12_003));
    store.flush();
    expect(live).toEqual([12_002]);
  });
});
