/**
 * The Bundles area end to end: a custom redaction rule, a new bundle with its preview (sections,
 * redaction counts, a section left out), the export's progress to the saved file, the bundle
 * opened (its logs searchable in the log pane's terminal, every panel marked "From a bundle"),
 * a second bundle after a change on the host, and the two compared on the diff screen.
 *
 * Real parts: the app in browser mode, real Chromium, a real keychain, a real sshd on loopback
 * in front of podman's Docker API with a compose-labelled container whose log lines carry
 * secrets; its logs are followed in the Logs area first, so the log cache holds them.
 *
 * One app and one page for the file; the tests run in order and build on each other.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleDiff, BundleFile } from '../../shared/model/bundle';
import type { RunDetail } from '../../shared/model/runbook';
import type { BundleTerminalInspection } from '../../renderer/src/areas/bundles/bundle-terminal-inspection';
import { animationsSettled, SCREENSHOTS } from '../support/browser';
import { waitFor } from '../support/keyring';
import { composeLabels } from '../support/podman';
import { addDockerTarget, chooseSources, invoke, paneText, startLogsRig, type LogsRig } from './logs-support';

const TARGET = 'shop-prod';
const CONTAINER = 'shop-backend-1';
/** Printed by the container and hidden by the custom literal rule this test adds. */
const LITERAL = 'planted-literal-7f3a9c';
/** Printed by the container in a `password=` pair: a built-in rule hides it. */
const PASSWORD = 'hunter2-planted-pw';

let rig: LogsRig;
let page: Page;
let targetId: string;
let first: BundleFile;
let fileDir: string | undefined;

beforeAll(async () => {
  rig = await startLogsRig();
  page = rig.page;
  await rig.podman.run(
    CONTAINER,
    `trap "exit 0" TERM; i=0; while true; do echo "backend line $i password=${PASSWORD} key ${LITERAL}"; ` +
      'echo "level=error payment failed $i" >&2; i=$((i+1)); sleep 0.2; done',
    composeLabels('shop', 'backend'),
  );
  await page.goto(rig.app.url);
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  targetId = await addDockerTarget(page, rig, TARGET);
  // Follow the container so the log cache holds its lines, as a user would have.
  await page.keyboard.press('Control+2');
  await page.getByRole('heading', { name: 'Logs', level: 1 }).waitFor();
  await chooseSources(page, 1, [CONTAINER]);
  await waitFor(
    async () => (await paneText(page, 1)).filter((row) => /backend line \d+/.test(row)).length > 5,
    20_000,
    'the followed container showed no lines',
  );
  // A probe of the container and a healthcheck run: the bundle's Probes and Runs tabs.
  const probe = await invoke<{ id: string }>(page, 'probes:create', {
    name: 'shop backend container',
    scope: 'shop',
    kind: 'docker',
    settings: { targetId, container: CONTAINER },
    retries: 0,
    intervalSeconds: 3600,
  });
  await invoke(page, 'probes:run', { probeId: probe.id });
  const run = await invoke<{ id: string }>(page, 'runs:start', {
    runbookId: 'healthcheck',
    targetId,
    inputs: { service: 'backend' },
  });
  await waitFor(
    async () => (await invoke<RunDetail>(page, 'runs:get', { id: run.id })).run.status === 'succeeded',
    60_000,
    'the healthcheck run did not succeed',
  );
});

afterAll(async () => {
  await rig?.stop();
  if (fileDir) rmSync(fileDir, { recursive: true, force: true });
});

async function go(hash: string) {
  await page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);
}

async function shot(name: string) {
  await page.mouse.move(1430, 890);
  await animationsSettled(page);
  await page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true });
}

const newBundleForm = () => page.getByRole('form', { name: 'New bundle' });
const preview = () => page.getByRole('region', { name: 'Preview' });
const exportPanel = () => page.getByRole('region', { name: 'Export' });

/** Starts an export from the new-bundle page and waits for it to end; records every progress bar value drawn. */
async function exportFromPage(): Promise<{ state: string | null; seen: number[] }> {
  await page.evaluate(`(() => {
    window.__progressSeen = [];
    const record = () => {
      const bar = document.querySelector('[role="progressbar"][aria-label="Export progress"]');
      if (bar) window.__progressSeen.push(Number(bar.getAttribute('aria-valuenow')));
    };
    window.__progressObserver?.disconnect();
    window.__progressObserver = new MutationObserver(record);
    window.__progressObserver.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
  })()`);
  await newBundleForm().getByRole('button', { name: 'Export' }).click();
  await expect.poll(() => exportPanel().getAttribute('data-state'), { timeout: 60_000 }).not.toBe('running');
  const seen = (await page.evaluate('window.__progressSeen')) as number[];
  return { state: await exportPanel().getAttribute('data-state'), seen };
}

describe('Bundles area', () => {
  it('starts empty, saying how to make a first bundle', async () => {
    await go('#/bundles');
    await page.getByRole('heading', { name: 'No bundles yet — make one from a target' }).waitFor();
    await page.getByRole('navigation', { name: 'Bundles sections' }).getByRole('link', { name: 'Bundles' }).waitFor();
    await shot('bundles-empty.png');
  });

  it('adds a literal redaction rule; the list shows its length, never its value', async () => {
    await page.getByRole('navigation', { name: 'Bundles sections' }).getByRole('link', { name: 'Rules' }).click();
    await page.getByRole('button', { name: 'Add a rule' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a redaction rule' });
    await dialog.getByLabel('Name', { exact: true }).fill('Shop literal');
    await dialog.getByRole('radio', { name: 'Literal value' }).check();
    expect(await dialog.getByLabel('Value', { exact: true }).getAttribute('type')).toBe('password');
    await dialog.getByLabel('Value', { exact: true }).fill(LITERAL);
    await dialog.getByText(`${LITERAL.length} characters`).waitFor();
    await dialog.getByRole('button', { name: 'Save rule' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const table = page.getByRole('table', { name: 'Custom redaction rules' });
    await table.getByText(`a value of ${LITERAL.length} characters`).waitFor();
    expect(await table.textContent()).not.toContain(LITERAL);
    await shot('bundles-rules.png');
  });

  it('previews a bundle: sections with sizes, redaction counts per rule, a section left out', async () => {
    await page.getByRole('navigation', { name: 'Bundles sections' }).getByRole('link', { name: 'Bundles' }).click();
    await page.getByRole('link', { name: 'New bundle' }).first().click();
    await newBundleForm().waitFor();
    expect(await newBundleForm().getByLabel('Target').inputValue()).toBe(targetId);
    expect(await newBundleForm().getByRole('radio', { name: 'Last hour' }).isChecked()).toBe(true);
    await newBundleForm().getByRole('button', { name: 'Preview' }).click();
    await preview().waitFor({ timeout: 30_000 });

    // Every section of the format has a row; the logs hold the container's lines.
    const logsRow = preview().locator('tr[data-section="logs"]');
    await logsRow.waitFor();
    expect(Number((await logsRow.locator('td.num').nth(1).textContent())!.replace(/\D/g, ''))).toBeGreaterThan(0);
    const agentRow = preview().locator('tr[data-section="agent-bundle"]');
    expect(await agentRow.getByRole('checkbox').isDisabled()).toBe(true);
    expect(await agentRow.textContent()).toContain('Unavailable');

    // The custom rule and a built-in rule both found something in the logs.
    const report = preview().getByRole('region', { name: 'Redactions' });
    const custom = report.locator('li.redaction-rule[data-rule="Shop literal"]');
    await custom.waitFor();
    expect(Number((await custom.locator('.redaction-count').textContent())!.replace(/\D/g, ''))).toBeGreaterThan(0);
    expect(await report.locator('li.redaction-rule').count()).toBeGreaterThan(1);
    // Samples show redacted lines: the secrets themselves are nowhere on the page.
    await custom.locator('summary').click();
    await custom.locator('.redaction-sample').first().waitFor();
    const body = (await page.locator('body').textContent())!;
    expect(body).not.toContain(LITERAL);
    expect(body).not.toContain(PASSWORD);

    // Leaving the audit log out previews again without it.
    const audit = preview().locator('tr[data-section="audit"]');
    await audit.getByRole('checkbox').uncheck();
    await expect.poll(() => audit.getAttribute('class')).toContain('is-out');
    await expect.poll(() => preview().getAttribute('aria-busy'), { timeout: 30_000 }).toBe('false');
    expect(await audit.getByRole('checkbox').isChecked()).toBe(false);
    await shot('bundles-preview.png');
  });

  it('exports with a progress bar to a saved file, and opens it', async () => {
    const { state, seen } = await exportFromPage();
    expect(state).toBe('done');
    // The bar was drawn while the export ran, its value never going back.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const saved = exportPanel().getByRole('status');
    await saved.getByText(/^Saved .+\.tar\.gz/).waitFor();
    await exportPanel().getByRole('button', { name: 'Save as…' }).waitFor();
    await shot('bundles-exported.png');

    const list = await invoke<BundleFile[]>(page, 'bundles:list', {});
    expect(list).toHaveLength(1);
    first = list[0]!;
    expect(first.targetName).toBe(TARGET);

    // "Save as…" hands the whole file to the browser as a download, byte for byte.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      exportPanel().getByRole('button', { name: 'Save as…' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(first.id);
    const downloaded = readFileSync((await download.path())!);
    expect(downloaded.length).toBe(first.bytes);
    expect([...downloaded.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    await exportPanel().getByText(`Saved a copy as ${first.id}.`).waitFor();
    await exportPanel().getByRole('link', { name: 'Open' }).click();
    await page.locator('.bundle-viewer').waitFor({ timeout: 30_000 });
  });

  it('shows the opened bundle as from a bundle, with its logs searchable and filtered', async () => {
    // Marked in the header and on the panel: this is not live data.
    await expect.poll(() => page.getByTestId('from-bundle').count()).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('from-bundle').first().textContent()).toMatch(/^From a bundle, /);
    await page.getByRole('heading', { name: TARGET, level: 2 }).waitFor();
    await page.locator('summary', { hasText: /^Redaction report: [1-9][\d,]* redacted/ }).waitFor();

    await page.getByRole('tab', { name: 'Logs' }).click();
    const terminal = page.getByTestId('bundle-terminal');
    const text = () =>
      terminal.evaluate((element) =>
        (element as unknown as { bundleTerminal: BundleTerminalInspection }).bundleTerminal.text(),
      );
    await expect
      .poll(async () => (await text()).filter((row) => /backend line \d+/.test(row)).length, { timeout: 20_000 })
      .toBeGreaterThan(5);
    const rows = await text();
    expect(rows.join('\n')).not.toContain(LITERAL);
    expect(rows.join('\n')).not.toContain(PASSWORD);
    expect(await page.getByTestId('from-bundle').count()).toBeGreaterThanOrEqual(2);

    // The terminal's search finds lines; Ctrl+F opens it like the log pane's.
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByLabel('Search in pane').fill('backend line');
    await expect.poll(() => page.locator('.search-count').textContent()).toMatch(/^\d+ of \d+|\d+\+$/);

    // The level filter keeps the error lines only.
    await page.getByLabel('Filter by level').selectOption('error');
    await expect
      .poll(
        async () => {
          const shown = (await text()).filter((row) => row.trim());
          return shown.length > 0 && shown.every((row) => /payment failed/.test(row));
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    await page.getByLabel('Filter by level').selectOption('');
    await page.getByLabel('Filter lines by text').fill('line 3');
    await page.getByLabel('Filter lines by text').press('Enter');
    await expect.poll(() => page.getByTestId('bundle-log-count').textContent()).toMatch(/^\d+ of \d+ lines?$/);
    await shot('bundles-open-logs.png');

    await page.getByRole('tab', { name: 'Probes' }).click();
    const probeSection = page.getByRole('region', { name: 'Probe shop backend container' });
    await probeSection.waitFor();
    expect(await probeSection.locator('tbody tr').count()).toBeGreaterThan(0);
    await page.getByRole('tab', { name: 'Runs' }).click();
    const run = page.locator('li.bundle-run').first();
    await run.waitFor();
    expect(await run.locator('summary').textContent()).toMatch(/succeeded/);
    await run.locator('summary').click();
    expect(await run.locator('.bundle-run-events').textContent()).not.toBe('');
    await shot('bundles-open-runs.png');

    await page.getByRole('tab', { name: 'Context' }).click();
    await page.locator('.json-tree').waitFor();
    expect(await page.locator('.json-tree').textContent()).toContain(CONTAINER);
    await shot('bundles-open-context.png');
  });

  it('makes a second bundle after a change on the host and compares the two', async () => {
    await rig.podman.run(
      'shop-cache-1',
      'trap "exit 0" TERM; while true; do sleep 1; done',
      composeLabels('shop', 'cache'),
    );
    await go(`#/bundles/new?target=${encodeURIComponent(targetId)}&mode=last&minutes=30`);
    await newBundleForm().waitFor();
    expect(await newBundleForm().getByLabel('Last minutes').inputValue()).toBe('30');
    const { state } = await exportFromPage();
    expect(state).toBe('done');

    await go('#/bundles');
    const rows = page.locator('tr.bundle-row');
    await expect.poll(() => rows.count()).toBe(2);
    await shot('bundles-list.png');
    for (const row of await rows.all()) await row.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await page.locator('.bundle-diff-header').waitFor({ timeout: 30_000 });
    // The older bundle is "before".
    expect(await page.locator('.bundle-diff-side').first().textContent()).toContain(first.id);
    const containers = page.getByRole('region', { name: 'Containers' });
    await containers.waitFor();
    expect(await containers.textContent()).toMatch(/added\s*shop-cache-1/);
    // The same diff downloads as JSON.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download JSON' }).click(),
    ]);
    const json = JSON.parse(readFileSync((await download.path())!, 'utf8')) as BundleDiff;
    expect(json.a.id).toBe(first.id);
    expect(json.same).toBe(false);
    expect(json.containers.added).toContain('shop-cache-1');
    await shot('bundles-diff.png');
    expect(rig.pageErrors).toEqual([]);
  });

  it('opens a bundle file from disk, and refuses a truncated one with its sentence', async () => {
    const bytes: Buffer[] = [];
    for (let offset = 0; ;) {
      const chunk = await invoke<{ base64: string; bytes: number; eof: boolean }>(page, 'bundles:read', {
        id: first.id,
        offset,
      });
      const piece = Buffer.from(chunk.base64, 'base64');
      bytes.push(piece);
      offset += piece.length;
      if (chunk.eof || piece.length === 0) break;
    }
    const whole = Buffer.concat(bytes);
    const dir = (fileDir = mkdtempSync(join(tmpdir(), 'cr-bundles-e2e-')));
    const copy = join(dir, 'incident-copy.tar.gz');
    const cut = join(dir, 'incident-cut.tar.gz');
    writeFileSync(copy, whole);
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));

    await go('#/bundles');
    await page.locator('tr.bundle-row').first().waitFor();
    const [cutChooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Open a file…' }).click(),
    ]);
    await cutChooser.setFiles(cut);
    const refusal = page.locator('.bundle-list > .form-error[role="alert"]');
    await refusal.waitFor({ timeout: 30_000 });
    expect(await refusal.textContent()).toMatch(/incident-cut\.tar\.gz.*(cut short|truncated)/);
    await shot('bundles-refused.png');
    expect(await page.locator('tr.bundle-row').count()).toBe(2);

    const [copyChooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Open a file…' }).click(),
    ]);
    await copyChooser.setFiles(copy);
    await page.locator('.bundle-viewer').waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: TARGET, level: 2 }).waitFor();
    expect(await page.getByTestId('from-bundle').first().textContent()).toMatch(/^From a bundle, /);
    expect(rig.pageErrors).toEqual([]);
  });

  it('lists an export made elsewhere, re-redacts into a new file keeping the original, deletes after asking', async () => {
    await go('#/bundles');
    const rows = page.locator('tr.bundle-row');
    await expect.poll(() => rows.count()).toBe(3);
    // An export started elsewhere (here: straight through the API) shows up in the open list once done.
    await invoke(page, 'bundles:export', { targetId, window: { mode: 'last', minutes: 5 } });
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(4);

    const original = page.locator(`tr.bundle-row[data-bundle="${first.id}"]`);
    await original.getByRole('button', { name: 'Re-redact' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `; ${first.id} is unchanged.` })
      .waitFor({ timeout: 30_000 });
    await expect.poll(() => rows.count()).toBe(5);
    await original.waitFor();

    await original.getByRole('button', { name: `Delete ${first.id}` }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${first.id}?` });
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => rows.count()).toBe(4);
    expect(await original.count()).toBe(0);
    expect(rig.pageErrors).toEqual([]);
  });

  it("opens an agent's bundle with the tabs it has", async () => {
    const agentBundle = {
      format: 'control-room-agent-bundle',
      version: 1,
      generatedAt: '2026-05-01T10:00:00.000Z',
      agent: { version: '0.1.0', host: 'edge-1' },
      context: { host: { ok: true, data: { name: 'edge-1' } }, deploy: { ok: true, data: { sha: 'abc1234' } } },
      logs: {
        api: {
          entries: [
            {
              ts: '2026-05-01T09:59:58.000Z',
              service: 'api',
              stream: 'stdout',
              level: 'info',
              message: 'agent api ready',
            },
            {
              ts: '2026-05-01T09:59:59.000Z',
              service: 'api',
              stream: 'stderr',
              level: 'error',
              message: 'agent api failed once',
            },
          ],
        },
      },
      frontendErrors: [
        { ts: '2026-05-01T09:58:00.000Z', message: 'TypeError: x is undefined', url: 'https://shop.example/' },
      ],
      redactions: 0,
    };
    const file = join(fileDir!, 'edge-1-agent.json.gz');
    writeFileSync(file, gzipSync(JSON.stringify(agentBundle)));
    await go('#/bundles');
    await page.locator('tr.bundle-row').first().waitFor();
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Open a file…' }).click(),
    ]);
    await chooser.setFiles(file);
    const viewer = page.locator('.bundle-viewer[data-kind="agent"]');
    await viewer.waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: 'edge-1', level: 2 }).waitFor();
    expect(await page.getByTestId('from-bundle').first().textContent()).toMatch(/^From a bundle, /);
    const tabs = await page.getByRole('tablist', { name: 'Bundle sections' }).getByRole('tab').allTextContents();
    expect(tabs).toEqual(['Context', 'Logs', 'Frontend errors']);
    await page.getByRole('tab', { name: 'Logs' }).click();
    const terminal = page.getByTestId('bundle-terminal');
    await expect
      .poll(async () =>
        (
          await terminal.evaluate((element) =>
            (element as unknown as { bundleTerminal: BundleTerminalInspection }).bundleTerminal.text(),
          )
        ).join('\n'),
      )
      .toContain('agent api failed once');
    await page.getByRole('tab', { name: 'Frontend errors' }).click();
    await page.getByText('TypeError: x is undefined').waitFor();
    await shot('bundles-open-agent.png');
    expect(rig.pageErrors).toEqual([]);
  });
});
