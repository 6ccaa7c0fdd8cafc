/**
 * The desktop channel in browser mode: the renderer's browser Platform in real Chromium shows a
 * Web Notification once permission is granted, and clicking it brings the tab to the probe's
 * page; without permission it shows nothing. The platform module is bundled with esbuild and
 * served from loopback (a secure context, as the app's own host is). The page's Notification is
 * Chromium's own, subclassed only to keep a handle on each instance so the test can click it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/app';
import { launchBrowser } from '../../support/browser';

let server: Server;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  const bundle = await build({
    stdin: {
      contents: `import { createBrowserPlatform } from './renderer/src/platform/browser-platform';
        (window as unknown as { crPlatform: unknown }).crPlatform = createBrowserPlatform();`,
      resolveDir: REPO_ROOT,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    write: false,
    platform: 'browser',
    tsconfig: join(REPO_ROOT, 'renderer', 'tsconfig.json'),
  });
  const script = bundle.outputFiles[0]!.text;
  server = createServer((req, res) => {
    if (req.url === '/platform.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>cr</title><script src="/platform.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

interface Notice {
  title: string;
  body: string;
  probeId: string | null;
}

/**
 * In the page (as source text: this file is typed for Node): keep each Notification made, then
 * ask for access and run the platform's notify.
 */
function notifyScript(notice: Notice): string {
  return `(async () => {
    const Real = window.Notification;
    window.made = [];
    window.Notification = class extends Real {
      constructor(title, options) {
        super(title, options);
        window.made.push(this);
      }
    };
    const access = await window.crPlatform.requestNotifications();
    await window.crPlatform.notify(${JSON.stringify(notice)});
    return { access, made: window.made.map((n) => ({ title: n.title, body: n.body, tag: n.tag })) };
  })()`;
}

type NotifyResult = { access: string; made: { title: string; body: string; tag: string }[] };

it('shows a Web Notification with permission granted, and a click opens the probe', async () => {
  const context = await browser.newContext({ permissions: ['notifications'] });
  const page = await context.newPage();
  await page.goto(origin);
  const result = await page.evaluate<NotifyResult>(notifyScript({ title: 'Alert: S3 is failing', body: 'Failed: [STATUS] == 200', probeId: 'probe-42' }));
  expect(result).toEqual({ access: 'granted', made: [{ title: 'Alert: S3 is failing', body: 'Failed: [STATUS] == 200', tag: 'probe-42' }] });
  await page.evaluate(`window.made[0].dispatchEvent(new Event('click'))`);
  expect(await page.evaluate('window.location.hash')).toBe('#/integrations/probe/probe-42');
  await context.close();
});

it('shows nothing without permission', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(origin);
  const result = await page.evaluate<NotifyResult>(notifyScript({ title: 'Alert', body: '', probeId: null }));
  expect(result.access).not.toBe('granted');
  expect(result.made).toEqual([]);
  await context.close();
});
