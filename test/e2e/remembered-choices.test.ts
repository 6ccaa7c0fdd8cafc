/**
 * Remembered choices survive a relaunch of browser mode: the Overview's and the Logs' last
 * target are kept with the app's data (settings), not in the page's localStorage, which belongs
 * to an origin — and every launch serves the page on a new port, so a new origin.
 *
 * Launch 1 creates three targets (over the host's own WebSocket, as the page would), picks one
 * in the Overview and another in Logs; launch 2 runs on the same data directory and a new port,
 * in a fresh browser profile, and opens where the user left each area.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Target } from '../../shared/model/target';
import type { Reply, ServerFrame } from '../../shared/transport';
import { startApp, type RunningApp } from '../support/app';
import { launchBrowser, openPage, SCREENSHOTS } from '../support/browser';
import { startKeyring, type Keyring } from '../support/keyring';

const NAMES = ['alpha-local', 'bravo-local', 'charlie-local'];

let keyring: Keyring;
let dataDir: string;
let app: RunningApp | undefined;
let browser: Browser | undefined;
const pageErrors: string[] = [];
const targets: Record<string, string> = {};

beforeAll(async () => {
  keyring = await startKeyring();
  dataDir = mkdtempSync(join(tmpdir(), 'cr-remembered-'));
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await keyring?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** One request over the host's WebSocket, with the page's origin and the launch's token. */
async function invoke(running: RunningApp, channel: string, payload: unknown): Promise<unknown> {
  const url = new URL(running.url);
  const token = new URLSearchParams(url.hash.slice(1)).get('token')!;
  const ws = new WebSocket(`ws://${url.host}/ws?token=${encodeURIComponent(token)}`, { origin: url.origin });
  try {
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const answered = new Promise<Reply>((resolve) =>
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as ServerFrame;
        if (frame.type === 'reply' && frame.id === 1) resolve(frame.reply);
      }),
    );
    ws.send(JSON.stringify({ type: 'invoke', id: 1, channel, payload }));
    const reply = await answered;
    if (!reply.ok) throw new Error(`${channel}: ${reply.error.message}`);
    return reply.value;
  } finally {
    ws.close();
  }
}

async function launch(): Promise<{ running: RunningApp; page: Page }> {
  const running = await startApp(keyring.env, { dataDir });
  // A fresh profile per launch: nothing the first page kept can help the second.
  browser = await launchBrowser();
  const page = await openPage(browser, { width: 1280, height: 800 }, pageErrors);
  await page.goto(running.url);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  return { running, page };
}

async function relaunch() {
  await browser?.close();
  browser = undefined;
  await app?.stop();
  app = undefined;
}

describe('remembered choices in browser mode', () => {
  let firstPort = '';

  it('remembers the target picked in the Overview and in Logs, in the app’s data', async () => {
    const { running, page } = await launch();
    app = running;
    firstPort = new URL(running.url).port;
    for (const name of NAMES) {
      const draft = {
        name,
        environment: 'dev',
        kind: 'docker-local',
        settings: { socketPath: '/nonexistent/docker.sock' },
        secrets: {},
      };
      const created = (await invoke(running, 'targets:create', draft)) as Target;
      targets[name] = created.id;
    }

    // Overview: the tabs arrive with the targets; pick the second.
    const bravoTab = page.getByRole('tab', { name: /bravo-local/ });
    await bravoTab.click();
    await expect.poll(() => bravoTab.getAttribute('aria-selected')).toBe('true');
    await expect
      .poll(() => invoke(running, 'settings:get', { key: 'overview.target' }))
      .toEqual({ value: targets['bravo-local'] });

    // Logs: pick the third in the target select.
    await page.goto(running.url.replace(/\/#.*/, '/#/logs'));
    const select = page.getByRole('combobox', { name: 'Target' });
    await select.selectOption(targets['charlie-local']!);
    await expect.poll(() => page.url()).toContain(`#/logs/${targets['charlie-local']}`);
    await expect
      .poll(() => invoke(running, 'settings:get', { key: 'logs.target' }))
      .toEqual({ value: targets['charlie-local'] });
    // Nothing of it lives in the origin's storage any more.
    expect(await page.evaluate("Object.keys(localStorage).filter((key) => key.includes('target'))")).toEqual([]);
  });

  it('opens on them again after a relaunch on a new port with the same data', async () => {
    await relaunch();
    const { running, page } = await launch();
    app = running;
    expect(new URL(running.url).port).not.toBe(firstPort);

    const bravoTab = page.getByRole('tab', { name: /bravo-local/ });
    await expect.poll(() => bravoTab.getAttribute('aria-selected')).toBe('true');
    expect(await page.getByRole('tab', { name: /alpha-local/ }).getAttribute('aria-selected')).toBe('false');
    await page.screenshot({ path: join(SCREENSHOTS, 'remembered-overview.png') });

    // The Logs area without a target in the address opens the remembered one.
    await page.evaluate("location.hash = '#/logs'");
    await page.getByRole('heading', { name: 'Logs', level: 1 }).waitFor();
    const select = page.getByRole('combobox', { name: 'Target' });
    await expect.poll(() => select.inputValue()).toBe(targets['charlie-local']);
    await page.screenshot({ path: join(SCREENSHOTS, 'remembered-logs.png') });
    expect(pageErrors).toEqual([]);
  });
});
