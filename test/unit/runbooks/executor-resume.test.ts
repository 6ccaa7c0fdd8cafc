import { describe, expect, it } from 'vitest';
import { hadSecretInputs, resumability } from '../../../main/services/runbooks/executor-resume';
import { RunbookDefinition, type RunStepInfo, type RunSummary } from '../../../shared/model/runbook';

const definition = RunbookDefinition.parse({
  id: 'deploy-ish',
  title: 'Deploy-ish',
  kind: 'deploy',
  risk: 'changes-prod',
  inputs: [{ name: 'token', type: 'secret' }, { name: 'tag' }],
});

const run = (status: RunSummary['status'], inputs: Record<string, string> = { tag: 'v1' }): RunSummary => ({
  id: 'run-1',
  runbookId: 'deploy-ish',
  runbookTitle: 'Deploy-ish',
  risk: 'changes-prod',
  targetId: 't',
  targetName: 'shop-prod',
  environment: 'prod',
  status,
  dryRun: false,
  statusMessage: '',
  startedBy: 'ada',
  origin: 'app',
  lane: null,
  inputs,
  retryOf: null,
  resumedFrom: null,
  createdAt: '2024-05-01T10:00:00.000Z',
  startedAt: null,
  endedAt: null,
  durationMs: null,
  lastSeq: 0,
});

const step = (index: number, id: string, state: RunStepInfo['state'], repeatable = true): RunStepInfo => ({
  index,
  phase: index === 0 ? 'preflight' : 'action',
  id,
  kind: 'docker',
  description: id,
  state,
  changes: index > 0,
  repeatable,
  startedAt: null,
  endedAt: null,
  durationMs: null,
  message: '',
});

describe('resumability', () => {
  it('resumes a failed run at its first failed or canceled step when every step before it is repeatable', () => {
    const steps = [step(0, 'inspect', 'succeeded'), step(1, 'pull', 'succeeded'), step(2, 'recreate', 'canceled'), step(3, 'after', 'skipped', false)];
    expect(resumability(run('canceled'), steps, definition)).toEqual({ ok: true, reason: 'Resumes at step recreate (action).', fromStep: 'recreate' });
  });

  it('says why not: a run still going or succeeded, no failed step, a step not safe to repeat, secret inputs', () => {
    const failed = [step(0, 'inspect', 'succeeded'), step(1, 'ssh', 'succeeded', false), step(2, 'recreate', 'failed')];
    expect(resumability(run('running'), failed, definition).reason).toBe('Only a failed, canceled or interrupted run can resume; this one is running.');
    expect(resumability(run('failed'), [step(0, 'inspect', 'succeeded')], definition).reason).toBe('No step failed or was canceled; retry the whole run instead.');
    expect(resumability(run('interrupted'), failed, definition)).toEqual({ ok: false, reason: 'Step ssh (action) is not safe to repeat; retry the whole run instead.', fromStep: null });
    const secret = run('failed', { token: '[secret]', tag: 'v1' });
    expect(hadSecretInputs(definition, secret)).toBe(true);
    expect(resumability(secret, failed, definition).reason).toBe('Run run-1 had secret inputs; start it again from its plan.');
  });
});
