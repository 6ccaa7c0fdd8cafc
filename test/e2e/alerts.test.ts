/**
 * Alerts end to end: the real app in browser mode, real Chromium, a real keychain, a local HTTP
 * server receiving webhooks, a real SMTP server (the `smtp-server` package) on loopback, and the
 * "website" a probe watches — all started by this test.
 *
 * One app and one page; the tests run in order and build on each other: a webhook channel and an
 * email channel added, Send test on both (the results shown, the servers received them) → a
 * probe with the rule "alert after 1 failure, resolve after 1 success" → the site breaks → one
 * alert delivered to each channel and shown in the history with its delivery outcomes → the site
 * is fixed → resolved, delivered and shown.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../support/app';
import { animationsSettled, launchBrowser, openPage, SCREENSHOTS } from '../support/browser';
import { startKeyring, type Keyring } from '../support/keyring';
import { startAgentFixture, type AgentFixture } from '../integration/agent/agent-fixture';

const PROBE = 'Checkout site';
const DEPENDANT = 'Checkout API port';
const HELD = 'Payments API';
const WEBHOOK_TOKEN = 'hook-token-5f1c';

/** The website the probe watches: 200 until told to fail (503). */
let siteMode: 'ok' | 'fail' = 'ok';
let site: Server;
let siteUrl: string;

/** Every JSON body the webhook receiver got, with its headers. */
const hooks: { body: { kind?: string; probe?: { name?: string } | null }; headers: IncomingHttpHeaders }[] = [];
let hookServer: Server;
let hookUrl: string;

/** Every mail the SMTP server took: envelope and raw message. */
const mails: { from: string; to: string[]; raw: string }[] = [];
let smtp: SMTPServer;
let smtpPort: number;

/** The host's agent, running the same check from its own configuration. */
let agent: AgentFixture | undefined;

let keyring: Keyring;
let dataDir: string;
let app: RunningApp;
let browser: Browser;
let page: Page;
let probeId: string;
const pageErrors: string[] = [];

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

beforeAll(async () => {
  site = createServer((request, response) => {
    // What the host's agent asks for stands for an egress the host does not have.
    const up = siteMode === 'ok' && !request.url?.startsWith('/from-host');
    response.writeHead(up ? 200 : 503, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: up ? 'UP' : 'DOWN' }));
  });
  siteUrl = `http://127.0.0.1:${await listen(site)}/health`;

  hookServer = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      hooks.push({ body: JSON.parse(text) as (typeof hooks)[number]['body'], headers: request.headers });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"ok":true}');
    });
  });
  hookUrl = `http://127.0.0.1:${await listen(hookServer)}/hooks/control-room`;

  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        const envelope = session.envelope;
        mails.push({
          from: envelope.mailFrom ? envelope.mailFrom.address : '',
          to: envelope.rcptTo.map((r) => r.address),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;

  keyring = await startKeyring();
  dataDir = mkdtempSync(join(tmpdir(), 'cr-alerts-'));
  app = await startApp(keyring.env, { dataDir });
  browser = await launchBrowser();
  page = await openPage(browser, { width: 1360, height: 900 }, pageErrors, 15_000);
  await page.goto(app.url);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await page.keyboard.press('Control+3');
  await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
});

afterAll(async () => {
  await agent?.stop();
  await browser?.close();
  await app?.stop();
  await keyring?.stop();
  for (const server of [site, hookServer]) if (server?.listening) await new Promise((resolve) => server.close(resolve));
  if (smtp) await new Promise<void>((resolve) => smtp.close(() => resolve()));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function tab(name: string): Locator {
  return page.getByRole('navigation', { name: 'Integrations sections' }).getByRole('link', { name, exact: true });
}

function row(): Locator {
  return page.getByTestId(`probe-row-${probeId}`);
}

/** Alert bodies (not tests) the webhook server got. */
function alertHooks(kind: string) {
  return hooks.filter((hook) => hook.body.kind === kind);
}

/** The whole area in one picture: the window made as tall as the area. */
async function screenshotWhole(name: string) {
  const size = page.viewportSize()!;
  const height = await page
    .locator('.shell-main > .area')
    .evaluate((el) => (el as unknown as { scrollHeight: number }).scrollHeight);
  await page.setViewportSize({ width: size.width, height: Math.min(3000, Math.max(size.height, height + 60)) });
  await page
    .locator('.shell-main')
    .evaluate((el) => (el as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
  await animationsSettled(page);
  await page.screenshot({ path: join(SCREENSHOTS, name) });
  await page.setViewportSize(size);
}

/** Goes to a route in the open page (a new load would lose the token in the URL's fragment). */
async function go(on: Page, route: string) {
  await on.evaluate(`window.location.hash = ${JSON.stringify(route)}`);
}

async function runNow() {
  await row()
    .getByRole('button', { name: `Run ${PROBE} now` })
    .click();
}

describe('Alerts', () => {
  it('adds a webhook channel and Send test delivers to the webhook server, the result shown', async () => {
    await tab('Channels').click();
    await page.getByRole('heading', { name: 'No channels yet' }).waitFor();
    await page.getByRole('button', { name: 'Add channel' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add channel' });
    await dialog.getByLabel('Name', { exact: true }).fill('Ops webhook');
    await dialog.getByLabel('Kind').selectOption('webhook');
    // Without the URL it is refused at its field, and nothing is saved.
    await dialog.getByRole('button', { name: 'Add channel' }).click();
    await dialog.locator('.secret-field.has-error').waitFor();
    await dialog.getByLabel('Webhook URL').fill(hookUrl);
    await dialog.getByLabel('Bearer token (optional)').fill(WEBHOOK_TOKEN);
    await dialog.getByRole('button', { name: 'Add channel' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const card = page.getByRole('listitem', { name: 'Ops webhook' });
    await card.waitFor();
    // Secrets only as set / not set: the URL itself is nowhere on the page.
    expect(await card.textContent()).toContain('URL set');
    expect(await page.content()).not.toContain(hookUrl);
    expect(await page.content()).not.toContain(WEBHOOK_TOKEN);

    await card.getByRole('button', { name: 'Send test to Ops webhook' }).click();
    await expect
      .poll(() => card.getByTestId('test-result').textContent(), { timeout: 20_000 })
      .toContain('Test delivered');
    expect(await card.getByTestId('test-result').textContent()).toContain('1 attempt');
    expect(hooks).toHaveLength(1);
    expect(hooks[0]!.body.kind).toBe('test');
    expect(hooks[0]!.headers.authorization).toBe(`Bearer ${WEBHOOK_TOKEN}`);

    // Editing shows the secrets as set, never their values.
    await card.getByRole('button', { name: 'Edit Ops webhook' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Ops webhook' });
    expect(await edit.getByRole('textbox', { name: 'Webhook URL' }).inputValue()).toBe('');
    expect(await edit.locator('.secret-tag.is-set').count()).toBe(2);
    await edit.getByRole('button', { name: 'Cancel' }).click();
    await edit.waitFor({ state: 'hidden' });
  });

  it('adds an email channel and Send test delivers a mail to the SMTP server', async () => {
    await page.getByRole('button', { name: 'Add channel' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add channel' });
    await dialog.getByLabel('Name', { exact: true }).fill('Ops mail');
    await dialog.getByLabel('Kind').selectOption('email');
    await dialog.getByLabel('SMTP server').fill('127.0.0.1');
    await dialog.getByLabel('Security').selectOption('none');
    expect(await dialog.getByLabel('Port').inputValue()).toBe('25');
    await dialog.getByLabel('Port').fill(String(smtpPort));
    await dialog.getByLabel('From').fill('control-room@example.test');
    await dialog.getByLabel('To', { exact: true }).fill('ops@example.test, oncall@example.test');
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'alerts-email-dialog.png') });
    await dialog.getByRole('button', { name: 'Add channel' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const card = page.getByRole('listitem', { name: 'Ops mail' });
    await card.waitFor();
    await card.getByRole('button', { name: 'Send test to Ops mail' }).click();
    await expect
      .poll(() => card.getByTestId('test-result').textContent(), { timeout: 20_000 })
      .toContain('Test delivered');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.from).toBe('control-room@example.test');
    expect(mails[0]!.to).toEqual(['ops@example.test', 'oncall@example.test']);
    expect(mails[0]!.raw).toMatch(/^Subject: .*test/im);
    await screenshotWhole('alerts-channels.png');
  });

  it('a desktop channel asks for notification permission on Send test, and is deleted after a confirmation', async () => {
    await page.context().grantPermissions(['notifications'], { origin: new URL(app.url).origin });
    await page.getByRole('button', { name: 'Add channel' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add channel' });
    await dialog.getByLabel('Name', { exact: true }).fill('This desk');
    await dialog.getByLabel('Kind').selectOption('desktop');
    await dialog.getByText('Nothing to set up').waitFor();
    await dialog.getByRole('button', { name: 'Add channel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const card = page.getByRole('listitem', { name: 'This desk' });
    await card.getByRole('button', { name: 'Send test to This desk' }).click();
    await expect
      .poll(() => card.getByTestId('test-result').textContent(), { timeout: 20_000 })
      .toContain('Test delivered');
    expect(await page.evaluate('Notification.permission')).toBe('granted');

    await card.getByRole('button', { name: 'Delete This desk' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete This desk?' });
    await confirm.getByRole('button', { name: 'Delete channel' }).click();
    await card.waitFor({ state: 'detached' });
    expect(await page.getByRole('list', { name: 'Channels' }).getByRole('listitem').count()).toBe(2);
  });

  it('adds a probe with the rule "alert after 1 failure, resolve after 1 success"', async () => {
    await tab('Probes').click();
    await page.getByTestId('preset-website-https').click();
    const editor = page.getByRole('dialog', { name: 'Add probe: Website over HTTPS' });
    await editor.getByLabel('Page URL').fill(siteUrl);
    await editor.getByLabel('Name', { exact: true }).fill(PROBE);
    // A plain-HTTP site has no certificate: drop the preset's two certificate conditions.
    await editor.getByRole('button', { name: 'Remove condition 4' }).click();
    await editor.getByRole('button', { name: 'Remove condition 3' }).click();
    await editor.getByLabel('Every (seconds)').fill('604800');
    await editor.getByLabel('SLA (seconds)').fill('604800');
    await editor.getByLabel('Cheap: run once at start-up').uncheck();
    await editor.getByRole('button', { name: 'Add probe' }).click();
    await editor.waitFor({ state: 'hidden' });
    const added = page.locator('.probe-row', { hasText: PROBE });
    await added.waitFor();
    probeId = (await added.getAttribute('data-probe-id'))!;

    await row().getByRole('link', { name: PROBE }).click();
    const panel = page.getByTestId('probe-alerts');
    await panel.waitFor();
    // Until it has a rule of its own, the defaults apply.
    await expect.poll(() => panel.getByTestId('effective-rule').textContent()).toContain('from the defaults');
    await panel.getByRole('button', { name: 'Set alert rule' }).click();
    const dialog = page.getByRole('dialog', { name: `Alert rule: ${PROBE}` });
    await dialog.getByLabel('Failures before alert').fill('1');
    await dialog.getByLabel('Successes before resolved').fill('1');
    await dialog.getByLabel('Reminder every (minutes)').fill('0');
    await dialog.getByLabel('Cooldown (minutes)').fill('0');
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'alerts-rule-dialog.png') });
    await dialog.getByRole('button', { name: 'Save rule' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect
      .poll(() => panel.getByTestId('effective-rule').textContent())
      .toContain('Alert after 1 failure, resolved after 1 success');
    expect(await panel.getByTestId('effective-rule').textContent()).toContain('from its own rule');

    // The rule is listed under Rules, saying only what it sets.
    await go(page, '#/integrations/alerts/rules');
    const rule = page.getByRole('listitem', { name: `Rule for ${PROBE}` });
    await rule.waitFor();
    expect(await rule.textContent()).toContain('alert after 1 failure');

    // A first run while the site is up: ok, nothing to say.
    await tab('Probes').click();
    await runNow();
    await expect.poll(() => row().locator('.probe-status').getAttribute('data-status'), { timeout: 20_000 }).toBe('ok');
    expect(alertHooks('alert')).toHaveLength(0);
  });

  it('the site breaks: one alert delivered to each channel, shown in the history with its deliveries', async () => {
    siteMode = 'fail';
    await runNow();
    await expect
      .poll(() => row().locator('.probe-status').getAttribute('data-status'), { timeout: 20_000 })
      .toBe('fail');
    await expect.poll(() => alertHooks('alert').length, { timeout: 30_000 }).toBe(1);
    await expect.poll(() => mails.length, { timeout: 30_000 }).toBe(2);
    expect(alertHooks('alert')[0]!.body.probe?.name).toBe(PROBE);
    expect(mails[1]!.raw).toContain(PROBE);

    // Failing again sends nothing more (no reminders in this rule).
    await runNow();
    await expect
      .poll(() => row().locator('.probe-status').getAttribute('data-status'), { timeout: 20_000 })
      .toBe('fail');
    await expect.poll(() => row().locator('.cell-when').nth(1).textContent()).toMatch(/just now|s ago/);

    await tab('Alert history').click();
    const sent = page.locator('[data-testid="alert-decision"][data-decision="sent"][data-kind="alert"]');
    await sent.waitFor();
    expect(await sent.count()).toBe(1);
    await expect.poll(() => sent.getByTestId('delivery').count(), { timeout: 30_000 }).toBe(2);
    const deliveries = await sent.getByTestId('delivery').allTextContents();
    expect(deliveries.some((text) => /Ops webhook: delivered \(1 attempt\)/.test(text))).toBe(true);
    expect(deliveries.some((text) => /Ops mail: delivered/.test(text))).toBe(true);
    expect(await sent.getByRole('link', { name: PROBE }).getAttribute('href')).toBe(`#/integrations/probe/${probeId}`);
    expect(alertHooks('alert')).toHaveLength(1);
    expect(mails).toHaveLength(2);
  });

  it('a dependant of the failing probe is marked "blocked by" it, and muted while in maintenance', async () => {
    await tab('Probes').click();
    await page.getByRole('button', { name: 'Add probe' }).click();
    await page
      .getByRole('dialog', { name: 'Add probe' })
      .getByRole('button', { name: /From scratch/ })
      .click();
    const editor = page.getByRole('dialog', { name: 'Add probe', exact: true });
    await editor.getByLabel('Name', { exact: true }).fill(DEPENDANT);
    await editor.getByLabel('Kind').selectOption('tcp');
    await editor.getByRole('textbox', { name: 'Scope' }).fill('shop');
    await editor.getByRole('textbox', { name: 'Check' }).fill('shop.api.port');
    await editor.getByRole('textbox', { name: 'Host' }).fill('127.0.0.1');
    await editor.getByRole('textbox', { name: 'Port' }).fill(new URL(siteUrl).port);
    await editor.getByRole('button', { name: 'Add probe' }).click();
    await editor.waitFor({ state: 'hidden' });
    const dependant = page.locator('.probe-row', { hasText: DEPENDANT });
    const dependantId = (await dependant.getAttribute('data-probe-id'))!;

    await tab('Rules').click();
    const add = page.getByRole('form', { name: 'Add dependency' });
    await add.getByLabel('Dependant').selectOption(`probe:${dependantId}`);
    await add.getByLabel('Parent').selectOption(`probe:${probeId}`);
    await add.getByRole('button', { name: 'Add dependency' }).click();
    await page.getByRole('listitem', { name: `${DEPENDANT} depends on ${PROBE}` }).waitFor();
    await screenshotWhole('alerts-rules.png');

    // Its next run says what holds its alerts: the parent is failing.
    await tab('Probes').click();
    await dependant.getByRole('button', { name: `Run ${DEPENDANT} now` }).click();
    await expect
      .poll(() => dependant.getByTestId('blocked-by').textContent(), { timeout: 20_000 })
      .toBe(`blocked by ${PROBE}`);

    // Muted for an hour from its page; the row says so.
    await dependant.getByRole('link', { name: DEPENDANT }).click();
    const panel = page.getByTestId('probe-alerts');
    await panel.getByRole('button', { name: 'Mute for 1 h' }).click();
    await expect.poll(() => panel.textContent()).toContain('muted for 1 h');
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'alerts-probe-page.png') });
    await go(page, '#/integrations');
    await dependant.getByRole('button', { name: `Run ${DEPENDANT} now` }).click();
    await dependant.getByTestId('maintenance-mark').waitFor({ timeout: 20_000 });
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'alerts-table.png') });

    // The window is listed, and ended from there.
    await tab('Maintenance').click();
    const window = page.getByRole('listitem', { name: `Maintenance for ${DEPENDANT}` });
    expect(await window.textContent()).toContain('in maintenance now');
    await window.getByRole('button', { name: `End maintenance for ${DEPENDANT}` }).click();
    await page
      .getByRole('dialog', { name: 'End this maintenance now?' })
      .getByRole('button', { name: 'End now' })
      .click();
    await page.getByText('No maintenance windows.').waitFor();

    // A weekly window: days, a local time and a length; listed as such, then removed.
    await page.getByRole('button', { name: 'Add maintenance window' }).click();
    const weekly = page.getByRole('dialog', { name: 'Add maintenance window' });
    await weekly.getByLabel('Mute').selectOption('scope:shop');
    await weekly.getByRole('radio', { name: 'Every week' }).check();
    await weekly.getByRole('button', { name: 'Add window' }).click();
    await weekly.getByText('Pick at least one day.').waitFor();
    await weekly.getByRole('checkbox', { name: 'Sat' }).check();
    await weekly.getByRole('checkbox', { name: 'Sun' }).check();
    await weekly.getByLabel('Starts at').fill('03:30');
    await weekly.getByLabel('For (minutes)').fill('90');
    await weekly.getByLabel('Reason (optional)').fill('Database backups');
    await weekly.getByRole('button', { name: 'Add window' }).click();
    await weekly.waitFor({ state: 'hidden' });
    const listed = page.getByRole('listitem', { name: 'Maintenance for scope shop' });
    expect(await listed.textContent()).toContain('every Sun, Sat at 03:30 for 1 h 30 min');
    expect(await listed.textContent()).toContain('Database backups');
    await listed.getByRole('button', { name: 'End maintenance for scope shop' }).click();
    await page
      .getByRole('dialog', { name: 'Remove this weekly window?' })
      .getByRole('button', { name: 'Remove window' })
      .click();
    await page.getByText('No maintenance windows.').waitFor();
    // Nothing about either probe was sent meanwhile.
    expect(alertHooks('alert')).toHaveLength(1);
  });

  it('the site is fixed: resolved delivered and shown live in the open history, newest first', async () => {
    siteMode = 'ok';
    // The history stays open in this window while a second window runs the probe.
    await tab('Alert history').click();
    await page.getByLabel('Probe', { exact: true }).selectOption(probeId);
    await page.getByTestId('alert-decision').first().waitFor();
    const other = await openPage(browser, { width: 1200, height: 800 }, pageErrors, 15_000);
    await other.goto(app.url);
    await other.getByRole('heading', { name: 'Overview' }).waitFor();
    await go(other, `#/integrations/probe/${probeId}`);
    await other.getByTestId('probe-page').getByRole('button', { name: 'Run now', exact: true }).click();
    await expect.poll(() => alertHooks('resolved').length, { timeout: 30_000 }).toBe(1);
    await expect.poll(() => mails.length, { timeout: 30_000 }).toBe(3);
    expect(alertHooks('alert')).toHaveLength(1);
    await other.close();

    const first = page.getByTestId('alert-decision').first();
    await expect.poll(() => first.getAttribute('data-kind'), { timeout: 20_000 }).toBe('resolved');
    expect(await first.getAttribute('data-decision')).toBe('sent');
    await expect.poll(() => first.getByTestId('delivery').count(), { timeout: 30_000 }).toBe(2);
    expect(await page.getByTestId('alert-decision').nth(1).getAttribute('data-kind')).toBe('alert');
    await screenshotWhole('alerts-history.png');

    // The probe page's link opens the history filtered to it.
    await go(page, `#/integrations/probe/${probeId}`);
    await page.getByTestId('probe-alerts').getByRole('link', { name: 'Alert history' }).click();
    await page.getByTestId('alert-decision').first().waitFor();
    expect(await page.getByLabel('Probe', { exact: true }).inputValue()).toBe(probeId);
    expect(pageErrors).toEqual([]);
  });
  it('the same check run from a host shows beside the local one, marked by origin, side by side on its page', async () => {
    agent = await startAgentFixture({
      config: () => ({
        probes: [
          {
            name: 'Checkout site (host)',
            scope: 'website',
            check: 'website.https',
            kind: 'http',
            settings: { url: `${new URL(siteUrl).origin}/from-host/health` },
            conditions: [{ expression: '[STATUS] == 200', severity: 'fail' }],
            cheap: true,
            retries: 0,
          },
        ],
      }),
    });
    await page.keyboard.press('Control+6');
    await page.getByRole('button', { name: 'Add target' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add target' });
    await dialog.getByLabel('Name', { exact: true }).fill('shop-host');
    await dialog.getByLabel('Kind').selectOption('ops-api');
    await dialog.getByLabel('Base URL').fill(agent.url);
    await dialog.getByLabel('API token', { exact: true }).fill(agent.read);
    await dialog.getByLabel('API token', { exact: true }).press('Enter');
    await dialog.waitFor({ state: 'hidden' });

    // The app reads its ops-API targets' probes as it starts (and every minute after).
    expect(pageErrors).toEqual([]);
    await app.stop();
    app = await startApp(keyring.env, { dataDir });
    await page.goto(app.url);
    // The old window's lost WebSocket is all the console said meanwhile.
    expect(pageErrors.every((error) => error.includes('ERR_CONNECTION_REFUSED'))).toBe(true);
    pageErrors.length = 0;
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.keyboard.press('Control+3');
    const hostRow = page.locator('.probe-row', { hasText: 'Checkout site (host)' });
    await hostRow.waitFor({ timeout: 30_000 });
    await expect.poll(() => hostRow.getByTestId('origin-mark').textContent()).toBe(`from ${new URL(agent.url).host}`);
    await expect.poll(() => row().getByTestId('origin-mark').textContent(), { timeout: 30_000 }).toBe('this machine');
    await expect
      .poll(() => hostRow.locator('.probe-status').getAttribute('data-status'), { timeout: 30_000 })
      .toBe('fail');

    await row().getByRole('link', { name: PROBE }).click();
    const compare = page.getByTestId('counterpart');
    await compare.waitFor();
    expect(await compare.getByTestId('counterpart-local').locator('.probe-status').getAttribute('data-status')).toBe(
      'ok',
    );
    expect(await compare.getByTestId('counterpart-host').locator('.probe-status').getAttribute('data-status')).toBe(
      'fail',
    );
    expect(await compare.getByTestId('counterpart-host').textContent()).toContain('saw 503');
    expect(await compare.textContent()).toContain('they disagree');
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'alerts-counterpart.png') });
    expect(pageErrors).toEqual([]);
  });
  it('a failing dependant of a failing parent is held, "blocked by" the parent, under its scope’s rule', async () => {
    // A second site probe in scope shop, depending on the first; scope shop alerts after 1 failure.
    await go(page, '#/integrations');
    await page.getByRole('button', { name: 'Add probe' }).click();
    await page.getByRole('dialog', { name: 'Add probe' }).getByTestId('preset-website-https').click();
    const editor = page.getByRole('dialog', { name: 'Add probe: Website over HTTPS' });
    await editor.getByLabel('Page URL').fill(`${new URL(siteUrl).origin}/api/health`);
    await editor.getByLabel('Name', { exact: true }).fill(HELD);
    await editor.getByRole('textbox', { name: 'Scope' }).fill('shop');
    await editor.getByRole('button', { name: 'Remove condition 4' }).click();
    await editor.getByRole('button', { name: 'Remove condition 3' }).click();
    await editor.getByLabel('Every (seconds)').fill('604800');
    await editor.getByLabel('SLA (seconds)').fill('604800');
    await editor.getByLabel('Cheap: run once at start-up').uncheck();
    await editor.getByRole('button', { name: 'Add probe' }).click();
    await editor.waitFor({ state: 'hidden' });
    const held = page.locator('.probe-row', { hasText: HELD });
    const heldId = (await held.getAttribute('data-probe-id'))!;

    await tab('Rules').click();
    await page.getByRole('button', { name: 'Add rule' }).click();
    const rule = page.getByRole('dialog', { name: 'Add alert rule' });
    await rule.getByLabel('Applies to').selectOption('scope:shop');
    await rule.getByLabel('Failures before alert').fill('1');
    await rule.getByRole('button', { name: 'Save rule' }).click();
    await rule.waitFor({ state: 'hidden' });
    await page.getByRole('listitem', { name: 'Rule for scope shop' }).waitFor();
    const add = page.getByRole('form', { name: 'Add dependency' });
    await add.getByLabel('Dependant').selectOption(`probe:${heldId}`);
    await add.getByLabel('Parent').selectOption(`probe:${probeId}`);
    await add.getByRole('button', { name: 'Add dependency' }).click();
    await page.getByRole('listitem', { name: `${HELD} depends on ${PROBE}` }).waitFor();

    // The parent fails first and alerts; then the dependant fails and is held.
    siteMode = 'fail';
    const alertsBefore = alertHooks('alert').length;
    await tab('Probes').click();
    await runNow();
    await expect.poll(() => alertHooks('alert').length, { timeout: 30_000 }).toBe(alertsBefore + 1);
    await held.getByRole('button', { name: `Run ${HELD} now` }).click();
    await expect
      .poll(() => held.locator('.probe-status').getAttribute('data-status'), { timeout: 20_000 })
      .toBe('fail');
    await expect
      .poll(() => held.getByTestId('blocked-by').textContent(), { timeout: 20_000 })
      .toBe(`blocked by ${PROBE}`);

    await tab('Alert history').click();
    const heldEntry = page.locator('[data-testid="alert-decision"][data-decision="held"]');
    await heldEntry.first().waitFor({ timeout: 20_000 });
    expect(await heldEntry.first().textContent()).toContain(HELD);
    expect(await heldEntry.first().textContent()).toContain(PROBE);
    expect(await heldEntry.first().getByTestId('delivery').count()).toBe(0);
    expect(alertHooks('alert').filter((hook) => hook.body.probe?.name === HELD)).toHaveLength(0);
    await screenshotWhole('alerts-history-held.png');
    expect(pageErrors).toEqual([]);
  });
});
