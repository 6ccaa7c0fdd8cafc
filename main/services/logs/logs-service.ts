/**
 * Live logs and their offline cache, as the contract's `logs:*` channels need them: what can be
 * followed on a target, follows with flow control, and queries of the cache.
 *
 * Every followed line is written to the cache. When two panes follow the same container, only
 * one of them (the first) writes its lines, so the cache holds each line once; when it stops, the
 * next pane's lines take over. A new follow never rewrites lines the cache already has: its first
 * lines are checked against the newest instant cached for that source (a pane reopened after a
 * restart asks for the same tail again).
 *
 * Secrets the keychain holds are masked in every line before the cache and the pane see it
 * (secret-mask.ts), and again in what `query` reads back (lines cached before a secret existed);
 * a `masked` event tells the pane each source's running count.
 *
 * `start()` begins following target edits; `dispose()` stops every follow (its sources abort
 * their requests in flight) and leaves the cache to be disposed on its own, after this service.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../../shared/errors';
import type {
  LogCacheLimits,
  LogCacheSummary,
  LogEntry,
  LogFollowEvent,
  LogSourceOption,
} from '../../../shared/model/logs';
import type { Target } from '../../../shared/model/target';
import type { BackoffOptions } from '../../../shared/backoff';
import type { ConnectionManager } from '../connections/connection-manager';
import type { OpsApiService } from '../ops-api/ops-api-service';
import type { TargetsService } from '../targets/targets-service';
import { BoundaryDedupe } from '../../../shared/boundary-dedupe';
import { isoToMs } from '../../../shared/iso-time';
import { DockerLogSource } from './docker-log-source';
import type { LogCache } from './log-cache';
import { DEFAULT_FLOW, LogFollower, type FlowOptions } from './log-follower';
import { parseSourceKey, type LogSource, type LogSourceEvents, type SourceStart } from './log-source';
import { listDockerSources, listOpsApiSources } from './log-sources-list';
import { OpsApiLogSource } from './ops-api-log-source';
import { parseTimeInput } from './time-input';
import { MaskedCounts, type SecretMask } from './secret-mask';
import { abortReason, AbortedError, anySignal } from '../../../node/abort';
import { systemClock, type Clock } from '../../../node/clock';

export interface LogsServiceOptions {
  flow?: Partial<FlowOptions>;
  maxLineBytes?: number;
  /** Retry delays while a Docker engine cannot be reached. */
  dockerBackoff?: BackoffOptions;
  /** How often a stopped or missing container is looked at again. */
  recheckMs?: number;
  opsPollMs?: number;
  opsPageSize?: number;
  /** Hides the keychain's secrets from every line before the cache and the pane see it (createServices wires it). */
  secretMask?: Pick<SecretMask, 'maskEntries'>;
}

export interface FollowRequest {
  targetId: string;
  sources: string[];
  tail?: number | undefined;
  since?: string | undefined;
}

export interface QueryRequest {
  targetId: string;
  sources?: string[] | undefined;
  from?: string | undefined;
  to?: string | undefined;
  text?: string | undefined;
  limit?: number | undefined;
}

export const DEFAULT_QUERY_LIMIT = 5_000;

interface CacheWriter {
  followId: string;
  gate: BoundaryDedupe;
}

export class LogsService {
  private readonly followers = new Map<string, { follower: LogFollower; targetId: string }>();
  private readonly writers = new Map<string, CacheWriter>();
  private offTargets: (() => void) | undefined;
  /** Aborted on dispose: source listings in flight stop with it. */
  private readonly lifetime = new AbortController();

  constructor(
    private readonly targets: TargetsService,
    private readonly connections: ConnectionManager,
    private readonly opsApi: OpsApiService,
    readonly cache: LogCache,
    private readonly options: LogsServiceOptions = {},
    private readonly clock: Clock = systemClock,
  ) {}

  start(): void {
    // A deleted target's follows end (an edited one's sources move to its new connection by themselves).
    this.offTargets ??= this.targets.onChanged((list) => {
      const ids = new Set(list.map((t) => t.id));
      for (const { follower, targetId } of this.followers.values())
        if (!ids.has(targetId)) follower.end('the target was deleted');
    });
  }

  /** What a pane can follow on a target: its containers (Docker) or services (ops API). */
  async sources(targetId: string, signal?: AbortSignal): Promise<LogSourceOption[]> {
    const target = this.targets.get(targetId);
    const abort = anySignal(signal, this.lifetime.signal)!;
    if (target.kind === 'ops-api') return listOpsApiSources(this.opsApi.client(targetId), abort);
    try {
      return await listDockerSources(this.connections.connection(targetId), abort);
    } catch (error) {
      // dockerode's own AbortError does not say why: the signal's reason does.
      throw abort.aborted ? abortReason(abort) : error;
    }
  }

  /**
   * Starts a follow; `emit` gets `started` at once, then `lines` and `source` events. Returns the
   * unsubscribe, which stops the sources.
   */
  follow(request: FollowRequest, emit: (event: LogFollowEvent) => void): () => void {
    const target = this.targets.get(request.targetId);
    const keys = [...new Set(request.sources)];
    for (const key of keys) {
      const { kind } = parseSourceKey(key);
      if (target.kind !== 'ops-api' && kind !== 'container') {
        throw new ApiError(
          'invalid-request',
          `${target.name} is a Docker target: follow its containers (container:<name>), not ${key}.`,
        );
      }
    }
    const start: SourceStart = {
      tail: request.tail,
      sinceMs: request.since ? parseTimeInput(request.since, 'since', this.clock.now()) : undefined,
    };
    const id = randomUUID();
    const masked = new MaskedCounts((source, total) => emit({ type: 'masked', source, total }), this.clock);
    const follower = new LogFollower(
      id,
      keys,
      (key, events) => this.makeSource(target, key, start, this.masking(key, events, masked)),
      emit,
      { ...DEFAULT_FLOW, ...this.options.flow },
      (_key, entries) => this.writeToCache(id, target.id, entries),
      this.clock,
    );
    this.followers.set(id, { follower, targetId: target.id });
    follower.start();
    return () => {
      masked.stop();
      follower.stop();
      this.followers.delete(id);
      for (const [key, writer] of [...this.writers]) if (writer.followId === id) this.writers.delete(key);
    };
  }

  /** Credit for lines the renderer has drawn. An unknown (already ended) follow is not an error. */
  ack(followId: string, lines: number): void {
    this.followers.get(followId)?.follower.ack(lines);
  }

  /** The follower behind a follow id, for tests that watch flow control. */
  follower(followId: string): LogFollower | undefined {
    return this.followers.get(followId)?.follower;
  }

  /**
   * Hides the keychain's secrets in `entries` (in place); returns how many were replaced. For
   * lines read outside a follow: the cache may hold lines written before a secret existed.
   */
  maskEntries(entries: LogEntry[]): number {
    return this.options.secretMask?.maskEntries(entries) ?? 0;
  }

  /** Cached lines of one instant as a follow's own lines would look: masked. */
  private maskedLines(lines: { stream: LogEntry['stream']; message: string }[]) {
    const entries = lines.map((line) => ({ ...line, ts: '', target: '', service: null, container: '', level: null }));
    this.maskEntries(entries);
    return entries.map(({ stream, message }) => ({ stream, message }));
  }

  /** Cached lines, masked as they are read: lines cached before a secret was added leave masked too. */
  query(request: QueryRequest): { entries: LogEntry[]; truncated: boolean } {
    const fromMs = request.from ? parseTimeInput(request.from, 'from', this.clock.now()) : undefined;
    const toMs = request.to ? parseTimeInput(request.to, 'to', this.clock.now()) : undefined;
    if (fromMs !== undefined && toMs !== undefined && fromMs > toMs) {
      throw new ApiError('invalid-request', 'The time range ends before it starts.', {
        to: 'Pick a time after "from".',
      });
    }
    const result = this.cache.query({
      targetId: request.targetId,
      sources: request.sources?.map((key) => parseSourceKey(key).name),
      fromMs,
      toMs,
      text: request.text || undefined,
      limit: request.limit ?? DEFAULT_QUERY_LIMIT,
    });
    this.maskEntries(result.entries);
    return result;
  }

  cacheInfo(): LogCacheSummary {
    return this.cache.summary();
  }

  setCacheLimits(limits: LogCacheLimits): Promise<LogCacheSummary> {
    return this.cache.setLimits(limits);
  }

  dispose(): void {
    this.offTargets?.();
    this.offTargets = undefined;
    this.lifetime.abort(new AbortedError('The logs service was closed.'));
    for (const { follower } of this.followers.values()) follower.stop();
    this.followers.clear();
    this.writers.clear();
  }

  /** Follows running now: tests check that disposing ended them. */
  get followCount(): number {
    return this.followers.size;
  }

  /**
   * A source's events with its lines masked on the way in, before LogFollower.receive writes the
   * cache and batches them for the pane; the count of what was masked goes to `masked`.
   */
  private masking(key: string, events: LogSourceEvents, masked: MaskedCounts): LogSourceEvents {
    const mask = this.options.secretMask;
    if (!mask) return events;
    return {
      lines: (entries) => {
        const count = mask.maskEntries(entries);
        events.lines(entries);
        if (count) masked.add(key, count);
      },
      state: events.state,
    };
  }

  private makeSource(target: Target, key: string, start: SourceStart, events: LogSourceEvents): LogSource {
    const { name } = parseSourceKey(key);
    if (target.kind === 'ops-api') {
      return new OpsApiLogSource({
        key,
        targetId: target.id,
        name,
        start,
        events,
        client: () => this.opsApi.client(target.id),
        watchEvents: (listener) => this.opsApi.watchEvents(target.id, listener),
        ...(this.options.opsPollMs ? { pollMs: this.options.opsPollMs } : {}),
        ...(this.options.opsPageSize ? { pageSize: this.options.opsPageSize } : {}),
        clock: this.clock,
      });
    }
    return new DockerLogSource({
      key,
      connection: () => this.connections.connection(target.id),
      onConnected: (listener) =>
        this.connections.onState(({ targetId, state }) => {
          if (targetId === target.id && state.status === 'connected') listener();
        }),
      targetId: target.id,
      name,
      start,
      events,
      ...(this.options.maxLineBytes ? { maxLineBytes: this.options.maxLineBytes } : {}),
      ...(this.options.dockerBackoff ? { backoff: this.options.dockerBackoff } : {}),
      ...(this.options.recheckMs ? { recheckMs: this.options.recheckMs } : {}),
      clock: this.clock,
    });
  }

  /** One follow writes each source's lines; the first lines skip what the cache already holds. */
  private writeToCache(followId: string, targetId: string, entries: LogEntry[]): void {
    const source = entries[0]!.container;
    const key = `${targetId}\u0000${source}`;
    let writer = this.writers.get(key);
    if (!writer) {
      // Lines of the boundary instant the cache lacks are written: only repeats are skipped.
      const gate = new BoundaryDedupe({ record: false });
      // Only first lines that reach back to the newest cached instant can repeat cached ones: the
      // lines of that instant (up to 50,000 after a burst) are read only then, not per follow.
      const newest = this.cache.newestTs(targetId, source);
      if (newest !== null && isoToMs(entries[0]!.ts) <= newest) {
        const boundary = this.cache.boundary(targetId, source);
        // Masked as the new lines are, so a line cached before its secret existed still matches.
        if (boundary) gate.seed(boundary.ts, this.maskedLines(boundary.lines));
      }
      writer = { followId, gate };
      this.writers.set(key, writer);
    }
    if (writer.followId !== followId) return;
    const { gate } = writer;
    const fresh = gate.replaying ? entries.filter((entry) => gate.accept(isoToMs(entry.ts), entry)) : entries;
    if (fresh.length) this.cache.append(fresh);
  }
}
