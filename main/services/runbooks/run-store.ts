/**
 * Runs, their steps, events and artifacts in SQLite (and artifact files under the data
 * directory).
 *
 * Events are appended in memory and written in batched transactions (a step printing 200,000
 * lines must not cost a transaction each); every read flushes first, so readers never miss one.
 * Each event's sequence number is given at append time from a per-run counter in memory (loaded
 * from `runs.last_seq` the first time a run is appended to), and `runs.last_seq` is updated in
 * the batch's own transaction, so after a crash the file's runs and events agree.
 *
 * `follow` is the viewer's cursor: everything after `afterSeq`, then live, with no gap and no
 * duplicate whatever the timing. A follower pages the backlog out of the file and only goes live
 * once a page came back short with no batch written meanwhile; from then on it gets each written
 * batch, filtered by the last sequence number it was given. So an event is either in a page it
 * read or in a batch written after it went live — and the filter drops whatever is in both.
 *
 * A batch that cannot be written (a full disk) stays pending and is tried again on a timer; the
 * problem is logged once. Reads then add the pending events from memory, so a viewer still sees
 * them, and they reach the file as soon as it has room.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Statement, Transaction } from 'better-sqlite3';
import type { Clock, Timer } from '../../../node/clock';
import { readBase64Chunk, type Base64Chunk } from '../../../node/file-chunk';
import { ApiError } from '../../../shared/errors';
import { msToIso } from '../../../shared/iso-time';
import {
  ACTIVE_RUN_STATUSES,
  type ApprovalRequest,
  type RunArtifact,
  type RunEvent,
  type RunEventLevel,
  type RunOrigin,
  type RunQuery,
  type RunStatus,
  type RunStepInfo,
  type RunSummary,
  type RiskLevel,
  type RunbookDefinition,
} from '../../../shared/model/runbook';
import type { Environment } from '../../../shared/model/target';
import type { Db } from '../store/database';

export const RUN_ARTIFACTS_DIR = 'run-artifacts';

/** What one `readArtifact` returns at most. */
export const ARTIFACT_READ_BYTES = 512 * 1024;
/** Events per emit while a follower catches up (the event loop runs between pages). */
export const FOLLOW_PAGE = 5_000;
/** What `eventsAfter` returns when no limit is given. */
export const DEFAULT_EVENTS_LIMIT = 5_000;
/** Summaries for sequence-number-only changes go out at most this often per store. */
export const SEQ_UPDATE_MS = 250;
/** After a failed write (a full disk), the pending events are tried again this often. */
export const FLUSH_RETRY_MS = 1_000;
const DEFAULT_LIST_LIMIT = 200;
/** Rows per INSERT statement: one statement per row costs noticeably more per event. */
const ROWS_PER_INSERT = 32;
const EVENT_COLUMNS = 8;

export interface NewRun {
  runbook: RunbookDefinition;
  risk: RiskLevel;
  target: { id: string; name: string; environment: Environment } | null;
  /** As stored: secret inputs already replaced by `[secret]`. */
  inputs: Record<string, string>;
  dryRun: boolean;
  startedBy: string;
  origin: RunOrigin;
  retryOf: string | null;
  resumedFrom: string | null;
}

export interface RunPatch {
  status?: RunStatus;
  statusMessage?: string;
  lane?: string | null;
  startedAt?: string | null;
  endedAt?: string | null;
  approval?: ApprovalRequest | null;
  summary?: string | null;
}

export type NewStep = Omit<RunStepInfo, 'startedAt' | 'endedAt' | 'durationMs' | 'message' | 'state'> & { state?: RunStepInfo['state'] };
export type StepPatch = Partial<Pick<RunStepInfo, 'state' | 'startedAt' | 'endedAt' | 'message' | 'description'>> & {
  outputs?: Record<string, unknown>;
};

export interface NewEvent {
  level: RunEventLevel;
  phase: string | null;
  step: string | null;
  message: string;
  data?: Record<string, unknown> | null;
}

export interface RunStoreOptions {
  /** Events are written at least this often (ms) and in batches of at most `batchSize`. */
  flushMs?: number;
  batchSize?: number;
  /** Where a failed write is reported (once until writes work again); default stderr. */
  log?: (message: string) => void;
}

export interface RunLock {
  targetId: string;
  runId: string;
  takenAt: string;
}

interface RunRow {
  id: string;
  runbook_id: string;
  runbook_title: string;
  risk: RiskLevel;
  target_id: string | null;
  target_name: string | null;
  environment: Environment | null;
  status: RunStatus;
  status_message: string;
  dry_run: number;
  started_by: string;
  origin: RunOrigin;
  lane: string | null;
  inputs: string;
  retry_of: string | null;
  resumed_from: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  last_seq: number;
}

interface StepRow {
  idx: number;
  phase: RunStepInfo['phase'];
  step_id: string;
  kind: string;
  description: string;
  state: RunStepInfo['state'];
  changes: number;
  repeatable: number;
  started_at: string | null;
  ended_at: string | null;
  message: string;
}

interface ArtifactRow {
  id: string;
  name: string;
  content_type: string;
  bytes: number;
  step: string | null;
  created_at: string;
}

/** [seq, at, level, phase, step, message, data] as `raw()` reads it. */
type EventRow = [number, string, RunEventLevel, string | null, string | null, string, string | null];

interface Follower {
  readonly runId: string;
  /** The last sequence number emitted: nothing at or below it is emitted again. */
  last: number;
  /** Set once the backlog is read: from then on written batches are emitted. */
  live: boolean;
  closed: boolean;
  readonly emit: (events: RunEvent[]) => void;
}

const RUN_COLUMNS = `id, runbook_id, runbook_title, risk, target_id, target_name, environment, status, status_message,
  dry_run, started_by, origin, lane, inputs, retry_of, resumed_from, created_at, started_at, ended_at, last_seq`;
const STEP_COLUMNS = 'idx, phase, step_id, kind, description, state, changes, repeatable, started_at, ended_at, message';
const ARTIFACT_COLUMNS = 'id, name, content_type, bytes, step, created_at';

/** RunPatch field → column; `approval` is stored as JSON. */
const RUN_PATCH_COLUMNS: Record<keyof RunPatch, string> = {
  status: 'status',
  statusMessage: 'status_message',
  lane: 'lane',
  startedAt: 'started_at',
  endedAt: 'ended_at',
  approval: 'approval',
  summary: 'summary',
};
const STEP_PATCH_COLUMNS: Record<keyof StepPatch, string> = {
  state: 'state',
  startedAt: 'started_at',
  endedAt: 'ended_at',
  message: 'message',
  description: 'description',
  outputs: 'outputs',
};

export class RunStore {
  private readonly flushMs: number;
  private readonly batchSize: number;
  private readonly log: (message: string) => void;
  private readonly stmt: Record<
    | 'run'
    | 'runLastSeq'
    | 'insertRun'
    | 'definition'
    | 'approval'
    | 'summary'
    | 'active'
    | 'deleteSteps'
    | 'insertStep'
    | 'step'
    | 'steps'
    | 'stepOutputs'
    | 'insertEvent'
    | 'insertEvents'
    | 'setLastSeq'
    | 'eventsAfter'
    | 'countArtifacts'
    | 'insertArtifact'
    | 'artifact'
    | 'artifacts'
    | 'artifactByName'
    | 'takeLock'
    | 'lockHolder'
    | 'releaseLock'
    | 'locks',
    Statement
  >;
  /** Dynamic UPDATEs and list queries, by the columns or filters they use. */
  private readonly prepared = new Map<string, Statement>();
  private readonly writeEvents: Transaction<(runs: readonly string[], events: readonly RunEvent[]) => void>;
  private readonly replaceSteps: Transaction<(runId: string, steps: readonly NewStep[]) => void>;

  /** Run id → its newest sequence number (given, not necessarily written yet). */
  private readonly seqs = new Map<string, number>();
  /** Appended and not yet written, in append order: the run of each event beside it. */
  private pendingRuns: string[] = [];
  private pendingEvents: RunEvent[] = [];
  private flushTimer: Timer | undefined;
  /** Counts written batches: a follower goes live only if none was written while it read. */
  private batchesWritten = 0;
  /** Set while writes fail (a full disk), so the failure is logged once. */
  private failing = false;
  private disposed = false;
  /** Written batches not yet handed to followers, oldest first (an emit may append and flush). */
  private readonly deliveries: [runs: readonly string[], events: readonly RunEvent[]][] = [];
  private delivering = false;

  private readonly followers = new Map<string, Set<Follower>>();
  private readonly updateListeners = new Set<(run: RunSummary) => void>();
  /** Runs whose last sequence number changed since their summary last went out. */
  private readonly seqDirty = new Set<string>();
  private seqUpdateTimer: Timer | undefined;
  private lastSeqUpdateAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly db: Db,
    readonly dataDir: string,
    readonly clock: Clock,
    readonly options: RunStoreOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 50;
    this.batchSize = Math.max(1, options.batchSize ?? 2_000);
    this.log = options.log ?? ((message) => console.error(message));
    const prepare = (sql: string) => db.prepare(sql);
    const eventValues = '(?, ?, ?, ?, ?, ?, ?, ?)';
    this.stmt = {
      run: prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`),
      runLastSeq: prepare('SELECT last_seq FROM runs WHERE id = ?').pluck(),
      insertRun: prepare(
        `INSERT INTO runs (id, created_seq, runbook_id, runbook_title, risk, target_id, target_name, environment, status,
           dry_run, started_by, origin, inputs, definition, retry_of, resumed_from, created_at)
         VALUES (?, (SELECT coalesce(max(created_seq), 0) + 1 FROM runs), ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      definition: prepare('SELECT definition FROM runs WHERE id = ?').pluck(),
      approval: prepare('SELECT approval FROM runs WHERE id = ?').raw(),
      summary: prepare('SELECT summary FROM runs WHERE id = ?').raw(),
      active: prepare(
        `SELECT ${RUN_COLUMNS} FROM runs WHERE status IN (${ACTIVE_RUN_STATUSES.map(() => '?').join(', ')}) ORDER BY created_seq`,
      ),
      deleteSteps: prepare('DELETE FROM run_steps WHERE run_id = ?'),
      insertStep: prepare(
        `INSERT INTO run_steps (run_id, idx, phase, step_id, kind, description, state, changes, repeatable)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      step: prepare(`SELECT ${STEP_COLUMNS} FROM run_steps WHERE run_id = ? AND idx = ?`),
      steps: prepare(`SELECT ${STEP_COLUMNS} FROM run_steps WHERE run_id = ? ORDER BY idx`),
      stepOutputs: prepare('SELECT step_id, outputs FROM run_steps WHERE run_id = ? AND outputs IS NOT NULL ORDER BY idx').raw(),
      insertEvent: prepare(`INSERT INTO run_events (run_id, seq, at, level, phase, step, message, data) VALUES ${eventValues}`),
      insertEvents: prepare(
        `INSERT INTO run_events (run_id, seq, at, level, phase, step, message, data)
         VALUES ${Array<string>(ROWS_PER_INSERT).fill(eventValues).join(', ')}`,
      ),
      setLastSeq: prepare('UPDATE runs SET last_seq = max(last_seq, ?) WHERE id = ?'),
      eventsAfter: prepare(
        'SELECT seq, at, level, phase, step, message, data FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      ).raw(),
      countArtifacts: prepare('SELECT count(*) FROM run_artifacts WHERE run_id = ?').pluck(),
      insertArtifact: prepare(
        'INSERT INTO run_artifacts (run_id, id, name, content_type, bytes, step, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      artifact: prepare(`SELECT ${ARTIFACT_COLUMNS} FROM run_artifacts WHERE run_id = ? AND id = ?`),
      artifacts: prepare(`SELECT ${ARTIFACT_COLUMNS} FROM run_artifacts WHERE run_id = ? ORDER BY created_at, id`),
      artifactByName: prepare(
        `SELECT ${ARTIFACT_COLUMNS} FROM run_artifacts WHERE run_id = ? AND name = ? ORDER BY created_at DESC, id DESC LIMIT 1`,
      ),
      takeLock: prepare('INSERT OR IGNORE INTO run_locks (target_id, run_id, taken_at) VALUES (?, ?, ?)'),
      lockHolder: prepare('SELECT run_id FROM run_locks WHERE target_id = ?').pluck(),
      releaseLock: prepare('DELETE FROM run_locks WHERE target_id = ? AND run_id = ?'),
      locks: prepare('SELECT target_id AS targetId, run_id AS runId, taken_at AS takenAt FROM run_locks ORDER BY taken_at, target_id'),
    };
    this.writeEvents = db.transaction((runs, events) => this.insertEvents(runs, events));
    this.replaceSteps = db.transaction((runId, steps) => {
      this.stmt.deleteSteps.run(runId);
      for (const step of steps) {
        this.stmt.insertStep.run(
          runId,
          step.index,
          step.phase,
          step.id,
          step.kind,
          step.description,
          step.state ?? 'pending',
          step.changes ? 1 : 0,
          step.repeatable ? 1 : 0,
        );
      }
    });
  }

  /** Nothing to start: the flush timer is set only while events are pending. */
  start(): void {
    this.disposed = false;
  }

  /** Writes pending events; stops the flush timer. */
  dispose(): void {
    this.flush();
    this.disposed = true;
    this.clock.clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.clock.clearTimeout(this.seqUpdateTimer);
    this.seqUpdateTimer = undefined;
  }

  // ——— Runs ———

  createRun(run: NewRun): RunSummary {
    const now = this.clock.now();
    const id = `run-${now.toString(36)}-${randomBytes(4).toString('hex')}`;
    this.stmt.insertRun.run(
      id,
      run.runbook.id,
      run.runbook.title,
      run.risk,
      run.target?.id ?? null,
      run.target?.name ?? null,
      run.target?.environment ?? null,
      run.dryRun ? 1 : 0,
      run.startedBy,
      run.origin,
      JSON.stringify(run.inputs),
      JSON.stringify(run.runbook),
      run.retryOf,
      run.resumedFrom,
      msToIso(now),
    );
    this.seqs.set(id, 0);
    return this.announce(this.summaryRow(this.row(id)));
  }

  updateRun(id: string, patch: RunPatch): RunSummary {
    // Events first: a run that reads as ended has all its events in the file. Its summary below
    // carries the newest seq, so no seq-only summary goes out for it.
    this.writePending(id);
    const keys = (Object.keys(patch) as (keyof RunPatch)[]).filter((key) => patch[key] !== undefined && key in RUN_PATCH_COLUMNS);
    if (keys.length) {
      const values = keys.map((key) => (key === 'approval' ? jsonOrNull(patch.approval) : patch[key]));
      const update = this.preparedFor(`run:${keys.join(',')}`, () =>
        `UPDATE runs SET ${keys.map((key) => `${RUN_PATCH_COLUMNS[key]} = ?`).join(', ')} WHERE id = ?`,
      );
      if (update.run(...values, id).changes === 0) throw runNotFound(id);
    }
    return this.announce(this.summaryRow(this.row(id)));
  }

  /** Throws ApiError not-found with one sentence when there is no such run. */
  getRun(id: string): RunSummary {
    this.flush();
    return this.summaryRow(this.row(id));
  }

  /** The runbook as it was when the run was created. */
  definitionOf(id: string): RunbookDefinition {
    const definition = this.stmt.definition.get(id) as string | undefined;
    if (definition === undefined) throw runNotFound(id);
    return JSON.parse(definition) as RunbookDefinition;
  }

  approvalOf(id: string): ApprovalRequest | null {
    const row = this.stmt.approval.get(id) as [string | null] | undefined;
    if (!row) throw runNotFound(id);
    return row[0] === null ? null : (JSON.parse(row[0]) as ApprovalRequest);
  }

  summaryOf(id: string): string | null {
    const row = this.stmt.summary.get(id) as [string | null] | undefined;
    if (!row) throw runNotFound(id);
    return row[0];
  }

  /** Newest first. */
  listRuns(query: RunQuery): RunSummary[] {
    this.flush();
    const where: string[] = [];
    const values: unknown[] = [];
    if (query.runbookId !== undefined) {
      where.push('runbook_id = ?');
      values.push(query.runbookId);
    }
    if (query.targetId !== undefined) {
      where.push('target_id = ?');
      values.push(query.targetId);
    }
    if (query.status !== undefined) {
      where.push('status = ?');
      values.push(query.status);
    }
    if (query.before !== undefined) {
      // A deleted `before` run gives an empty page rather than the newest one again.
      where.push('created_seq < (SELECT created_seq FROM runs WHERE id = ?)');
      values.push(query.before);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const list = this.preparedFor(`list:${clause}`, () => `SELECT ${RUN_COLUMNS} FROM runs ${clause} ORDER BY created_seq DESC LIMIT ?`);
    return (list.all(...values, query.limit ?? DEFAULT_LIST_LIMIT) as RunRow[]).map((row) => this.summaryRow(row));
  }

  /** Runs queued, running or awaiting approval (after a crash: those to mark interrupted). */
  activeRuns(): RunSummary[] {
    this.flush();
    return (this.stmt.active.all(...ACTIVE_RUN_STATUSES) as RunRow[]).map((row) => this.summaryRow(row));
  }

  // ——— Steps ———

  setSteps(runId: string, steps: readonly NewStep[]): void {
    this.row(runId);
    this.replaceSteps(runId, steps);
  }

  updateStep(runId: string, index: number, patch: StepPatch): RunStepInfo {
    const keys = (Object.keys(patch) as (keyof StepPatch)[]).filter((key) => patch[key] !== undefined && key in STEP_PATCH_COLUMNS);
    if (keys.length) {
      const values = keys.map((key) => (key === 'outputs' ? JSON.stringify(patch.outputs) : patch[key]));
      const update = this.preparedFor(`step:${keys.join(',')}`, () =>
        `UPDATE run_steps SET ${keys.map((key) => `${STEP_PATCH_COLUMNS[key]} = ?`).join(', ')} WHERE run_id = ? AND idx = ?`,
      );
      update.run(...values, runId, index);
    }
    const row = this.stmt.step.get(runId, index) as StepRow | undefined;
    if (!row) {
      this.row(runId);
      throw new ApiError('not-found', `Run ${runId} has no step ${index}; its steps are set when it starts.`);
    }
    if (this.updateListeners.size) this.announce(this.summaryRow(this.row(runId)));
    return stepInfo(row);
  }

  steps(runId: string): RunStepInfo[] {
    return (this.stmt.steps.all(runId) as StepRow[]).map(stepInfo);
  }

  /** Step id → outputs of the steps that have any. */
  stepOutputs(runId: string): Record<string, Record<string, unknown>> {
    const outputs: Record<string, Record<string, unknown>> = {};
    for (const [stepId, json] of this.stmt.stepOutputs.all(runId) as [string, string][]) {
      outputs[stepId] = JSON.parse(json) as Record<string, unknown>;
    }
    return outputs;
  }

  // ——— Events ———

  /** Appends an event; returns its sequence number. Written within `flushMs`. */
  append(runId: string, event: NewEvent): number {
    let seq = this.seqs.get(runId);
    if (seq === undefined) {
      const stored = this.stmt.runLastSeq.get(runId) as number | undefined;
      if (stored === undefined) throw runNotFound(runId);
      seq = stored;
    }
    seq++;
    this.seqs.set(runId, seq);
    this.pendingRuns.push(runId);
    this.pendingEvents.push({
      seq,
      at: msToIso(this.clock.now()),
      level: event.level,
      phase: event.phase,
      step: event.step,
      message: event.message,
      data: event.data ?? null,
    });
    if (this.disposed || (this.pendingEvents.length >= this.batchSize && !this.failing)) this.flush();
    else if (!this.flushTimer) this.scheduleFlush(this.flushMs);
    return seq;
  }

  /** Writes the pending events in one transaction, then hands them to live followers. */
  flush(): void {
    this.writePending(undefined);
  }

  /** The flush; `announcingRun`'s summary is sent by the caller, so no seq-only one is queued for it. */
  private writePending(announcingRun: string | undefined): void {
    this.clock.clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.pendingEvents.length) return;
    const runs = this.pendingRuns;
    const events = this.pendingEvents;
    this.pendingRuns = [];
    this.pendingEvents = [];
    try {
      this.writeEvents(runs, events);
    } catch (error) {
      // Nothing was written (the transaction rolled back): keep every event, oldest first.
      this.pendingRuns = runs.concat(this.pendingRuns);
      this.pendingEvents = events.concat(this.pendingEvents);
      if (!this.failing) {
        this.failing = true;
        this.log(
          `Run events could not be written (${describe(error)}); ${events.length} are kept in memory and written again every ${FLUSH_RETRY_MS / 1000} s — free some disk space.`,
        );
      }
      if (!this.disposed) this.scheduleFlush(FLUSH_RETRY_MS);
      return;
    }
    if (this.failing) {
      this.failing = false;
      this.log(`Run events are written again (${events.length} kept in memory are now in the file).`);
    }
    this.batchesWritten++;
    this.deliveries.push([runs, events]);
    this.drainDeliveries();
    this.noteSeqChanges(runs, announcingRun);
  }

  /** Events with seq > afterSeq, oldest first, at most `limit`. */
  eventsAfter(runId: string, afterSeq: number, limit = DEFAULT_EVENTS_LIMIT): RunEvent[] {
    this.flush();
    const rows = this.stmt.eventsAfter.all(runId, afterSeq, limit) as EventRow[];
    const events: RunEvent[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      events[i] = {
        seq: row[0],
        at: row[1],
        level: row[2],
        phase: row[3],
        step: row[4],
        message: row[5],
        data: row[6] === null ? null : (JSON.parse(row[6]) as Record<string, unknown>),
      };
    }
    // Still pending only when the write failed: the viewer sees them from memory meanwhile.
    if (this.pendingEvents.length && events.length < limit) {
      const after = events.length ? events[events.length - 1]!.seq : afterSeq;
      for (let i = 0; i < this.pendingEvents.length && events.length < limit; i++) {
        if (this.pendingRuns[i] === runId && this.pendingEvents[i]!.seq > after) events.push(this.pendingEvents[i]!);
      }
    }
    return events;
  }

  /** Every event after `afterSeq`, then each new one as it is written; in order, once each. */
  follow(runId: string, afterSeq: number, emit: (events: RunEvent[]) => void): () => void {
    const follower: Follower = { runId, last: afterSeq, live: false, closed: false, emit };
    let set = this.followers.get(runId);
    if (!set) this.followers.set(runId, (set = new Set()));
    set.add(follower);
    const page = () => {
      if (follower.closed) return;
      const events = this.eventsAfter(runId, follower.last, FOLLOW_PAGE);
      const written = this.batchesWritten;
      if (events.length) {
        follower.last = events[events.length - 1]!.seq;
        follower.emit(events);
      }
      if (follower.closed) return;
      // Live only when caught up and nothing was written while emitting (an emit may append):
      // a batch written before going live is not handed over, so the next page must read it.
      if (events.length < FOLLOW_PAGE && this.batchesWritten === written) follower.live = true;
      else setImmediate(page);
    };
    // The first page too comes on a later turn: the caller has its unsubscribe before any emit.
    setImmediate(page);
    return () => {
      if (follower.closed) return;
      follower.closed = true;
      const current = this.followers.get(runId);
      current?.delete(follower);
      if (current && !current.size) this.followers.delete(runId);
    };
  }

  // ——— Artifacts ———

  writeArtifact(runId: string, step: string | null, name: string, contentType: string, content: string | Buffer): RunArtifact {
    this.row(runId);
    const id = `art-${String((this.stmt.countArtifacts.get(runId) as number) + 1).padStart(4, '0')}`;
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    const dir = join(this.dataDir, RUN_ARTIFACTS_DIR, runId);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, id);
    // A crash mid-write leaves a .part, never a truncated artifact under its own name.
    writeFileSync(`${file}.part`, bytes);
    renameSync(`${file}.part`, file);
    const createdAt = msToIso(this.clock.now());
    try {
      this.stmt.insertArtifact.run(runId, id, name, contentType, bytes.length, step, createdAt);
    } catch (error) {
      rmSync(file, { force: true });
      throw error;
    }
    return { id, name, contentType, bytes: bytes.length, step, createdAt };
  }

  artifacts(runId: string): RunArtifact[] {
    return (this.stmt.artifacts.all(runId) as ArtifactRow[]).map(artifactInfo);
  }

  /** The newest artifact of that name's bytes; null when the run has none by that name. */
  artifactByName(runId: string, name: string): Buffer | null {
    const row = this.stmt.artifactByName.get(runId, name) as ArtifactRow | undefined;
    return row ? readFileSync(this.artifactFile(runId, row.id)) : null;
  }

  /** At most 512 KiB of an artifact from `offset`, as base64; `eof` once the end is in it. */
  readArtifact(
    runId: string,
    artifactId: string,
    offset = 0,
  ): { contentType: string; name: string } & Base64Chunk {
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new ApiError('invalid-request', 'Read an artifact from a whole number of bytes, 0 or more.');
    }
    const row = this.stmt.artifact.get(runId, artifactId) as ArtifactRow | undefined;
    if (!row) {
      this.row(runId);
      throw new ApiError('not-found', `Run ${runId} has no artifact ${artifactId} — open the run again to see its artifacts.`);
    }
    const file = this.artifactFile(runId, row.id);
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      throw new ApiError('not-found', `The file of artifact "${row.name}" is missing (${file}); it may have been removed by hand.`);
    }
    try {
      return { contentType: row.content_type, name: row.name, ...readBase64Chunk(fd, offset, ARTIFACT_READ_BYTES) };
    } finally {
      closeSync(fd);
    }
  }

  // ——— Locks ———

  /** True when taken (or already held by this run); false when another run holds the target. */
  takeLock(targetId: string, runId: string): boolean {
    if (this.stmt.takeLock.run(targetId, runId, msToIso(this.clock.now())).changes === 1) return true;
    return this.stmt.lockHolder.get(targetId) === runId;
  }

  /** True when this run held the target's lock and no longer does. */
  releaseLock(targetId: string, runId: string): boolean {
    return this.stmt.releaseLock.run(targetId, runId).changes === 1;
  }

  locks(): RunLock[] {
    return this.stmt.locks.all() as RunLock[];
  }

  /** A run's summary whenever it changes (status, lane, step, last sequence number). */
  onUpdate(listener: (run: RunSummary) => void): () => void {
    this.updateListeners.add(listener);
    return () => {
      this.updateListeners.delete(listener);
    };
  }

  // ——— Internals ———

  private scheduleFlush(ms: number): void {
    this.clock.clearTimeout(this.flushTimer);
    this.flushTimer = this.clock.setTimeout(() => this.flush(), ms);
    this.flushTimer.unref();
  }

  private insertEvents(runs: readonly string[], events: readonly RunEvent[]): void {
    const row = new Array<unknown>(ROWS_PER_INSERT * EVENT_COLUMNS);
    let filled = 0;
    const multiRowsEnd = events.length - (events.length % ROWS_PER_INSERT);
    // Batches mostly hold one run's events: the newest seq per run, kept without a map lookup per event.
    const newest = new Map<string, number>();
    let currentRun = runs[0]!;
    let currentSeq = 0;
    for (let i = 0; i < events.length; i++) {
      const runId = runs[i]!;
      const event = events[i]!;
      if (runId !== currentRun) {
        if (currentSeq > (newest.get(currentRun) ?? 0)) newest.set(currentRun, currentSeq);
        currentRun = runId;
        currentSeq = 0;
      }
      if (event.seq > currentSeq) currentSeq = event.seq;
      const data = event.data === null ? null : JSON.stringify(event.data);
      if (i < multiRowsEnd) {
        row[filled++] = runId;
        row[filled++] = event.seq;
        row[filled++] = event.at;
        row[filled++] = event.level;
        row[filled++] = event.phase;
        row[filled++] = event.step;
        row[filled++] = event.message;
        row[filled++] = data;
        if (filled === row.length) {
          this.stmt.insertEvents.run(row);
          filled = 0;
        }
      } else {
        this.stmt.insertEvent.run(runId, event.seq, event.at, event.level, event.phase, event.step, event.message, data);
      }
    }
    if (currentSeq > (newest.get(currentRun) ?? 0)) newest.set(currentRun, currentSeq);
    for (const [runId, seq] of newest) this.stmt.setLastSeq.run(seq, runId);
  }

  /**
   * Hands written batches over in the order they were written. A follower's emit can append
   * enough to write another batch: that one waits here until this one reached every follower,
   * or a follower could be given the newer events first and then filter the older ones out.
   */
  private drainDeliveries(): void {
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let next = this.deliveries.shift(); next; next = this.deliveries.shift()) this.deliver(next[0], next[1]);
    } finally {
      this.delivering = false;
    }
  }

  /** Hands a written batch to the live followers of its runs, each event past their cursor. */
  private deliver(runs: readonly string[], events: readonly RunEvent[]): void {
    if (!this.followers.size) return;
    const byRun = new Map<string, RunEvent[]>();
    let start = 0;
    for (let i = 1; i <= events.length; i++) {
      if (i < events.length && runs[i] === runs[start]) continue;
      const runId = runs[start]!;
      if (this.followers.has(runId)) {
        const slice = events.slice(start, i);
        const known = byRun.get(runId);
        if (known) for (const event of slice) known.push(event);
        else byRun.set(runId, slice);
      }
      start = i;
    }
    for (const [runId, runEvents] of byRun) {
      for (const follower of [...(this.followers.get(runId) ?? [])]) {
        if (!follower.live || follower.closed) continue;
        let first = 0;
        while (first < runEvents.length && runEvents[first]!.seq <= follower.last) first++;
        if (first === runEvents.length) continue;
        const fresh = first === 0 ? runEvents : runEvents.slice(first);
        follower.last = fresh[fresh.length - 1]!.seq;
        try {
          follower.emit(fresh);
        } catch (error) {
          this.log(`A run event viewer failed (${describe(error)}); it keeps following.`);
        }
      }
    }
  }

  /** Summaries for runs whose events moved on: at most one per SEQ_UPDATE_MS, with the newest seq. */
  private noteSeqChanges(runs: readonly string[], announcingRun: string | undefined): void {
    if (!this.updateListeners.size) return;
    let previous: string | undefined;
    for (const runId of runs) {
      if (runId !== previous && runId !== announcingRun) this.seqDirty.add(runId);
      previous = runId;
    }
    if (this.seqUpdateTimer || !this.seqDirty.size) return;
    const wait = this.lastSeqUpdateAt + SEQ_UPDATE_MS - this.clock.now();
    if (wait <= 0) this.sendSeqUpdates();
    else if (!this.disposed) {
      this.seqUpdateTimer = this.clock.setTimeout(() => {
        this.seqUpdateTimer = undefined;
        this.sendSeqUpdates();
      }, wait);
      this.seqUpdateTimer.unref();
    }
  }

  private sendSeqUpdates(): void {
    this.lastSeqUpdateAt = this.clock.now();
    const runIds = [...this.seqDirty];
    this.seqDirty.clear();
    for (const runId of runIds) {
      const row = this.stmt.run.get(runId) as RunRow | undefined;
      if (row) this.announce(this.summaryRow(row));
    }
  }

  private announce(run: RunSummary): RunSummary {
    this.seqDirty.delete(run.id);
    for (const listener of [...this.updateListeners]) {
      try {
        listener(run);
      } catch (error) {
        this.log(`A run update listener failed (${describe(error)}).`);
      }
    }
    return run;
  }

  private row(id: string): RunRow {
    const row = this.stmt.run.get(id) as RunRow | undefined;
    if (!row) throw runNotFound(id);
    return row;
  }

  private summaryRow(row: RunRow): RunSummary {
    const started = row.started_at === null ? Number.NaN : Date.parse(row.started_at);
    const ended = row.ended_at === null ? Number.NaN : Date.parse(row.ended_at);
    return {
      id: row.id,
      runbookId: row.runbook_id,
      runbookTitle: row.runbook_title,
      risk: row.risk,
      targetId: row.target_id,
      targetName: row.target_name,
      environment: row.environment,
      status: row.status,
      dryRun: row.dry_run === 1,
      statusMessage: row.status_message,
      startedBy: row.started_by,
      origin: row.origin,
      lane: row.lane,
      inputs: JSON.parse(row.inputs) as Record<string, string>,
      retryOf: row.retry_of,
      resumedFrom: row.resumed_from,
      createdAt: row.created_at,
      startedAt: row.started_at,
      endedAt: row.ended_at,
      durationMs: Number.isFinite(started) && Number.isFinite(ended) ? Math.max(0, ended - started) : null,
      // Ahead of the file only while a write fails; the events are then read from memory.
      lastSeq: Math.max(row.last_seq, this.seqs.get(row.id) ?? 0),
    };
  }

  private artifactFile(runId: string, artifactId: string): string {
    return join(this.dataDir, RUN_ARTIFACTS_DIR, runId, artifactId);
  }

  private preparedFor(key: string, sql: () => string): Statement {
    let statement = this.prepared.get(key);
    if (!statement) this.prepared.set(key, (statement = this.db.prepare(sql())));
    return statement;
  }
}

function runNotFound(id: string): ApiError {
  return new ApiError('not-found', `There is no run ${id} — it may have been deleted.`);
}

function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

function stepInfo(row: StepRow): RunStepInfo {
  const started = row.started_at === null ? Number.NaN : Date.parse(row.started_at);
  const ended = row.ended_at === null ? Number.NaN : Date.parse(row.ended_at);
  return {
    index: row.idx,
    phase: row.phase,
    id: row.step_id,
    kind: row.kind,
    description: row.description,
    state: row.state,
    changes: row.changes === 1,
    repeatable: row.repeatable === 1,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    durationMs: Number.isFinite(started) && Number.isFinite(ended) ? Math.max(0, ended - started) : null,
    message: row.message,
  };
}

function artifactInfo(row: ArtifactRow): RunArtifact {
  return { id: row.id, name: row.name, contentType: row.content_type, bytes: row.bytes, step: row.step, createdAt: row.created_at };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
