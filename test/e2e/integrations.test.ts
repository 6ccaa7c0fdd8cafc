/**
 * Integrations end to end: the real app in browser mode, real Chromium, a real keychain and a
 * real HTTP server started by this test on loopback (the "website" the probe watches).
 *
 * One app and one page for the whole file; the tests run in order and build on each other:
 * empty state with presets → add from the website preset (a bad condition refused, Test) → Run
 * now → ok → the server breaks → fail with the failed condition and the response kept → stale
 * once its SLA passes → the app restarted on the same data directory with the server gone →
 * history and artifacts still readable.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../support/app';
import { animationsSettled, launchBrowser, openPage, SCREENSHOTS } from '../support/browser';
import { startKeyring, type Keyring } from '../support/keyring';

const PROBE = 'Shop website';
const DOWN_BODY = { status: 'DOWN', error: 'database unreachable', checks: [{ name: 'db', ok: false }] };

/** The website: healthy (200) until told to fail (500 with a JSON body). */
let mode: 'ok' | 'fail' = 'ok';
let requests = 0;
/** While true, answers wait in `held` until the test lets them go. */
let holding = false;
const held: (() => void)[] = [];
let server: Server;
let siteUrl: string;

let keyring: Keyring;
let dataDir: string;
let app: RunningApp;
let browser: Browser;
let page: Page;
let probeId: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    requests += 1;
    if (holding) {
      held.push(() => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: 'UP' }));
      });
      return;
    }
    if (mode === 'ok') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'UP' }));
    } else {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify(DOWN_BODY));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  keyring = await startKeyring();
  dataDir = mkdtempSync(join(tmpdir(), 'cr-integrations-'));
  app = await startApp(keyring.env, { dataDir });
  browser = await launchBrowser();
  page = await openPage(browser, { width: 1360, height: 900 }, pageErrors, 15_000);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await keyring?.stop();
  if (server?.listening) await new Promise((resolve) => server.close(resolve));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function row(): Locator {
  return page.getByTestId(`probe-row-${probeId}`);
}

/** The status a light shows (its `data-status`), read in the page. */
function statusOf(light: Locator): Promise<string | null> {
  return light.getAttribute('data-status');
}

/** The whole area in one picture: the window made as tall as the area (it scrolls inside). */
async function screenshotWhole(name: string) {
  const size = page.viewportSize()!;
  const height = await page.locator('.shell-main > .area').evaluate((el) => el.scrollHeight);
  await page.setViewportSize({ width: size.width, height: Math.min(3000, Math.max(size.height, height + 60)) });
  await page.locator('.shell-main').evaluate((el) => el.scrollTo(0, 0));
  await animationsSettled(page);
  await page.screenshot({ path: join(SCREENSHOTS, name) });
  await page.setViewportSize(size);
}

async function openIntegrations() {
  await page.goto(app.url);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await page.keyboard.press('Control+3');
  await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
}

describe('Integrations', () => {
  it('shows what probes are, with the presets as cards, while there are none', async () => {
    await openIntegrations();
    await page.getByRole('heading', { name: 'Watch every integration your product depends on' }).waitFor();
    const cards = page.getByRole('list', { name: 'Presets' });
    await cards.getByRole('button', { name: /Website over HTTPS/ }).waitFor();
    await cards.getByRole('button', { name: /GitHub token/ }).waitFor();
    await cards.getByRole('button', { name: /From scratch/ }).waitFor();
    expect(await cards.getByRole('listitem').count()).toBeGreaterThanOrEqual(10);
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'integrations-empty.png'), fullPage: true });
  });

  it('adds a probe from the website preset: a bad condition is refused at its column, Test runs it unsaved', async () => {
    await page.getByTestId('preset-website-https').click();
    const dialog = page.getByRole('dialog', { name: 'Add probe: Website over HTTPS' });
    await dialog.waitFor();
    await dialog.getByLabel('Page URL').fill(siteUrl);
    await dialog.getByLabel('Name', { exact: true }).fill(PROBE);
    // A plain-HTTP site has no certificate: drop the preset's two certificate conditions.
    expect(await dialog.getByRole('textbox', { name: 'Condition 4', exact: true }).inputValue()).toContain(
      'CERTIFICATE_EXPIRATION',
    );
    await dialog.getByRole('button', { name: 'Remove condition 4' }).click();
    await dialog.getByRole('button', { name: 'Remove condition 3' }).click();
    await dialog.getByRole('button', { name: 'Add condition' }).click();
    await dialog.getByRole('textbox', { name: 'Condition 3', exact: true }).fill('[BODY].status = UP');
    await dialog.getByLabel('Every (seconds)').fill('604800');
    await dialog.getByLabel('SLA (seconds)').fill('10');
    await dialog.getByLabel('Cheap: run once at start-up').uncheck();

    // Main refuses the expression and says where the mistake is; the form keeps everything.
    await dialog.getByRole('button', { name: 'Add probe' }).click();
    const conditionError = dialog.locator('.condition-row.has-error .field-error');
    await conditionError.waitFor();
    expect(await conditionError.textContent()).toMatch(/^Column \d+:/);
    await dialog.locator('.condition-caret').waitFor();
    expect(await dialog.getByLabel('Page URL').inputValue()).toBe(siteUrl);
    await dialog.getByRole('textbox', { name: 'Condition 3', exact: true }).fill('[BODY].status == UP');

    // Test: one run, not saved, its result inline.
    const before = requests;
    await dialog.getByRole('button', { name: 'Test', exact: true }).click();
    const result = dialog.getByTestId('test-result');
    await result.waitFor();
    expect(await statusOf(result.locator('.probe-status').first())).toBe('ok');
    expect(requests).toBeGreaterThan(before);
    const outcomes = result.getByTestId('condition-outcome');
    expect(await outcomes.count()).toBe(3);
    expect(await outcomes.nth(0).textContent()).toContain('saw 200');
    expect(await outcomes.nth(2).textContent()).toContain('UP');
    // The footer stays in view while the body scrolls to the result.
    expect(await dialog.getByRole('button', { name: 'Add probe' }).isVisible()).toBe(true);
    await result.scrollIntoViewIfNeeded();
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'integrations-editor.png') });

    await dialog.getByRole('button', { name: 'Add probe' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const added = page.locator('.probe-row', { hasText: PROBE });
    await added.waitFor();
    probeId = (await added.getAttribute('data-probe-id'))!;
    expect(probeId).toMatch(/^[a-z0-9-]+$/);
    expect(await statusOf(row().locator('.probe-status'))).toBe('never');
    // The test run was not recorded.
    expect(await row().locator('td').nth(2).textContent()).toBe('—');
  });

  it('adds a second probe from scratch, in its own scope and provider', async () => {
    await page.getByRole('button', { name: 'Add probe' }).click();
    const picker = page.getByRole('dialog', { name: 'Add probe' });
    await picker.getByRole('button', { name: /From scratch/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Add probe', exact: true });
    await dialog.getByLabel('Name', { exact: true }).waitFor();
    await dialog.getByLabel('Name', { exact: true }).fill('Shop API port');
    await dialog.getByLabel('Kind').selectOption('tcp');
    // The http defaults gave way to the tcp kind's own.
    expect(await dialog.getByRole('textbox', { name: 'Condition 1', exact: true }).inputValue()).toBe(
      '[CONNECTED] == true',
    );
    await dialog.getByRole('textbox', { name: 'Scope' }).fill('shop');
    await dialog.getByRole('textbox', { name: 'Provider' }).fill('api');
    await dialog.getByRole('textbox', { name: 'Check' }).fill('shop.api.port');
    await dialog.getByRole('textbox', { name: 'Host' }).fill('127.0.0.1');
    await dialog.getByRole('textbox', { name: 'Port' }).fill(new URL(siteUrl).port);
    await dialog.getByRole('button', { name: 'Add probe' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('rowgroup', { name: 'Scope shop' }).waitFor();
  });

  it('Run now shows it running, then ok, live', async () => {
    const light = row().locator('.probe-status');
    // The site holds its answer until the row has shown the run in flight.
    holding = true;
    await row()
      .getByRole('button', { name: `Run ${PROBE} now` })
      .click();
    await expect.poll(() => statusOf(light), { timeout: 15_000 }).toBe('running');
    holding = false;
    for (const release of held.splice(0)) release();
    await expect.poll(() => statusOf(light), { timeout: 15_000 }).toBe('ok');
    expect(await row().locator('.cell-when').first().textContent()).toMatch(/just now|s ago/);
    expect(await row().locator('td.col-num').nth(1).textContent()).toBe('100 %');

    // Run all: both probes run, the TCP one too.
    await page.getByRole('button', { name: 'Run all' }).click();
    const tcp = page.locator('.probe-row', { hasText: 'Shop API port' }).locator('.probe-status');
    await expect.poll(() => statusOf(tcp), { timeout: 15_000 }).toBe('ok');
    await expect.poll(() => statusOf(light), { timeout: 15_000 }).toBe('ok');
    await expect.poll(() => row().locator('.sparkline').count()).toBe(1);
    // The scope's group, its chip and the Run-scope button.
    await page.getByRole('rowgroup', { name: 'Scope website' }).waitFor();
    await page.getByRole('button', { name: 'Scope website', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Run scope website now' }).waitFor();
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'integrations-table.png') });
  });

  it('a broken server fails the probe (R runs the selected row), with the failed condition and the response kept', async () => {
    mode = 'fail';
    const light = row().locator('.probe-status');
    await row().click();
    await page.keyboard.press('r');
    await expect.poll(() => statusOf(light), { timeout: 20_000 }).toBe('fail');
    expect(await row().locator('td').nth(3).textContent()).toMatch(/just now|s ago/);

    // The status filter narrows the table to the failing probe.
    await page.getByRole('button', { name: 'Status Failing' }).click();
    await row().waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).first().click();

    await row().getByRole('link', { name: PROBE }).click();
    const drill = page.getByTestId('probe-page');
    await drill.waitFor();
    await drill.getByRole('heading', { name: PROBE }).waitFor();
    const newest = drill.getByTestId('result').first();
    expect(await statusOf(newest.locator('.probe-status').first())).toBe('fail');
    expect(await newest.textContent()).toContain('HTTP 500');
    const failed = newest.locator('.condition-outcome.is-failed');
    await failed.first().waitFor();
    expect(await failed.first().textContent()).toContain('[STATUS] < 400');
    expect(await failed.first().textContent()).toContain('saw 500');

    // The response body is kept as an artifact: viewed as pretty JSON …
    const artifact = newest.getByTestId('artifact').first();
    await artifact.getByRole('button', { name: /^View / }).click();
    const content = artifact.locator('pre.artifact-text');
    await content.waitFor();
    const shown = await content.textContent();
    expect(shown).toContain('"status": "DOWN"');
    expect(shown).toContain('\n  "error": "database unreachable"');

    // … and saved whole through the platform's save.
    const download = page.waitForEvent('download');
    await artifact.getByRole('button', { name: /^Save / }).click();
    const file = await download;
    const savedPath = join(dataDir, 'saved-artifact');
    await file.saveAs(savedPath);
    expect(JSON.parse(readFileSync(savedPath, 'utf8'))).toEqual(DOWN_BODY);

    await drill.getByTestId('history-chart').locator('canvas').waitFor();
    await screenshotWhole('integrations-drilldown.png');
  });

  it('turns stale once its SLA passes without a result, and marks the history cached', async () => {
    const drill = page.getByTestId('probe-page');
    const light = drill.locator('.probe-header .probe-status');
    await expect.poll(() => statusOf(light), { timeout: 30_000, interval: 500 }).toBe('stale');
    await drill.getByTestId('history-cached').waitFor();
    expect(await drill.getByTestId('last-result').textContent()).toMatch(/^Last result (\d+ s|\d+ min) ago/);
    await page.getByRole('link', { name: 'Integrations', exact: true }).first().click();
    await expect.poll(() => statusOf(row().locator('.probe-status'))).toBe('stale');
    expect(await row().locator('.stale-age').textContent()).toMatch(/^last /);
  });

  it('after a restart with the server gone, the history and the artifacts are still readable', async () => {
    expect(pageErrors).toEqual([]);
    await app.stop();
    await new Promise((resolve) => server.close(resolve));
    app = await startApp(keyring.env, { dataDir });
    await page.goto(app.url);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.evaluate(`window.location.hash = '#/integrations/probe/${probeId}'`);
    const drill = page.getByTestId('probe-page');
    await drill.waitFor();
    expect(await statusOf(drill.locator('.probe-header .probe-status'))).toBe('stale');
    await drill.getByTestId('history-cached').waitFor();

    const results = drill.getByTestId('result');
    // Run now (ok), Run all (ok), the broken server (fail).
    await expect.poll(() => results.count()).toBe(3);
    expect(await statusOf(results.nth(0).locator('.probe-status').first())).toBe('fail');
    expect(await statusOf(results.nth(1).locator('.probe-status').first())).toBe('ok');
    expect(await statusOf(results.nth(2).locator('.probe-status').first())).toBe('ok');
    expect(await drill.locator('.history-summary').textContent()).toContain('uptime 66.66 %');

    const artifact = results.nth(0).getByTestId('artifact').first();
    await artifact.getByRole('button', { name: /^View / }).click();
    await artifact.locator('pre.artifact-text', { hasText: '"status": "DOWN"' }).waitFor();

    // The older, passing run has its own evidence.
    await results.nth(1).locator('.result-summary').click();
    await results.nth(1).getByTestId('condition-outcome').first().waitFor();
    expect(await results.nth(1).locator('.condition-outcome.is-failed').count()).toBe(0);

    await drill.getByTestId('history-chart').locator('canvas').waitFor();
    await screenshotWhole('integrations-offline.png');
  });

  it('a probe on a prod target carries the prod badge, in the editor and in the table', async () => {
    await page.keyboard.press('Control+6');
    await page.getByRole('heading', { name: 'Targets', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Add target' }).first().click();
    const targetDialog = page.getByRole('dialog', { name: 'Add target' });
    await targetDialog.getByLabel('Name', { exact: true }).fill('shop-prod');
    await targetDialog.getByRole('radio', { name: 'Prod' }).check();
    await targetDialog.getByLabel('Kind').selectOption('docker-local');
    await targetDialog.getByRole('button', { name: 'Add target' }).click();
    await targetDialog.waitFor({ state: 'hidden' });

    await page.keyboard.press('Control+3');
    await page.getByRole('button', { name: 'Add probe' }).click();
    await page
      .getByRole('dialog', { name: 'Add probe' })
      .getByRole('button', { name: /From scratch/ })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Add probe', exact: true });
    await dialog.getByLabel('Name', { exact: true }).fill('Shop backend container');
    await dialog.getByLabel('Kind').selectOption('docker');
    await dialog.getByRole('textbox', { name: 'Scope' }).fill('shop');
    await dialog.getByRole('textbox', { name: 'Provider' }).fill('api');
    await dialog.getByLabel('Docker target').selectOption({ label: 'shop-prod (prod)' });
    await dialog.locator('.is-prod-target .env-badge.env-prod').waitFor();
    await dialog.getByRole('textbox', { name: 'Container' }).fill('shop-backend-1');
    await dialog.getByLabel('Paused: run only when asked').check();
    await dialog.getByRole('button', { name: 'Add probe' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const prodRow = page.locator('.probe-row', { hasText: 'Shop backend container' });
    await prodRow.waitFor();
    expect(await prodRow.getAttribute('class')).toContain('env-row-prod');
    expect((await prodRow.locator('.env-badge').textContent())?.toLowerCase()).toBe('prod');
    expect(await statusOf(prodRow.locator('.probe-status'))).toBe('paused');
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'integrations-table-prod.png') });

    // While the app was down the page's reconnect attempts were refused; nothing else went wrong.
    expect(
      pageErrors.filter((error) => !/WebSocket connection to .* failed: .*ERR_CONNECTION_REFUSED/.test(error)),
    ).toEqual([]);
  });
});
