/**
 * The `approval` step kind (shared/model/runbook-steps.ts). Not built yet.
 */
import type { StepKind } from '../step-kind';

export const approvalStep: StepKind<'approval'> = {
  kind: 'approval',
  changes: () => false,
  repeatable: () => true,
  describe: () => 'approval step',
  run: () => Promise.reject(new Error('The approval step is not built yet.')),
};
