import { describe, expect, it } from 'vitest';
import { runSummaryText } from '../../../main/services/runbooks/run-summary-text';
import type { RunStepInfo } from '../../../shared/model/runbook';

const step = (index: number, phase: RunStepInfo['phase'], id: string, state: RunStepInfo['state'], message = ''): RunStepInfo => ({
  index,
  phase,
  id,
  kind: 'http',
  description: id,
  state,
  changes: false,
  repeatable: true,
  startedAt: null,
  endedAt: null,
  durationMs: null,
  message,
});

describe('runSummaryText', () => {
  it('lists done steps and not-done steps with why, in step order', () => {
    const text = runSummaryText([
      step(2, 'action', 'recreate', 'canceled', 'Canceled by ada.'),
      step(0, 'preflight', 'probes', 'succeeded', '2 of 2 probes ok'),
      step(1, 'action', 'pull', 'reused'),
      step(3, 'verify', 'health', 'pending'),
      step(4, 'verify', 'logs', 'failed', 'Too many errors.'),
      step(5, 'summarize', 'report', 'skipped'),
      step(6, 'rollback', 'back', 'described'),
    ]);
    expect(text).toBe(
      'Done: preflight/probes (2 of 2 probes ok); action/pull (reused from the earlier run).\n' +
        'Not done: action/recreate (canceled mid-step); verify/health (not started); verify/logs (failed: Too many errors.); summarize/report (skipped); rollback/back (described only (dry run)).',
    );
  });

  it('says nothing for an empty side and puts a summary step text first', () => {
    expect(runSummaryText([step(0, 'preflight', 'probes', 'succeeded')], 'Deployed v2.')).toBe('Deployed v2.\n\nDone: preflight/probes.\nNot done: nothing.');
    expect(runSummaryText([])).toBe('Done: nothing.\nNot done: nothing.');
  });
});
