/**
 * Locks and lanes on real services: one changing run per target (a second waits in the queue
 * and starts when the first ends, or is refused with the reason), read-only runs in four lanes
 * (a fifth waits for a free one), and read-only runs never wait for a changing run. Each run's
 * step hangs on the endpoint stand-in until the test releases it.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../support/keyring';
import { executorFixtureForSuite, waitForStatus } from './executor-fixture';

const CHANGE = `
id: change
title: Change
kind: restart
risk: changes-prod
inputs:
  - name: name
    required: true
phases:
  action:
    - id: work
      kind: http
      with: { method: POST, url: '$ENDPOINT/hang/{{ inputs.name }}' }
`;

const READ = `
id: read
title: Read
kind: healthcheck
risk: read-only
inputs:
  - name: name
    required: true
phases:
  preflight:
    - id: look
      kind: http
      with: { url: '$ENDPOINT/hang/{{ inputs.name }}' }
`;

const fixture = executorFixtureForSuite({ change: CHANGE, read: READ });

const start = (runbookId: string, name: string, whenLocked: 'queue' | 'refuse' = 'queue') =>
  fixture.services.runbooks.startRun({ runbookId, targetId: fixture.stagingId, inputs: { name }, dryRun: false, whenLocked }, 'app');

const holding = (name: string) => waitFor(() => fixture.endpoint.waiting(name) === 1, 5_000, `the stand-in to hold ${name}`);

describe('one changing run per target', () => {
  it('queues a second changing run and starts it when the first ends; refuses one that asks to be refused', async () => {
    const { services, endpoint } = fixture;
    const first = start('change', 'first');
    expect(first.status).toBe('running');
    expect(first.lane).toBeNull();
    await holding('first');

    const second = start('change', 'second');
    expect(second.status).toBe('queued');
    expect(second.statusMessage).toBe(`Waiting for run ${first.id} on shop-staging.`);

    const refused = start('change', 'third', 'refuse');
    expect(refused.status).toBe('refused');
    expect(refused.statusMessage).toBe(`Run ${first.id} (change by ada) is changing shop-staging; try again when it ends.`);
    expect(services.audit.list({ limit: 100 }).find((entry) => entry.subject === refused.id && entry.action === 'finish')?.detail).toMatchObject({ status: 'refused' });

    // A read-only run on the same target does not wait for the changing one.
    const read = start('read', 'beside');
    expect(read.status).toBe('running');
    expect(read.lane).toBe('A');
    await holding('beside');
    endpoint.release('beside');
    expect((await services.runbooks.executor.settled(read.id)).status).toBe('succeeded');

    expect(endpoint.waiting('second')).toBe(0);
    endpoint.release('first');
    expect((await services.runbooks.executor.settled(first.id)).status).toBe('succeeded');
    await waitForStatus(services, second.id, 'running');
    await holding('second');
    expect(services.runbooks.store.locks()).toEqual([expect.objectContaining({ targetId: fixture.stagingId, runId: second.id })]);
    endpoint.release('second');
    expect((await services.runbooks.executor.settled(second.id)).status).toBe('succeeded');
    expect(services.runbooks.store.locks()).toEqual([]);
    expect(endpoint.hits.get('/hang/third')).toBeUndefined();
  });
});

describe('a lock held by another process', () => {
  it('waits for a run this process does not own and starts once that lock is let go', async () => {
    const { services, stagingId, endpoint } = fixture;
    // As an `opsctl run` in another process would hold it.
    expect(services.runbooks.store.takeLock(stagingId, 'run-elsewhere')).toBe(true);
    const run = start('change', 'after-foreign');
    expect(run.status).toBe('queued');
    expect(run.statusMessage).toBe('Waiting for run run-elsewhere on shop-staging.');
    // A run the store shows active that this process does not hold is another process's to cancel.
    const foreign = services.runbooks.store.createRun({
      runbook: services.runbooks.catalog.get('change'),
      risk: 'changes-prod',
      target: { id: stagingId, name: 'shop-staging', environment: 'staging' },
      inputs: {},
      dryRun: false,
      startedBy: 'bo',
      origin: 'opsctl',
      retryOf: null,
      resumedFrom: null,
    });
    expect(() => services.runbooks.cancel(foreign.id)).toThrow(`Run ${foreign.id} lives in another Control Room process; cancel it there.`);
    services.runbooks.store.updateRun(foreign.id, { status: 'canceled', endedAt: new Date().toISOString() });
    services.runbooks.store.releaseLock(stagingId, 'run-elsewhere');
    await waitForStatus(services, run.id, 'running');
    await holding('after-foreign');
    endpoint.release('after-foreign');
    expect((await services.runbooks.executor.settled(run.id)).status).toBe('succeeded');
  });
});

describe('read-only lanes', () => {
  it('runs four read-only runs at once in lanes A–D; the fifth waits for a free lane', async () => {
    const { services, endpoint } = fixture;
    const runs = ['r1', 'r2', 'r3', 'r4'].map((name) => start('read', name));
    expect(runs.map((run) => run.lane)).toEqual(['A', 'B', 'C', 'D']);
    expect(runs.every((run) => run.status === 'running')).toBe(true);
    await Promise.all(['r1', 'r2', 'r3', 'r4'].map(holding));

    const fifth = start('read', 'r5');
    expect(fifth.status).toBe('queued');
    expect(fifth.lane).toBeNull();
    expect(fifth.statusMessage).toBe('Waiting for a free lane (4 read-only runs are running).');

    endpoint.release('r3');
    await services.runbooks.executor.settled(runs[2]!.id);
    const started = await waitForStatus(services, fifth.id, 'running');
    expect(started.lane).toBe('C');
    await holding('r5');
    for (const name of ['r1', 'r2', 'r4', 'r5']) endpoint.release(name);
    const ended = await Promise.all([...runs, fifth].map((run) => services.runbooks.executor.settled(run.id)));
    expect(ended.map((run) => run.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
  });

  it('takes a queued run out of the queue when it is canceled', async () => {
    const { services, endpoint } = fixture;
    const runs = ['q1', 'q2', 'q3', 'q4'].map((name) => start('read', name));
    await Promise.all(['q1', 'q2', 'q3', 'q4'].map(holding));
    const waiting = start('read', 'q5');
    expect(waiting.status).toBe('queued');
    const canceled = services.runbooks.cancel(waiting.id);
    expect(canceled.status).toBe('canceled');
    expect(canceled.statusMessage).toBe('Canceled by ada before it started.');
    endpoint.release('q1');
    await services.runbooks.executor.settled(runs[0]!.id);
    for (const name of ['q2', 'q3', 'q4']) endpoint.release(name);
    await Promise.all(runs.map((run) => services.runbooks.executor.settled(run.id)));
    expect(endpoint.hits.get('/hang/q5')).toBeUndefined();
    expect(services.runbooks.store.getRun(waiting.id).status).toBe('canceled');
  });
});
