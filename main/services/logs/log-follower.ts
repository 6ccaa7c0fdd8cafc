/**
 * One `logs:follow` subscription: its sources, merged into one event stream, with flow control.
 *
 * Lines are batched: a batch goes out 16 ms after its first line, or as soon as 64 KB are
 * waiting, whichever comes first. The renderer hands back credit with `logs:ack` for the lines it
 * has drawn. Lines sent and not yet acknowledged are counted; at the high watermark no further
 * batch is sent and every source is paused (the Docker response itself stops being read, so the
 * backpressure reaches the engine); under the low watermark they resume. Nothing is dropped and
 * nothing grows without bound: what is held here is at most what was already in flight when the
 * sources were paused.
 */
import type { LogBatch, LogBatchSource, LogEntry, LogFollowEvent, SourceState } from '../../../shared/model/logs';
import { isoToMs } from '../../../shared/iso-time';
import { systemClock, type Clock, type Timer } from '../../../node/clock';
import type { LogSource, LogSourceEvents } from './log-source';

export interface FlowOptions {
  /** Unacknowledged lines at which sending stops and the sources are paused. */
  highWater: number;
  /** Unacknowledged lines under which the sources resume. */
  lowWater: number;
  batchMs: number;
  batchBytes: number;
}

export const DEFAULT_FLOW: FlowOptions = { highWater: 20_000, lowWater: 5_000, batchMs: 16, batchBytes: 64 * 1024 };

/** What a line costs in a batch besides its text: the other fields and the JSON around them. */
const ENTRY_OVERHEAD = 100;

export type SourceFactory = (key: string, events: LogSourceEvents) => LogSource;

export class LogFollower {
  private readonly sources: LogSource[] = [];
  /** Lines received and not sent yet; `head` is the first unsent one (no O(n) shift per batch). */
  private pending: LogEntry[] = [];
  private head = 0;
  private pendingBytes = 0;
  private unacked = 0;
  private paused = false;
  private stopped = false;
  private timer: Timer | undefined;

  constructor(
    readonly id: string,
    private readonly keys: readonly string[],
    private readonly makeSource: SourceFactory,
    private readonly emit: (event: LogFollowEvent) => void,
    private readonly flow: FlowOptions = DEFAULT_FLOW,
    /** Sees every line as it arrives, before flow control (the offline cache). */
    private readonly onLines?: (source: string, entries: LogEntry[]) => void,
    /** Times the batches (and stands in for a line's missing time). */
    private readonly clock: Clock = systemClock,
  ) {}

  start(): void {
    this.emit({ type: 'started', followId: this.id });
    for (const key of this.keys) {
      const source = this.makeSource(key, {
        lines: (entries) => this.receive(key, entries),
        state: (state, reason) => this.sourceState(key, state, reason),
      });
      this.sources.push(source);
    }
    for (const source of this.sources) source.start();
  }

  /** Credit back for `lines` lines the renderer has handled. */
  ack(lines: number): void {
    if (this.stopped) return;
    this.unacked = Math.max(0, this.unacked - lines);
    if (this.pendingCount() > 0) this.flush();
    if (this.paused && this.unacked <= this.flow.lowWater && this.pendingCount() === 0) {
      this.paused = false;
      for (const source of this.sources) source.resume();
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
    this.head = 0;
    for (const source of this.sources) source.stop();
  }

  /**
   * Ends every source for a reason of the target's (it was deleted): each gets a last "ended"
   * state, after the lines it already sent. The subscription itself stays until unsubscribed.
   */
  end(reason: string): void {
    if (this.stopped) return;
    if (this.pendingCount() > 0 && this.unacked < this.flow.highWater) this.flush();
    for (const key of this.keys) this.emit({ type: 'source', source: key, state: 'ended', reason });
    this.stop();
  }

  /** For tests and diagnostics. */
  get unacknowledged(): number {
    return this.unacked;
  }

  /** Lines received and not sent yet. */
  get held(): number {
    return this.pendingCount();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  private pendingCount(): number {
    return this.pending.length - this.head;
  }

  private receive(key: string, entries: LogEntry[]): void {
    if (this.stopped || !entries.length) return;
    this.onLines?.(key, entries);
    for (const entry of entries) {
      this.pending.push(entry);
      this.pendingBytes += entry.message.length + ENTRY_OVERHEAD;
    }
    if (!this.paused && this.unacked + this.pendingCount() >= this.flow.highWater) this.pauseSources();
    if (this.pendingBytes >= this.flow.batchBytes) this.flush();
    else this.timer ??= this.clock.setTimeout(() => this.flush(), this.flow.batchMs);
  }

  private flush(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    while (this.pendingCount() > 0 && !this.stopped) {
      if (this.unacked >= this.flow.highWater) {
        this.pauseSources();
        return;
      }
      const start = this.head;
      let bytes = 0;
      while (this.head < this.pending.length) {
        const cost = this.pending[this.head]!.message.length + ENTRY_OVERHEAD;
        // At least one line per batch, however long; otherwise stop before 64 KB.
        if (this.head > start && bytes + cost > this.flow.batchBytes) break;
        bytes += cost;
        this.head++;
      }
      const lines = this.pending.slice(start, this.head);
      this.pendingBytes -= bytes;
      if (this.head === this.pending.length) {
        this.pending = [];
        this.head = 0;
        this.pendingBytes = 0;
      } else if (this.head > 4096 && this.head * 2 > this.pending.length) {
        this.pending = this.pending.slice(this.head);
        this.head = 0;
      }
      this.unacked += lines.length;
      this.emit(toBatch(lines, this.clock));
    }
    if (this.unacked >= this.flow.highWater) this.pauseSources();
  }

  private pauseSources() {
    if (this.paused) return;
    this.paused = true;
    for (const source of this.sources) source.pause();
  }

  private sourceState(key: string, state: SourceState, reason?: string) {
    if (this.stopped) return;
    // A state change is sent after the lines that came before it, so the pane shows them in order.
    if (this.pendingCount() > 0 && this.unacked < this.flow.highWater) this.flush();
    this.emit({ type: 'source', source: key, state, ...(reason ? { reason } : {}) });
  }
}

/** Entries as a `lines` event: each source's shared fields once, each line a tuple. */
export function toBatch(entries: readonly LogEntry[], clock: Clock = systemClock): LogBatch {
  const sources: LogBatchSource[] = [];
  const lines: LogBatch['lines'] = new Array(entries.length);
  let last: LogEntry | undefined;
  let index = -1;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    // Lines come in runs from one source: look the source up only when it changes.
    if (!last || entry.container !== last.container || entry.service !== last.service || entry.target !== last.target) {
      index = sources.findIndex(
        (s) => s.container === entry.container && s.service === entry.service && s.target === entry.target,
      );
      if (index < 0)
        index = sources.push({ target: entry.target, service: entry.service, container: entry.container }) - 1;
      last = entry;
    }
    const ms = isoToMs(entry.ts);
    lines[i] = [index, Number.isFinite(ms) ? ms : clock.now(), entry.stream, entry.level, entry.message];
  }
  return { type: 'lines', sources, lines };
}
