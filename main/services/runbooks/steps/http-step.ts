/**
 * The `http` step kind (shared/model/runbook-steps.ts). Not built yet.
 */
import type { StepKind } from '../step-kind';

export const httpStep: StepKind<'http'> = {
  kind: 'http',
  changes: () => false,
  repeatable: () => true,
  describe: () => 'http step',
  run: () => Promise.reject(new Error('The http step is not built yet.')),
};
