/**
 * The run executor: lives in main and owns every run from start to end, whatever windows or
 * subscriptions come and go.
 *
 * Phases run in order (validate, preflight, action, verify, summarize). A changing run holds its
 * target's lock (a second one queues or is refused); read-only runs take one of four lanes (A–D)
 * and never wait for a changing run. A changing run on a prod target stops after preflight for an
 * approval bound to a frozen evidence snapshot; just before the action phase the preflight facts
 * are read again and a changed fact asks for a new approval.
 *
 * Events the executor writes besides the steps' own (data.event): 'phase-start' { steps },
 * 'phase-end' { outcome, durationMs }, 'approval' { expiresAt, hash }, 'approval-stale'
 * { changed }, 'run-end' { status }; step events are described in executor-step.ts.
 */
import { AbortedError } from '../../../node/abort';
import { isoNow, type Clock, type Timer } from '../../../node/clock';
import { ApiError } from '../../../shared/errors';
import type { AuditTarget } from '../../../shared/model/audit';
import {
  ACTIVE_RUN_STATUSES,
  type EvidenceFact,
  type RunbookDefinition,
  type RunbookPhase,
  type RunDetail,
  type RunOrigin,
  type RunStart,
  type RunStatus,
  type RunStepInfo,
  type RunSummary,
} from '../../../shared/model/runbook';
import { fillText, truthy } from '../../../shared/runbook-template';
import type { AuditLog } from '../audit/audit-log';
import type { TargetsService } from '../targets/targets-service';
import { ReadOnlyLanes, TargetQueues } from './executor-lanes';
import { hadSecretInputs, resumability } from './executor-resume';
import { ApprovalGate } from './executor-approval-gate';
import { auditTargetOf, Deferred, plural, RunStopped, stepOf, stepsOfPhase, throwIfStopped, type ActiveRun, type ResumeFrom } from './executor-run';
import { appendEvent, redactSecrets, runScope, StepRunner } from './executor-step';
import { buildPlan, checkInputs } from './run-plan';
import { runSummaryText } from './run-summary-text';
import type { RunbookCatalog } from './runbook-catalog';
import type { NewEvent, RunStore } from './run-store';
import type { RunOwners } from './run-owners';
import type { StepServices } from './step-kind';

export { READ_ONLY_LANES } from './executor-lanes';

export interface ExecutorDeps {
  store: RunStore;
  catalog: RunbookCatalog;
  targets: TargetsService;
  audit: AuditLog;
  steps: StepServices;
  clock: Clock;
  /** Who starts runs from this process: the OS user. */
  user: string;
  /** Which process owns each active run (so a start never interrupts another live process's runs). */
  owners?: RunOwners;
}

export interface StartOptions {
  origin: RunOrigin;
  /** Set for a retry or resume. */
  retryOf?: string | null;
  resumedFrom?: string | null;
}

/**
 * How often a run queued behind another process's run (an `opsctl run` on the same data
 * directory) tries the target's lock again: that process cannot tell this one it let go.
 */
export const FOREIGN_LOCK_POLL_MS = 2_000;

const PHASE_TITLES: Record<RunbookPhase | 'rollback', string> = {
  validate: 'Validate',
  preflight: 'Preflight',
  action: 'Action',
  verify: 'Verify',
  rollback: 'Rollback',
  summarize: 'Summarize',
};

const ENDED_WHILE: Partial<Record<RunStatus, string>> = {
  running: 'running',
  queued: 'queued',
  'awaiting-approval': 'awaiting approval',
};

/** A phase that did not get through: the step that failed and why. */
interface PhaseFailure {
  step: string;
  message: string;
}

interface Outcome {
  status: RunStatus;
  message: string;
}

function isEnded(status: RunStatus): boolean {
  return !ACTIVE_RUN_STATUSES.includes(status);
}

/** A run this process does not hold: an `opsctl run` or the app, on the same data directory. */
function elsewhere(runId: string, verb: string): ApiError {
  return new ApiError('conflict', `Run ${runId} lives in another Control Room process; ${verb} it there.`);
}

export class RunExecutor {
  private readonly active = new Map<string, ActiveRun>();
  private readonly lanes = new ReadOnlyLanes();
  private readonly targetQueues = new TargetQueues();
  private readonly stepRunner: StepRunner;
  private readonly approvals: ApprovalGate;
  private disposed = false;
  private foreignLockTimer: Timer | undefined;

  constructor(readonly deps: ExecutorDeps) {
    this.stepRunner = new StepRunner({ store: deps.store, clock: deps.clock, steps: deps.steps, targets: () => deps.targets.list() });
    this.approvals = new ApprovalGate({
      store: deps.store,
      audit: deps.audit,
      clock: deps.clock,
      user: deps.user,
      stepRunner: this.stepRunner,
      expired: (run, message) => this.finish(run, { status: 'approval-expired', message }),
    });
  }

  /** Marks runs a crash left active as interrupted and releases their locks (audited). Runs nothing again. */
  start(): void {
    const { store, audit } = this.deps;
    const owners = this.deps.owners;
    for (const run of store.activeRuns()) {
      if (this.active.has(run.id) || owners?.ownedElsewhere(run.id)) continue;
      this.interruptStored(run, 'error');
    }
    for (const lock of store.locks()) {
      if (this.active.has(lock.runId) || owners?.ownedElsewhere(lock.runId)) continue;
      store.releaseLock(lock.targetId, lock.runId);
      const target = this.deps.targets.list().find((t) => t.id === lock.targetId);
      audit.record({
        subjectKind: 'runbook-run',
        subject: lock.runId,
        action: 'release-lock',
        outcome: 'ok',
        target: target ? { id: target.id, name: target.name, environment: target.environment } : null,
        detail: { message: 'Released after Control Room stopped mid-run', runId: lock.runId, targetId: lock.targetId },
      });
    }
  }

  /** Aborts running steps; their runs are marked interrupted. */
  dispose(): void {
    this.disposed = true;
    this.deps.clock.clearTimeout(this.foreignLockTimer);
    this.foreignLockTimer = undefined;
    for (const run of [...this.active.values()]) {
      run.stopping = 'interrupted';
      this.deps.clock.clearTimeout(run.expiryTimer);
      const stored = this.deps.store.getRun(run.id);
      run.ended = true;
      run.controller.abort(new AbortedError('Control Room is shutting down.'));
      run.approvalWaiter?.promise.catch(() => undefined);
      run.approvalWaiter?.reject(new RunStopped());
      const summary = this.interruptStored(stored, 'error');
      if (run.holdsLock && run.check.target) this.deps.store.releaseLock(run.check.target.id, run.id);
      this.active.delete(run.id);
      run.settled.resolve(summary);
    }
  }

  startRun(request: RunStart, options: StartOptions): RunSummary {
    if (this.disposed) throw new ApiError('conflict', 'Control Room is shutting down; start the run again after it restarts.');
    const runbook = this.deps.catalog.get(request.runbookId);
    return this.begin(runbook, request, options, null);
  }

  detail(runId: string): RunDetail {
    const { store } = this.deps;
    const run = store.getRun(runId);
    const steps = store.steps(runId);
    let definition: RunbookDefinition | null = null;
    try {
      definition = store.definitionOf(runId);
    } catch {
      definition = null;
    }
    return {
      run,
      steps,
      artifacts: store.artifacts(runId),
      approval: store.approvalOf(runId),
      summary: store.summaryOf(runId),
      resumable: resumability(run, steps, definition),
    };
  }

  cancel(runId: string): RunSummary {
    const { store, audit, user } = this.deps;
    const stored = store.getRun(runId);
    const run = this.active.get(runId);
    if (!isEnded(stored.status) && !run) throw elsewhere(runId, 'cancel');
    if (isEnded(stored.status) || !run || run.ended) {
      throw new ApiError('conflict', `Run ${runId} already ended (${stored.status}); there is nothing to cancel.`);
    }
    audit.record({ subjectKind: 'runbook-run', subject: runId, action: 'cancel', outcome: 'ok', target: this.auditTarget(run), detail: { canceledBy: user, status: stored.status } });
    run.stopping = 'canceled';
    run.stoppedBy = user;
    if (stored.status === 'queued' && !run.startedAt) {
      // Never started: take it out of its queue and end it here.
      this.lanes.drop(runId);
      this.targetQueues.drop(runId);
      return this.finish(run, { status: 'canceled', message: `Canceled by ${user} before it started.` });
    }
    if (stored.status === 'awaiting-approval') {
      run.controller.abort(new AbortedError(`Canceled by ${user}.`));
      return this.finish(run, { status: 'canceled', message: `Canceled by ${user} while waiting for an approval.` });
    }
    const running = store.steps(runId).find((step) => step.state === 'running');
    store.updateRun(runId, { statusMessage: running ? `Canceling: stopping step ${running.id}.` : 'Canceling.' });
    run.controller.abort(new AbortedError(`Canceled by ${user}.`));
    return store.getRun(runId);
  }

  approve(runId: string, confirmation: string, evidenceHash: string): RunSummary {
    const run = this.active.get(runId);
    if (!run && this.deps.store.getRun(runId).status === 'awaiting-approval') throw elsewhere(runId, 'approve');
    return this.approvals.approve(runId, run, confirmation, evidenceHash);
  }

  retry(runId: string, resume: boolean, origin: RunOrigin): RunSummary {
    const { store } = this.deps;
    const previous = store.getRun(runId);
    const definition = store.definitionOf(runId);
    if (hadSecretInputs(definition, previous)) {
      throw new ApiError('invalid-request', `Run ${runId} had secret inputs; start it again from its plan.`);
    }
    const request: RunStart = {
      runbookId: previous.runbookId,
      targetId: previous.targetId,
      inputs: previous.inputs,
      dryRun: previous.dryRun,
      whenLocked: 'queue',
    };
    if (!resume) return this.begin(definition, request, { origin, retryOf: runId }, null);
    const steps = store.steps(runId);
    const resumable = resumability(previous, steps, definition);
    if (!resumable.ok || resumable.fromStep === null) throw new ApiError('conflict', resumable.reason);
    const from = steps.find((step) => step.state === 'failed' || step.state === 'canceled')!;
    const resumeFrom: ResumeFrom = { previousRunId: runId, fromIndex: from.index, previousSteps: steps, previousOutputs: store.stepOutputs(runId) };
    return this.begin(definition, request, { origin, retryOf: runId, resumedFrom: resumable.fromStep }, resumeFrom);
  }

  /** Resolves when the run has ended (tests, opsctl). */
  settled(runId: string): Promise<RunSummary> {
    const run = this.active.get(runId);
    if (run) return run.settled.promise;
    try {
      const stored = this.deps.store.getRun(runId);
      if (isEnded(stored.status)) return Promise.resolve(stored);
      return Promise.reject(new ApiError('conflict', `Run ${runId} is not running in this process.`));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  // ——— Starting and scheduling ———

  private begin(runbook: RunbookDefinition, request: RunStart, options: StartOptions, resume: ResumeFrom | null): RunSummary {
    if (this.disposed) throw new ApiError('conflict', 'Control Room is shutting down; start the run again after it restarts.');
    const { store, audit, clock, user } = this.deps;
    const check = checkInputs(runbook, request.targetId, request.inputs, this.deps.targets.list(), { now: clock.now() });
    const plan = buildPlan(runbook, check);
    const target = check.target;
    const summary = store.createRun({
      runbook,
      risk: runbook.risk,
      target: target ? { id: target.id, name: target.name, environment: target.environment } : null,
      inputs: check.shown,
      dryRun: request.dryRun,
      startedBy: user,
      origin: options.origin,
      retryOf: options.retryOf ?? null,
      resumedFrom: options.resumedFrom ?? null,
    });
    // Plans fill secret inputs in too: what is stored and shown has them replaced.
    const secretNames = new Set(runbook.inputs.filter((input) => input.type === 'secret').map((input) => input.name));
    const secretValues = Object.entries(check.values)
      .filter(([name, value]) => secretNames.has(name) && value.length >= 3)
      .map(([, value]) => value);
    const hide = (text: string) => secretValues.reduce((result, secret) => result.split(secret).join('[secret]'), text);
    plan.steps = plan.steps.map((step) => ({ ...step, description: hide(step.description) }));
    plan.changes = plan.changes.map(hide);
    store.setSteps(
      summary.id,
      plan.steps.map((step, index) => ({ ...step, index })),
    );
    const changing = runbook.risk === 'changes-prod' && !request.dryRun;
    const run: ActiveRun = {
      id: summary.id,
      runbook,
      check,
      plan,
      dryRun: request.dryRun,
      changing,
      needsApproval: changing && target !== null && runbook.approval.environments.includes(target.environment),
      controller: new AbortController(),
      stopping: null,
      stoppedBy: null,
      lane: null,
      holdsLock: false,
      ended: false,
      startedAt: null,
      facts: new Map(),
      factSteps: new Set(),
      outputs: {},
      approval: null,
      approvalWaiter: null,
      expiryTimer: undefined,
      summaryLead: null,
      secretValues,
      resume,
      settled: new Deferred(),
    };
    this.active.set(run.id, run);
    this.deps.owners?.claim(run.id);
    audit.record({
      subjectKind: 'runbook-run',
      subject: run.id,
      action: 'start',
      outcome: 'ok',
      target: this.auditTarget(run),
      detail: { runbook: runbook.id, origin: options.origin, dryRun: request.dryRun, startedBy: user, ...(options.retryOf ? { retryOf: options.retryOf } : {}), ...(options.resumedFrom ? { resumedFrom: options.resumedFrom } : {}) },
    });
    this.schedule(run, request.whenLocked);
    return store.getRun(run.id);
  }

  private schedule(run: ActiveRun, whenLocked: RunStart['whenLocked']): void {
    const { store } = this.deps;
    const target = run.check.target;
    if (run.check.problems.length) {
      // It fails in validate at once: no lane or lock to wait for.
      this.launch(run);
      return;
    }
    if (run.changing && target) {
      if (store.takeLock(target.id, run.id)) {
        run.holdsLock = true;
        this.launch(run);
        return;
      }
      const holder = store.locks().find((lock) => lock.targetId === target.id)?.runId ?? 'another run';
      if (whenLocked === 'refuse') {
        let who = holder;
        try {
          const held = store.getRun(holder);
          who = `${holder} (${held.runbookId} by ${held.startedBy})`;
        } catch {
          // The holder's record is gone: name the id alone.
        }
        this.finish(run, { status: 'refused', message: `Run ${who} is changing ${target.name}; try again when it ends.` });
        return;
      }
      this.targetQueues.wait(target.id, run.id);
      if (!this.active.has(holder)) this.pollForeignLocks();
      store.updateRun(run.id, { status: 'queued', statusMessage: `Waiting for run ${holder} on ${target.name}.` });
      this.event(run, { level: 'info', phase: null, step: null, message: `Waiting for run ${holder} on ${target.name}.`, data: { event: 'queued', holder } });
      return;
    }
    const lane = this.lanes.take(run.id);
    if (lane === null) {
      this.lanes.wait(run.id);
      const message = `Waiting for a free lane (${this.lanes.busyCount} read-only runs are running).`;
      store.updateRun(run.id, { status: 'queued', statusMessage: message });
      this.event(run, { level: 'info', phase: null, step: null, message, data: { event: 'queued' } });
      return;
    }
    run.lane = lane;
    this.launch(run);
  }

  /** Marks the run running and runs its phases in the background. */
  private launch(run: ActiveRun): void {
    const { store, clock } = this.deps;
    run.startedAt = isoNow(clock);
    store.updateRun(run.id, { status: 'running', startedAt: run.startedAt, lane: run.lane, statusMessage: run.lane ? `Running in lane ${run.lane}.` : 'Running.' });
    void this.execute(run);
  }

  private async execute(run: ActiveRun): Promise<void> {
    let outcome: Outcome;
    try {
      // Let startRun return before anything runs.
      await Promise.resolve();
      outcome = await this.phases(run);
    } catch (error) {
      if (run.ended) return;
      if (error instanceof RunStopped || run.stopping) outcome = this.stoppedOutcome(run);
      else outcome = { status: 'failed', message: `The run failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (run.ended) return;
    if (run.stopping) outcome = this.stoppedOutcome(run);
    try {
      this.finish(run, outcome);
    } catch (error) {
      // The store is gone (shutdown mid-write): nothing more can be recorded.
      run.settled.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private stoppedOutcome(run: ActiveRun): Outcome {
    switch (run.stopping) {
      case 'approval-expired':
        return { status: 'approval-expired', message: this.approvals.expiredMessage(run) };
      case 'interrupted':
        return { status: 'interrupted', message: 'Control Room stopped while this run was running; nothing was resumed.' };
      default: {
        const canceled = this.deps.store.steps(run.id).find((step) => step.state === 'canceled');
        return { status: 'canceled', message: `Canceled by ${run.stoppedBy ?? this.deps.user}${canceled ? ` during step ${canceled.id}` : ''}.` };
      }
    }
  }

  // ——— Phases ———

  private async phases(run: ActiveRun): Promise<Outcome> {
    const steps = this.deps.store.steps(run.id);

    const validate = await this.validate(run, stepsOfPhase(steps, 'validate'));
    if (validate) return validate;

    const preflight = await this.runPhase(run, 'preflight', stepsOfPhase(steps, 'preflight'), run.facts);
    if (preflight) return this.failed('preflight', preflight);

    if (run.dryRun) {
      for (const phase of ['action', 'verify', 'rollback'] as const) this.describePhase(run, phase, stepsOfPhase(steps, phase));
      await this.runPhase(run, 'summarize', stepsOfPhase(steps, 'summarize'));
      return { status: 'succeeded', message: 'Dry run: nothing was changed.' };
    }

    if (run.needsApproval) await this.approvals.afterPreflight(run);

    const action = await this.runPhase(run, 'action', stepsOfPhase(steps, 'action'));
    if (action) return this.failed('action', action);

    const verify = await this.runPhase(run, 'verify', stepsOfPhase(steps, 'verify'));
    let outcome: Outcome = { status: 'succeeded', message: this.successMessage(run) };
    if (verify) outcome = await this.afterVerifyFailed(run, verify, stepsOfPhase(steps, 'rollback'));
    await this.runPhase(run, 'summarize', stepsOfPhase(steps, 'summarize'));
    return outcome;
  }

  private successMessage(run: ActiveRun): string {
    const steps = this.deps.store.steps(run.id);
    const done = steps.filter((step) => step.state === 'succeeded' || step.state === 'reused').length;
    return `Succeeded: ${plural(done, 'step', 'steps')} done.`;
  }

  private failed(phase: RunbookPhase, failure: PhaseFailure): Outcome {
    return { status: 'failed', message: `${PHASE_TITLES[phase]} failed (${failure.step}: ${failure.message.replace(/\.$/, '')}).` };
  }

  private async validate(run: ActiveRun, steps: RunStepInfo[]): Promise<Outcome | null> {
    const problems = run.check.problems;
    if (problems.length) {
      const started = this.deps.clock.now();
      this.phaseEvent(run, 'validate', 'start', steps.length);
      for (const problem of problems) this.event(run, { level: 'error', phase: 'validate', step: null, message: problem, data: { event: 'input-problem' } });
      this.phaseEvent(run, 'validate', 'failed', steps.length, this.deps.clock.now() - started);
      return { status: 'failed', message: `${plural(problems.length, 'input is', 'inputs are')} not valid.` };
    }
    const failure = await this.runPhase(run, 'validate', steps);
    return failure ? this.failed('validate', failure) : null;
  }

  /**
   * Runs a phase's steps in order; the first failure (without continueOnError) stops the phase
   * and is returned. Steps before a resumed run's starting step are reused from the earlier run.
   */
  private async runPhase(
    run: ActiveRun,
    phase: RunbookPhase | 'rollback',
    steps: RunStepInfo[],
    facts: Map<string, EvidenceFact> | null = null,
  ): Promise<PhaseFailure | null> {
    if (!steps.length) return null;
    const started = this.deps.clock.now();
    this.phaseEvent(run, phase, 'start', steps.length);
    let failure: PhaseFailure | null = null;
    for (const info of steps) {
      throwIfStopped(run);
      if (this.reuse(run, info)) continue;
      const step = stepOf(run.runbook, info);
      if (!step) continue;
      const result = step.kind === 'approval' ? await this.approvals.step(run, info, step) : await this.stepRunner.run(run, info, step, { facts, lenient: run.dryRun && phase === 'summarize' });
      throwIfStopped(run);
      if (result.state === 'canceled') throw new RunStopped();
      if (result.state === 'succeeded') {
        run.outputs[info.id] = result.outputs;
        if (step.kind === 'summary' && typeof result.outputs.text === 'string') run.summaryLead = result.outputs.text;
      } else if (result.state === 'failed') {
        if (Object.keys(result.outputs).length) run.outputs[info.id] = result.outputs;
        if (step.continueOnError) {
          this.event(run, { level: 'warn', phase, step: info.id, message: `${info.id} failed and the run goes on (continueOnError): ${result.message}`, data: { event: 'continue-on-error' } });
          continue;
        }
        failure = { step: info.id, message: result.message };
        break;
      }
    }
    this.phaseEvent(run, phase, failure ? 'failed' : 'succeeded', steps.length, this.deps.clock.now() - started);
    return failure;
  }

  /** A resumed run: action and verify steps before its starting step are taken from the earlier run. */
  private reuse(run: ActiveRun, info: RunStepInfo): boolean {
    const resume = run.resume;
    if (!resume || info.index >= resume.fromIndex || (info.phase !== 'action' && info.phase !== 'verify')) return false;
    const previous = resume.previousSteps.find((step) => step.index === info.index);
    const { store } = this.deps;
    if (previous && (previous.state === 'succeeded' || previous.state === 'reused')) {
      const outputs = resume.previousOutputs[info.id] ?? {};
      run.outputs[info.id] = outputs;
      store.updateStep(run.id, info.index, { state: 'reused', message: `Reused from run ${resume.previousRunId}.`, outputs });
      this.event(run, { level: 'info', phase: info.phase, step: info.id, message: `Reused from run ${resume.previousRunId}`, data: { event: 'step-end', state: 'reused', durationMs: 0, message: previous.message } });
    } else {
      store.updateStep(run.id, info.index, { state: 'skipped', message: `Not done in run ${resume.previousRunId} either.` });
    }
    return true;
  }

  private describePhase(run: ActiveRun, phase: 'action' | 'verify' | 'rollback', steps: RunStepInfo[]): void {
    if (!steps.length) return;
    this.phaseEvent(run, phase, 'start', steps.length);
    for (const info of steps) {
      this.deps.store.updateStep(run.id, info.index, { state: 'described', message: 'Dry run: described, not done.' });
      this.event(run, { level: 'info', phase, step: info.id, message: `Would: ${info.description}`, data: { event: 'step-end', state: 'described', durationMs: 0, message: info.description } });
    }
    this.phaseEvent(run, phase, 'described', steps.length, 0);
  }

  private async afterVerifyFailed(run: ActiveRun, failure: PhaseFailure, rollback: RunStepInfo[]): Promise<Outcome> {
    const verifyFailed = `Verify failed (${failure.step}: ${failure.message.replace(/\.$/, '')})`;
    if (!rollback.length) return { status: 'failed', message: `${verifyFailed}.` };
    let wanted = true;
    if (run.runbook.rollbackIf !== undefined) {
      try {
        wanted = truthy(fillText(run.runbook.rollbackIf, runScope(run)));
      } catch (error) {
        wanted = false;
        this.event(run, { level: 'warn', phase: 'rollback', step: null, message: `Not rolling back: rollbackIf could not be read (${error instanceof Error ? error.message : String(error)}).` });
      }
    }
    if (!wanted) {
      this.event(run, { level: 'info', phase: 'rollback', step: null, message: `Not rolling back: ${run.runbook.rollbackIf ?? ''} is false.`, data: { event: 'rollback-skipped' } });
      return { status: 'failed', message: `${verifyFailed}; not rolled back.` };
    }
    const rollbackFailure = await this.runPhase(run, 'rollback', rollback);
    if (rollbackFailure) {
      return { status: 'failed', message: `${verifyFailed}; the rollback failed too (${rollbackFailure.step}: ${rollbackFailure.message.replace(/\.$/, '')}).` };
    }
    return { status: 'failed', message: `${verifyFailed}; rolled back.` };
  }

  // ——— Ending ———

  private finish(run: ActiveRun, end: Outcome): RunSummary {
    const { store, clock, audit } = this.deps;
    if (run.ended) return store.getRun(run.id);
    const outcome = { ...end, message: redactSecrets(run, end.message) };
    clock.clearTimeout(run.expiryTimer);
    run.expiryTimer = undefined;
    if (run.approvalWaiter) {
      run.approvalWaiter.promise.catch(() => undefined);
      run.approvalWaiter.reject(new RunStopped());
      run.approvalWaiter = null;
    }
    const endedAt = isoNow(clock);
    for (const step of store.steps(run.id)) {
      if (step.state === 'running') {
        const state = outcome.status === 'canceled' ? 'canceled' : 'failed';
        store.updateStep(run.id, step.index, { state, endedAt, message: outcome.message });
      } else if (step.state === 'pending') {
        store.updateStep(run.id, step.index, { state: 'skipped' });
      }
    }
    const summaryText = redactSecrets(run, runSummaryText(store.steps(run.id), run.summaryLead));
    // Written before the run's last event (a viewer may stop at run-end); released just below.
    if (run.holdsLock && run.check.target) {
      this.event(run, { level: 'debug', phase: null, step: null, message: `Releasing the lock on ${run.check.target.name}.`, data: { event: 'lock-released' } });
    }
    const level = outcome.status === 'succeeded' ? 'info' : outcome.status === 'canceled' || outcome.status === 'refused' ? 'warn' : 'error';
    this.event(run, { level, phase: null, step: null, message: outcome.message, data: { event: 'run-end', status: outcome.status } });
    run.ended = true;
    const approval = run.approval;
    store.updateRun(run.id, { status: outcome.status, statusMessage: outcome.message, endedAt, summary: summaryText, ...(approval ? { approval } : {}) });
    const summary = store.getRun(run.id);
    audit.record({
      subjectKind: 'runbook-run',
      subject: run.id,
      action: 'finish',
      outcome: outcome.status === 'succeeded' ? 'ok' : outcome.status === 'canceled' ? 'canceled' : 'error',
      target: this.auditTarget(run),
      detail: { status: outcome.status, durationMs: summary.durationMs ?? 0, message: outcome.message },
    });
    this.active.delete(run.id);
    this.deps.owners?.release(run.id);
    this.releaseHeld(run);
    run.settled.resolve(summary);
    return summary;
  }

  /** Frees the run's lock or lane and starts whoever waited for it. */
  private releaseHeld(run: ActiveRun): void {
    const { store } = this.deps;
    const target = run.check.target;
    this.lanes.drop(run.id);
    this.targetQueues.drop(run.id);
    if (run.holdsLock && target) {
      run.holdsLock = false;
      store.releaseLock(target.id, run.id);
      this.startNextFor(target.id);
    }
    if (run.lane) {
      const next = this.lanes.release(run.id);
      if (next) {
        const waiting = this.active.get(next.runId);
        if (waiting && !waiting.ended) {
          waiting.lane = next.lane;
          this.launch(waiting);
        } else {
          this.lanes.release(next.runId);
        }
      }
    }
  }

  /** Starts the first run waiting for the target when its lock can be taken; true when the lock is still held elsewhere. */
  private startNextFor(targetId: string): boolean {
    const { store } = this.deps;
    for (let next = this.targetQueues.next(targetId); next !== null; next = this.targetQueues.next(targetId)) {
      const waiting = this.active.get(next);
      if (!waiting || waiting.ended) continue;
      if (!store.takeLock(targetId, next)) {
        // Still held (by another process's run): it stays first in line.
        this.targetQueues.putFirst(targetId, next);
        return true;
      }
      waiting.holdsLock = true;
      this.launch(waiting);
      return false;
    }
    return false;
  }

  /** Tries the locks other processes' runs hold until they are let go. */
  private pollForeignLocks(): void {
    if (this.foreignLockTimer || this.disposed) return;
    this.foreignLockTimer = this.deps.clock.setTimeout(() => {
      this.foreignLockTimer = undefined;
      if (this.disposed) return;
      let stillHeld = false;
      const locks = this.deps.store.locks();
      for (const targetId of this.targetQueues.targets()) {
        const holder = locks.find((lock) => lock.targetId === targetId);
        if (holder && this.active.has(holder.runId)) continue;
        if (this.startNextFor(targetId)) stillHeld = true;
      }
      if (stillHeld) this.pollForeignLocks();
    }, FOREIGN_LOCK_POLL_MS);
    this.foreignLockTimer.unref();
  }

  /** A run a crash (or shutdown) left active: interrupted, steps closed, audited. */
  private interruptStored(run: RunSummary, outcome: 'error'): RunSummary {
    const { store, clock, audit } = this.deps;
    const was = ENDED_WHILE[run.status] ?? run.status;
    const message = `Control Room stopped while this run was ${was}; nothing was resumed.`;
    const endedAt = isoNow(clock);
    for (const step of store.steps(run.id)) {
      if (step.state === 'running') store.updateStep(run.id, step.index, { state: 'failed', endedAt, message: 'interrupted' });
      else if (step.state === 'pending') store.updateStep(run.id, step.index, { state: 'skipped' });
    }
    store.append(run.id, { level: 'error', phase: null, step: null, message, data: { event: 'run-end', status: 'interrupted' } });
    const summary = store.updateRun(run.id, { status: 'interrupted', statusMessage: message, endedAt, summary: runSummaryText(store.steps(run.id)) });
    this.deps.owners?.release(run.id);
    audit.record({
      subjectKind: 'runbook-run',
      subject: run.id,
      action: 'finish',
      outcome,
      target: run.targetId && run.targetName && run.environment ? { id: run.targetId, name: run.targetName, environment: run.environment } : null,
      detail: { status: 'interrupted', durationMs: summary.durationMs ?? 0, message },
    });
    return summary;
  }

  // ——— Small helpers ———

  private event(run: ActiveRun, event: NewEvent): void {
    appendEvent(this.deps.store, run, event);
  }

  private phaseEvent(run: ActiveRun, phase: RunbookPhase | 'rollback', what: 'start' | 'succeeded' | 'failed' | 'described', steps: number, durationMs = 0): void {
    const title = PHASE_TITLES[phase];
    if (what === 'start') {
      this.event(run, { level: 'info', phase, step: null, message: `${title}: ${plural(steps, 'step', 'steps')}`, data: { event: 'phase-start', steps } });
      return;
    }
    const text = what === 'described' ? 'described (dry run)' : what;
    this.event(run, {
      level: what === 'failed' ? 'error' : 'info',
      phase,
      step: null,
      message: `${title} ${text} in ${(durationMs / 1000).toFixed(1)}s`,
      data: { event: 'phase-end', outcome: what, durationMs },
    });
  }

  private auditTarget(run: ActiveRun): AuditTarget | null {
    return auditTargetOf(run);
  }
}
