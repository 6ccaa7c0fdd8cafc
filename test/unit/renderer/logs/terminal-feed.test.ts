/**
 * The terminal feed: lines reach xterm in chunks once per frame, credit (acknowledgements to
 * main) only for what xterm has called back for, held above the high watermark, nothing dropped.
 */
/* eslint-disable no-control-regex -- terminal text is full of escape sequences */
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import type { StoredLine } from '../../../../renderer/src/areas/logs/line-store';
import { formatLine, padLabels } from '../../../../renderer/src/areas/logs/line-format';
import {
  DEFAULT_FEED_OPTIONS,
  RESET_SEQUENCE,
  TerminalFeed,
  type FeedOptions,
} from '../../../../renderer/src/areas/logs/terminal-feed';
import { waitFor } from '../../../support/keyring';

/**
 * xterm itself, parsing without a screen. Loaded untyped: its typings pull the DOM library into
 * this Node program, where its `BodyInit` clashes with Node's (main/electron/protocol.ts).
 */
interface XtermCell {
  getFgColor(): number;
  getBgColor(): number;
  isBold(): number;
  isDim(): number;
}
interface Xterm {
  cols: number;
  write(data: string, callback: () => void): void;
  dispose(): void;
  buffer: {
    active: {
      length: number;
      cursorX: number;
      cursorY: number;
      baseY: number;
      getNullCell(): XtermCell;
      getLine(y: number): { isWrapped: boolean; translateToString(): string; getCell(x: number, cell: XtermCell): unknown } | undefined;
    };
  };
}
const { Terminal } = createRequire(__filename)('@xterm/xterm') as {
  Terminal: new (options: { cols: number; rows: number; scrollback: number; allowProposedApi: boolean }) => Xterm;
};

/** A terminal that parses only when told to, like xterm's write buffer. */
class FakeTerminal {
  written: string[] = [];
  private waiting: (() => void)[] = [];
  write(data: string, callback: () => void) {
    this.written.push(data);
    this.waiting.push(callback);
  }
  /** xterm parses `count` writes (all by default) and calls back. */
  parse(count = Infinity) {
    const now = this.waiting.splice(0, Math.min(count, this.waiting.length));
    for (const callback of now) callback();
  }
  get pending() {
    return this.waiting.length;
  }
  text() {
    return this.written.join('');
  }
}

function rig(options: Partial<FeedOptions> = {}, capacity?: number) {
  const terminal = new FakeTerminal();
  const frames: (() => void)[] = [];
  let credited = 0;
  let clock = 0;
  const written: StoredLine[] = [];
  const feed = new TerminalFeed(
    terminal,
    {
      format: (line) => `${line.message}\r\n`,
      credit: (lines) => (credited += lines),
      written: (line) => written.push(line),
      capacity: () => capacity,
      schedule: (frame) => frames.push(frame),
      now: () => clock,
    },
    {
      chunkChars: 64,
      maxInFlightChars: 1000,
      frameBudgetMs: 6,
      highWaterChars: 10_000,
      lowWaterChars: 2_000,
      burstChars: 1_000_000,
      burstRedrawMs: 100,
      ...options,
    },
  );
  const frame = () => {
    const due = frames.splice(0);
    for (const run of due) run();
    return due.length;
  };
  return {
    feed,
    terminal,
    frame,
    credited: () => credited,
    written,
    tick: (ms: number) => (clock += ms),
  };
}

let seq = 0;
function line(message: string): StoredLine {
  return { seq: ++seq, tsMs: 0, source: 0, level: null, message };
}

describe('TerminalFeed', () => {
  it('writes once per frame, in chunks, and credits lines only when xterm has parsed them', () => {
    const { feed, terminal, frame, credited } = rig();
    for (let i = 0; i < 20; i++) feed.push(line(`line ${String(i).padStart(2, '0')}`), true);
    expect(terminal.written).toHaveLength(0); // nothing before the frame
    expect(frame()).toBe(1);
    expect(terminal.written.length).toBeGreaterThan(1); // several chunks of about 64 characters
    expect(terminal.text()).toBe(
      Array.from({ length: 20 }, (_, i) => `line ${String(i).padStart(2, '0')}\r\n`).join(''),
    );
    expect(credited()).toBe(0);
    terminal.parse(1);
    expect(credited()).toBeGreaterThan(0);
    expect(credited()).toBeLessThan(20);
    terminal.parse();
    expect(credited()).toBe(20);
    expect(feed.idle).toBe(true);
    expect(feed.drawn).toBe(20);
  });

  it('credits lines stored without drawing at once', () => {
    const { feed, credited } = rig();
    feed.creditNow(7);
    expect(credited()).toBe(7);
  });

  it('stops handing xterm more than maxInFlightChars, and carries on as it calls back', () => {
    const { feed, terminal, frame } = rig({ maxInFlightChars: 100 });
    for (let i = 0; i < 50; i++) feed.push(line('x'.repeat(20)), true);
    frame();
    const first = terminal.text().length;
    expect(first).toBeLessThan(200);
    expect(frame()).toBe(0); // waits for xterm, not for the next frame
    terminal.parse();
    expect(frame()).toBe(1);
    expect(terminal.text().length).toBeGreaterThan(first);
    while (terminal.pending) {
      terminal.parse();
      frame();
    }
    expect(terminal.text().split('\r\n').filter(Boolean)).toHaveLength(50);
  });

  it('holds credit above the high watermark until the backlog falls under the low one', () => {
    const { feed, terminal, frame, credited } = rig({
      highWaterChars: 3_000,
      lowWaterChars: 1_000,
      maxInFlightChars: 500,
    });
    feed.creditNow(1);
    expect(credited()).toBe(1);
    for (let i = 0; i < 100; i++) feed.push(line('y'.repeat(52)), true); // 100 × (52 + 48) = 10,000 pending
    frame();
    feed.creditNow(5); // filtered lines: their credit waits too
    terminal.parse();
    expect(credited()).toBe(1);
    // Drain until under the low watermark: everything held comes out at once.
    let rounds = 0;
    while (feed.pendingChars >= 1_000 && rounds++ < 100) {
      frame();
      terminal.parse();
    }
    expect(credited()).toBeGreaterThan(60);
    while (!feed.idle && rounds++ < 200) {
      frame();
      terminal.parse();
    }
    expect(credited()).toBe(106);
  });

  it('restart clears the screen in order, credits the lines it drops and draws the run lazily', () => {
    const { feed, terminal, frame, credited } = rig();
    feed.push(line('old 1'), true);
    frame();
    feed.push(line('old 2'), true);
    feed.push(line('old 3'), false);
    feed.restart([line('again 1'), line('again 2')]);
    expect(credited()).toBe(1); // old 2 (old 3 owed nothing)
    frame();
    terminal.parse();
    const text = terminal.text();
    expect(text.indexOf('old 1')).toBeLessThan(text.indexOf(RESET_SEQUENCE));
    expect(text).not.toContain('old 2');
    expect(text.slice(text.indexOf(RESET_SEQUENCE))).toBe(`${RESET_SEQUENCE}again 1\r\nagain 2\r\n`);
    expect(credited()).toBe(2);
  });

  it('calls a barrier once everything before it is parsed, not before', () => {
    const { feed, terminal, frame } = rig();
    let reached = false;
    feed.push(line('before'), true);
    feed.barrier(() => (reached = true));
    feed.push(line('after'), true);
    frame();
    expect(reached).toBe(false);
    terminal.parse(1);
    expect(reached).toBe(false);
    terminal.parse(1);
    expect(reached).toBe(true);
  });

  it('holds redraws during a flood (synchronized output) and releases them every burstRedrawMs', () => {
    const { feed, terminal, frame, tick } = rig({ burstChars: 500, maxInFlightChars: 100_000, chunkChars: 1_000 });
    for (let i = 0; i < 200; i++) feed.push(line('z'.repeat(40)), true);
    frame();
    expect(terminal.written[0]!.startsWith('\x1b[?2026h')).toBe(true);
    expect(terminal.text()).not.toContain('\x1b[?2026l');
    terminal.parse();
    tick(150);
    for (let i = 0; i < 200; i++) feed.push(line('z'.repeat(40)), true);
    frame();
    expect(terminal.text()).toContain('\x1b[?2026l');
    terminal.parse();
    // Once the flood is over the screen is never left held.
    tick(1_000);
    for (let i = 0; i < 10 && frame(); i++) terminal.parse();
    const text = terminal.text();
    expect(text.lastIndexOf('\x1b[?2026l')).toBeGreaterThan(text.lastIndexOf('\x1b[?2026h'));
  });

  it('never drops a line, whatever the timing', () => {
    const { feed, terminal, frame, credited, tick } = rig({
      maxInFlightChars: 300,
      highWaterChars: 2_000,
      lowWaterChars: 500,
    });
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let pushed = 0;
    for (let step = 0; step < 2_000; step++) {
      const r = random();
      if (r < 0.5) feed.push(line(`n${pushed++}`), true);
      else if (r < 0.7) frame();
      else if (r < 0.9) terminal.parse(1 + Math.floor(random() * 3));
      else tick(10);
    }
    for (let i = 0; i < 10_000 && !(feed.idle && !terminal.pending); i++) {
      frame();
      terminal.parse();
    }
    const numbers = terminal
      .text()
      .replace(/\x1b\[\?2026[hl]/g, '')
      .split('\r\n')
      .filter(Boolean)
      .map((row) => Number(row.slice(1)));
    expect(numbers).toEqual(Array.from({ length: pushed }, (_, i) => i));
    expect(credited()).toBe(pushed);
  });

  it('skips queued lines that a buffer-full of newer ones would push out, crediting and counting them', () => {
    const { feed, terminal, frame, credited, written } = rig({}, 10);
    for (let i = 0; i < 25; i++) feed.push(line(`s${i}`), i % 5 !== 0);
    expect(feed.pendingLines).toBe(25);
    frame();
    // The 15 oldest would be evicted by the 10 newest: they owe their credit now (12 of them do).
    expect(feed.skipped).toBe(15);
    expect(credited()).toBe(12);
    expect(written.map((l) => l.message).slice(0, 15)).toEqual(Array.from({ length: 15 }, (_, i) => `s${i}`));
    terminal.parse();
    expect(terminal.text()).toBe(Array.from({ length: 10 }, (_, i) => `s${i + 15}\r\n`).join(''));
    expect(feed.drawn).toBe(25);
    expect(credited()).toBe(20);
    expect(feed.idle).toBe(true);
  });

  it('skips nothing before a barrier or a re-render, and nothing without a capacity', () => {
    const barrier = rig({}, 5);
    for (let i = 0; i < 10; i++) barrier.feed.push(line(`b${i}`), true);
    let reached = false;
    barrier.feed.barrier(() => (reached = true));
    for (let i = 10; i < 20; i++) barrier.feed.push(line(`b${i}`), true);
    barrier.frame();
    barrier.terminal.parse();
    // The barrier sees every line before it; what came after it is trimmed once it has passed.
    expect(reached).toBe(true);
    expect(barrier.terminal.text()).toContain('b0\r\n');
    for (let i = 0; i < 10 && !barrier.feed.idle; i++) {
      barrier.frame();
      barrier.terminal.parse();
    }
    expect(barrier.feed.drawn).toBe(20);
    expect(barrier.credited()).toBe(20);

    const rerender = rig({}, 5);
    rerender.feed.restart([line('r0'), line('r1')]);
    for (let i = 0; i < 10; i++) rerender.feed.push(line(`r${i + 2}`), true);
    rerender.frame();
    expect(rerender.feed.skipped).toBe(0);
    expect(rerender.terminal.text()).toContain('r0\r\n');

    const unbounded = rig({}, undefined);
    for (let i = 0; i < 50; i++) unbounded.feed.push(line(`u${i}`), true);
    unbounded.frame();
    unbounded.terminal.parse();
    expect(unbounded.feed.skipped).toBe(0);
    expect(unbounded.terminal.text().split('\r\n').filter(Boolean)).toHaveLength(50);
  });

  it("leaves xterm's buffer exactly as writing every line would, wrapped and coloured lines included", async () => {
    const cols = 40;
    const rows = 8;
    const scrollback = 60;
    const format = { timestamps: true, labels: padLabels(['api', 'worker-1']) };
    // Lines of one to five rows, levels and the log's own colours, from two sources; the last
    // ones a row each, so a buffer-full is exactly scrollback + rows lines.
    const lines = Array.from({ length: 1_500 }, (_, i): StoredLine => ({
      seq: i + 1,
      tsMs: 1_700_000_000_000 + i * 7,
      source: i % 2,
      level: i % 7 === 0 ? 'error' : i % 5 === 0 ? 'debug' : null,
      message: `${i} ${i % 3 === 0 ? '\x1b[1;32mok\x1b[0m ' : ''}${'x'.repeat(i < 1_400 ? (i * 37) % 170 : 4)}`,
    }));
    const expected = new Terminal({ cols, rows, scrollback, allowProposedApi: true });
    await new Promise<void>((resolve) => expected.write(lines.map((l) => formatLine(l, format)).join(''), resolve));

    const terminal = new Terminal({ cols, rows, scrollback, allowProposedApi: true });
    const feed = new TerminalFeed(
      terminal,
      {
        format: (l) => formatLine(l, format),
        credit: () => undefined,
        capacity: () => scrollback + rows,
        schedule: (frame) => setTimeout(frame, 0),
        now: () => performance.now(),
      },
      DEFAULT_FEED_OPTIONS,
    );
    // Three floods, the first of them partly parsed before the next arrives.
    for (const [from, to] of [
      [0, 400],
      [400, 500],
      [500, 1_500],
    ] as const) {
      for (const l of lines.slice(from, to)) feed.push(l, true);
      await waitFor(() => Promise.resolve(feed.pendingLines < 100), 5_000, 'the feed did not write its lines');
    }
    await waitFor(() => Promise.resolve(feed.idle), 5_000, 'the feed did not finish');
    expect(feed.skipped).toBeGreaterThan(1_000);
    expect(feed.drawn).toBe(lines.length);
    expect(snapshot(terminal)).toEqual(snapshot(expected));
    terminal.dispose();
    expected.dispose();
  });
});

/** Every row of the active buffer with its wrap flag and cell colours, and the cursor. */
function snapshot(terminal: Xterm) {
  const buffer = terminal.buffer.active;
  const rows: string[] = [];
  const cell = buffer.getNullCell();
  for (let y = 0; y < buffer.length; y++) {
    const row = buffer.getLine(y)!;
    let colours = '';
    for (let x = 0; x < terminal.cols; x++) {
      row.getCell(x, cell);
      colours += `${cell.getFgColor()}/${cell.getBgColor()}/${cell.isBold()}/${cell.isDim()},`;
    }
    rows.push(`${row.isWrapped ? '+' : ' '}${row.translateToString()}|${colours}`);
  }
  return { rows, cursor: [buffer.cursorX, buffer.cursorY, buffer.baseY] };
}
