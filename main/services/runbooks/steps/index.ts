/** Every step kind, by name: the executor, plans and dry runs look kinds up here. */
import type { StepKindName } from '../../../../shared/model/runbook-steps';
import type { StepKind } from '../step-kind';
import { approvalStep } from './approval-step';
import { dockerStep } from './docker-step';
import { githubStep } from './github-step';
import { httpStep } from './http-step';
import { logScanStep } from './log-scan-step';
import { opsApiStep } from './ops-api-step';
import { probeStep } from './probe-step';
import { sshStep } from './ssh-step';
import { summaryStep } from './summary-step';
import { waitStep } from './wait-step';

export const STEP_KINDS_BY_NAME: { [K in StepKindName]: StepKind<K> } = {
  probe: probeStep,
  wait: waitStep,
  docker: dockerStep,
  ssh: sshStep,
  http: httpStep,
  github: githubStep,
  'ops-api': opsApiStep,
  'log-scan': logScanStep,
  approval: approvalStep,
  summary: summaryStep,
};

export function stepKind<K extends StepKindName>(kind: K): StepKind<K> {
  return STEP_KINDS_BY_NAME[kind];
}
