/**
 * Follows one container's logs on a Docker engine (the local socket or the SSH tunnel alike: it
 * only uses `connection.docker`), and keeps following it across restarts.
 *
 * While attached it reads `follow=true, timestamps=true` and parses the stream as it arrives.
 * When the stream ends (the container stopped, restarted, or the link dropped) it looks at the
 * container: running → attach again with `since` = the second of the last line seen, skipping
 * the lines of that second it already delivered; stopped → "ended", and wait for it to start
 * (Docker's events are the fast path, a slow re-inspect the safety net); removed → "ended";
 * engine unreachable → "reconnecting", retried with backoff and at once when the connection
 * comes back.
 *
 * The response is read in paused mode (`readable` + `read()`), not with 'data' events: Docker
 * and podman send every log line as its own HTTP chunk, and a 'data' event per line cost more
 * than the parsing. `read()` hands over everything buffered since the last read in one piece.
 * Pausing stops reading, so the response's buffer fills, the socket (and through the tunnel,
 * the SSH channel's window) stops being read and Docker feels the backpressure.
 *
 * Stopping aborts the Docker requests in flight (an inspect, the opening of a stream) along with
 * the streams themselves; retries and rechecks are timed on the Clock it is given.
 */
import type { Readable } from 'node:stream';
import type { ContainerInspectInfo } from 'dockerode';
import type { LogEntry, SourceState } from '../../../shared/model/logs';
import { detectLogLevel } from '../../../shared/log-level';
import { backoffDelay, type BackoffOptions } from '../../../shared/backoff';
import type { DockerConnection } from '../connections/docker-connection';
import { BoundaryDedupe } from '../../../shared/boundary-dedupe';
import { msToIso } from '../../../shared/iso-time';
import { systemClock, type Clock, type Timer } from '../../../node/clock';
import { DockerLogParser, MAX_LINE_BYTES, type ParsedLine } from '../../../node/docker/docker-log-parser';
import { dockerReason } from '../../../node/docker/docker-message';
import { requestFollowed } from '../../../node/docker/followed-response';
import { DEFAULT_TAIL, type LogSource, type LogSourceEvents, type SourceStart } from './log-source';

const SERVICE_LABEL = 'com.docker.compose.service';
/** Level detection reads only a line's head; a 1 MB JSON line is not parsed whole for it. */
const LEVEL_HEAD = 4096;
/** A stream that ends sooner than this on a running container is retried with backoff, not at once. */
const SHORT_LIVED_MS = 1_000;

export interface DockerLogSourceOptions {
  key: string;
  /**
   * The target's connection, asked for at each use: an edited target gets a new one, and the
   * source follows it there.
   */
  connection: () => DockerConnection;
  /** Called whenever the target's connection becomes connected (the old or a new one). */
  onConnected: (listener: () => void) => () => void;
  targetId: string;
  /** The container's name. */
  name: string;
  start: SourceStart;
  events: LogSourceEvents;
  maxLineBytes?: number;
  /** Delays between attempts while the engine cannot be reached. */
  backoff?: BackoffOptions;
  /** How often a stopped or missing container is looked at again when no event says it started. */
  recheckMs?: number;
  clock?: Clock;
}

type Closable = Readable & { destroy(): unknown };

interface LogsQuery {
  follow: true;
  stdout: true;
  stderr: true;
  timestamps: true;
  since?: number;
  tail?: number;
  abortSignal: AbortSignal;
}

export class DockerLogSource implements LogSource {
  readonly key: string;
  private stopped = false;
  private paused = false;
  private logs: Closable | undefined;
  /** Reads what the followed response has buffered (set while attached). */
  private drain: (() => void) | undefined;
  private watch: Closable | undefined;
  private timer: Timer | undefined;
  /** Aborts the Docker requests in flight when the source stops. */
  private readonly abort = new AbortController();
  private readonly clock: Clock;
  private checking = false;
  private checkAgain = false;
  private attempt = 0;
  /** When the last stream was attached (ms); 0 before the first. */
  private attached = 0;
  private endedQuickly = false;
  private service: string | null = null;
  private state: string | undefined;
  private readonly dedupe = new BoundaryDedupe({ skipUnseenBefore: true });
  private offConnection: (() => void) | undefined;

  constructor(private readonly options: DockerLogSourceOptions) {
    this.key = options.key;
    this.clock = options.clock ?? systemClock;
  }

  start(): void {
    this.offConnection = this.options.onConnected(() => {
      if (!this.logs) void this.check();
    });
    void this.check();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.drain?.();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.offConnection?.();
    const streams = [this.logs, this.watch];
    this.logs = undefined;
    this.drain = undefined;
    this.watch = undefined;
    // Destroying a followed stream inside its own data handler leaked the SSH channel in our runs.
    // The abort waits for that tick too: it ends a followed response as surely as destroy() does.
    setImmediate(() => {
      this.abort.abort();
      streams.forEach((stream) => stream?.destroy());
    });
  }

  /** Decides what to do now: attach, wait for the container, or retry the engine. */
  private async check(): Promise<void> {
    if (this.stopped || this.logs) return;
    if (this.checking) {
      this.checkAgain = true;
      return;
    }
    this.checking = true;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    try {
      await this.options.connection().ready();
      if (this.stopped) return;
      // Listen before looking, so a start between the two is not missed.
      await this.openWatch();
      const info = await this.inspect();
      if (this.stopped) return;
      if (!info) {
        this.setState(
          this.attached ? 'ended' : 'error',
          this.attached
            ? 'the container was removed'
            : `there is no container called ${this.options.name} on this target`,
        );
        this.later(this.options.recheckMs ?? 5_000);
        return;
      }
      if (this.attached && !info.State?.Running) {
        this.endedQuickly = false;
        this.setState(
          'ended',
          `the container stopped (exit code ${info.State?.ExitCode ?? '?'}); following again when it starts`,
        );
        this.later(this.options.recheckMs ?? 5_000);
        return;
      }
      if (this.endedQuickly) {
        // A stream that ends at once on a running container must not become a tight loop.
        this.endedQuickly = false;
        this.later(backoffDelay(this.attempt++, this.backoff()));
        return;
      }
      await this.attach(info);
    } catch (error) {
      if (this.stopped) return;
      this.setState(this.attached ? 'reconnecting' : 'error', dockerReason(error));
      this.later(backoffDelay(this.attempt++, this.backoff()));
    } finally {
      this.checking = false;
      if (this.checkAgain) {
        this.checkAgain = false;
        void this.check();
      }
    }
  }

  private backoff(): BackoffOptions {
    return this.options.backoff ?? { initialMs: 500, maxMs: 10_000 };
  }

  private later(ms: number) {
    this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.check();
    }, ms);
  }

  private async inspect(): Promise<ContainerInspectInfo | null> {
    try {
      return await this.options.connection().docker.getContainer(this.options.name).inspect({ abortSignal: this.abort.signal });
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return null;
      throw error;
    }
  }

  private async attach(info: ContainerInspectInfo): Promise<void> {
    const { start } = this.options;
    const first = this.attached === 0;
    const query: LogsQuery = {
      follow: true,
      stdout: true,
      stderr: true,
      timestamps: true,
      abortSignal: this.abort.signal,
    };
    let floorMs = Number.NEGATIVE_INFINITY;
    if (first) {
      if (start.sinceMs !== undefined) {
        query.since = Math.floor(start.sinceMs / 1000);
        floorMs = start.sinceMs;
      }
      const tail = start.tail ?? (start.sinceMs === undefined ? DEFAULT_TAIL : undefined);
      if (tail !== undefined) query.tail = tail;
    } else {
      const last = this.dedupe.lastTimestamp;
      // Docker's since is inclusive and in whole seconds: the replayed second is skipped below.
      query.since = Math.floor((last ?? this.attached) / 1000);
      this.dedupe.arm();
    }
    this.service = info.Config?.Labels?.[SERVICE_LABEL] ?? null;
    const stream = await this.openLogs(info.Id, query);
    if (this.stopped) {
      setImmediate(() => stream.destroy());
      return;
    }
    const attachedAt = this.clock.now();
    this.attached = attachedAt;
    this.logs = stream;
    this.closeWatch();

    let batch: LogEntry[] = [];
    let lastTs = attachedAt;
    const parser = new DockerLogParser(
      info.Config?.Tty === true,
      (line) => {
        // A line without a readable time takes the previous line's.
        const ms = line.tsMs ?? lastTs;
        lastTs = ms;
        if (ms < floorMs || !this.dedupe.accept(ms, line)) return;
        batch.push(this.toEntry(line, ms));
      },
      this.options.maxLineBytes ?? MAX_LINE_BYTES,
    );
    const deliver = () => {
      if (!batch.length || this.stopped) return;
      const lines = batch;
      batch = [];
      this.options.events.lines(lines);
    };
    let ended = false;
    const finish = () => {
      if (ended) return;
      ended = true;
      if (this.logs !== stream) return;
      // Lines buffered while paused are not lost when the stream ends under them.
      let rest: Buffer | null;
      while ((rest = stream.read() as Buffer | null) !== null) parser.push(rest);
      parser.end();
      deliver();
      this.logs = undefined;
      this.drain = undefined;
      setImmediate(() => stream.destroy());
      this.endedQuickly = this.clock.now() - attachedAt < SHORT_LIVED_MS;
      if (!this.endedQuickly) this.attempt = 0;
      this.setState('reconnecting', 'the log stream ended');
      void this.check();
    };
    const drain = () => {
      if (this.logs !== stream) return;
      let chunk: Buffer | null;
      while (!this.paused && (chunk = stream.read() as Buffer | null) !== null) {
        parser.push(chunk);
        deliver();
      }
    };
    this.drain = drain;
    stream.on('readable', drain);
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', finish);
    if (info.State?.Running) this.setState('live');
  }

  /**
   * The followed response: read by hand on a connection of its own where the target offers one
   * (followed-response.ts: a chunk per line costs Node's HTTP client more than parsing the line),
   * through dockerode otherwise.
   */
  private async openLogs(id: string, query: LogsQuery): Promise<Closable> {
    const connection = this.options.connection();
    if (!connection.openStream) return (await connection.docker.getContainer(id).logs(query)) as unknown as Closable;
    const { abortSignal, ...rest } = query;
    const params = new URLSearchParams(Object.entries(rest).map(([key, value]): [string, string] => [key, String(value)]));
    const socket = await connection.openStream();
    return requestFollowed(socket, `/containers/${encodeURIComponent(id)}/logs?${params}`, abortSignal);
  }

  private toEntry(line: ParsedLine, ms: number): LogEntry {
    const { message } = line;
    return {
      ts: msToIso(ms),
      target: this.options.targetId,
      service: this.service,
      container: this.options.name,
      stream: line.stream,
      level: detectLogLevel(message.length > LEVEL_HEAD ? message.slice(0, LEVEL_HEAD) : message),
      message,
    };
  }

  /** Docker's events for this container, while waiting for it to (re)start. Best effort. */
  private async openWatch(): Promise<void> {
    if (this.watch) return;
    try {
      const stream = (await this.options.connection().docker.getEvents({
        filters: JSON.stringify({ type: ['container'], container: [this.options.name] }),
        abortSignal: this.abort.signal,
      } as object)) as unknown as Closable;
      if (this.stopped || this.logs || this.watch) {
        setImmediate(() => stream.destroy());
        return;
      }
      this.watch = stream;
      stream.on('data', () => {
        // Any event of this container (start, restart, create, destroy) is a reason to look again.
        if (this.watch === stream && !this.logs) void this.check();
      });
      const gone = () => {
        if (this.watch === stream) this.watch = undefined;
      };
      stream.on('end', gone);
      stream.on('close', gone);
      stream.on('error', gone);
    } catch {
      // The slow re-inspect still notices a restart.
    }
  }

  private closeWatch() {
    const stream = this.watch;
    this.watch = undefined;
    if (stream) setImmediate(() => stream.destroy());
  }

  private setState(state: SourceState, reason?: string) {
    const key = `${state}\u0000${reason ?? ''}`;
    if (this.stopped || key === this.state) return;
    this.state = key;
    this.options.events.state(state, reason);
  }
}
