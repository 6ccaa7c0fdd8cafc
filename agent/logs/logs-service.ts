/**
 * `GET /api/ops/logs`: the recent output of a compose service (every replica, merged by time) or
 * of one container, as JSON entries with a detected level, or as plain text.
 */
import type Docker from 'dockerode';
import type { OpsLogEntry } from '../../shared/model/ops';
import { detectLogLevel } from '../../shared/log-level';
import type { ContainerFacts, ContainerReader } from '../docker';
import { HttpError } from '../http-error';
import { parseDockerLogs } from '../../node/docker/docker-log-parser';

export interface LogQuery {
  service: string;
  tail: number;
  /** Milliseconds since the epoch. */
  sinceMs: number | null;
}

export interface LogResult {
  service: string;
  containers: ContainerFacts[];
  entries: (OpsLogEntry & { container: string })[];
}

export class LogsService {
  constructor(
    private readonly docker: Docker,
    private readonly containers: ContainerReader,
  ) {}

  /** The containers a name means: a compose service's replicas, a container name, or an id prefix. */
  async resolve(service: string): Promise<ContainerFacts[]> {
    const all = await this.containers.list();
    const byService = all.filter((c) => c.service === service);
    if (byService.length) return byService;
    const byName = all.filter((c) => c.name === service || (service.length >= 12 && c.id.startsWith(service)));
    if (byName.length) return byName;
    const known = knownServices(all);
    throw new HttpError(
      404,
      known.length
        ? `There is no service or container called "${service}"; known services: ${known.join(', ')}.`
        : `There is no service or container called "${service}"; the Docker engine reports no containers.`,
    );
  }

  async read(query: LogQuery): Promise<LogResult> {
    const containers = await this.resolve(query.service);
    const perContainer = await Promise.all(containers.map((c) => this.readContainer(c, query)));
    // A stable sort by time keeps each container's own order for lines with the same second.
    const entries = perContainer.flat().sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    return { service: query.service, containers, entries: entries.slice(-query.tail) };
  }

  private async readContainer(container: ContainerFacts, query: LogQuery): Promise<LogResult['entries']> {
    const options: { stdout: true; stderr: true; timestamps: true; follow: false; tail: number; since?: number } = {
      stdout: true,
      stderr: true,
      timestamps: true,
      follow: false,
      tail: query.tail,
    };
    // Docker takes whole seconds (podman keeps only whole seconds anyway); the exact cut is made below.
    if (query.sinceMs !== null) options.since = Math.floor(query.sinceMs / 1000);
    const body = (await this.docker.getContainer(container.id).logs(options)) as unknown as Buffer | string;
    const buffer = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    return logEntries(buffer, container, query.sinceMs);
  }
}

/**
 * One container's log response as entries: the shared Docker log parser (the app's, so a line is
 * cut and marked the same in both), a level per line, and the exact `since` cut Docker's whole
 * seconds could not make.
 */
export function logEntries(body: Buffer, container: Pick<ContainerFacts, 'name' | 'service' | 'tty'>, sinceMs: number | null): LogResult['entries'] {
  const sinceIso = sinceMs !== null ? new Date(sinceMs).toISOString() : null;
  const service = container.service ?? container.name;
  const fallbackTs = new Date().toISOString();
  // A line without a readable time of its own takes the one before it (or now, for the first).
  let lastTs: string | null = null;
  return parseDockerLogs(body, container.tty)
    .map((line) => {
      const ts = line.tsMs === null ? lastTs : new Date(line.tsMs).toISOString();
      lastTs = ts;
      return {
        ts: ts ?? fallbackTs,
        service,
        stream: line.stream,
        level: detectLogLevel(line.message),
        message: line.message,
        container: container.name,
      };
    })
    .filter((entry) => sinceIso === null || entry.ts >= sinceIso);
}

export function knownServices(containers: readonly ContainerFacts[]): string[] {
  return [...new Set(containers.map((c) => c.service ?? c.name))].sort();
}

/** Plain text: lines as the program wrote them; with several containers, prefixed like `docker compose logs`. */
export function toPlain(result: LogResult): string {
  const prefix = result.containers.length > 1;
  const width = prefix ? Math.max(...result.containers.map((c) => c.name.length)) : 0;
  return result.entries.map((e) => (prefix ? `${e.container.padEnd(width)} | ${e.message}` : e.message)).join('\n') + (result.entries.length ? '\n' : '');
}
