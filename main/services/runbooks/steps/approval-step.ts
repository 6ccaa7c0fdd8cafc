/**
 * The `approval` step kind: a gate the executor holds (shared/model/runbook-steps.ts). When the
 * step applies (`always`, or the target's environment is one the runbook's approval names) the
 * executor stops the run in awaiting-approval before calling `run`, and hands the approval it was
 * given in `context.approval`; this module only describes the step and reports who approved.
 */
import type { StepKind } from '../step-kind';

export const approvalStep: StepKind<'approval'> = {
  kind: 'approval',
  changes: () => false,
  repeatable: () => true,
  describe: (params, target) => {
    const what = params.message ? `: ${params.message}` : '';
    return target ? `Wait for an approval to go on with ${target.name}${what}` : `Wait for an approval${what}`;
  },
  run: (_params, context) => {
    const approval = context.approval ?? null;
    if (!approval) {
      return Promise.resolve({ message: 'No approval is needed here.', outputs: { approvedBy: '', approvedAt: '' } });
    }
    return Promise.resolve({
      message: `Approved by ${approval.approvedBy} at ${approval.approvedAt}.`,
      outputs: { approvedBy: approval.approvedBy, approvedAt: approval.approvedAt },
    });
  },
};
