/**
 * Skips lines already seen when a log is read again from a point in time.
 *
 * Docker's `since` takes whole seconds here (and podman stamps lines with whole seconds), so a
 * re-read starts at the second of the last line seen and repeats every line of that second.
 * Lines older than that second are skipped; lines of that very second are skipped as often as
 * they were seen before (a multiset of their stream and text), so a line that legitimately repeats
 * within the second still comes through once more. The first newer line ends the replay.
 *
 * A first read with a tail can start in the middle of a second: the re-read then also brings the
 * lines of that second from before the tail. For a live pane those are older than what it shows
 * (`skipUnseenBefore`): lines of the boundary second are skipped until one that was seen comes.
 *
 * Main's log sources and the renderer's panes (a renewed follow, or live lines after cached
 * ones) both skip repeats with this one gate, one per source.
 */
import type { LogEntry } from './model/logs';

/** Enough for a burst; a second with more lines than this can repeat a few at a restart. */
const MAX_REMEMBERED = 50_000;
/** Longer messages are remembered by their key (length and head), not kept whole. */
const KEY_HEAD = 256;

/** What tells two lines of one instant apart; a caller that does not know the stream leaves it out. */
export type DedupeLine = Pick<LogEntry, 'message'> & { stream?: LogEntry['stream'] };

export function dedupeKey(entry: DedupeLine): string {
  const { message } = entry;
  return `${entry.stream ?? ''}\u0000${message.length}\u0000${message.length > KEY_HEAD ? message.slice(0, KEY_HEAD) : message}`;
}

export class BoundaryDedupe {
  private lastTs = Number.NEGATIVE_INFINITY;
  /**
   * The lines of the newest instant, as they came. Keys are built only when a re-read is armed:
   * a live stream passes every line through here, and a restart is rare.
   */
  private seen: (DedupeLine | string)[] = [];
  private replay: Map<string, number> | null = null;
  private matched = false;
  /** Messages longer than this are remembered by key (see `keepLines`). */
  private readonly keyHead: number;

  constructor(
    private readonly options: {
      /** False for a one-off gate (the cache's) that never re-arms. */
      record?: boolean;
      /** Skip lines of the boundary second that come before the first one seen (see above). */
      skipUnseenBefore?: boolean;
      /**
       * The caller keeps every line anyway (the renderer's line store): remember the lines
       * themselves, so a burst of long ones builds no key per line.
       */
      keepLines?: boolean;
    } = {},
  ) {
    this.keyHead = options.keepLines ? Number.POSITIVE_INFINITY : KEY_HEAD;
  }

  /** The newest second already seen, and its lines: what a re-read will repeat. */
  seed(tsMs: number, lines: Iterable<DedupeLine>): void {
    this.lastTs = tsMs;
    this.seen = [...lines];
    this.arm();
  }

  /** A re-read from `lastTs` is about to start. */
  arm(): void {
    if (this.lastTs !== Number.NEGATIVE_INFINITY) {
      const replay = new Map<string, number>();
      for (const line of this.seen) {
        const key = typeof line === 'string' ? line : dedupeKey(line);
        replay.set(key, (replay.get(key) ?? 0) + 1);
      }
      this.replay = replay;
    }
    this.matched = false;
  }

  /** True while a re-read is still repeating lines already seen. */
  get replaying(): boolean {
    return this.replay !== null;
  }

  get lastTimestamp(): number | null {
    return this.lastTs === Number.NEGATIVE_INFINITY ? null : this.lastTs;
  }

  /** True when the line is new. */
  accept(tsMs: number, line: DedupeLine): boolean {
    if (this.replay) {
      if (tsMs < this.lastTs) return false;
      if (tsMs === this.lastTs) {
        const key = dedupeKey(line);
        const count = this.replay.get(key) ?? 0;
        if (count > 0) {
          this.replay.set(key, count - 1);
          this.matched = true;
          return false;
        }
        if (!this.matched && this.options.skipUnseenBefore) return false;
      } else {
        this.replay = null;
      }
    }
    if (this.options.record === false) return true;
    if (tsMs > this.lastTs) {
      this.lastTs = tsMs;
      // Emptied in place: a burst moves to a new instant every millisecond or so.
      this.seen.length = 0;
    }
    if (tsMs === this.lastTs && this.seen.length < MAX_REMEMBERED)
      this.seen.push(line.message.length > this.keyHead ? dedupeKey(line) : line);
    return true;
  }
}
