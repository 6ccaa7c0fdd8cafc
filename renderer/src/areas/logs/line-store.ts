/**
 * A pane's bounded memory of the lines it received, oldest first.
 *
 * Filters, timestamps and wrap are re-applied to lines already received by re-rendering from
 * here, so it keeps each line as it arrived (the full message, never the display cut). Past
 * `capacity` the oldest lines go; they stay reachable from the cache (`logs:query`).
 */
import type { LogLevel } from '../../../../shared/model/ops';

/**
 * One line as a pane keeps it: small on purpose (one object and the message string), because a
 * pane holds tens of thousands and a burst moves them through the young generation of the GC.
 * The entry's other fields are either the pane's (target) or recoverable (time, source name).
 */
export interface StoredLine {
  /** Arrival order within the pane, from 1; survives eviction so positions can be compared. */
  seq: number;
  /** The entry's time as epoch milliseconds (unparseable times count as arrival time). */
  tsMs: number;
  /** Index of the line's source in the pane's source list (its colour, prefix and name). */
  source: number;
  /** The entry's level, or the one read from the message; null when neither says. */
  level: LogLevel | null;
  /** The whole message, as received (never the display cut). */
  message: string;
}

export class LineStore {
  private ring: (StoredLine | undefined)[];
  private start = 0;
  private count = 0;
  private nextSeq = 1;

  constructor(private limit: number) {
    this.ring = new Array<StoredLine | undefined>(limit);
  }

  get capacity(): number {
    return this.limit;
  }

  get size(): number {
    return this.count;
  }

  /** The sequence number the next stored line will get. */
  get upcomingSeq(): number {
    return this.nextSeq;
  }

  push(line: Omit<StoredLine, 'seq'>): StoredLine {
    const stored = line as StoredLine;
    stored.seq = this.nextSeq++;
    if (this.count < this.limit) {
      this.ring[(this.start + this.count) % this.limit] = stored;
      this.count++;
    } else {
      this.ring[this.start] = stored;
      this.start = (this.start + 1) % this.limit;
    }
    return stored;
  }

  /** The i-th line from the oldest kept. */
  at(index: number): StoredLine | undefined {
    if (index < 0 || index >= this.count) return undefined;
    return this.ring[(this.start + index) % this.limit];
  }

  oldest(): StoredLine | undefined {
    return this.at(0);
  }

  newest(): StoredLine | undefined {
    return this.at(this.count - 1);
  }

  /** Index of the line with `seq`, or -1 when it was evicted (or never stored). */
  indexOfSeq(seq: number): number {
    const first = this.oldest();
    if (!first) return -1;
    const index = seq - first.seq;
    return index >= 0 && index < this.count ? index : -1;
  }

  /** Lines from `index` (oldest first) to the newest. */
  *from(index = 0): IterableIterator<StoredLine> {
    for (let i = Math.max(0, index); i < this.count; i++) yield this.ring[(this.start + i) % this.limit]!;
  }

  clear(): void {
    this.ring = new Array<StoredLine | undefined>(this.limit);
    this.start = 0;
    this.count = 0;
  }

  /** A new bound; shrinking keeps the newest lines. */
  resize(limit: number): void {
    if (limit === this.limit) return;
    const kept = [...this.from(Math.max(0, this.count - limit))];
    this.limit = limit;
    this.ring = new Array<StoredLine | undefined>(limit);
    this.start = 0;
    this.count = kept.length;
    kept.forEach((line, i) => (this.ring[i] = line));
  }
}
