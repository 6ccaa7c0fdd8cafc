/**
 * probe-history: the probe store's write path and its history reads at Uptime Kuma's scale ×10.
 *
 * 1. Inserts: results recorded through the store (`recordResults`, 10,000 per transaction: the
 *    row encoding, repeated texts, transition events, hour/day/minute aggregates, last success and
 *    failure; the timing ends after `dispose`, which writes the aggregates still in memory)
 *    against a plain better-sqlite3 batched insert of the same results into the obvious table
 *    (one row per result, the probe's id, ISO times, conditions and metadata as JSON, the same
 *    index on probe and start), values prepared before timing, same pragmas, same batch size,
 *    alternating rounds (goal ≥ 0.7 of plain's rate).
 * 2. A store of 10,000,000 results of 1,000 probes over 30 days (one run every 259 s each; three
 *    conditions, mostly passing), built once through the same `recordResults` path and cached
 *    under node_modules/.cache/probe-history/ keyed by a hash of the schema and the store's code.
 *    p95 over 50 reads of random probes, each kind measured on a freshly opened store so its first
 *    read is included: 24 h and 30-day uptime with latency p50/p95 (goal ≤ 5 ms), the last 24 h of
 *    results for the chart (goal ≤ 10 ms), the latest 100 results (goal ≤ 2 ms); and bytes on disk
 *    per stored result, the whole file (page_count × page_size after a checkpoint) over the
 *    results in it (goal ≤ 100; Kuma: 146).
 *
 * Last line: `probe-history ratio=<ours/plain> goal=0.7`. Exit 1 when a goal is missed.
 * BENCH_FILL sets the store's size (default 10,000,000), BENCH_ROUNDS the insert rounds;
 * BENCH_INSERT_ONLY=1 runs only the insert comparison (no store built or read), for iterating.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProbeStore, type RecordInput } from '../../node/probes/store/probe-store';
import { openDatabase, type Db } from '../../main/services/store/database';
import { MIGRATIONS } from '../../main/services/store/migrations';
import { systemClock } from '../../node/clock';
import type { ProbeResult } from '../../shared/model/probe';
import { alternatingRounds, fmt, median, percentile } from './bench-support';

const GOAL = 0.7;
const UPTIME_GOAL_MS = 5;
const CHART_GOAL_MS = 10;
const LATEST_GOAL_MS = 2;
const BYTES_GOAL = 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const FILL = Number(process.env.BENCH_FILL ?? 10_000_000);
const PROBES = 1_000;
const READS = 50;
const BATCH = 10_000;
const DAY = 86_400_000;
const SPAN = 30 * DAY;
/** The store's "now": the end of the 30 days. */
const T0 = Date.parse('2024-05-01T00:00:00Z');
const NOW = T0 + SPAN;

type Input = Omit<ProbeResult, 'id' | 'artifacts'>;

/**
 * Result `i` of `total` spread over [T0, T0 + span): probes take turns, so each probe runs every
 * span × probes / total ms. Three conditions like an HTTP preset's; about 97 % ok, 2 % warn (slow),
 * 1 % fail (a 503, runs of them for an outage); durations 60–900 ms, log-normal-ish.
 */
function makeResult(i: number, total: number, span: number, rand: () => number): Input {
  const probe = i % PROBES;
  const started = T0 + Math.floor((i / total) * span);
  const roll = rand();
  const outage = Math.floor(i / PROBES) % 500 < 5 && probe % 7 === 0;
  const status = outage || roll < 0.01 ? 'fail' : roll < 0.03 ? 'warn' : 'ok';
  const duration = status === 'warn' ? 1200 + Math.floor(rand() * 800) : Math.floor(60 * Math.exp(rand() * 2.7));
  const httpStatus = status === 'fail' ? 503 : 200;
  return {
    probeId: `probe-${probe.toString().padStart(4, '0')}`,
    status,
    trigger: 'scheduler',
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(started + duration).toISOString(),
    durationMs: duration,
    error: status === 'fail' ? 'The condition [STATUS] == 200 failed: the server answered 503.' : null,
    attempts: status === 'fail' ? 2 : 1,
    conditions: [
      {
        expression: '[STATUS] == 200',
        severity: 'fail',
        passed: httpStatus === 200,
        observed: String(httpStatus),
        reason: null,
      },
      {
        expression: '[RESPONSE_TIME] < 1000',
        severity: 'warn',
        passed: duration < 1000,
        observed: `${duration}ms`,
        reason: null,
      },
      {
        expression: '[BODY].status == UP',
        severity: 'fail',
        passed: status !== 'fail',
        observed: status === 'fail' ? null : '"UP"',
        reason: status === 'fail' ? 'The body is not JSON.' : null,
      },
    ],
    metadata: { httpStatus, provider: 'ai_studio', model: 'gemini-2.0-flash' },
    maintenance: false,
    interrupted: false,
  };
}

function seeded(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

function ours(dir: string, inputs: Input[]): number {
  const db = openDatabase(join(dir, 'ours.sqlite'));
  const store = new ProbeStore(db, join(dir, 'artifacts'), systemClock);
  const items: RecordInput[] = inputs.map((result) => ({ runId: null, result, artifacts: [] }));
  const started = process.hrtime.bigint();
  for (let i = 0; i < items.length; i += BATCH) store.recordResults(items.slice(i, i + BATCH));
  // Timed too: dispose writes the aggregates still waiting in memory.
  store.dispose();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  db.close();
  return items.length / seconds;
}

type PlainRow = [string, string, string, string, string, number, number, string | null, string, string, number, number];

function plain(dir: string, rows: PlainRow[]): number {
  const db = new Database(join(dir, 'plain.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`
    CREATE TABLE results (id INTEGER PRIMARY KEY, probe_id TEXT NOT NULL, status TEXT NOT NULL, trigger TEXT NOT NULL,
      started_at TEXT NOT NULL, finished_at TEXT NOT NULL, duration_ms INTEGER NOT NULL, attempts INTEGER NOT NULL,
      error TEXT, conditions TEXT NOT NULL, metadata TEXT NOT NULL, maintenance INTEGER NOT NULL, interrupted INTEGER NOT NULL);
    CREATE INDEX results_probe_started ON results (probe_id, started_at);
  `);
  const insert = db.prepare(
    `INSERT INTO results (probe_id, status, trigger, started_at, finished_at, duration_ms, attempts, error, conditions,
      metadata, maintenance, interrupted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const batch = db.transaction((slice: PlainRow[]) => {
    for (const row of slice) insert.run(...row);
  });
  const started = process.hrtime.bigint();
  for (let i = 0; i < rows.length; i += BATCH) batch(rows.slice(i, i + BATCH));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  db.close();
  return rows.length / seconds;
}

/** The filled store's file: built once per schema and store code, then reused. */
function filledStore(): { file: string; built: boolean; seconds: number } {
  const hash = createHash('sha256');
  for (const m of MIGRATIONS) hash.update(`${m.name}\n${m.sql}\n`);
  for (const f of ['probe-store.ts', 'probe-store-codec.ts', 'probe-store-aggregates.ts', 'probe-histogram.ts']) {
    hash.update(readFileSync(join('node/probes/store', f)));
  }
  hash.update(readFileSync('test/bench/probe-history.bench.ts'));
  hash.update(String(FILL));
  const cacheDir = join('node_modules', '.cache', 'probe-history');
  const file = join(cacheDir, `${hash.digest('hex').slice(0, 16)}.sqlite`);
  if (existsSync(file)) return { file, built: false, seconds: 0 };
  mkdirSync(cacheDir, { recursive: true });
  // Files of an older schema or store code are of no further use.
  for (const old of readdirSync(cacheDir)) rmSync(join(cacheDir, old), { recursive: true, force: true });
  const building = `${file}.building`;
  rmSync(building, { force: true });
  const db = openDatabase(building);
  const store = new ProbeStore(db, join(cacheDir, 'artifacts'), { ...systemClock, now: () => NOW });
  const rand = seeded(7);
  const started = process.hrtime.bigint();
  for (let i = 0; i < FILL; i += BATCH) {
    const items: RecordInput[] = [];
    for (let k = i; k < Math.min(FILL, i + BATCH); k++)
      items.push({ runId: null, result: makeResult(k, FILL, SPAN, rand), artifacts: [] });
    store.recordResults(items);
    if (i % 1_000_000 === 0 && i) console.log(`  … ${fmt(i)} results`);
  }
  // What the app's hourly prune does to a month of data: minute detail kept for two days only.
  store.prune(NOW);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  store.dispose();
  db.close();
  renameSync(building, file);
  return { file, built: true, seconds };
}

function timeReads(file: string, read: (store: ProbeStore, probeId: string) => unknown): number[] {
  // A freshly opened store each time, so the first read after opening is among the 50.
  const db: Db = openDatabase(file);
  const store = new ProbeStore(db, join(tmpdir(), 'unused-artifacts'), { ...systemClock, now: () => NOW });
  const rand = seeded(99);
  const times: number[] = [];
  for (let q = 0; q < READS; q++) {
    const probeId = `probe-${Math.floor(rand() * PROBES)
      .toString()
      .padStart(4, '0')}`;
    const started = process.hrtime.bigint();
    read(store, probeId);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  store.dispose();
  db.close();
  return times;
}

function main() {
  const root = mkdtempSync(join(tmpdir(), 'cr-bench-probe-history-'));
  let failed = false;
  try {
    // ---- insert rate: ours vs plain, same results ----------------------------------------------
    const rand = seeded(1);
    const inputs = Array.from({ length: ROWS }, (_, i) => makeResult(i, ROWS, (ROWS / PROBES) * 259_200, rand));
    const rows: PlainRow[] = inputs.map((r) => [
      r.probeId,
      r.status,
      r.trigger,
      r.startedAt,
      r.finishedAt,
      r.durationMs,
      r.attempts,
      r.error,
      JSON.stringify(r.conditions),
      JSON.stringify(r.metadata),
      r.maintenance ? 1 : 0,
      r.interrupted ? 1 : 0,
    ]);
    const { oursRates, plainRates, ratio } = alternatingRounds({
      root,
      rounds: ROUNDS,
      ours: (dir, warmUp) => ours(dir, warmUp ? inputs.slice(0, 20_000) : inputs),
      plain: (dir, warmUp) => plain(dir, warmUp ? rows.slice(0, 20_000) : rows),
      unit: 'results',
    });
    console.log(
      `insert (${fmt(ROWS)} results of ${fmt(PROBES)} probes, ${fmt(BATCH)} per transaction, ${ROUNDS} rounds): ours ${fmt(median(oursRates))} results/s, ` +
        `plain ${fmt(median(plainRates))} results/s (medians); median per-round ratio ${ratio.toFixed(2)}`,
    );
    if (ratio < GOAL) failed = true;
    if (process.env.BENCH_INSERT_ONLY === '1') {
      console.log(`probe-history ratio=${ratio.toFixed(2)} goal=${GOAL}`);
      process.exitCode = failed ? 1 : 0;
      return;
    }

    // ---- the filled store ---------------------------------------------------------------------
    const { file, built, seconds } = filledStore();
    console.log(
      built
        ? `built a store of ${fmt(FILL)} results of ${fmt(PROBES)} probes over 30 days in ${seconds.toFixed(0)} s (${fmt(FILL / seconds)} results/s), cached as ${file}`
        : `reusing the cached store ${file}`,
    );
    const check = new Database(file, { readonly: true });
    const pageBytes =
      (check.pragma('page_count', { simple: true }) as number) *
      (check.pragma('page_size', { simple: true }) as number);
    const stored = check.prepare('SELECT count(*) FROM probe_results').pluck().get() as number;
    check.close();
    const perResult = pageBytes / stored;
    console.log(
      `bytes on disk: ${(pageBytes / 2 ** 20).toFixed(0)} MB for ${fmt(stored)} results = ${perResult.toFixed(1)} bytes per result, aggregates and texts included (goal ≤ ${BYTES_GOAL}; Kuma 146)`,
    );
    if (perResult > BYTES_GOAL) failed = true;

    const reads: [string, number, (store: ProbeStore, probeId: string) => unknown][] = [
      ['24 h + 30-day uptime with p50/p95', UPTIME_GOAL_MS, (s, id) => s.summaryStats(id, NOW)],
      ['last 24 h of results (chart)', CHART_GOAL_MS, (s, id) => s.resultsBetween(id, NOW - DAY, NOW)],
      ['latest 100 results', LATEST_GOAL_MS, (s, id) => s.results(id, { limit: 100 })],
    ];
    for (const [name, goal, read] of reads) {
      const times = timeReads(file, read);
      const p95 = percentile(times, 95);
      console.log(
        `${name} (${READS} reads, first after opening ${times[0]!.toFixed(2)} ms): p50 ${percentile(times, 50).toFixed(2)} ms, p95 ${p95.toFixed(2)} ms (goal ≤ ${goal} ms)`,
      );
      if (p95 > goal) {
        console.log(`${name}: p95 ${p95.toFixed(2)} ms misses the goal of ${goal} ms`);
        failed = true;
      }
    }
    console.log(`probe-history ratio=${ratio.toFixed(2)} goal=${GOAL}`);
    process.exitCode = failed ? 1 : 0;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main();
