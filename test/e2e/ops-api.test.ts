/**
 * An ops-api target end to end: the real app in browser mode, real Chromium, a real keychain,
 * and the REAL agent (in this process) in front of podman with compose-labelled containers.
 *
 * The console shows the agent's context; a product page in the same browser, with the BUILT
 * reporter (dist/reporter/reporter.js), throws errors that reach the console's Frontend errors
 * tab live, grouped by message; a container restarted with the podman CLI shows in Events; a
 * wrong token and a stopped listener each read as one sentence, and the events link comes back
 * by itself.
 *
 * One app and one page for the whole file; the tests run in order and build on each other.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startApp, type RunningApp } from '../support/app';
import { animationsSettled, launchBrowser, openPage, SCREENSHOTS } from '../support/browser';
import { startKeyring, type Keyring } from '../support/keyring';
import { composeLabels } from '../support/podman';
import { startAgentFixture, type AgentFixture } from '../integration/agent/agent-fixture';

const TARGET = 'shop-agent';
const WRONG = 'shop-wrong-token';
const BUILD = 'web-4f1c2e9';
const GIT_SHA = '4f1c2e9a7b3d5e6f8091a2b3c4d5e6f708192a3b';
const REPORTER = join(REPO_ROOT, 'dist', 'reporter', 'reporter.js');

let keyring: Keyring;
let agent: AgentFixture;
let site: Server;
let siteUrl: string;
let app: RunningApp;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

/** A product page: the reporter first, then an app that fails in its own ways. */
function productPage(title: string, script: string): string {
  const endpoint = `${agent.url}/api/ops/frontend-log`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>
<script src="/reporter.js" data-endpoint="${endpoint}" data-build-hash="${BUILD}" data-window-ms="1000"></script>
</head><body><h1>${title}</h1><script>
${script}
setTimeout(() => { document.title = 'done'; }, 300);
</script></body></html>`;
}

const CART = `
  console.error('Payment widget failed:', new Error('card declined'));
  function render(cart) { return cart.total; }
  setTimeout(() => render(null), 0);
  function recalculate() { throw new Error('price recalculation exploded'); }
  for (let i = 0; i < 12; i++) setTimeout(recalculate, 20 + i);
`;
const ACCOUNT = `
  function render(cart) { return cart.total; }
  setTimeout(() => render(null), 0);
  Promise.reject(new Error('fetch /api/profile failed with 502'));
`;

beforeAll(async () => {
  keyring = await startKeyring();
  agent = await startAgentFixture({
    podman: true,
    before: async (podman) => {
      // `trap` lets sh (PID 1 in the container) stop on SIGTERM at once, so a restart is quick.
      await Promise.all([
        podman.run(
          'shop-backend-1',
          'trap "exit 0" TERM; while true; do echo backend; sleep 1; done',
          composeLabels('shop', 'backend'),
        ),
        podman.run(
          'shop-worker-1',
          'trap "exit 0" TERM; while true; do sleep 1; done',
          composeLabels('shop', 'worker'),
        ),
        podman.run(
          'shop-migrate-1',
          'echo "relation users already exists" >&2; exit 3',
          composeLabels('shop', 'migrate'),
        ),
      ]);
    },
    config: () => ({
      migrations: {
        command:
          "printf 'Applying 0001_initial... OK\\nApplying 0002_orders... OK\\nApplying 0003_refunds... OK\\n3 migrations applied, 0 pending\\n'",
      },
    }),
    env: {
      PATH: process.env.PATH,
      GIT_SHA,
      GIT_BRANCH: 'main',
      DEPLOYED_AT: new Date(Date.now() - 3 * 3_600_000).toISOString(),
    },
  });

  const reporter = readFileSync(REPORTER, 'utf8');
  site = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (type: string, body: string) => res.writeHead(200, { 'content-type': type }).end(body);
    if (path === '/reporter.js') return send('text/javascript', reporter);
    if (path === '/shop/cart') return send('text/html', productPage('Shop — cart', CART));
    if (path === '/account') return send('text/html', productPage('Shop — account', ACCOUNT));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const address = site.address();
  siteUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  app = await startApp(keyring.env);
  browser = await launchBrowser();
  page = await openPage(browser, { width: 1280, height: 900 }, pageErrors, 15_000);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await new Promise((resolve) => site?.close(resolve));
  await agent?.stop();
  await keyring?.stop();
});

function section(id: string): Locator {
  return page.getByTestId(`ops-section-${id}`);
}

function headerChip(): Locator {
  return page.locator('.target-header').getByTestId('connection-state');
}

function group(message: string | RegExp): Locator {
  return page.getByTestId('fe-group').filter({ has: page.locator('.fe-message', { hasText: message }) });
}

async function countOf(message: string | RegExp): Promise<number> {
  return Number(await group(message).getByTestId('fe-count').textContent());
}

async function routesOf(message: string | RegExp): Promise<string[]> {
  return (await group(message).getByTestId('fe-route').allTextContents())
    .map((text) => text.replace(/\d+$/, ''))
    .sort();
}

async function addOpsApiTarget(name: string, token: string) {
  await page.keyboard.press('Control+6');
  await page.getByRole('button', { name: 'Add target' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Add target' });
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByRole('radio', { name: 'Staging' }).check();
  await dialog.getByLabel('Kind').selectOption('ops-api');
  await dialog.getByLabel('Base URL').fill(agent.url);
  await dialog.getByLabel('API token', { exact: true }).fill(token);
  await dialog.getByRole('button', { name: 'Add target' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page.getByRole('row').filter({ hasText: name }).getByText('API token: secret set').waitFor();
}

describe('an ops-api target in the Overview', () => {
  it('adds an ops-api target for the agent; its token goes to the keychain', async () => {
    await page.goto(app.url);
    await page.getByText('Add your first target to see its containers and deploy info here').waitFor();
    await addOpsApiTarget(TARGET, agent.admin);
  });

  it('shows the six context sections read from the agent, and the live link connected', async () => {
    await page.keyboard.press('Control+1');
    await page.getByRole('tab', { name: 'Context' }).waitFor();

    const host = section('host');
    await host.getByText(hostname(), { exact: true }).waitFor();
    expect(await host.textContent()).toMatch(/Uptime\s*\d/);
    expect(await host.getByRole('meter').count()).toBeGreaterThan(0);

    const deploy = section('deploy');
    expect(await deploy.getByTestId('git-sha').textContent()).toBe(GIT_SHA.slice(0, 10));
    expect(await deploy.getByTestId('git-sha').getAttribute('title')).toBe(GIT_SHA);
    expect(await deploy.textContent()).toContain('main');
    expect(await deploy.textContent()).toContain('3 h ago');
    expect(await deploy.textContent()).toContain('busybox');

    const docker = section('docker');
    await docker.getByTestId('ops-container-shop-backend-1').waitFor();
    expect(await docker.getByTestId('ops-container-shop-backend-1').textContent()).toContain('running');
    expect(await docker.getByTestId('ops-container-shop-backend-1').textContent()).toContain('backend');
    expect(await docker.getByTestId('ops-container-shop-migrate-1').textContent()).toContain('exited');

    const migrations = section('migrations');
    expect(await migrations.textContent()).toContain('exit 0');
    expect(await migrations.locator('pre').textContent()).toContain('3 migrations applied, 0 pending');

    // The migrate container exited with an error: an alert, coloured by its severity.
    const alerts = section('alerts');
    await alerts.locator('.ops-alert').first().waitFor();
    expect(await alerts.textContent()).toContain('shop-migrate-1');

    expect(await section('frontend').textContent()).toContain('none reported yet');
    // The events link: the header chip follows it.
    await expect.poll(() => headerChip().getAttribute('data-status'), { timeout: 15_000 }).toBe('connected');
  });

  it('groups the errors a product page throws by message, live, with counts, routes and builds', async () => {
    await page.getByRole('tab', { name: /Frontend errors/ }).click();
    await page.getByText('No browser errors in this window — install the reporter').waitFor();

    // The product's pages, in the same browser, with the built reporter.
    const product = await browser.newPage();
    await product.goto(`${siteUrl}/shop/cart`);
    await product.waitForFunction('document.title === "done"');
    await product.goto(`${siteUrl}/account`);
    await product.waitForFunction('document.title === "done"');

    // No reload, no refresh: the groups fill in from the live events.
    const typeError = /^TypeError: Cannot read properties of null/;
    await expect.poll(() => page.getByTestId('fe-group').count(), { timeout: 15_000 }).toBe(4);
    await expect.poll(() => countOf('price recalculation exploded'), { timeout: 15_000 }).toBe(12);
    expect(await countOf(typeError)).toBe(2);
    expect(await routesOf(typeError)).toEqual(['/account', '/shop/cart']);
    expect(await countOf('Payment widget failed: card declined')).toBe(1);
    expect(await routesOf('price recalculation exploded')).toEqual(['/shop/cart']);
    expect(await countOf('fetch /api/profile failed with 502')).toBe(1);
    expect(await group(typeError).textContent()).toContain(BUILD);
    await expect.poll(() => page.getByTestId('fe-summary').textContent()).toMatch(/16 errors · 4 messages/);
    await product.close();

    // What a refresh reads from the agent agrees with what arrived live.
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await page.getByRole('button', { name: 'Refresh', exact: true }).waitFor();
    expect(await countOf('price recalculation exploded')).toBe(12);
    expect(await page.getByTestId('fe-group').count()).toBe(4);

    // Sorted by count, the repeated error leads; another window reads again.
    await page.getByLabel('Sort by').selectOption('count');
    expect(await page.getByTestId('fe-group').first().locator('.fe-message').textContent()).toBe(
      'price recalculation exploded',
    );
    await page.getByRole('radio', { name: '15 min' }).check();
    await expect.poll(() => page.getByTestId('fe-group').count()).toBe(4);

    // The newest stack, in monospace, on demand.
    await group(typeError).getByRole('button', { name: 'Show the latest stack' }).click();
    const stack = group(typeError).getByLabel('Latest stack');
    expect(await stack.textContent()).toMatch(/TypeError: Cannot read properties of null[\s\S]*at render/);
    expect(await page.evaluate("getComputedStyle(document.querySelector('.fe-stack-text')).fontFamily")).toMatch(
      /mono/i,
    );

    // Let the live highlight fade, for a calm picture.
    await expect.poll(() => page.locator('.fe-group.is-fresh').count(), { timeout: 10_000 }).toBe(0);
    await animationsSettled(page); // the fade-out transition (none with reduced motion)
    await page.mouse.move(1270, 890);
    await page.screenshot({ path: join(SCREENSHOTS, 'frontend-errors.png') });
  });

  it('shows a container restarted with the podman CLI in Events', async () => {
    await page.getByRole('tab', { name: /Events/ }).click();
    // The browser errors came in as events too.
    await page.locator('[data-testid="ops-event"][data-kind="frontend-error"]').first().waitFor();

    await agent.podman!.cli(['restart', '-t', '2', 'shop-backend-1']);
    const restarted = page
      .locator('[data-testid="ops-event"][data-kind="container"]')
      .filter({ hasText: 'shop-backend-1' });
    await restarted.first().waitFor({ timeout: 20_000 });
    expect(await restarted.first().textContent()).toContain('service backend');
    await page.getByRole('button', { name: /^Container/ }).click();
    expect(await page.locator('[data-testid="ops-event"][data-kind="frontend-error"]').count()).toBe(0);
    await page.getByRole('button', { name: /^All/ }).click();
  });

  it('reads the context again after events: the frontend card counts the errors, the container runs again', async () => {
    await page.getByRole('tab', { name: 'Context' }).click();
    const frontend = section('frontend');
    await expect
      .poll(async () => frontend.locator('.ops-count-value').first().textContent(), { timeout: 15_000 })
      .toBe('16');
    expect(await frontend.textContent()).toContain(BUILD);
    // The restart's events brought fresh reads without a click: the backend is back to running.
    const backend = section('docker').getByTestId('ops-container-shop-backend-1');
    await expect.poll(async () => backend.locator('.state-word').textContent(), { timeout: 15_000 }).toBe('running');

    // Tall enough for all six cards.
    await page.setViewportSize({ width: 1280, height: 1180 });
    await page.mouse.move(1270, 1170);
    await page.screenshot({ path: join(SCREENSHOTS, 'ops-api-context.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('a wrong token reads as one sentence with Retry, not a broken screen', async () => {
    await addOpsApiTarget(WRONG, `cra_${'x'.repeat(43)}`);
    await page.keyboard.press('Control+1');
    await page
      .getByRole('tablist', { name: 'Targets' })
      .getByRole('tab', { name: new RegExp(WRONG) })
      .click();
    const failed = page.getByRole('region', { name: `Can’t read ${WRONG}’s context` });
    await failed.waitFor();
    const reason = (await failed.getByRole('alert').textContent())!;
    expect(reason).toMatch(/refused the token \(401\) — set a valid API token for this target\.$/);
    expect(reason.split('. ').length).toBe(1);
    await failed.getByRole('button', { name: 'Retry' }).waitFor();
    await expect.poll(() => headerChip().getAttribute('data-status'), { timeout: 15_000 }).toBe('failed');
    // The other tabs say the same, in place.
    await page.getByRole('tab', { name: /Frontend errors/ }).click();
    await page.getByRole('region', { name: `Can’t read ${WRONG}’s browser errors` }).waitFor();
    await page.getByRole('tab', { name: 'Context' }).click();
  });

  it('a stopped listener keeps the last context on screen with one sentence; the live link comes back by itself', async () => {
    await page
      .getByRole('tablist', { name: 'Targets' })
      .getByRole('tab', { name: new RegExp(TARGET) })
      .click();
    await section('host').getByText(hostname(), { exact: true }).waitFor();
    await expect.poll(() => headerChip().getAttribute('data-status'), { timeout: 15_000 }).toBe('connected');

    const port = Number(new URL(agent.url).port);
    const server = agent.app.server;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      for (const client of agent.app.websocketServer.clients) client.terminate();
    });
    await expect.poll(() => headerChip().getAttribute('data-status'), { timeout: 15_000 }).toBe('reconnecting');

    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    const banner = page.locator('.stale-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/Could not reach the ops API at 127\.0\.0\.1:\d+: connection refused/);
    // Still there, marked stale, not a broken screen.
    await section('docker').getByTestId('ops-container-shop-backend-1').waitFor();

    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    await expect.poll(() => headerChip().getAttribute('data-status'), { timeout: 30_000 }).toBe('connected');
    // Back: the context is read again without a click.
    await banner.waitFor({ state: 'hidden', timeout: 15_000 });
    expect(pageErrors).toEqual([]);
  });
});
