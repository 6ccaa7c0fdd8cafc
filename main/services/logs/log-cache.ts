/**
 * The offline log cache: every followed line, in the app's SQLite file, so logs can be reviewed
 * and searched with the network off, after a restart, and read by support bundles.
 *
 * Writes are queued and committed in batches (one transaction per 250 ms or 5,000 lines): a
 * transaction per line would cost a disk sync each. Each container's (or ops-API service's) totals
 * are kept in `log_sources` as lines are written, so the size of the cache, its age and the
 * per-container summary never need a scan of the lines.
 *
 * The cache is bounded by a size and an age the user sets. Both are enforced by a periodic trim
 * (not per insert, which would slow every batch): lines older than the age go first, then the
 * oldest written lines until the total is back under 90% of the size, in small chunks with the
 * event loop free in between. The trim runs on the Clock the cache is given, from `start()` until
 * `dispose()`, so a test moves a fake clock past the interval instead of waiting for it.
 *
 * Queries run per source on the (source_id, ts) index, newest first with a limit, and the
 * per-source answers are merged: a time-range query costs about the lines it returns, whatever
 * the cache holds.
 */
import type { Statement, Transaction } from 'better-sqlite3';
import type { LogCacheLimits, LogCacheSummary, LogEntry } from '../../../shared/model/logs';
import type { LogLevel } from '../../../shared/model/ops';
import type { Db } from '../store/database';
import { isoToMs, msToIso } from '../../../shared/iso-time';
import { systemClock, type Clock, type Timer } from '../../../node/clock';

export const DEFAULT_CACHE_LIMITS: LogCacheLimits = { maxBytes: 256 * 1024 * 1024, maxAgeHours: 7 * 24 };

/** What a line costs besides its text (ids, time, stream, level, index entry), for the size bound. */
export const ROW_OVERHEAD = 32;

const LEVEL_CODES: Record<LogLevel, number> = { error: 1, warn: 2, info: 3, debug: 4 };
/** Lines of the newest instant a boundary holds at most (a burst can stamp more in one second). */
export const BOUNDARY_LINES = 50_000;
/** Rows per INSERT statement in a batch: one statement per row costs a third more per line. */
const ROWS_PER_INSERT = 16;
const COLUMNS = 5;
const LEVELS: (LogLevel | null)[] = [null, 'error', 'warn', 'info', 'debug'];

export interface LogCacheOptions {
  flushMs?: number;
  flushRows?: number;
  /** How often the size and age bounds are enforced. */
  trimIntervalMs?: number;
  /** Lines deleted per step of a trim; the event loop runs between steps. */
  trimChunk?: number;
}

export interface CacheQuery {
  targetId: string;
  /** Container (Docker) or service (ops API) names; all of the target's when absent. */
  sources?: string[] | undefined;
  fromMs?: number | undefined;
  toMs?: number | undefined;
  text?: string | undefined;
  limit: number;
}

interface SourceRow {
  id: number;
  target: string;
  source: string;
  service: string | null;
}

interface Totals {
  lines: number;
  bytes: number;
  oldest: number;
  newest: number;
}

/** A line's place in a source: its time and row id (the order lines are read in). */
export interface LogCursor {
  ts: number;
  id: number;
}

/** The newest instant a source has in the cache and the lines of that instant. */
export interface CacheBoundary {
  ts: number;
  lines: { stream: LogEntry['stream']; message: string }[];
}

export class LogCache {
  private queue: LogEntry[] = [];
  private flushTimer: Timer | undefined;
  private trimTimer: Timer | undefined;
  private trimming: Promise<{ lines: number; bytes: number }> | null = null;
  /** target → source name → row: two lookups, no key string built per line. */
  private readonly sources = new Map<string, Map<string, SourceRow>>();
  private readonly byId = new Map<number, SourceRow>();
  private readonly stmt: Record<
    | 'insertLine'
    | 'insertLines'
    | 'upsertSource'
    | 'setService'
    | 'addTotals'
    | 'range'
    | 'rangeKeys'
    | 'rangeText'
    | 'targetSources'
    | 'summary'
    | 'limits'
    | 'setLimits'
    | 'newest'
    | 'linesAt'
    | 'expiredSources'
    | 'deleteOlder'
    | 'oldest'
    | 'deleteUpTo'
    | 'subtract'
    | 'dropEmpty'
    | 'totalBytes',
    Statement
  >;
  private readonly insertTx: Transaction<(entries: readonly LogEntry[]) => void>;

  constructor(
    private readonly db: Db,
    private readonly options: LogCacheOptions = {},
    /** Ages lines by its time and runs the trim and the batch flush on its timers. */
    private readonly clock: Clock = systemClock,
  ) {
    const prepare = (sql: string) => db.prepare(sql);
    this.stmt = {
      insertLine: prepare('INSERT INTO log_lines (source_id, ts, stream, level, message) VALUES (?, ?, ?, ?, ?)'),
      insertLines: prepare(
        `INSERT INTO log_lines (source_id, ts, stream, level, message) VALUES ${Array<string>(ROWS_PER_INSERT).fill('(?, ?, ?, ?, ?)').join(', ')}`,
      ),
      upsertSource: prepare(
        `INSERT INTO log_sources (target, source, service) VALUES (?, ?, ?)
         ON CONFLICT (target, source) DO UPDATE SET service = excluded.service RETURNING id`,
      ).pluck(),
      setService: prepare('UPDATE log_sources SET service = ? WHERE id = ?'),
      addTotals: prepare(
        `UPDATE log_sources SET lines = lines + ?, bytes = bytes + ?,
           oldest = min(coalesce(oldest, ?), ?), newest = max(coalesce(newest, ?), ?) WHERE id = ?`,
      ),
      range: prepare(
        `SELECT id, ts, stream, level, message FROM log_lines
         WHERE source_id = ? AND ts >= ? AND ts <= ? ORDER BY ts DESC, id DESC LIMIT ?`,
      ).raw(),
      rangeKeys: prepare(
        `SELECT id, ts FROM log_lines WHERE source_id = ? AND ts >= ? AND ts <= ? ORDER BY ts DESC, id DESC LIMIT ?`,
      ).raw(),
      rangeText: prepare(
        `SELECT id, ts, stream, level, message FROM log_lines
         WHERE source_id = ? AND ts >= ? AND ts <= ? AND message LIKE ? ESCAPE '\\' ORDER BY ts DESC, id DESC LIMIT ?`,
      ).raw(),
      targetSources: prepare('SELECT id, target, source, service FROM log_sources WHERE target = ?'),
      summary: prepare(
        'SELECT target, source, lines, bytes, oldest, newest FROM log_sources WHERE lines > 0 ORDER BY target, source',
      ),
      limits: prepare('SELECT max_bytes AS maxBytes, max_age_hours AS maxAgeHours FROM log_cache_limits WHERE id = 1'),
      setLimits: prepare(
        `INSERT INTO log_cache_limits (id, max_bytes, max_age_hours) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET max_bytes = excluded.max_bytes, max_age_hours = excluded.max_age_hours`,
      ),
      newest: prepare('SELECT max(ts) FROM log_lines WHERE source_id = ?').pluck(),
      // The newest lines of that instant: a follow that starts again repeats the end of the log.
      linesAt: prepare(
        `SELECT stream, message FROM (
           SELECT id, stream, message FROM log_lines WHERE source_id = ? AND ts = ? ORDER BY id DESC LIMIT ${BOUNDARY_LINES}
         ) ORDER BY id`,
      ),
      expiredSources: prepare('SELECT id FROM log_sources WHERE oldest < ?').pluck(),
      deleteOlder: prepare(
        `DELETE FROM log_lines WHERE id IN (SELECT id FROM log_lines WHERE source_id = ? AND ts < ? LIMIT ?)
         RETURNING source_id, length(CAST(message AS BLOB))`,
      ).raw(),
      oldest: prepare('SELECT id, length(CAST(message AS BLOB)) FROM log_lines ORDER BY id LIMIT ?').raw(),
      deleteUpTo: prepare(
        'DELETE FROM log_lines WHERE id <= ? RETURNING source_id, length(CAST(message AS BLOB))',
      ).raw(),
      subtract: prepare(
        `UPDATE log_sources SET lines = max(0, lines - ?), bytes = max(0, bytes - ?),
           oldest = (SELECT min(ts) FROM log_lines WHERE source_id = ?) WHERE id = ?`,
      ),
      dropEmpty: prepare('DELETE FROM log_sources WHERE lines = 0 RETURNING id').pluck(),
      totalBytes: prepare('SELECT coalesce(sum(bytes), 0) FROM log_sources').pluck(),
    };
    this.insertTx = db.transaction((entries: readonly LogEntry[]) => this.insertRows(entries));
  }

  /** Starts the periodic trim. */
  start(): void {
    if (this.trimTimer) return;
    this.trimTimer = this.clock.setInterval(() => void this.trim(), this.options.trimIntervalMs ?? 60_000);
    this.trimTimer.unref();
  }

  /** Queues lines; they are committed within `flushMs` (or at once when the queue is long). */
  append(entries: readonly LogEntry[]): void {
    for (const entry of entries) this.queue.push(entry);
    if (this.queue.length >= (this.options.flushRows ?? 5_000)) this.flush();
    else if (!this.flushTimer) {
      this.flushTimer = this.clock.setTimeout(() => this.flush(), this.options.flushMs ?? 250);
      this.flushTimer.unref();
    }
  }

  /** Commits the queue now (before a query, a summary, a trim, or closing). */
  flush(): void {
    this.clock.clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.queue.length) return;
    const entries = this.queue;
    this.queue = [];
    this.insertTx(entries);
  }

  /** Writes lines in one transaction, now: the insert path the benchmark measures. */
  insert(entries: readonly LogEntry[]): void {
    this.insertTx(entries);
  }

  query({ targetId, sources, fromMs, toMs, text, limit }: CacheQuery): { entries: LogEntry[]; truncated: boolean } {
    this.flush();
    const rows = this.sourcesOf(targetId, sources);
    const from = fromMs ?? Number.MIN_SAFE_INTEGER;
    const to = toMs ?? Number.MAX_SAFE_INTEGER;
    const pattern = text ? `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    type Row = [number, number, number, number | null, string];
    let counts: number[];
    let truncated = false;
    if (rows.length === 1 || pattern) {
      counts = rows.map(() => limit + 1);
    } else {
      // Several sources: first find which of their lines make the newest `limit` from the index
      // alone (time and id, no message read), then read exactly those.
      ({ counts, truncated } = this.newestAcross(rows, from, to, limit));
    }
    // Rows as [id, ts, stream, level, message, source index], newest first.
    let found: Row[] = [];
    const owner: SourceRow[] = [];
    rows.forEach((source, index) => {
      const n = counts[index]!;
      if (n === 0) return;
      const hits = (
        pattern ? this.stmt.rangeText.all(source.id, from, to, pattern, n) : this.stmt.range.all(source.id, from, to, n)
      ) as Row[];
      for (const row of hits) {
        (row as unknown as number[]).push(index);
        found.push(row);
      }
      owner[index] = source;
    });
    if (rows.length > 1) found.sort((a, b) => b[1] - a[1] || b[0] - a[0]);
    if (found.length > limit) {
      truncated = true;
      found = found.slice(0, limit);
    }
    const entries: LogEntry[] = new Array(found.length);
    for (let i = 0; i < found.length; i++) {
      const row = found[found.length - 1 - i]!;
      const source = owner[(row as unknown as number[])[5]!]!;
      entries[i] = {
        ts: msToIso(row[1]),
        target: source.target,
        service: source.service,
        container: source.source,
        stream: row[2] === 1 ? 'stderr' : 'stdout',
        level: LEVELS[row[3] ?? 0] ?? null,
        message: row[4],
      };
    }
    return { entries, truncated };
  }

  /**
   * How many of each source's newest lines in [from, to] make the newest `limit` of them all.
   * Each source is first asked for a fair share of keys (plus a margin); only a source whose share
   * ran out above the cut-off is asked again for the full limit. Busy and quiet sources mixed cost
   * about `limit` index entries in all instead of `limit` per source.
   */
  private newestAcross(
    rows: SourceRow[],
    from: number,
    to: number,
    limit: number,
  ): { counts: number[]; truncated: boolean } {
    const share = Math.min(limit, Math.ceil((limit / rows.length) * 1.5) + 16);
    const asked = rows.map(() => share);
    const got = rows.map((source) => this.stmt.rangeKeys.all(source.id, from, to, share + 1) as [number, number][]);
    for (;;) {
      const keys: [number, number, number][] = [];
      got.forEach((list, index) => {
        // The extra key asked for only says "there is more"; it is not one of the asked share.
        const n = Math.min(list.length, asked[index]!);
        for (let i = 0; i < n; i++) keys.push([list[i]![1], list[i]![0], index]);
      });
      keys.sort(newestFirst);
      const cut = keys.length >= limit ? keys[limit - 1]! : null;
      let again = false;
      got.forEach((list, index) => {
        if (list.length <= asked[index]! || asked[index]! >= limit) return; // all of it, or all that can count
        const oldest = list[asked[index]! - 1]!;
        // Its oldest key still makes the cut: more of its lines may too.
        if (!cut || oldest[1] > cut[0] || (oldest[1] === cut[0] && oldest[0] >= cut[1])) {
          asked[index] = limit;
          got[index] = this.stmt.rangeKeys.all(rows[index]!.id, from, to, limit + 1) as [number, number][];
          again = true;
        }
      });
      if (again) continue;
      const counts = rows.map(() => 0);
      for (let i = 0; i < Math.min(limit, keys.length); i++) counts[keys[i]![2]]!++;
      const more = got.some((list, index) => list.length > asked[index]!);
      return { counts, truncated: keys.length > limit || more };
    }
  }

  summary(): LogCacheSummary {
    this.flush();
    const rows = this.stmt.summary.all() as {
      target: string;
      source: string;
      lines: number;
      bytes: number;
      oldest: number;
      newest: number;
    }[];
    return {
      limits: this.limits(),
      services: rows.map((row) => ({
        target: row.target,
        container: row.source,
        lines: row.lines,
        bytes: row.bytes,
        oldest: new Date(row.oldest).toISOString(),
        newest: new Date(row.newest).toISOString(),
      })),
    };
  }

  limits(): LogCacheLimits {
    const row = this.stmt.limits.get() as LogCacheLimits | undefined;
    return row ?? { ...DEFAULT_CACHE_LIMITS };
  }

  /** Stores new bounds and enforces them before answering. */
  async setLimits(limits: LogCacheLimits): Promise<LogCacheSummary> {
    this.stmt.setLimits.run(limits.maxBytes, limits.maxAgeHours);
    await this.trim();
    return this.summary();
  }

  /** Bytes the cache counts against its size bound. */
  totalBytes(): number {
    this.flush();
    return this.stmt.totalBytes.get() as number;
  }

  /** The newest instant cached for a source and its lines: where a new follow must not repeat. */
  /** The newest instant a source has in the cache (ms), or null: one index lookup. */
  newestTs(targetId: string, source: string): number | null {
    this.flush();
    const row = this.sources.get(targetId)?.get(source) ?? this.sourcesOf(targetId, [source])[0];
    if (!row) return null;
    return this.stmt.newest.get(row.id) as number | null;
  }

  boundary(targetId: string, source: string): CacheBoundary | null {
    this.flush();
    const row = this.sources.get(targetId)?.get(source) ?? this.sourcesOf(targetId, [source])[0];
    if (!row) return null;
    const ts = this.stmt.newest.get(row.id) as number | null;
    if (ts === null) return null;
    const lines = (this.stmt.linesAt.all(row.id, ts) as { stream: number; message: string }[]).map((line) => ({
      stream: line.stream === 1 ? ('stderr' as const) : ('stdout' as const),
      message: line.message,
    }));
    return { ts, lines };
  }

  /** A target's cached sources (containers or ops-API services) with lines in the cache. */
  sourcesOfTarget(targetId: string): { source: string; service: string | null }[] {
    this.flush();
    return this.sourcesOf(targetId, undefined).map((row) => ({ source: row.source, service: row.service }));
  }

  /**
   * Lines of one source in [fromMs, toMs], counted on the index alone, and their message bytes
   * estimated from the source's average line: quick enough for an estimate over gigabytes.
   */
  windowTotals(targetId: string, source: string, fromMs: number, toMs: number): { lines: number; bytes: number } {
    this.flush();
    const row = this.sourcesOf(targetId, [source])[0];
    if (!row) return { lines: 0, bytes: 0 };
    const lines = this.db.prepare('SELECT count(*) FROM log_lines WHERE source_id = ? AND ts >= ? AND ts <= ?').pluck().get(row.id, fromMs, toMs) as number;
    const totals = this.db.prepare('SELECT lines, bytes FROM log_sources WHERE id = ?').get(row.id) as { lines: number; bytes: number } | undefined;
    const average = totals && totals.lines > 0 ? Math.max(0, totals.bytes / totals.lines - ROW_OVERHEAD) : 0;
    return { lines, bytes: Math.round(lines * average) };
  }

  /**
   * Where the newest lines of one source in [fromMs, toMs] that fit `maxLines` and `maxBytes`
   * begin: the key of the oldest kept line. A line costs its message's bytes plus `lineOverhead`
   * (a bundle counts its NDJSON line). When the whole source fits — its total bytes, known without
   * a scan, are a bound for any window of it — the window's first line is the start; otherwise
   * keys and lengths are read newest first until the cap.
   */
  newestWithin(
    targetId: string,
    source: string,
    range: { fromMs: number; toMs: number },
    caps: { maxLines: number; maxBytes: number; lineOverhead: number },
  ): { start: LogCursor | null; lines: number; bytes: number } {
    this.flush();
    const row = this.sourcesOf(targetId, [source])[0];
    if (!row) return { start: null, lines: 0, bytes: 0 };
    const count = this.db.prepare('SELECT count(*) FROM log_lines WHERE source_id = ? AND ts >= ? AND ts <= ?').pluck().get(row.id, range.fromMs, range.toMs) as number;
    const totals = this.db.prepare('SELECT lines, bytes FROM log_sources WHERE id = ?').get(row.id) as { lines: number; bytes: number } | undefined;
    const bound = totals ? totals.bytes - totals.lines * ROW_OVERHEAD + count * caps.lineOverhead : Infinity;
    if (count > 0 && count <= caps.maxLines && bound <= caps.maxBytes) {
      const first = this.db
        .prepare('SELECT id, ts FROM log_lines WHERE source_id = ? AND ts >= ? AND ts <= ? ORDER BY ts, id LIMIT 1')
        .raw()
        .get(row.id, range.fromMs, range.toMs) as [number, number];
      return { start: { ts: first[1], id: first[0] }, lines: count, bytes: bound };
    }
    const keys = this.db
      .prepare(
        `SELECT id, ts, length(CAST(message AS BLOB)) FROM log_lines
         WHERE source_id = ? AND ts >= ? AND ts <= ? ORDER BY ts DESC, id DESC`,
      )
      .raw();
    let start: LogCursor | null = null;
    let lines = 0;
    let bytes = 0;
    // Synchronous on purpose: nothing else may use the connection while the iterator is open.
    for (const [id, ts, length] of keys.iterate(row.id, range.fromMs, range.toMs) as IterableIterator<[number, number, number]>) {
      const cost = length + caps.lineOverhead;
      if (lines + 1 > caps.maxLines || bytes + cost > caps.maxBytes) break;
      lines++;
      bytes += cost;
      start = { ts, id };
    }
    return { start, lines, bytes };
  }

  /**
   * One page of a source's lines oldest first: from `start` (inclusive) or after `after`
   * (exclusive), up to `toMs`. A bundle streams a window page by page with this, so a
   * gigabyte of cached lines never sits in memory; each entry comes with its cursor.
   */
  pageForward(
    targetId: string,
    source: string,
    position: { start: LogCursor } | { after: LogCursor },
    toMs: number,
    limit: number,
  ): { entry: LogEntry; cursor: LogCursor }[] {
    this.flush();
    const row = this.sourcesOf(targetId, [source])[0];
    if (!row) return [];
    const from = 'start' in position ? position.start : position.after;
    const op = 'start' in position ? '>=' : '>';
    const rows = this.db
      .prepare(
        `SELECT id, ts, stream, level, message FROM log_lines
         WHERE source_id = ? AND ts >= ? AND ts <= ? AND (ts > ? OR (ts = ? AND id ${op} ?)) ORDER BY ts, id LIMIT ?`,
      )
      .raw()
      // \`ts >= from.ts\` is implied by the OR, but spelled out it bounds the index range: without
      // it each page scanned the source from its first line (quadratic over a big window).
      .all(row.id, from.ts, toMs, from.ts, from.ts, from.id, limit) as [number, number, number, number | null, string][];
    return rows.map(([id, ts, stream, level, message]) => ({
      cursor: { ts, id },
      entry: {
        ts: msToIso(ts),
        target: row.target,
        service: row.service,
        container: row.source,
        stream: stream === 1 ? 'stderr' : 'stdout',
        level: LEVELS[level ?? 0] ?? null,
        message,
      },
    }));
  }

  /** Enforces the age, then the size bound. One trim runs at a time; callers share it. */
  trim(): Promise<{ lines: number; bytes: number }> {
    this.trimming ??= this.runTrim().finally(() => {
      this.trimming = null;
    });
    return this.trimming;
  }

  /** Stops the trim and commits what is queued (the database is still open: it is disposed after). */
  dispose(): void {
    this.clock.clearInterval(this.trimTimer);
    this.trimTimer = undefined;
    if (this.db.open) this.flush();
    this.clock.clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  private async runTrim(): Promise<{ lines: number; bytes: number }> {
    const removed = { lines: 0, bytes: 0 };
    const chunk = this.options.trimChunk ?? 5_000;
    const count = (deleted: [number, number][]) => {
      const perSource = new Map<number, { lines: number; bytes: number }>();
      for (const [sourceId, length] of deleted) {
        const totals = perSource.get(sourceId) ?? { lines: 0, bytes: 0 };
        totals.lines++;
        totals.bytes += length + ROW_OVERHEAD;
        perSource.set(sourceId, totals);
      }
      for (const [sourceId, totals] of perSource) {
        this.stmt.subtract.run(totals.lines, totals.bytes, sourceId, sourceId);
        removed.lines += totals.lines;
        removed.bytes += totals.bytes;
      }
      for (const id of this.stmt.dropEmpty.all() as number[]) this.forget(id);
      return perSource;
    };
    if (!this.db.open) return removed;
    this.flush();
    const { maxBytes, maxAgeHours } = this.limits();
    const cutoff = this.clock.now() - maxAgeHours * 3_600_000;
    for (const sourceId of this.stmt.expiredSources.all(cutoff) as number[]) {
      for (;;) {
        if (!this.db.open) return removed;
        const deleted = this.db.transaction(() => {
          const rows = this.stmt.deleteOlder.all(sourceId, cutoff, chunk) as [number, number][];
          count(rows);
          return rows.length;
        })();
        if (deleted < chunk) break;
        await nextTick();
      }
    }
    let total = this.db.open ? (this.stmt.totalBytes.get() as number) : 0;
    if (total > maxBytes) {
      // Some headroom, so a cache at its bound is not trimmed by a few lines every period.
      const goal = maxBytes * 0.9;
      while (total > goal && this.db.open) {
        const bytes = this.db.transaction(() => {
          // Just enough of the oldest lines to get under the goal, found before deleting them.
          const candidates = this.stmt.oldest.all(chunk) as [number, number][];
          if (!candidates.length) return -1;
          let upTo = 0;
          let sum = 0;
          for (const [id, length] of candidates) {
            upTo = id;
            sum += length + ROW_OVERHEAD;
            if (total - sum <= goal) break;
          }
          const rows = this.stmt.deleteUpTo.all(upTo) as [number, number][];
          let deleted = 0;
          for (const totals of count(rows).values()) deleted += totals.bytes;
          return deleted;
        })();
        if (bytes < 0) break;
        total -= bytes;
        await nextTick();
      }
    }
    return removed;
  }

  private insertRows(entries: readonly LogEntry[]): void {
    const totals = new Map<number, Totals>();
    // Rows go out ROWS_PER_INSERT at a time (ids, and so write order, stay the entries' order);
    // the last few one by one.
    const row = new Array<unknown>(ROWS_PER_INSERT * COLUMNS);
    let filled = 0;
    const multiRowsEnd = entries.length - (entries.length % ROWS_PER_INSERT);
    // Lines come in runs from one source: look the source up only when it changes.
    let lastTarget: string | undefined;
    let lastSource: string | undefined;
    let lastService: string | null | undefined;
    let sourceId = 0;
    let sum: Totals = { lines: 0, bytes: 0, oldest: Infinity, newest: -Infinity };
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      if (entry.container !== lastSource || entry.target !== lastTarget || entry.service !== lastService) {
        lastTarget = entry.target;
        lastSource = entry.container;
        lastService = entry.service;
        sourceId = this.sourceId(entry.target, entry.container, entry.service);
        let known = totals.get(sourceId);
        if (!known) totals.set(sourceId, (known = { lines: 0, bytes: 0, oldest: Infinity, newest: -Infinity }));
        sum = known;
      }
      const parsed = isoToMs(entry.ts);
      // A NaN would become NULL and fail the whole batch; sources always send ISO, but be sure.
      const ts = Number.isFinite(parsed) ? parsed : this.clock.now();
      const stream = entry.stream === 'stderr' ? 1 : 0;
      const level = entry.level ? LEVEL_CODES[entry.level] : null;
      if (i < multiRowsEnd) {
        row[filled++] = sourceId;
        row[filled++] = ts;
        row[filled++] = stream;
        row[filled++] = level;
        row[filled++] = entry.message;
        if (filled === row.length) {
          this.stmt.insertLines.run(row);
          filled = 0;
        }
      } else {
        this.stmt.insertLine.run(sourceId, ts, stream, level, entry.message);
      }
      sum.lines++;
      sum.bytes += Buffer.byteLength(entry.message) + ROW_OVERHEAD;
      if (ts < sum.oldest) sum.oldest = ts;
      if (ts > sum.newest) sum.newest = ts;
    }
    for (const [id, t] of totals) this.stmt.addTotals.run(t.lines, t.bytes, t.oldest, t.oldest, t.newest, t.newest, id);
  }

  private sourceId(target: string, source: string, service: string | null): number {
    const known = this.sources.get(target)?.get(source);
    if (known) {
      if (known.service !== service) {
        this.stmt.setService.run(service, known.id);
        known.service = service;
      }
      return known.id;
    }
    const id = this.stmt.upsertSource.get(target, source, service) as number;
    this.remember({ id, target, source, service });
    return id;
  }

  private sourcesOf(targetId: string, names: string[] | undefined): SourceRow[] {
    const all = this.stmt.targetSources.all(targetId) as SourceRow[];
    for (const row of all) if (!this.byId.has(row.id)) this.remember(row);
    if (!names) return all;
    const wanted = new Set(names);
    return all.filter((row) => wanted.has(row.source));
  }

  private remember(row: SourceRow) {
    let byName = this.sources.get(row.target);
    if (!byName) this.sources.set(row.target, (byName = new Map()));
    byName.set(row.source, row);
    this.byId.set(row.id, row);
  }

  private forget(id: number) {
    const row = this.byId.get(id);
    if (!row) return;
    this.byId.delete(id);
    this.sources.get(row.target)?.delete(row.source);
  }
}

/** [ts, id, …] newest first. */
function newestFirst(a: [number, number, number], b: [number, number, number]): number {
  return b[0] - a[0] || b[1] - a[1];
}

function nextTick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
