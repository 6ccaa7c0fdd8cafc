/**
 * The `github` step kind (shared/model/runbook-steps.ts). Not built yet.
 */
import type { StepKind } from '../step-kind';

export const githubStep: StepKind<'github'> = {
  kind: 'github',
  changes: () => false,
  repeatable: () => true,
  describe: () => 'github step',
  run: () => Promise.reject(new Error('The github step is not built yet.')),
};
