/**
 * runbook-events: a step printing 200,000 output lines (~90 bytes each) through RunStore.append —
 * sequence numbers, times, batches of 2,000 written in a transaction each with the run's last
 * seq, everything flushed — against a plain better-sqlite3 insert of the same rows into the same
 * table in another file (same pragmas, same batch size, a transaction per batch). Rounds alternate
 * which goes first so machine noise hits both alike; ratio = plain time / ours time (the median of
 * the rounds' ratios), goal ≥ 0.7: ours may cost at most ~1.43× a bare insert.
 *
 * Then the same 200,000 lines again, produced in bursts with the event loop turning in between,
 * while a viewer follows with the cursor and drops and reconnects three times with its last seq:
 * it must be given every event exactly once, in order.
 *
 * Last line: `runbook-events ratio=<plain time / ours time> goal=0.7`. Exit 1 when the ratio
 * misses the goal or the viewer missed or repeated an event.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore, type NewEvent, type NewRun } from '../../main/services/runbooks/run-store';
import { RUNBOOKS_MIGRATION } from '../../main/services/runbooks/runbook-migration';
import { openDatabase } from '../../main/services/store/database';
import { systemClock } from '../../node/clock';
import { RunbookDefinition, type RunEvent } from '../../shared/model/runbook';
import { alternatingRounds, fmt, median } from './bench-support';

const GOAL = 0.7;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const LINES = Number(process.env.BENCH_LINES ?? 200_000);
/** The store's default batch: both sides commit this many rows per transaction. */
const BATCH = 2_000;
const T0 = Date.parse('2026-11-26T10:00:00Z');

const RUNBOOK = RunbookDefinition.parse({ id: 'deploy-backend', title: 'Deploy backend', kind: 'deploy', risk: 'changes-prod' });
const NEW_RUN: NewRun = {
  runbook: RUNBOOK,
  risk: 'changes-prod',
  target: { id: 'shop-prod', name: 'Shop prod', environment: 'prod' },
  inputs: {},
  dryRun: false,
  startedBy: 'bench',
  origin: 'app',
  retryOf: null,
  resumedFrom: null,
};

const PATHS = ['/api/items', '/api/orders/1042', '/api/cart', '/healthz', '/api/users/me', '/api/search?q=lamp'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const STATUSES = [200, 200, 200, 201, 204, 304, 404, 500];

/** Lines like a service's request log, ~90 bytes: `2026-11-26T10:00:00.123Z backend  GET /api/items 200 12ms …`. */
function makeLines(count: number): string[] {
  let x = 7;
  const rand = () => (x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const lines: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const at = new Date(T0 + i * 3).toISOString();
    const k = Math.floor(rand() * PATHS.length);
    lines[i] =
      `${at} backend  ${METHODS[k]} ${PATHS[k]} ${STATUSES[Math.floor(rand() * STATUSES.length)]} ${Math.floor(rand() * 400)}ms ` +
      `req=${Math.floor(rand() * 1e8).toString(36)} ua=curl/8.5 host=app-2`;
  }
  return lines;
}

function event(message: string): NewEvent {
  return { level: 'output', phase: 'action', step: 'recreate', message };
}

function ours(dir: string, lines: string[]): number {
  const db = openDatabase(join(dir, 'ours.sqlite'));
  const store = new RunStore(db, dir, systemClock, { batchSize: BATCH });
  const run = store.createRun(NEW_RUN);
  const started = process.hrtime.bigint();
  for (const line of lines) store.append(run.id, event(line));
  store.flush();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (store.getRun(run.id).lastSeq !== lines.length) throw new Error('The store lost events.');
  store.dispose();
  db.close();
  return lines.length / seconds;
}

type PlainRow = [string, number, string, string, string, string, string, string | null];

/** The run_events table exactly as the app's migration creates it. */
function runEventsTable(): string {
  const match = /CREATE TABLE run_events \([^;]*?\) WITHOUT ROWID;/s.exec(RUNBOOKS_MIGRATION.sql);
  if (!match) throw new Error('The runbooks migration has no run_events table.');
  return match[0];
}

function plain(dir: string, rows: PlainRow[]): number {
  const db = new Database(join(dir, 'plain.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(runEventsTable());
  const insert = db.prepare('INSERT INTO run_events (run_id, seq, at, level, phase, step, message, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const batch = db.transaction((slice: PlainRow[]) => {
    for (const row of slice) insert.run(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7]);
  });
  const started = process.hrtime.bigint();
  for (let i = 0; i < rows.length; i += BATCH) batch(rows.slice(i, i + BATCH));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  db.close();
  return rows.length / seconds;
}

/**
 * The producer in bursts of 1–2,000 lines with a turn of the event loop between, the flush on
 * its real timer; a viewer follows from 0 and drops three times (coming back a few turns later
 * with its last seq). Returns what the viewer was given.
 */
async function followedRun(root: string, lines: string[]): Promise<{ count: number; duplicates: number; gaps: number; last: number; reconnects: number; seconds: number }> {
  const dir = mkdtempSync(join(root, 'follow-'));
  const db = openDatabase(join(dir, 'follow.sqlite'));
  const store = new RunStore(db, dir, systemClock, { batchSize: BATCH });
  const run = store.createRun(NEW_RUN);
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const seen = new Uint8Array(lines.length + 1);
  let count = 0;
  let duplicates = 0;
  let gaps = 0;
  let last = 0;
  const take = (events: RunEvent[]) => {
    for (const e of events) {
      if (e.seq !== last + 1) gaps++;
      if (seen[e.seq]) duplicates++;
      seen[e.seq] = 1;
      last = e.seq;
      count++;
    }
  };
  let stop = store.follow(run.id, 0, take);
  const dropsAt = [0.25, 0.5, 0.75].map((f) => Math.floor(lines.length * f));
  let reconnects = 0;
  const started = process.hrtime.bigint();
  let x = 3;
  for (let i = 0; i < lines.length; ) {
    const burst = Math.min(lines.length - i, 1 + ((x = (x * 7_919 + 13) % 2_003) % 2_000));
    for (let k = 0; k < burst; k++, i++) store.append(run.id, event(lines[i]!));
    if (reconnects < dropsAt.length && i >= dropsAt[reconnects]!) {
      stop();
      // Away for a few bursts: those events reach it only through its catch-up.
      for (let t = 0; t < 3; t++) {
        for (let k = 0; k < 500 && i < lines.length; k++, i++) store.append(run.id, event(lines[i]!));
        await turn();
      }
      stop = store.follow(run.id, last, take);
      reconnects++;
    }
    await turn();
  }
  store.flush();
  const deadline = Date.now() + 30_000;
  while (last < lines.length && Date.now() < deadline) await turn();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  stop();
  store.dispose();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { count, duplicates, gaps, last, reconnects, seconds };
}

async function main() {
  const root = mkdtempSync(join(tmpdir(), 'cr-bench-runbook-events-'));
  try {
    const lines = makeLines(LINES);
    const bytes = lines.reduce((sum, l) => sum + l.length, 0) / lines.length;
    // The plain side inserts the rows ours writes: same run id shape, seq, time, level, phase, step.
    const rows: PlainRow[] = lines.map((line, i) => ['run-mi0abcd1-0badcafe', i + 1, new Date(T0 + i).toISOString(), 'output', 'action', 'recreate', line, null]);
    const { oursRates, plainRates, ratio } = alternatingRounds({
      root,
      rounds: ROUNDS,
      ours: (dir, warmUp) => ours(dir, warmUp ? lines.slice(0, 50_000) : lines),
      plain: (dir, warmUp) => plain(dir, warmUp ? rows.slice(0, 50_000) : rows),
      unit: 'events',
    });
    console.log(
      `append (${fmt(LINES)} lines of ~${Math.round(bytes)} bytes, ${fmt(BATCH)} per transaction, ${ROUNDS} rounds): ` +
        `ours ${fmt(median(oursRates))} events/s, plain ${fmt(median(plainRates))} events/s (medians); ` +
        `median per-round ratio ${ratio.toFixed(2)}`,
    );

    const viewer = await followedRun(root, lines);
    const exact = viewer.count === LINES && viewer.duplicates === 0 && viewer.gaps === 0 && viewer.last === LINES;
    console.log(
      `viewer following while ${fmt(LINES)} lines were appended in bursts (${(viewer.seconds * 1000).toFixed(0)} ms), ` +
        `${viewer.reconnects} reconnects with its last seq: given ${fmt(viewer.count)} events, ${viewer.duplicates} twice, ` +
        `${viewer.gaps} out of order, last seq ${fmt(viewer.last)} — ${exact ? 'every event exactly once' : 'NOT every event exactly once'}`,
    );

    console.log(`runbook-events ratio=${ratio.toFixed(2)} goal=${GOAL}`);
    if (!exact || viewer.reconnects !== 3 || ratio < GOAL) process.exitCode = 1;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
