/**
 * Approvals end to end, in real Chromium against the real app, sshd and podman: a stale approval
 * (the container restarted by someone else between preflight and Approve) brings the card back
 * with what changed highlighted and a new evidence hash; approving again runs to success. Cancel
 * run on the card ends a waiting run without touching the container. A failing probe's
 * remediation goes through the same plan card and approval.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { animationsSettled, SCREENSHOTS } from '../support/browser';
import { invoke } from './logs-support';
import {
  CONTAINER,
  planFromCommandBar,
  runbooksRigForFile,
  runDetail,
  startedAt,
  TARGET,
  viewedRunId,
} from './runbooks-e2e-support';

const rig = runbooksRigForFile();

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

  it('offers a failing probe’s remediation runbook on its page, through the same plan card and approval', async () => {
    const { page } = rig;
    const probe = await invoke<{ id: string }>(page, 'probes:create', {
      name: 'worker port',
      scope: 'shop',
      kind: 'tcp',
      settings: { host: '127.0.0.1', port: await closedPort() },
      retries: 0,
      intervalSeconds: 3600,
    });
    await invoke(page, 'probes:run', { probeId: probe.id });
    await page.evaluate(`location.hash = '#/integrations/probe/${probe.id}'`);
    const panel = page.getByTestId('remediation-panel');
    await panel.waitFor();
    await panel.getByLabel('Runbook', { exact: true }).selectOption({ label: 'Restart a service' });
    await panel.getByLabel('Run on').selectOption({ label: `${TARGET} (prod)` });
    await panel.getByLabel('Service').fill('worker');
    await panel.getByRole('button', { name: 'Save remediation' }).click();
    await panel.getByText('runs Restart a service when asked while this probe fails').waitFor();
    const saved = await invoke<{ probeId: string; runbookId: string; inputs: Record<string, string> }[]>(
      page,
      'runbooks:remediations',
      {},
    );
    expect(saved).toEqual([
      expect.objectContaining({ probeId: probe.id, runbookId: 'restart', inputs: { service: 'worker' } }),
    ]);

    // The probe fails (nothing listens on its port): its page offers the runbook.
    const offer = panel.getByRole('button', { name: 'Run Restart a service' });
    await offer.waitFor({ timeout: 30_000 });
    await animationsSettled(page);
    await panel.screenshot({ path: join(SCREENSHOTS, 'runbooks-remediation-panel.png') });
    await offer.click();
    const dialog = page.getByRole('dialog', { name: 'Run Restart a service' });
    const card = dialog.getByTestId('plan-card');
    await card.waitFor();
    expect(await card.getByTestId('plan-target').textContent()).toContain(TARGET);
    await card.getByTestId('plan-needs-approval').waitFor();
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'runbooks-remediation-plan.png') });
    const before = page.url();
    await card.getByRole('button', { name: 'Run', exact: true }).click();
    const runId = await viewedRunId(page, before);
    const approval = page.getByTestId('approval-card');
    await approval.waitFor({ timeout: 30_000 });
    // Started unedited from the probe's page: the history says it was a remediation.
    expect((await runDetail(page, runId)).run.origin).toBe('remediation');
    await approval.getByLabel(`Type ${TARGET} to approve`).fill(TARGET);
    await approval.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(async () => (await runDetail(page, runId)).run.status, { timeout: 60_000 }).toBe('succeeded');
    expect(rig.pageErrors).toEqual([]);
  });
});

/** A loopback port nothing listens on: one the OS just handed out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
