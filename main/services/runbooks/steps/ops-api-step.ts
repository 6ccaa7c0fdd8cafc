/**
 * The `ops-api` step kind (shared/model/runbook-steps.ts). Not built yet.
 */
import type { StepKind } from '../step-kind';

export const opsApiStep: StepKind<'ops-api'> = {
  kind: 'ops-api',
  changes: () => false,
  repeatable: () => true,
  describe: () => 'ops-api step',
  run: () => Promise.reject(new Error('The ops-api step is not built yet.')),
};
