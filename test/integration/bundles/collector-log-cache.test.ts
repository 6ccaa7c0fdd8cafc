/**
 * What the collector reads the log cache with, on a real SQLite file: counts of a window on the
 * index, where the newest lines that fit a cap begin, and pages oldest first from a cursor — so
 * a bundle streams a window of any size and keeps its newest lines.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogCache, type LogCursor } from '../../../main/services/logs/log-cache';
import { DATABASE_FILE, openDatabase, type Db } from '../../../main/services/store/database';
import type { LogEntry } from '../../../shared/model/logs';
import { FakeClock } from '../../support/fake-clock';

const T0 = Date.parse('2026-05-01T10:00:00Z');
let dir: string;
let db: Db;
let cache: LogCache;

/** `count` lines of `source`, one a second from T0; line i's message is `msg-i` padded to `size` bytes. */
function lines(source: string, count: number, size = 10): LogEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    ts: new Date(T0 + i * 1_000).toISOString(),
    target: 't1',
    service: source,
    container: source,
    stream: 'stdout' as const,
    level: null,
    message: `msg-${i}`.padEnd(size, '.'),
  }));
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cr-bundle-cache-'));
  db = openDatabase(join(dir, DATABASE_FILE));
  cache = new LogCache(db, {}, new FakeClock(T0));
});

afterEach(() => {
  cache.dispose();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the log cache as a bundle reads it', () => {
  it('lists a target’s sources and counts a window, estimating its bytes from the average line', () => {
    cache.insert([...lines('api', 100, 20), ...lines('db', 10)]);
    expect(cache.sourcesOfTarget('t1').map((s) => s.source).sort()).toEqual(['api', 'db']);
    expect(cache.sourcesOfTarget('other')).toEqual([]);
    expect(cache.windowTotals('t1', 'api', T0 + 10_000, T0 + 19_000)).toEqual({ lines: 10, bytes: 200 });
    expect(cache.windowTotals('t1', 'nope', T0, T0 + 1e9)).toEqual({ lines: 0, bytes: 0 });
  });

  it('finds where the newest lines within a line cap or a byte cap begin', () => {
    cache.insert(lines('api', 100, 10));
    const range = { fromMs: T0, toMs: T0 + 99_000 };
    const byLines = cache.newestWithin('t1', 'api', range, { maxLines: 30, maxBytes: 1e9, lineOverhead: 0 });
    expect(byLines.lines).toBe(30);
    expect(byLines.start?.ts).toBe(T0 + 70_000);
    // Each line costs 10 + 5 = 15 bytes: 150 bytes fit ten.
    const byBytes = cache.newestWithin('t1', 'api', range, { maxLines: 1_000, maxBytes: 150, lineOverhead: 5 });
    expect(byBytes).toMatchObject({ lines: 10, bytes: 150, start: { ts: T0 + 90_000 } });
    expect(cache.newestWithin('t1', 'api', range, { maxLines: 0, maxBytes: 1e9, lineOverhead: 0 }).start).toBeNull();
    // Everything fits: the window's first line, found without reading the others.
    expect(cache.newestWithin('t1', 'api', { fromMs: T0 + 5_000, toMs: T0 + 99_000 }, { maxLines: 1_000, maxBytes: 1e9, lineOverhead: 5 })).toMatchObject({ lines: 95, start: { ts: T0 + 5_000 } });
  });

  it('pages oldest first from a start, then after each page’s last line, up to the window’s end', () => {
    // Several lines in one instant: the id keeps their order across a page boundary.
    const same = Array.from({ length: 5 }, (_, i) => ({ ...lines('api', 1)[0]!, ts: new Date(T0 + 50_500).toISOString(), message: `same-${i}` }));
    cache.insert([...lines('api', 100), ...same]);
    const { start } = cache.newestWithin('t1', 'api', { fromMs: T0, toMs: T0 + 59_000 }, { maxLines: 20, maxBytes: 1e9, lineOverhead: 0 });
    const seen: string[] = [];
    let position: { start: LogCursor } | { after: LogCursor } = { start: start! };
    for (;;) {
      const page = cache.pageForward('t1', 'api', position, T0 + 59_000, 3);
      seen.push(...page.map((row) => row.entry.message.replace(/\.+$/, '')));
      if (page.length < 3) break;
      position = { after: page.at(-1)!.cursor };
    }
    expect(seen).toHaveLength(20);
    expect(seen.slice(0, 2)).toEqual(['msg-45', 'msg-46']);
    expect(seen.slice(5, 12)).toEqual(['msg-50', 'same-0', 'same-1', 'same-2', 'same-3', 'same-4', 'msg-51']);
    expect(seen.at(-1)).toBe('msg-59');
  });
});
