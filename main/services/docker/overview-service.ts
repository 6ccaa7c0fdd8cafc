/**
 * The Overview of a Docker target: engine facts and every container with its state, health,
 * restarts and a stats snapshot, grouped by compose project and service.
 *
 * Watching keeps it current from Docker's events stream: an event refreshes only the container
 * it names, and only a reconnection re-reads everything. Nothing polls.
 */
import type Docker from 'dockerode';
import type { ContainerInspectInfo, ContainerInfo } from 'dockerode';
import { ApiError } from '../../../shared/errors';
import type { ContainerSummary, DockerOverview, EngineInfo } from '../../../shared/model/docker';
import type { ConnectionManager } from '../connections/connection-manager';
import type { DockerConnection } from '../connections/docker-connection';
import { info as engineInfo, statsOnce, version as engineVersion } from './abortable';
import { readStats, type CpuSample } from './container-stats';
import { parseDockerTime } from '../../../node/docker/docker-time';
import { mapLimit } from '../../../node/map-limit';
import { abortReason, AbortedError } from '../../../node/abort';
import { isoNow, systemClock, type Clock, type Timer } from '../../../node/clock';

const PROJECT_LABEL = 'com.docker.compose.project';
const SERVICE_LABEL = 'com.docker.compose.service';
/** Enough parallel inspects to be quick, few enough not to flood a small host. */
const CONCURRENCY = 6;
const EVENT_DEBOUNCE_MS = 120;

interface Watch {
  containers: Map<string, ContainerSummary>;
  engine: EngineInfo | undefined;
  emitters: Set<(overview: DockerOverview) => void>;
  onError: Set<(message: string) => void>;
  stop: () => void;
}

export class DockerOverviewService {
  private readonly samples = new Map<string, CpuSample>();
  private readonly watches = new Map<string, Watch>();
  /** Aborted on dispose: every Docker request of a snapshot or a watch stops with it. */
  private readonly lifetime = new AbortController();

  constructor(
    private readonly connections: ConnectionManager,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The overview now; `signal` abandons its Docker requests (the caller went away). */
  async snapshot(targetId: string, signal?: AbortSignal): Promise<DockerOverview> {
    const abort = signal ? AbortSignal.any([signal, this.lifetime.signal]) : this.lifetime.signal;
    const connection = this.connections.connection(targetId);
    await ready(connection);
    try {
      const { engine, containers } = await this.readAll(connection.docker, abort);
      return this.compose(targetId, engine, containers);
    } catch (error) {
      // dockerode's own AbortError does not say why: the signal's reason does.
      throw abort.aborted ? abortReason(abort) : error;
    }
  }

  /** Stops every watch and abandons the Docker requests in flight. */
  dispose(): void {
    this.lifetime.abort(new AbortedError('The Docker overview was closed.'));
    for (const watch of this.watches.values()) watch.stop();
    this.watches.clear();
  }

  /**
   * Calls `emit` with a full overview now and after every change. Several watchers of one
   * target share a single events stream.
   */
  watch(targetId: string, emit: (overview: DockerOverview) => void, onError: (message: string) => void): () => void {
    let watch = this.watches.get(targetId);
    if (!watch) {
      watch = this.startWatch(targetId);
      this.watches.set(targetId, watch);
    } else if (watch.engine) {
      emit(this.compose(targetId, watch.engine, [...watch.containers.values()]));
    }
    watch.emitters.add(emit);
    watch.onError.add(onError);
    const current = watch;
    return () => {
      current.emitters.delete(emit);
      current.onError.delete(onError);
      if (current.emitters.size === 0) {
        current.stop();
        this.watches.delete(targetId);
      }
    };
  }

  private startWatch(targetId: string): Watch {
    // The target's connection is remade when the target is edited or its host key trusted;
    // the watch follows whichever one is current.
    let connection = this.connections.connection(targetId);
    let subscribing = false;
    const watch: Watch = { containers: new Map(), engine: undefined, emitters: new Set(), onError: new Set(), stop: () => undefined };
    let stopped = false;
    let events: NodeJS.ReadableStream & { destroy?: () => void } | undefined;
    const pending = new Set<string>();
    let flushTimer: Timer | undefined;
    const signal = this.lifetime.signal;

    const publish = () => {
      if (!watch.engine || stopped) return;
      const overview = this.compose(targetId, watch.engine, [...watch.containers.values()]);
      for (const emit of watch.emitters) emit(overview);
    };
    const fail = (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      for (const report of watch.onError) report(message);
    };

    const flush = async () => {
      flushTimer = undefined;
      const ids = [...pending];
      pending.clear();
      await Promise.all(
        ids.map(async (id) => {
          try {
            watch.containers.set(id, await this.readContainer(connection.docker, id, signal));
          } catch (error) {
            if ((error as { statusCode?: number }).statusCode === 404) watch.containers.delete(id);
            else throw error;
          }
        }),
      ).then(publish, fail);
    };

    const onEvent = (chunk: Buffer | string) => {
      // The stream is newline-delimited JSON; a chunk may hold several events.
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        try {
          const event = JSON.parse(line) as { id?: string; Actor?: { ID?: string }; Type?: string };
          const id = event.Actor?.ID ?? event.id;
          if (id && (event.Type ?? 'container') === 'container') pending.add(id);
        } catch {
          // A malformed event is skipped; the next one still counts.
        }
      }
      if (pending.size && !flushTimer) flushTimer = this.clock.setTimeout(() => void flush(), EVENT_DEBOUNCE_MS);
    };

    const dropEvents = () => {
      // Destroying inside a data handler leaked channels in our runs over SSH: defer it.
      const stream = events;
      events = undefined;
      if (stream) setImmediate(() => stream.destroy?.());
    };

    const subscribe = async () => {
      // One setup at a time: a second one would open a second events stream and leak it.
      if (subscribing || stopped) return;
      subscribing = true;
      try {
        connection = this.connections.connection(targetId);
        const current = connection;
        await ready(current);
        if (stopped) return;
        // Subscribe before reading, so no change can fall between the read and the stream.
        const stream = (await current.docker.getEvents({ filters: JSON.stringify({ type: ['container'] }), abortSignal: signal } as object)) as NodeJS.ReadableStream & {
          destroy?: () => void;
        };
        if (stopped || connection !== current) return stream.destroy?.();
        events = stream;
        stream.on('data', onEvent);
        stream.on('error', () => undefined);
        stream.on('close', () => {
          if (!stopped && events === stream) {
            events = undefined;
            current.suspect('the events stream ended');
          }
        });
        const { engine, containers } = await this.readAll(current.docker, signal);
        watch.engine = engine;
        watch.containers = new Map(containers.map((c) => [c.id, c]));
        publish();
      } catch (error) {
        if (!stopped) fail(error);
      } finally {
        subscribing = false;
      }
    };

    // A (re)connection — of this connection or of one made in its place — re-reads everything
    // and opens a new events stream.
    const offState = this.connections.onState(({ targetId: id, state }) => {
      if (id !== targetId || state.status !== 'connected' || stopped) return;
      let current: DockerConnection;
      try {
        current = this.connections.connection(targetId);
      } catch {
        return; // the target was deleted
      }
      if (current !== connection) dropEvents();
      if (!events) void subscribe();
    });
    void subscribe();

    watch.stop = () => {
      stopped = true;
      offState();
      this.clock.clearTimeout(flushTimer);
      dropEvents();
    };
    return watch;
  }

  private async readAll(docker: Docker, abortSignal: AbortSignal): Promise<{ engine: EngineInfo; containers: ContainerSummary[] }> {
    const [version, info, list] = await Promise.all([
      engineVersion(docker, abortSignal),
      engineInfo(docker, abortSignal),
      docker.listContainers({ all: true, abortSignal }),
    ]);
    const engine: EngineInfo = {
      version: String(version.Version ?? info.ServerVersion ?? 'unknown'),
      apiVersion: String(version.ApiVersion ?? ''),
      os: String(info.OperatingSystem ?? version.Os ?? ''),
      kernel: String(info.KernelVersion ?? version.KernelVersion ?? ''),
      arch: String(info.Architecture ?? version.Arch ?? ''),
      hostname: String(info.Name ?? ''),
      cpus: Number(info.NCPU ?? 0),
      memoryBytes: Number(info.MemTotal ?? 0),
    };
    const containers = await mapLimit(list, CONCURRENCY, (c: ContainerInfo) => this.readContainer(docker, c.Id, abortSignal));
    return { engine, containers };
  }

  private async readContainer(docker: Docker, id: string, abortSignal: AbortSignal): Promise<ContainerSummary> {
    const container = docker.getContainer(id);
    const inspect: ContainerInspectInfo = await container.inspect({ abortSignal });
    const labels = inspect.Config?.Labels ?? {};
    const startedAt = inspect.State?.Running ? parseDockerTime(inspect.State.StartedAt) : null;
    let stats = { cpuPercent: null as number | null, memoryBytes: null as number | null, memoryLimitBytes: null as number | null };
    if (inspect.State?.Running) {
      try {
        const raw = (await statsOnce(container, abortSignal)) as object;
        const reading = readStats(raw, this.samples.get(id), startedAt, this.clock.now());
        if (reading.sample) this.samples.set(id, reading.sample);
        stats = reading;
      } catch {
        // Stats are a nicety: a container that stops between inspect and stats has none.
      }
    }
    const health = inspect.State?.Health?.Status;
    return {
      id: inspect.Id,
      name: inspect.Name.replace(/^\//, ''),
      project: labels[PROJECT_LABEL] ?? null,
      service: labels[SERVICE_LABEL] ?? null,
      state: inspect.State?.Status ?? 'unknown',
      health: health === 'healthy' || health === 'unhealthy' || health === 'starting' ? health : 'none',
      image: inspect.Config?.Image ?? inspect.Image,
      createdAt: parseDockerTime(inspect.Created),
      startedAt,
      restartCount: inspect.RestartCount ?? 0,
      cpuPercent: stats.cpuPercent,
      memoryBytes: stats.memoryBytes,
      memoryLimitBytes: stats.memoryLimitBytes,
    };
  }

  private compose(targetId: string, engine: EngineInfo, containers: ContainerSummary[]): DockerOverview {
    const projects = new Map<string, Map<string, ContainerSummary[]>>();
    const ungrouped: ContainerSummary[] = [];
    for (const container of [...containers].sort((a, b) => a.name.localeCompare(b.name))) {
      if (!container.project) {
        ungrouped.push(container);
        continue;
      }
      let services = projects.get(container.project);
      if (!services) projects.set(container.project, (services = new Map()));
      const service = container.service ?? container.name;
      services.set(service, [...(services.get(service) ?? []), container]);
    }
    return {
      targetId,
      fetchedAt: isoNow(this.clock),
      engine,
      projects: [...projects]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([project, services]) => ({
          project,
          services: [...services].sort(([a], [b]) => a.localeCompare(b)).map(([service, list]) => ({ service, containers: list })),
        })),
      ungrouped,
    };
  }
}

async function ready(connection: DockerConnection): Promise<void> {
  try {
    await connection.ready();
  } catch (error) {
    throw new ApiError('unreachable', error instanceof Error ? error.message : String(error));
  }
}
