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
 */
import type { LogEntry } from '../../../shared/model/logs';

/** Enough for a burst; a second with more lines than this can repeat a few at a restart. */
const MAX_REMEMBERED = 50_000;

export function dedupeKey(entry: Pick<LogEntry, 'stream' | 'message'>): string {
  const { message } = entry;
  return `${entry.stream}\u0000${message.length}\u0000${message.length > 256 ? message.slice(0, 256) : message}`;
}

export class BoundaryDedupe {
  private lastTs = Number.NEGATIVE_INFINITY;
  private seen = new Map<string, number>();
  private replay: Map<string, number> | null = null;
  private matched = false;

  constructor(
    private readonly options: {
      /** False for a one-off gate (the cache's) that never re-arms. */
      record?: boolean;
      /** Skip lines of the boundary second that come before the first one seen (see above). */
      skipUnseenBefore?: boolean;
    } = {},
  ) {}

  /** The newest second already seen, and its lines: what a re-read will repeat. */
  seed(tsMs: number, keys: Iterable<string>): void {
    this.lastTs = tsMs;
    this.seen = new Map();
    for (const key of keys) this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
    this.arm();
  }

  /** A re-read from `lastTs` is about to start. */
  arm(): void {
    if (this.lastTs !== Number.NEGATIVE_INFINITY) this.replay = new Map(this.seen);
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
  accept(tsMs: number, key: string): boolean {
    if (this.replay) {
      if (tsMs < this.lastTs) return false;
      if (tsMs === this.lastTs) {
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
      this.seen = new Map();
    }
    if (tsMs === this.lastTs && (this.seen.size < MAX_REMEMBERED || this.seen.has(key)))
      this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
    return true;
  }
}
