/**
 * A bundle's logs in the log pane's read-only terminal (terminal-setup.ts: theme, font, search,
 * the parse slicer, the WebGL choice), drawn with the pane's line format (time, coloured source,
 * level colours, hostile bytes neutralized). Pages read with `bundles:logs` are written as they
 * arrive; a new filter clears the screen and starts again.
 */
import type { IDisposable, Terminal } from '@xterm/xterm';
import type { FitAddon } from '@xterm/addon-fit';
import type { SearchAddon } from '@xterm/addon-search';
import type { WebglAddon } from '@xterm/addon-webgl';
import type { LogEntry } from '../../../../shared/model/logs';
import { formatLine, padLabels } from '../logs/line-format';
import {
  findInTerminal,
  loadWebglRenderer,
  openReadOnlyTerminal,
  readOnlyKeyHandler,
  terminalText,
  type TerminalSearchOptions,
} from '../logs/terminal-setup';
import type { BundleTerminalInspection } from './bundle-terminal-inspection';

/** Lines the view keeps; the bundle has them all (the count says how many were not shown). */
export const BUNDLE_LOG_SCROLLBACK = 50_000;

export interface BundleLogSnapshot {
  search?: { index: number; count: number };
  lines: number;
}

export class BundleLogSession {
  private readonly terminal: Terminal;
  private readonly fit: FitAddon;
  private readonly searchAddon: SearchAddon;
  private webgl: WebglAddon | undefined;
  private readonly disposables: IDisposable[];
  private readonly resizeObserver: ResizeObserver;
  private resizeTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private labels: string[] = [];
  private sourceIndex = new Map<string, number>();
  private written = 0;
  private searchState: BundleLogSnapshot['search'];
  private snapshot: BundleLogSnapshot = { lines: 0 };
  private readonly listeners = new Set<() => void>();

  constructor(host: HTMLElement, copyText: (text: string) => Promise<void>) {
    ({
      terminal: this.terminal,
      fit: this.fit,
      searchAddon: this.searchAddon,
      disposables: this.disposables,
    } = openReadOnlyTerminal(host, { scrollback: BUNDLE_LOG_SCROLLBACK }, () => this.disposed));
    this.webgl = loadWebglRenderer(this.terminal, () => (this.webgl = undefined));
    this.terminal.attachCustomKeyEventHandler(readOnlyKeyHandler(this.terminal, copyText));
    this.disposables.push(
      this.searchAddon.onDidChangeResults(({ resultIndex, resultCount }) => {
        this.searchState = { index: resultIndex, count: resultCount };
        this.publish();
      }),
    );
    this.resizeObserver = new ResizeObserver(() => {
      clearTimeout(this.resizeTimer);
      this.resizeTimer = setTimeout(() => this.fitNow(), 50);
    });
    this.resizeObserver.observe(host);
    this.fitNow();
    const inspection: BundleTerminalInspection = { text: () => terminalText(this.terminal), lines: () => this.written };
    Object.defineProperty(host, 'bundleTerminal', { value: inspection, configurable: true });
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): BundleLogSnapshot => this.snapshot;

  /** Clears the screen for a new listing; `sources` fixes each source's colour and label width. */
  reset(sources: readonly string[]) {
    if (this.disposed) return;
    this.labels = padLabels(sources);
    this.sourceIndex = new Map(sources.map((source, index) => [source, index]));
    this.written = 0;
    this.searchAddon.clearDecorations();
    this.searchState = undefined;
    this.terminal.reset();
    this.publish();
  }

  /** Writes a page of entries, in the order given. */
  write(entries: readonly LogEntry[]) {
    if (this.disposed || entries.length === 0) return;
    const options = { timestamps: true, labels: this.labels };
    let text = '';
    for (const entry of entries) {
      const tsMs = Date.parse(entry.ts);
      text += formatLine(
        {
          seq: this.written + 1,
          tsMs: Number.isNaN(tsMs) ? 0 : tsMs,
          source: this.sourceIndex.get(entry.container) ?? this.sourceIndex.get(entry.service ?? '') ?? 0,
          level: entry.level,
          message: entry.message,
        },
        options,
      );
      this.written++;
    }
    this.terminal.write(text);
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

  dispose() {
    this.disposed = true;
    clearTimeout(this.resizeTimer);
    this.resizeObserver.disconnect();
    for (const disposable of this.disposables) disposable.dispose();
    this.webgl?.dispose();
    this.terminal.dispose();
    this.listeners.clear();
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
    this.snapshot = { lines: this.written, ...(this.searchState ? { search: this.searchState } : {}) };
    for (const listener of this.listeners) listener();
  }
}
