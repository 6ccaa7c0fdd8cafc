/**
 * Links in log lines, in browser mode: Ctrl+click on an https link (OSC 8) opens it in a new
 * tab through the browser platform (`window.open` with noopener), and copying a selection with
 * Ctrl+C goes through the same platform onto the clipboard. The desktop app's side of both
 * (shell.openExternal, clipboard.writeText) is test/integration/electron/platform.test.ts.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS } from '../support/browser';
import {
  addDockerTarget,
  chooseSources,
  pane,
  paneSelection,
  paneText,
  startLogsRig,
  type LogsRig,
} from './logs-support';

let rig: LogsRig;
const DOCS = 'https://docs.example.com/runbooks/payments?step=2';

beforeAll(async () => {
  rig = await startLogsRig({ permissions: ['clipboard-read', 'clipboard-write'] });
  await rig.podman.run(
    'linker',
    `printf 'see \\033]8;;${DOCS}\\033\\\\the runbook\\033]8;;\\033\\\\ for details\\n'; ` +
      `printf 'local \\033]8;;file:///etc/passwd\\033\\\\not a link\\033]8;;\\033\\\\ here\\n'; printf 'links-end\\n'; ` +
      'while true; do sleep 1; done',
  );
  // Nothing may leave the machine: the docs site is answered here.
  await rig.context.route('https://docs.example.com/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/plain', body: 'the runbook' }),
  );
});

afterAll(async () => {
  await rig?.stop();
});

/** What the page's DOM offers for finding drawn text (the test project has no DOM types). */
interface TextDom {
  ownerDocument: {
    createTreeWalker(root: unknown, whatToShow: number): { nextNode(): { data: string } | null };
    createRange(): {
      setStart(node: unknown, offset: number): void;
      setEnd(node: unknown, offset: number): void;
      getBoundingClientRect(): { x: number; y: number; width: number; height: number };
    };
  };
}

/** The middle of `text` as drawn in pane 1's terminal, in page coordinates. */
function centreOf(page: Page, text: string): Promise<{ x: number; y: number }> {
  return pane(page, 1)
    .locator('.xterm-rows')
    .evaluate((rows, wanted) => {
      const dom = (rows as unknown as TextDom).ownerDocument;
      const SHOW_TEXT = 4;
      const walker = dom.createTreeWalker(rows, SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.data.indexOf(wanted);
        if (at < 0) continue;
        const range = dom.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + wanted.length);
        const box = range.getBoundingClientRect();
        return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      }
      throw new Error(`not drawn: ${wanted}`);
    }, text);
}

describe('Links and copying in a log pane (browser mode)', () => {
  it('opens an https link on Ctrl+click in a new tab without a handle back to the app', async () => {
    const { page, context } = rig;
    await page.goto(rig.app.url);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await addDockerTarget(page, rig, 'links-host');
    await page.keyboard.press('Control+2');
    await chooseSources(page, 1, ['linker']);
    await expect.poll(async () => (await paneText(page, 1)).join('\n'), { timeout: 15_000 }).toContain('links-end');
    expect((await paneText(page, 1)).join('\n')).toContain('local ␛]8;;file:///etc/passwd␛\\not a link␛]8;;␛\\ here');

    // xterm draws the space inside a link as a no-break space.
    const link = await centreOf(page, 'runbook');
    // xterm finds the link under the pointer on hover, then the click activates it.
    await page.mouse.move(link.x, link.y);
    await page.keyboard.down('Control');
    const [tab] = await Promise.all([context.waitForEvent('page'), page.mouse.click(link.x, link.y)]);
    await page.keyboard.up('Control');
    await tab.waitForLoadState('domcontentloaded');
    expect(tab.url()).toBe(DOCS);
    // noopener: the new tab cannot reach back into Control Room.
    expect(await tab.evaluate('window.opener')).toBeNull();
    await page.screenshot({ path: join(SCREENSHOTS, 'log-links.png') });
    await tab.close();
    expect(context.pages()).toHaveLength(1);
  });

  it('copies the selected lines with Ctrl+C', async () => {
    const { page } = rig;
    const from = await centreOf(page, 'see ');
    const to = await centreOf(page, 'links-end');
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 6 });
    await page.mouse.up();
    const selected = await paneSelection(page, 1);
    expect(selected).toContain('the runbook for details');
    await page.keyboard.press('Control+c');
    await expect.poll(() => page.evaluate('navigator.clipboard.readText()'), { timeout: 5_000 }).toBe(selected);
    expect(rig.pageErrors).toEqual([]);
  });
});
