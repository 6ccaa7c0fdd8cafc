/**
 * The `log-scan` step kind (shared/model/runbook-steps.ts). Not built yet.
 */
import type { StepKind } from '../step-kind';

export const logScanStep: StepKind<'log-scan'> = {
  kind: 'log-scan',
  changes: () => false,
  repeatable: () => true,
  describe: () => 'log-scan step',
  run: () => Promise.reject(new Error('The log-scan step is not built yet.')),
};
