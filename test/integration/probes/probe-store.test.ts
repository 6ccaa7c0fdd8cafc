/**
 * The probe store on a real SQLite file and a real artifacts folder: every field of a result read
 * back, aggregates against a brute-force computation over the raw results, retention and the
 * size bound with the fake clock, interrupted runs across a reopen, a failing artifact write, and
 * bytes on disk per result.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, type Dirent } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HISTOGRAM_RELATIVE_ERROR } from '../../../node/probes/store/probe-histogram';
import { ProbeStore, type RecordInput } from '../../../node/probes/store/probe-store';
import { DATABASE_FILE, openDatabase, type Db } from '../../../main/services/store/database';
import type { ProbeResult, ResultStatus } from '../../../shared/model/probe';
import { FakeClock } from '../../support/fake-clock';

const DAY = 86_400_000;
const HOUR = 3_600_000;
let dir: string;
let db: Db;
let store: ProbeStore;
let clock: FakeClock;

function open() {
  db = openDatabase(join(dir, DATABASE_FILE));
  store = new ProbeStore(db, join(dir, 'probe-artifacts'), clock);
}

function close() {
  store.dispose();
  db.close();
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cr-probe-store-'));
  clock = new FakeClock('2024-05-01T10:00:00Z');
  open();
});

afterEach(() => {
  close();
  rmSync(dir, { recursive: true, force: true });
});

type Input = Omit<ProbeResult, 'id' | 'artifacts'>;

/** A result like an HTTP probe's: three conditions, mostly passing. */
function result(probeId: string, startedMs: number, status: ResultStatus = 'ok', durationMs = 120): Input {
  return {
    probeId,
    status,
    trigger: 'scheduler',
    startedAt: new Date(startedMs).toISOString(),
    finishedAt: new Date(startedMs + durationMs).toISOString(),
    durationMs,
    error: status === 'fail' ? 'The server answered 503.' : null,
    attempts: 1,
    conditions: [
      {
        expression: '[STATUS] == 200',
        severity: 'fail',
        passed: status !== 'fail',
        observed: status === 'fail' ? '503' : '200',
        reason: null,
      },
      {
        expression: '[RESPONSE_TIME] < 1000',
        severity: 'warn',
        passed: status !== 'warn',
        observed: `${durationMs}ms`,
        reason: null,
      },
      { expression: '[BODY].status == UP', severity: 'fail', passed: true, observed: '"UP"', reason: null },
    ],
    metadata: { httpStatus: status === 'fail' ? 503 : 200, provider: 'ai_studio' },
    maintenance: false,
    interrupted: false,
  };
}

function seeded(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

/**
 * The store's uptime, latency and history of `probeId` at `now` against a brute-force computation
 * over `raw` (interrupted and maintenance results left out, as the store counts them).
 */
function expectAggregates(raw: readonly Input[], probeId: string, now: number) {
  const mine = raw.filter((r) => r.probeId === probeId && !r.interrupted && !r.maintenance);
  const brute = (fromMs: number) => {
    const inWindow = mine.filter((r) => Date.parse(r.startedAt) >= fromMs && Date.parse(r.startedAt) <= now);
    const up = inWindow.filter((r) => r.status !== 'fail').length;
    const durations = inWindow.map((r) => r.durationMs).sort((x, y) => x - y);
    const q = (p: number) => durations[Math.max(0, Math.ceil(p * durations.length) - 1)]!;
    return { uptime: up / inWindow.length, p50: q(0.5), p95: q(0.95) };
  };
  const stats = store.summaryStats(probeId, now);
  // 24 h counts from the start of the minute 24 h ago, 30 days from the start of the hour.
  const day = brute(Math.floor((now - DAY) / 60_000) * 60_000);
  const month = brute(Math.floor((now - 30 * DAY) / HOUR) * HOUR);
  expect(stats.uptime24h).toBeCloseTo(day.uptime, 10);
  expect(stats.uptime30d).toBeCloseTo(month.uptime, 10);
  const within = (value: number | null, exact: number) =>
    expect(Math.abs(value! - exact) / exact).toBeLessThanOrEqual(HISTOGRAM_RELATIVE_ERROR + 1e-9);
  within(stats.p50Ms24h, day.p50);
  within(stats.p95Ms24h, day.p95);
  within(stats.p50Ms30d, month.p50);
  within(stats.p95Ms30d, month.p95);
  expect(store.summaries(now).get(probeId)?.uptime24h).toBeCloseTo(day.uptime, 10);

  for (const [range, size, count] of [
    ['1h', 60_000, 60],
    ['24h', HOUR, 24],
    ['7d', HOUR, 168],
    ['30d', DAY, 30],
  ] as const) {
    const history = store.history(probeId, range, now);
    expect(history.buckets).toHaveLength(count);
    const first = Date.parse(history.buckets[0]!.start);
    expect(first).toBe((Math.floor(now / size) - count + 1) * size);
    for (const bucket of history.buckets) {
      const start = Date.parse(bucket.start);
      const inBucket = mine.filter((r) => Date.parse(r.startedAt) >= start && Date.parse(r.startedAt) < start + size);
      expect([bucket.ok, bucket.warn, bucket.fail]).toEqual(
        (['ok', 'warn', 'fail'] as const).map((s) => inBucket.filter((r) => r.status === s).length),
      );
    }
    const all = mine.filter((r) => Date.parse(r.startedAt) >= first);
    if (all.length) expect(history.uptime).toBeCloseTo(all.filter((r) => r.status !== 'fail').length / all.length, 10);
  }
}

/** Results of `probeId` the stored day rows count (not those waiting in memory). */
function storedCount(probeId: string): number {
  return db
    .prepare(
      'SELECT coalesce(sum(ok + warn + fail), 0) FROM probe_days WHERE probe = (SELECT key FROM probe_keys WHERE probe_id = ?)',
    )
    .pluck()
    .get(probeId) as number;
}

/** Random results of `probeId` every `everyMs` in [fromMs, toMs): ok, warn or fail, spread durations. */
function series(probeId: string, fromMs: number, toMs: number, everyMs: number, rand: () => number): Input[] {
  const out: Input[] = [];
  for (let t = fromMs; t < toMs; t += everyMs) {
    const roll = rand();
    const status: ResultStatus = roll < 0.1 ? 'fail' : roll < 0.2 ? 'warn' : 'ok';
    out.push(result(probeId, t, status, Math.floor(20 * Math.exp(rand() * 5))));
  }
  return out;
}

/** Where the store keeps a content: <artifacts>/<sha256[0..2]>/<sha256>.bin. */
function blobPath(content: string | Buffer): string {
  const hash = createHash('sha256').update(content).digest('hex');
  return join(dir, 'probe-artifacts', hash.slice(0, 2), `${hash}.bin`);
}

/** Every file under the artifacts folder, as full paths, sorted. */
function artifactFiles(): string[] {
  const root = join(dir, 'probe-artifacts');
  if (!existsSync(root)) return [];
  return (readdirSync(root, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const text = (body: string) => [
  { name: 'response.json', contentType: 'application/json', data: Buffer.from(body), truncated: false },
];

const items = (inputs: readonly Input[]): RecordInput[] =>
  inputs.map((r) => ({ runId: null, result: r, artifacts: [] }));

describe('probe store', () => {
  it('reads back every field of a result, artifacts included, across a reopen', async () => {
    const started = clock.now();
    const input: Input = {
      probeId: 'gemini-text',
      status: 'warn',
      trigger: 'manual',
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(started + 1500).toISOString(),
      durationMs: 1432,
      error: 'The condition [RESPONSE_TIME] < 1000 failed.',
      attempts: 3,
      conditions: [
        { expression: '[STATUS] == 200', severity: 'fail', passed: true, observed: '200', reason: null },
        { expression: '[RESPONSE_TIME] < 1000', severity: 'warn', passed: false, observed: '1432ms', reason: null },
        { expression: '[BODY].status == UP', severity: 'fail', passed: true, observed: '"UP"', reason: null },
        { expression: '[BODY].items[0].id == -7', severity: 'fail', passed: true, observed: '-7', reason: null },
        {
          expression: '[BODY].x == 1',
          severity: 'warn',
          passed: true,
          observed: null,
          reason: 'The body is not JSON.',
        },
        { expression: '[BODY].code == 007', severity: 'fail', passed: true, observed: '007', reason: null },
      ],
      metadata: { httpStatus: 200, provider: 'ai_studio', model: 'gemini-2.0-flash', cached: false, region: null },
      maintenance: true,
      interrupted: false,
    };
    const runId = store.beginRun('gemini-text', 'manual', started);
    const body = Buffer.alloc(700 * 1024, 7);
    const saved = store.recordResult(runId, input, [
      { name: 'response.json', contentType: 'application/json', data: body, truncated: true },
      { name: 'image.png', contentType: 'image/png', data: Buffer.from([1, 2, 3]), truncated: false },
    ]);
    const expected: ProbeResult = {
      ...input,
      id: saved.id,
      artifacts: [
        { id: '0', name: 'response.json', contentType: 'application/json', bytes: body.length, truncated: true },
        { id: '1', name: 'image.png', contentType: 'image/png', bytes: 3, truncated: false },
      ],
    };
    expect(saved).toEqual(expected);
    close();
    open();
    expect(store.results('gemini-text')).toEqual([expected]);
    expect(store.lastResult('gemini-text')).toEqual(expected);
    expect(store.markInterrupted()).toBe(0);
    const first = await store.readArtifact(saved.id, '0', 0);
    expect(first).toMatchObject({
      contentType: 'application/json',
      name: 'response.json',
      bytes: body.length,
      eof: false,
    });
    const second = await store.readArtifact(saved.id, '0', 512 * 1024);
    expect(second.eof).toBe(true);
    expect(
      Buffer.concat([Buffer.from(first.base64, 'base64'), Buffer.from(second.base64, 'base64')]).equals(body),
    ).toBe(true);
    expect(Buffer.from((await store.readArtifact(saved.id, '1')).base64, 'base64')).toEqual(Buffer.from([1, 2, 3]));
    await expect(store.readArtifact(saved.id, '9')).rejects.toThrow(/no artifact/);
  });

  it('pages results newest first, records transitions and the last success and failure', () => {
    const t = clock.now();
    const statuses: ResultStatus[] = ['ok', 'ok', 'fail', 'fail', 'warn', 'ok'];
    const ids = statuses.map((s, i) => store.recordResult(null, result('api', t + i * 60_000, s), []).id);
    const page1 = store.results('api', { limit: 4 });
    expect(page1.map((r) => r.id)).toEqual([...ids].reverse().slice(0, 4));
    expect(store.results('api', { before: page1.at(-1)!.id, limit: 4 }).map((r) => r.id)).toEqual([ids[1], ids[0]]);
    expect(store.events('api').reverse()).toEqual([
      { probeId: 'api', at: new Date(t).toISOString(), from: null, to: 'ok', resultId: ids[0] },
      { probeId: 'api', at: new Date(t + 120_000).toISOString(), from: 'ok', to: 'fail', resultId: ids[2] },
      { probeId: 'api', at: new Date(t + 240_000).toISOString(), from: 'fail', to: 'warn', resultId: ids[4] },
      { probeId: 'api', at: new Date(t + 300_000).toISOString(), from: 'warn', to: 'ok', resultId: ids[5] },
    ]);
    expect(store.lastSuccessAt('api')).toBe(new Date(t + 300_000 + 120).toISOString());
    expect(store.lastFailureAt('api')).toBe(new Date(t + 180_000 + 120).toISOString());
    const summary = store.summaries(t + 600_000).get('api')!;
    expect(summary.lastResult?.id).toBe(ids[5]);
    expect(summary.recentDurations).toEqual([120, 120, 120, 120, 120, 120]);
    expect(summary.uptime24h).toBeCloseTo(4 / 6);
  });

  it('keeps aggregates equal to a brute-force computation over the raw results', () => {
    const now = clock.now();
    const rand = seeded(3);
    const raw: Input[] = [];
    // 40 days of one probe every 17 minutes, and a second probe, with ok/warn/fail and spread durations.
    for (let t = now - 40 * DAY; t < now; t += 17 * 60_000) {
      const roll = rand();
      const status: ResultStatus = roll < 0.1 ? 'fail' : roll < 0.2 ? 'warn' : 'ok';
      raw.push(result('a', t, status, Math.floor(20 * Math.exp(rand() * 5))));
      if (roll < 0.5) raw.push(result('b', t + 1000, 'ok', 50));
    }
    const all = items(raw);
    for (let i = 0; i < all.length; i += 500) store.recordResults(all.slice(i, i + 500));

    // Read while the aggregates wait in memory, then once written, then from the file alone.
    expect(storedCount('a')).toBe(0);
    expectAggregates(raw, 'a', now);
    expectAggregates(raw, 'b', now);
    store.flush();
    expect(storedCount('a')).toBe(raw.filter((r) => r.probeId === 'a').length);
    expectAggregates(raw, 'a', now);
    close();
    open();
    expectAggregates(raw, 'a', now);
    expectAggregates(raw, 'b', now);
  });

  it('prunes raw results after 30 days, keeps aggregates and the last success and failure, and prunes artifacts', async () => {
    const t0 = clock.now();
    // The failure's body, an older body of five runs, and the body of the last five and the last success.
    const failed = store.recordResult(null, result('site', t0, 'fail'), text('{"status":"DOWN"}'));
    for (let i = 1; i <= 5; i++) store.recordResult(null, result('site', t0 + i * HOUR, 'ok'), text('{"v":1}'));
    for (let i = 6; i <= 10; i++) store.recordResult(null, result('site', t0 + i * HOUR, 'ok'), text('{"v":2}'));
    const lastOk = store.recordResult(null, result('site', t0 + 11 * HOUR, 'ok'), text('{"v":2}'));
    expect(artifactFiles()).toEqual([blobPath('{"status":"DOWN"}'), blobPath('{"v":1}'), blobPath('{"v":2}')].sort());
    store.start();
    clock.advance(45 * DAY);
    // The hourly prune ran: only the last failure and the last success remain, with their files;
    // the file only pruned results referred to is gone.
    expect(store.results('site', { limit: 100 }).map((r) => r.id)).toEqual([lastOk.id, failed.id]);
    expect(artifactFiles()).toEqual([blobPath('{"status":"DOWN"}'), blobPath('{"v":2}')].sort());
    expect(Buffer.from((await store.readArtifact(failed.id, '0')).base64, 'base64').toString()).toBe(
      '{"status":"DOWN"}',
    );
    expect(Buffer.from((await store.readArtifact(lastOk.id, '0')).base64, 'base64').toString()).toBe('{"v":2}');
    expect(db.prepare('SELECT refs FROM probe_artifact_sets ORDER BY id').pluck().all()).toEqual([1, 1]);
    expect(store.lastFailureAt('site')).toBe(failed.finishedAt);
    // Aggregates are kept a year: the 365-day history still counts all twelve runs.
    const history = store.history('site', '365d', clock.now());
    expect(history.buckets.reduce((n, b) => n + b.ok + b.fail, 0)).toBe(12);
    expect(history.uptime).toBeCloseTo(11 / 12);
    // Texts only the pruned results used are gone; the kept results still read whole.
    expect(store.results('site', { limit: 100 })[1]!.error).toBe('The server answered 503.');
    // A shorter aggregate retention, set by the user, applies at once and survives a reopen.
    expect(store.setRetention({ rawDays: 7, aggregateDays: 40, maxMegabytes: 50 })).toEqual({
      rawDays: 7,
      aggregateDays: 40,
      maxMegabytes: 50,
    });
    expect(store.history('site', '365d', clock.now()).uptime).toBeNull();
    close();
    open();
    expect(store.retention()).toEqual({ rawDays: 7, aggregateDays: 40, maxMegabytes: 50 });
    expect(clock.pending).toBe(0);
  });

  it('deletes the oldest raw results beyond the size bound', () => {
    store.setRetention({ rawDays: 30, aggregateDays: 365, maxMegabytes: 10 });
    const t0 = clock.now();
    const ids: number[] = [];
    for (let i = 0; i < 14; i++) {
      // A different megabyte each run: identical ones would be stored once.
      const mb = Buffer.alloc(1024 * 1024, i + 1);
      ids.push(
        store.recordResult(null, result('big', t0 + i * 60_000, 'ok'), [
          { name: 'blob', contentType: 'application/octet-stream', data: mb, truncated: false },
        ]).id,
      );
    }
    expect(store.usedBytes()).toBeGreaterThan(14 * 1024 * 1024);
    const removed = store.prune(t0 + 20 * 60_000);
    expect(removed).toBeGreaterThanOrEqual(4);
    expect(store.usedBytes()).toBeLessThanOrEqual(10 * 1024 * 1024);
    const left = store.results('big', { limit: 100 }).map((r) => r.id);
    // The oldest went first; the newest (also the last success) stayed.
    expect(left[0]).toBe(ids.at(-1));
    expect(Math.min(...left)).toBe(ids[removed]);
    expect(artifactFiles()).toHaveLength(left.length);
  });

  it('turns runs in flight when the app stopped into interrupted results after a reopen', () => {
    store.recordResult(null, result('slow', clock.now() - 60_000, 'ok'), []);
    const runId = store.beginRun('slow', 'scheduler', clock.now());
    store.beginRun('other', 'manual', clock.now() + 5);
    const done = store.beginRun('slow', 'cli', clock.now());
    store.recordResult(done, result('slow', clock.now(), 'ok'), []);
    close();
    open();
    store.start();
    const [interrupted] = store.results('slow', { limit: 1 });
    expect(interrupted).toMatchObject({ status: 'fail', interrupted: true, trigger: 'scheduler', durationMs: 0 });
    expect(store.results('other')).toHaveLength(1);
    expect(store.markInterrupted()).toBe(0);
    expect(runId).toBeGreaterThan(0);
    // Interrupted runs prove nothing: not a failure, not a transition, not in the uptime.
    expect(store.lastFailureAt('slow')).toBeNull();
    expect(store.events('slow').map((e) => e.to)).toEqual(['ok']);
    expect(store.summaryStats('slow', clock.now()).uptime24h).toBe(1);
  });

  it('leaves no row and no file when an artifact cannot be written', () => {
    const first = store.recordResult(null, result('img', clock.now()), [
      { name: 'a', contentType: 'text/plain', data: Buffer.from('a'), truncated: false },
    ]);
    // A directory where the second artifact of the next result goes makes its rename fail.
    mkdirSync(blobPath('y'), { recursive: true });
    expect(() =>
      store.recordResult(null, result('img', clock.now() + 60_000), [
        { name: 'x', contentType: 'text/plain', data: Buffer.from('x'), truncated: false },
        { name: 'y', contentType: 'text/plain', data: Buffer.from('y'), truncated: false },
      ]),
    ).toThrow();
    expect(store.results('img').map((r) => r.id)).toEqual([first.id]);
    // The first artifact of the failed write was removed with it; the directory is not the store's.
    expect(artifactFiles()).toEqual([blobPath('a')]);
    expect(existsSync(blobPath('x'))).toBe(false);
    expect(db.prepare('SELECT count(*) FROM probe_blobs').pluck().get()).toBe(1);
    expect(store.summaryStats('img', clock.now() + 120_000).uptime24h).toBe(1);
    // The store goes on working afterwards.
    expect(store.recordResult(null, result('img', clock.now() + 120_000), []).status).toBe('ok');
  });

  it('deletes a probe with its rows and the artifacts only it used', () => {
    store.recordResult(null, result('gone', clock.now()), text('only mine'));
    store.recordResult(null, result('gone', clock.now() + 1000), text('shared'));
    store.recordResult(null, result('kept', clock.now()), text('shared'));
    store.deleteProbe('gone');
    expect(artifactFiles()).toEqual([blobPath('shared')]);
    expect(store.results('gone')).toEqual([]);
    expect([...store.summaries(clock.now()).keys()]).toEqual(['kept']);
    for (const table of [
      'probe_results',
      'probe_texts',
      'probe_hours',
      'probe_days',
      'probe_events',
      'probe_artifacts',
    ]) {
      expect(db.prepare(`SELECT count(*) FROM ${table} WHERE probe = 1`).pluck().get()).toBe(0);
    }
  });

  it('stores a result in at most 100 bytes on disk', () => {
    const rand = seeded(11);
    const t0 = clock.now() - 7 * DAY;
    const items: RecordInput[] = [];
    // 100 probes every 5 minutes for 7 days: 201,600 results, about 2 % warn and 1 % fail.
    const count = 100 * 288 * 7;
    for (let i = 0; i < count; i++) {
      const roll = rand();
      const status: ResultStatus = roll < 0.01 ? 'fail' : roll < 0.03 ? 'warn' : 'ok';
      items.push({
        runId: null,
        artifacts: [],
        result: result(`p-${i % 100}`, t0 + Math.floor(i * 3000), status, Math.floor(40 * Math.exp(rand() * 3))),
      });
      if (items.length === 10_000 || i === count - 1) store.recordResults(items.splice(0));
    }
    store.prune(clock.now());
    db.pragma('wal_checkpoint(TRUNCATE)');
    const bytes =
      (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
    const perResult = bytes / count;
    expect(perResult).toBeLessThanOrEqual(100);
  }, 120_000);
  it('reads include results not written to the aggregates yet; the minute timer writes them', () => {
    store.start();
    const now = clock.now();
    const rand = seeded(5);
    const raw = [...series('a', now - 3 * HOUR, now, 97_000, rand), ...series('b', now - 2 * HOUR, now, 41_000, rand)];
    raw.push({ ...result('a', now - 30 * 60_000 + 500, 'fail', 5000), maintenance: true });
    raw.push({ ...result('a', now - 20 * 60_000 + 500, 'fail', 0), interrupted: true });
    raw.sort((x, y) => Date.parse(x.startedAt) - Date.parse(y.startedAt));
    store.recordResults(items(raw.slice(0, 40)));
    for (const r of raw.slice(40)) store.recordResult(null, r, []);
    // Nothing written to the aggregate rows yet, and every read counts all of it.
    expect(db.prepare('SELECT count(*) FROM probe_hours').pluck().get()).toBe(0);
    expectAggregates(raw, 'a', now);
    expectAggregates(raw, 'b', now);
    clock.advance(60_000);
    expect(storedCount('a')).toBe(raw.filter((r) => r.probeId === 'a' && !r.maintenance && !r.interrupted).length);
    expect(db.prepare('SELECT result FROM probe_folded').pluck().get()).toBe(store.results('b', { limit: 1 })[0]!.id);
    expectAggregates(raw, 'a', now);
    expectAggregates(raw, 'b', now);
  });

  it('loses nothing when the process stops between flushes: results after the watermark are counted again', () => {
    const now = clock.now();
    const rand = seeded(9);
    const raw = [
      ...series('a', now - 3 * DAY, now, 13 * 60_000, rand),
      ...series('b', now - 2 * DAY, now, 29 * 60_000, rand),
    ];
    raw.sort((x, y) => Date.parse(x.startedAt) - Date.parse(y.startedAt));
    const half = Math.floor(raw.length / 2);
    store.recordResults(items(raw.slice(0, half)));
    store.flush();
    const written = storedCount('a');
    expect(written).toBeGreaterThan(0);
    // Taken in maintenance (not counted) and interrupted (not counted, no transition, not a failure).
    raw.splice(half + 3, 0, { ...result('a', now - 5 * HOUR + 500, 'fail', 3000), maintenance: true });
    raw.splice(half + 7, 0, { ...result('a', now - 4 * HOUR + 500, 'fail', 0), interrupted: true });
    for (let i = half; i < raw.length; i += 100) store.recordResults(items(raw.slice(i, i + 100)));
    const mine = raw.filter((r) => r.probeId === 'a' && !r.interrupted);
    const lastFail = mine.filter((r) => r.status === 'fail').at(-1)!;
    const lastOk = mine.filter((r) => r.status !== 'fail').at(-1)!;
    const events = store.events('a', 1000);
    // The process stops without dispose: the file has only the first half's aggregates.
    expect(storedCount('a')).toBe(written);
    expect(written).toBeLessThan(mine.length);
    db.close();
    open();
    expectAggregates(raw, 'a', now);
    expectAggregates(raw, 'b', now);
    expect(store.lastFailureAt('a')).toBe(lastFail.finishedAt);
    expect(store.lastSuccessAt('a')).toBe(lastOk.finishedAt);
    expect(store.events('a', 1000)).toEqual(events);
    // The next transition starts from the last status before the stop.
    const next: ResultStatus = mine.at(-1)!.status === 'fail' ? 'ok' : 'fail';
    const saved = store.recordResult(null, result('a', now + 1000, next), []);
    expect(store.events('a', 1)[0]).toMatchObject({ from: mine.at(-1)!.status, to: next, resultId: saved.id });
    raw.push(result('a', now + 1000, next));
    // Written at dispose and counted once, however often the file is opened.
    close();
    open();
    expect(storedCount('a')).toBe(mine.filter((r) => !r.maintenance).length + 1);
    close();
    open();
    expectAggregates(raw, 'a', now + 2000);
    expectAggregates(raw, 'b', now + 2000);
  });

  it('keeps memory and file in step when a write fails inside its transaction', () => {
    const t = clock.now();
    store.recordResults(items([result('x', t - 120_000), result('x', t - 60_000)]));
    expect(() =>
      store.recordResults(
        items([
          result('x', t - 30_000, 'ok'),
          result('x', t - 20_000, 'fail'),
          { ...result('y', t), startedAt: 'soon' },
        ]),
      ),
    ).toThrow(/ISO times/);
    expect(store.results('x', { limit: 10 })).toHaveLength(2);
    expect(store.results('y')).toEqual([]);
    expect(store.summaryStats('x', t).uptime24h).toBe(1);
    expect(store.history('x', '1h', t).buckets.reduce((n, b) => n + b.ok + b.warn + b.fail, 0)).toBe(2);
    expect(store.lastFailureAt('x')).toBeNull();
    const failed = store.recordResult(null, result('x', t, 'fail'), []);
    expect(store.events('x').map((e) => [e.from, e.to])).toEqual([
      ['ok', 'fail'],
      [null, 'ok'],
    ]);
    expect(store.lastFailureAt('x')).toBe(failed.finishedAt);
    store.flush();
    expect(storedCount('x')).toBe(3);
  });

  it('never reuses the ids of deleted results, so a stop after the delete counts the new ones', () => {
    const t = clock.now();
    store.recordResult(null, result('a', t - 60_000), []);
    const gone = store.recordResults(items([result('b', t - 50_000), result('b', t - 40_000)]));
    store.deleteProbe('b');
    close();
    open();
    const next = store.recordResult(null, result('c', t - 30_000, 'warn'), []);
    expect(next.id).toBeGreaterThan(gone[1]!.id);
    db.close();
    open();
    expect(store.summaryStats('c', t).uptime24h).toBe(1);
    expect(store.history('c', '1h', t).buckets.reduce((n, b) => n + b.warn, 0)).toBe(1);
    expect(store.summaryStats('a', t).uptime24h).toBe(1);
  });

  it('reads back every outcome and metadata as conditions change shape from run to run', () => {
    const t = clock.now();
    const observed = ['200', '503', 'abc', null, '-7', '007', '12ms', '12s', '0', '1234567890123456', '15%', '-0x'];
    const inputs: Input[] = [];
    for (let i = 0; i < 60; i++) {
      const base = result('shape', t + i * 1000, i % 7 === 3 ? 'fail' : 'ok', 100 + i);
      const conditions = [...base.conditions];
      conditions[0] = { ...conditions[0]!, observed: observed[Math.floor(i / 3) % observed.length]! };
      if (i % 10 >= 5)
        conditions.push({
          expression: `[BODY].n == ${i % 2}`,
          severity: 'warn',
          passed: false,
          observed: `${i}`,
          reason: null,
        });
      if (i % 11 === 4) conditions[2] = { ...conditions[2]!, observed: null, reason: 'The body is not JSON.' };
      const metadata: Input['metadata'] =
        i % 4 === 0
          ? { provider: 'ai_studio', httpStatus: 200 }
          : i % 4 === 1
            ? { httpStatus: 200, provider: 'ai_studio' }
            : i % 4 === 2
              ? { httpStatus: i, provider: null, cached: i % 3 === 0 }
              : {};
      inputs.push({
        ...base,
        conditions: i >= 56 ? [] : conditions,
        metadata,
        error: i % 9 === 0 ? `Error ${i % 2}` : null,
      });
    }
    // One batch (16-row INSERTs and the rest one by one), then single results.
    const saved = [
      ...store.recordResults(items(inputs.slice(0, 37))),
      ...inputs.slice(37).map((r) => store.recordResult(null, r, [])),
    ];
    const expected = inputs.map((r, i) => ({ ...r, id: saved[i]!.id, artifacts: [] }));
    expect(saved).toEqual(expected);
    expect(store.results('shape', { limit: 100 }).reverse()).toEqual(expected);
    close();
    open();
    expect(store.results('shape', { limit: 100 }).reverse()).toEqual(expected);
  });

  it('stores each distinct content once: identical bodies share a file, a changed body adds one', async () => {
    const t = clock.now();
    const up = '{"status":"UP","version":"1.4.2"}';
    const saved = [
      ...[0, 1, 2].map((i) => store.recordResult(null, result('a', t + i * 1000), text(up))),
      store.recordResult(null, result('b', t), text(up)),
    ];
    expect(artifactFiles()).toEqual([blobPath(up)]);
    // One set for the four results, referred to by an integer in each row.
    expect(db.prepare('SELECT refs FROM probe_artifact_sets').pluck().all()).toEqual([4]);
    expect(new Set(db.prepare('SELECT artifacts FROM probe_results').pluck().all()).size).toBe(1);
    const changed = store.recordResult(null, result('a', t + 5000), text('{"status":"DOWN"}'));
    expect(artifactFiles()).toEqual([blobPath(up), blobPath('{"status":"DOWN"}')].sort());
    // Two artifacts of one run, one of them the same content again: still one file each.
    const both = store.recordResult(null, result('a', t + 6000), [
      ...text(up),
      { name: 'copy.json', contentType: 'application/json', data: Buffer.from(up), truncated: true },
    ]);
    expect(artifactFiles()).toHaveLength(2);
    expect(both.artifacts).toEqual([
      { id: '0', name: 'response.json', contentType: 'application/json', bytes: up.length, truncated: false },
      { id: '1', name: 'copy.json', contentType: 'application/json', bytes: up.length, truncated: true },
    ]);
    close();
    open();
    for (const r of [...saved, changed, both]) {
      const read = store.result(r.id)!;
      expect(read.artifacts).toEqual(r.artifacts);
      for (const a of read.artifacts) {
        const chunk = await store.readArtifact(r.id, a.id);
        expect(chunk).toMatchObject({ name: a.name, contentType: a.contentType, bytes: a.bytes, eof: true });
      }
    }
    expect(Buffer.from((await store.readArtifact(changed.id, '0')).base64, 'base64').toString()).toBe(
      '{"status":"DOWN"}',
    );
    expect(Buffer.from((await store.readArtifact(both.id, '1')).base64, 'base64').toString()).toBe(up);
    expect(store.usedBytes()).toBeGreaterThan(0);
  });

  it('sweeps at start the files a process stopped between writing and committing left behind', async () => {
    const kept = store.recordResult(null, result('a', clock.now()), text('kept'));
    // What a process killed inside recordResults leaves: the renamed file of content no row names,
    // and a temporary file it had not renamed yet.
    const orphan = blobPath('orphan');
    mkdirSync(join(orphan, '..'), { recursive: true });
    writeFileSync(orphan, 'orphan');
    const temp = join(join(orphan, '..'), `.${'f'.repeat(64)}.4242.tmp`);
    writeFileSync(temp, 'half');
    close();
    open();
    store.start();
    expect(artifactFiles()).toEqual([blobPath('kept')]);
    expect(Buffer.from((await store.readArtifact(kept.id, '0')).base64, 'base64').toString()).toBe('kept');
    // The same content stored later is written again, not taken for present.
    const again = store.recordResult(null, result('a', clock.now() + 1000), text('orphan'));
    expect(Buffer.from((await store.readArtifact(again.id, '0')).base64, 'base64').toString()).toBe('orphan');
  });

  it('takes results from two connections to one file (two processes) interleaved: each once, aggregates exact', () => {
    // A second writer on its own connection, as opsctl in another process has.
    const otherDb = openDatabase(join(dir, DATABASE_FILE));
    const other = new ProbeStore(otherDb, join(dir, 'probe-artifacts'), clock);
    try {
      const now = clock.now();
      const rand = seeded(21);
      const raw: Input[] = [];
      const ids: number[] = [];
      const writers = [store, other];
      for (let i = 0; i < 400; i++) {
        const writer = writers[rand() < 0.5 ? 0 : 1]!;
        const probe = ['a', 'b', 'c'][Math.floor(rand() * 3)]!;
        const roll = rand();
        const status: ResultStatus = roll < 0.15 ? 'fail' : roll < 0.3 ? 'warn' : 'ok';
        const r = result(probe, now - 3 * DAY + i * 10 * 60_000, status, Math.floor(20 * Math.exp(rand() * 5)));
        raw.push(r);
        const body = text(rand() < 0.7 ? '{"status":"UP"}' : `{"n":${i % 5}}`);
        if (rand() < 0.2) {
          // Sometimes a small batch, sometimes a flush of what the writer holds, each on either side.
          const more = result(probe, Date.parse(r.startedAt) + 1000, 'ok', 50);
          raw.push(more);
          ids.push(
            ...writer.recordResults([{ runId: null, result: r, artifacts: body }, ...items([more])]).map((x) => x.id),
          );
        } else {
          ids.push(writer.recordResult(null, r, body).id);
        }
        if (rand() < 0.05) writers[rand() < 0.5 ? 0 : 1]!.flush();
      }
      // Every result once, each with its own id, in the order written.
      expect(new Set(ids).size).toBe(raw.length);
      expect([...ids].sort((x, y) => x - y)).toEqual(ids);
      expect(db.prepare('SELECT count(*) FROM probe_results').pluck().get()).toBe(raw.length);
      // Both see all of it, before and after either writes its aggregates.
      for (const probe of ['a', 'b', 'c']) expectAggregates(raw, probe, now);
      const mine = (p: string) => raw.filter((r) => r.probeId === p);
      for (const probe of ['a', 'b', 'c']) {
        expect(other.results(probe, { limit: 1000 })).toHaveLength(mine(probe).length);
        // Transitions in the order the results were written, whichever process wrote them.
        const statuses = mine(probe).map((r) => r.status);
        const changes = statuses.filter((st, k) => k === 0 || st !== statuses[k - 1]).length;
        expect(other.events(probe, 1000)).toHaveLength(changes);
        expect(store.events(probe, 1000)).toEqual(other.events(probe, 1000));
        const lastFail = mine(probe)
          .filter((r) => r.status === 'fail')
          .at(-1);
        expect(other.lastFailureAt(probe)).toBe(lastFail?.finishedAt ?? null);
        expect(store.lastFailureAt(probe)).toBe(lastFail?.finishedAt ?? null);
      }
      other.flush();
      store.flush();
      expect(storedCount('a')).toBe(mine('a').length);
      for (const probe of ['a', 'b', 'c']) expectAggregates(raw, probe, now);
      // The shared artifacts were stored once, with the references of both writers counted.
      expect(artifactFiles()).toHaveLength(6);
      expect(db.prepare('SELECT sum(refs) FROM probe_artifact_sets').pluck().get()).toBe(
        db.prepare('SELECT count(*) FROM probe_results WHERE artifacts IS NOT NULL').pluck().get(),
      );
    } finally {
      other.dispose();
      otherDb.close();
    }
    close();
    open();
    expect(store.summaryStats('a', clock.now()).uptime24h).not.toBeNull();
  });

  it('moves artifacts kept one file per result (before content addressing) into shared files at start', async () => {
    const a = store.recordResult(null, result('old', clock.now()), []);
    const b = store.recordResult(null, result('old', clock.now() + 1000), []);
    // As the earlier layout left them: <probe key>/<result>-<n>, a row each in probe_artifacts.
    const legacy = join(dir, 'probe-artifacts', '1');
    mkdirSync(legacy, { recursive: true });
    const add = db.prepare(
      'INSERT INTO probe_artifacts (result, n, probe, name, content_type, bytes, truncated) VALUES (?, ?, 1, ?, ?, ?, 0)',
    );
    for (const r of [a, b]) {
      writeFileSync(join(legacy, `${r.id}-0`), 'same body');
      add.run(r.id, 0, 'response.json', 'application/json', 9);
    }
    close();
    open();
    store.start();
    expect(artifactFiles()).toEqual([blobPath('same body')]);
    expect(db.prepare('SELECT count(*) FROM probe_artifacts').pluck().get()).toBe(0);
    for (const r of [a, b]) {
      expect(store.result(r.id)!.artifacts).toEqual([
        { id: '0', name: 'response.json', contentType: 'application/json', bytes: 9, truncated: false },
      ]);
      expect(Buffer.from((await store.readArtifact(r.id, '0')).base64, 'base64').toString()).toBe('same body');
    }
  });

  it('keeps a probe’s last values across a reopen, replaced by each run', () => {
    expect(store.previousValues('docker')).toBeNull();
    store.recordResult(null, result('docker', clock.now()), [], { RESTART_COUNT: 2, CONTAINER_ID: 'abc' });
    store.recordResult(null, result('docker', clock.now() + 1000), [], { RESTART_COUNT: 3, CONTAINER_ID: 'abc' });
    // A result recorded without values (an interrupted run) leaves them as they were.
    store.recordResult(null, result('docker', clock.now() + 2000), []);
    close();
    open();
    expect(store.previousValues('docker')).toEqual({ RESTART_COUNT: 3, CONTAINER_ID: 'abc' });
    expect(db.prepare('SELECT count(*) FROM probe_values').pluck().get()).toBe(1);
    store.deleteProbe('docker');
    expect(store.previousValues('docker')).toBeNull();
    expect(db.prepare('SELECT count(*) FROM probe_values').pluck().get()).toBe(0);
  });
});
