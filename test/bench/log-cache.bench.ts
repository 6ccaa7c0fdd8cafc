/**
 * log-cache: the offline log cache's write path against a plain batched better-sqlite3 insert of
 * the same rows into an equivalent table (same columns, same index, same pragmas), in the same
 * run, alternating rounds so machine noise hits both alike (goal ≥ 0.7 of plain's rate). Then the
 * cache is filled with 1,000,000 lines and the p95 of time-range queries is measured (goal ≤ 5 ms).
 *
 * Ours pays for what the cache does on top of a bare insert: LogEntry → row (ISO time parsed,
 * stream and level coded, the source's id looked up), the byte count, and the per-source totals.
 *
 * Last line: `log-cache ratio=<ours/plain> goal=0.7`. Exit 1 when either goal is missed.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogCache } from '../../main/services/logs/log-cache';
import { systemClock } from '../../node/clock';
import { openDatabase, type Db } from '../../main/services/store/database';
import type { LogEntry } from '../../shared/model/logs';
import { alternatingRounds, fmt, median, percentile } from './bench-support';

const GOAL = 0.7;
const P95_GOAL_MS = 5;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const FILL = Number(process.env.BENCH_FILL ?? 1_000_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 1_000);
/** What the cache commits per transaction (its flushRows). */
const BATCH = 5_000;
const CONTAINERS = ['shop-backend-1', 'shop-frontend-1', 'shop-worker-1', 'shop-db-1'];
const T0 = Date.parse('2024-05-01T00:00:00Z');
const LEVELS = [null, 'info', 'info', 'debug', 'warn', 'error'] as const;

/** Lines like real ones: a mix of request logs and JSON, 60–250 bytes, spread over `spanMs`. */
function makeEntries(count: number, spanMs: number, seed = 1, offset = 0, total = count): LogEntry[] {
  let x = seed;
  const rand = () => (x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const entries: LogEntry[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const container = CONTAINERS[i % CONTAINERS.length]!;
    const level = LEVELS[Math.floor(rand() * LEVELS.length)]!;
    // Mostly ASCII like most logs, one line in ten with accents, symbols or emoji.
    const message =
      i % 3 === 0
        ? JSON.stringify({
            level: level ?? 'info',
            msg: 'request finished',
            path: `/api/orders/${Math.floor(rand() * 1e6)}`,
            ms: Math.floor(rand() * 900),
          })
        : `${level?.toUpperCase() ?? 'INFO'} [worker-${i % 7}] processed job ${i} in ${Math.floor(rand() * 5000)} ms` +
          (i % 10 === 1
            ? ` for José — “résumé” ✓ 🚀`
            : ` queue=default attempt=1 ${'x'.repeat(Math.floor(rand() * 120))}`);
    entries[i] = {
      ts: new Date(T0 + Math.floor(((offset + i) / total) * spanMs)).toISOString(),
      target: 'bench-target',
      service: container.replace(/^shop-|-\d+$/g, ''),
      container,
      stream: i % 11 === 0 ? 'stderr' : 'stdout',
      level,
      message,
    };
  }
  return entries;
}

function ours(dir: string, entries: LogEntry[]): number {
  const db = openDatabase(join(dir, 'ours.sqlite'));
  const cache = new LogCache(db, { trimIntervalMs: 3_600_000, flushRows: BATCH });
  const started = process.hrtime.bigint();
  // The same path a follow takes: append (which commits every BATCH lines), then a final flush.
  for (let i = 0; i < entries.length; i += BATCH) cache.append(entries.slice(i, i + BATCH));
  cache.flush();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  cache.dispose();
  db.close();
  return entries.length / seconds;
}

type PlainRow = [number, number, number, number | null, string];

function plain(dir: string, rows: PlainRow[]): number {
  const db = new Database(join(dir, 'plain.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`
    CREATE TABLE log_lines (id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL, ts INTEGER NOT NULL,
      stream INTEGER NOT NULL, level INTEGER, message TEXT NOT NULL);
    CREATE INDEX log_lines_source_ts ON log_lines (source_id, ts);
  `);
  const insert = db.prepare('INSERT INTO log_lines (source_id, ts, stream, level, message) VALUES (?, ?, ?, ?, ?)');
  const batch = db.transaction((slice: PlainRow[]) => {
    for (const row of slice) insert.run(row[0], row[1], row[2], row[3], row[4]);
  });
  const started = process.hrtime.bigint();
  for (let i = 0; i < rows.length; i += BATCH) batch(rows.slice(i, i + BATCH));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  db.close();
  return rows.length / seconds;
}

function main() {
  const root = mkdtempSync(join(tmpdir(), 'cr-bench-log-cache-'));
  try {
    // ---- insert rate: ours vs plain, same rows -------------------------------------------------
    const entries = makeEntries(ROWS, 3_600_000);
    const levelCode = { error: 1, warn: 2, info: 3, debug: 4 } as const;
    const rows: PlainRow[] = entries.map((e) => [
      CONTAINERS.indexOf(e.container) + 1,
      Date.parse(e.ts),
      e.stream === 'stderr' ? 1 : 0,
      e.level ? levelCode[e.level] : null,
      e.message,
    ]);
    const { oursRates, plainRates, ratio } = alternatingRounds({
      root,
      rounds: ROUNDS,
      ours: (dir, warmUp) => ours(dir, warmUp ? entries.slice(0, 50_000) : entries),
      plain: (dir, warmUp) => plain(dir, warmUp ? rows.slice(0, 50_000) : rows),
      unit: 'lines',
    });
    console.log(
      `insert (${fmt(ROWS)} lines, ${BATCH} per transaction, ${ROUNDS} rounds): ours ${fmt(median(oursRates))} lines/s, ` +
        `plain ${fmt(median(plainRates))} lines/s (medians); median per-round ratio ${ratio.toFixed(2)}`,
    );

    // ---- 1,000,000 lines, time-range queries ---------------------------------------------------
    const day = 24 * 3_600_000;
    const db: Db = openDatabase(join(root, 'fill.sqlite'));
    const cache = new LogCache(db, { trimIntervalMs: 3_600_000 }, { ...systemClock, now: () => T0 + day });
    const fillStarted = process.hrtime.bigint();
    for (let i = 0; i < FILL; i += 100_000) cache.insert(makeEntries(Math.min(100_000, FILL - i), day, i + 7, i, FILL));
    const fillSeconds = Number(process.hrtime.bigint() - fillStarted) / 1e9;
    const summary = cache.summary();
    const cached = summary.services.reduce((sum, s) => sum + s.lines, 0);
    console.log(
      `filled ${fmt(cached)} lines (${(cache.totalBytes() / 2 ** 20).toFixed(0)} MB counted) in ${fillSeconds.toFixed(1)} s`,
    );

    let x = 42;
    const rand = () => (x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const windowMs = 5 * 60_000;
    const times: number[] = [];
    const textTimes: number[] = [];
    let returned = 0;
    for (let q = 0; q < QUERIES; q++) {
      const from = T0 + Math.floor(rand() * (day - windowMs));
      // Half ask for one container, half for the whole target (all four merged).
      const sources = q % 2 === 0 ? [CONTAINERS[q % CONTAINERS.length]!] : undefined;
      const started = process.hrtime.bigint();
      const result = cache.query({
        targetId: 'bench-target',
        sources,
        fromMs: from,
        toMs: from + windowMs,
        limit: 1_000,
      });
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      returned += result.entries.length;
      if (q % 10 === 0) {
        const t = process.hrtime.bigint();
        cache.query({ targetId: 'bench-target', fromMs: from, toMs: from + 3_600_000, text: 'job 12', limit: 1_000 });
        textTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }
    const p95 = percentile(times, 95);
    console.log(
      `time-range queries (${QUERIES}, 5-minute windows, limit 1,000, ~${fmt(returned / QUERIES)} lines each): ` +
        `p50 ${percentile(times, 50).toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, max ${Math.max(...times).toFixed(2)} ms (goal p95 ≤ ${P95_GOAL_MS} ms)`,
    );
    console.log(
      `text queries (${textTimes.length}, 1-hour windows, LIKE): p50 ${percentile(textTimes, 50).toFixed(2)} ms, p95 ${percentile(textTimes, 95).toFixed(2)} ms (no goal)`,
    );
    cache.dispose();
    db.close();

    const failed = ratio < GOAL || p95 > P95_GOAL_MS;
    if (p95 > P95_GOAL_MS) console.log(`query p95 ${p95.toFixed(2)} ms misses the goal of ${P95_GOAL_MS} ms`);
    console.log(`log-cache ratio=${ratio.toFixed(2)} goal=${GOAL}`);
    process.exitCode = failed ? 1 : 0;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main();
