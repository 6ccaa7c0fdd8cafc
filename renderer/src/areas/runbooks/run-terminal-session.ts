/**
 * The run viewer's terminal, outside React: a read-only terminal session (read-only-session.ts:
 * the log pane's terminal, its search, the WebGL choice, the fit) and the pane's terminal feed,
 * fed with a run's events instead of a container's lines.
 *
 * Events go through a `RunEventCursor` (run-event-cursor.ts): each is written once, in sequence
 * order, whatever the stream repeats or skips.
 */
import type { RunEvent } from '../../../../shared/model/runbook';
import { LineStore } from '../logs/line-store';
import { DEFAULT_FEED_OPTIONS, TerminalFeed } from '../logs/terminal-feed';
import { YIELD_SEQUENCE } from '../logs/parse-slicer';
import { ReadOnlyTerminalSession, type TerminalSearchResult } from '../logs/read-only-session';
import { terminalText } from '../logs/terminal-setup';
import { RunEventCursor, type GapFiller } from './run-event-cursor';
import { eventLine, formatEventLine, plainEventLine, type EventLine } from './run-event-format';

/** Lines the viewer keeps (a step may print far more; the run store has them all). */
const SCROLLBACK = 50_000;

export interface RunTerminalSnapshot {
  search?: TerminalSearchResult;
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

export class RunTerminalSession extends ReadOnlyTerminalSession<RunTerminalSnapshot> {
  private readonly store = new LineStore(SCROLLBACK);
  private readonly feed: TerminalFeed;
  private readonly cursor: RunEventCursor;
  private readonly repeats: number[] = [];
  private readonly seen = new Set<number>();
  private publishQueued = false;

  constructor(host: HTMLElement, fillGap: GapFiller, copyText: (text: string) => Promise<void>) {
    super(host, { scrollback: SCROLLBACK }, copyText, { lastSeq: 0, lines: 0 });
    this.cursor = new RunEventCursor((event) => this.write(event), fillGap);
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
    this.disposables.push(this.feed);
    const inspection: RunTerminalInspection = {
      text: () => terminalText(this.terminal),
      lastSeq: () => this.lastSeq,
      repeats: () => [...this.repeats],
      drawn: () => this.feed.drawn,
      pending: () => this.feed.pendingLines,
    };
    Object.defineProperty(host, 'runTerminal', { value: inspection, configurable: true });
  }

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

  /** Every line received, as a text file's lines (the download of the event stream). */
  text(): string {
    const parts: string[] = [];
    for (const line of this.store.from()) parts.push(plainEventLine(line as EventLine));
    return parts.join('');
  }

  override dispose() {
    this.cursor.stop();
    super.dispose(); // the feed with the terminal's other disposables
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

  // ── snapshot ──────────────────────────────────────────────────────────────────────────────

  protected takeSnapshot(): RunTerminalSnapshot {
    return {
      lastSeq: this.lastSeq,
      lines: this.store.size,
      ...(this.searchResult ? { search: this.searchResult } : {}),
    };
  }

  /** One snapshot a frame, however many events arrive in it. */
  protected override publish() {
    if (this.publishQueued || this.disposed) return;
    this.publishQueued = true;
    requestAnimationFrame(() => {
      this.publishQueued = false;
      super.publish();
    });
  }
}
