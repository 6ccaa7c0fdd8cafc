/**
 * The executor's phases on real services (SQLite file, YAML runbooks in the watched folder) with
 * `http` steps against a local endpoint stand-in: phases in order with their events, outputs
 * feeding later steps' templates, input problems, bad parameters, `if`, continueOnError, a verify
 * failure that rolls back, and a dry run that only describes the action.
 */
import { describe, expect, it } from 'vitest';
import { eventsOf, executorFixtureForSuite, stepStates } from './executor-fixture';

const FLOW = `
id: flow
title: Flow
kind: deploy
risk: changes-prod
inputs:
  - name: tag
    required: true
    pattern: 'v\\d+'
  - name: skipNote
    default: 'no'
phases:
  validate:
    - id: reachable
      kind: http
      with: { url: '$ENDPOINT/ok' }
  preflight:
    - id: current
      kind: http
      with: { url: '$ENDPOINT/status/current' }
  action:
    - id: deploy
      kind: http
      with: { method: POST, url: '$ENDPOINT/deploy/{{ inputs.tag }}', body: '{"version":"{{ steps.current.json.version }}"}' }
    - id: note
      kind: http
      if: '{{ inputs.skipNote }}'
      with: { url: '$ENDPOINT/note' }
  verify:
    - id: optional
      kind: http
      continueOnError: true
      with: { url: '$ENDPOINT/status/optional' }
    - id: health
      kind: http
      with: { url: '$ENDPOINT/status/health' }
  summarize:
    - id: report
      kind: summary
      with: { template: 'Deployed {{ inputs.tag }} over {{ steps.current.json.version }} ({{ steps.deploy.status }}).' }
rollback:
  - id: back
    kind: http
    with: { method: POST, url: '$ENDPOINT/rollback' }
rollbackIf: '{{ inputs.tag }}'
`;

const BAD_PARAM = `
id: bad-param
title: Bad parameter
kind: check
risk: read-only
phases:
  preflight:
    - id: weird
      kind: http
      with: { url: '$ENDPOINT/ok', expectStatus: ['{{ inputs.code }}'] }
inputs:
  - name: code
    default: 'abc'
`;

const ELSEWHERE = `
id: elsewhere
title: Elsewhere
kind: check
risk: read-only
inputs:
  - name: where
    required: true
phases:
  preflight:
    - id: there
      kind: http
      target: shop-prod
      with: { url: '$ENDPOINT/ok' }
    - id: nowhere
      kind: http
      target: '{{ inputs.where }}'
      with: { url: '$ENDPOINT/ok' }
`;

const fixture = executorFixtureForSuite({ flow: FLOW, 'bad-param': BAD_PARAM, elsewhere: ELSEWHERE });

describe('the executor runs phases in order', () => {
  it('runs validate, preflight, action, verify and summarize with their events, outputs feeding templates', async () => {
    const { services, stagingId, endpoint } = fixture;
    endpoint.statuses.set('optional', 500);
    const started = services.runbooks.startRun({ runbookId: 'flow', targetId: stagingId, inputs: { tag: 'v2' }, dryRun: false, whenLocked: 'queue' }, 'app');
    expect(['running', 'queued']).toContain(started.status);
    const ended = await services.runbooks.executor.settled(started.id);
    expect(ended.status).toBe('succeeded');
    expect(ended.endedAt).not.toBeNull();

    expect(stepStates(services, started.id)).toEqual({
      'validate/reachable': 'succeeded',
      'preflight/current': 'succeeded',
      'action/deploy': 'succeeded',
      'action/note': 'skipped',
      'verify/optional': 'failed',
      'verify/health': 'succeeded',
      'summarize/report': 'succeeded',
      'rollback/back': 'skipped',
    });
    expect(endpoint.hits.get('/deploy/v2')).toBe(1);
    expect(endpoint.hits.get('/rollback')).toBeUndefined();

    const events = eventsOf(services, started.id);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    const phaseStarts = events.filter((event) => event.data?.event === 'phase-start').map((event) => event.phase);
    expect(phaseStarts).toEqual(['validate', 'preflight', 'action', 'verify', 'summarize']);
    const stepStart = events.find((event) => event.data?.event === 'step-start' && event.step === 'deploy');
    expect(stepStart?.message).toBe(`POST ${endpoint.url}/deploy/v2`);
    const deployEnd = events.find((event) => event.data?.event === 'step-end' && event.step === 'deploy');
    expect(deployEnd?.data).toMatchObject({ state: 'succeeded', message: `POST ${endpoint.url}/deploy/v2 answered 200.` });
    expect(typeof deployEnd?.data?.durationMs).toBe('number');
    expect(events.some((event) => event.level === 'warn' && event.data?.event === 'continue-on-error' && event.step === 'optional')).toBe(true);

    const detail = services.runbooks.detail(started.id);
    expect(detail.summary).toMatch(/^Deployed v2 over v1 \(200\)\.\n\nDone: validate\/reachable/);
    expect(detail.summary).toMatch(/Not done: action\/note \(skipped\); verify\/optional \(failed: GET .*status\/optional answered 500/);
    expect(detail.artifacts.map((artifact) => artifact.name)).toEqual(['summary.md']);

    const audit = services.audit.list({ limit: 50 }).filter((entry) => entry.subject === started.id);
    expect(audit.map((entry) => entry.action).sort()).toEqual(['finish', 'start']);
    expect(audit.find((entry) => entry.action === 'start')?.detail).toMatchObject({ runbook: 'flow', origin: 'app', dryRun: false, startedBy: 'ada' });
    expect(audit.find((entry) => entry.action === 'finish')).toMatchObject({ outcome: 'ok', detail: { status: 'succeeded' } });
    endpoint.statuses.delete('optional');
  });

  it('fails in validate with one error event per bad input and runs nothing else', async () => {
    const { services, stagingId, endpoint } = fixture;
    const before = endpoint.hits.get('/ok') ?? 0;
    const run = services.runbooks.startRun({ runbookId: 'flow', targetId: stagingId, inputs: { tag: 'latest', other: 'x' }, dryRun: false, whenLocked: 'queue' }, 'app');
    const ended = await services.runbooks.executor.settled(run.id);
    expect(ended.status).toBe('failed');
    expect(ended.statusMessage).toBe('2 inputs are not valid.');
    const errors = eventsOf(services, run.id).filter((event) => event.data?.event === 'input-problem');
    expect(errors.map((event) => event.message)).toEqual([
      'flow has no input called other (it takes tag, skipNote).',
      'Input tag must match v\\d+ (got "latest").',
    ]);
    expect(endpoint.hits.get('/ok') ?? 0).toBe(before);
    expect(Object.values(stepStates(services, run.id)).every((state) => state === 'skipped')).toBe(true);
  });

  it('fails a step whose filled parameter does not fit its kind, in one sentence', async () => {
    const { services, stagingId } = fixture;
    const run = services.runbooks.startRun({ runbookId: 'bad-param', targetId: stagingId, inputs: {}, dryRun: false, whenLocked: 'queue' }, 'app');
    const ended = await services.runbooks.executor.settled(run.id);
    expect(ended.status).toBe('failed');
    const step = services.runbooks.store.steps(run.id)[0]!;
    expect(step.state).toBe('failed');
    expect(step.message).toMatch(/^Step weird has a bad parameter expectStatus\.0: .+\.$/);
    expect(ended.statusMessage).toBe(`Preflight failed (weird: ${step.message.replace(/\.$/, '')}).`);
  });

  it('runs a step on its own target and fails one naming a target that does not exist', async () => {
    const { services, stagingId } = fixture;
    const run = services.runbooks.startRun({ runbookId: 'elsewhere', targetId: stagingId, inputs: { where: 'shop-nowhere' }, dryRun: false, whenLocked: 'queue' }, 'app');
    const ended = await services.runbooks.executor.settled(run.id);
    expect(stepStates(services, run.id)).toEqual({ 'preflight/there': 'succeeded', 'preflight/nowhere': 'failed' });
    expect(ended.statusMessage).toBe('Preflight failed (nowhere: Step nowhere names target "shop-nowhere", which does not exist).');
  });

  it('rolls back when verify fails and rollbackIf reads true', async () => {
    const { services, stagingId, endpoint } = fixture;
    endpoint.statuses.set('health', 503);
    const run = services.runbooks.startRun({ runbookId: 'flow', targetId: stagingId, inputs: { tag: 'v3', skipNote: 'no' }, dryRun: false, whenLocked: 'queue' }, 'app');
    const ended = await services.runbooks.executor.settled(run.id);
    endpoint.statuses.delete('health');
    expect(ended.status).toBe('failed');
    expect(ended.statusMessage).toMatch(/^Verify failed \(health: GET .*\/status\/health answered 503 \(expected 200–299\).*\); rolled back\.$/);
    expect(endpoint.hits.get('/rollback')).toBe(1);
    expect(stepStates(services, run.id)).toMatchObject({ 'rollback/back': 'succeeded', 'summarize/report': 'succeeded', 'verify/health': 'failed' });
    const phases = eventsOf(services, run.id).filter((event) => event.data?.event === 'phase-start').map((event) => event.phase);
    expect(phases).toEqual(['validate', 'preflight', 'action', 'verify', 'rollback', 'summarize']);
  });

  it('describes action, verify and rollback in a dry run and changes nothing', async () => {
    const { services, prodId, endpoint } = fixture;
    const run = services.runbooks.startRun({ runbookId: 'flow', targetId: prodId, inputs: { tag: 'v9' }, dryRun: true, whenLocked: 'queue' }, 'opsctl');
    const ended = await services.runbooks.executor.settled(run.id);
    expect(ended.status).toBe('succeeded');
    expect(ended.statusMessage).toBe('Dry run: nothing was changed.');
    expect(endpoint.hits.get('/deploy/v9')).toBeUndefined();
    expect(stepStates(services, run.id)).toMatchObject({
      'preflight/current': 'succeeded',
      'action/deploy': 'described',
      'verify/health': 'described',
      'rollback/back': 'described',
      'summarize/report': 'succeeded',
    });
    // The described steps' outputs do not exist: the summary reads them as the plan does.
    expect(services.runbooks.detail(run.id).summary).toMatch(/^Deployed v9 over v1 \(‹steps\.deploy\.status›\)\.\n\n/);
    const would = eventsOf(services, run.id).filter((event) => event.message.startsWith('Would: '));
    expect(would.map((event) => event.step)).toEqual(['deploy', 'note', 'optional', 'health', 'back']);
    expect(services.runbooks.store.locks()).toEqual([]);
  });
});
