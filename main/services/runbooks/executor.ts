/**
 * The run executor: lives in main and owns every run from start to end, whatever windows or
 * subscriptions come and go. NOT BUILT YET: the signatures are what the API uses.
 *
 * Phases run in order (validate, preflight, action, verify, summarize). A changing run holds its
 * target's lock (a second one queues or is refused); read-only runs take one of four lanes (A–D)
 * and never wait for a changing run. A changing run on a prod target stops after preflight for an
 * approval bound to a frozen evidence snapshot; just before the action phase the preflight facts
 * are read again and a changed fact asks for a new approval.
 */
import type { Clock } from '../../../node/clock';
import type { RunDetail, RunOrigin, RunStart, RunSummary } from '../../../shared/model/runbook';
import type { AuditLog } from '../audit/audit-log';
import type { TargetsService } from '../targets/targets-service';
import type { RunbookCatalog } from './runbook-catalog';
import type { RunStore } from './run-store';
import type { StepServices } from './step-kind';

export const READ_ONLY_LANES = ['A', 'B', 'C', 'D'] as const;

export interface ExecutorDeps {
  store: RunStore;
  catalog: RunbookCatalog;
  targets: TargetsService;
  audit: AuditLog;
  steps: StepServices;
  clock: Clock;
  /** Who starts runs from this process: the OS user. */
  user: string;
}

export interface StartOptions {
  origin: RunOrigin;
  /** Set for a retry or resume. */
  retryOf?: string | null;
  resumedFrom?: string | null;
}

const NOT_BUILT = 'The run executor is not built yet.';

export class RunExecutor {
  constructor(readonly deps: ExecutorDeps) {}

  /** Marks runs a crash left active as interrupted and releases their locks (audited). */
  start(): void {}
  /** Aborts running steps; their runs are marked interrupted. */
  dispose(): void {}

  startRun(_request: RunStart, _options: StartOptions): RunSummary {
    throw new Error(NOT_BUILT);
  }
  detail(_runId: string): RunDetail {
    throw new Error(NOT_BUILT);
  }
  cancel(_runId: string): RunSummary {
    throw new Error(NOT_BUILT);
  }
  approve(_runId: string, _confirmation: string, _evidenceHash: string): RunSummary {
    throw new Error(NOT_BUILT);
  }
  retry(_runId: string, _resume: boolean, _origin: RunOrigin): RunSummary {
    throw new Error(NOT_BUILT);
  }
  /** Resolves when the run has ended (tests, opsctl). */
  settled(_runId: string): Promise<RunSummary> {
    return Promise.reject(new Error(NOT_BUILT));
  }
}
