/**
 * The `ssh` step kind (shared/model/runbook-steps.ts). Not built yet.
 */
import type { StepKind } from '../step-kind';

export const sshStep: StepKind<'ssh'> = {
  kind: 'ssh',
  changes: () => false,
  repeatable: () => true,
  describe: () => 'ssh step',
  run: () => Promise.reject(new Error('The ssh step is not built yet.')),
};
