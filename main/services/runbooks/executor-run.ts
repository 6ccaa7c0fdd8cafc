/**
 * One run as the executor holds it in memory while it is active: what it runs, what stops it,
 * the facts its preflight recorded and the approval it waits for. The store holds everything
 * that must outlive the process; this holds what only matters while the run is alive.
 */
import type { Timer } from '../../../node/clock';
import type { AuditTarget } from '../../../shared/model/audit';
import type { RunbookStep } from '../../../shared/model/runbook-steps';
import type { ApprovalRequest, EvidenceFact, RunPlan, RunStepInfo, RunSummary, RunbookDefinition } from '../../../shared/model/runbook';
import type { InputCheck } from './run-plan';

export class Deferred<T> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (error: Error) => void;
  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A rejection nobody waits for (a run stopped with no one awaiting it) is not an error.
    this.promise.catch(() => undefined);
  }
}

/** Why a run is being stopped from outside its steps. */
export type StopReason = 'canceled' | 'approval-expired' | 'interrupted';

export interface ResumeFrom {
  previousRunId: string;
  /** The step index the new run starts doing again at (the old run's first failed/canceled). */
  fromIndex: number;
  previousSteps: RunStepInfo[];
  previousOutputs: Record<string, Record<string, unknown>>;
}

export interface ActiveRun {
  id: string;
  runbook: RunbookDefinition;
  check: InputCheck;
  plan: RunPlan;
  dryRun: boolean;
  /** Holds the target's lock while it runs (risk changes-prod and not a dry run). */
  changing: boolean;
  /** Stops after preflight for an approval (a changing run on an approval environment). */
  needsApproval: boolean;
  controller: AbortController;
  stopping: StopReason | null;
  /** Who stopped it (cancel), for the status message. */
  stoppedBy: string | null;
  lane: string | null;
  holdsLock: boolean;
  /** Set once the run's end is written: nothing else may write for it after. */
  ended: boolean;
  startedAt: string | null;
  /** Facts the preflight steps recorded, by key; and which steps recorded any (by index). */
  facts: Map<string, EvidenceFact>;
  factSteps: Set<number>;
  /** Step id → outputs so far (templates read them as steps.<id>.<name>). */
  outputs: Record<string, Record<string, unknown>>;
  approval: ApprovalRequest | null;
  approvalWaiter: Deferred<void> | null;
  expiryTimer: Timer | undefined;
  /** The last summary step's text: the run's summary starts with it. */
  summaryLead: string | null;
  /** Values of secret inputs, replaced by [secret] in every event. */
  secretValues: string[];
  resume: ResumeFrom | null;
  settled: Deferred<RunSummary>;
}

/** Thrown inside a run's flow when it was stopped (cancel, expiry, shutdown): unwinds to the end. */
export class RunStopped extends Error {
  constructor() {
    super('The run was stopped.');
    this.name = 'RunStopped';
  }
}

export function stepsOfPhase(steps: readonly RunStepInfo[], phase: string): RunStepInfo[] {
  return steps.filter((step) => step.phase === phase).sort((a, b) => a.index - b.index);
}

/** The runbook step a stored step runs (by phase and id). */
export function stepOf(runbook: RunbookDefinition, info: RunStepInfo): RunbookStep | undefined {
  const steps = info.phase === 'rollback' ? runbook.rollback : (runbook.phases[info.phase] ?? []);
  return steps.find((step) => step.id === info.id);
}

/** Unwinds a run's flow once it was canceled, expired or shut down. */
export function throwIfStopped(run: ActiveRun): void {
  if (run.ended || run.stopping || run.controller.signal.aborted) throw new RunStopped();
}

export function auditTargetOf(run: ActiveRun): AuditTarget | null {
  const target = run.check.target;
  return target ? { id: target.id, name: target.name, environment: target.environment } : null;
}

export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
