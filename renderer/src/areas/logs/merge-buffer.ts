/**
 * Orders lines from several sources by time before a pane shows them.
 *
 * Each source's lines arrive in order, but sources arrive independently: a line stamped
 * 10:00:00.120 from one container can reach us after one stamped 10:00:00.180 from another.
 * Lines are held for `holdMs` after they arrive, then released sorted by timestamp (arrival
 * order breaks ties, so whole-second timestamps from podman keep each source's order). A
 * line that turns up more than `holdMs` late is shown where it arrives rather than delayed
 * further. With a single source nothing needs ordering and lines pass straight through.
 */

export interface Timed {
  tsMs: number;
}

interface Held<T> {
  item: T;
  arrived: number;
  order: number;
}

export class MergeBuffer<T extends Timed> {
  private held: Held<T>[] = [];
  private order = 0;

  constructor(private readonly holdMs: number) {}

  get size(): number {
    return this.held.length;
  }

  push(items: readonly T[], now: number): void {
    for (const item of items) this.held.push({ item, arrived: now, order: this.order++ });
  }

  /** Lines held long enough, in time order; `all` empties the buffer (pause, dispose). */
  release(now: number, all = false): T[] {
    if (!this.held.length) return [];
    const cutoff = now - this.holdMs;
    let ripe: Held<T>[];
    if (all || this.held[this.held.length - 1]!.arrived <= cutoff) {
      ripe = this.held;
      this.held = [];
    } else {
      // Arrival times only grow, so the ripe lines are a prefix.
      let split = 0;
      while (split < this.held.length && this.held[split]!.arrived <= cutoff) split++;
      if (split === 0) return [];
      ripe = this.held.slice(0, split);
      this.held = this.held.slice(split);
    }
    if (!isSorted(ripe)) ripe.sort((a, b) => a.item.tsMs - b.item.tsMs || a.order - b.order);
    return ripe.map((held) => held.item);
  }

  /** When the oldest held line becomes ripe, so a caller can sleep until then. */
  nextRelease(): number | undefined {
    return this.held.length ? this.held[0]!.arrived + this.holdMs : undefined;
  }
}

function isSorted<T extends Timed>(held: Held<T>[]): boolean {
  for (let i = 1; i < held.length; i++) if (held[i]!.item.tsMs < held[i - 1]!.item.tsMs) return false;
  return true;
}
