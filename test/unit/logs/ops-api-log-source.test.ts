/**
 * The ops-API source against a scripted client: `since` from the last line, the boundary lines
 * skipped, polling stopped while paused, events triggering a poll, and errors as states.
 *
 * Time is a fake clock and the poll interval is long (2 s): a poll that happens sooner can only
 * have been caused by what the test did (an event, a resume), never by the interval.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/errors';
import type { LogEntry, SourceState } from '../../../shared/model/logs';
import type { OpsEvent, OpsLogEntry } from '../../../shared/model/ops';
import { OpsApiLogSource } from '../../../main/services/logs/ops-api-log-source';
import { FakeClock } from '../../support/fake-clock';

const T = Date.parse('2024-05-01T10:00:00Z');
const POLL_MS = 2_000;
/** A start or stop event is followed by a poll this soon (the source's EVENT_DELAY_MS). */
const EVENT_DELAY_MS = 150;
const at = (s: number) => new Date(T + s * 1000).toISOString();
const entry = (s: number, message: string, stream: 'stdout' | 'stderr' = 'stdout'): OpsLogEntry => ({
  ts: at(s),
  service: 'api',
  stream,
  level: null,
  message,
});
const containerEvent = (service: string): OpsEvent => ({
  type: 'container',
  at: at(3),
  action: 'start',
  container: `shop-${service}-1`,
  service,
});

function setup(script: (query: { since?: string; tail?: number }) => OpsLogEntry[] | Error) {
  const clock = new FakeClock(T + 60_000);
  const queries: { since?: string; tail?: number }[] = [];
  const signals: (AbortSignal | undefined)[] = [];
  const lines: LogEntry[] = [];
  const states: [SourceState, string | undefined][] = [];
  let listener: ((event: OpsEvent) => void) | undefined;
  const source = new OpsApiLogSource({
    key: 'service:api',
    targetId: 't1',
    name: 'api',
    start: { tail: 2 },
    events: { lines: (e) => lines.push(...e), state: (s, r) => states.push([s, r]) },
    client: () => ({
      logs: async (query, options) => {
        queries.push(query);
        signals.push(options?.signal);
        const result = script(query);
        if (result instanceof Error) throw result;
        return { service: 'api', entries: result };
      },
    }),
    watchEvents: (l) => {
      listener = l;
      return () => (listener = undefined);
    },
    pollMs: POLL_MS,
    // random() = 1: the longest delay of each step, so the waits are exact.
    backoff: { initialMs: 500, maxMs: 1_000, random: () => 1 },
    clock,
  });
  return {
    clock,
    source,
    queries,
    signals,
    lines,
    states,
    event: (e: OpsEvent) => listener?.(e),
    hasListener: () => !!listener,
  };
}

describe('OpsApiLogSource', () => {
  it('starts with the tail, then polls from the last line, skipping what it already delivered', async () => {
    let poll = 0;
    const { clock, source, queries, lines, states } = setup(() => {
      poll++;
      if (poll === 1) return [entry(1, 'b'), entry(1, 'c')];
      if (poll === 2) return [entry(1, 'a'), entry(1, 'b'), entry(1, 'c'), entry(1, 'd'), entry(2, 'e')];
      return [entry(2, 'e')];
    });
    source.start();
    expect(await clock.nextTimer()).toBe(POLL_MS);
    await clock.advanceAsync(POLL_MS);
    await clock.advanceAsync(POLL_MS);
    source.stop();
    expect(queries).toHaveLength(3);
    expect(queries[0]).toEqual({ service: 'api', tail: 2 });
    expect(queries[1]).toMatchObject({ service: 'api', since: at(1) });
    expect(queries[2]).toMatchObject({ since: at(2) });
    // "a" is older than the tail that was shown; "b" and "c" were delivered; "e" repeats at the boundary.
    expect(lines.map((l) => l.message)).toEqual(['b', 'c', 'd', 'e']);
    expect(lines[0]).toMatchObject({ target: 't1', container: 'api', service: 'api', ts: at(1) });
    expect(states).toEqual([['live', undefined]]);
    expect(clock.pending).toBe(0);
  });

  it('does not poll while paused, and picks up from the last line on resume', async () => {
    const { clock, source, queries } = setup(() => [entry(1, 'x')]);
    source.start();
    await clock.nextTimer();
    source.pause();
    await clock.advanceAsync(10 * POLL_MS);
    expect(queries).toHaveLength(1);
    expect(clock.pending).toBe(0); // nothing scheduled while paused
    source.resume();
    await clock.advanceAsync(0);
    expect(queries).toHaveLength(2);
    expect(queries[1]).toMatchObject({ since: at(1) });
    source.stop();
  });

  it('polls soon after an event of its service — long before the interval — and unsubscribes when stopped', async () => {
    const { clock, source, queries, event, hasListener } = setup(() => []);
    source.start();
    await clock.nextTimer();
    expect(queries).toHaveLength(1);
    // Another service's event is not a reason to poll.
    event(containerEvent('web'));
    await clock.advanceAsync(EVENT_DELAY_MS);
    expect(queries).toHaveLength(1);
    event(containerEvent('api'));
    await clock.advanceAsync(EVENT_DELAY_MS - 1);
    expect(queries).toHaveLength(1);
    await clock.advanceAsync(1);
    expect(queries).toHaveLength(2);
    // Still far from the 2 s interval: only the event explains that poll.
    expect(clock.now() - (T + 60_000)).toBeLessThan(POLL_MS);
    source.stop();
    expect(hasListener()).toBe(false);
  });

  it('reports errors as states, waits exactly the backoff, and goes live again when the API answers', async () => {
    let poll = 0;
    const { clock, source, states, queries } = setup(() => {
      poll++;
      if (poll === 1) return [entry(1, 'x')];
      if (poll === 2) return new ApiError('unreachable', 'Could not reach the ops API');
      if (poll === 3) return new ApiError('unauthorized', 'The ops API refused the token (401)');
      return [];
    });
    source.start();
    await clock.nextTimer();
    await clock.advanceAsync(POLL_MS); // poll 2 fails: the first backoff step, 500 ms
    expect(clock.pendingDelays).toEqual([500]);
    await clock.advanceAsync(499);
    expect(queries).toHaveLength(2);
    await clock.advanceAsync(1); // poll 3 fails again: the next step, 1 s
    expect(queries).toHaveLength(3);
    expect(clock.pendingDelays).toEqual([1_000]);
    await clock.advanceAsync(1_000);
    expect(queries).toHaveLength(4);
    source.stop();
    expect(states).toEqual([
      ['live', undefined],
      ['reconnecting', 'Could not reach the ops API'],
      ['error', 'The ops API refused the token (401)'],
      ['live', undefined],
    ]);
  });

  it('aborts the poll in flight when stopped', async () => {
    const { source, signals, queries } = setup(() => []);
    source.start();
    expect(queries).toHaveLength(1);
    const signal = signals[0]!;
    expect(signal.aborted).toBe(false);
    source.stop();
    expect(signal.aborted).toBe(true);
  });
});
