/**
 * A flood into a pane whose scrollback is smaller than the backlog, end to end: the page is
 * slowed (Chrome's CPU throttling) so lines queue up faster than xterm parses them, and the
 * feed skips the lines that newer ones would push out of the buffer unseen (terminal-feed.ts).
 * The pane must end exactly as writing every line would have left it: its rows are compared
 * with a plain xterm in the same page fed every line of the flood, formatted as the pane does.
 * The skipped lines are still acknowledged (main is not left waiting) and still in the cache,
 * and the lines the pane holds are found and scrolled to as ever.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS } from '../support/browser';
import { waitFor } from '../support/keyring';
import { isoToMs } from '../../shared/iso-time';
import { formatLine, padLabels } from '../../renderer/src/areas/logs/line-format';
import { LAYOUT_VERSION, settingKey } from '../../renderer/src/areas/logs/layout';
import { defaultPaneConfig } from '../../renderer/src/areas/logs/pane-config';
import { addDockerTarget, invoke, pane, paneStats, paneText, startLogsRig, type LogsRig } from './logs-support';

const CONTAINER = 'flood';
const LINES = 30_000;
/** The smallest scrollback a pane takes: a flood of 30,000 lines is many buffers' worth. */
const SCROLLBACK = 1_000;
const require = createRequire(__filename);

let rig: LogsRig;
let targetId: string;

beforeAll(async () => {
  rig = await startLogsRig();
  // One line, quiet until told, then 30,000 numbered lines as fast as busybox prints them.
  await rig.podman.run(
    CONTAINER,
    `trap "exit 0" TERM; echo ready; while [ ! -e /tmp/go ]; do sleep 0.05; done; seq -w 1 ${LINES} | sed 's/^/flood /'; ` +
      `while true; do sleep 1; done`,
  );
  const { page } = rig;
  await page.goto(rig.app.url);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  targetId = await addDockerTarget(page, rig, 'flood-target');
  await invoke(page, 'settings:set', {
    key: settingKey(targetId),
    value: {
      version: LAYOUT_VERSION,
      root: {
        kind: 'pane',
        id: 'flood',
        config: { ...defaultPaneConfig([`container:${CONTAINER}`]), scrollback: SCROLLBACK },
      },
    },
  });
});

afterAll(async () => {
  await rig?.stop();
});

describe('a flood larger than the scrollback', () => {
  it('skips what the buffer would drop unseen, and the pane ends exactly as writing every line would', async () => {
    const { page } = rig;
    await page.keyboard.press('Control+2');
    await pane(page, 1).locator('.pane-terminal').waitFor();
    await expect.poll(() => paneText(page, 1), { timeout: 20_000 }).toEqual([expect.stringMatching(/│ ready$/)]);
    const cdp = await rig.context.newCDPSession(page);
    // xterm falls behind the lines arriving, as on a slow machine.
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 6 });
    await rig.podman.cli(['exec', CONTAINER, 'sh', '-c', 'echo > /tmp/go']);
    await waitFor(
      async () => {
        const stats = await paneStats(page, 1);
        return stats.drawn >= LINES + 1 && stats.pendingLines === 0;
      },
      180_000,
      'the pane did not take the whole flood',
    );
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    const stats = await paneStats(page, 1);
    expect(stats.received).toBe(LINES + 1);
    expect(stats.skipped).toBeGreaterThan(0);
    expect(stats.skipped).toBeLessThanOrEqual(LINES - SCROLLBACK - stats.rows);
    // Every line earned its credit, skipped or written.
    await expect.poll(async () => (await paneStats(page, 1)).acked, { timeout: 15_000 }).toBe(LINES + 1);

    // The same flood through a plain xterm of the pane's size, every line written.
    const { entries } = await invoke<{ entries: { ts: string; message: string }[] }>(page, 'logs:query', {
      targetId,
      sources: [`container:${CONTAINER}`],
      limit: LINES + 1,
    });
    // The skipped lines are in the cache: the first of the flood too.
    expect(entries.map((entry) => entry.message)).toEqual([
      'ready',
      ...Array.from({ length: LINES }, (_, i) => `flood ${String(i + 1).padStart(String(LINES).length, '0')}`),
    ]);
    const shown = await paneText(page, 1);
    const label = /^\d{2}:\d{2}:\d{2}\.\d{3} (.*) │ /.exec(shown.at(-1)!)![1]!.trimEnd();
    const format = { timestamps: true, labels: padLabels([label]) };
    const text = entries
      .map((entry) => formatLine({ seq: 0, tsMs: isoToMs(entry.ts), source: 0, level: null, message: entry.message }, format))
      .join('');
    await page.evaluate(readFileSync(require.resolve('@xterm/xterm/lib/xterm.js'), 'utf8'));
    const expected = (await page.evaluate(
      `(async ({ text, cols, rows, scrollback }) => {
        const term = new Terminal({ cols, rows, scrollback });
        await new Promise((resolve) => term.write(text, resolve));
        const buffer = term.buffer.active;
        const lines = [];
        for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i).translateToString(true));
        while (lines.length && lines[lines.length - 1] === '') lines.pop();
        term.dispose();
        return lines;
      })(${JSON.stringify({ text, cols: stats.cols, rows: stats.rows, scrollback: SCROLLBACK })})`,
    )) as string[];
    expect(expected.length).toBeGreaterThan(SCROLLBACK);
    expect(shown).toEqual(expected);

    // What the pane holds is still found: the oldest line in its buffer, by search.
    const oldest = /flood \d+$/.exec(shown[0]!)![0];
    await pane(page, 1).locator('.pane-terminal').click();
    await page.keyboard.press('Control+f');
    const search = pane(page, 1).getByRole('searchbox', { name: 'Search in pane' });
    await search.fill(oldest);
    await expect
      .poll(() => pane(page, 1).locator('.search-count').textContent(), { timeout: 15_000 })
      .toBe('1 of 1');
    await page.screenshot({ path: join(SCREENSHOTS, 'logs-flood.png') });
    await page.keyboard.press('Escape');

    // Looking at a match scrolled the pane up, which pauses it; following again, the wheel up
    // pauses it once more and down to the end follows (xterm's scrolls count only after a touch).
    const scrolledUp = pane(page, 1).getByText('Scrolled up', { exact: true });
    await scrolledUp.waitFor();
    await pane(page, 1).getByRole('button', { name: 'Follow', exact: true }).click();
    await scrolledUp.waitFor({ state: 'hidden' });
    const box = (await pane(page, 1).locator('.pane-terminal').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -500);
    await scrolledUp.waitFor();
    for (let i = 0; i < 60 && (await scrolledUp.isVisible()); i++) await page.mouse.wheel(0, 2000);
    await scrolledUp.waitFor({ state: 'hidden' });
    expect(rig.pageErrors).toEqual([]);
  });
});
