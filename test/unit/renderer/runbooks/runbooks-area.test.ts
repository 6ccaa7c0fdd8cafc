/**
 * The Runbooks area's pure parts (renderer/src/areas/runbooks/*), in node with no DOM: the run
 * viewer's event cursor (each event once, in order, gaps filled from the store), event lines as
 * the terminal draws them, durations, routes, and the editor's YAML helpers.
 */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../../shared/model/runbook';
import { RunEventCursor } from '../../../../renderer/src/areas/runbooks/run-event-cursor';
import { eventLine, formatEventLine, plainEventLine } from '../../../../renderer/src/areas/runbooks/run-event-format';
import { elapsedMs, formatElapsed, parseRunbooksRoute } from '../../../../renderer/src/areas/runbooks/run-status';
import { caretRangeOfLine, copyId, readId, withId } from '../../../../renderer/src/areas/runbooks/runbook-yaml';

function event(seq: number, message = `line ${seq}`, level: RunEvent['level'] = 'output'): RunEvent {
  return { seq, at: '2026-05-01T10:00:00.000Z', level, phase: 'action', step: 'print', message, data: null };
}

function range(from: number, to: number): RunEvent[] {
  return Array.from({ length: to - from + 1 }, (_, i) => event(from + i));
}

/** A cursor over a store holding `stored` events, recording what it hands on and what it asks for. */
function cursorOver(stored: RunEvent[], fail = false) {
  const written: number[] = [];
  const reads: [number, number][] = [];
  const cursor = new RunEventCursor(
    (e) => written.push(e.seq),
    (after, limit) => {
      reads.push([after, limit]);
      if (fail) return Promise.reject(new Error('Lost the connection to Control Room.'));
      return Promise.resolve(stored.filter((e) => e.seq > after).slice(0, limit));
    },
  );
  return { cursor, written, reads };
}

describe('RunEventCursor', () => {
  it('hands events on in order and drops repeats (a renewed subscription resending)', () => {
    const { cursor, written, reads } = cursorOver([]);
    cursor.receive(range(1, 5));
    cursor.receive(range(3, 8));
    cursor.receive([event(8), event(2)]);
    expect(written).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(cursor.lastSeq).toBe(8);
    expect(reads).toEqual([]);
  });

  it('fills a gap from the store before writing what came after it', async () => {
    const { cursor, written, reads } = cursorOver(range(1, 20));
    cursor.receive(range(1, 3));
    cursor.receive(range(10, 12));
    // Meanwhile more arrive: held behind the gap too.
    cursor.receive(range(13, 14));
    await cursor.settled();
    expect(written).toEqual(range(1, 14).map((e) => e.seq));
    expect(reads).toEqual([[3, 6]]);
  });

  it('sorts events that arrive out of order', async () => {
    const { cursor, written } = cursorOver(range(1, 6));
    cursor.receive([event(1), event(4), event(3), event(2), event(6), event(5)]);
    await cursor.settled();
    expect(written).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('goes on when the store has nothing for a gap, and in order when the store cannot be read', async () => {
    const missing = cursorOver([]);
    missing.cursor.receive([event(1), event(3), event(4)]);
    await missing.cursor.settled();
    expect(missing.written).toEqual([1, 3, 4]);

    const offline = cursorOver([], true);
    offline.cursor.receive([event(1), event(5), event(4)]);
    await offline.cursor.settled();
    expect(offline.written).toEqual([1, 4, 5]);
    // A repeat after that is still dropped.
    offline.cursor.receive([event(4), event(6)]);
    expect(offline.written).toEqual([1, 4, 5, 6]);
  });

  it('stops handing on once stopped', async () => {
    const { cursor, written } = cursorOver(range(1, 10));
    cursor.receive([event(1), event(5)]);
    cursor.stop();
    await cursor.settled();
    cursor.receive([event(2)]);
    expect(written).toEqual([1]);
  });
});

describe('event lines', () => {
  it('draws events as time level [phase/step] message, output as printed, and sanitizes both', () => {
    const info = formatEventLine({ ...eventLine(event(1, 'gate succeeded', 'info')), seq: 1 });
    // eslint-disable-next-line no-control-regex
    const plain = info.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain).toMatch(/^\d\d:\d\d:\d\d\.000 INFO {2}\[action\/print\] gate succeeded\r\n$/);
    expect(formatEventLine({ ...eventLine(event(2, 'hello world')), seq: 2 })).toBe('hello world\r\n');
    // A command's escape sequence is shown, not obeyed.
    expect(formatEventLine({ ...eventLine(event(3, 'evil \x1b[2J clear')), seq: 3 })).not.toContain('\x1b[2J');
    expect(plainEventLine({ ...eventLine(event(4, 'x', 'warn')), seq: 4 })).toBe('2026-05-01T10:00:00.000Z warn [action/print] x\n');
  });
});

describe('durations and routes', () => {
  it('ticks from the start while running and keeps the recorded duration once ended', () => {
    const started = '2026-05-01T10:00:00.000Z';
    const now = Date.parse(started) + 65_000;
    expect(elapsedMs({ startedAt: started, endedAt: null, durationMs: null }, now)).toBe(65_000);
    expect(elapsedMs({ startedAt: started, endedAt: '2026-05-01T10:00:01.000Z', durationMs: 850 }, now)).toBe(850);
    expect(elapsedMs({ startedAt: null, endedAt: null, durationMs: null }, now)).toBeUndefined();
    expect(formatElapsed(850)).toBe('850 ms');
    expect(formatElapsed(65_000)).toBe('1m 05s');
    expect(formatElapsed(undefined)).toBe('—');
  });

  it('reads the area routes', () => {
    expect(parseRunbooksRoute('')).toEqual({ view: 'runs' });
    expect(parseRunbooksRoute('list')).toEqual({ view: 'list' });
    expect(parseRunbooksRoute('secrets')).toEqual({ view: 'secrets' });
    expect(parseRunbooksRoute('new')).toEqual({ view: 'new' });
    expect(parseRunbooksRoute('run/run-abc-123')).toEqual({ view: 'run', runId: 'run-abc-123' });
    expect(parseRunbooksRoute('edit/deploy')).toEqual({ view: 'edit', runbookId: 'deploy' });
    expect(parseRunbooksRoute('run/')).toEqual({ view: 'runs' });
    expect(parseRunbooksRoute('nonsense')).toEqual({ view: 'runs' });
  });
});

describe('editor YAML helpers', () => {
  const yaml = 'id: deploy # the id\ntitle: Deploy\nrisk: changes-prod\n';

  it('reads and replaces the top-level id, not a step id', () => {
    const withSteps = `${yaml}phases:\n  action:\n    - id: pull\n`;
    expect(readId(withSteps)).toBe('deploy');
    expect(withId(withSteps, copyId('deploy'))).toBe(withSteps.replace('id: deploy # the id', 'id: deploy-copy'));
    expect(withId('title: x\n', 'fresh')).toBe('id: fresh\ntitle: x\n');
    expect(copyId('x'.repeat(64))).toHaveLength(64);
  });

  it('finds a line for the caret', () => {
    expect(caretRangeOfLine(yaml, 1)).toEqual([0, 19]);
    expect(yaml.slice(...caretRangeOfLine(yaml, 3))).toBe('risk: changes-prod');
    expect(yaml.slice(...caretRangeOfLine(yaml, 99))).toBe('');
  });
});
