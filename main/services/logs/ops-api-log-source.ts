/**
 * Follows one service through a product's ops API: `GET /api/ops/logs` for the recent lines,
 * then a poll every 2 s with `since` = the last line's time. `since` is inclusive, so the lines
 * of that instant come again and are skipped (BoundaryDedupe). The ops API's live events say
 * when a container of the service starts or stops: that triggers a poll at once, so the first
 * lines after a restart do not wait for the next tick.
 *
 * Pausing stops polling (the producer here is our own request), so nothing piles up in memory;
 * on resume the next poll picks up from the last line seen. Stopping aborts a poll in flight.
 * Polls and backoff waits are timed on the Clock it is given.
 */
import { ApiError } from '../../../shared/errors';
import type { LogEntry, SourceState } from '../../../shared/model/logs';
import type { OpsEvent, OpsLogEntry } from '../../../shared/model/ops';
import { detectLogLevel } from '../../../shared/log-level';
import { backoffDelay, type BackoffOptions } from '../../../shared/backoff';
import { parseDockerTime } from '../../../node/docker/docker-time';
import type { OpsApiClient } from '../ops-api/ops-api-client';
import { BoundaryDedupe } from '../../../shared/boundary-dedupe';
import { isoToMs } from '../../../shared/iso-time';
import { isoNow, systemClock, type Clock, type Timer } from '../../../node/clock';
import { DEFAULT_TAIL, type LogSource, type LogSourceEvents, type SourceStart } from './log-source';

export interface OpsApiLogSourceOptions {
  key: string;
  targetId: string;
  /** The service (or container) name the ops API resolves. */
  name: string;
  start: SourceStart;
  events: LogSourceEvents;
  /** Asked for at each poll, so an edited target's new address and token apply. */
  client: () => Pick<OpsApiClient, 'logs'>;
  /** Subscribes to the target's live events; returns the unsubscribe. */
  watchEvents: (listener: (event: OpsEvent) => void) => () => void;
  pollMs?: number;
  /** Lines asked for per poll; a full page means more may be waiting, so the next poll comes at once. */
  pageSize?: number;
  backoff?: BackoffOptions;
  clock?: Clock;
}

const EVENT_DELAY_MS = 150;

export class OpsApiLogSource implements LogSource {
  readonly key: string;
  private stopped = false;
  private paused = false;
  private polling = false;
  private pollAgain = false;
  private polled = false;
  private timer: Timer | undefined;
  /** Aborts the poll in flight when the source stops. */
  private readonly abort = new AbortController();
  private readonly clock: Clock;
  private attempt = 0;
  private state: string | undefined;
  private readonly dedupe = new BoundaryDedupe({ skipUnseenBefore: true });
  private offEvents: (() => void) | undefined;

  constructor(private readonly options: OpsApiLogSourceOptions) {
    this.key = options.key;
    this.clock = options.clock ?? systemClock;
  }

  start(): void {
    this.offEvents = this.options.watchEvents((event) => {
      if (event.type !== 'container') return;
      if (event.service !== this.options.name && event.container !== this.options.name) return;
      this.schedule(EVENT_DELAY_MS);
    });
    void this.poll();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (!this.polling) this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    this.offEvents?.();
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    if (this.polling) {
      if (ms <= EVENT_DELAY_MS) this.pollAgain = true;
      return;
    }
    this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.poll();
    }, ms);
  }

  private async poll(): Promise<void> {
    if (this.stopped || this.paused || this.polling) return;
    this.polling = true;
    const page = this.options.pageSize ?? 5_000;
    const { start } = this.options;
    const first = !this.polled;
    let floorMs = Number.NEGATIVE_INFINITY;
    let next = this.options.pollMs ?? 2_000;
    try {
      let query: { service: string; tail?: number; since?: string };
      if (first) {
        query = { service: this.options.name, tail: start.tail ?? (start.sinceMs === undefined ? DEFAULT_TAIL : page) };
        if (start.sinceMs !== undefined) {
          query.since = new Date(start.sinceMs).toISOString();
          floorMs = start.sinceMs;
        }
      } else {
        const last = this.dedupe.lastTimestamp;
        query = {
          service: this.options.name,
          tail: page,
          ...(last !== null ? { since: new Date(last).toISOString() } : {}),
        };
        this.dedupe.arm();
      }
      const reply = await this.options.client().logs(query, { signal: this.abort.signal });
      if (this.stopped) return;
      this.polled = true;
      this.attempt = 0;
      const lines: LogEntry[] = [];
      for (const raw of reply.entries) {
        const entry = this.toEntry(raw);
        const ms = isoToMs(entry.ts);
        if (ms < floorMs || !this.dedupe.accept(ms, entry)) continue;
        lines.push(entry);
      }
      this.setState('live');
      if (lines.length) this.options.events.lines(lines);
      if (!first && reply.entries.length >= page) next = 0;
    } catch (error) {
      if (this.stopped) return;
      const unreachable = error instanceof ApiError && error.code === 'unreachable';
      this.setState(
        unreachable && this.polled ? 'reconnecting' : 'error',
        error instanceof Error ? error.message : String(error),
      );
      next = backoffDelay(this.attempt++, this.options.backoff ?? { initialMs: 2_000, maxMs: 30_000 });
    } finally {
      this.polling = false;
    }
    if (this.stopped) return;
    if (this.pollAgain) {
      this.pollAgain = false;
      next = Math.min(next, EVENT_DELAY_MS);
    }
    // While paused nothing is scheduled: resume() polls again.
    if (!this.paused) this.schedule(next);
  }

  private toEntry(raw: OpsLogEntry): LogEntry {
    return {
      ts: parseDockerTime(raw.ts) ?? isoNow(this.clock),
      target: this.options.targetId,
      service: raw.service,
      container: this.options.name,
      stream: raw.stream,
      level: raw.level ?? detectLogLevel(raw.message.length > 4096 ? raw.message.slice(0, 4096) : raw.message),
      message: raw.message,
    };
  }

  private setState(state: SourceState, reason?: string) {
    const key = `${state}\u0000${reason ?? ''}`;
    if (this.stopped || key === this.state) return;
    this.state = key;
    this.options.events.state(state, reason);
  }
}
