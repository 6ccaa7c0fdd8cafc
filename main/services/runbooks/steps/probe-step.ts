/**
 * The `probe` step kind (shared/model/runbook-steps.ts). Not built yet.
 */
import type { StepKind } from '../step-kind';

export const probeStep: StepKind<'probe'> = {
  kind: 'probe',
  changes: () => false,
  repeatable: () => true,
  describe: () => 'probe step',
  run: () => Promise.reject(new Error('The probe step is not built yet.')),
};
