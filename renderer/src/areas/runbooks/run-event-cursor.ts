/**
 * A run viewer's cursor over the event stream: every event is handed on once, in sequence order.
 *
 * Events arrive from the `runs:events` stream, which may repeat some (a renewed subscription
 * resends from the cursor it was opened with) or, across a reconnection, skip some. A repeat (a
 * sequence number at or below the cursor) is dropped. An event past a gap is held while the
 * missing ones are read from the run store (`fill`, the `runs:events` request), so nothing after
 * a gap is written before the gap is.
 */
import type { RunEvent } from '../../../../shared/model/runbook';

/** Reads up to `limit` events after `after` from the run store. */
export type GapFiller = (after: number, limit: number) => Promise<RunEvent[]>;

/** The most events one catch-up read asks for (the channel's own limit). */
const FILL_LIMIT = 50_000;

export class RunEventCursor {
  private last = 0;
  /** Events past a gap, waiting for it to be filled. */
  private held: RunEvent[] = [];
  private filling: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly write: (event: RunEvent) => void,
    private readonly fill: GapFiller,
  ) {}

  /** The newest sequence number handed on: where a renewed subscription should start. */
  get lastSeq(): number {
    return this.last;
  }

  /** Resolves once no gap is being filled (for tests and for callers that want to wait). */
  settled(): Promise<void> {
    return this.filling ?? Promise.resolve();
  }

  receive(events: readonly RunEvent[]): void {
    if (this.stopped) return;
    for (const event of events) {
      if (event.seq <= this.last) continue; // a repeat
      if (event.seq === this.last + 1 && !this.filling) this.pass(event);
      else this.held.push(event);
    }
    this.startFilling();
  }

  /** Stops handing events on (the viewer closed). */
  stop(): void {
    this.stopped = true;
    this.held = [];
  }

  private startFilling() {
    if (this.filling || !this.held.length || this.stopped) return;
    this.filling = this.fillGaps().finally(() => {
      this.filling = undefined;
      this.startFilling();
    });
  }

  private pass(event: RunEvent) {
    this.last = event.seq;
    this.write(event);
  }

  private async fillGaps() {
    try {
      while (this.held.length && !this.stopped) {
        this.held.sort((a, b) => a.seq - b.seq);
        // Hand on what follows the cursor; drop what was handed on meanwhile (a repeat held twice).
        while (this.held.length && this.held[0]!.seq <= this.last + 1) {
          const event = this.held.shift()!;
          if (event.seq === this.last + 1) this.pass(event);
        }
        if (!this.held.length) break;
        const missing = this.held[0]!.seq - this.last - 1;
        const events = await this.fill(this.last, Math.min(missing, FILL_LIMIT));
        if (this.stopped) return;
        const before = this.last;
        for (const event of events) if (event.seq === this.last + 1) this.pass(event);
        // The store has nothing there either: go on rather than wait for what will not come.
        if (this.last === before) this.pass(this.held.shift()!);
      }
    } catch {
      // The store could not be read (main unreachable): hand on what arrived, in order; a
      // renewed subscription after the reconnection starts from the cursor anyway.
      this.held.sort((a, b) => a.seq - b.seq);
      for (const event of this.held.splice(0)) if (event.seq > this.last) this.pass(event);
    }
  }
}
