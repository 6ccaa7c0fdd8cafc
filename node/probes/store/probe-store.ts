/**
 * The probe store: every probe result, status transitions, minute/hour/day aggregates and
 * artifacts, in the app's SQLite file and under `<dataDir>/probe-artifacts/`.
 *
 * Results are written compactly (see probe-store-codec.ts and the `probe-results` schema step) so
 * a month of 1,000 probes fits in well under 100 bytes a result, 16 rows per INSERT, reusing the
 * probe's previous texts without re-encoding them. Uptime and latency over 24 hours, 30 days or a
 * year are read from a few dozen aggregate rows, never from the raw results. The aggregates are
 * derived data: the newest are kept in memory (read together with the stored rows) and written
 * every minute, when 50,000 results wait, before a prune and at dispose, with the last result id
 * they account for (`probe_folded`); opening the file counts the results after it again, so a
 * process that stops between writes loses nothing and counts nothing twice. Raw results are kept
 * `rawDays`, aggregates `aggregateDays`, and the whole bounded by `maxMegabytes` (oldest raw
 * results go first); a probe's last success and last failure are kept whatever the retention.
 *
 * Interrupted runs (the app stopped while they were in flight) are stored as `fail` with
 * `interrupted: true`, so the drill-down shows them, but they prove nothing about the dependency:
 * they are left out of the aggregates (uptime, latency), the transition events (and so alerts),
 * and the last failure. Results taken in a maintenance window are left out of the aggregates too.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../../../shared/errors';
import {
  DEFAULT_PROBE_RETENTION,
  PROBE_TRIGGERS,
  RESULT_STATUSES,
  type HistoryBucket,
  type HistoryRange,
  type ProbeMetadata,
  type ProbeResult,
  type ProbeRetention,
  type ProbeTrigger,
  type ResultStatus,
} from '../../../shared/model/probe';
import { isoToMs } from '../../../shared/iso-time';
import type { Clock, Timer } from '../../clock';
import type { ArtifactData, PlaceholderValues } from '../probe-kind';
import type { Db } from '../../sqlite/database';
import { binOf, percentile, type Histogram } from './probe-histogram';
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  countInto,
  decodeMinutes,
  emptyAgg,
  encodeMinutes,
  histBlob,
  histFromBlob,
  mergeAgg,
  type Agg,
  type Minutes,
} from './probe-store-aggregates';
import {
  MAX_NUMBER_BYTES,
  STATUS_CODE,
  TRIGGER_CODE,
  decodeConditions,
  encodeConditions,
  encodeLike,
  failMaskOf,
  packFlags,
  parseTemplate,
  unpackFlags,
  type ConditionTemplate,
} from './probe-store-codec';

/** What a run hands the store: the result without its id and artifact list, and the files. */
export interface RecordInput {
  runId: number | null;
  result: Omit<ProbeResult, 'id' | 'artifacts'>;
  artifacts: ArtifactData[];
  /** What the run saw, kept (replacing the probe's previous ones) for its next run; absent: left as is. */
  values?: PlaceholderValues | undefined;
}

export interface ProbeStats {
  lastResult: ProbeResult | null;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  uptime24h: number | null;
  uptime30d: number | null;
  /** The last 20 durations, oldest first. */
  recentDurations: number[];
}

export interface LatencyStats {
  uptime24h: number | null;
  uptime30d: number | null;
  p50Ms24h: number | null;
  p95Ms24h: number | null;
  p50Ms30d: number | null;
  p95Ms30d: number | null;
  recentDurations: number[];
}

export interface ProbeHistory {
  buckets: HistoryBucket[];
  uptime: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface ArtifactChunk {
  contentType: string;
  name: string;
  base64: string;
  /** The whole artifact's size. */
  bytes: number;
  eof: boolean;
}

/** A status change, stored when a (non-interrupted) result's status differs from the one before. */
export interface ProbeEvent {
  probeId: string;
  at: string;
  from: ResultStatus | null;
  to: ResultStatus;
  resultId: number;
}

export const ARTIFACT_CHUNK_BYTES = 512 * 1024;
const RECENT_DURATIONS = 20;
/** Minute detail is kept this long: the 1-hour chart and the edge of the 24-hour window use it. */
const MINUTE_DETAIL_DAYS = 2;
/** Hours are kept this long (at most aggregateDays): the 7-day chart and the edge of 30 days. */
const HOUR_DAYS = 35;
const DEFAULT_PRUNE_INTERVAL_MS = HOUR_MS;
/** Aggregates waiting in memory are written this often, at dispose, before a prune … */
const DEFAULT_FLUSH_INTERVAL_MS = 60_000;
/** … and as soon as this many counted results wait (a bulk import), which bounds the memory. */
const MAX_UNFLUSHED = 50_000;
/** Results go to SQLite this many rows per INSERT (the rest of a batch one by one). */
const ROWS_PER_INSERT = 16;
const RESULT_COLUMNS = 13;
const INTERRUPTED_ERROR = 'Control Room stopped while this run was in flight; it proves nothing either way.';
/** Flag bits (see probe-store-codec.ts) the fold at start reads back. */
const FLAG_MAINTENANCE = 1 << 5;
const FLAG_INTERRUPTED = 1 << 6;

interface KeyInfo {
  key: number;
  probeId: string;
  lastStatus: number | null;
  lastOk: number | null;
  lastFail: number | null;
  /** Something the file does not hold yet: the three fields above, or unflushed results. */
  dirty: boolean;
  /**
   * Counted results (not interrupted, not in maintenance) the stored aggregates do not hold yet,
   * three numbers each: start (ms), status code, duration (ms).
   */
  unflushed: number[];
  /** The texts the probe's previous result used: reused, without a new row, while they repeat. */
  conditions: { template: ConditionTemplate; text: string; id: number } | null;
  metadata: { value: ProbeMetadata; keys: string[]; text: string; id: number } | null;
  error: { text: string; id: number } | null;
}

interface ResultRow {
  id: number;
  probe: number;
  started: number;
  duration: number;
  finish_extra: number;
  flags: number;
  attempts_extra: number;
  fail_mask: number;
  conditions: number | null;
  observed: Buffer | null;
  metadata: number | null;
  error: number | null;
  artifacts: number | null;
}

/** One artifact of a set: [name, contentType, sha256 hex, bytes, truncated 0/1]. */
type SetItem = [string, string, string, number, number];

interface HourEntry {
  probe: number;
  hour: number;
  agg: Agg;
  minutes: Minutes;
}

interface DayEntry {
  probe: number;
  day: number;
  agg: Agg;
}

interface AggRow {
  ok: number;
  warn: number;
  fail: number;
  dur: number;
  hist: Buffer;
}

const ROW_COLUMNS =
  'id, probe, started, duration, finish_extra, flags, attempts_extra, fail_mask, conditions, observed, metadata, error, artifacts';

export class ProbeStore {
  private readonly keys = new Map<string, KeyInfo>();
  private readonly byKey = new Map<number, KeyInfo>();
  /** Parsed texts by id, for reads. */
  private readonly textCache = new Map<number, unknown>();
  /** Each probe's newest stored hour and day bucket, so a flush does not read its rows back. */
  private readonly hourCache = new Map<number, HourEntry>();
  private readonly dayCache = new Map<number, DayEntry>();
  /** Probes with something to flush (their `dirty` is set). */
  private dirtyInfos: KeyInfo[] = [];
  /** Results waiting in `unflushed`, all probes together. */
  private unflushedCount = 0;
  /** The last result id the stored aggregates and probe_keys account for (probe_folded). */
  private folded = 0;
  /** The last result id committed (by this process or, once read again, another). */
  private lastId = 0;
  /**
   * The file's `data_version` when this connection last read its state: it changes when another
   * connection (opsctl in another process, a second app) commits, and then the state is read again.
   */
  private dataVersion = -1;
  /** Parsed artifact sets by id, for reads. */
  private readonly setCache = new Map<number, SetItem[]>();
  /** Artifact folders known to exist. */
  private readonly blobDirs = new Set<string>();
  private readonly recordTx;
  private timer: Timer | undefined;
  private flushTimer: Timer | undefined;
  /** One multi-row INSERT's parameters, reused. */
  private readonly params = new Array<unknown>(ROWS_PER_INSERT * RESULT_COLUMNS);
  /** Where observed numbers are encoded before they are bound (SQLite copies them). */
  private scratch = Buffer.alloc(64 * 1024);
  private readonly stmt;

  constructor(
    private readonly db: Db,
    private readonly artifactsDir: string,
    private readonly clock: Clock,
    private readonly options: { pruneIntervalMs?: number; flushIntervalMs?: number } = {},
  ) {
    // Every statement is prepared once, here: the first read after opening pays no compile.
    this.stmt = {
      keys: db.prepare('SELECT key, probe_id, last_status, last_ok, last_fail FROM probe_keys'),
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
      // Ids only grow, even when the newest results were deleted: one at or before the watermark is never reused.
      topId: db
        .prepare(
          'SELECT max(coalesce((SELECT max(id) FROM probe_results), 0), coalesce((SELECT result FROM probe_folded WHERE id = 1), 0))',
        )
        .pluck(),
      addKey: db.prepare('INSERT INTO probe_keys (probe_id) VALUES (?)'),
      saveKey: db.prepare('UPDATE probe_keys SET last_status = ?, last_ok = ?, last_fail = ? WHERE key = ?'),
      folded: db.prepare('SELECT result FROM probe_folded WHERE id = 1').pluck(),
      setFolded: db.prepare('INSERT OR REPLACE INTO probe_folded (id, result) VALUES (1, ?)'),
      afterFolded: db.prepare('SELECT id, probe, started, duration, flags FROM probe_results WHERE id > ? ORDER BY id'),
      insert: db.prepare(
        `INSERT INTO probe_results (${ROW_COLUMNS}) VALUES (${Array<string>(RESULT_COLUMNS).fill('?').join(', ')})`,
      ),
      insertMany: db.prepare(
        `INSERT INTO probe_results (${ROW_COLUMNS}) VALUES ${Array<string>(ROWS_PER_INSERT)
          .fill(`(${Array<string>(RESULT_COLUMNS).fill('?').join(', ')})`)
          .join(', ')}`,
      ),
      addText: db.prepare('INSERT INTO probe_texts (probe, first, text) VALUES (?, ?, ?)'),
      text: db.prepare('SELECT text FROM probe_texts WHERE id = ?').pluck(),
      setByItems: db.prepare('SELECT id FROM probe_artifact_sets WHERE items = ?').pluck(),
      addSet: db.prepare('INSERT INTO probe_artifact_sets (refs, items) VALUES (1, ?)'),
      refSet: db.prepare('UPDATE probe_artifact_sets SET refs = refs + ? WHERE id = ?'),
      setRow: db.prepare('SELECT refs, items FROM probe_artifact_sets WHERE id = ?'),
      deleteSet: db.prepare('DELETE FROM probe_artifact_sets WHERE id = ?'),
      blob: db.prepare('SELECT sets FROM probe_blobs WHERE hash = ?').pluck(),
      addBlob: db.prepare(
        'INSERT INTO probe_blobs (hash, bytes, sets) VALUES (?, ?, 1) ON CONFLICT (hash) DO UPDATE SET sets = sets + 1',
      ),
      unrefBlob: db.prepare('UPDATE probe_blobs SET sets = sets - 1 WHERE hash = ? RETURNING sets').pluck(),
      deleteBlob: db.prepare('DELETE FROM probe_blobs WHERE hash = ?'),
      resultSet: db.prepare('SELECT artifacts FROM probe_results WHERE id = ?').pluck(),
      putValues: db.prepare('INSERT OR REPLACE INTO probe_values (probe, vals) VALUES (?, ?)'),
      values: db.prepare('SELECT vals FROM probe_values WHERE probe = ?').pluck(),
      addEvent: db.prepare('INSERT INTO probe_events (probe, started, prev, next, result) VALUES (?, ?, ?, ?, ?)'),
      events: db.prepare(
        'SELECT started, prev, next, result FROM probe_events WHERE probe = ? ORDER BY started DESC, id DESC LIMIT ?',
      ),
      beginRun: db.prepare('INSERT INTO probe_runs (probe_id, trigger, started) VALUES (?, ?, ?)'),
      endRun: db.prepare('DELETE FROM probe_runs WHERE id = ?'),
      runs: db.prepare('SELECT id, probe_id, trigger, started FROM probe_runs ORDER BY id'),
      hour: db.prepare('SELECT ok, warn, fail, dur, hist, minutes FROM probe_hours WHERE probe = ? AND hour = ?'),
      putHour: db.prepare(
        'INSERT OR REPLACE INTO probe_hours (probe, hour, ok, warn, fail, dur, hist, minutes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      hours: db.prepare(
        'SELECT hour, ok, warn, fail, dur, hist FROM probe_hours WHERE probe = ? AND hour >= ? AND hour < ? ORDER BY hour',
      ),
      hourMinutes: db.prepare(
        'SELECT hour, minutes FROM probe_hours WHERE probe = ? AND hour >= ? AND hour <= ? ORDER BY hour',
      ),
      day: db.prepare('SELECT ok, warn, fail, dur, hist FROM probe_days WHERE probe = ? AND day = ?'),
      putDay: db.prepare(
        'INSERT OR REPLACE INTO probe_days (probe, day, ok, warn, fail, dur, hist) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      days: db.prepare(
        'SELECT day, ok, warn, fail, dur, hist FROM probe_days WHERE probe = ? AND day >= ? AND day < ? ORDER BY day',
      ),
      byId: db.prepare(`SELECT ${ROW_COLUMNS} FROM probe_results WHERE id = ?`),
      newest: db.prepare(
        `SELECT ${ROW_COLUMNS} FROM probe_results WHERE probe = ? ORDER BY started DESC, id DESC LIMIT ?`,
      ),
      before: db.prepare(
        `SELECT ${ROW_COLUMNS} FROM probe_results WHERE probe = ? AND (started, id) < (?, ?) ORDER BY started DESC, id DESC LIMIT ?`,
      ),
      between: db.prepare(
        `SELECT ${ROW_COLUMNS} FROM probe_results WHERE probe = ? AND started >= ? AND started < ? ORDER BY started, id LIMIT ?`,
      ),
      recentDurations: db
        .prepare('SELECT duration FROM probe_results WHERE probe = ? ORDER BY started DESC, id DESC LIMIT ?')
        .pluck(),
      finishedAt: db.prepare('SELECT started + duration + finish_extra FROM probe_results WHERE id = ?').pluck(),
      retention: db.prepare('SELECT raw_days, aggregate_days, max_megabytes FROM probe_retention WHERE id = 1'),
      setRetention: db.prepare(
        'INSERT OR REPLACE INTO probe_retention (id, raw_days, aggregate_days, max_megabytes) VALUES (1, ?, ?, ?)',
      ),
    };
    this.recordTx = db.transaction((items: readonly RecordInput[], out: ProbeResult[]) => this.recordIn(items, out));
    this.reload();
  }

  /** Turns runs a previous process left in flight into interrupted results, then prunes and flushes on timers. */
  start(): void {
    this.adoptLegacyArtifacts();
    this.sweepArtifacts();
    this.markInterrupted();
    this.safePrune();
    this.timer = this.clock.setInterval(
      () => this.safePrune(),
      this.options.pruneIntervalMs ?? DEFAULT_PRUNE_INTERVAL_MS,
    );
    this.timer.unref();
    this.flushTimer = this.clock.setInterval(
      () => this.safeFlush(),
      this.options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
    );
    this.flushTimer.unref();
  }

  /** Stops the timers and writes the aggregates waiting in memory (call it before closing the file). */
  dispose(): void {
    this.clock.clearInterval(this.timer);
    this.clock.clearInterval(this.flushTimer);
    this.timer = undefined;
    this.flushTimer = undefined;
    this.safeFlush();
  }

  // ---- writes ------------------------------------------------------------------------------------

  /** Records that a run started; its id goes back to recordResult, which clears it. */
  beginRun(probeId: string, trigger: ProbeTrigger, startedAtMs: number): number {
    return Number(this.stmt.beginRun.run(probeId, TRIGGER_CODE[trigger], Math.round(startedAtMs)).lastInsertRowid);
  }

  recordResult(
    runId: number | null,
    result: Omit<ProbeResult, 'id' | 'artifacts'>,
    artifacts: ArtifactData[] = [],
    values?: PlaceholderValues,
  ): ProbeResult {
    return this.recordResults([{ runId, result, artifacts, values }])[0]!;
  }

  /**
   * Records results in one transaction — the path every result takes, and the bulk path for
   * imports. The transaction is BEGIN IMMEDIATE, so it holds the file's write lock from the start:
   * the state another process committed is read first (see sync), ids follow the file's newest,
   * and the artifact files not stored yet are written (to a temporary name, then renamed) before
   * the rows commit; if the transaction fails they are removed, so nothing is left half-written.
   *
   * The transaction holds the results (with their texts, artifact sets and transition events);
   * their aggregates and each probe's last status, success and failure are kept in memory, read
   * with what is stored, and written by flush(). The file's probe_folded says which results those
   * written aggregates hold, so a process that stops before a flush loses nothing: the next one
   * counts the results after it again when it opens the file.
   */
  recordResults(items: readonly RecordInput[]): ProbeResult[] {
    if (!items.length) return [];
    const out = new Array<ProbeResult>(items.length);
    try {
      this.recordTx.immediate(items, out);
    } catch (error) {
      // The in-memory state may hold what the rolled-back transaction did: read it back from the file.
      this.reread();
      throw error;
    }
    if (this.unflushedCount >= MAX_UNFLUSHED) this.safeFlush();
    return out;
  }

  /** A probe's values as its last run left them (see RecordInput.values); null when none were kept. */
  previousValues(probeId: string): PlaceholderValues | null {
    this.sync();
    const info = this.keys.get(probeId);
    const text = info ? (this.stmt.values.get(info.key) as string | undefined) : undefined;
    return text === undefined ? null : (JSON.parse(text) as PlaceholderValues);
  }

  /** recordResults' transaction (with the write lock held). */
  private recordIn(items: readonly RecordInput[], out: ProbeResult[]): void {
    this.sync();
    const firstId = (this.stmt.topId.get() as number) + 1;
    const written: string[] = [];
    try {
      const infos = new Array<KeyInfo>(items.length);
      const sets = new Array<number | null>(items.length);
      const refs = new Array<ProbeResult['artifacts']>(items.length);
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        infos[i] = this.keyFor(item.result.probeId);
        if (item.artifacts.length) {
          const set = this.artifactSet(item.artifacts, written);
          sets[i] = set.id;
          refs[i] = set.refs;
        } else {
          sets[i] = null;
          refs[i] = [];
        }
      }
      this.insertRows(items, infos, sets, refs, firstId, out);
    } catch (error) {
      // Still holding the write lock: no other process can have come to need these files.
      for (const file of written) rmSync(file, { force: true });
      throw error;
    }
    this.lastId = firstId + items.length - 1;
  }

  /** Runs `fn` in a BEGIN IMMEDIATE transaction, after reading what other processes committed. */
  private write<T>(fn: () => T): T {
    return this.db
      .transaction(() => {
        this.sync();
        return fn();
      })
      .immediate();
  }

  /**
   * Reads the state again (keys, the watermark, the results after it) when another connection —
   * opsctl in another process, a second app — committed since this one last looked: cheap
   * (one pragma) when none did. Called at the start of every write transaction and every read.
   */
  private sync(): void {
    if ((this.stmt.dataVersion.get() as number) !== this.dataVersion) this.reread();
  }

  /** reload() in one read transaction (or the write transaction already open), so it sees one state. */
  private reread(): void {
    if (this.db.inTransaction) this.reload();
    else this.db.transaction(() => this.reload())();
  }

  /**
   * Turns every run left in flight (by a process that stopped) into an interrupted result: status
   * `fail`, `interrupted: true`, no duration. Returns how many.
   */
  markInterrupted(): number {
    const runs = this.stmt.runs.all() as { id: number; probe_id: string; trigger: number; started: number }[];
    if (!runs.length) return 0;
    this.recordResults(
      runs.map((run) => {
        const at = new Date(run.started).toISOString();
        return {
          runId: run.id,
          artifacts: [],
          result: {
            probeId: run.probe_id,
            status: 'fail',
            trigger: PROBE_TRIGGERS[run.trigger] ?? 'scheduler',
            startedAt: at,
            finishedAt: at,
            durationMs: 0,
            error: INTERRUPTED_ERROR,
            attempts: 1,
            conditions: [],
            metadata: {},
            maintenance: false,
            interrupted: true,
          },
        };
      }),
    );
    return runs.length;
  }

  /**
   * Writes the aggregates waiting in memory, each probe's last status, success and failure, and
   * the id they account for up to, in one transaction. Cheap when nothing waits.
   */
  flush(): void {
    this.sync();
    if (this.folded === this.lastId && !this.dirtyInfos.length) return;
    let infos: KeyInfo[] = [];
    try {
      this.write(() => {
        // Everything after the file's watermark is in memory now, whoever wrote it (see sync).
        infos = this.dirtyInfos;
        for (const info of infos) {
          if (info.unflushed.length) this.flushAggregates(info);
          this.stmt.saveKey.run(info.lastStatus, info.lastOk, info.lastFail, info.key);
        }
        this.stmt.setFolded.run(this.lastId);
      });
    } catch (error) {
      // The cached buckets may hold what the rolled-back transaction wrote; what waits stays.
      this.hourCache.clear();
      this.dayCache.clear();
      throw error;
    }
    for (const info of infos) {
      info.unflushed = [];
      info.dirty = false;
    }
    this.dirtyInfos = [];
    this.unflushedCount = 0;
    this.folded = this.lastId;
  }

  private safeFlush(): void {
    try {
      this.flush();
    } catch (error) {
      // Nothing is lost: what waits is written at the next flush, or counted again at the next start.
      console.error('Probe store: writing aggregates failed:', error);
    }
  }

  private insertRows(
    items: readonly RecordInput[],
    infos: readonly KeyInfo[],
    sets: readonly (number | null)[],
    refs: readonly ProbeResult['artifacts'][],
    firstId: number,
    out: ProbeResult[],
  ): void {
    const params = this.params;
    let filled = 0;
    let at = 0;
    const multiRowsEnd = items.length - (items.length % ROWS_PER_INSERT);
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const r = item.result;
      const info = infos[i]!;
      const artifacts = refs[i]!;
      const id = firstId + i;
      const p = info.key;
      const started = isoToMs(r.startedAt);
      const finished = isoToMs(r.finishedAt);
      if (!Number.isFinite(started) || !Number.isFinite(finished)) {
        throw new ApiError(
          'invalid-request',
          `A probe result needs ISO times; got "${r.startedAt}", "${r.finishedAt}".`,
        );
      }
      // Whole milliseconds: what the UI shows, and two bytes instead of eight.
      const duration = Math.max(0, Math.round(r.durationMs));
      const status = STATUS_CODE[r.status];

      // Conditions: the previous run's template when they fit it (no allocation), else a new one.
      const conditions = r.conditions;
      let conditionsId: number | null = null;
      let numbers: Buffer | null = null;
      let failMask = 0;
      if (conditions.length) {
        failMask = failMaskOf(conditions);
        if (this.scratch.length - at < conditions.length * MAX_NUMBER_BYTES) {
          // The rows bound so far keep their views of the old buffer.
          this.scratch = Buffer.alloc(Math.max(64 * 1024, conditions.length * MAX_NUMBER_BYTES));
          at = 0;
        }
        const prev = info.conditions;
        const end = prev ? encodeLike(conditions, prev.template, this.scratch, at) : -1;
        if (end >= 0) {
          conditionsId = prev!.id;
          if (end > at) numbers = this.scratch.subarray(at, end);
          at = end;
        } else {
          const encoded = encodeConditions(conditions);
          const text = encoded.template!;
          conditionsId = prev?.text === text ? prev.id : this.addText(p, id, text);
          info.conditions = { template: encoded.entries!, text, id: conditionsId };
          numbers = encoded.numbers;
        }
      }
      let metadataId: number | null = null;
      const metadata = r.metadata;
      if (hasKeys(metadata)) {
        const prev = info.metadata;
        if (prev && sameFlat(prev.keys, prev.value, metadata)) {
          metadataId = prev.id;
        } else {
          const text = JSON.stringify(metadata);
          metadataId = prev?.text === text ? prev.id : this.addText(p, id, text);
          info.metadata = { value: { ...metadata }, keys: Object.keys(metadata), text, id: metadataId };
        }
      }
      let errorId: number | null = null;
      if (r.error !== null) {
        const prev = info.error;
        if (prev?.text === r.error) {
          errorId = prev.id;
        } else {
          errorId = this.addText(p, id, r.error);
          info.error = { text: r.error, id: errorId };
        }
      }
      // The artifacts column says whether there are artifacts; the flag bit stays clear (one byte).
      const flags = packFlags(status, TRIGGER_CODE[r.trigger], r.maintenance, r.interrupted, false);
      const set = sets[i]!;
      const attemptsExtra = Math.max(0, r.attempts - 1);
      const finishExtra = finished - started - duration;
      if (i < multiRowsEnd) {
        params[filled++] = id;
        params[filled++] = p;
        params[filled++] = started;
        params[filled++] = duration;
        params[filled++] = finishExtra;
        params[filled++] = flags;
        params[filled++] = attemptsExtra;
        params[filled++] = failMask;
        params[filled++] = conditionsId;
        params[filled++] = numbers;
        params[filled++] = metadataId;
        params[filled++] = errorId;
        params[filled++] = set;
        if (filled === params.length) {
          this.stmt.insertMany.run(params);
          filled = 0;
          at = 0;
        }
      } else {
        this.stmt.insert.run(
          id,
          p,
          started,
          duration,
          finishExtra,
          flags,
          attemptsExtra,
          failMask,
          conditionsId,
          numbers,
          metadataId,
          errorId,
          set,
        );
        at = 0;
      }
      if (item.runId !== null) this.stmt.endRun.run(item.runId);
      if (item.values !== undefined) this.stmt.putValues.run(p, JSON.stringify(item.values));
      if (!r.interrupted) {
        if (info.lastStatus !== status) this.stmt.addEvent.run(p, started, info.lastStatus, status, id);
        this.count(info, id, started, status, duration, r.maintenance);
      }
      out[i] = {
        id,
        probeId: r.probeId,
        status: r.status,
        trigger: r.trigger,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        durationMs: duration,
        error: r.error,
        attempts: Math.max(1, r.attempts),
        conditions,
        metadata,
        artifacts,
        maintenance: r.maintenance,
        interrupted: r.interrupted,
      };
    }
  }

  /**
   * Counts a stored, non-interrupted result into its probe's in-memory state: last status,
   * success or failure, and (outside maintenance) the aggregates waiting for the next flush. The
   * write path and the fold at open both go through here, so they agree.
   */
  private count(info: KeyInfo, id: number, started: number, status: number, duration: number, maintenance: boolean) {
    info.lastStatus = status;
    if (status === 2) info.lastFail = id;
    else info.lastOk = id;
    if (!info.dirty) {
      info.dirty = true;
      this.dirtyInfos.push(info);
    }
    if (!maintenance) {
      info.unflushed.push(started, status, duration);
      this.unflushedCount++;
    }
  }

  /** Adds a probe's unflushed results to its stored hour (with minutes) and day rows. */
  private flushAggregates(info: KeyInfo): void {
    const p = info.key;
    const pending = info.unflushed;
    // Results mostly come in time order: one hour and one day at a time, the rest in these maps.
    const hours = new Map<number, HourEntry>();
    const days = new Map<number, DayEntry>();
    let h: HourEntry | undefined;
    let d: DayEntry | undefined;
    for (let k = 0; k < pending.length; k += 3) {
      const started = pending[k]!;
      const status = pending[k + 1]!;
      const duration = pending[k + 2]!;
      const bin = binOf(duration);
      const hour = Math.floor(started / HOUR_MS);
      if (h?.hour !== hour) {
        h = hours.get(hour);
        if (!h) {
          h = this.storedHour(p, hour);
          hours.set(hour, h);
        }
      }
      countInto(h.agg, status, bin, duration);
      if (h.minutes) {
        const minute = Math.floor((started - hour * HOUR_MS) / MINUTE_MS);
        let m = h.minutes.get(minute);
        if (!m) h.minutes.set(minute, (m = emptyAgg()));
        countInto(m, status, bin, duration);
      }
      const day = Math.floor(started / DAY_MS);
      if (d?.day !== day) {
        d = days.get(day);
        if (!d) {
          d = this.storedDay(p, day);
          days.set(day, d);
        }
      }
      countInto(d.agg, status, bin, duration);
    }
    let newestHour: HourEntry | undefined;
    for (const e of hours.values()) {
      this.stmt.putHour.run(
        p,
        e.hour,
        e.agg.ok,
        e.agg.warn,
        e.agg.fail,
        Math.round(e.agg.dur),
        histBlob(e.agg.hist),
        encodeMinutes(e.minutes),
      );
      if (!newestHour || e.hour > newestHour.hour) newestHour = e;
    }
    let newestDay: DayEntry | undefined;
    for (const e of days.values()) {
      this.stmt.putDay.run(p, e.day, e.agg.ok, e.agg.warn, e.agg.fail, Math.round(e.agg.dur), histBlob(e.agg.hist));
      if (!newestDay || e.day > newestDay.day) newestDay = e;
    }
    if (newestHour) this.hourCache.set(p, newestHour);
    if (newestDay) this.dayCache.set(p, newestDay);
  }

  /** The stored hour bucket (from the cache when it is the probe's newest), or an empty one. */
  private storedHour(p: number, hour: number): HourEntry {
    const cached = this.hourCache.get(p);
    if (cached?.hour === hour) return cached;
    const row = this.stmt.hour.get(p, hour) as (AggRow & { minutes: Buffer | null }) | undefined;
    return row
      ? { probe: p, hour, agg: aggOf(row), minutes: decodeMinutes(row.minutes) }
      : { probe: p, hour, agg: emptyAgg(), minutes: new Map() };
  }

  private storedDay(p: number, day: number): DayEntry {
    const cached = this.dayCache.get(p);
    if (cached?.day === day) return cached;
    const row = this.stmt.day.get(p, day) as AggRow | undefined;
    return { probe: p, day, agg: row ? aggOf(row) : emptyAgg() };
  }

  private addText(p: number, resultId: number, text: string): number {
    return Number(this.stmt.addText.run(p, resultId, text).lastInsertRowid);
  }

  /** The probe's key, added when new (inside the write transaction, after sync: the keys are current). */
  private keyFor(probeId: string): KeyInfo {
    let info = this.keys.get(probeId);
    if (!info) {
      const key = Number(this.stmt.addKey.run(probeId).lastInsertRowid);
      info = newKeyInfo(key, probeId, null, null, null);
      this.remember(info);
    }
    return info;
  }

  private remember(info: KeyInfo): void {
    this.keys.set(info.probeId, info);
    this.byKey.set(info.key, info);
  }

  /**
   * The artifact set of one result, referred to once more: an identical set (same names, types,
   * contents, sizes) is reused; otherwise a new one, whose contents not stored yet are written to
   * their files (listed in `written`, for removal if the transaction fails).
   */
  private artifactSet(
    artifacts: readonly ArtifactData[],
    written: string[],
  ): { id: number; refs: ProbeResult['artifacts'] } {
    const items: SetItem[] = artifacts.map((a) => [
      a.name,
      a.contentType,
      createHash('sha256').update(a.data).digest('hex'),
      a.data.length,
      a.truncated ? 1 : 0,
    ]);
    const text = JSON.stringify(items);
    let id = this.stmt.setByItems.get(text) as number | undefined;
    if (id !== undefined) {
      this.stmt.refSet.run(1, id);
    } else {
      for (let n = 0; n < items.length; n++) {
        const hash = items[n]![2];
        if (this.stmt.blob.get(hash) === undefined) this.writeBlob(hash, artifacts[n]!.data, written);
        this.stmt.addBlob.run(hash, items[n]![3]);
      }
      id = Number(this.stmt.addSet.run(text).lastInsertRowid);
    }
    return { id, refs: refsOf(items) };
  }

  /** Writes one content's file: to a temporary name, then renamed (an orphan of a crash is overwritten). */
  private writeBlob(hash: string, data: Buffer, written: string[]): void {
    const dir = join(this.artifactsDir, hash.slice(0, 2));
    if (!this.blobDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.blobDirs.add(dir);
    }
    const final = join(dir, `${hash}.bin`);
    const temp = join(dir, `.${hash}.${process.pid}.tmp`);
    written.push(temp);
    writeFileSync(temp, data);
    renameSync(temp, final);
    written.push(final);
  }

  private blobPath(hash: string): string {
    return join(this.artifactsDir, hash.slice(0, 2), `${hash}.bin`);
  }

  /** A set's items, parsed once (the cache is cleared whenever sets may have gone). */
  private setItems(id: number): SetItem[] | undefined {
    let items = this.setCache.get(id);
    if (!items) {
      const row = this.stmt.setRow.get(id) as { items: string } | undefined;
      if (!row) return undefined;
      items = JSON.parse(row.items) as SetItem[];
      if (this.setCache.size > 5000) this.setCache.clear();
      this.setCache.set(id, items);
    }
    return items;
  }

  /**
   * Drops `count` references to artifact set `id` (inside a write transaction): a set no result
   * refers to goes, with its references to its files; files no set refers to are named in `hashes`,
   * for removeBlobs after the commit.
   */
  private releaseSet(id: number, count: number, hashes: string[]): void {
    this.stmt.refSet.run(-count, id);
    const row = this.stmt.setRow.get(id) as { refs: number; items: string } | undefined;
    if (!row || row.refs > 0) return;
    this.stmt.deleteSet.run(id);
    this.setCache.delete(id);
    for (const item of JSON.parse(row.items) as SetItem[]) {
      const left = this.stmt.unrefBlob.get(item[2]) as number | undefined;
      if (left !== undefined && left <= 0) {
        this.stmt.deleteBlob.run(item[2]);
        hashes.push(item[2]);
      }
    }
  }

  /**
   * Removes the files of contents whose rows went in a committed transaction — under the write
   * lock, and only while no row names them again (another process may have stored the same content
   * since).
   */
  private removeBlobs(hashes: readonly string[]): void {
    if (!hashes.length) return;
    this.write(() => {
      for (const hash of hashes)
        if (this.stmt.blob.get(hash) === undefined) rmSync(this.blobPath(hash), { force: true });
    });
  }

  /**
   * Removes artifact files no row names: those a process wrote and then stopped before its rows
   * committed, and temporary files. Under the write lock, so no other process is between writing a
   * file and committing its row. Returns how many files went.
   */
  sweepArtifacts(): number {
    if (!existsSync(this.artifactsDir)) return 0;
    return this.write(() => {
      let removed = 0;
      for (const sub of readdirSync(this.artifactsDir)) {
        if (!/^[0-9a-f]{2}$/.test(sub)) continue;
        const dir = join(this.artifactsDir, sub);
        for (const name of readdirSync(dir)) {
          const match = /^([0-9a-f]{64})\.bin$/.exec(name);
          if (match && this.stmt.blob.get(match[1]) !== undefined) continue;
          rmSync(join(dir, name), { force: true, recursive: true });
          removed++;
        }
      }
      return removed;
    });
  }

  /**
   * Moves the artifacts of files written before content addressing (probe_artifacts, one file per
   * result and artifact under <probe>/<result>-<n>) into artifact sets, then removes the old files.
   */
  private adoptLegacyArtifacts(): void {
    const rows = this.db
      .prepare('SELECT result, n, probe, name, content_type, bytes, truncated FROM probe_artifacts ORDER BY result, n')
      .all() as { result: number; n: number; probe: number; name: string; content_type: string; truncated: number }[];
    if (!rows.length) return;
    const folders = new Set<number>();
    this.write(() => {
      const setOf = this.db.prepare('UPDATE probe_results SET artifacts = ? WHERE id = ?');
      const written: string[] = [];
      for (let i = 0; i < rows.length;) {
        const result = rows[i]!.result;
        const artifacts: ArtifactData[] = [];
        for (; i < rows.length && rows[i]!.result === result; i++) {
          const row = rows[i]!;
          folders.add(row.probe);
          const file = join(this.artifactsDir, String(row.probe), `${row.result}-${row.n}`);
          if (!existsSync(file)) continue;
          artifacts.push({
            name: row.name,
            contentType: row.content_type,
            data: readFileSync(file),
            truncated: row.truncated === 1,
          });
        }
        if (artifacts.length) setOf.run(this.artifactSet(artifacts, written).id, result);
      }
      this.db.prepare('DELETE FROM probe_artifacts').run();
    });
    for (const probe of folders) rmSync(join(this.artifactsDir, String(probe)), { recursive: true, force: true });
  }

  /**
   * (Re)reads the in-memory state from the file: the probes with their stored last status,
   * success and failure, then every result after probe_folded counted again — what the stored
   * aggregates do not hold yet (a process stopped before its flush, or a rolled-back write).
   */
  private reload(): void {
    this.hourCache.clear();
    this.dayCache.clear();
    this.textCache.clear();
    this.setCache.clear();
    this.dataVersion = this.stmt.dataVersion.get() as number;
    this.keys.clear();
    this.byKey.clear();
    this.dirtyInfos = [];
    this.unflushedCount = 0;
    for (const row of this.stmt.keys.all() as {
      key: number;
      probe_id: string;
      last_status: number | null;
      last_ok: number | null;
      last_fail: number | null;
    }[]) {
      this.remember(newKeyInfo(row.key, row.probe_id, row.last_status, row.last_ok, row.last_fail));
    }
    this.folded = (this.stmt.folded.get() as number | undefined) ?? 0;
    this.lastId = this.stmt.topId.get() as number;
    for (const row of this.stmt.afterFolded.iterate(this.folded) as IterableIterator<{
      id: number;
      probe: number;
      started: number;
      duration: number;
      flags: number;
    }>) {
      const info = this.byKey.get(row.probe);
      if (!info || row.flags & FLAG_INTERRUPTED) continue;
      this.count(info, row.id, row.started, row.flags & 3, row.duration, (row.flags & FLAG_MAINTENANCE) !== 0);
    }
  }

  /** Forgets the texts each probe's previous result used (after a prune may have removed them). */
  private forgetTexts(): void {
    for (const info of this.keys.values()) {
      info.conditions = null;
      info.metadata = null;
      info.error = null;
    }
    this.textCache.clear();
  }

  // ---- reads -------------------------------------------------------------------------------------

  /** A probe's results, newest first; `before` is a result id (exclusive), for paging. */
  results(probeId: string, options: { before?: number | undefined; limit?: number | undefined } = {}): ProbeResult[] {
    this.sync();
    const info = this.keys.get(probeId);
    if (!info) return [];
    const limit = Math.max(1, Math.min(1000, options.limit ?? 50));
    let rows: ResultRow[];
    if (options.before !== undefined) {
      const cursor = this.stmt.byId.get(options.before) as ResultRow | undefined;
      if (!cursor) return [];
      rows = this.stmt.before.all(info.key, cursor.started, cursor.id, limit) as ResultRow[];
    } else {
      rows = this.stmt.newest.all(info.key, limit) as ResultRow[];
    }
    return rows.map((row) => this.decode(row));
  }

  /** A probe's results that started in [fromMs, toMs), oldest first (the chart's raw points). */
  resultsBetween(probeId: string, fromMs: number, toMs: number, limit = 10_000): ProbeResult[] {
    this.sync();
    const info = this.keys.get(probeId);
    if (!info) return [];
    return (this.stmt.between.all(info.key, fromMs, toMs, limit) as ResultRow[]).map((row) => this.decode(row));
  }

  result(id: number): ProbeResult | null {
    this.sync();
    const row = this.stmt.byId.get(id) as ResultRow | undefined;
    return row ? this.decode(row) : null;
  }

  lastResult(probeId: string): ProbeResult | null {
    return this.results(probeId, { limit: 1 })[0] ?? null;
  }

  /** When the last ok or warn run finished. */
  lastSuccessAt(probeId: string): string | null {
    this.sync();
    return this.finishedAt(this.keys.get(probeId)?.lastOk ?? null);
  }

  /** When the last failed run (not an interrupted one) finished. */
  lastFailureAt(probeId: string): string | null {
    this.sync();
    return this.finishedAt(this.keys.get(probeId)?.lastFail ?? null);
  }

  /** A probe's status changes, newest first. */
  events(probeId: string, limit = 50): ProbeEvent[] {
    this.sync();
    const info = this.keys.get(probeId);
    if (!info) return [];
    const rows = this.stmt.events.all(info.key, limit) as {
      started: number;
      prev: number | null;
      next: number;
      result: number;
    }[];
    return rows.map((row) => ({
      probeId,
      at: new Date(row.started).toISOString(),
      from: row.prev === null ? null : RESULT_STATUSES[row.prev]!,
      to: RESULT_STATUSES[row.next]!,
      resultId: row.result,
    }));
  }

  /**
   * Uptime and latency over the last 24 hours (from the start of the minute 24 h ago) and 30 days
   * (from the start of the hour 30 days ago), from aggregates only, and the last 20 durations.
   */
  summaryStats(probeId: string, nowMs: number): LatencyStats {
    this.sync();
    const info = this.keys.get(probeId);
    const empty = {
      uptime24h: null,
      uptime30d: null,
      p50Ms24h: null,
      p95Ms24h: null,
      p50Ms30d: null,
      p95Ms30d: null,
      recentDurations: [],
    };
    if (!info) return empty;
    const day = this.since(info, nowMs - DAY_MS, nowMs);
    const month = this.since(info, nowMs - 30 * DAY_MS, nowMs);
    return {
      uptime24h: uptime(day),
      uptime30d: uptime(month),
      p50Ms24h: percentile(day.hist, 0.5),
      p95Ms24h: percentile(day.hist, 0.95),
      p50Ms30d: percentile(month.hist, 0.5),
      p95Ms30d: percentile(month.hist, 0.95),
      recentDurations: this.recentDurations(info.key),
    };
  }

  /** How every probe with results stands, for the Integrations table. */
  summaries(nowMs: number): Map<string, ProbeStats> {
    this.sync();
    const out = new Map<string, ProbeStats>();
    for (const info of this.keys.values()) {
      const newest = this.stmt.newest.get(info.key, 1) as ResultRow | undefined;
      out.set(info.probeId, {
        lastResult: newest ? this.decode(newest) : null,
        lastSuccessAt: this.finishedAt(info.lastOk),
        lastFailureAt: this.finishedAt(info.lastFail),
        uptime24h: uptime(this.since(info, nowMs - DAY_MS, nowMs)),
        uptime30d: uptime(this.since(info, nowMs - 30 * DAY_MS, nowMs)),
        recentDurations: this.recentDurations(info.key),
      });
    }
    return out;
  }

  /**
   * A probe's history as buckets, oldest first, every bucket of the range present (empty ones
   * with zero counts): minutes for 1h, hours for 24h and 7d, days for 30d and 365d (UTC days).
   */
  history(probeId: string, range: HistoryRange, nowMs: number): ProbeHistory {
    this.sync();
    const info = this.keys.get(probeId);
    const plan = {
      '1h': { size: MINUTE_MS, count: 60 },
      '24h': { size: HOUR_MS, count: 24 },
      '7d': { size: HOUR_MS, count: 168 },
      '30d': { size: DAY_MS, count: 30 },
      '365d': { size: DAY_MS, count: 365 },
    }[range];
    const last = Math.floor(nowMs / plan.size);
    const first = last - plan.count + 1;
    const aggs = new Map<number, Agg>();
    if (info) {
      if (plan.size === MINUTE_MS) {
        const rows = this.stmt.hourMinutes.all(
          info.key,
          Math.floor((first * MINUTE_MS) / HOUR_MS),
          Math.floor(nowMs / HOUR_MS),
        ) as {
          hour: number;
          minutes: Buffer | null;
        }[];
        for (const row of rows) {
          for (const [minute, agg] of decodeMinutes(row.minutes) ?? []) {
            const index = row.hour * 60 + minute;
            if (index >= first && index <= last) aggs.set(index, agg);
          }
        }
      } else {
        const stmt = plan.size === HOUR_MS ? this.stmt.hours : this.stmt.days;
        for (const row of stmt.all(info.key, first, last + 1) as (AggRow & { hour?: number; day?: number })[]) {
          aggs.set(row.hour ?? row.day!, aggOf(row));
        }
      }
      // With what waits for the next flush.
      const pending = info.unflushed;
      for (let k = 0; k < pending.length; k += 3) {
        const index = Math.floor(pending[k]! / plan.size);
        if (index < first || index > last) continue;
        let agg = aggs.get(index);
        if (!agg) aggs.set(index, (agg = emptyAgg()));
        countInto(agg, pending[k + 1]!, binOf(pending[k + 2]!), pending[k + 2]!);
      }
    }
    const total = emptyAgg();
    const buckets: HistoryBucket[] = [];
    for (let index = first; index <= last; index++) {
      const agg = aggs.get(index);
      if (agg) mergeAgg(total, agg);
      buckets.push({
        start: new Date(index * plan.size).toISOString(),
        ok: agg?.ok ?? 0,
        warn: agg?.warn ?? 0,
        fail: agg?.fail ?? 0,
        p50Ms: agg ? percentile(agg.hist, 0.5) : null,
        p95Ms: agg ? percentile(agg.hist, 0.95) : null,
      });
    }
    return { buckets, uptime: uptime(total), p50Ms: percentile(total.hist, 0.5), p95Ms: percentile(total.hist, 0.95) };
  }

  /** Up to 512 KiB of an artifact from `offset`, as base64. */
  async readArtifact(resultId: number, artifactId: string, offset = 0): Promise<ArtifactChunk> {
    this.sync();
    const n = Number(artifactId);
    const set = Number.isInteger(n) ? (this.stmt.resultSet.get(resultId) as number | null | undefined) : undefined;
    const item = set == null ? undefined : this.setItems(set)?.[n];
    if (!item)
      throw new ApiError('not-found', `Result ${resultId} has no artifact "${artifactId}"; it may have been pruned.`);
    const row = { name: item[0], content_type: item[1], bytes: item[3] };
    const start = Math.max(0, Math.floor(offset));
    const length = Math.max(0, Math.min(ARTIFACT_CHUNK_BYTES, row.bytes - start));
    const buffer = Buffer.alloc(length);
    let read = 0;
    if (length) {
      const handle = await openFile(this.blobPath(item[2]), 'r');
      try {
        while (read < length) {
          const { bytesRead } = await handle.read(buffer, read, length - read, start + read);
          if (!bytesRead) break;
          read += bytesRead;
        }
      } finally {
        await handle.close();
      }
    }
    return {
      contentType: row.content_type,
      name: row.name,
      base64: buffer.subarray(0, read).toString('base64'),
      bytes: row.bytes,
      eof: start + read >= row.bytes,
    };
  }

  private decode(row: ResultRow): ProbeResult {
    const flags = unpackFlags(row.flags);
    const template =
      row.conditions === null ? null : (this.parsedText(row.conditions, parseTemplate) as ConditionTemplate);
    const items = row.artifacts === null ? undefined : this.setItems(row.artifacts);
    const artifacts = items ? refsOf(items) : [];
    return {
      id: row.id,
      probeId: this.byKey.get(row.probe)?.probeId ?? '',
      status: flags.status,
      trigger: flags.trigger,
      startedAt: new Date(row.started).toISOString(),
      finishedAt: new Date(row.started + row.duration + row.finish_extra).toISOString(),
      durationMs: row.duration,
      error: row.error === null ? null : (this.parsedText(row.error, (t) => t) as string),
      attempts: row.attempts_extra + 1,
      conditions: decodeConditions(template, row.fail_mask, row.observed),
      metadata: row.metadata === null ? {} : { ...(this.parsedText(row.metadata, (t) => JSON.parse(t)) as object) },
      artifacts,
      maintenance: flags.maintenance,
      interrupted: flags.interrupted,
    };
  }

  private parsedText(id: number, parse: (text: string) => unknown): unknown {
    if (this.textCache.has(id)) return this.textCache.get(id);
    const text = this.stmt.text.get(id) as string | undefined;
    const value = text === undefined ? null : parse(text);
    // A small bound: texts repeat, so a few thousand cover every probe's current ones.
    if (this.textCache.size > 5000) this.textCache.clear();
    this.textCache.set(id, value);
    return value;
  }

  private finishedAt(id: number | null): string | null {
    if (id === null) return null;
    const ms = this.stmt.finishedAt.get(id) as number | undefined;
    return ms === undefined ? null : new Date(ms).toISOString();
  }

  private recentDurations(p: number): number[] {
    return (this.stmt.recentDurations.all(p, RECENT_DURATIONS) as number[]).reverse();
  }

  /**
   * Everything counted from `fromMs` on, from aggregates: whole days, then the whole hours before
   * the first day, then — for windows of two days or less — the minutes before the first hour;
   * and the results waiting for the next flush. Longer windows start at the hour, shorter ones at
   * the minute.
   */
  private since(info: KeyInfo, fromMs: number, nowMs: number): Agg {
    const p = info.key;
    const total = emptyAgg();
    const byMinute = nowMs - fromMs <= MINUTE_DETAIL_DAYS * DAY_MS;
    const from = byMinute ? Math.floor(fromMs / MINUTE_MS) * MINUTE_MS : Math.floor(fromMs / HOUR_MS) * HOUR_MS;
    const firstDay = Math.ceil(from / DAY_MS);
    const firstHour = Math.ceil(from / HOUR_MS);
    for (const row of this.stmt.days.all(p, firstDay, Number.MAX_SAFE_INTEGER) as AggRow[]) mergeAgg(total, aggOf(row));
    for (const row of this.stmt.hours.all(p, firstHour, Math.max(firstHour, firstDay * 24)) as AggRow[])
      mergeAgg(total, aggOf(row));
    if (from % HOUR_MS !== 0) {
      const hour = Math.floor(from / HOUR_MS);
      const fromMinute = (from - hour * HOUR_MS) / MINUTE_MS;
      const row = this.stmt.hourMinutes.get(p, hour, hour) as { minutes: Buffer | null } | undefined;
      for (const [minute, agg] of decodeMinutes(row?.minutes ?? null) ?? [])
        if (minute >= fromMinute) mergeAgg(total, agg);
    }
    const pending = info.unflushed;
    for (let k = 0; k < pending.length; k += 3) {
      if (pending[k]! >= from) countInto(total, pending[k + 1]!, binOf(pending[k + 2]!), pending[k + 2]!);
    }
    return total;
  }

  // ---- retention ---------------------------------------------------------------------------------

  retention(): ProbeRetention {
    const row = this.stmt.retention.get() as
      { raw_days: number; aggregate_days: number; max_megabytes: number } | undefined;
    return row
      ? { rawDays: row.raw_days, aggregateDays: row.aggregate_days, maxMegabytes: row.max_megabytes }
      : { ...DEFAULT_PROBE_RETENTION };
  }

  /** Saves the user's retention and prunes to it straight away. */
  setRetention(retention: ProbeRetention): ProbeRetention {
    this.stmt.setRetention.run(retention.rawDays, retention.aggregateDays, retention.maxMegabytes);
    this.prune(this.clock.now());
    return this.retention();
  }

  /** Removes a probe's results, texts, events, aggregates, runs, kept values and the artifacts only it used. */
  deleteProbe(probeId: string): void {
    // The watermark moves past the probe's newest result first, so its ids are never given again.
    this.flush();
    const hashes: string[] = [];
    this.write(() => {
      this.db.prepare('DELETE FROM probe_runs WHERE probe_id = ?').run(probeId);
      const info = this.keys.get(probeId);
      if (!info) return;
      const sets = this.db
        .prepare(
          'SELECT artifacts AS id, count(*) AS n FROM probe_results WHERE probe = ? AND artifacts IS NOT NULL GROUP BY artifacts',
        )
        .all(info.key) as { id: number; n: number }[];
      for (const set of sets) this.releaseSet(set.id, set.n, hashes);
      for (const table of [
        'probe_results',
        'probe_texts',
        'probe_artifacts',
        'probe_events',
        'probe_hours',
        'probe_days',
      ]) {
        this.db.prepare(`DELETE FROM ${table} WHERE probe = ?`).run(info.key);
      }
      this.db.prepare('DELETE FROM probe_values WHERE probe = ?').run(info.key);
      this.db.prepare('DELETE FROM probe_keys WHERE key = ?').run(info.key);
      this.keys.delete(probeId);
      this.byKey.delete(info.key);
      if (info.dirty) {
        this.dirtyInfos = this.dirtyInfos.filter((other) => other !== info);
        this.unflushedCount -= info.unflushed.length / 3;
      }
      this.hourCache.delete(info.key);
      this.dayCache.delete(info.key);
    });
    this.removeBlobs(hashes);
  }

  /**
   * Applies the retention at `nowMs`: raw results older than rawDays, hours older than 35 days
   * (minute detail after two days), days and events older than aggregateDays, then the oldest raw
   * results while the file's used pages and the artifacts together exceed maxMegabytes. Each
   * probe's last success and last failure stay. Returns how many results were removed.
   */
  prune(nowMs: number): number {
    // The aggregates first, so what is deleted below is deleted from them too.
    this.flush();
    const r = this.retention();
    const rawCut = nowMs - r.rawDays * DAY_MS;
    const aggCut = nowMs - r.aggregateDays * DAY_MS;
    const hourCut = Math.floor((nowMs - Math.min(r.aggregateDays, HOUR_DAYS) * DAY_MS) / HOUR_MS);
    const minuteCut = Math.floor((nowMs - MINUTE_DETAIL_DAYS * DAY_MS) / HOUR_MS);
    let removed = 0;
    const hashes: string[] = [];
    for (const probeId of [...this.keys.keys()]) {
      this.write(() => {
        // Read after sync: another process may have written (or deleted the probe) meanwhile.
        const info = this.keys.get(probeId);
        if (!info) return;
        removed += this.deleteResults(info, 'started < ?', rawCut, hashes);
        this.db.prepare('DELETE FROM probe_hours WHERE probe = ? AND hour < ?').run(info.key, hourCut);
        this.db
          .prepare('UPDATE probe_hours SET minutes = NULL WHERE probe = ? AND hour < ? AND minutes IS NOT NULL')
          .run(info.key, minuteCut);
        this.db
          .prepare('DELETE FROM probe_days WHERE probe = ? AND day < ?')
          .run(info.key, Math.floor(aggCut / DAY_MS));
        this.db.prepare('DELETE FROM probe_events WHERE probe = ? AND started < ?').run(info.key, aggCut);
      });
    }
    removed += this.pruneToSize(r.maxMegabytes * 1024 * 1024, hashes);
    this.removeBlobs(hashes);
    // Texts, hours and days may have gone: the caches start afresh rather than point at them.
    this.forgetTexts();
    this.hourCache.clear();
    this.dayCache.clear();
    return removed;
  }

  /** Bytes the store holds: the database's used pages (all tables) plus the artifact files. */
  usedBytes(): number {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    const artifacts = this.db.prepare('SELECT total(bytes) FROM probe_blobs').pluck().get() as number;
    return (pages - free) * pageSize + artifacts;
  }

  private pruneToSize(maxBytes: number, hashes: string[]): number {
    let removed = 0;
    for (let round = 0; round < 20; round++) {
      const used = this.usedBytes();
      if (used <= maxBytes) break;
      const count = this.db.prepare('SELECT count(*) FROM probe_results').pluck().get() as number;
      const pinned = this.pinnedIds();
      if (count <= pinned.size) break;
      // Remove a share of the oldest results in proportion to the excess (at least one), and look again.
      const share = Math.max(1, Math.ceil(((used - maxBytes) / used) * count * 1.1));
      const cut = this.db
        .prepare('SELECT id FROM probe_results ORDER BY id LIMIT 1 OFFSET ?')
        .pluck()
        .get(Math.min(count - 1, share)) as number;
      this.write(() => {
        for (const info of this.keys.values())
          removed += this.deleteResults(info, 'id < ?', cut === undefined ? Number.MAX_SAFE_INTEGER : cut, hashes);
      });
    }
    return removed;
  }

  private pinnedIds(): Set<number> {
    const ids = new Set<number>();
    for (const info of this.keys.values()) {
      if (info.lastOk !== null) ids.add(info.lastOk);
      if (info.lastFail !== null) ids.add(info.lastFail);
    }
    return ids;
  }

  /**
   * Deletes one probe's results matching `where` (but not its last success or failure), with
   * their references to artifact sets (the files no set needs any more go into `hashes`, for
   * removal after the commit), and the texts only they used.
   */
  private deleteResults(info: KeyInfo, where: string, value: number, hashes: string[]): number {
    const keep = [info.lastOk ?? -1, info.lastFail ?? -1];
    const sets = this.db
      .prepare(
        `SELECT artifacts AS id, count(*) AS n FROM probe_results
         WHERE probe = ? AND ${where} AND id NOT IN (?, ?) AND artifacts IS NOT NULL GROUP BY artifacts`,
      )
      .all(info.key, value, ...keep) as { id: number; n: number }[];
    const removed = this.db
      .prepare(`DELETE FROM probe_results WHERE probe = ? AND ${where} AND id NOT IN (?, ?)`)
      .run(info.key, value, ...keep).changes;
    for (const set of sets) this.releaseSet(set.id, set.n, hashes);
    if (removed) this.collectTexts(info);
    return removed;
  }

  /**
   * Deletes the probe's texts no remaining result uses. A result reuses only its predecessor's
   * text, so the results using one text are consecutive: a text written before the oldest
   * remaining result is still used only if that result (or a kept last success or failure) uses
   * it. The oldest remaining result is found among the first few by start time, which covers
   * results recorded out of order (an interrupted run recorded at the next start).
   */
  private collectTexts(info: KeyInfo): void {
    const oldest = this.db
      .prepare(
        'SELECT min(id) FROM (SELECT id FROM probe_results WHERE probe = ? AND id NOT IN (?, ?) ORDER BY started LIMIT 16)',
      )
      .pluck()
      .get(info.key, info.lastOk ?? -1, info.lastFail ?? -1) as number | null;
    const used = new Set<number>();
    for (const id of [oldest, info.lastOk, info.lastFail]) {
      if (id === null) continue;
      const row = this.stmt.byId.get(id) as ResultRow | undefined;
      for (const ref of [row?.conditions, row?.metadata, row?.error]) if (ref != null) used.add(ref);
    }
    const candidates = this.db
      .prepare('SELECT id FROM probe_texts WHERE probe = ? AND first < ?')
      .pluck()
      .all(info.key, oldest ?? Number.MAX_SAFE_INTEGER) as number[];
    const remove = this.db.prepare('DELETE FROM probe_texts WHERE id = ?');
    for (const id of candidates) if (!used.has(id)) remove.run(id);
  }

  private safePrune(): void {
    try {
      this.prune(this.clock.now());
    } catch (error) {
      // A failed prune is retried on the next tick; results keep being recorded meanwhile.
      console.error('Probe store: pruning failed:', error);
    }
  }
}

function newKeyInfo(
  key: number,
  probeId: string,
  lastStatus: number | null,
  lastOk: number | null,
  lastFail: number | null,
): KeyInfo {
  return {
    key,
    probeId,
    lastStatus,
    lastOk,
    lastFail,
    dirty: false,
    unflushed: [],
    conditions: null,
    metadata: null,
    error: null,
  };
}

function refsOf(items: readonly SetItem[]): ProbeResult['artifacts'] {
  return items.map((item, n) => ({
    id: String(n),
    name: item[0],
    contentType: item[1],
    bytes: item[3],
    truncated: item[4] === 1,
  }));
}

function hasKeys(value: object): boolean {
  for (const key in value) if (Object.hasOwn(value, key)) return true;
  return false;
}

/**
 * True when `next` has exactly `keys`, in that order, with the same primitive values as `prev`:
 * then JSON.stringify(next) is prev's text, without making it.
 */
function sameFlat(keys: readonly string[], prev: ProbeMetadata, next: ProbeMetadata): boolean {
  let n = 0;
  for (const key in next) {
    if (!Object.hasOwn(next, key)) return false;
    const value = next[key];
    if (keys[n] !== key || value !== prev[key] || (typeof value === 'object' && value !== null)) return false;
    n++;
  }
  return n === keys.length;
}

function aggOf(row: AggRow): Agg {
  return { ok: row.ok, warn: row.warn, fail: row.fail, dur: row.dur, hist: histFromBlob(row.hist) };
}

/** Up (ok or warn) over all counted; null when nothing was counted. */
function uptime(agg: Agg): number | null {
  const total = agg.ok + agg.warn + agg.fail;
  return total ? (agg.ok + agg.warn) / total : null;
}

export type { Histogram };
