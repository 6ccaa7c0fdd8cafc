/**
 * The `wait` step kind (shared/model/runbook-steps.ts). Not built yet.
 */
import type { StepKind } from '../step-kind';

export const waitStep: StepKind<'wait'> = {
  kind: 'wait',
  changes: () => false,
  repeatable: () => true,
  describe: () => 'wait step',
  run: () => Promise.reject(new Error('The wait step is not built yet.')),
};
