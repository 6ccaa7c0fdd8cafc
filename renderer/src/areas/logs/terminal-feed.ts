/**
 * Feeds a pane's lines to xterm with flow control, and says when lines may be acknowledged.
 *
 * Lines are queued as they are admitted and written once per animation frame: formatting runs
 * within a time budget, text goes to `term.write(chunk, callback)` in chunks of `chunkChars`,
 * and no more than `maxInFlightChars` are handed to xterm before it has called back, so neither
 * our formatting nor xterm's parsing holds the main thread for long. A line earns credit (it may
 * be acknowledged to main with `logs:ack`) once xterm has called back for it, or at once when it
 * is stored without being drawn. While more than `highWaterChars` wait (queued plus in flight)
 * credit is held back, so main stops getting acknowledgements and pauses the source; it is
 * handed out again once the backlog falls under `lowWaterChars`. Nothing is ever dropped.
 *
 * During a burst (more than `burstChars` waiting, or written in about the last quarter second)
 * the screen is redrawn every `burstRedrawMs`
 * rather than every frame: the writes are wrapped in synchronized-output mode (DEC 2026, which
 * log text cannot set: terminal-safety shows it instead). Nobody reads a flood at 60 frames a
 * second, and redrawing the rows is as much work as parsing them, work the CPU would rather
 * spend on receiving.
 *
 * Lines that wait behind more newer lines than the terminal's buffer holds (`capacity`: its
 * scrollback plus its rows) are skipped rather than written: a line takes at least one row, so
 * xterm would evict them unseen before the next redraw, and its buffer ends exactly as if they
 * had been written. They stay in the pane's store and the cache, earn their credit at once and
 * count as drawn. Only a queue of lines alone is trimmed: a reset, a re-render or a barrier in
 * it (whose callback looks at the buffer as it is then) keeps every line before it.
 *
 * The queue also takes re-renders (a terminal reset followed by a lazy run of stored lines,
 * pulled within the same frame budget) and barriers (a callback once everything before it has
 * been parsed, for jumping to a line).
 */
import { DISPLAY_LIMIT } from '../../../../shared/terminal-safety';
import type { StoredLine } from './line-store';

export interface FeedTerminal {
  write(data: string, callback: () => void): void;
}

export interface FeedOptions {
  chunkChars: number;
  burstChars: number;
  burstRedrawMs: number;
  maxInFlightChars: number;
  frameBudgetMs: number;
  highWaterChars: number;
  lowWaterChars: number;
  /** Written in front of every chunk of lines (parse-slicer.ts's yield point). */
  chunkPrefix?: string;
}

export const DEFAULT_FEED_OPTIONS: FeedOptions = {
  chunkChars: 8 * 1024,
  burstChars: 128 * 1024,
  burstRedrawMs: 250,
  maxInFlightChars: 512 * 1024,
  frameBudgetMs: 4,
  highWaterChars: 2 * 1024 * 1024,
  lowWaterChars: 512 * 1024,
};

/** What the feed needs from its owner. */
export interface FeedHooks {
  format(line: StoredLine): string;
  /** Lines drawn (or stored without drawing) that may now be acknowledged. */
  credit(lines: number): void;
  /** A line's text was handed to xterm, or skipped as it would be evicted unseen (for locating lines later). */
  written?(line: StoredLine): void;
  /**
   * Rows the terminal's buffer holds (scrollback plus rows): more queued lines than this and the
   * oldest are skipped. Undefined (or no hook): every line is written.
   */
  capacity?(): number | undefined;
  /** Runs `frame` before the next paint (requestAnimationFrame in the page). */
  schedule(frame: () => void): void;
  now(): number;
}

/** Mirrors the terminal's reset so a re-render starts from a clean, cursor-less screen. */
export const RESET_SEQUENCE = '\x1bc\x1b[?25l';
const SYNC_ON = '\x1b[?2026h';
const SYNC_OFF = '\x1b[?2026l';

type LineItem = { kind: 'line'; line: StoredLine; credit: boolean; size: number };
type Item =
  | LineItem
  | { kind: 'run'; lines: Iterator<StoredLine> }
  | { kind: 'control'; text: string }
  | { kind: 'barrier'; done: () => void };

const LINE_OVERHEAD = 48;

export class TerminalFeed {
  private queue: Item[] = [];
  private head = 0;
  private queuedChars = 0;
  /** Line items in the queue from `head`, and items of the other kinds. */
  private queuedLines = 0;
  private queuedOthers = 0;
  private inFlight = 0;
  private inFlightLines = 0;
  private heldCredit = 0;
  private gateOpen = true;
  private scheduled = false;
  private disposed = false;
  /** Synchronized output is on (xterm holds its redraws). */
  private syncOn = false;
  private syncSince = 0;
  /** A redraw was asked for (sync off) and has not been parsed yet: no new hold before it draws. */
  private redrawPending = false;
  private redrawParsedAt = -Infinity;
  /** Characters written recently, decaying with a quarter-second time constant. */
  private recentChars = 0;
  private recentAt = 0;
  /** Longest single frame of our own work, for the benchmark and the inspection handle. */
  maxFrameMs = 0;
  /** Lines xterm has called back for (parsed), re-renders included, and lines skipped unseen. */
  drawn = 0;
  /** Lines skipped because newer ones would have evicted them from the buffer unseen. */
  skipped = 0;

  constructor(
    private readonly terminal: FeedTerminal,
    private readonly hooks: FeedHooks,
    private readonly options: FeedOptions = DEFAULT_FEED_OPTIONS,
  ) {}

  /** Characters waiting: queued (estimated) plus handed to xterm and not yet called back. */
  get pendingChars(): number {
    return this.queuedChars + this.inFlight;
  }

  /** Lines queued or in xterm's hands, not yet drawn. */
  get pendingLines(): number {
    return this.queuedLines + this.inFlightLines;
  }

  get idle(): boolean {
    return this.head >= this.queue.length && this.inFlight === 0;
  }

  /** Queues a line to draw; `credit` when it still owes main an acknowledgement. */
  push(line: StoredLine, credit: boolean): void {
    // A 10 MB line is drawn cut (DISPLAY_LIMIT): count what will be written, not what arrived.
    const size = Math.min(line.message.length, DISPLAY_LIMIT + 256) + LINE_OVERHEAD;
    this.queue.push({ kind: 'line', line, credit, size });
    this.queuedChars += size;
    this.queuedLines++;
    this.updateGate();
    this.wake();
  }

  /** Credit for a line stored without drawing it (filtered out, or the pane is paused). */
  creditNow(lines: number): void {
    this.giveCredit(lines);
  }

  /**
   * Clears the screen (in order with earlier writes) and then draws `lines`, pulled lazily.
   * Lines still queued from before are dropped from the queue (the re-render draws what the
   * pane should show) and their credit is given now.
   */
  restart(lines?: Iterable<StoredLine>): void {
    let dropped = 0;
    const kept: Item[] = [];
    for (let i = this.head; i < this.queue.length; i++) {
      const item = this.queue[i]!;
      if (item.kind === 'line') {
        if (item.credit) dropped++;
      } else if (item.kind === 'barrier') {
        kept.push(item);
      }
    }
    this.queue = kept;
    this.head = 0;
    this.queuedChars = 0;
    this.queuedLines = 0;
    this.queue.push({ kind: 'control', text: RESET_SEQUENCE });
    // The reset ends synchronized output too; a redraw follows it anyway.
    this.syncOn = false;
    if (lines) this.queue.push({ kind: 'run', lines: lines[Symbol.iterator]() });
    this.queuedOthers = this.queue.length;
    this.giveCredit(dropped);
    this.updateGate();
    this.wake();
  }

  /** Calls `done` once xterm has parsed everything queued before it. */
  barrier(done: () => void): void {
    this.queue.push({ kind: 'barrier', done });
    this.queuedOthers++;
    this.wake();
  }

  dispose(): void {
    this.disposed = true;
    this.queue = [];
    this.head = 0;
    this.queuedLines = 0;
    this.queuedOthers = 0;
  }

  private wake() {
    if (this.scheduled || this.disposed) return;
    this.scheduled = true;
    this.hooks.schedule(() => this.frame());
  }

  private frame() {
    this.scheduled = false;
    if (this.disposed) return;
    const { chunkChars, maxInFlightChars, frameBudgetMs, burstChars, burstRedrawMs } = this.options;
    const started = this.hooks.now();
    this.skipUnseen();
    let chunk = '';
    if (
      !this.syncOn &&
      !this.redrawPending &&
      started - this.redrawParsedAt > 20 &&
      this.head < this.queue.length &&
      (this.pendingChars > burstChars || this.recent(started) > burstChars)
    ) {
      chunk = SYNC_ON;
      this.syncOn = true;
      this.syncSince = started;
    }
    let chunkLines = 0;
    let chunkCredit = 0;
    let overBudget = false;
    const prefix = this.options.chunkPrefix ?? '';
    const send = () => {
      if (!chunk) return;
      this.write(chunkLines ? prefix + chunk : chunk, chunkLines, chunkCredit);
      chunk = '';
      chunkLines = 0;
      chunkCredit = 0;
      if (this.hooks.now() - started >= frameBudgetMs) overBudget = true;
    };
    while (this.head < this.queue.length && this.inFlight < maxInFlightChars && !overBudget) {
      const item = this.queue[this.head]!;
      if (item.kind === 'run') {
        // Pull stored lines until the chunk is full; the run stays at the head until exhausted.
        while (chunk.length < chunkChars) {
          const next = item.lines.next();
          if (next.done) {
            this.head++;
            this.queuedOthers--;
            break;
          }
          chunk += this.hooks.format(next.value);
          chunkLines++;
          this.hooks.written?.(next.value);
        }
        if (chunk.length >= chunkChars) send();
        continue;
      }
      this.head++;
      if (item.kind === 'line') this.queuedLines--;
      else this.queuedOthers--;
      if (item.kind === 'barrier') {
        send();
        this.write('', 0, 0, item.done);
        continue;
      }
      if (item.kind === 'control') {
        chunk += item.text;
      } else {
        this.queuedChars -= item.size;
        chunk += this.hooks.format(item.line);
        chunkLines++;
        if (item.credit) chunkCredit++;
        this.hooks.written?.(item.line);
      }
      if (chunk.length >= chunkChars) send();
    }
    const bursting = this.head < this.queue.length || this.inFlight > burstChars || this.recent(started) > burstChars;
    if (this.syncOn && (!bursting || started - this.syncSince >= burstRedrawMs)) {
      // Let this much be drawn.
      send();
      this.syncOn = false;
      this.redrawPending = true;
      this.write(SYNC_OFF, 0, 0, () => {
        this.redrawPending = false;
        this.redrawParsedAt = this.hooks.now();
      });
    }
    send();
    this.maxFrameMs = Math.max(this.maxFrameMs, this.hooks.now() - started);
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.updateGate();
    // More to do now, or when xterm calls back (which wakes us).
    if (this.head < this.queue.length && this.inFlight < maxInFlightChars) this.wake();
  }

  /**
   * Skips the queued lines that more than `capacity` newer queued lines would push out of
   * xterm's buffer before anyone could see them (during a flood the screen is redrawn only every
   * `burstRedrawMs`). Written or not, the buffer ends the same; skipping spares their formatting
   * and parsing. Nothing is skipped while a reset, a re-render or a barrier waits in the queue.
   */
  private skipUnseen() {
    if (this.queuedOthers > 0) return;
    const capacity = this.hooks.capacity?.();
    if (capacity === undefined) return;
    const excess = this.queuedLines - Math.max(1, capacity);
    if (excess <= 0) return;
    let credit = 0;
    for (let n = 0; n < excess; n++) {
      const item = this.queue[this.head++] as LineItem;
      this.queuedChars -= item.size;
      if (item.credit) credit++;
      this.hooks.written?.(item.line);
    }
    this.queuedLines -= excess;
    this.skipped += excess;
    this.drawn += excess;
    this.giveCredit(credit);
  }

  private recent(now: number): number {
    return this.recentChars * Math.exp((this.recentAt - now) / 250);
  }

  private write(text: string, lines: number, credit: number, after?: () => void) {
    const size = text.length;
    const now = this.hooks.now();
    this.recentChars = this.recent(now) + size;
    this.recentAt = now;
    this.inFlight += size;
    this.inFlightLines += lines;
    this.terminal.write(text, () => {
      this.drawn += lines;
      this.inFlight -= size;
      this.inFlightLines -= lines;
      after?.();
      this.giveCredit(credit);
      this.updateGate();
      // More to write, or a held redraw to release.
      if (this.head < this.queue.length || this.syncOn) this.wake();
    });
  }

  private giveCredit(lines: number) {
    this.heldCredit += lines;
    if (this.gateOpen && this.heldCredit > 0) {
      const credit = this.heldCredit;
      this.heldCredit = 0;
      this.hooks.credit(credit);
    }
  }

  private updateGate() {
    const pending = this.pendingChars;
    if (this.gateOpen && pending > this.options.highWaterChars) this.gateOpen = false;
    else if (!this.gateOpen && pending < this.options.lowWaterChars) {
      this.gateOpen = true;
      this.giveCredit(0);
    }
  }
}
