/**
 * The two places the Logs pane steps around xterm's defaults, in real Chromium against the
 * xterm the app ships (its UMD build) and our modules bundled as the app bundles them:
 *  - selection-redraw.ts: with no selection, a scroll no longer redraws every row (which went
 *    around synchronized output, xtermjs/xterm.js#4633), and a real selection still draws;
 *  - parse-slicer.ts: a burst is parsed in many short tasks, and the terminal ends up holding
 *    exactly what it holds without the slicer (the private OSC leaves no trace).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/app';
import { launchBrowser } from '../support/browser';

const require = createRequire(__filename);
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const shims = await build({
    stdin: {
      contents: `export { skipEmptySelectionRedraws } from './renderer/src/areas/logs/selection-redraw';
                 export { sliceParsing, YIELD_SEQUENCE } from './renderer/src/areas/logs/parse-slicer';`,
      resolveDir: REPO_ROOT,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    globalName: 'shims',
    write: false,
  });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.setContent(
    `<!doctype html><html><head><style>${readFileSync(require.resolve('@xterm/xterm/css/xterm.css'), 'utf8')}</style></head>` +
      '<body><div id="host" style="width: 1000px; height: 600px"></div></body></html>',
  );
  await page.evaluate(readFileSync(require.resolve('@xterm/xterm/lib/xterm.js'), 'utf8'));
  await page.evaluate(shims.outputFiles[0]!.text);
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** Writes `frames` batches of lines, one per animation frame, with synchronized output held. */
function rowReplacementsWhileHeld(shim: boolean): Promise<{ replaced: number; renders: number }> {
  return page.evaluate(`(async (shim) => {
    const host = document.getElementById('host');
    host.replaceChildren();
    const term = new Terminal({ cols: 120, rows: 30, scrollback: 5000 });
    term.open(host);
    if (shim && !shims.skipEmptySelectionRedraws(term)) throw new Error('xterm internals not found');
    await new Promise((resolve) => term.write('warm up\\r\\n', resolve));
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    let replaced = 0;
    let renders = 0;
    term.onRender(() => renders++);
    const observer = new MutationObserver((records) => {
      for (const record of records) if (record.target.parentElement?.classList.contains('xterm-rows')) replaced++;
    });
    observer.observe(host.querySelector('.xterm-rows'), { childList: true, subtree: true });
    term.write('\\x1b[?2026h');
    for (let frame = 0; frame < 20; frame++) {
      let lines = '';
      for (let i = 0; i < 50; i++) lines += 'frame ' + frame + ' line ' + i + '\\r\\n';
      await new Promise((resolve) => term.write(lines, resolve));
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    }
    observer.disconnect();
    term.write('\\x1b[?2026l');
    term.dispose();
    return { replaced, renders };
  })(${JSON.stringify(shim)})`);
}

describe('selection redraws', () => {
  it('xterm alone redraws every row on each scroll even while output is held', async () => {
    const stock = await rowReplacementsWhileHeld(false);
    // The behaviour the shim exists for: if xterm stops doing this, the shim can go.
    expect(stock.replaced).toBeGreaterThan(100);
  });

  it('with the shim, held output redraws nothing until it is released', async () => {
    const shimmed = await rowReplacementsWhileHeld(true);
    expect(shimmed).toEqual({ replaced: 0, renders: 0 });
  });

  it('a selection is still drawn, moved and cleared, exactly as xterm alone draws it', async () => {
    const scenario = (shim: boolean) =>
      page.evaluate(`(async (shim) => {
        const host = document.getElementById('host');
        host.replaceChildren();
        const term = new Terminal({ cols: 80, rows: 10 });
        term.open(host);
        if (shim) shims.skipEmptySelectionRedraws(term);
        await new Promise((resolve) => term.write('alpha beta gamma\\r\\ndelta\\r\\n', resolve));
        const frames = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        await frames();
        const drawn = () => ({ text: term.getSelection(), boxes: [...host.querySelectorAll('.xterm-selection div')].map((box) => box.getAttribute('style')) });
        term.select(6, 0, 4);
        await frames();
        const selected = drawn();
        term.selectLines(0, 1);
        await frames();
        const moved = drawn();
        term.clearSelection();
        await frames();
        const cleared = drawn();
        term.dispose();
        return { selected, moved, cleared };
      })(${JSON.stringify(shim)})`) as Promise<
        Record<'selected' | 'moved' | 'cleared', { text: string; boxes: string[] }>
      >;
    const stock = await scenario(false);
    const shimmed = await scenario(true);
    expect(shimmed).toEqual(stock);
    expect(shimmed.selected.text).toBe('beta');
    expect(shimmed.selected.boxes.length).toBeGreaterThan(0);
    expect(shimmed.moved.text).toBe('alpha beta gamma\ndelta');
    expect(shimmed.cleared).toEqual({ text: '', boxes: [] });
  });
});

describe('sliced parsing', () => {
  it('parses a burst in many short tasks and leaves the same text', async () => {
    const result = (await page.evaluate(`(async () => {
      const host = document.getElementById('host');
      const run = async (sliced) => {
        host.replaceChildren();
        const term = new Terminal({ cols: 100, rows: 20, scrollback: 30000 });
        term.open(host);
        const slicer = sliced ? shims.sliceParsing(term, 1) : undefined;
        const prefix = sliced ? shims.YIELD_SEQUENCE : '';
        let next = 0;
        await new Promise((resolve) => {
          const pump = () => {
            if (next >= 20000) return term.write('', resolve);
            let chunk = '';
            for (let i = 0; i < 100; i++, next++) chunk += '\\x1b[2mline\\x1b[0m ' + next + ' lorem ipsum dolor sit amet\\r\\n';
            term.write(prefix + chunk, pump);
          };
          pump();
        });
        const buffer = term.buffer.active;
        const rows = [];
        for (let i = 0; i < buffer.length; i++) rows.push(buffer.getLine(i).translateToString(true));
        const yields = slicer ? slicer.yields : 0;
        slicer?.dispose();
        term.dispose();
        return { text: rows.join('\\n'), yields };
      };
      const plain = await run(false);
      const sliced = await run(true);
      return { same: plain.text === sliced.text, lines: plain.text.split('\\n').filter(Boolean).length, yields: sliced.yields };
    })()`)) as { same: boolean; lines: number; yields: number };
    expect(result.same).toBe(true);
    expect(result.lines).toBe(20_000);
    // 20,000 lines take far more than 1 ms to parse: parsing paused for the next task many times.
    expect(result.yields).toBeGreaterThan(5);
  });
});
