/**
 * The browser reporter end to end: the BUILT reporter (IIFE from a script tag, and ESM) in a real
 * page in Chromium, served from its own origin, sending to the real agent on another port —
 * as a product's site would send to its agent. What the page throws must reach the agent with
 * the right fields, repeats folded into counts, and the page's own handlers left working.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrontendErrors, type FrontendError } from '../../shared/model/ops';
import { buildReporter } from '../../agent/build.mjs';
import { REPO_ROOT } from '../support/app';
import { launchBrowser, SCREENSHOTS } from '../support/browser';
import { waitFor } from '../support/keyring';
import { startAgentFixture, type AgentFixture } from '../integration/agent/agent-fixture';

const BUILD = 'e2e-build-7f3a9c';
const WINDOW_MS = 1_500;
let agent: AgentFixture;
let server: Server;
let site: string;
let outRoot: string;
let files: { iife: string; esm: string };
let browser: Browser;

/** The product's page: loads the reporter first, then "the app", which fails in every way it can. */
function iifePage(endpoint: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Shop — cart</title>
<script src="/reporter.js" data-endpoint="${endpoint}" data-build-hash="${BUILD}" data-window-ms="${WINDOW_MS}"></script>
<style>
  body { font: 15px system-ui, sans-serif; margin: 32px; color: #1d2330; background: #f6f7fb; }
  h1 { font-size: 20px; } li { margin: 4px 0; font-family: ui-monospace, monospace; font-size: 13px; }
  .card { background: white; border-radius: 8px; padding: 16px 20px; box-shadow: 0 1px 3px #0002; max-width: 720px; }
</style></head>
<body><div class="card"><h1>Shop — cart (reporter test page)</h1>
<p>Build <code>${BUILD}</code>; errors are sent to <code>${endpoint}</code>.</p><ol id="log"></ol></div>
<script>
  const log = (text) => { const li = document.createElement('li'); li.textContent = text; document.getElementById('log').append(li); };
  // The page's own handlers: the reporter must leave them working.
  window.pageOnErrorCalls = 0;
  window.onerror = () => { window.pageOnErrorCalls++; };
  window.consoleErrorsSeen = 0;

  console.error('Payment widget failed:', new Error('card declined'));
  log('console.error("Payment widget failed:", Error("card declined"))');

  setTimeout(() => { log('throw TypeError'); null.total; }, 0);

  Promise.reject(new Error('fetch /api/cart failed with 502'));
  log('Promise.reject(Error("fetch /api/cart failed with 502")) — unhandled');

  function repeatedBoom() { throw new Error('price recalculation exploded'); }
  for (let i = 0; i < 20; i++) setTimeout(repeatedBoom, 10 + i);
  log('the same error thrown 20 times');
  setTimeout(() => { document.title = 'done'; }, 200);
</script></body></html>`;
}

/** The ESM build, installed by the app itself with a WebSocket state; leaves before the fold window closes. */
function esmPage(endpoint: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>esm</title></head><body>
<script type="module">
  import { install } from '/reporter.mjs';
  install({ endpoint: ${JSON.stringify(endpoint)}, buildHash: 'esm-build', wsState: () => 'reconnecting', windowMs: 60000 });
  function flaky() { throw new RangeError('websocket frame too large'); }
  for (let i = 0; i < 5; i++) setTimeout(flaky, i);
  setTimeout(() => { document.title = 'thrown'; }, 100);
</script></body></html>`;
}

/** A page in a loop of distinct errors: the reporter sends at most 30 a minute, whatever the page does. */
function floodPage(endpoint: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>flood</title>
<script src="/reporter.js" data-endpoint="${endpoint}" data-build-hash="flood"></script></head><body>
<script>
  for (let i = 0; i < 100; i++) console.error('distinct failure number ' + i);
  document.title = 'flooded';
</script></body></html>`;
}

beforeAll(async () => {
  outRoot = mkdtempSync(join(tmpdir(), 'cr-reporter-'));
  files = await buildReporter({ outRoot, root: REPO_ROOT });
  agent = await startAgentFixture();
  const endpoint = `${agent.url}/api/ops/frontend-log`;
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (type: string, body: string) => res.writeHead(200, { 'content-type': type }).end(body);
    if (path === '/reporter.js') return send('text/javascript', readFileSync(files.iife, 'utf8'));
    if (path === '/reporter.mjs') return send('text/javascript', readFileSync(files.esm, 'utf8'));
    if (path === '/shop/cart') return send('text/html', iifePage(endpoint));
    if (path === '/esm') return send('text/html', esmPage(endpoint));
    if (path === '/flood') return send('text/html', floodPage(endpoint));
    if (path === '/bye') return send('text/html', '<!doctype html><title>bye</title>');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  site = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await agent?.stop();
  rmSync(outRoot, { recursive: true, force: true });
});

async function received(query = '?since=10m&limit=5000'): Promise<FrontendError[]> {
  const response = await agent.get(`/api/ops/frontend-logs${query}`);
  return FrontendErrors.parse(await response.json()).errors;
}

describe('the browser reporter', () => {
  it('IIFE and ESM builds are each under 2 KB gzipped', () => {
    for (const file of [files.iife, files.esm]) expect(gzipSync(readFileSync(file), { level: 9 }).length).toBeLessThan(2048);
  });

  let page: Page;
  const consoleErrors: string[] = [];

  it('sends console.error, a thrown error and an unhandled rejection from a real page, with every field', async () => {
    page = await browser.newPage({ viewport: { width: 900, height: 520 } });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto(`${site}/shop/cart`);
    await page.waitForFunction('document.title === "done"');
    await waitFor(async () => (await received()).length >= 4, 10_000, 'the first beacons did not reach the agent');
    const errors = await received();
    const byKind = (kind: string) => errors.filter((e) => e.kind === kind);

    const [logged] = byKind('console.error');
    expect(logged).toMatchObject({ message: 'Payment widget failed: card declined', route: '/shop/cart', buildHash: BUILD, count: 1 });
    expect(logged!.stack).toMatch(/Error: card declined\n\s+at /);
    expect(logged!.browser).toMatch(/Chrome\/\d+/);

    const thrown = byKind('onerror').find((e) => e.message.startsWith('TypeError'));
    expect(thrown).toMatchObject({ route: '/shop/cart', buildHash: BUILD });
    expect(thrown!.message).toMatch(/^TypeError: Cannot read properties of null/);
    expect(thrown!.stack).toContain(`${site}/shop/cart`);

    const rejected = byKind('unhandledrejection');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ message: 'fetch /api/cart failed with 502', buildHash: BUILD });
    expect(rejected[0]!.wsState).toBeNull();
  });

  it('folds the same error repeated 20 times: sent once at once, then once with the count', async () => {
    await waitFor(
      async () => (await received()).filter((e) => e.message === 'price recalculation exploded').reduce((n, e) => n + e.count, 0) === 20,
      WINDOW_MS + 8_000,
      'the folded repeats did not arrive',
    );
    const repeats = (await received()).filter((e) => e.message === 'price recalculation exploded');
    expect(repeats.map((e) => e.count).sort((a, b) => a - b)).toEqual([1, 19]);
    expect(repeats.every((e) => e.kind === 'onerror' && e.stack?.includes('repeatedBoom'))).toBe(true);
  });

  it('calls through to the page\'s own console.error and window.onerror', async () => {
    expect(consoleErrors.some((text) => text.includes('Payment widget failed'))).toBe(true);
    // One TypeError and twenty repeats reached the page's onerror, none swallowed by the reporter.
    expect(await page.evaluate('window.pageOnErrorCalls')).toBe(21);
    // For the screenshot: what the agent holds, next to what the page did.
    const rows = (await received()).map((e) => ({ kind: e.kind ?? '', message: e.message, count: e.count, route: e.route }));
    // A string, not a function: this file is type-checked without the DOM library.
    await page.evaluate(`(() => {
      const card = document.createElement('div');
      card.className = 'card';
      card.style.marginTop = '16px';
      card.innerHTML = '<h1>Received by the agent (GET /api/ops/frontend-logs)</h1><ol id="got"></ol>';
      document.body.append(card);
      for (const r of ${JSON.stringify(rows)}) {
        const li = document.createElement('li');
        li.textContent = '×' + r.count + '  ' + r.kind + '  ' + r.route + '  ' + r.message;
        document.getElementById('got').append(li);
      }
    })()`);
    await page.screenshot({ path: join(SCREENSHOTS, 'reporter-page.png') });
    await page.close();
  });

  it('the ESM build: install() with a WebSocket state, and folded repeats flushed when the page is left', async () => {
    const esm = await browser.newPage();
    await esm.goto(`${site}/esm`);
    await esm.waitForFunction('document.title === "thrown"');
    // Leaving the page long before the 60 s window closes: pagehide sends the folded count.
    await esm.goto(`${site}/bye`);
    await waitFor(
      async () => (await received('?since=10m&route=/esm')).reduce((n, e) => n + e.count, 0) === 5,
      10_000,
      'the repeats were not flushed on pagehide',
    );
    const errors = await received('?since=10m&route=/esm');
    expect(errors.map((e) => e.count).sort()).toEqual([1, 4]);
    for (const e of errors) expect(e).toMatchObject({ buildHash: 'esm-build', wsState: 'reconnecting', message: 'RangeError: websocket frame too large', kind: 'onerror' });
    await esm.close();
  });

  it('caps what one page sends: 100 distinct errors, 30 beacons', async () => {
    const flood = await browser.newPage();
    await flood.goto(`${site}/flood`);
    await flood.waitForFunction('document.title === "flooded"');
    await waitFor(async () => (await received('?since=10m&route=/flood')).length >= 30, 10_000, 'the first 30 did not arrive');
    // Kept on purpose: the cap is that nothing more arrives. Every send happened before the title
    // changed (sendBeacon is synchronous), so a 31st would already be in flight; give it 1 s to land.
    await new Promise((r) => setTimeout(r, 1_000));
    const errors = await received('?since=10m&route=/flood');
    expect(errors).toHaveLength(30);
    expect(errors.map((e) => e.message)).toContain('distinct failure number 0');
    expect(errors.map((e) => e.message)).not.toContain('distinct failure number 30');
    await flood.close();
  });
});
