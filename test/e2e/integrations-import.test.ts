/**
 * Probe import end to end: the real app in browser mode, real Chromium, a real keychain. The
 * Gatus fixture (test/fixtures/gatus/config.yaml) is picked through the platform's open (a file
 * input in the browser, answered with playwright's file chooser); the dialog lists what is
 * imported, adapted (with what changed) and skipped (with why); one item is unticked, secrets
 * filled, Import; the summary says what was saved and the probes appear in the table. Then
 * Export YAML downloads the definitions (all, or the ones the filters show), naming the secrets but
 * never their values.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startApp, type RunningApp } from '../support/app';
import { animationsSettled, launchBrowser, openPage, SCREENSHOTS } from '../support/browser';
import { startKeyring, type Keyring } from '../support/keyring';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'gatus', 'config.yaml');
const GITHUB_TOKEN = 'ghp_e2eImport0123456789abcdef';

let keyring: Keyring;
let app: RunningApp;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  keyring = await startKeyring();
  app = await startApp(keyring.env);
  browser = await launchBrowser();
  page = await openPage(browser, { width: 1360, height: 900 }, pageErrors, 15_000);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await keyring?.stop();
});

describe('Integrations: import a Gatus config', () => {
  it('shows imported, adapted and skipped with reasons, saves only what was confirmed', async () => {
    await page.goto(app.url);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.keyboard.press('Control+3');
    await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();

    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('menuitem', { name: /Gatus config/ }).click(),
    ]);
    await chooser.setFiles(FIXTURE);

    const dialog = page.getByRole('dialog', { name: 'Import from Gatus' });
    await dialog.waitFor();
    expect(await dialog.getByRole('heading', { level: 3 }).allTextContents()).toEqual([
      'Imported as they are (3)',
      'Adapted (5) — Imported with the changes listed.',
      'Skipped (1) — Not imported, for the reason given.',
    ]);
    const row = (name: string) => dialog.locator(`li[data-item="${name}"]`);
    expect(await row('postgres').textContent()).toContain('tcp → tcp');
    expect(await row('example-dns-query').textContent()).toContain('dns → dns');
    expect(await row('legacy-status').textContent()).toContain('Condition "[STATUS] = 200" dropped: it does not read');
    expect(await row('legacy-status').textContent()).toContain('Disabled in Gatus: imported paused.');
    expect(await row('office-gateway').textContent()).toContain('ping (ICMP) needs raw-socket privileges');
    expect(await row('office-gateway').getByRole('checkbox').isDisabled()).toBe(true);
    await expect
      .poll(() => dialog.getByText('Alerting providers (slack, pagerduty) are not imported', { exact: false }).count())
      .toBe(1);

    // Untick one, fill the secrets the others need.
    await row('spacex-graphql').getByRole('checkbox').uncheck();
    await dialog.getByLabel('Secret GITHUB_TOKEN for github-api').fill(GITHUB_TOKEN);
    await dialog.getByLabel('Secret ORDERS_API_KEY for orders-api').fill('orders-key-e2e');
    await row('github-api').scrollIntoViewIfNeeded();
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'integrations-import-gatus.png') });

    await dialog.getByRole('button', { name: 'Import 7 probes' }).click();
    const summary = dialog.getByRole('status');
    await summary.getByText('Imported 7 probes').waitFor();
    const text = (await summary.textContent()) ?? '';
    expect(text).not.toContain('spacex-graphql');
    expect(text).toContain('website: alert after 3 failures, resolve after 2 successes — applied as its alert rule.');
    expect(text).not.toContain(GITHUB_TOKEN);
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'integrations-import-summary.png') });
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });

    for (const name of [
      'website',
      'github-api',
      'orders-api',
      'postgres',
      'shop certificate',
      'example-dns-query',
      'legacy-status',
    ])
      await page
        .getByRole('link', { name, exact: true })
        .or(page.getByText(name, { exact: true }))
        .first()
        .waitFor();
    expect(await page.getByText('spacex-graphql', { exact: true }).count()).toBe(0);
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'integrations-import-table.png') });
  });

  it('exports the probes as YAML with secret names and no values', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export YAML' }).click(),
    ]);
    const file = await download.path();
    const yaml = readFileSync(file, 'utf8');
    expect(download.suggestedFilename()).toBe('control-room-probes.yaml');
    expect(yaml).toContain('format: control-room/probes');
    expect(yaml).toContain('- GITHUB_TOKEN');
    expect(yaml).toContain('Bearer {{secret.GITHUB_TOKEN}}');
    expect(yaml).not.toContain(GITHUB_TOKEN);
    expect(yaml).not.toContain('orders-key-e2e');
    expect(yaml.match(/^ {2}- name: /gm)).toHaveLength(7);

    // With a filter on, Export writes only the probes shown.
    await page.getByRole('button', { name: 'Scope core', exact: true }).click();
    const [filtered] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export YAML' }).click(),
    ]);
    const names = [...readFileSync(await filtered.path(), 'utf8').matchAll(/^ {2}- name: (.+)$/gm)].map(
      (match) => match[1],
    );
    expect(names.sort()).toEqual(['github-api', 'shop certificate', 'website']);
    await page.getByText('Exported 3 probes').waitFor();
    expect(pageErrors).toEqual([]);
  });
});
