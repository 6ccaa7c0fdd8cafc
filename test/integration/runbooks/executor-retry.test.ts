/**
 * Retry, resume and crash recovery on real services. A retry runs the same definition with the
 * same inputs, linked to the first run; a resume reuses the action steps that succeeded (their
 * outputs copied) and starts at the failed step, only when every step before it is safe to repeat.
 * A crash is simulated by closing the database under live runs without disposing anything; the
 * next services on the same data directory mark them interrupted, release their locks with audit
 * entries, and run nothing again.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../support/keyring';
import { apiErrorFrom, eventsOf, executorFixtureForSuite, stepStates, waitForStatus, waitForStep } from './executor-fixture';

const STEPS = `
id: steps
title: Steps
kind: deploy
risk: changes-prod
inputs:
  - name: tag
    default: v1
phases:
  preflight:
    - id: look
      kind: http
      with: { url: '$ENDPOINT/ok' }
  action:
    - id: one
      kind: http
      with: { method: PUT, url: '$ENDPOINT/one/{{ inputs.tag }}' }
    - id: two
      kind: http
      with: { method: PUT, url: '$ENDPOINT/status/two', body: '{{ steps.one.json.route }}' }
  verify:
    - id: three
      kind: http
      with: { url: '$ENDPOINT/three' }
`;

const ONCE = `
id: once
title: Once
kind: deploy
risk: changes-prod
phases:
  action:
    - id: post
      kind: http
      with: { method: POST, url: '$ENDPOINT/post' }
    - id: fails
      kind: http
      with: { method: PUT, url: '$ENDPOINT/status/fails' }
`;

const SECRETIVE = `
id: secretive
title: Secretive
kind: check
risk: read-only
inputs:
  - name: password
    type: secret
    required: true
phases:
  preflight:
    - id: fails
      kind: http
      with: { url: '$ENDPOINT/status/secretive?pass={{ inputs.password }}', headers: { x-pass: '{{ inputs.password }}' } }
`;

const HANG = `
id: hang
title: Hang
kind: restart
risk: changes-prod
inputs:
  - name: name
    required: true
phases:
  preflight:
    - id: look
      kind: http
      with: { url: '$ENDPOINT/ok' }
  action:
    - id: work
      kind: http
      with: { method: PUT, url: '$ENDPOINT/hang/{{ inputs.name }}' }
    - id: later
      kind: http
      with: { method: PUT, url: '$ENDPOINT/later' }
`;

describe('retry and resume', () => {
  const fixture = executorFixtureForSuite({ steps: STEPS, once: ONCE, secretive: SECRETIVE });

  it('retries with the same inputs, and resumes from the failed step reusing what succeeded', async () => {
    const { services, stagingId, endpoint } = fixture;
    endpoint.statuses.set('two', 500);
    const first = services.runbooks.startRun({ runbookId: 'steps', targetId: stagingId, inputs: { tag: 'v7' }, dryRun: false, whenLocked: 'queue' }, 'app');
    expect((await services.runbooks.executor.settled(first.id)).status).toBe('failed');
    expect(services.runbooks.detail(first.id).resumable).toEqual({ ok: true, reason: 'Resumes at step two (action).', fromStep: 'two' });

    const retry = services.runbooks.retry(first.id, false, 'opsctl');
    expect(retry).toMatchObject({ retryOf: first.id, resumedFrom: null, inputs: { tag: 'v7' }, origin: 'opsctl' });
    expect((await services.runbooks.executor.settled(retry.id)).status).toBe('failed');
    expect(endpoint.hits.get('/one/v7')).toBe(2);

    endpoint.statuses.set('two', 200);
    const resumed = services.runbooks.retry(first.id, true, 'app');
    expect(resumed).toMatchObject({ retryOf: first.id, resumedFrom: 'two' });
    const ended = await services.runbooks.executor.settled(resumed.id);
    expect(ended.status).toBe('succeeded');
    expect(endpoint.hits.get('/one/v7')).toBe(2);
    expect(endpoint.hits.get('/ok')).toBe(3);
    expect(stepStates(services, resumed.id)).toEqual({ 'preflight/look': 'succeeded', 'action/one': 'reused', 'action/two': 'succeeded', 'verify/three': 'succeeded' });
    expect(services.runbooks.store.stepOutputs(resumed.id).one).toMatchObject({ status: 200, json: { route: 'one' } });
    expect(eventsOf(services, resumed.id).some((event) => event.step === 'one' && event.message === `Reused from run ${first.id}`)).toBe(true);
    expect(services.runbooks.detail(resumed.id).summary).toContain('action/one (reused from the earlier run)');
    expect(services.audit.list({ limit: 200 }).find((entry) => entry.subject === resumed.id && entry.action === 'start')?.detail).toMatchObject({ retryOf: first.id, resumedFrom: 'two' });

    // A run that succeeded does not resume.
    const notResumable = apiErrorFrom(() => services.runbooks.retry(resumed.id, true, 'app'));
    expect(notResumable.code).toBe('conflict');
    expect(notResumable.message).toBe('Only a failed, canceled or interrupted run can resume; this one is succeeded.');
    endpoint.statuses.delete('two');
  });

  it('refuses to resume past a step that is not safe to repeat', async () => {
    const { services, stagingId, endpoint } = fixture;
    endpoint.statuses.set('fails', 500);
    const run = services.runbooks.startRun({ runbookId: 'once', targetId: stagingId, inputs: {}, dryRun: false, whenLocked: 'queue' }, 'app');
    expect((await services.runbooks.executor.settled(run.id)).status).toBe('failed');
    const reason = 'Step post (action) is not safe to repeat; retry the whole run instead.';
    expect(services.runbooks.detail(run.id).resumable).toEqual({ ok: false, reason, fromStep: null });
    const error = apiErrorFrom(() => services.runbooks.retry(run.id, true, 'app'));
    expect(error.code).toBe('conflict');
    expect(error.message).toBe(reason);
    endpoint.statuses.delete('fails');
  });

  it('does not retry a run that had secret inputs, and keeps secrets out of its record', async () => {
    const { services, stagingId, endpoint } = fixture;
    endpoint.statuses.set('secretive', 500);
    const run = services.runbooks.startRun({ runbookId: 'secretive', targetId: stagingId, inputs: { password: 'hunter2-secret' }, dryRun: false, whenLocked: 'queue' }, 'app');
    expect((await services.runbooks.executor.settled(run.id)).status).toBe('failed');
    expect(services.runbooks.store.getRun(run.id).inputs).toEqual({ password: '[secret]' });
    const events = eventsOf(services, run.id);
    expect(events.some((event) => event.message.includes('pass=[secret]'))).toBe(true);
    expect(JSON.stringify({ events, detail: services.runbooks.detail(run.id) })).not.toContain('hunter2-secret');
    const error = apiErrorFrom(() => services.runbooks.retry(run.id, false, 'app'));
    expect(error.code).toBe('invalid-request');
    expect(error.message).toBe(`Run ${run.id} had secret inputs; start it again from its plan.`);
    endpoint.statuses.delete('secretive');
  });
});

describe('crash recovery', () => {
  const fixture = executorFixtureForSuite({ hang: HANG });

  it('marks runs a crash left active as interrupted, releases their locks with audit entries and runs nothing again', async () => {
    const { endpoint, prodId, stagingId } = fixture;
    const before = fixture.services;
    const running = before.runbooks.startRun({ runbookId: 'hang', targetId: stagingId, inputs: { name: 'crash' }, dryRun: false, whenLocked: 'queue' }, 'app');
    await waitForStep(before, running.id, 'work', 'running');
    await waitFor(() => endpoint.waiting('crash') === 1, 5_000, 'the stand-in to hold the request');
    const queued = before.runbooks.startRun({ runbookId: 'hang', targetId: stagingId, inputs: { name: 'queued' }, dryRun: false, whenLocked: 'queue' }, 'app');
    expect(queued.status).toBe('queued');
    const awaiting = before.runbooks.startRun({ runbookId: 'hang', targetId: prodId, inputs: { name: 'prod' }, dryRun: false, whenLocked: 'queue' }, 'app');
    await waitForStatus(before, awaiting.id, 'awaiting-approval');
    const eventsBefore = eventsOf(before, running.id).length;

    // The crash: the file is left as it is, nothing is disposed.
    before.runbooks.store.flush();
    before.db.close();

    const after = fixture.reopen();
    const message = (was: string) => `Control Room stopped while this run was ${was}; nothing was resumed.`;
    expect(after.runbooks.store.getRun(running.id)).toMatchObject({ status: 'interrupted', statusMessage: message('running') });
    expect(after.runbooks.store.getRun(queued.id)).toMatchObject({ status: 'interrupted', statusMessage: message('queued') });
    expect(after.runbooks.store.getRun(awaiting.id)).toMatchObject({ status: 'interrupted', statusMessage: message('awaiting approval') });
    expect(stepStates(after, running.id)).toEqual({ 'preflight/look': 'succeeded', 'action/work': 'failed', 'action/later': 'skipped' });
    expect(after.runbooks.store.steps(running.id).find((step) => step.id === 'work')?.message).toBe('interrupted');
    const events = eventsOf(after, running.id);
    expect(events.length).toBe(eventsBefore + 1);
    expect(events.at(-1)).toMatchObject({ level: 'error', message: message('running') });
    expect(after.runbooks.store.locks()).toEqual([]);

    const releases = after.audit.list({ limit: 200 }).filter((entry) => entry.action === 'release-lock');
    expect(releases.map((entry) => entry.subject).sort()).toEqual([running.id, awaiting.id].sort());
    expect(releases[0]?.detail).toMatchObject({ message: 'Released after Control Room stopped mid-run' });
    expect(after.runbooks.detail(running.id).resumable.ok).toBe(true);

    // Nothing runs again by itself: no new request reaches the stand-in.
    expect(endpoint.hits.get('/hang/crash')).toBe(1);
    expect(endpoint.hits.get('/hang/queued')).toBeUndefined();
    expect(endpoint.hits.get('/later')).toBeUndefined();
  });
});
