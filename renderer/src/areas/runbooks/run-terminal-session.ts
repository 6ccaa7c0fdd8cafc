/**
 * The run viewer's terminal, outside React: the log pane's read-only xterm (terminal-setup.ts:
 * theme, font, search, the parse slicer, the selection-redraw shim, the WebGL choice) and its
 * terminal feed, fed with a run's events instead of a container's lines.
 *
 * Events go through a `RunEventCursor` (run-event-cursor.ts): each is written once, in sequence
 * order, whatever the stream repeats or skips.
 */
import type { IDisposable, Terminal } from '@xterm/xterm';
import type { FitAddon } from '@xterm/addon-fit';
import type { SearchAddon } from '@xterm/addon-search';
import type { WebglAddon } from '@xterm/addon-webgl';
import type { RunEvent } from '../../../../shared/model/runbook';
import { LineStore } from '../logs/line-store';
import { DEFAULT_FEED_OPTIONS, TerminalFeed } from '../logs/terminal-feed';
import { YIELD_SEQUENCE } from '../logs/parse-slicer';
import {
  findInTerminal,
  loadWebglRenderer,
  openReadOnlyTerminal,
  readOnlyKeyHandler,
  terminalText,
  type TerminalSearchOptions,
} from '../logs/terminal-setup';
import { RunEventCursor, type GapFiller } from './run-event-cursor';
import { eventLine, formatEventLine, plainEventLine, type EventLine } from './run-event-format';

/** Lines the viewer keeps (a step may print far more; the run store has them all). */
const SCROLLBACK = 50_000;

export interface RunTerminalSnapshot {
  search?: { index: number; count: number };
  /** The newest event written (the cursor a renewed subscription starts after). */
  lastSeq: number;
  lines: number;
}

/** What the E2E tests read from the terminal's element (`element.runTerminal`). */
export interface RunTerminalInspection {
  text(): string[];
  lastSeq(): number;
  /** Sequence numbers written more than once: always empty. */
  repeats(): number[];
  drawn(): number;
  pending(): number;
}

export class RunTerminalSession {
  private readonly terminal: Terminal;
  private readonly fit: FitAddon;
  private readonly searchAddon: SearchAddon;
  private webgl: WebglAddon | undefined;
  private readonly disposables: IDisposable[];
  private readonly store = new LineStore(SCROLLBACK);
  private readonly feed: TerminalFeed;
  private readonly resizeObserver: ResizeObserver;
  private resizeTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  private readonly cursor: RunEventCursor;
  private readonly repeats: number[] = [];
  private readonly seen = new Set<number>();
  private searchState: RunTerminalSnapshot['search'];
  private snapshot: RunTerminalSnapshot = { lastSeq: 0, lines: 0 };
  private readonly listeners = new Set<() => void>();
  private publishQueued = false;

  constructor(host: HTMLElement, fillGap: GapFiller, copyText: (text: string) => Promise<void>) {
    this.cursor = new RunEventCursor((event) => this.write(event), fillGap);
    ({
      terminal: this.terminal,
      fit: this.fit,
      searchAddon: this.searchAddon,
      disposables: this.disposables,
    } = openReadOnlyTerminal(host, { scrollback: SCROLLBACK }, () => this.disposed));
    // The log pane's choice: WebGL on a GPU, xterm's DOM renderer on a software rasterizer.
    this.webgl = loadWebglRenderer(this.terminal, () => (this.webgl = undefined));
    this.terminal.attachCustomKeyEventHandler(readOnlyKeyHandler(this.terminal, copyText));
    this.disposables.push(
      this.searchAddon.onDidChangeResults(({ resultIndex, resultCount }) => {
        this.searchState = { index: resultIndex, count: resultCount };
        this.publish();
      }),
    );
    this.feed = new TerminalFeed(
      this.terminal,
      {
        format: (line) => formatEventLine(line as EventLine),
        // Run events need no acknowledgement: the run store keeps them, the stream sends them once.
        credit: () => undefined,
        schedule: (frame) => requestAnimationFrame(frame),
        now: () => performance.now(),
      },
      { ...DEFAULT_FEED_OPTIONS, chunkPrefix: YIELD_SEQUENCE },
    );
    this.resizeObserver = new ResizeObserver(() => {
      clearTimeout(this.resizeTimer);
      this.resizeTimer = setTimeout(() => this.fitNow(), 50);
    });
    this.resizeObserver.observe(host);
    this.fitNow();
    const inspection: RunTerminalInspection = {
      text: () => terminalText(this.terminal),
      lastSeq: () => this.lastSeq,
      repeats: () => [...this.repeats],
      drawn: () => this.feed.drawn,
      pending: () => this.feed.pendingLines,
    };
    Object.defineProperty(host, 'runTerminal', { value: inspection, configurable: true });
  }

  // ── React side ────────────────────────────────────────────────────────────────────────────

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): RunTerminalSnapshot => this.snapshot;

  /** The newest sequence number written: where a renewed subscription starts. */
  get lastSeq(): number {
    return this.cursor.lastSeq;
  }

  /** Events from the stream, in any order and with repeats: each is written once, in order. */
  receive(events: readonly RunEvent[]) {
    if (this.disposed) return;
    this.cursor.receive(events);
    this.publish();
  }

  search(term: string, options: TerminalSearchOptions, backwards = false): boolean {
    if (!term) {
      this.clearSearch();
      return false;
    }
    const found = findInTerminal(this.searchAddon, term, options, backwards);
    if (!found) this.searchState = { index: -1, count: 0 };
    this.publish();
    return found;
  }

  clearSearch() {
    this.searchAddon.clearDecorations();
    this.searchState = undefined;
    this.publish();
  }

  focus() {
    this.terminal.focus();
  }

  /** Every line received, as a text file's lines (the download of the event stream). */
  text(): string {
    const parts: string[] = [];
    for (const line of this.store.from()) parts.push(plainEventLine(line as EventLine));
    return parts.join('');
  }

  dispose() {
    this.disposed = true;
    this.cursor.stop();
    clearTimeout(this.resizeTimer);
    this.resizeObserver.disconnect();
    this.feed.dispose();
    for (const disposable of this.disposables) disposable.dispose();
    this.webgl?.dispose();
    this.terminal.dispose();
    this.listeners.clear();
  }

  // ── events ────────────────────────────────────────────────────────────────────────────────

  private write(event: RunEvent) {
    // Kept for the E2E tests: the cursor promises this stays empty.
    if (this.seen.has(event.seq)) this.repeats.push(event.seq);
    this.seen.add(event.seq);
    const line = this.store.push(eventLine(event));
    this.feed.push(line, false);
    this.publish();
  }

  // ── terminal ──────────────────────────────────────────────────────────────────────────────

  private fitNow() {
    if (this.disposed) return;
    try {
      this.fit.fit();
    } catch {
      // not laid out yet
    }
  }

  private publish() {
    if (this.publishQueued || this.disposed) return;
    this.publishQueued = true;
    requestAnimationFrame(() => {
      this.publishQueued = false;
      if (this.disposed) return;
      this.snapshot = {
        lastSeq: this.lastSeq,
        lines: this.store.size,
        ...(this.searchState ? { search: this.searchState } : {}),
      };
      for (const listener of this.listeners) listener();
    });
  }
}
