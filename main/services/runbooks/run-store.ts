/**
 * Runs, their steps, events and artifacts in SQLite (and artifact files under the data
 * directory). NOT BUILT YET: the signatures are the contract the executor and the API use.
 *
 * Events are appended in memory and written in batched transactions (a step printing 200,000
 * lines must not cost a transaction each); every read flushes first, so readers never miss one.
 * `follow` is the viewer's cursor: everything after `afterSeq`, then live, with no gap and no
 * duplicate whatever the timing.
 */
import type { Clock } from '../../../node/clock';
import type {
  ApprovalRequest,
  RunArtifact,
  RunEvent,
  RunEventLevel,
  RunOrigin,
  RunQuery,
  RunStatus,
  RunStepInfo,
  RunSummary,
  RiskLevel,
  RunbookDefinition,
} from '../../../shared/model/runbook';
import type { Environment } from '../../../shared/model/target';
import type { Db } from '../store/database';

export const RUN_ARTIFACTS_DIR = 'run-artifacts';

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
}

export interface RunLock {
  targetId: string;
  runId: string;
  takenAt: string;
}

const NOT_BUILT = 'The run store is not built yet.';

export class RunStore {
  constructor(
    readonly db: Db,
    readonly dataDir: string,
    readonly clock: Clock,
    readonly options: RunStoreOptions = {},
  ) {}

  start(): void {}
  /** Writes pending events; stops the flush timer. */
  dispose(): void {}

  createRun(_run: NewRun): RunSummary {
    throw new Error(NOT_BUILT);
  }
  updateRun(_id: string, _patch: RunPatch): RunSummary {
    throw new Error(NOT_BUILT);
  }
  /** Throws ApiError not-found with one sentence when there is no such run. */
  getRun(_id: string): RunSummary {
    throw new Error(NOT_BUILT);
  }
  /** The runbook as it was when the run was created. */
  definitionOf(_id: string): RunbookDefinition {
    throw new Error(NOT_BUILT);
  }
  approvalOf(_id: string): ApprovalRequest | null {
    throw new Error(NOT_BUILT);
  }
  summaryOf(_id: string): string | null {
    throw new Error(NOT_BUILT);
  }
  /** Newest first. */
  listRuns(_query: RunQuery): RunSummary[] {
    throw new Error(NOT_BUILT);
  }
  /** Runs queued, running or awaiting approval (after a crash: those to mark interrupted). */
  activeRuns(): RunSummary[] {
    throw new Error(NOT_BUILT);
  }

  setSteps(_runId: string, _steps: readonly NewStep[]): void {
    throw new Error(NOT_BUILT);
  }
  updateStep(_runId: string, _index: number, _patch: StepPatch): RunStepInfo {
    throw new Error(NOT_BUILT);
  }
  steps(_runId: string): RunStepInfo[] {
    throw new Error(NOT_BUILT);
  }
  /** Step id → outputs of the steps that have any. */
  stepOutputs(_runId: string): Record<string, Record<string, unknown>> {
    throw new Error(NOT_BUILT);
  }

  /** Appends an event; returns its sequence number. Written within `flushMs`. */
  append(_runId: string, _event: NewEvent): number {
    throw new Error(NOT_BUILT);
  }
  flush(): void {}
  /** Events with seq > afterSeq, oldest first, at most `limit`. */
  eventsAfter(_runId: string, _afterSeq: number, _limit?: number): RunEvent[] {
    throw new Error(NOT_BUILT);
  }
  /** Every event after `afterSeq`, then each new one as it is written; in order, once each. */
  follow(_runId: string, _afterSeq: number, _emit: (events: RunEvent[]) => void): () => void {
    throw new Error(NOT_BUILT);
  }

  writeArtifact(_runId: string, _step: string | null, _name: string, _contentType: string, _content: string | Buffer): RunArtifact {
    throw new Error(NOT_BUILT);
  }
  artifacts(_runId: string): RunArtifact[] {
    throw new Error(NOT_BUILT);
  }
  artifactByName(_runId: string, _name: string): Buffer | null {
    throw new Error(NOT_BUILT);
  }
  readArtifact(
    _runId: string,
    _artifactId: string,
    _offset?: number,
  ): { contentType: string; name: string; base64: string; bytes: number; eof: boolean } {
    throw new Error(NOT_BUILT);
  }

  /** True when taken; false when another run holds the target. */
  takeLock(_targetId: string, _runId: string): boolean {
    throw new Error(NOT_BUILT);
  }
  releaseLock(_targetId: string, _runId: string): boolean {
    throw new Error(NOT_BUILT);
  }
  locks(): RunLock[] {
    throw new Error(NOT_BUILT);
  }

  /** A run's summary whenever it changes (status, lane, step, last sequence number). */
  onUpdate(_listener: (run: RunSummary) => void): () => void {
    throw new Error(NOT_BUILT);
  }
}
