/**
 * Approvals end to end, in real Chromium against the real app, sshd and podman: a stale approval
 * (the container restarted by someone else between preflight and Approve) brings the card back
 * with what changed highlighted and a new evidence hash; approving again runs to success. Cancel
 * run on the card ends a waiting run without touching the container.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { animationsSettled, SCREENSHOTS } from '../support/browser';
import {
  CONTAINER,
  planFromCommandBar,
  runDetail,
  startedAt,
  startRunbooksRig,
  TARGET,
  viewedRunId,
  type RunbooksRig,
} from './runbooks-e2e-support';

let rig: RunbooksRig;

beforeAll(async () => {
  rig = await startRunbooksRig();
});

afterAll(async () => {
  await rig?.stop();
});

async function awaitingApproval(): Promise<string> {
  const { page } = rig;
  const card = await planFromCommandBar(page, 'restart worker on prod');
  expect(await card.getByTestId('plan-target').textContent()).toContain(TARGET);
  const before = page.url();
  await card.getByRole('button', { name: 'Run', exact: true }).click();
  const runId = await viewedRunId(page, before);
  await page.getByTestId('approval-card').waitFor({ timeout: 30_000 });
  return runId;
}

describe('approving a prod run', () => {
  it('asks again when the container restarted after preflight, highlighting the start time, and runs once approved again', async () => {
    const { page } = rig;
    const runId = await awaitingApproval();
    const card = page.getByTestId('approval-card');
    const first = (await runDetail(page, runId)).approval!;
    const shownStart = first.evidence.facts.find((fact) => fact.label === 'worker started at')!.value;

    // Someone restarts the container while the approval card is open.
    await rig.podman.cli(['restart', '--time', '1', CONTAINER]);
    const restartedAt = await startedAt(rig);

    await card.getByLabel(`Type ${TARGET} to approve`).fill(TARGET);
    await card.getByRole('button', { name: 'Approve' }).click();

    // The run re-read its facts before acting, found a new start time and asks again.
    const changed = card.getByTestId('approval-changed');
    await changed.waitFor({ timeout: 30_000 });
    const changedText = (await changed.textContent()) ?? '';
    expect(changedText).toContain('Changed since the last approval:');
    expect(changedText).toContain(`worker started at: ${shownStart} → `);
    const again = (await runDetail(page, runId)).approval!;
    expect(again.evidence.hash).not.toBe(first.evidence.hash);
    expect(again.changed.map((fact) => fact.label)).toContain('worker started at');
    expect(await card.getByTestId('evidence-hash').textContent()).toBe(`evidence ${again.evidence.hash.slice(0, 12)}`);
    // The changed row is highlighted; the unchanged ones are not.
    const highlighted = card.locator('tr[data-changed="true"]');
    expect(await highlighted.count()).toBe(again.changed.length);
    expect(await highlighted.locator('th').allTextContents()).toContain('worker started at');
    expect(await card.locator('tr:not([data-changed])', { hasText: 'worker image' }).count()).toBe(1);
    // The container was not restarted by the run: only by the test.
    expect(await startedAt(rig)).toBe(restartedAt);
    // The earlier confirmation does not carry over to the new evidence.
    const confirm = card.getByLabel(`Type ${TARGET} to approve`);
    expect(await confirm.inputValue()).toBe('');
    expect(await card.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'runbooks-approval-stale.png') });

    await confirm.fill(TARGET);
    await card.getByRole('button', { name: 'Approve' }).click();
    await card.waitFor({ state: 'hidden', timeout: 30_000 });
    await expect.poll(async () => (await runDetail(page, runId)).run.status, { timeout: 60_000 }).toBe('succeeded');
    expect(await startedAt(rig)).not.toBe(restartedAt);
    expect(rig.pageErrors).toEqual([]);
  });

  it('cancels a waiting run from the card, leaving the container alone', async () => {
    const { page } = rig;
    const runId = await awaitingApproval();
    const before = await startedAt(rig);
    const card = page.getByTestId('approval-card');
    await card.getByRole('button', { name: 'Cancel run' }).click();
    await card.waitFor({ state: 'hidden', timeout: 30_000 });
    await expect.poll(async () => (await runDetail(page, runId)).run.status, { timeout: 30_000 }).toBe('canceled');
    expect(await startedAt(rig)).toBe(before);
    const detail = await runDetail(page, runId);
    expect(detail.steps.filter((step) => step.phase === 'action').map((step) => step.state)).toEqual(['skipped']);
    expect(rig.pageErrors).toEqual([]);
  });
});
