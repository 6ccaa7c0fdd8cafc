/**
 * The local Docker engine as the agent sees it: one client for short requests (with a timeout,
 * so a wedged daemon fails a context section instead of hanging it) and one for long streams
 * (events, which are idle for minutes and must not time out), and a short-lived cache of the
 * container list so that many clients polling `/context` cost one engine round per second.
 */
import Docker from 'dockerode';
import type { ContainerInspectInfo } from 'dockerode';
import { parseDockerTime } from '../node/docker/docker-time';
import { mapLimit } from '../node/map-limit';

export const PROJECT_LABEL = 'com.docker.compose.project';
export const SERVICE_LABEL = 'com.docker.compose.service';
const CONCURRENCY = 6;
const CACHE_MS = 1_000;

export interface ContainerFacts {
  id: string;
  name: string;
  service: string | null;
  project: string | null;
  image: string;
  state: string;
  health: string;
  restarts: number;
  labels: Record<string, string>;
  tty: boolean;
  exitCode: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** `NAME=value` lines: the support bundle redacts the values of secret-looking ones. */
  env: string[];
}

export interface DockerClients {
  requests: Docker;
  streams: Docker;
}

/** Accepts a socket path, `unix:///path`, or `tcp://` / `http://` / `https://host:port`. */
export function createDockerClients(socket: string, timeoutSeconds: number): DockerClients {
  const options = dockerOptions(socket);
  return { requests: new Docker({ ...options, timeout: timeoutSeconds * 1000 }), streams: new Docker(options) };
}

function dockerOptions(socket: string): Docker.DockerOptions {
  if (socket.startsWith('unix://')) return { socketPath: socket.slice('unix://'.length) };
  const match = /^(tcp|http|https):\/\/([^:/]+)(?::(\d+))?\/?$/.exec(socket);
  if (match) {
    const protocol = match[1] === 'https' ? 'https' : 'http';
    return { protocol, host: match[2]!, port: Number(match[3] ?? (protocol === 'https' ? 2376 : 2375)) };
  }
  return { socketPath: socket };
}

export class ContainerReader {
  private cached: { at: number; list: ContainerFacts[] } | undefined;
  private inflight: Promise<ContainerFacts[]> | undefined;

  constructor(
    private readonly docker: Docker,
    private readonly project: string | null,
  ) {}

  /** Every container (running or not), from a cache at most a second old. */
  async list(): Promise<ContainerFacts[]> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.list;
    // Callers that arrive while a read is in flight share it instead of starting their own.
    this.inflight ??= this.read().then(
      (list) => {
        this.cached = { at: Date.now(), list };
        this.inflight = undefined;
        return list;
      },
      (error: unknown) => {
        this.inflight = undefined;
        throw error;
      },
    );
    return this.inflight;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async read(): Promise<ContainerFacts[]> {
    const filters = this.project ? { label: [`${PROJECT_LABEL}=${this.project}`] } : undefined;
    const list = await this.docker.listContainers({ all: true, ...(filters ? { filters: JSON.stringify(filters) } : {}) });
    const facts = await mapLimit(list, CONCURRENCY, async (summary) => {
      try {
        return toFacts(await this.docker.getContainer(summary.Id).inspect());
      } catch (error) {
        // Removed between list and inspect: it is simply gone.
        if ((error as { statusCode?: number }).statusCode === 404) return null;
        throw error;
      }
    });
    return facts.filter((f): f is ContainerFacts => f !== null).sort((a, b) => a.name.localeCompare(b.name));
  }
}

export function toFacts(inspect: ContainerInspectInfo): ContainerFacts {
  const labels = inspect.Config?.Labels ?? {};
  const health = inspect.State?.Health?.Status;
  return {
    id: inspect.Id,
    name: inspect.Name.replace(/^\//, ''),
    service: labels[SERVICE_LABEL] ?? null,
    project: labels[PROJECT_LABEL] ?? null,
    image: inspect.Config?.Image ?? inspect.Image,
    state: inspect.State?.Status ?? 'unknown',
    health: health === 'healthy' || health === 'unhealthy' || health === 'starting' ? health : 'none',
    restarts: inspect.RestartCount ?? 0,
    labels,
    tty: inspect.Config?.Tty === true,
    exitCode: inspect.State?.Running ? null : (inspect.State?.ExitCode ?? null),
    startedAt: parseDockerTime(inspect.State?.StartedAt),
    finishedAt: parseDockerTime(inspect.State?.FinishedAt),
    env: inspect.Config?.Env ?? [],
  };
}
