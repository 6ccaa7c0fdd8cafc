/**
 * A read-only terminal session outside React, as the run viewer (areas/runbooks/
 * run-terminal-session.ts) and a bundle's Logs tab (areas/bundles/bundle-log-session.ts) both
 * keep one: the terminal of terminal-setup.ts with its renderer, reading keys and fit to the
 * host, the search and its result count, and a snapshot React reads with
 * `useSyncExternalStore`. A subclass feeds the terminal and says what its snapshot holds.
 */
import type { IDisposable, ITerminalOptions, Terminal } from '@xterm/xterm';
import type { FitAddon } from '@xterm/addon-fit';
import type { SearchAddon } from '@xterm/addon-search';
import type { WebglAddon } from '@xterm/addon-webgl';
import {
  findInTerminal,
  loadWebglRenderer,
  openReadOnlyTerminal,
  readOnlyKeyHandler,
  type TerminalSearchOptions,
} from './terminal-setup';

/** The search's place among its matches (index -1 when there are none). */
export interface TerminalSearchResult {
  index: number;
  count: number;
}

export abstract class ReadOnlyTerminalSession<Snapshot> {
  protected readonly terminal: Terminal;
  /** Disposed with the terminal, in order, before it. */
  protected readonly disposables: IDisposable[];
  protected disposed = false;
  /** The search's result, undefined while nothing is searched. */
  protected searchResult: TerminalSearchResult | undefined;
  private readonly fit: FitAddon;
  private readonly searchAddon: SearchAddon;
  private webgl: WebglAddon | undefined;
  private readonly resizeObserver: ResizeObserver;
  private resizeTimer: ReturnType<typeof setTimeout> | undefined;
  private snapshot: Snapshot;
  private readonly listeners = new Set<() => void>();

  /** Does not publish: a subclass's fields are not set yet while this runs. */
  protected constructor(
    host: HTMLElement,
    options: ITerminalOptions & { scrollback: number },
    copyText: (text: string) => Promise<void>,
    initial: Snapshot,
  ) {
    this.snapshot = initial;
    ({
      terminal: this.terminal,
      fit: this.fit,
      searchAddon: this.searchAddon,
      disposables: this.disposables,
    } = openReadOnlyTerminal(host, options, () => this.disposed));
    // The log pane's choice: WebGL on a GPU, xterm's DOM renderer on a software rasterizer.
    this.webgl = loadWebglRenderer(this.terminal, () => (this.webgl = undefined));
    this.terminal.attachCustomKeyEventHandler(readOnlyKeyHandler(this.terminal, copyText));
    this.disposables.push(
      this.searchAddon.onDidChangeResults(({ resultIndex, resultCount }) => {
        this.searchResult = { index: resultIndex, count: resultCount };
        this.publish();
      }),
    );
    this.resizeObserver = new ResizeObserver(() => {
      clearTimeout(this.resizeTimer);
      this.resizeTimer = setTimeout(() => this.fitNow(), 50);
    });
    this.resizeObserver.observe(host);
    this.fitNow();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): Snapshot => this.snapshot;

  search(term: string, options: TerminalSearchOptions, backwards = false): boolean {
    if (!term) {
      this.clearSearch();
      return false;
    }
    const found = findInTerminal(this.searchAddon, term, options, backwards);
    if (!found) this.searchResult = { index: -1, count: 0 };
    this.publish();
    return found;
  }

  clearSearch() {
    this.searchAddon.clearDecorations();
    this.searchResult = undefined;
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

  /** The snapshot of the session as it is now. */
  protected abstract takeSnapshot(): Snapshot;

  /** Takes a new snapshot and tells React; a subclass may batch the calls (one a frame). */
  protected publish() {
    if (this.disposed) return;
    this.snapshot = this.takeSnapshot();
    for (const listener of this.listeners) listener();
  }

  private fitNow() {
    if (this.disposed) return;
    try {
      this.fit.fit();
    } catch {
      // not laid out yet
    }
  }
}
