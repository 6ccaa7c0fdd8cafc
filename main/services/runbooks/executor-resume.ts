/**
 * Whether a run may be resumed from its failed step: it ended failed, canceled or interrupted,
 * and every step before the first failed or canceled one declared itself safe to repeat (the
 * validate and preflight steps run again, and a reused step's work must be safe to build on).
 */
import type { RunDetail, RunStepInfo, RunSummary, RunbookDefinition } from '../../../shared/model/runbook';

export type Resumable = RunDetail['resumable'];

const RESUMABLE_STATUSES = new Set(['failed', 'canceled', 'interrupted']);

/** True when the run was given a value for a secret input, which is never stored. */
export function hadSecretInputs(definition: RunbookDefinition, run: RunSummary): boolean {
  return definition.inputs.some((input) => input.type === 'secret' && (run.inputs[input.name] ?? '') !== '');
}

export function resumability(run: RunSummary, steps: readonly RunStepInfo[], definition: RunbookDefinition | null): Resumable {
  if (!RESUMABLE_STATUSES.has(run.status)) {
    return { ok: false, reason: `Only a failed, canceled or interrupted run can resume; this one is ${run.status}.`, fromStep: null };
  }
  if (definition && hadSecretInputs(definition, run)) {
    return { ok: false, reason: `Run ${run.id} had secret inputs; start it again from its plan.`, fromStep: null };
  }
  const ordered = [...steps].sort((a, b) => a.index - b.index);
  const stopped = ordered.find((step) => step.state === 'failed' || step.state === 'canceled');
  if (!stopped) return { ok: false, reason: 'No step failed or was canceled; retry the whole run instead.', fromStep: null };
  const unsafe = ordered.find((step) => step.index < stopped.index && !step.repeatable);
  if (unsafe) {
    return {
      ok: false,
      reason: `Step ${unsafe.id} (${unsafe.phase}) is not safe to repeat; retry the whole run instead.`,
      fromStep: null,
    };
  }
  return { ok: true, reason: `Resumes at step ${stopped.id} (${stopped.phase}).`, fromStep: stopped.id };
}
