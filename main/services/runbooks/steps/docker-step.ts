/**
 * The `docker` step kind (shared/model/runbook-steps.ts). Not built yet.
 */
import type { StepKind } from '../step-kind';

export const dockerStep: StepKind<'docker'> = {
  kind: 'docker',
  changes: () => false,
  repeatable: () => true,
  describe: () => 'docker step',
  run: () => Promise.reject(new Error('The docker step is not built yet.')),
};
