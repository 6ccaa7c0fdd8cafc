/**
 * The approval gate of a run: after preflight for a changing run on an approval environment,
 * and at any explicit `approval` step that applies. The run stops in awaiting-approval with
 * frozen evidence (executor-approval.ts) and an expiry timer; approving takes the typed
 * confirmation and the evidence hash the approver saw. Just before going on, the preflight steps
 * that recorded facts run again quietly: a fact that changed asks for a new approval showing
 * what changed, so an approval is never used on facts it was not given on.
 */
import { AbortedError } from '../../../node/abort';
import { isoNow, type Clock } from '../../../node/clock';
import { ApiError } from '../../../shared/errors';
import type { EvidenceFact, RunStepInfo, RunSummary } from '../../../shared/model/runbook';
import type { RunbookStep } from '../../../shared/model/runbook-steps';
import { fillText, truthy } from '../../../shared/runbook-template';
import type { AuditLog } from '../audit/audit-log';
import { approvalRequest, changedFacts, staleMessage, takeEvidence, type FactChange } from './executor-approval';
import { auditTargetOf, Deferred, plural, RunStopped, stepOf, throwIfStopped, type ActiveRun } from './executor-run';
import { appendEvent, runScope, type StepResult, type StepRunner } from './executor-step';
import type { NewEvent, RunStore } from './run-store';

export interface ApprovalGateDeps {
  store: RunStore;
  audit: AuditLog;
  clock: Clock;
  user: string;
  stepRunner: StepRunner;
  /** Ends a run whose approval expired. */
  expired(run: ActiveRun, message: string): void;
}

type ApprovalStep = Extract<RunbookStep, { kind: 'approval' }>;

export class ApprovalGate {
  constructor(private readonly deps: ApprovalGateDeps) {}

  approve(runId: string, run: ActiveRun | undefined, confirmation: string, evidenceHash: string): RunSummary {
    const { store, audit, user, clock } = this.deps;
    const stored = store.getRun(runId);
    const approval = run?.approval;
    if (stored.status !== 'awaiting-approval' || !run || !approval || !run.approvalWaiter) {
      throw new ApiError('conflict', `Run ${runId} is not waiting for an approval (it is ${stored.status}).`);
    }
    if (confirmation.trim() !== approval.confirmText) {
      throw new ApiError('confirmation-required', `Type ${approval.confirmText} to approve this run.`);
    }
    if (evidenceHash !== approval.evidence.hash) {
      throw new ApiError('conflict', 'The evidence changed since it was shown — review it again before approving.');
    }
    clock.clearTimeout(run.expiryTimer);
    run.expiryTimer = undefined;
    run.approval = { ...approval, approvedBy: user, approvedAt: isoNow(clock) };
    audit.record({
      subjectKind: 'runbook-run',
      subject: runId,
      action: 'approve',
      outcome: 'ok',
      target: auditTargetOf(run),
      detail: { approvedBy: user, evidenceHash, facts: approval.evidence.facts.length },
    });
    this.event(run, { level: 'info', phase: null, step: null, message: `Approved by ${user}.`, data: { event: 'approved', approvedBy: user, hash: evidenceHash } });
    const summary = store.updateRun(runId, { status: 'running', statusMessage: `Approved by ${user}.`, approval: run.approval });
    const waiter = run.approvalWaiter;
    run.approvalWaiter = null;
    waiter.resolve();
    return summary;
  }

  /** An explicit `approval` step: a gate when `always` reads true or the target's environment asks for one. */
  async step(run: ActiveRun, info: RunStepInfo, step: ApprovalStep): Promise<StepResult> {
    const { stepRunner, store, clock } = this.deps;
    const target = run.check.target;
    let applies = true;
    try {
      applies = step.if === undefined || truthy(fillText(step.if, runScope(run)));
    } catch {
      applies = false;
    }
    // A step whose `if` reads false (or cannot be read) is skipped or failed by the runner, never a gate.
    if (!applies) return stepRunner.run(run, info, step, { approval: null });
    let always = false;
    try {
      always = truthy(typeof step.with.always === 'string' ? fillText(step.with.always, runScope(run)) : step.with.always);
    } catch {
      always = false;
    }
    const environmentAsks = target !== null && run.runbook.approval.environments.includes(target.environment);
    const gate = !run.dryRun && target !== null && (always || environmentAsks);
    const given = run.approval?.approvedBy && run.approval.approvedAt ? run.approval : null;
    if (gate && (always || !given)) {
      store.updateStep(run.id, info.index, { state: 'running', startedAt: isoNow(clock) });
      await this.wait(run, step.with.message ?? null);
    }
    const approval = gate && run.approval?.approvedBy && run.approval.approvedAt ? { approvedBy: run.approval.approvedBy, approvedAt: run.approval.approvedAt } : null;
    return stepRunner.run(run, info, step, { approval });
  }

  /**
   * The run-level gate after preflight. An explicit approval step earlier in preflight that was
   * given on exactly the evidence there is now counts; anything else asks (again).
   */
  async afterPreflight(run: ActiveRun): Promise<void> {
    const given = run.approval;
    if (given?.approvedBy && given.evidence.hash === takeEvidence(run.facts.values(), run.plan.changes, isoNow(this.deps.clock)).hash) return;
    await this.wait(run, null);
  }

  expiredMessage(run: ActiveRun): string {
    const minutes = run.runbook.approval.expiresMinutes;
    const within = `No approval within ${plural(minutes, 'minute', 'minutes')}`;
    const changedSomething = this.deps.store.steps(run.id).some((step) => step.changes && (step.state === 'succeeded' || step.state === 'reused'));
    return changedSomething ? `${within}; the steps after the approval did not run.` : `${within}; nothing was changed.`;
  }

  /**
   * Stops in awaiting-approval with frozen evidence until approved (or canceled, expired, shut
   * down). Once approved, re-reads the preflight facts: any that changed asks again.
   */
  private async wait(run: ActiveRun, reason: string | null): Promise<void> {
    const { clock, store, audit } = this.deps;
    const target = run.check.target!;
    let evidence = takeEvidence(run.facts.values(), run.plan.changes, isoNow(clock));
    let changed: FactChange[] = [];
    for (;;) {
      throwIfStopped(run);
      const request = approvalRequest(evidence, clock.now(), run.runbook.approval.expiresMinutes, target.name, changed);
      run.approval = request;
      run.approvalWaiter = new Deferred<void>();
      const waiting = run.approvalWaiter.promise;
      const onAbort = () => run.approvalWaiter?.reject(new RunStopped());
      run.controller.signal.addEventListener('abort', onAbort, { once: true });
      const message = `Waiting for an approval: type ${target.name} to approve (expires at ${request.expiresAt.slice(11, 16)} UTC).`;
      store.updateRun(run.id, { status: 'awaiting-approval', statusMessage: message, approval: request });
      this.event(run, {
        level: 'info',
        phase: null,
        step: null,
        message: reason ? `${reason} — ${message}` : message,
        data: { event: 'approval', expiresAt: request.expiresAt, hash: evidence.hash, facts: evidence.facts.length, changes: evidence.changes.length },
      });
      run.expiryTimer = clock.setTimeout(() => this.expire(run), run.runbook.approval.expiresMinutes * 60_000);
      try {
        await waiting;
      } finally {
        run.controller.signal.removeEventListener('abort', onAbort);
      }
      throwIfStopped(run);

      // Just before going on: the facts the approval was given on, read again.
      const current = await this.rereadFacts(run);
      changed = changedFacts(evidence.facts, current);
      if (!changed.length) {
        this.event(run, { level: 'info', phase: null, step: null, message: `The ${plural(evidence.facts.length, 'fact', 'facts')} the approval was given on still hold.`, data: { event: 'approval-fresh' } });
        return;
      }
      const stale = staleMessage(changed);
      this.event(run, { level: 'warn', phase: null, step: null, message: stale, data: { event: 'approval-stale', changed } });
      audit.record({
        subjectKind: 'runbook-run',
        subject: run.id,
        action: 'approval-stale',
        outcome: 'ok',
        target: auditTargetOf(run),
        detail: { changed, approvedBy: run.approval.approvedBy, evidenceHash: evidence.hash },
      });
      for (const [key, fact] of current) run.facts.set(key, fact);
      for (const change of changed) if (!current.has(change.key)) run.facts.delete(change.key);
      evidence = takeEvidence(run.facts.values(), run.plan.changes, isoNow(clock));
      reason = stale;
    }
  }

  /** Runs the preflight steps that recorded facts again, quietly, and returns what they record now. */
  private async rereadFacts(run: ActiveRun): Promise<Map<string, EvidenceFact>> {
    const facts = new Map<string, EvidenceFact>();
    const steps = this.deps.store.steps(run.id).filter((step) => step.phase === 'preflight' && run.factSteps.has(step.index));
    for (const info of steps) {
      const step = stepOf(run.runbook, info);
      if (!step) continue;
      const result = await this.deps.stepRunner.run(run, info, step, { silent: true, facts });
      throwIfStopped(run);
      if (result.state === 'failed') {
        this.event(run, { level: 'debug', phase: 'preflight', step: info.id, message: `Reading ${info.id} again failed: ${result.message}` });
      }
    }
    return facts;
  }

  private expire(run: ActiveRun): void {
    if (run.ended || run.stopping) return;
    run.expiryTimer = undefined;
    run.stopping = 'approval-expired';
    this.deps.audit.record({
      subjectKind: 'runbook-run',
      subject: run.id,
      action: 'approval-expired',
      outcome: 'error',
      target: auditTargetOf(run),
      detail: { expiresMinutes: run.runbook.approval.expiresMinutes, evidenceHash: run.approval?.evidence.hash ?? null },
    });
    run.controller.abort(new AbortedError('The approval expired.'));
    this.deps.expired(run, this.expiredMessage(run));
  }

  private event(run: ActiveRun, event: NewEvent): void {
    appendEvent(this.deps.store, run, event);
  }
}
