/**
 * Approvals on real services: a changing run on a prod target stops after preflight with frozen
 * evidence (its http step's status is the fact, read from the endpoint stand-in); a wrong typed
 * confirmation or evidence hash is refused; the right one runs the action; a fact that changes
 * between preflight and approval asks again, showing what changed; an approval not given in
 * time (fake clock) ends the run and frees the lock; an explicit `approval` step with `always`.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock';
import { waitFor } from '../../support/keyring';
import { apiErrorFrom, eventsOf, executorFixtureForSuite, stepStates, waitForStatus } from './executor-fixture';

const DEPLOY = `
id: ship
title: Ship
kind: deploy
risk: changes-prod
inputs:
  - name: tag
    default: v2
phases:
  preflight:
    - id: backend
      kind: http
      with: { url: '$ENDPOINT/status/backend' }
  action:
    - id: roll
      kind: http
      with: { method: POST, url: '$ENDPOINT/roll/{{ inputs.tag }}' }
  verify:
    - id: approved-by
      kind: summary
      with: { template: 'ok' }
`;

const GATED = `
id: gated
title: Gated
kind: maintenance
risk: read-only
inputs:
  - name: second
phases:
  preflight:
    - id: ask
      kind: approval
      with: { always: true, message: 'Check the dashboard first' }
    - id: never
      kind: approval
      if: "{{ inputs.second || '' }}"
      with: { always: true }
    - id: look
      kind: http
      with: { url: '$ENDPOINT/gated' }
  summarize:
    - id: who
      kind: summary
      with: { template: 'Approved by {{ steps.ask.approvedBy }}' }
`;

describe('approvals on prod', () => {
  const fixture = executorFixtureForSuite({ ship: DEPLOY, gated: GATED });

  it('stops after preflight with evidence, refuses a wrong confirmation or hash, and runs the action once approved', async () => {
    const { services, prodId, endpoint } = fixture;
    const run = services.runbooks.startRun({ runbookId: 'ship', targetId: prodId, inputs: {}, dryRun: false, whenLocked: 'queue' }, 'app');
    await waitForStatus(services, run.id, 'awaiting-approval');
    const detail = services.runbooks.detail(run.id);
    const approval = detail.approval!;
    const factKey = `http:GET ${endpoint.url}/status/backend`;
    expect(approval.evidence.facts).toEqual([{ key: factKey, label: `GET ${endpoint.url}/status/backend`, value: '200' }]);
    expect(approval.evidence.changes).toEqual([`POST ${endpoint.url}/roll/v2`]);
    expect(approval.evidence.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(approval.confirmText).toBe('shop-prod');
    expect(Date.parse(approval.expiresAt) - Date.parse(approval.requestedAt)).toBe(30 * 60_000);
    expect(approval.changed).toEqual([]);
    expect(stepStates(services, run.id)).toMatchObject({ 'preflight/backend': 'succeeded', 'action/roll': 'pending' });
    expect(services.runbooks.store.locks().map((lock) => lock.runId)).toEqual([run.id]);

    const wrongText = apiErrorFrom(() => services.runbooks.approve(run.id, 'shop-staging', approval.evidence.hash));
    expect(wrongText.code).toBe('confirmation-required');
    expect(wrongText.message).toBe('Type shop-prod to approve this run.');
    const wrongHash = apiErrorFrom(() => services.runbooks.approve(run.id, ' shop-prod ', 'f'.repeat(64)));
    expect(wrongHash.code).toBe('conflict');
    expect(wrongHash.message).toBe('The evidence changed since it was shown — review it again before approving.');
    expect(endpoint.hits.get('/roll/v2')).toBeUndefined();

    services.runbooks.approve(run.id, ' shop-prod ', approval.evidence.hash);
    const ended = await services.runbooks.executor.settled(run.id);
    expect(ended.status).toBe('succeeded');
    expect(endpoint.hits.get('/roll/v2')).toBe(1);
    const stored = services.runbooks.detail(run.id).approval!;
    expect(stored.approvedBy).toBe('ada');
    expect(stored.approvedAt).not.toBeNull();

    const audit = services.audit.list({ limit: 100 }).filter((entry) => entry.subject === run.id);
    expect(audit.map((entry) => entry.action).sort()).toEqual(['approve', 'finish', 'start']);
    expect(audit.find((entry) => entry.action === 'approve')?.detail).toEqual({ approvedBy: 'ada', evidenceHash: approval.evidence.hash, facts: 1 });
    expect(audit.find((entry) => entry.action === 'approve')?.target).toMatchObject({ name: 'shop-prod', environment: 'prod' });
    // Approving a run that is no longer waiting is a conflict.
    expect(apiErrorFrom(() => services.runbooks.approve(run.id, 'shop-prod', approval.evidence.hash)).code).toBe('conflict');
  });

  it('asks again, showing what changed, when a preflight fact changed before the action', async () => {
    const { services, prodId, endpoint } = fixture;
    endpoint.statuses.set('backend', 200);
    const run = services.runbooks.startRun({ runbookId: 'ship', targetId: prodId, inputs: { tag: 'v3' }, dryRun: false, whenLocked: 'queue' }, 'app');
    await waitForStatus(services, run.id, 'awaiting-approval');
    const first = services.runbooks.detail(run.id).approval!;

    endpoint.statuses.set('backend', 204);
    services.runbooks.approve(run.id, 'shop-prod', first.evidence.hash);
    await waitFor(() => services.runbooks.detail(run.id).approval?.changed.length === 1, 5_000, 'a new approval request');
    const second = services.runbooks.detail(run.id);
    expect(second.run.status).toBe('awaiting-approval');
    const key = `http:GET ${endpoint.url}/status/backend`;
    expect(second.approval!.changed).toEqual([{ key, label: `GET ${endpoint.url}/status/backend`, before: '200', after: '204' }]);
    expect(second.approval!.evidence.facts).toEqual([{ key, label: `GET ${endpoint.url}/status/backend`, value: '204' }]);
    expect(second.approval!.evidence.hash).not.toBe(first.evidence.hash);
    expect(second.approval!.approvedBy).toBeNull();
    expect(endpoint.hits.get('/roll/v3')).toBeUndefined();
    const stale = eventsOf(services, run.id).find((event) => event.data?.event === 'approval-stale');
    expect(stale?.level).toBe('warn');
    expect(stale?.message).toBe(`The facts this approval was given on changed: GET ${endpoint.url}/status/backend 200→204; approve again.`);
    // The silent re-read writes debug events only.
    const rereadEvents = eventsOf(services, run.id).filter((event) => event.step === 'backend' && event.seq > eventsOf(services, run.id).find((e) => e.message.startsWith('Approved by'))!.seq);
    expect(rereadEvents.length).toBeGreaterThan(0);
    expect(rereadEvents.every((event) => event.level === 'debug')).toBe(true);
    expect(services.audit.list({ limit: 100 }).some((entry) => entry.subject === run.id && entry.action === 'approval-stale')).toBe(true);

    // The old hash no longer approves.
    expect(apiErrorFrom(() => services.runbooks.approve(run.id, 'shop-prod', first.evidence.hash)).code).toBe('conflict');
    services.runbooks.approve(run.id, 'shop-prod', second.approval!.evidence.hash);
    expect((await services.runbooks.executor.settled(run.id)).status).toBe('succeeded');
    expect(endpoint.hits.get('/roll/v3')).toBe(1);
    endpoint.statuses.delete('backend');
  });

  it('cancels a run waiting for approval at once', async () => {
    const { services, prodId, endpoint } = fixture;
    const run = services.runbooks.startRun({ runbookId: 'ship', targetId: prodId, inputs: { tag: 'v4' }, dryRun: false, whenLocked: 'queue' }, 'app');
    await waitForStatus(services, run.id, 'awaiting-approval');
    const canceled = services.runbooks.cancel(run.id);
    expect(canceled.status).toBe('canceled');
    expect(canceled.statusMessage).toBe('Canceled by ada while waiting for an approval.');
    expect(services.runbooks.store.locks()).toEqual([]);
    expect(stepStates(services, run.id)).toMatchObject({ 'action/roll': 'skipped' });
    expect(endpoint.hits.get('/roll/v4')).toBeUndefined();
  });

  it('holds an explicit approval step with always on any environment and hands its outputs on', async () => {
    const { services, stagingId, endpoint } = fixture;
    const run = services.runbooks.startRun({ runbookId: 'gated', targetId: stagingId, inputs: {}, dryRun: false, whenLocked: 'queue' }, 'app');
    const waiting = await waitForStatus(services, run.id, 'awaiting-approval');
    expect(waiting.lane).toBe('A');
    expect(endpoint.hits.get('/gated')).toBeUndefined();
    const approval = services.runbooks.detail(run.id).approval!;
    expect(approval.confirmText).toBe('shop-staging');
    services.runbooks.approve(run.id, 'shop-staging', approval.evidence.hash);
    expect((await services.runbooks.executor.settled(run.id)).status).toBe('succeeded');
    expect(services.runbooks.detail(run.id).summary).toMatch(/^Approved by ada\n\n/);
    expect(stepStates(services, run.id)).toMatchObject({ 'preflight/ask': 'succeeded', 'preflight/never': 'skipped' });
    expect(endpoint.hits.get('/gated')).toBe(1);
  });
});

describe('approval expiry', () => {
  const clock = new FakeClock();
  const fixture = executorFixtureForSuite({ ship: DEPLOY }, { clock });

  it('ends the run as approval-expired after 30 minutes on the clock and frees the lock', async () => {
    const { services, prodId, endpoint } = fixture;
    const run = services.runbooks.startRun({ runbookId: 'ship', targetId: prodId, inputs: {}, dryRun: false, whenLocked: 'queue' }, 'app');
    await waitForStatus(services, run.id, 'awaiting-approval');
    await clock.advanceAsync(29 * 60_000);
    expect(services.runbooks.store.getRun(run.id).status).toBe('awaiting-approval');
    await clock.advanceAsync(60_000);
    const ended = await services.runbooks.executor.settled(run.id);
    expect(ended.status).toBe('approval-expired');
    expect(ended.statusMessage).toBe('No approval within 30 minutes; nothing was changed.');
    expect(services.runbooks.store.locks()).toEqual([]);
    expect(endpoint.hits.get('/roll/v2')).toBeUndefined();
    const audit = services.audit.list({ limit: 100 }).filter((entry) => entry.subject === run.id).map((entry) => entry.action);
    expect(audit).toEqual(expect.arrayContaining(['start', 'approval-expired', 'finish']));
    expect(apiErrorFrom(() => services.runbooks.approve(run.id, 'shop-prod', 'x')).code).toBe('conflict');
  });
});
