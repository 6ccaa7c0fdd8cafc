/**
 * The log cache on a real SQLite file: lines written in batches, queries by time range and text,
 * the per-container summary, trimming by age and by size, and the cache surviving a reopen. Time
 * is a fake clock: lines age, and the periodic trim comes, when the test moves it on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOUNDARY_LINES, LogCache, ROW_OVERHEAD } from '../../../main/services/logs/log-cache';
import { DATABASE_FILE, openDatabase, type Db } from '../../../main/services/store/database';
import type { LogEntry } from '../../../shared/model/logs';
import { FakeClock } from '../../support/fake-clock';
import { waitFor } from '../../support/keyring';

let dir: string;
let db: Db;
let cache: LogCache;
let clock: FakeClock;
const T0 = Date.parse('2024-05-01T10:00:00Z');
const TRIM_INTERVAL_MS = 3_600_000;

function open() {
  db = openDatabase(join(dir, DATABASE_FILE));
  cache = new LogCache(db, { trimIntervalMs: TRIM_INTERVAL_MS, trimChunk: 100 }, clock);
}

/** Moves the fake clock on to `ms` since the epoch. */
const setNow = (ms: number) => clock.advance(ms - clock.now());

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cr-log-cache-'));
  clock = new FakeClock(T0 + 3_600_000);
  open();
});

afterEach(() => {
  cache.dispose();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function lines(
  container: string,
  from: number,
  count: number,
  stepMs = 1_000,
  text = (i: number) => `${container} line ${i}`,
): LogEntry[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return {
      ts: new Date(T0 + i * stepMs).toISOString(),
      target: 'target-1',
      service: container === 'adhoc' ? null : container.replace(/-\d+$/, ''),
      container,
      stream: i % 5 === 0 ? 'stderr' : 'stdout',
      level: i % 5 === 0 ? 'error' : null,
      message: text(i),
    } satisfies LogEntry;
  });
}

describe('LogCache: writing and reading', () => {
  it('gives back what was written, in time order, with every field', () => {
    const written = [...lines('web-1', 0, 10), ...lines('db-1', 0, 10)];
    cache.append(written);
    const { entries, truncated } = cache.query({ targetId: 'target-1', limit: 100 });
    expect(truncated).toBe(false);
    expect(entries).toHaveLength(20);
    expect(entries.map((e) => e.ts)).toEqual([...entries.map((e) => e.ts)].sort());
    expect(entries).toEqual(expect.arrayContaining(written));
    expect(cache.query({ targetId: 'other', limit: 100 }).entries).toEqual([]);
  });

  it('keeps NUL bytes, U+FFFD and long lines as they were', () => {
    const odd = lines('web-1', 0, 3, 1_000, (i) => ['a\u0000b', 'bad \uFFFD', 'x'.repeat(1 << 20)][i]!);
    cache.append(odd);
    expect(cache.query({ targetId: 'target-1', limit: 10 }).entries.map((e) => e.message)).toEqual(
      odd.map((e) => e.message),
    );
  });

  it('answers a time range with the newest lines up to the limit, oldest first, and says it cut', () => {
    cache.append(lines('web-1', 0, 1_000));
    cache.append(lines('db-1', 0, 1_000));
    const from = new Date(T0 + 100_000).getTime();
    const to = new Date(T0 + 199_000).getTime();
    const all = cache.query({ targetId: 'target-1', fromMs: from, toMs: to, limit: 1_000 });
    expect(all.entries).toHaveLength(200);
    expect(all.truncated).toBe(false);
    const limited = cache.query({ targetId: 'target-1', fromMs: from, toMs: to, limit: 50 });
    expect(limited.truncated).toBe(true);
    expect(limited.entries).toHaveLength(50);
    expect(limited.entries.at(-1)!.ts).toBe(new Date(to).toISOString());
    expect(limited.entries[0]!.ts).toBe(new Date(T0 + 175_000).toISOString());
    const one = cache.query({ targetId: 'target-1', sources: ['db-1'], fromMs: from, toMs: to, limit: 1_000 });
    expect(new Set(one.entries.map((e) => e.container))).toEqual(new Set(['db-1']));
  });

  it('merges sources of very different rates exactly like a full sort would, limits and truncation included', () => {
    // A busy container, two quiet ones and one that is silent for most of the day.
    let x = 7;
    const rand = () => (x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const written: LogEntry[] = [];
    const add = (container: string, count: number, span: number, offset = 0) => {
      const batch = Array.from({ length: count }, (_, i) => ({
        ts: new Date(T0 + offset + Math.floor(rand() * span)).toISOString(),
        target: 'target-1',
        service: null,
        container,
        stream: 'stdout' as const,
        level: null,
        message: `${container} ${i}`,
      })).sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
      written.push(...batch);
      cache.append(batch);
    };
    add('busy', 6_000, 600_000);
    add('quiet-1', 300, 600_000);
    add('quiet-2', 40, 600_000);
    add('late', 200, 30_000, 570_000);
    const order = new Map(written.map((e, i) => [e, i]));
    for (let q = 0; q < 60; q++) {
      const from = T0 + Math.floor(rand() * 500_000);
      const to = from + Math.floor(rand() * 200_000);
      const limit = [1, 10, 100, 500, 5_000, 10_000][q % 6]!;
      // Reference: every line in range, newest first (ties by write order), cut, then oldest first.
      const inRange = written.filter((e) => Date.parse(e.ts) >= from && Date.parse(e.ts) <= to);
      inRange.sort((a, b) => Date.parse(b.ts) - Date.parse(a.ts) || order.get(b)! - order.get(a)!);
      const expected = inRange.slice(0, limit).reverse();
      const result = cache.query({ targetId: 'target-1', fromMs: from, toMs: to, limit });
      expect(result.truncated).toBe(inRange.length > limit);
      expect(result.entries.map((e) => e.message)).toEqual(expected.map((e) => e.message));
    }
  });

  it('searches text case-insensitively, with % and _ taken literally', () => {
    cache.append(lines('web-1', 0, 4, 1_000, (i) => ['GET /a 200', 'get /b 500', '100% done', 'a_b']![i]!));
    const q = (text: string) => cache.query({ targetId: 'target-1', text, limit: 10 }).entries.map((e) => e.message);
    expect(q('GET')).toEqual(['GET /a 200', 'get /b 500']);
    expect(q('%')).toEqual(['100% done']);
    expect(q('_')).toEqual(['a_b']);
  });

  it('uses the (source, time) index for a time-range query', () => {
    const plan = db
      .prepare(
        'EXPLAIN QUERY PLAN SELECT id, ts FROM log_lines WHERE source_id = 1 AND ts >= 0 AND ts <= 10 ORDER BY ts DESC, id DESC LIMIT 5',
      )
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING (COVERING )?INDEX log_lines_source_ts/);
    expect(plan.map((p) => p.detail).join(' ')).not.toMatch(/TEMP B-TREE/);
  });

  it('summarises each container: lines, bytes, oldest and newest', () => {
    cache.append(lines('web-1', 0, 10));
    cache.append(lines('db-1', 5, 3));
    const summary = cache.summary();
    expect(summary.limits).toEqual({ maxBytes: 256 * 1024 * 1024, maxAgeHours: 168 });
    const web = summary.services.find((s) => s.container === 'web-1')!;
    expect(web).toEqual({
      target: 'target-1',
      container: 'web-1',
      lines: 10,
      bytes: lines('web-1', 0, 10).reduce((sum, e) => sum + Buffer.byteLength(e.message) + ROW_OVERHEAD, 0),
      oldest: new Date(T0).toISOString(),
      newest: new Date(T0 + 9_000).toISOString(),
    });
    expect(summary.services.find((s) => s.container === 'db-1')).toMatchObject({
      lines: 3,
      oldest: new Date(T0 + 5_000).toISOString(),
    });
  });

  it('survives closing and reopening the database', () => {
    cache.append(lines('web-1', 0, 25));
    cache.dispose();
    db.close();
    open();
    expect(cache.query({ targetId: 'target-1', limit: 100 }).entries).toHaveLength(25);
    expect(cache.summary().services[0]).toMatchObject({ container: 'web-1', lines: 25 });
  });

  it('knows the newest cached instant of a source and its lines', () => {
    cache.append(lines('web-1', 0, 3, 0));
    cache.append(lines('web-1', 3, 1, 0));
    expect(cache.boundary('target-1', 'web-1')).toEqual({
      ts: T0,
      lines: [0, 1, 2, 3].map((i) => ({ stream: i % 5 === 0 ? 'stderr' : 'stdout', message: `web-1 line ${i}` })),
    });
    expect(cache.boundary('target-1', 'nothing')).toBeNull();
  });

  it('keeps the newest lines of an instant that holds more than a boundary takes', () => {
    // A burst stamped within one second: a follow that starts again repeats its last lines.
    cache.insert(lines('web-1', 0, BOUNDARY_LINES + 10, 0));
    const boundary = cache.boundary('target-1', 'web-1')!;
    expect(boundary.lines).toHaveLength(BOUNDARY_LINES);
    expect(boundary.lines[0]!.message).toBe('web-1 line 10');
    expect(boundary.lines.at(-1)!.message).toBe(`web-1 line ${BOUNDARY_LINES + 9}`);
  });
});

describe('LogCache: trimming', () => {
  it('removes lines older than the age limit, and keeps the totals right', async () => {
    cache.append(lines('web-1', 0, 600, 10_000)); // 100 minutes of lines
    await cache.setLimits({ maxBytes: 256 << 20, maxAgeHours: 1 });
    // now = T0 + 1 h: lines before T0 are gone — none here; move the clock on.
    setNow(T0 + 2 * 3_600_000);
    const removed = await cache.trim();
    expect(removed.lines).toBeGreaterThan(0);
    const left = cache.query({ targetId: 'target-1', limit: 10_000 }).entries;
    expect(Date.parse(left[0]!.ts)).toBeGreaterThanOrEqual(clock.now() - 3_600_000);
    const summary = cache.summary().services[0]!;
    expect(summary.lines).toBe(left.length);
    expect(summary.oldest).toBe(left[0]!.ts);
    expect(summary.bytes).toBe(left.reduce((sum, e) => sum + Buffer.byteLength(e.message) + ROW_OVERHEAD, 0));
  });

  it('removes the oldest lines until the cache is under its size, across containers', async () => {
    const big = (i: number) => `${i} `.padEnd(10_000, 'x');
    cache.append(lines('web-1', 0, 150, 1_000, big)); // ~1.5 MB
    cache.append(lines('db-1', 150, 150, 1_000, big)); // ~1.5 MB, newer
    expect(cache.totalBytes()).toBeGreaterThan(3_000_000);
    const summary = await cache.setLimits({ maxBytes: 2 << 20, maxAgeHours: 24 * 365 });
    expect(cache.totalBytes()).toBeLessThanOrEqual(2 << 20);
    expect(cache.totalBytes()).toBeGreaterThan((2 << 20) * 0.8);
    // The oldest container lost lines first; the newest kept all of its own.
    expect(summary.services.find((s) => s.container === 'db-1')!.lines).toBe(150);
    expect(summary.services.find((s) => s.container === 'web-1')?.lines ?? 0).toBeLessThan(60);
    expect(summary.limits).toEqual({ maxBytes: 2 << 20, maxAgeHours: 24 * 365 });
  });

  it('forgets a container whose lines are all trimmed, and writes it again afresh', async () => {
    cache.append(lines('web-1', 0, 10));
    setNow(T0 + 48 * 3_600_000);
    await cache.setLimits({ maxBytes: 256 << 20, maxAgeHours: 24 });
    expect(cache.summary().services).toEqual([]);
    cache.append(lines('web-1', 10, 2));
    expect(cache.summary().services).toMatchObject([{ container: 'web-1', lines: 2 }]);
  });

  it('trims by itself once the clock passes the trim interval, and not before', async () => {
    cache.start();
    cache.append(lines('web-1', 0, 600, 10_000)); // T0 … T0 + 100 min
    await cache.setLimits({ maxBytes: 256 << 20, maxAgeHours: 1 }); // nothing is older than an hour yet
    expect(cache.summary().services[0]!.lines).toBe(600);
    // Half an hour on, half the lines are over the age limit, but no trim is due.
    clock.advance(TRIM_INTERVAL_MS / 2);
    expect(cache.summary().services[0]!.lines).toBe(600);
    expect(clock.advance(TRIM_INTERVAL_MS / 2 - 1)).toBe(0);
    expect(cache.summary().services[0]!.lines).toBe(600);
    // The interval is up: the trim runs (in chunks of 100, the event loop free between them).
    expect(clock.advance(1)).toBe(1);
    const cutoff = clock.now() - 3_600_000;
    await waitFor(() => cache.summary().services[0]!.lines === 600 - (cutoff - T0) / 10_000, 5_000, 'the periodic trim removed the expired lines');
    expect(Date.parse(cache.summary().services[0]!.oldest)).toBe(cutoff);
  });

  it('leaves no timer behind when disposed', () => {
    cache.start();
    cache.append(lines('web-1', 0, 3)); // queues a flush
    expect(clock.pending).toBe(2);
    cache.dispose();
    expect(clock.pending).toBe(0);
    // What was queued was written, not dropped.
    expect(cache.summary().services[0]!.lines).toBe(3);
  });

  it('keeps the limits across a reopen', async () => {
    await cache.setLimits({ maxBytes: 8 << 20, maxAgeHours: 12 });
    cache.dispose();
    db.close();
    open();
    expect(cache.limits()).toEqual({ maxBytes: 8 << 20, maxAgeHours: 12 });
  });
});
