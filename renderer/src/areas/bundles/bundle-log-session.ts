/**
 * A bundle's logs in a read-only terminal session (read-only-session.ts: the log pane's
 * terminal, its search, the WebGL choice, the fit), drawn with the pane's line format (time, coloured source,
 * level colours, hostile bytes neutralized). Pages read with `bundles:logs` are written as they
 * arrive; a new filter clears the screen and starts again.
 */
import type { LogEntry } from '../../../../shared/model/logs';
import { formatLine, padLabels } from '../logs/line-format';
import { ReadOnlyTerminalSession, type TerminalSearchResult } from '../logs/read-only-session';
import { terminalText } from '../logs/terminal-setup';
import type { BundleTerminalInspection } from './bundle-terminal-inspection';

/** Lines the view keeps; the bundle has them all (the count says how many were not shown). */
export const BUNDLE_LOG_SCROLLBACK = 50_000;

export interface BundleLogSnapshot {
  search?: TerminalSearchResult;
  lines: number;
}

export class BundleLogSession extends ReadOnlyTerminalSession<BundleLogSnapshot> {
  private labels: string[] = [];
  private sourceIndex = new Map<string, number>();
  private written = 0;

  constructor(host: HTMLElement, copyText: (text: string) => Promise<void>) {
    super(host, { scrollback: BUNDLE_LOG_SCROLLBACK }, copyText, { lines: 0 });
    const inspection: BundleTerminalInspection = { text: () => terminalText(this.terminal), lines: () => this.written };
    Object.defineProperty(host, 'bundleTerminal', { value: inspection, configurable: true });
  }

  /** Clears the screen for a new listing; `sources` fixes each source's colour and label width. */
  reset(sources: readonly string[]) {
    if (this.disposed) return;
    this.labels = padLabels(sources);
    this.sourceIndex = new Map(sources.map((source, index) => [source, index]));
    this.written = 0;
    this.clearSearch();
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

  protected takeSnapshot(): BundleLogSnapshot {
    return { lines: this.written, ...(this.searchResult ? { search: this.searchResult } : {}) };
  }
}
