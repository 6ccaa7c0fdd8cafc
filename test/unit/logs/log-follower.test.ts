/**
 * The follower with scripted sources: batching, the first event, flow control by acknowledged
 * lines, and no line lost or repeated. Batches are timed on a fake clock.
 */
import { describe, expect, it } from 'vitest';
import { batchEntries, LogFollowEvent, type LogEntry } from '../../../shared/model/logs';
import { LogFollower, toBatch, type FlowOptions } from '../../../main/services/logs/log-follower';
import type { LogSource, LogSourceEvents } from '../../../main/services/logs/log-source';
import { FakeClock } from '../../support/fake-clock';

class ScriptedSource implements LogSource {
  paused = false;
  stopped = false;
  started = false;
  constructor(
    readonly key: string,
    readonly events: LogSourceEvents,
  ) {}
  start() {
    this.started = true;
  }
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
  }
  stop() {
    this.stopped = true;
  }
  emit(from: number, count: number, size = 10) {
    const lines: LogEntry[] = [];
    for (let i = from; i < from + count; i++) {
      lines.push({
        ts: new Date(1_700_000_000_000 + i).toISOString(),
        target: 't',
        service: null,
        container: this.key.slice(10),
        stream: 'stdout',
        level: null,
        message: `${i}`.padEnd(size, '.'),
      });
    }
    this.events.lines(lines);
  }
}

function setup(flow: Partial<FlowOptions> = {}, keys = ['container:a']) {
  const events: LogFollowEvent[] = [];
  const sources = new Map<string, ScriptedSource>();
  const cached: LogEntry[] = [];
  const clock = new FakeClock();
  const follower = new LogFollower(
    'f-1',
    keys,
    (key, ev) => {
      const source = new ScriptedSource(key, ev);
      sources.set(key, source);
      return source;
    },
    (event) => events.push(event),
    { highWater: 1_000, lowWater: 250, batchMs: 16, batchBytes: 64 * 1024, ...flow },
    (_key, entries) => cached.push(...entries),
    clock,
  );
  follower.start();
  const lines = () => events.flatMap((e) => (e.type === 'lines' ? batchEntries(e) : []));
  const batches = () => events.filter((e): e is Extract<LogFollowEvent, { type: 'lines' }> => e.type === 'lines');
  return { clock, follower, events, sources, cached, lines, batches, source: (key = keys[0]!) => sources.get(key)! };
}

describe('LogFollower', () => {
  it('sends "started" with its id first and starts every source', () => {
    const { events, sources } = setup({}, ['container:a', 'container:b']);
    expect(events[0]).toEqual({ type: 'started', followId: 'f-1' });
    expect([...sources.values()].every((s) => s.started)).toBe(true);
  });

  it('batches lines for 16 ms', () => {
    const { clock, source, batches } = setup();
    source().emit(0, 3);
    source().emit(3, 3);
    expect(batches()).toHaveLength(0);
    clock.advance(16);
    expect(batches()).toHaveLength(1);
    expect(batchEntries(batches()[0]!).map((l) => l.message.replace(/\.+$/, ''))).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
    ]);
  });

  it('sends at once when 64 KB are waiting, and no batch is larger than 64 KB', () => {
    const { clock, source, batches } = setup({ highWater: 100_000 });
    source().emit(0, 200, 1_000); // ~220 KB with overhead
    expect(batches().length).toBeGreaterThanOrEqual(3);
    for (const batch of batches())
      expect(batchEntries(batch).reduce((sum, l) => sum + l.message.length + 100, 0)).toBeLessThanOrEqual(64 * 1024);
    clock.advance(16);
    expect(batches().flatMap((b) => b.lines)).toHaveLength(200);
  });

  it('sends a 1 MB line alone, in one batch', () => {
    const { source, batches } = setup();
    source().emit(0, 1, 1 << 20);
    expect(batches()).toHaveLength(1);
    expect(batches()[0]!.lines).toHaveLength(1);
  });

  it('pauses the sources at the high watermark, never has more than high + one batch unacknowledged, resumes under the low one', () => {
    const { clock, follower, source, lines, batches } = setup({ highWater: 1_000, lowWater: 250 }, [
      'container:a',
      'container:b',
    ]);
    let next = 0;
    let maxUnacked = 0;
    let maxBatch = 0;
    const pump = () => {
      for (const key of ['container:a', 'container:b']) {
        const s = source(key);
        if (!s.paused) {
          s.emit(next, 50);
          next += 50;
        }
      }
      clock.advance(16);
      maxUnacked = Math.max(maxUnacked, follower.unacknowledged);
      for (const b of batches()) maxBatch = Math.max(maxBatch, b.lines.length);
    };
    for (let i = 0; i < 40; i++) pump();
    expect(follower.isPaused).toBe(true);
    expect(source('container:a').paused && source('container:b').paused).toBe(true);
    expect(maxUnacked).toBeLessThanOrEqual(1_000 + maxBatch);
    const sentWhilePaused = lines().length;
    pump();
    expect(lines().length).toBe(sentWhilePaused);

    follower.ack(500);
    expect(follower.isPaused).toBe(true); // 500+ left: above the low watermark
    follower.ack(follower.unacknowledged - 200);
    expect(follower.isPaused).toBe(false);
    expect(source('container:a').paused).toBe(false);

    // Drain: ack everything as it comes, until the sources have produced 5,000 lines.
    while (next < 5_000) {
      pump();
      follower.ack(follower.unacknowledged);
    }
    clock.advance(16);
    const numbers = lines().map((l) => Number(l.message.replace(/\.+$/, '')));
    expect(numbers.length).toBe(next);
    expect(new Set(numbers).size).toBe(next);
    expect(Math.max(...numbers)).toBe(next - 1);
  });

  it('holds lines that arrive while paused and sends them after acknowledgements, none lost', () => {
    const { clock, follower, source, lines } = setup({ highWater: 100, lowWater: 10 });
    source().emit(0, 100);
    clock.advance(16);
    expect(follower.isPaused).toBe(true);
    source().emit(100, 50); // what was already in flight when the source paused
    clock.advance(16);
    expect(lines()).toHaveLength(100);
    follower.ack(lines().length);
    clock.advance(16);
    follower.ack(follower.unacknowledged);
    expect(lines().map((l) => l.message.replace(/\.+$/, ''))).toEqual(Array.from({ length: 150 }, (_, i) => `${i}`));
    expect(follower.isPaused).toBe(false);
  });

  it('passes every line to the cache hook as it arrives, before flow control holds it', () => {
    const { source, cached, follower } = setup({ highWater: 10, lowWater: 5 });
    source().emit(0, 100);
    expect(cached).toHaveLength(100);
    expect(follower.unacknowledged).toBeLessThan(100);
  });

  it('sends lines before a state change that came after them', () => {
    const { source, events } = setup();
    source().emit(0, 2);
    source().events.state('reconnecting', 'the log stream ended');
    expect(events.slice(1).map((e) => e.type)).toEqual(['lines', 'source']);
    expect(events[2]).toEqual({
      type: 'source',
      source: 'container:a',
      state: 'reconnecting',
      reason: 'the log stream ended',
    });
  });

  it('stops its sources and sends nothing more once stopped', () => {
    const { clock, follower, source, events } = setup();
    source().emit(0, 5);
    follower.stop();
    clock.advance(100);
    source().emit(5, 5);
    expect(source().stopped).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['started']);
  });
});

describe('lines on the wire', () => {
  const entry = (container: string, service: string | null, message: string, ms: number): LogEntry => ({
    ts: new Date(ms).toISOString(),
    target: 't1',
    service,
    container,
    stream: message.startsWith('e') ? 'stderr' : 'stdout',
    level: message.startsWith('e') ? 'error' : null,
    message,
  });

  it('sends each source once and gives back the same entries, in order', () => {
    const entries = [
      entry('api-1', 'api', 'a', 1_000),
      entry('api-1', 'api', 'e b', 1_001),
      entry('web-1', 'web', 'c', 1_002),
      entry('api-1', 'api', 'd', 1_003),
    ];
    const batch = toBatch(entries);
    expect(batch.sources).toEqual([
      { target: 't1', service: 'api', container: 'api-1' },
      { target: 't1', service: 'web', container: 'web-1' },
    ]);
    expect(batch.lines.map((line) => line[0])).toEqual([0, 0, 1, 0]);
    expect(LogFollowEvent.parse(batch)).toEqual(batch);
    expect(batchEntries(batch)).toEqual(entries);
    // Smaller than the entries themselves: the point of the shape.
    expect(JSON.stringify(batch).length).toBeLessThan(JSON.stringify(entries).length * 0.75);
  });

  it('refuses a line that names a source the batch does not have', () => {
    const result = LogFollowEvent.safeParse({ type: 'lines', sources: [], lines: [[0, 1, 'stdout', null, 'm']] });
    expect(result.success).toBe(false);
  });
});
