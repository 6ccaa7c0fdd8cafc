/**
 * Hostile log content end to end: a real container prints what would drive a terminal (OSC 52
 * clipboard writes, OSC 8 links to file://, title changes, cursor moves and mode switches),
 * invalid UTF-8, NUL bytes and a 10 MB line. The pane shows all of it as text; the clipboard,
 * the page title and the terminal's state are untouched, and the page keeps answering.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS } from '../support/browser';
import {
  addDockerTarget,
  chooseSources,
  pane,
  paneSelection,
  paneStats,
  paneText,
  startLogsRig,
  type LogsRig,
} from './logs-support';

let rig: LogsRig;
const SENTINEL = 'clipboard-before-the-logs';

/** Everything the container prints once /tmp/go exists, as busybox sh and printf can write it. */
const HOSTILE = [
  "printf 'hostile-begin\\n'",
  "printf 'clip \\033]52;c;aGFja2Vk\\007 after\\n'", // OSC 52: put "hacked" on the clipboard
  "printf 'clip-st \\033]52;p;aGFja2Vk\\033\\\\ after\\n'",
  "printf 'title \\033]0;pwned-title\\007 \\033]2;pwned-2\\033\\\\ after\\n'",
  "printf 'file link \\033]8;;file:///etc/passwd\\033\\\\open me\\033]8;;\\033\\\\ after\\n'",
  "printf 'web link \\033]8;;https://example.com/docs\\033\\\\the docs\\033]8;;\\033\\\\ after\\n'",
  "printf 'cursor \\033[2J\\033[H\\033[5;5Hmoved\\033[1A\\033[K after\\n'",
  "printf 'modes \\033[?1049h\\033[?1000h\\033[?25h\\033[4h\\033[?6h after\\n'",
  "printf 'dcs \\033P+q544e\\033\\\\ apc \\033_x\\033\\\\ after\\n'",
  "printf 'bad utf8 \\377\\376 after\\n'",
  "printf 'nul \\000 byte after\\n'",
  "printf '\\033[31mred\\033[0m colour kept\\n'",
  // 10 × 2^20 characters on one line, built by doubling.
  's=xxxxxxxxxx; i=0; while [ $i -lt 20 ]; do s="$s$s"; i=$((i+1)); done; printf "big %s\\n" "$s"',
  "printf 'hostile-end\\n'",
].join('; ');

beforeAll(async () => {
  rig = await startLogsRig({ permissions: ['clipboard-read', 'clipboard-write'] });
  await rig.podman.run(
    'hostile',
    `trap "exit 0" TERM; printf 'hostile-ready\\n'; while [ ! -e /tmp/go ]; do sleep 0.2; done; ${HOSTILE}; while true; do sleep 1; done`,
  );
});

afterAll(async () => {
  await rig?.stop();
});

/** A round trip into the page, in milliseconds. */
async function roundTrip(): Promise<number> {
  const started = Date.now();
  await rig.page.evaluate('1 + 1');
  return Date.now() - started;
}

describe('Hostile log content', () => {
  it('is shown as text; clipboard, title and terminal state are untouched; the page keeps answering', async () => {
    const { page } = rig;
    await page.goto(rig.app.url);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(SENTINEL)})`);
    await addDockerTarget(page, rig, 'hostile-host');
    await page.keyboard.press('Control+2');
    await chooseSources(page, 1, ['hostile']);
    // The container says it is ready, then is quiet until triggered: once that line is shown and
    // the source is live, the follow is attached and the hostile lines come live, not with the tail.
    // (A line is what tells: over podman, a quiet container's source stays "starting" until it prints.)
    await expect
      .poll(async () => (await paneText(page, 1)).some((row) => row.includes('hostile-ready')), { timeout: 20_000 })
      .toBe(true);
    await expect
      .poll(() => pane(page, 1).locator('.source-chip[data-source="container:hostile"]').getAttribute('data-state'), {
        timeout: 15_000,
      })
      .toBe('live');
    const title = await page.title();
    // Long tasks from here on, for the report below.
    await page.evaluate(`(() => {
      window.__longest = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.__longest = Math.max(window.__longest, entry.duration);
      }).observe({ type: 'longtask', buffered: false });
    })()`);

    await rig.podman.cli(['exec', 'hostile', 'sh', '-c', 'echo > /tmp/go']);
    // While the 10 MB line travels and renders, the page answers.
    const trips: number[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      trips.push(await roundTrip());
      if ((await paneText(page, 1)).some((row) => row.includes('hostile-end'))) break;
      // Kept: the sampling interval of this responsiveness probe, not a wait for something.
      await page.waitForTimeout(100);
    }
    const rows = await paneText(page, 1);
    const text = rows.join('\n');
    expect(text).toContain('hostile-end');
    expect(Math.max(...trips)).toBeLessThan(1_000);

    // Everything is there, visibly, instead of obeyed.
    expect(text).toContain('clip ␛]52;c;aGFja2Vk␇ after');
    expect(text).toContain('clip-st ␛]52;p;aGFja2Vk␛\\ after');
    expect(text).toContain('title ␛]0;pwned-title␇ ␛]2;pwned-2␛\\ after');
    expect(text).toContain('file link ␛]8;;file:///etc/passwd␛\\open me␛]8;;␛\\ after');
    expect(text).toContain('web link the docs after'); // an https link is kept as a link
    expect(text).toContain('cursor ␛[2J␛[H␛[5;5Hmoved␛[1A␛[K after');
    expect(text).toContain('modes ␛[?1049h␛[?1000h␛[?25h␛[4h␛[?6h after');
    expect(text).toContain('dcs ␛P+q544e␛\\ apc ␛_x␛\\ after');
    expect(text).toContain('bad utf8 \ufffd\ufffd after');
    expect(text).toContain('nul ␀ byte after');
    expect(text).toContain('red colour kept');
    expect(text).toMatch(/big x{100,}/);
    expect(rows.join('')).toMatch(/… [\d,]+ more characters not shown/);
    // Nothing was cleared or overwritten: the first line is still above the rest, every line
    // starts at column 0 with its prefix.
    expect(rows.findIndex((row) => row.includes('hostile-begin'))).toBeLessThan(
      rows.findIndex((row) => row.includes('clip ')),
    );
    for (const row of rows.filter((r) => /hostile-(begin|end)|after$/.test(r)))
      expect(row).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} hostile │ /);

    // The clipboard and the page title are as they were; the terminal's modes too.
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(SENTINEL);
    expect(await page.title()).toBe(title);
    const stats = await paneStats(page, 1);
    expect(stats.title).toBeUndefined();
    expect(stats.alternateScreen).toBe(false);
    expect(stats.cursorX).toBe(0);
    expect(stats.modes).toMatchObject({
      mouseTrackingMode: 'none',
      insertMode: false,
      originMode: false,
      wraparoundMode: true,
    });

    // A click still lands at once: the pane pauses and says so.
    const clicked = Date.now();
    await pane(page, 1).getByRole('button', { name: 'Pause pane 1' }).click();
    await pane(page, 1).getByText('Paused', { exact: true }).waitFor();
    expect(Date.now() - clicked).toBeLessThan(1_000);
    // Scrolled back to the top: the hostile lines, shown as text (the screenshot).
    const box = (await pane(page, 1).locator('.pane-terminal').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 60 && (await paneStats(page, 1)).viewportY > 0; i++) await page.mouse.wheel(0, -2000);
    expect((await paneStats(page, 1)).viewportY).toBe(0);
    await page.mouse.move(box.x + box.width - 30, box.y + 40);
    await page.screenshot({ path: join(SCREENSHOTS, 'logs-hostile.png') });

    // The only way onto the clipboard is the operator's: select, then Ctrl+C.
    await page.mouse.move(box.x + 4, box.y + 4);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 3, { steps: 8 });
    await page.mouse.up();
    const selected = await paneSelection(page, 1);
    expect(selected).toContain('clip ␛]52;c;aGFja2Vk␇ after');
    await page.keyboard.press('Control+c');
    await expect.poll(() => page.evaluate('navigator.clipboard.readText()'), { timeout: 5_000 }).toBe(selected);

    const longest = (await page.evaluate('window.__longest')) as number;
    console.log(
      `hostile content: longest main-thread task ${Math.round(longest)} ms, slowest round trip ${Math.max(...trips)} ms`,
    );
    expect(rig.pageErrors).toEqual([]);
  });
});
