/**
 * The Runbooks area end to end: the real app in browser mode, real Chromium, a real keychain,
 * and a real HTTP server on loopback that the runbook's `http` step asks (it holds its answer
 * until the test lets it go, so a run stays mid-step as long as the test needs).
 *
 * One app and one page for the file; the tests run in order and build on each other: the empty
 * history → a YAML runbook written in the editor with an error (line-numbered; a click puts the
 * caret on the line), fixed and saved → listed, beside a broken file's errors; Plan…; a built-in
 * saved as a copy and the copy deleted → a run of it whose steps print 2,000 lines →
 * the viewer shows them in the terminal, search finds one, steps show states and durations →
 * the page reloaded midway: every line once → another tab's socket cut midway: it subscribes
 * again after its cursor and gets the rest once → the run finishes → another run canceled from
 * the viewer and resumed from its gate → history live and filtered → a prod run's approval card
 * in the viewer → secrets set and removed, never shown.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../support/app';
import { animationsSettled, launchBrowser, openPage, SCREENSHOTS } from '../support/browser';
import { startKeyring, waitFor, type Keyring } from '../support/keyring';
import { invoke } from './logs-support';

const LINES = 1000;
const line = (prefix: string, n: number) => `${prefix}-line-${String(n).padStart(4, '0')}`;
const block = (prefix: string) =>
  Array.from({ length: LINES }, (_, i) => `          ${line(prefix, i + 1)}`).join('\n');

/** The runbook as first typed: `risk: reckless` (line 5) is not a risk level. */
function runbookYaml(gateUrl: string, risk: string): string {
  return `id: many-lines
title: Many lines
description: Prints two thousand lines around a request the test holds.
kind: healthcheck
risk: ${risk}
phases:
  preflight:
    - id: first
      kind: summary
      with:
        artifact: first.txt
        template: |
${block('alpha')}
  action:
    - id: gate
      kind: http
      with:
        url: ${gateUrl}
  verify:
    - id: second
      kind: summary
      with:
        template: |
${block('omega')}
`;
}

/** The gate: answers 200 to every held request once let go. */
let server: Server;
let gateUrl: string;
const held: ServerResponse[] = [];
let requests = 0;
function release() {
  for (const response of held.splice(0)) {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('open');
  }
}

let keyring: Keyring;
let app: RunningApp;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
let firstRunId: string;
/** The target runs are started on: an ops API at the test's server (the steps never use it). */
let stagingId: string;
let prodId: string;

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.url === '/gate') {
      requests++;
      held.push(response);
      return;
    }
    // The target's own ops API (the app may look at it): nothing there.
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gateUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/gate`;
  keyring = await startKeyring();
  app = await startApp(keyring.env);
  browser = await launchBrowser();
  page = await openPage(browser, { width: 1440, height: 900 }, pageErrors, 15_000);
});

async function createTarget(name: string, environment: 'prod' | 'staging'): Promise<string> {
  const base = gateUrl.replace('/gate', '');
  const target = await invoke<{ id: string }>(page, 'targets:create', {
    name,
    environment,
    kind: 'ops-api',
    settings: { baseUrl: base },
    secrets: { apiToken: 'stand-in-token' },
  });
  return target.id;
}

afterAll(async () => {
  release();
  await browser?.close();
  await app?.stop();
  await keyring?.stop();
  if (server?.listening) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Goes to a route of the app (the test project has no DOM types: page source as text). */
async function go(on: Page, hash: string) {
  await on.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);
}

function hashOf(on: Page): string {
  return new URL(on.url()).hash;
}

async function shot(name: string) {
  await animationsSettled(page);
  await page.screenshot({ path: join(SCREENSHOTS, name) });
}

/**
 * Brings `text` into a text field the way a user brings in a big runbook: onto the clipboard,
 * then Ctrl+A, Ctrl+V — a real paste into the field. Not `fill`: Playwright's fill inserts the
 * text as typing, and Chromium's typing command inserts every newline as a paragraph of its own,
 * slower with each line — 8–14 s for this 2,000-line runbook in any text area, the app's or a
 * bare one, against ~0.1 s for the paste.
 */
async function paste(field: Locator, text: string) {
  await page.context().grantPermissions(['clipboard-write'], { origin: new URL(app.url).origin });
  type Clipboard = { navigator: { clipboard: { writeText(value: string): Promise<void> } } };
  await page.evaluate((value) => (globalThis as unknown as Clipboard).navigator.clipboard.writeText(value), text);
  await field.focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+V');
  await expect.poll(() => field.inputValue()).toBe(text);
}

/** The rows of the viewer's terminal buffer. */
function terminalText(on: Page = page): Promise<string[]> {
  return on
    .getByTestId('run-terminal')
    .evaluate((element) => (element as unknown as { runTerminal: { text(): string[] } }).runTerminal.text());
}

function terminalRepeats(on: Page = page): Promise<number[]> {
  return on
    .getByTestId('run-terminal')
    .evaluate((element) => (element as unknown as { runTerminal: { repeats(): number[] } }).runTerminal.repeats());
}

async function waitForTerminalLine(text: string, on: Page = page, timeoutMs = 20_000) {
  await waitFor(
    async () => (await terminalText(on)).some((row) => row.includes(text)),
    timeoutMs,
    `the terminal never showed ${text}`,
  );
}

function occurrences(rows: string[], text: string): number {
  return rows.filter((row) => row.includes(text)).length;
}

function step(id: string) {
  return page.locator(`.run-step[data-step="${id}"]`);
}

async function runStatus(id: string): Promise<string> {
  return (await invoke<{ run: { status: string } }>(page, 'runs:get', { id })).run.status;
}

describe('Runbooks area', () => {
  it('says how to start a first run when there is none', async () => {
    // The token comes in the first URL's hash; the app keeps it for the session (and reloads).
    await page.goto(app.url);
    stagingId = await createTarget('shop-staging', 'staging');
    prodId = await createTarget('shop-prod', 'prod');
    await go(page, '#/runbooks');
    await expect.poll(() => page.getByRole('heading', { name: 'Runbooks', level: 1 }).isVisible()).toBe(true);
    const empty = page.getByText('No runs yet — press');
    await empty.waitFor();
    expect(await page.locator('.empty-state').innerText()).toContain('type a command like healthcheck staging');
    await shot('runbooks-history-empty.png');
  });

  it('writes a runbook in the editor: a line-numbered error, the caret on its line, fixed, saved, listed', async () => {
    await page.getByRole('link', { name: 'Runbooks', exact: true }).last().click();
    await page.getByRole('button', { name: 'New runbook' }).click();
    const editor = page.getByRole('textbox', { name: 'Runbook YAML' });
    await paste(editor, runbookYaml(gateUrl, 'reckless'));
    const error = page.locator('.runbook-error').filter({ hasText: 'Line 5' });
    await error.waitFor();
    expect(await page.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);
    await error.click();
    // The caret (a selection of the whole line) is on line 5: `risk: reckless`.
    const selected = await editor.evaluate((area) => {
      const text = area as unknown as { value: string; selectionStart: number; selectionEnd: number };
      return {
        line: text.value.slice(0, text.selectionStart).split('\n').length,
        text: text.value.slice(text.selectionStart, text.selectionEnd),
      };
    });
    expect(selected).toEqual({ line: 5, text: 'risk: reckless' });
    await shot('runbooks-editor-error.png');

    // Fixed where the caret is: typing replaces the selected line.
    await page.keyboard.type('risk: read-only');
    expect(await editor.inputValue()).toBe(runbookYaml(gateUrl, 'read-only'));
    await page.getByText('No problems').waitFor();
    const save = page.getByRole('button', { name: 'Save', exact: true });
    await expect.poll(() => save.isEnabled()).toBe(true);
    await save.click();
    const card = page.locator('.runbook-card[data-runbook="many-lines"]');
    await card.waitFor();
    expect(await card.innerText()).toContain('Many lines');
    expect(await card.locator('.risk-badge').innerText()).toMatch(/read.only/i);
    await shot('runbooks-list.png');
  });

  it('lists a broken file with its line-numbered errors beside the others; Plan…; a built-in saved as a copy, then deleted', async () => {
    writeFileSync(join(app.dataDir, 'runbooks', 'broken.yaml'), 'id: broken\ntitle: Broken\nkind: healthcheck\nrisk: sometimes\n');
    await waitFor(
      async () => (await invoke<{ id: string; errors: unknown[] }[]>(page, 'runbooks:list', {})).some((r) => r.errors.length > 0),
      15_000,
      'the catalog never listed broken.yaml',
    );
    await go(page, '#/runbooks');
    await go(page, '#/runbooks/list');
    const broken = page.locator('.runbook-card.has-errors');
    await broken.waitFor();
    expect(await broken.innerText()).toContain('broken.yaml');
    expect(await broken.getByRole('list', { name: 'Errors in broken.yaml' }).innerText()).toMatch(/line 4: risk/);
    expect(await broken.getByRole('button', { name: 'Plan…' }).isDisabled()).toBe(true);
    // The others still load.
    await page.locator('.runbook-card[data-runbook="many-lines"]').waitFor();
    await broken.scrollIntoViewIfNeeded();
    await shot('runbooks-list-broken.png');

    await page.locator('.runbook-card[data-runbook="many-lines"]').getByRole('button', { name: 'Plan…' }).click();
    const plan = page.getByRole('dialog', { name: 'Plan: Many lines' });
    await plan.waitFor();
    await expect.poll(() => plan.innerText()).toContain('Choose a target to run many-lines on.');
    await shot('runbooks-plan-dialog.png');
    await page.keyboard.press('Escape');
    await plan.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'View Health check' }).click();
    const editor = page.getByRole('textbox', { name: 'Runbook YAML' });
    await expect.poll(() => editor.inputValue()).toMatch(/^id: healthcheck$/m);
    await page.getByText('No problems').waitFor();
    await page.getByRole('button', { name: 'Save as a copy' }).click();
    const copy = page.locator('.runbook-card[data-runbook="healthcheck-copy"]');
    await copy.waitFor();
    expect(await copy.innerText()).toContain('healthcheck-copy.yaml');
    await copy.getByRole('button', { name: /^Edit / }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete healthcheck-copy.yaml?' });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page.locator('.runbook-card[data-runbook="many-lines"]').waitFor();
    expect(await copy.count()).toBe(0);
    rmSync(join(app.dataDir, 'runbooks', 'broken.yaml'));
  });

  it('shows a run’s 2,000 output lines in the terminal, finds one, and shows step states and durations', async () => {
    const run = await invoke<{ id: string }>(page, 'runs:start', { runbookId: 'many-lines', targetId: stagingId, inputs: {} });
    firstRunId = run.id;
    await go(page, `#/runbooks/run/${run.id}`);
    await page.getByRole('heading', { name: 'Many lines', level: 1 }).waitFor();
    await waitForTerminalLine(line('alpha', LINES));
    // The run waits on the gate: first done with a duration, gate running.
    await expect.poll(() => step('gate').getAttribute('data-state'), { timeout: 15_000 }).toBe('running');
    expect(await step('first').getAttribute('data-state')).toBe('succeeded');
    expect(await step('first').locator('.run-step-state').innerText()).toBe('Done');
    expect(await page.getByTestId('step-duration-first').innerText()).toMatch(/\d+ ms|\d+s/);
    expect(await step('gate').locator('.run-step-state').innerText()).toBe('Running');
    expect(await page.locator('.run-header .run-badge').first().innerText()).toBe('Running');

    // Events read `time level [phase/step] message`; output lines as printed.
    const rows = await terminalText();
    expect(rows.some((row) => /^\d\d:\d\d:\d\d\.\d{3} INFO +\[preflight\/first\]/.test(row))).toBe(true);
    expect(rows).toContain(line('alpha', 1));

    await page.getByTestId('run-terminal').click();
    await page.keyboard.press('Control+f');
    const search = page.getByRole('searchbox', { name: 'Search in pane' });
    await search.fill(line('alpha', 777));
    await expect.poll(() => page.locator('.search-count').innerText()).toBe('1 of 1');
    await shot('runbooks-viewer-running.png');
    await page.keyboard.press('Escape');
    await search.waitFor({ state: 'detached' });
  });

  it('after a reload midway, the viewer shows every line once, then the rest live', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Many lines', level: 1 }).waitFor();
    await waitForTerminalLine(line('alpha', LINES));
    expect(requests).toBe(1);
    expect(occurrences(await terminalText(), line('alpha', 777))).toBe(1);
    expect(occurrences(await terminalText(), line('alpha', 1))).toBe(1);
    expect(await terminalRepeats()).toEqual([]);
  });

  it('after a dropped socket midway, subscribes again after its cursor and shows the rest once', async () => {
    // A second tab whose WebSocket the test can cut (Playwright relays it to the real host).
    const tab = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    tab.setDefaultTimeout(15_000);
    let sockets = 0;
    let cut: (() => void) | undefined;
    const eventSubscriptions: number[] = [];
    await tab.routeWebSocket(/\/ws\?token=/, (ws) => {
      sockets++;
      const server = ws.connectToServer();
      cut = () => void ws.close({ code: 1001, reason: 'test cut' });
      ws.onMessage((message) => {
        const frame = JSON.parse(String(message)) as { type: string; stream?: string; params?: { after?: number } };
        if (frame.type === 'subscribe' && frame.stream === 'runs:events') eventSubscriptions.push(frame.params?.after ?? 0);
        server.send(message);
      });
    });
    try {
      await tab.goto(app.url);
      await go(tab, `#/runbooks/run/${firstRunId}`);
      await waitForTerminalLine(line('alpha', LINES), tab);
      const cursor = await tab
        .getByTestId('run-terminal')
        .evaluate((element) => (element as unknown as { runTerminal: { lastSeq(): number } }).runTerminal.lastSeq());
      expect(cursor).toBeGreaterThan(LINES);
      expect(eventSubscriptions).toEqual([0]);

      cut!();
      await tab.getByText('Lost the connection to Control Room — reconnecting…').waitFor();
      await tab.getByText('Lost the connection to Control Room — reconnecting…').waitFor({ state: 'detached' });
      expect(sockets).toBe(2);
      // The renewed subscription starts after the newest event the terminal holds.
      await expect.poll(() => eventSubscriptions.at(-1)).toBe(cursor);

      release();
      await waitForTerminalLine(line('omega', LINES), tab);
      const rows = await terminalText(tab);
      for (const n of [1, 777, LINES]) {
        expect(occurrences(rows, line('alpha', n))).toBe(1);
        expect(occurrences(rows, line('omega', n))).toBe(1);
      }
      expect(await terminalRepeats(tab)).toEqual([]);
    } finally {
      await tab.close();
    }
  });

  it('follows the run to its end: steps done, summary, artifacts, no Cancel', async () => {
    await waitForTerminalLine(line('omega', LINES));
    await expect.poll(() => runStatus(firstRunId), { timeout: 15_000 }).toBe('succeeded');
    await expect.poll(() => page.locator('.run-header .run-badge').first().innerText()).toBe('Succeeded');
    const rows = await terminalText();
    for (const n of [1, 500, 777, LINES]) {
      expect(occurrences(rows, line('alpha', n))).toBe(1);
      expect(occurrences(rows, line('omega', n))).toBe(1);
    }
    expect(await terminalRepeats()).toEqual([]);
    expect(await step('gate').getAttribute('data-state')).toBe('succeeded');
    expect(await step('second').getAttribute('data-state')).toBe('succeeded');
    // Ended: a fixed duration, the summary and the artifacts.
    expect(await page.getByTestId('run-duration').innerText()).toMatch(/\d+ ms|\d+s|\dm/);
    await page.getByRole('region', { name: 'Summary' }).waitFor();
    const artifacts = page.getByRole('region', { name: 'Artifacts' });
    expect(await artifacts.innerText()).toContain('first.txt');
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    await shot('runbooks-viewer-done.png');

    // Downloads go through the platform's save (a browser download here): the artifact's bytes,
    // and the event stream as text.
    const saved = mkdtempSync(join(tmpdir(), 'cr-runbooks-saved-'));
    try {
      const artifact = page.waitForEvent('download');
      await artifacts.getByRole('button', { name: 'Download first.txt' }).click();
      await (await artifact).saveAs(join(saved, 'first.txt'));
      const first = readFileSync(join(saved, 'first.txt'), 'utf8').split('\n');
      expect(first[0]).toBe(line('alpha', 1));
      expect(first).toContain(line('alpha', LINES));

      const events = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download events' }).click();
      const file = await events;
      expect(file.suggestedFilename()).toBe(`${firstRunId}-events.log`);
      await file.saveAs(join(saved, 'events.log'));
      const text = readFileSync(join(saved, 'events.log'), 'utf8').split('\n');
      expect(text.filter((row) => row === line('omega', 777))).toHaveLength(1);
      expect(text.some((row) => /^\S+Z info \[verify\/second\] second succeeded/.test(row))).toBe(true);
    } finally {
      rmSync(saved, { recursive: true, force: true });
    }
  });

  it('cancels a run from the viewer: the running step aborted, the rest skipped', async () => {
    const run = await invoke<{ id: string }>(page, 'runs:start', { runbookId: 'many-lines', targetId: stagingId, inputs: {} });
    await go(page, `#/runbooks/run/${run.id}`);
    await expect.poll(() => step('gate').getAttribute('data-state'), { timeout: 15_000 }).toBe('running');
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await expect.poll(() => page.locator('.run-header .run-badge').first().innerText(), { timeout: 15_000 }).toBe(
      'Canceled',
    );
    await expect.poll(() => step('gate').getAttribute('data-state')).toMatch(/canceled|failed/);
    expect(await step('second').getAttribute('data-state')).toMatch(/skipped|canceled/);
    expect(await page.getByRole('button', { name: 'Retry' }).isVisible()).toBe(true);
    await shot('runbooks-viewer-canceled.png');

    // Every step before the gate is safe to repeat: resume from it, in a new run linked to this one.
    await page.getByRole('button', { name: 'Resume from gate' }).click();
    await expect.poll(() => hashOf(page)).not.toBe(`#/runbooks/run/${run.id}`);
    await page.getByRole('link', { name: run.id }).waitFor();
    expect(await page.locator('.run-facts').innerText()).toMatch(/Resumes/i);
    await expect.poll(() => step('gate').getAttribute('data-state'), { timeout: 15_000 }).toBe('running');
    release();
    await expect.poll(() => page.locator('.run-header .run-badge').first().innerText(), { timeout: 15_000 }).toBe(
      'Succeeded',
    );
    expect(await step('first').getAttribute('data-state')).toMatch(/reused|succeeded/);
    // Esc goes back to the history.
    await page.locator('body').press('Escape');
    await expect.poll(() => hashOf(page)).toBe('#/runbooks');
  });

  it('filters the history by runbook, target and status', async () => {
    await invoke(page, 'runbooks:save', {
      yaml: 'id: tiny-check\ntitle: Tiny check\nkind: healthcheck\nrisk: read-only\nphases:\n  summarize:\n    - id: note\n      kind: summary\n      with:\n        template: tiny\n',
    });
    const rows = page.locator('.run-row');
    await expect.poll(() => rows.count()).toBe(3);
    // A run started elsewhere (opsctl, another window) appears live, newest first, and finishes live.
    const tiny = await invoke<{ id: string }>(page, 'runs:start', { runbookId: 'tiny-check', targetId: prodId, inputs: {} });
    await expect.poll(() => rows.count()).toBe(4);
    expect(await rows.first().getAttribute('data-run')).toBe(tiny.id);
    await expect.poll(() => rows.first().getAttribute('data-status'), { timeout: 15_000 }).toBe('succeeded');
    expect(await rows.first().innerText()).toContain('app');

    await page.getByRole('combobox', { name: 'Filter by status' }).selectOption('canceled');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-status')).toBe('canceled');
    await page.getByRole('combobox', { name: 'Filter by status' }).selectOption('succeeded');
    await expect.poll(() => rows.count()).toBe(3);
    await page.getByRole('combobox', { name: 'Filter by runbook' }).selectOption('tiny-check');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-run')).toBe(tiny.id);
    await page.getByRole('combobox', { name: 'Filter by runbook' }).selectOption('');
    await page.getByRole('combobox', { name: 'Filter by status' }).selectOption('');
    await page.getByRole('combobox', { name: 'Filter by target' }).selectOption(stagingId);
    await expect.poll(() => rows.count()).toBe(3);
    for (const text of await rows.allInnerTexts()) expect(text).toContain('shop-staging (staging)');
    await page.getByRole('combobox', { name: 'Filter by target' }).selectOption(prodId);
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-run')).toBe(tiny.id);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => rows.count()).toBe(4);
    await shot('runbooks-history.png');
    await rows.last().click();
    await expect.poll(() => hashOf(page)).toBe(`#/runbooks/run/${firstRunId}`);
  });

  it('shows the approval card while a prod run waits for one, and goes on once approved', async () => {
    await invoke(page, 'runbooks:save', {
      yaml: 'id: tiny-change\ntitle: Tiny change\nkind: restart\nrisk: changes-prod\nphases:\n  preflight:\n    - id: look\n      kind: http\n      with:\n        url: ' +
        gateUrl.replace('/gate', '/look') +
        '\n        expectStatus: [404]\n  action:\n    - id: note\n      kind: summary\n      with:\n        template: changed\n',
    });
    const run = await invoke<{ id: string }>(page, 'runs:start', { runbookId: 'tiny-change', targetId: prodId, inputs: {} });
    await go(page, `#/runbooks/run/${run.id}`);
    const card = page.getByTestId('approval-card');
    await card.waitFor();
    expect(await page.locator('.run-header .run-badge').first().innerText()).toBe('Awaiting approval');
    // One Cancel: the card's, beside Approve.
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(1);
    await card.getByLabel('Type shop-prod to approve').fill('shop-prod');
    await shot('runbooks-viewer-approval.png');
    await card.getByRole('button', { name: 'Approve' }).click();
    await card.waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('.run-header .run-badge').first().innerText(), { timeout: 15_000 }).toBe(
      'Succeeded',
    );
    expect(await step('note').getAttribute('data-state')).toBe('succeeded');
  });

  it('sets and removes a runbook secret without ever showing its value', async () => {
    await go(page, '#/runbooks/secrets');
    const form = page.getByRole('form', { name: 'Add a secret' });
    await form.getByLabel('Name').fill('deploy-token');
    await form.getByLabel('Value').fill('s3cr3t-value-never-shown');
    await form.getByRole('button', { name: 'Add secret' }).click();
    const row = page.locator('tr[data-secret="deploy-token"]');
    await row.waitFor();
    expect(await row.innerText()).toContain('Set');
    expect(await page.content()).not.toContain('s3cr3t-value-never-shown');
    await shot('runbooks-secrets.png');
    await row.getByRole('button', { name: 'Remove deploy-token' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => row.innerText().catch(() => '')).toMatch(/Not set|^$/);
    expect(pageErrors).toEqual([]);
  });
});
