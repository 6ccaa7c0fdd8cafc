/**
 * The run viewer's terminal, outside React: the log pane's xterm set-up (theme, font, search,
 * the parse slicer, the selection-redraw shim, the WebGL choice) and its terminal feed, fed
 * with a run's events instead of a container's lines.
 *
 * Events go through a `RunEventCursor` (run-event-cursor.ts): each is written once, in sequence
 * order, whatever the stream repeats or skips.
 */
import { Terminal, type IDisposable } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon, type ISearchOptions } from '@xterm/addon-search';
import { WebglAddon } from '@xterm/addon-webgl';
import type { RunEvent } from '../../../../shared/model/runbook';
import { LineStore } from '../logs/line-store';
import { DEFAULT_FEED_OPTIONS, TerminalFeed } from '../logs/terminal-feed';
import { sliceParsing, YIELD_SEQUENCE } from '../logs/parse-slicer';
import { skipEmptySelectionRedraws } from '../logs/selection-redraw';
import {
  loadControlPictures,
  readRendererChoice,
  softwareWebgl,
  TERMINAL_FONT_FAMILY,
  THEME,
} from '../logs/pane-session';
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
  private readonly fit = new FitAddon();
  private readonly searchAddon = new SearchAddon({ highlightLimit: 2000 });
  private webgl: WebglAddon | undefined;
  private readonly disposables: IDisposable[] = [];
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

  constructor(
    host: HTMLElement,
    fillGap: GapFiller,
    private readonly copyText: (text: string) => Promise<void>,
  ) {
    this.cursor = new RunEventCursor((event) => this.write(event), fillGap);
    this.terminal = new Terminal({
      allowProposedApi: true, // the search addon's match decorations
      disableStdin: true,
      cursorBlink: false,
      cursorInactiveStyle: 'none',
      scrollback: SCROLLBACK,
      fontFamily: TERMINAL_FONT_FAMILY,
      fontSize: 12,
      lineHeight: 1.2,
      theme: THEME,
      minimumContrastRatio: 1,
      scrollOnUserInput: false,
      smoothScrollDuration: 0,
      logLevel: 'off',
    });
    this.terminal.loadAddon(this.fit);
    this.terminal.loadAddon(this.searchAddon);
    this.terminal.open(host);
    skipEmptySelectionRedraws(this.terminal);
    this.loadWebgl();
    this.terminal.write('\x1b[?25l'); // no cursor: nobody types here
    void loadControlPictures().then(() => {
      if (this.disposed) return;
      this.terminal.clearTextureAtlas();
      this.terminal.refresh(0, this.terminal.rows - 1);
    });
    this.terminal.attachCustomKeyEventHandler((event) => this.onKey(event));
    this.disposables.push(
      this.searchAddon.onDidChangeResults(({ resultIndex, resultCount }) => {
        this.searchState = { index: resultIndex, count: resultCount };
        this.publish();
      }),
      sliceParsing(this.terminal),
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
      text: () => {
        const buffer = this.terminal.buffer.active;
        const rows: string[] = [];
        for (let i = 0; i < buffer.length; i++) rows.push(buffer.getLine(i)?.translateToString(true) ?? '');
        while (rows.length && rows[rows.length - 1] === '') rows.pop();
        return rows;
      },
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

  search(term: string, options: { regex: boolean; caseSensitive: boolean }, backwards = false): boolean {
    if (!term) {
      this.clearSearch();
      return false;
    }
    const searchOptions: ISearchOptions = {
      regex: options.regex,
      caseSensitive: options.caseSensitive,
      decorations: {
        matchBackground: '#3a3320',
        matchBorder: '#6b5a2a',
        matchOverviewRuler: '#e7a740',
        activeMatchBackground: '#8a6a1f',
        activeMatchBorder: '#e7a740',
        activeMatchColorOverviewRuler: '#f3cf8f',
      },
    };
    try {
      const found = backwards
        ? this.searchAddon.findPrevious(term, searchOptions)
        : this.searchAddon.findNext(term, searchOptions);
      if (!found) this.searchState = { index: -1, count: 0 };
      this.publish();
      return found;
    } catch {
      // An unfinished regular expression while typing.
      this.searchState = { index: -1, count: 0 };
      this.publish();
      return false;
    }
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

  private loadWebgl() {
    // The log pane's choice: WebGL on a GPU, xterm's DOM renderer on a software rasterizer.
    const choice = readRendererChoice();
    if (choice === 'dom' || (choice !== 'webgl' && softwareWebgl())) return;
    try {
      const webgl = new WebglAddon();
      webgl.onContextLoss(() => {
        webgl.dispose();
        this.webgl = undefined;
      });
      this.terminal.loadAddon(webgl);
      this.webgl = webgl;
    } catch {
      // xterm's DOM renderer draws instead.
    }
  }

  private onKey(event: KeyboardEvent): boolean {
    const mod = event.ctrlKey || event.metaKey;
    if (event.type === 'keydown' && mod && event.key.toLowerCase() === 'c' && this.terminal.hasSelection()) {
      this.copyText(this.terminal.getSelection()).catch(() => undefined);
      return false;
    }
    if (event.type === 'keydown' && !event.altKey) {
      const scroll: Record<string, () => void> = {
        PageUp: () => this.terminal.scrollPages(-1),
        PageDown: () => this.terminal.scrollPages(1),
        ArrowUp: () => this.terminal.scrollLines(-1),
        ArrowDown: () => this.terminal.scrollLines(1),
        Home: () => this.terminal.scrollToTop(),
        End: () => this.terminal.scrollToBottom(),
      };
      const action = scroll[event.key];
      if (action) {
        event.preventDefault();
        action();
        return false;
      }
    }
    // Everything else belongs to the page (Ctrl+F opens the search, Esc goes back).
    return false;
  }

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
