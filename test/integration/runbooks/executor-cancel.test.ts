/**
 * Cancel and timeouts on real services: a step hanging on the endpoint stand-in is aborted
 * through its signal (the stand-in sees the request go), steps not started are skipped and the
 * summary says what was done and what was not; a step's own timeout runs on the fake clock.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock';
import { waitFor } from '../../support/keyring';
import { apiErrorFrom, eventsOf, executorFixtureForSuite, stepStates, waitForStep } from './executor-fixture';

const HANGS = `
id: hangs
title: Hangs
kind: restart
risk: changes-prod
phases:
  preflight:
    - id: look
      kind: http
      with: { url: '$ENDPOINT/ok' }
  action:
    - id: stuck
      kind: http
      with: { method: POST, url: '$ENDPOINT/hang/stuck' }
    - id: after
      kind: http
      with: { method: POST, url: '$ENDPOINT/after' }
  verify:
    - id: check
      kind: http
      with: { url: '$ENDPOINT/ok' }
`;

const TIMES_OUT = `
id: times-out
title: Times out
kind: check
risk: read-only
phases:
  preflight:
    - id: slow
      kind: http
      timeout: 30s
      with: { url: '$ENDPOINT/hang/slow' }
    - id: next
      kind: http
      with: { url: '$ENDPOINT/ok' }
`;

describe('cancel', () => {
  const fixture = executorFixtureForSuite({ hangs: HANGS });

  it('aborts the running step, skips the rest and says what was done and what was not', async () => {
    const { services, stagingId, endpoint } = fixture;
    const run = services.runbooks.startRun({ runbookId: 'hangs', targetId: stagingId, inputs: {}, dryRun: false, whenLocked: 'queue' }, 'app');
    await waitForStep(services, run.id, 'stuck', 'running');
    await waitFor(() => endpoint.waiting('stuck') === 1, 5_000, 'the stand-in to hold the request');

    services.runbooks.cancel(run.id);
    const ended = await services.runbooks.executor.settled(run.id);
    expect(ended.status).toBe('canceled');
    expect(ended.statusMessage).toBe('Canceled by ada during step stuck.');
    await waitFor(() => endpoint.waiting('stuck') === 0, 5_000, 'the aborted request to close');
    expect(stepStates(services, run.id)).toEqual({
      'preflight/look': 'succeeded',
      'action/stuck': 'canceled',
      'action/after': 'skipped',
      'verify/check': 'skipped',
    });
    expect(endpoint.hits.get('/after')).toBeUndefined();
    const detail = services.runbooks.detail(run.id);
    expect(detail.summary).toBe(
      'Done: preflight/look (GET ' + endpoint.url + '/ok answered 200.).\n' +
        'Not done: action/stuck (canceled mid-step); action/after (skipped); verify/check (skipped).',
    );
    expect(services.runbooks.store.locks()).toEqual([]);
    const audit = services.audit.list({ limit: 50 }).filter((entry) => entry.subject === run.id);
    expect(audit.map((entry) => [entry.action, entry.outcome])).toEqual(expect.arrayContaining([['cancel', 'ok'], ['finish', 'canceled']]));
    expect(eventsOf(services, run.id).at(-1)?.data).toMatchObject({ event: 'run-end', status: 'canceled' });

    // An ended run cannot be canceled again.
    const again = apiErrorFrom(() => services.runbooks.cancel(run.id));
    expect(again.code).toBe('conflict');
    expect(again.message).toBe(`Run ${run.id} already ended (canceled); there is nothing to cancel.`);
  });
});

describe('shutting down', () => {
  const clock = new FakeClock();
  const fixture = executorFixtureForSuite({ hangs: HANGS }, { clock });

  it('aborts running steps, marks their runs interrupted, frees their locks and leaves no timer', async () => {
    const { services, stagingId, prodId, endpoint } = fixture;
    const running = services.runbooks.startRun({ runbookId: 'hangs', targetId: stagingId, inputs: {}, dryRun: false, whenLocked: 'queue' }, 'app');
    const awaiting = services.runbooks.startRun({ runbookId: 'hangs', targetId: prodId, inputs: {}, dryRun: false, whenLocked: 'queue' }, 'app');
    await waitFor(() => endpoint.waiting('stuck') === 1, 5_000, 'the stand-in to hold the request');
    await waitFor(() => services.runbooks.store.getRun(awaiting.id).status === 'awaiting-approval', 5_000, 'the prod run to wait for approval');
    const settled = [services.runbooks.executor.settled(running.id), services.runbooks.executor.settled(awaiting.id)];

    services.runbooks.executor.dispose();
    const [a, b] = await Promise.all(settled);
    expect(a).toMatchObject({ status: 'interrupted', statusMessage: 'Control Room stopped while this run was running; nothing was resumed.' });
    expect(b).toMatchObject({ status: 'interrupted', statusMessage: 'Control Room stopped while this run was awaiting approval; nothing was resumed.' });
    expect(stepStates(services, running.id)).toMatchObject({ 'action/stuck': 'failed', 'action/after': 'skipped' });
    expect(services.runbooks.store.locks()).toEqual([]);
    await waitFor(() => endpoint.waiting('stuck') === 0, 5_000, 'the aborted request to close');
    expect(clock.pendingDelays.filter((ms) => ms === 30 * 60_000)).toEqual([]);
    expect(() => services.runbooks.startRun({ runbookId: 'hangs', targetId: stagingId, inputs: {}, dryRun: false, whenLocked: 'queue' }, 'app')).toThrow(
      'Control Room is shutting down; start the run again after it restarts.',
    );
  });
});

describe('a step timeout', () => {
  const clock = new FakeClock();
  const fixture = executorFixtureForSuite({ 'times-out': TIMES_OUT }, { clock });

  it('aborts only the step after its timeout on the clock and fails the run', async () => {
    const { services, stagingId, endpoint } = fixture;
    const run = services.runbooks.startRun({ runbookId: 'times-out', targetId: stagingId, inputs: {}, dryRun: false, whenLocked: 'queue' }, 'app');
    await waitFor(() => endpoint.waiting('slow') === 1, 5_000, 'the slow request to be held');
    await clock.advanceAsync(29_000);
    expect(services.runbooks.store.getRun(run.id).status).toBe('running');
    await clock.advanceAsync(1_000);
    const ended = await services.runbooks.executor.settled(run.id);
    expect(ended.status).toBe('failed');
    expect(ended.statusMessage).toBe('Preflight failed (slow: Step slow timed out after 30s).');
    expect(stepStates(services, run.id)).toEqual({ 'preflight/slow': 'failed', 'preflight/next': 'skipped' });
    await waitFor(() => endpoint.waiting('slow') === 0, 5_000, 'the timed-out request to close');
  });
});
