/**
 * What a follower needs from anything that produces log lines: start, pause (so backpressure
 * reaches the producer instead of a buffer growing here), resume and stop; lines and state
 * changes come back through `LogSourceEvents`.
 */
import type { LogEntry, SourceState } from '../../../shared/model/logs';

export interface LogSourceEvents {
  /** Lines in the order the source produced them; the array is the receiver's to keep. */
  lines(entries: LogEntry[]): void;
  state(state: SourceState, reason?: string): void;
}

export interface LogSource {
  /** The key the pane asked for: `container:<name>` or `service:<name>`. */
  readonly key: string;
  start(): void;
  pause(): void;
  resume(): void;
  /** Ends the source for good; streams are destroyed on a later tick, never inside their own handlers. */
  stop(): void;
}

export interface SourceStart {
  /** How many recent lines to begin with; undefined means every line since `sinceMs` (or 200 without it). */
  tail?: number | undefined;
  /** Milliseconds since the epoch. */
  sinceMs?: number | undefined;
}

export const DEFAULT_TAIL = 200;

/** Sources are named by key; the key's reading lives in shared/ so the renderer reads it the same way. */
export { parseSourceKey } from '../../../shared/log-source-key';
