/**
 * What tests and the benchmark read from a pane's terminal element (`element.logPane`, set by
 * pane-session.ts). Plain types without the DOM, so the Node-side tests import them as they are.
 */
export interface PaneInspection {
  /** The terminal's buffer, one string per row, trailing blank rows dropped. */
  text(): string[];
  /** What is selected in the terminal. */
  selection(): string;
  stats(): {
    received: number;
    stored: number;
    written: number;
    /** Lines xterm has parsed (called back for), and lines skipped unseen. */
    drawn: number;
    /** Of those, lines never written: newer ones would have pushed them out of the buffer unseen. */
    skipped: number;
    cols: number;
    rows: number;
    /** First buffer row in view, and the one the view rests on when following. */
    viewportY: number;
    baseY: number;
    pendingLines: number;
    acked: number;
    maxFrameMs: number;
    cursorX: number;
    cursorY: number;
    /** Terminal modes a hostile line would try to flip (mouse tracking, insert, origin, wrap…). */
    modes: Record<string, boolean | string>;
    alternateScreen: boolean;
    title: string | undefined;
    renderer: 'webgl' | 'dom';
    /** Times xterm redrew rows. */
    renders: number;
  };
}
