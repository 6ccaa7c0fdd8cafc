/**
 * The `summary` step kind (shared/model/runbook-steps.ts). Not built yet.
 */
import type { StepKind } from '../step-kind';

export const summaryStep: StepKind<'summary'> = {
  kind: 'summary',
  changes: () => false,
  repeatable: () => true,
  describe: () => 'summary step',
  run: () => Promise.reject(new Error('The summary step is not built yet.')),
};
