/**
 * The one interface every step kind implements (steps/*.ts), and what a step gets to work with.
 *
 * A kind declares, for given parameters, whether the step changes anything (plans list it under
 * "what will change"; a changing step on a prod target needs an approval first) and whether it is
 * safe to repeat (a run may resume after a failed step only when every step before it is).
 */
import type { Clock } from '../../../node/clock';
import type { RunArtifact, RunEventLevel } from '../../../shared/model/runbook';
import type { StepKindName, StepParams } from '../../../shared/model/runbook-steps';
import type { Target } from '../../../shared/model/target';
import type { Services } from '../index';

/** The services a step may use; all in main, credentials never leave it. */
export type StepServices = Pick<
  Services,
  'targets' | 'connections' | 'overview' | 'opsApi' | 'logs' | 'probes' | 'hostProbes' | 'credentials' | 'audit'
> & {
  /** A runbook secret's value from the keychain (`github-token`); null when none is set. */
  secret(name: string): Promise<string | null>;
};

export interface StepContext {
  runId: string;
  stepId: string;
  /** The step's target: its own `target:` or the run's. Null for runbooks without one. */
  target: Target | null;
  /** Input values as validated, secret ones included (never persisted). */
  inputs: Readonly<Record<string, string>>;
  /** Aborted on cancel and on the step's timeout: pass it to every call that waits. */
  signal: AbortSignal;
  clock: Clock;
  services: StepServices;
  /** An event of this step (persisted with the next sequence number). */
  log(level: RunEventLevel, message: string, data?: Record<string, unknown>): void;
  /** One line of a command's output, as an `output` event. */
  output(line: string): void;
  /** A file kept with the run (under the data directory), listed in its artifacts. */
  writeArtifact(name: string, contentType: string, content: string | Buffer): RunArtifact;
  /** An artifact this run wrote earlier, by name; null when there is none. */
  readArtifact(name: string): Buffer | null;
  /**
   * A preflight fact an approval is bound to (a deployed SHA, a container's start time, a probe's
   * status). Before the action phase the preflight steps run again and any fact that differs
   * makes the approval stale.
   */
  fact(key: string, label: string, value: string): void;
  /** Earlier steps' outputs by step id (the same values templates read as steps.<id>.<name>). */
  outputs: Readonly<Record<string, Record<string, unknown>>>;
  /** For `approval` steps: the approval the executor's gate was given; null when none was needed. */
  approval?: { approvedBy: string; approvedAt: string } | null;
}

export interface StepOutcome {
  /** The outcome in a sentence: "2 of 2 probes ok", "backend recreated with shop/backend:v2". */
  message: string;
  /** Values later steps and the summary refer to as steps.<id>.<name>. */
  outputs?: Record<string, unknown>;
}

/** A step that did not succeed: its message is one sentence saying what and what to do. */
export class StepFailure extends Error {
  constructor(
    message: string,
    /** Outputs gathered before the failure (a scan's count, a probe's results). */
    readonly outputs: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface StepKind<K extends StepKindName = StepKindName> {
  kind: K;
  changes(params: StepParams<K>): boolean;
  repeatable(params: StepParams<K>): boolean;
  /** What the step does, with its parameters filled in: plans and dry runs show this. */
  describe(params: StepParams<K>, target: Target | null): string;
  /** Does the step; throws StepFailure (or any error, reported as its message) when it fails. */
  run(params: StepParams<K>, context: StepContext): Promise<StepOutcome>;
}
