/**
 * The recent lines of a few sources, read once (`logs:recent`): what `opsctl logs` prints
 * without `--follow`, and the check before a follow that makes a missing container, a refused
 * token or an unreachable engine an error with a code instead of a source state.
 *
 * The same sources as `logs:follow` (containers of a Docker target, services of an ops-api
 * target), the same entry shape, merged in time order. `tail` counts per source, as in a follow;
 * `tail: 0` returns no lines but still checks every source. Secrets the keychain holds are masked,
 * as in a follow.
 */
import type { ContainerInspectInfo } from 'dockerode';
import { ApiError } from '../../../shared/errors';
import { isoToMs, msToIso } from '../../../shared/iso-time';
import { detectLogLevel } from '../../../shared/log-level';
import type { LogEntry } from '../../../shared/model/logs';
import type { Target } from '../../../shared/model/target';
import { parseDockerLogs } from '../../../node/docker/docker-log-parser';
import { dockerReason } from '../../../node/docker/docker-message';
import { parseDockerTime } from '../../../node/docker/docker-time';
import type { ConnectionManager } from '../connections/connection-manager';
import type { OpsApiService } from '../ops-api/ops-api-service';
import type { TargetsService } from '../targets/targets-service';
import type { LogsService } from './logs-service';
import { DEFAULT_TAIL, parseSourceKey } from './log-source';
import { parseTimeInput } from './time-input';

export interface RecentLogsRequest {
  targetId: string;
  sources: string[];
  tail?: number | undefined;
  since?: string | undefined;
}

export interface RecentLogsDeps {
  targets: Pick<TargetsService, 'get'>;
  connections: Pick<ConnectionManager, 'connection'>;
  opsApi: Pick<OpsApiService, 'client'>;
  /** Masks the keychain's secrets, as a follow's lines are. */
  logs: Pick<LogsService, 'maskEntries'>;
}

const SERVICE_LABEL = 'com.docker.compose.service';
/** Level detection reads only a line's head, as in a follow. */
const LEVEL_HEAD = 4096;

export async function readRecentLogs(deps: RecentLogsDeps, request: RecentLogsRequest): Promise<{ entries: LogEntry[] }> {
  const target = deps.targets.get(request.targetId);
  const sinceMs = request.since ? parseTimeInput(request.since, 'since') : undefined;
  const tail = request.tail ?? (sinceMs === undefined ? DEFAULT_TAIL : undefined);
  const keys = [...new Set(request.sources)];
  for (const key of keys) {
    if (target.kind !== 'ops-api' && parseSourceKey(key).kind !== 'container') {
      throw new ApiError('invalid-request', `${target.name} is a Docker target: read its containers (container:<name>), not ${key}.`);
    }
  }
  const read = (name: string) =>
    target.kind === 'ops-api' ? readOpsApi(deps, target, name, tail, sinceMs) : readDocker(deps, target, name, tail, sinceMs);
  const perSource = await Promise.all(keys.map((key) => read(parseSourceKey(key).name)));
  // Each source's lines are in order already; a stable sort keeps them so within one instant.
  const entries = perSource.flat().sort((a, b) => isoToMs(a.ts) - isoToMs(b.ts));
  deps.logs.maskEntries(entries);
  return { entries };
}

async function readDocker(deps: RecentLogsDeps, target: Target, name: string, tail: number | undefined, sinceMs: number | undefined): Promise<LogEntry[]> {
  const connection = deps.connections.connection(target.id);
  try {
    await connection.ready();
  } catch (error) {
    throw new ApiError('unreachable', error instanceof Error ? error.message : String(error));
  }
  const container = connection.docker.getContainer(name);
  let info: ContainerInspectInfo;
  try {
    info = await container.inspect();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) {
      throw new ApiError('not-found', `There is no container called ${name} on ${target.name}.`);
    }
    throw new ApiError('docker', dockerReason(error));
  }
  if (tail === 0) return [];
  const query: { follow: false; stdout: true; stderr: true; timestamps: true; tail?: number; since?: number } = {
    follow: false,
    stdout: true,
    stderr: true,
    timestamps: true,
  };
  if (tail !== undefined) query.tail = tail;
  // Docker's since is whole seconds; the lines before the exact instant are dropped below.
  if (sinceMs !== undefined) query.since = Math.floor(sinceMs / 1000);
  let body: Buffer;
  try {
    body = (await container.logs(query)) as unknown as Buffer;
  } catch (error) {
    throw new ApiError('docker', dockerReason(error));
  }
  const service = info.Config?.Labels?.[SERVICE_LABEL] ?? null;
  const entries: LogEntry[] = [];
  let lastMs = Date.now();
  for (const line of parseDockerLogs(Buffer.from(body), info.Config?.Tty === true)) {
    // A line without a readable time takes the previous line's.
    const ms = line.tsMs ?? lastMs;
    lastMs = ms;
    if (sinceMs !== undefined && ms < sinceMs) continue;
    entries.push({ ts: msToIso(ms), target: target.id, service, container: name, stream: line.stream, level: levelOf(line.message), message: line.message });
  }
  return entries;
}

async function readOpsApi(deps: RecentLogsDeps, target: Target, name: string, tail: number | undefined, sinceMs: number | undefined): Promise<LogEntry[]> {
  // The ops API takes 1 at the least: a check reads one line and keeps none.
  const reply = await deps.opsApi.client(target.id).logs({
    service: name,
    tail: tail === 0 ? 1 : tail,
    since: sinceMs === undefined ? undefined : new Date(sinceMs).toISOString(),
  });
  if (tail === 0) return [];
  return reply.entries.map((raw) => ({
    ts: parseDockerTime(raw.ts) ?? new Date().toISOString(),
    target: target.id,
    service: raw.service,
    container: name,
    stream: raw.stream,
    level: raw.level ?? levelOf(raw.message),
    message: raw.message,
  }));
}

function levelOf(message: string) {
  return detectLogLevel(message.length > LEVEL_HEAD ? message.slice(0, LEVEL_HEAD) : message);
}
