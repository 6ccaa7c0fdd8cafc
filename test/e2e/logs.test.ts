/**
 * Logs end to end: the real app in browser mode, real Chromium, a real keychain, sshd on
 * loopback in front of podman's Docker API, busybox containers printing lines.
 *
 * One app and one page for the whole file; the tests run in order and build on each other
 * (follow → merge → search → filter → download → jump → pause → restart → layout → offline).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { animationsSettled, SCREENSHOTS } from '../support/browser';
import { waitFor } from '../support/keyring';
import { composeLabels } from '../support/podman';
import {
  addDockerTarget,
  chooseSources,
  invoke,
  pane,
  paneSelection,
  paneStats,
  paneText,
  startLogsRig,
  type LogsRig,
} from './logs-support';

const TARGET = 'shop-prod';
let rig: LogsRig;
let targetId: string;

beforeAll(async () => {
  rig = await startLogsRig();
  const { podman } = rig;
  // `trap` lets sh (PID 1) stop at once on SIGTERM, so a restart is quick.
  await podman.run(
    'shop-api-1',
    'trap "exit 0" TERM; i=0; while true; do if [ $((i % 5)) = 4 ]; then echo "ERROR payment failed order=$i"; ' +
      'else echo "level=info api request $i"; fi; i=$((i+1)); sleep 1; done',
    composeLabels('shop', 'api'),
  );
  // How many lines a container has printed so far, as Docker's API will tail them.
  const printed = async (name: string) => (await podman.cli(['logs', name])).split('\n').filter(Boolean).length;
  // The worker starts once the api prints, so their lines are offset rather than in lockstep.
  await waitFor(async () => (await printed('shop-api-1')) >= 1, 15_000, 'shop-api-1 printed nothing');
  await podman.run(
    'shop-worker-1',
    'trap "exit 0" TERM; i=0; while true; do echo "level=debug worker job $i"; i=$((i+1)); sleep 1; done',
    composeLabels('shop', 'worker'),
  );
  // A few lines of history each, so the first tail of the two has lines of both to merge.
  await waitFor(
    async () => (await printed('shop-api-1')) >= 3 && (await printed('shop-worker-1')) >= 3,
    20_000,
    'the two containers did not print 3 lines each',
  );
});

afterAll(async () => {
  await rig?.stop();
});

/** Epoch ms as a `datetime-local` value in local time (the page and the test share the zone). */
function toLocalInput(ms: number): string {
  const date = new Date(ms);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** `HH:MM:SS.mmm` at the start of a row, as milliseconds of the day; undefined for a wrapped row. */
function timeOf(row: string): number | undefined {
  const match = /^(\d{2}):(\d{2}):(\d{2})\.(\d{3}) /.exec(row);
  if (!match) return undefined;
  const [, h, m, s, ms] = match.map(Number) as [number, number, number, number, number];
  return ((h * 60 + m) * 60 + s) * 1000 + ms;
}

async function rowsOf(number: number, needle: RegExp): Promise<string[]> {
  return (await paneText(rig.page, number)).filter((row) => needle.test(row));
}

describe('Logs in browser mode over SSH', () => {
  it('follows a container: lines appear with a coloured prefix and a live state', async () => {
    const { page } = rig;
    await page.goto(rig.app.url);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    targetId = await addDockerTarget(page, rig, TARGET);

    await page.keyboard.press('Control+2');
    await page.getByRole('heading', { name: 'Logs', level: 1 }).waitFor();
    await chooseSources(page, 1, ['shop-api-1']);
    await expect.poll(() => rowsOf(1, /api request \d+/), { timeout: 20_000 }).not.toHaveLength(0);
    const chip = pane(page, 1).locator('.source-chip[data-source="container:shop-api-1"]');
    await expect.poll(() => chip.getAttribute('data-state'), { timeout: 15_000 }).toBe('live');
    const row = (await rowsOf(1, /api request/))[0]!;
    expect(row).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} shop-api-1 │ level=info api request \d+$/);
    // Lines keep arriving.
    const before = (await paneStats(page, 1)).received;
    await expect.poll(async () => (await paneStats(page, 1)).received, { timeout: 20_000 }).toBeGreaterThan(before);
    console.log(`log panes draw with xterm's ${(await paneStats(page, 1)).renderer} renderer`);
    expect(rig.pageErrors).toEqual([]);
  });

  it('merges two containers in time order', async () => {
    const { page } = rig;
    await pane(page, 1).getByRole('button', { name: 'Split pane 1 right' }).click();
    await chooseSources(page, 2, ['shop-api-1', 'shop-worker-1']);
    await expect.poll(() => rowsOf(2, /worker job/), { timeout: 20_000 }).not.toHaveLength(0);
    await expect.poll(() => rowsOf(2, /api request|payment failed/), { timeout: 15_000 }).not.toHaveLength(0);
    const rows = (await paneText(page, 2)).filter((row) => timeOf(row) !== undefined);
    const times = rows.map((row) => timeOf(row)!);
    // Non-decreasing: the tails of both (sent one after the other) were put in time order.
    for (let i = 1; i < times.length; i++)
      expect(times[i], `${rows[i - 1]}\n${rows[i]}`).toBeGreaterThanOrEqual(times[i - 1]!);
    const sources = rows.map((row) => (row.includes('shop-worker-1') ? 'w' : 'a')).join('');
    expect(sources).toMatch(/a+w+a|w+a+w/); // interleaved, not one block after the other
  });

  it('finds a line with search (Ctrl+F), next and previous, regex', async () => {
    const { page } = rig;
    const first = (await rowsOf(2, /worker job \d+/))[0]!;
    const job = /worker job (\d+)/.exec(first)![1]!;
    await pane(page, 2).locator('.pane-terminal').click();
    await page.keyboard.press('Control+f');
    const search = pane(page, 2).getByRole('searchbox', { name: 'Search in pane' });
    await search.waitFor();
    await search.fill(`worker job ${job}`);
    await expect
      .poll(() => pane(page, 2).locator('.search-count').textContent(), { timeout: 15_000 })
      .toMatch(/^1 of \d+$/);
    await pane(page, 2).getByRole('button', { name: 'Regular expression' }).click();
    await search.fill('worker job \\d+');
    // Every worker line matches now.
    const total = async () =>
      Number(/of (\d+)$/.exec((await pane(page, 2).locator('.search-count').textContent()) ?? '')?.[1] ?? 0);
    await expect.poll(total, { timeout: 15_000 }).toBeGreaterThan(2);
    const at = async () => Number(/^(\d+)/.exec((await pane(page, 2).locator('.search-count').textContent())!)![1]);
    const start = await at();
    await pane(page, 2).getByRole('button', { name: 'Next match' }).click();
    await expect.poll(at, { timeout: 15_000 }).not.toBe(start);
    await pane(page, 2).getByRole('button', { name: 'Previous match' }).click();
    await expect.poll(at, { timeout: 15_000 }).toBe(start);
    await search.fill('no such line anywhere');
    await expect
      .poll(() => pane(page, 2).locator('.search-count').textContent(), { timeout: 15_000 })
      .toBe('No results');
    await page.keyboard.press('Escape');
    await search.waitFor({ state: 'hidden' });
  });

  it('filters lines already received: include text, exclude regex, levels', async () => {
    const { page } = rig;
    await pane(page, 2).getByRole('button', { name: 'Filters' }).click();
    await pane(page, 2).getByLabel('Include').fill('worker');
    await expect.poll(() => rowsOf(2, /api request|payment failed/), { timeout: 15_000 }).toHaveLength(0);
    expect(await rowsOf(2, /worker job/)).not.toHaveLength(0);
    await pane(page, 2).getByLabel('Include').fill('');
    await expect.poll(() => rowsOf(2, /api request/), { timeout: 15_000 }).not.toHaveLength(0);

    // Levels: only errors (the api's "ERROR payment failed" lines).
    for (const level of ['Warn', 'Info', 'Debug'])
      await pane(page, 2).getByRole('button', { name: level, exact: true }).click();
    await expect.poll(() => rowsOf(2, /worker job|api request/), { timeout: 15_000 }).toHaveLength(0);
    expect(await rowsOf(2, /payment failed/)).not.toHaveLength(0);
    for (const level of ['Warn', 'Info', 'Debug'])
      await pane(page, 2).getByRole('button', { name: level, exact: true }).click();

    // Exclude with a regular expression.
    await pane(page, 2).locator('.filter-bar').getByRole('button', { name: '.*' }).click();
    await pane(page, 2).getByLabel('Exclude').fill('job [0-9]*[02468]$');
    await expect.poll(async () => (await rowsOf(2, /worker job \d*[02468]$/)).length, { timeout: 15_000 }).toBe(0);
    expect(await rowsOf(2, /worker job \d*[13579]$/)).not.toHaveLength(0);
    await pane(page, 2).getByLabel('Exclude').fill('');
    await pane(page, 2).locator('.filter-bar').getByRole('button', { name: '.*' }).click();
    await pane(page, 2).getByRole('button', { name: 'Filters' }).click();
    await expect.poll(() => rowsOf(2, /worker job \d*[02468]$/), { timeout: 15_000 }).not.toHaveLength(0);
  });

  it('downloads the shown (filtered) lines, and a time range from the cache', async () => {
    const { page } = rig;
    await pane(page, 2).getByRole('button', { name: 'Filters' }).click();
    await pane(page, 2).getByLabel('Include').fill('worker job');
    await expect.poll(() => rowsOf(2, /api request|payment failed/), { timeout: 15_000 }).toHaveLength(0);
    await pane(page, 2).getByRole('button', { name: 'More' }).click();
    const [shown] = await Promise.all([
      page.waitForEvent('download'),
      pane(page, 2).getByRole('button', { name: 'Download shown lines' }).click(),
    ]);
    expect(shown.suggestedFilename()).toMatch(/^shop-prod_shop-api-1\+shop-worker-1_[\dT-]+\.log$/);
    const lines = readFileSync((await shown.path())!, 'utf8')
      .trimEnd()
      .split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines)
      expect(line).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z shop-worker-1 level=debug worker job \d+$/);
    await pane(page, 2).getByLabel('Include').fill('');
    await pane(page, 2).getByRole('button', { name: 'Filters' }).click();

    await pane(page, 2).getByRole('button', { name: 'More' }).click();
    const menu = pane(page, 2).getByRole('dialog', { name: 'More pane tools' });
    await menu.getByLabel('From', { exact: true }).fill(toLocalInput(Date.now() - 10 * 60_000));
    await menu.getByLabel('To', { exact: true }).fill(toLocalInput(Date.now() + 60_000));
    const [range] = await Promise.all([
      page.waitForEvent('download'),
      menu.getByRole('button', { name: 'Download range' }).click(),
    ]);
    const cached = readFileSync((await range.path())!, 'utf8');
    expect(cached).toMatch(/ shop-api-1 level=info api request \d+\n/);
    expect(cached).toMatch(/ shop-worker-1 level=debug worker job \d+\n/);
    await menu.getByText(/^Saved [\d,]+ lines\.$/).waitFor();
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden' });
  });

  it('jumps to a time: in the pane’s own lines, or in the cache beyond them', async () => {
    const { page } = rig;
    // A line a few seconds back, by its displayed time.
    const rows = await rowsOf(1, /api request \d+$/);
    const target = rows.at(-4)!;
    const [clock] = /^\d{2}:\d{2}:\d{2}/.exec(target)!;
    const day = toLocalInput(Date.now()).slice(0, 10);
    await pane(page, 1).getByRole('button', { name: 'More' }).click();
    await pane(page, 1).getByLabel('Jump to time').fill(`${day}T${clock}`);
    await pane(page, 1).getByRole('button', { name: 'Go' }).click();
    // The pane stops following and selects the first line at that second.
    await pane(page, 1).getByText('Paused', { exact: true }).waitFor();
    await expect.poll(() => paneSelection(page, 1), { timeout: 15_000 }).toContain(target.slice(0, 40));
    await pane(page, 1)
      .getByRole('button', { name: /new lines?$|^Follow$/ })
      .click();

    // Beyond what the pane holds (cleared here): the cache answers, and the pane says so.
    const shown = await paneText(page, 1);
    expect(shown.length).toBeGreaterThan(0);
    await pane(page, 1).getByRole('button', { name: 'Clear' }).click();
    // Everything shown before is gone (a line arriving meanwhile may already be there).
    await expect
      .poll(async () => (await paneText(page, 1)).filter((row) => shown.includes(row)), { timeout: 15_000 })
      .toEqual([]);
    await pane(page, 1).getByRole('button', { name: 'More' }).click();
    await pane(page, 1).getByLabel('Jump to time').fill(`${day}T${clock}`);
    await pane(page, 1).getByRole('button', { name: 'Go' }).click();
    await pane(page, 1)
      .getByText(/^Cached lines from/)
      .waitFor();
    await expect.poll(async () => (await paneText(page, 1))[0] ?? '', { timeout: 15_000 }).toContain(clock);
    await pane(page, 1).getByRole('button', { name: 'Back to live' }).click();
    await pane(page, 1)
      .getByText(/^Cached lines from/)
      .waitFor({ state: 'hidden' });
    await expect.poll(() => rowsOf(1, /api request \d+$/), { timeout: 15_000 }).not.toHaveLength(0);
  });

  it('pauses (still receiving, "N new lines") and resumes at the end', async () => {
    const { page } = rig;
    await pane(page, 1).getByRole('button', { name: 'Pause pane 1' }).click();
    const frozen = await paneText(page, 1);
    const newLines = pane(page, 1).getByRole('button', { name: /new lines?$/ });
    await expect
      .poll(() => newLines.textContent(), { timeout: 10_000 })
      .toMatch(/^[2-9]\d* new lines$|^\d{2,} new lines$/);
    expect(await paneText(page, 1)).toEqual(frozen);
    const last = Number(/request (\d+)/.exec((await rowsOf(1, /api request \d+/)).at(-1)!)![1]);
    await newLines.click();
    await expect
      .poll(async () => Number(/request (\d+)/.exec((await rowsOf(1, /api request \d+/)).at(-1)!)![1]))
      .toBeGreaterThan(last + 1);
    await pane(page, 1).getByRole('button', { name: 'Pause pane 1' }).waitFor();
  });

  it('follows a restarted container in the same pane', async () => {
    const { page, podman } = rig;
    const before = (await paneStats(page, 1)).received;
    await podman.cli(['restart', '-t', '2', 'shop-api-1']);
    // The counter starts again from 0 in the same pane.
    await expect
      .poll(async () => (await paneText(page, 1)).findLastIndex((row) => /api request 0$/.test(row)), {
        timeout: 20_000,
      })
      .toBeGreaterThan(0);
    await expect
      .poll(() => pane(page, 1).locator('.source-chip').getAttribute('data-state'), { timeout: 15_000 })
      .toBe('live');
    expect((await paneStats(page, 1)).received).toBeGreaterThan(before);
    // In the merged pane the restarted container's first lines (sent late, on reattaching) are
    // still in time order with the other container's.
    await expect.poll(() => rowsOf(2, /api request 2$/), { timeout: 20_000 }).not.toHaveLength(0);
    const times = (await paneText(page, 2)).map(timeOf).filter((time) => time !== undefined);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!);
  });

  it('splits into six panes, closes one, and keeps the layout across a reload', async () => {
    const { page } = rig;
    await pane(page, 2).getByRole('button', { name: 'Split pane 2 down' }).click();
    await chooseSources(page, 3, ['shop-worker-1']);
    await pane(page, 1).getByRole('button', { name: 'Split pane 1 down' }).click();
    await chooseSources(page, 2, ['shop-api-1']);
    expect(await page.locator('.log-pane').count()).toBe(4);
    // Two more make six; then one goes.
    await pane(page, 4).getByRole('button', { name: 'Split pane 4 right' }).click();
    await pane(page, 5).getByRole('button', { name: 'Split pane 5 right' }).click();
    expect(await page.locator('.log-pane').count()).toBe(6);
    await pane(page, 6).getByRole('button', { name: 'Close pane 6' }).click();
    await pane(page, 5).getByRole('button', { name: 'Close pane 5' }).click();
    expect(await page.locator('.log-pane').count()).toBe(4);
    await expect.poll(() => rowsOf(3, /api request|worker job/), { timeout: 20_000 }).not.toHaveLength(0);

    await expect.poll(() => rowsOf(4, /worker job/), { timeout: 15_000 }).not.toHaveLength(0);
    await expect.poll(() => rowsOf(2, /api request|payment failed/), { timeout: 15_000 }).not.toHaveLength(0);
    await page.mouse.move(700, 880);
    await animationsSettled(page); // the hover highlight leaving (at once with reduced motion)
    await page.screenshot({ path: join(SCREENSHOTS, 'logs.png') });

    // Saved per target, a moment after the last change: once the four panes are what is saved,
    // a reload brings them back with what they follow.
    const saved = async () =>
      JSON.stringify(
        (await invoke<{ value: unknown }>(page, 'settings:get', { key: `logs.layout.${targetId}` })).value,
      );
    await expect.poll(async () => (await saved()).match(/"kind":"pane"/g)?.length ?? 0, { timeout: 10_000 }).toBe(4);
    expect(await saved()).toContain('shop-worker-1');
    await page.reload();
    await page.getByRole('heading', { name: 'Logs', level: 1 }).waitFor();
    await expect.poll(() => page.locator('.log-pane').count(), { timeout: 15_000 }).toBe(4);
    await expect.poll(() => rowsOf(4, /worker job/), { timeout: 20_000 }).not.toHaveLength(0);
  });

  it('shows cached lines with a "cached" badge and their age while the target is unreachable', async () => {
    const { page, sshd } = rig;
    await sshd.stop();
    try {
      await expect
        .poll(() => pane(page, 1).locator('.source-chip').getAttribute('data-state'), { timeout: 20_000 })
        .toMatch(/reconnecting|error/);
      await pane(page, 1)
        .getByText(/^Cached · newest /)
        .waitFor();
      // A fresh page has nothing of its own: its panes read the offline cache.
      await page.reload();
      await page.getByRole('heading', { name: 'Logs', level: 1 }).waitFor();
      await pane(page, 4)
        .getByText(/^Cached · newest /)
        .waitFor({ timeout: 20_000 });
      await expect.poll(() => rowsOf(4, /worker job/), { timeout: 20_000 }).not.toHaveLength(0);
    } finally {
      await sshd.start();
    }
    await expect
      .poll(() => pane(page, 4).locator('.source-chip').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('live');
    await waitFor(
      async () =>
        !(await pane(page, 4)
          .getByText(/^Cached · newest /)
          .isVisible()),
      10_000,
      'the badge did not go',
    );
    expect(rig.pageErrors.filter((error) => !/WebSocket|ERR_CONNECTION/.test(error))).toEqual([]);
  });
});
