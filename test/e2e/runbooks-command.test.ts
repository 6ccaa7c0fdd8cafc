/**
 * The command bar end to end: the real app in browser mode, real Chromium, a real keychain and a
 * real sshd on loopback in front of podman's Docker API, with a prod docker-ssh target.
 *
 * Ctrl+K opens the bar from anywhere; text that names no runbook shows the closest ones and runs
 * nothing; "restart worker on shop-prod" becomes a plan card; Run stops for approval (prod), the
 * approval card shows the container's facts, and typing the target's name approves — the
 * container really restarts. One app and one page; the tests build on each other.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../shared/model/runbook';
import { animationsSettled, SCREENSHOTS } from '../support/browser';
import { invoke } from './logs-support';
import {
  commandBar,
  planFromCommandBar,
  runbooksRigForFile,
  runDetail,
  startedAt,
  TARGET,
  viewedRunId,
} from './runbooks-e2e-support';

const rig = runbooksRigForFile();

describe('the command bar', () => {
  it('opens with Ctrl+K from anywhere, focused on its field, and closes with Ctrl+K (even from a field) or Esc', async () => {
    const { page } = rig;
    const launcher = page.getByRole('button', { name: 'Run a command' });
    expect(await launcher.textContent()).toContain('Ctrl K');
    await page.keyboard.press('Control+k');
    const bar = commandBar(page);
    await bar.waitFor();
    const field = bar.getByRole('textbox', { name: 'Command' });
    expect(await field.evaluate((element) => element === element.ownerDocument.activeElement)).toBe(true);
    expect(await field.getAttribute('placeholder')).toContain('deploy backend v1.4.2 to prod');
    // Focus is in a text field: the shortcut still toggles.
    await page.keyboard.press('Control+k');
    await bar.waitFor({ state: 'hidden' });
    await launcher.click();
    await bar.waitFor();
    await page.keyboard.press('Escape');
    await bar.waitFor({ state: 'hidden' });
    expect(rig.pageErrors).toEqual([]);
  });

  it('answers an unrecognised command with the closest runbooks, which fill the field and run nothing', async () => {
    const { page } = rig;
    await page.keyboard.press('Control+k');
    const bar = commandBar(page);
    const field = bar.getByRole('textbox', { name: 'Command' });
    await field.fill('reboot the whole datacenter');
    await page.keyboard.press('Enter');
    const answer = bar.getByTestId('command-unrecognised');
    await answer.waitFor();
    expect(await answer.textContent()).toContain('Did you mean:');
    const suggestions = answer.getByRole('button');
    expect(await suggestions.count()).toBeGreaterThan(0);
    const first = (await suggestions.first().textContent())!;
    expect(first).toMatch(/^[a-z-]+ — e\.g\. .+/);
    await suggestions.first().click();
    // The example is in the field, for the user to finish and press Enter; nothing started.
    expect(await field.inputValue()).toBe(first.split(' — e.g. ')[1]);
    expect(await bar.getByTestId('plan-card').count()).toBe(0);
    expect(await invoke<RunSummary[]>(page, 'runs:list', {})).toEqual([]);
    await page.keyboard.press('Escape');
    await bar.waitFor({ state: 'hidden' });
  });

  it('steps back through recent commands with Up', async () => {
    const { page } = rig;
    await page.keyboard.press('Control+k');
    const field = commandBar(page).getByRole('textbox', { name: 'Command' });
    await field.fill('typed but not sent');
    await page.keyboard.press('ArrowUp');
    expect(await field.inputValue()).toBe('reboot the whole datacenter');
    await page.keyboard.press('ArrowDown');
    expect(await field.inputValue()).toBe('typed but not sent');
    await page.keyboard.press('Escape');
  });

  it('turns "restart worker on shop-prod" into a plan card: prod target, risk, steps, what will change, approval', async () => {
    const { page } = rig;
    const card = await planFromCommandBar(page, `restart worker on ${TARGET}`);
    expect(await card.getByRole('heading', { level: 3 }).textContent()).toBe('Restart a service');
    expect(await card.getByTestId('plan-target').textContent()).toContain(TARGET);
    await card.locator('.env-badge.env-prod').waitFor();
    await card.getByText('Changes prod').waitFor();
    expect(await card.locator('.plan-inputs').textContent()).toContain('worker');
    await card.getByTestId('plan-needs-approval').getByText('Needs approval on prod').waitFor();
    const phases = card.getByRole('list', { name: 'Phases' });
    expect(await phases.getByRole('heading', { level: 4 }).allTextContents()).toEqual(
      expect.arrayContaining(['Preflight', 'Action', 'Verify']),
    );
    // The restart step changes something and says so; the inspect step does not.
    const actionStep = phases.locator('.plan-phase-action .plan-step');
    expect(await actionStep.locator('.changes-mark').textContent()).toBe('changes');
    expect(await phases.locator('.plan-phase-preflight .changes-mark').count()).toBe(0);
    expect((await card.getByRole('list', { name: 'What will change' }).textContent())?.toLowerCase()).toContain(
      'worker',
    );
    expect(await card.getByRole('button', { name: 'Run', exact: true }).isEnabled()).toBe(true);

    // Edit: a service that is not there is planned again; back to worker.
    await card.getByRole('button', { name: 'Edit' }).click();
    const service = card.getByLabel('Service');
    await service.fill('ghost');
    await expect.poll(() => card.locator('.plan-inputs').textContent()).toContain('ghost');
    await service.fill('worker');
    await expect.poll(() => card.locator('.plan-inputs').textContent()).toContain('worker');
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'runbooks-plan-edit.png') });
    await card.getByRole('button', { name: 'Done editing' }).click();
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'runbooks-plan-card.png') });
  });

  it('keeps Run disabled while the plan has problems, one sentence each', async () => {
    const { page } = rig;
    await page.keyboard.press('Escape');
    await commandBar(page).waitFor({ state: 'hidden' });
    const card = await planFromCommandBar(page, 'restart worker on nowhere-prod');
    const problems = card.getByTestId('plan-problems').getByRole('listitem');
    expect(await problems.count()).toBeGreaterThan(0);
    for (const text of await problems.allTextContents()) expect(text.trim()).toMatch(/^[A-Z"“].*[.]$/);
    expect(await card.getByRole('button', { name: 'Run', exact: true }).isDisabled()).toBe(true);
    await card.getByRole('button', { name: 'Cancel' }).click();
    await commandBar(page).waitFor({ state: 'hidden' });
    expect(await invoke<RunSummary[]>(page, 'runs:list', {})).toEqual([]);
  });

  it('dry-runs a plan: validate and preflight only, the action described, the container untouched, no approval', async () => {
    const { page } = rig;
    const before = await startedAt(rig);
    const card = await planFromCommandBar(page, `restart worker on ${TARGET}`);
    const url = page.url();
    await card.getByRole('button', { name: 'Dry run' }).click();
    const runId = await viewedRunId(page, url);
    await expect.poll(async () => (await runDetail(page, runId)).run.status, { timeout: 30_000 }).toBe('succeeded');
    const detail = await runDetail(page, runId);
    expect(detail.run.dryRun).toBe(true);
    expect(detail.steps.filter((step) => step.phase === 'action').map((step) => step.state)).toEqual(['described']);
    expect(await startedAt(rig)).toBe(before);
    await page.keyboard.press('Control+k');
    await commandBar(page).getByRole('textbox', { name: 'Command' }).fill(`restart worker on ${TARGET}`);
    await page.keyboard.press('Enter');
    await commandBar(page).getByTestId('plan-card').waitFor();
  });

  it('runs it: the run waits for approval with the container’s facts, and the typed target name approves', async () => {
    const { page } = rig;
    const before = await startedAt(rig);
    const url = page.url();
    await commandBar(page).getByTestId('plan-card').getByRole('button', { name: 'Run', exact: true }).click();
    const runId = await viewedRunId(page, url);
    await commandBar(page).waitFor({ state: 'hidden' });

    const card = page.getByTestId('approval-card');
    await card.waitFor({ timeout: 30_000 });
    expect((await card.getByRole('heading', { level: 3 }).textContent())?.trim()).toMatch(
      /^Awaiting approval — expires in \d\d:\d\d$/,
    );
    const facts = card.getByRole('table', { name: 'Evidence' });
    const factText = (await facts.textContent()) ?? '';
    expect(factText).toContain('worker started at');
    // podman prints `2026-11-26 14:40:00.1 +0000 UTC`, the card the Docker API's ISO time: the day is in both.
    expect(factText).toContain(before.slice(0, 10));
    expect(factText).toContain('worker image');
    const detail = await runDetail(page, runId);
    expect(detail.run.status).toBe('awaiting-approval');
    expect(await card.getByTestId('evidence-hash').textContent()).toBe(
      `evidence ${detail.approval!.evidence.hash.slice(0, 12)}`,
    );
    expect(await card.getByTestId('approval-changed').count()).toBe(0);

    const confirm = card.getByLabel(`Type ${TARGET} to approve`);
    const approve = card.getByRole('button', { name: 'Approve' });
    expect(await approve.isDisabled()).toBe(true);
    await confirm.fill('shop-pro');
    expect(await approve.isDisabled()).toBe(true);
    await confirm.fill('staging');
    expect(await approve.isDisabled()).toBe(true);
    await confirm.fill(TARGET);
    expect(await approve.isEnabled()).toBe(true);
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'runbooks-approval.png') });
    await approve.click();

    await card.waitFor({ state: 'hidden', timeout: 30_000 });
    await expect.poll(async () => (await runDetail(page, runId)).run.status, { timeout: 60_000 }).toBe('succeeded');
    expect(await startedAt(rig)).not.toBe(before);
    const done = await runDetail(page, runId);
    expect(done.approval?.approvedBy).toBeTruthy();
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'runbooks-run-succeeded.png') });
    expect(rig.pageErrors).toEqual([]);
  });
});
