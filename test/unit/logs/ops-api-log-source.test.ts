/**
 * The ops-API source against a scripted client: `since` from the last line, the boundary lines
 * skipped, polling stopped while paused, events triggering a poll, and errors as states.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/errors';
import type { LogEntry, SourceState } from '../../../shared/model/logs';
import type { OpsEvent, OpsLogEntry } from '../../../shared/model/ops';
import { OpsApiLogSource } from '../../../main/services/logs/ops-api-log-source';

const T = Date.parse('2024-05-01T10:00:00Z');
const at = (s: number) => new Date(T + s * 1000).toISOString();
const entry = (s: number, message: string, stream: 'stdout' | 'stderr' = 'stdout'): OpsLogEntry => ({
  ts: at(s),
  service: 'api',
  stream,
  level: null,
  message,
});

function setup(script: (query: { since?: string; tail?: number }) => OpsLogEntry[] | Error) {
  const queries: { since?: string; tail?: number }[] = [];
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
      logs: async (query) => {
        queries.push(query);
        const result = script(query);
        if (result instanceof Error) throw result;
        return { service: 'api', entries: result };
      },
    }),
    watchEvents: (l) => {
      listener = l;
      return () => (listener = undefined);
    },
    pollMs: 20,
    backoff: { initialMs: 20, maxMs: 40 },
  });
  return { source, queries, lines, states, event: (e: OpsEvent) => listener?.(e), hasListener: () => !!listener };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('OpsApiLogSource', () => {
  it('starts with the tail, then polls from the last line, skipping what it already delivered', async () => {
    let poll = 0;
    const { source, queries, lines, states } = setup(() => {
      poll++;
      if (poll === 1) return [entry(1, 'b'), entry(1, 'c')];
      if (poll === 2) return [entry(1, 'a'), entry(1, 'b'), entry(1, 'c'), entry(1, 'd'), entry(2, 'e')];
      return [entry(2, 'e')];
    });
    source.start();
    await sleep(150);
    source.stop();
    expect(queries[0]).toEqual({ service: 'api', tail: 2 });
    expect(queries[1]).toMatchObject({ service: 'api', since: at(1) });
    expect(queries[2]).toMatchObject({ since: at(2) });
    // "a" is older than the tail that was shown; "b" and "c" were delivered; "e" repeats at the boundary.
    expect(lines.map((l) => l.message)).toEqual(['b', 'c', 'd', 'e']);
    expect(lines[0]).toMatchObject({ target: 't1', container: 'api', service: 'api', ts: at(1) });
    expect(states).toEqual([['live', undefined]]);
  });

  it('does not poll while paused, and picks up from the last line on resume', async () => {
    const { source, queries } = setup(() => []);
    source.start();
    await sleep(60);
    source.pause();
    await sleep(30);
    const paused = queries.length;
    await sleep(100);
    expect(queries.length).toBe(paused);
    source.resume();
    await sleep(60);
    expect(queries.length).toBeGreaterThan(paused);
    source.stop();
  });

  it('polls soon after an event of its service, and unsubscribes from events when stopped', async () => {
    const { source, queries, event, hasListener } = setup(() => []);
    source.start();
    await sleep(30);
    const before = queries.length;
    event({ type: 'container', at: at(3), action: 'start', container: 'shop-api-1', service: 'api' });
    await sleep(200);
    expect(queries.length).toBeGreaterThan(before);
    source.stop();
    expect(hasListener()).toBe(false);
  });

  it('reports errors as states and goes live again when the API answers', async () => {
    let poll = 0;
    const { source, states } = setup(() => {
      poll++;
      if (poll === 1) return [entry(1, 'x')];
      if (poll === 2) return new ApiError('unreachable', 'Could not reach the ops API');
      if (poll === 3) return new ApiError('unauthorized', 'The ops API refused the token (401)');
      return [];
    });
    source.start();
    await sleep(300);
    source.stop();
    expect(states).toEqual([
      ['live', undefined],
      ['reconnecting', 'Could not reach the ops API'],
      ['error', 'The ops API refused the token (401)'],
      ['live', undefined],
    ]);
  });
});
