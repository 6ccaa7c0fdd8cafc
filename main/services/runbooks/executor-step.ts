/**
 * Running one step of a run: its `if`, its parameters filled from the run's scope and checked
 * against its kind's schema, its own target, its timeout, the StepContext it works with, and the
 * step's state, events and outputs in the store.
 *
 * Events a step produces (data.event): 'step-start' { kind, description }, 'step-end' { state,
 * durationMs, message }, 'fact' { key, label, value }. A `silent` run (the stale-approval re-read
 * of a preflight step) writes every event at debug level and leaves the step's stored state alone.
 */
import { abortReason, AbortedError } from '../../../node/abort';
import { isoNow, type Clock, type Timer } from '../../../node/clock';
import { ApiError } from '../../../shared/errors';
import type { EvidenceFact, RunEventLevel, RunStepInfo } from '../../../shared/model/runbook';
import { durationMs, STEP_PARAMS, type RunbookStep, type StepKindName, type StepParams } from '../../../shared/model/runbook-steps';
import type { Target } from '../../../shared/model/target';
import { fillTemplates, fillText, truthy, type TemplateScope } from '../../../shared/runbook-template';
import type { ActiveRun } from './executor-run';
import { findTarget, targetScope } from './run-plan';
import type { NewEvent, RunStore } from './run-store';
import { StepFailure, type StepContext, type StepKind, type StepServices } from './step-kind';
import { STEP_KINDS_BY_NAME } from './steps';

/**
 * How long an aborted step may take to stop (a recreate putting the old container back) before
 * the run goes on without it: the lock is released only once the step stopped or this passed.
 */
export const STEP_STOP_GRACE_MS = 15_000;

/**
 * The step's own promise; once `signal` aborts, it still gets `graceMs` to settle (well-behaved
 * steps reject at once), then the abort's reason is thrown so one that ignores the signal cannot
 * hold the run forever.
 */
export function settleAfterAbort<T>(promise: Promise<T>, signal: AbortSignal, clock: Clock, graceMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: Timer | undefined;
    const onAbort = () => {
      timer = clock.setTimeout(() => reject(abortReason(signal)), graceMs);
    };
    const done = () => {
      clock.clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export interface StepRunnerDeps {
  store: RunStore;
  clock: Clock;
  steps: StepServices;
  targets: () => readonly Target[];
}

export type StepEnd = 'succeeded' | 'failed' | 'skipped' | 'canceled';

export interface StepResult {
  state: StepEnd;
  message: string;
  outputs: Record<string, unknown>;
}

export interface StepRunOptions {
  /** The stale-approval re-read: debug events, no stored state, facts into `facts`. */
  silent?: boolean;
  /** Where `context.fact` goes: the run's preflight facts, or the re-read's. Null: not collected. */
  facts?: Map<string, EvidenceFact> | null;
  /** For approval steps: the approval the executor's gate gave (or null when none was needed). */
  approval?: { approvedBy: string; approvedAt: string } | null;
  /**
   * A dry run's summarize steps: outputs of the steps that were only described do not exist, so
   * they read as ‹steps.id.name› (as on the plan) instead of failing the step.
   */
  lenient?: boolean;
}

/** The scope templates read: inputs, target, earlier steps' outputs, the run. */
export function runScope(run: ActiveRun): TemplateScope {
  const scope: TemplateScope = {
    inputs: run.check.values,
    steps: run.outputs,
    run: { id: run.id, startedAt: run.startedAt ?? '' },
  };
  const target = targetScope(run.check.target);
  if (target) scope.target = target;
  return scope;
}

/** An event's text with the run's secret input values replaced. */
export function redactSecrets(run: ActiveRun, text: string): string {
  let result = text;
  for (const secret of run.secretValues) result = result.split(secret).join('[secret]');
  return result;
}

export function appendEvent(store: RunStore, run: ActiveRun, event: NewEvent): void {
  if (run.ended) return;
  let data = event.data ?? null;
  if (data && run.secretValues.length) {
    const text = JSON.stringify(data);
    const redacted = redactSecrets(run, text);
    if (redacted !== text) data = JSON.parse(redacted) as Record<string, unknown>;
  }
  store.append(run.id, { ...event, message: redactSecrets(run, event.message), data });
}

/** One sentence out of a zod failure: the first issue, with the parameter it is about. */
function paramProblem(stepId: string, error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  const where = issue?.path.length ? ` ${issue.path.map(String).join('.')}` : '';
  const message = (issue?.message ?? 'a value is not valid').replace(/\.$/, '');
  return `Step ${stepId} has a bad parameter${where}: ${message}.`;
}

function failureMessage(stepId: string, error: unknown): string {
  if (error instanceof StepFailure || error instanceof ApiError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `Step ${stepId} failed: ${message}`;
}

export class StepRunner {
  constructor(private readonly deps: StepRunnerDeps) {}

  async run(run: ActiveRun, info: RunStepInfo, step: RunbookStep, options: StepRunOptions = {}): Promise<StepResult> {
    const { store, clock } = this.deps;
    const silent = options.silent ?? false;
    const log = (level: RunEventLevel, message: string, data?: Record<string, unknown>) =>
      appendEvent(store, run, { level: silent ? 'debug' : level, phase: info.phase, step: info.id, message, data: data ?? null });
    const update = (patch: Parameters<RunStore['updateStep']>[2]) => {
      if (!silent && !run.ended) store.updateStep(run.id, info.index, patch);
    };
    const scope = runScope(run);
    const started = clock.now();

    const end = (state: StepEnd, message: string, outputs: Record<string, unknown> = {}): StepResult => {
      const endedAt = clock.now();
      const level: RunEventLevel = state === 'failed' ? (step.continueOnError ? 'warn' : 'error') : state === 'canceled' ? 'warn' : 'info';
      log(level, message ? `${info.id} ${state}: ${message}` : `${info.id} ${state}`, {
        event: 'step-end',
        state,
        durationMs: endedAt - started,
        message,
      });
      update({ state, endedAt: new Date(endedAt).toISOString(), message: redactSecrets(run, message), ...(Object.keys(outputs).length ? { outputs } : {}) });
      return { state, message, outputs };
    };

    // The condition, the parameters and the target: a problem here fails the step before it starts.
    let params: StepParams<StepKindName>;
    let target: Target | null = run.check.target;
    try {
      const fill = { lenient: options.lenient ?? false };
      if (step.if !== undefined && !truthy(fillText(step.if, scope, fill))) {
        update({ state: 'skipped', message: `Skipped: ${step.if} is false.` });
        log('info', `${info.id} skipped: ${step.if} is false.`, { event: 'step-end', state: 'skipped', durationMs: 0, message: `${step.if} is false.` });
        return { state: 'skipped', message: `${step.if} is false.`, outputs: {} };
      }
      const parsed = STEP_PARAMS[step.kind].safeParse(fillTemplates(step.with, scope, fill));
      if (!parsed.success) return this.failEarly(run, info, log, update, paramProblem(info.id, parsed.error));
      params = parsed.data as StepParams<StepKindName>;
      if (step.target !== undefined) {
        const name = String(fillText(step.target, scope));
        target = findTarget(this.deps.targets(), name);
        if (!target) return this.failEarly(run, info, log, update, `Step ${info.id} names target "${name}", which does not exist.`);
      }
    } catch (error) {
      return this.failEarly(run, info, log, update, `Step ${info.id}: ${error instanceof Error ? error.message : String(error)}`);
    }

    const kind = STEP_KINDS_BY_NAME[step.kind] as unknown as StepKind<StepKindName>;
    let description = info.description;
    try {
      description = redactSecrets(run, kind.describe(params, target));
    } catch {
      // The planned description stays.
    }

    // The step's own timeout aborts only it; a cancel aborts the run, and so the step.
    const stepController = new AbortController();
    let timeoutText: string | null = null;
    let timer;
    if (step.timeout !== undefined) {
      const text = String(fillText(step.timeout, scope));
      const ms = durationMs(text);
      if (Number.isFinite(ms)) {
        timer = clock.setTimeout(() => {
          timeoutText = text;
          stepController.abort(new AbortedError(`Step ${info.id} timed out after ${text}.`));
        }, ms);
      }
    }
    const signal = AbortSignal.any([run.controller.signal, stepController.signal]);

    update({ state: 'running', startedAt: new Date(started).toISOString(), description });
    log('info', description, { event: 'step-start', kind: step.kind, description });

    const context: StepContext = {
      runId: run.id,
      stepId: info.id,
      target,
      inputs: run.check.values,
      signal,
      clock,
      services: this.deps.steps,
      log: (level, message, data) => log(level, message, data),
      output: (line) => log('output', line),
      writeArtifact: (name, contentType, content) => {
        if (run.ended) throw new AbortedError('The run has ended.');
        return store.writeArtifact(run.id, info.id, name, contentType, content);
      },
      readArtifact: (name) => (run.ended ? null : store.artifactByName(run.id, name)),
      fact: (key, label, value) => {
        if (!options.facts) return;
        options.facts.set(key, { key, label, value });
        if (!silent) run.factSteps.add(info.index);
        log('debug', `Fact ${label}: ${value}`, { event: 'fact', key, label, value });
      },
      outputs: run.outputs,
      approval: options.approval ?? null,
    };

    try {
      const outcome = await settleAfterAbort(kind.run(params, context), signal, clock, STEP_STOP_GRACE_MS);
      return end('succeeded', outcome.message, outcome.outputs ?? {});
    } catch (error) {
      if (run.controller.signal.aborted) return end('canceled', abortReason(run.controller.signal).message);
      if (timeoutText !== null) return end('failed', `Step ${info.id} timed out after ${timeoutText}.`);
      return end('failed', failureMessage(info.id, error), error instanceof StepFailure ? error.outputs : {});
    } finally {
      clock.clearTimeout(timer);
    }
  }

  private failEarly(
    run: ActiveRun,
    info: RunStepInfo,
    log: (level: RunEventLevel, message: string, data?: Record<string, unknown>) => void,
    update: (patch: Parameters<RunStore['updateStep']>[2]) => void,
    message: string,
  ): StepResult {
    const now = isoNow(this.deps.clock);
    update({ state: 'failed', startedAt: now, endedAt: now, message: redactSecrets(run, message) });
    log('error', `${info.id} failed: ${message}`, { event: 'step-end', state: 'failed', durationMs: 0, message });
    return { state: 'failed', message, outputs: {} };
  }
}
