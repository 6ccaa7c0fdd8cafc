/**
 * What a run did and did not do, in words: the text a run keeps once it ended ("Done: … Not
 * done: …"), so whoever reads the history after a cancel or a failure knows exactly which
 * changes happened without reading every event.
 */
import type { RunStepInfo, StepState } from '../../../shared/model/runbook';

/** Why a step that was not done was not, in a few words. */
const NOT_DONE_REASON: Partial<Record<StepState, string>> = {
  pending: 'not started',
  running: 'did not finish',
  skipped: 'skipped',
  canceled: 'canceled mid-step',
  described: 'described only (dry run)',
};

function label(step: RunStepInfo): string {
  return `${step.phase}/${step.id}`;
}

function done(step: RunStepInfo): string {
  const note = step.state === 'reused' ? 'reused from the earlier run' : step.message;
  return note ? `${label(step)} (${note})` : label(step);
}

function notDone(step: RunStepInfo): string {
  if (step.state === 'failed') return `${label(step)} (failed: ${step.message || 'no message'})`;
  return `${label(step)} (${NOT_DONE_REASON[step.state] ?? step.state})`;
}

/**
 * "Done: preflight/probes (2 of 2 probes ok); action/recreate (…).\nNot done: verify/health
 * (failed: …); summarize/report (skipped)." Either line reads "nothing" when empty. `lead` (a
 * summary step's text) comes first, separated by a blank line.
 */
export function runSummaryText(steps: readonly RunStepInfo[], lead?: string | null): string {
  const ordered = [...steps].sort((a, b) => a.index - b.index);
  const doneSteps = ordered.filter((step) => step.state === 'succeeded' || step.state === 'reused');
  const notDoneSteps = ordered.filter((step) => step.state !== 'succeeded' && step.state !== 'reused');
  const lines = [
    `Done: ${doneSteps.length ? doneSteps.map(done).join('; ') : 'nothing'}.`,
    `Not done: ${notDoneSteps.length ? notDoneSteps.map(notDone).join('; ') : 'nothing'}.`,
  ];
  const text = lines.join('\n');
  return lead?.trim() ? `${lead.trim()}\n\n${text}` : text;
}
