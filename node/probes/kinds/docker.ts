/**
 * The `docker` kind: how one container on a Docker target stands — running, healthy, restarted.
 *
 * One inspect through the target's existing connection. `RESTARTS` counts restarts since this
 * probe's last run: the engine's RestartCount only counts restarts made by the restart policy
 * (a `docker restart` by hand leaves it alone), so a changed start time counts as at least one.
 * The last health-check log entry is kept as an artifact, since its output says why a container
 * is unhealthy.
 */
import type Docker from 'dockerode';
import type { z } from 'zod';
import type { DockerProbeSettings } from '../../../shared/model/probe';
import { isAbort } from '../../abort';
import type { KindOutcome, PlaceholderValues, ProbeKindModule } from '../probe-kind';
import { messageOf } from './not-connected';

type Settings = z.output<typeof DockerProbeSettings>;

/** Docker's health states, and `none` for a container without a health check. */
export type ContainerHealth = 'healthy' | 'unhealthy' | 'starting' | 'none';

export const dockerKind: ProbeKindModule<Settings> = {
  kind: 'docker',
  // RESTARTS counts the restarts since the last run.
  comparesWithPrevious: true,
  async run(settings, ctx): Promise<KindOutcome> {
    const started = ctx.clock.now();
    let info: Docker.ContainerInspectInfo;
    try {
      const docker = await ctx.docker(settings.targetId);
      info = await inspect(docker.getContainer(settings.container), ctx.signal);
    } catch (error) {
      if (isAbort(error) || ctx.signal.aborted) throw error;
      const notFound = (error as { statusCode?: number }).statusCode === 404;
      return {
        values: { CONNECTED: notFound, RUNNING: false, STATE: notFound ? 'missing' : null },
        metadata: {},
        artifacts: [],
        error: notFound
          ? `There is no container named ${settings.container} on this target — check the name (docker ps -a on the host); a recreated container may have a new name.`
          : messageOf(error),
      };
    }
    return describe(info, ctx.clock.now() - started, ctx.previousValues);
  },
};

function describe(
  info: Docker.ContainerInspectInfo,
  elapsedMs: number,
  previous: PlaceholderValues | null,
): KindOutcome {
  const state = info.State;
  const health = healthOf(state.Health?.Status);
  const restartCount = info.RestartCount ?? 0;
  const values: PlaceholderValues = {
    CONNECTED: true,
    STATE: state.Status,
    RUNNING: state.Running,
    HEALTH: health,
    RESTARTS: restartsSince(previous, info.Id, restartCount, state.StartedAt),
    RESTART_COUNT: restartCount,
    EXIT_CODE: state.ExitCode,
    STARTED_AT: state.StartedAt,
    CONTAINER_ID: info.Id,
    RESPONSE_TIME: elapsedMs,
  };
  const artifacts = [];
  const lastCheck = state.Health?.Log?.at(-1);
  if (lastCheck) {
    artifacts.push({
      name: 'health-check.json',
      contentType: 'application/json',
      data: Buffer.from(JSON.stringify(lastCheck, null, 2)),
      truncated: false,
    });
  }
  return {
    values,
    metadata: {
      image: info.Config.Image,
      status: state.Status,
      health,
      container: info.Name.replace(/^\//, ''),
      containerId: info.Id.slice(0, 12),
    },
    artifacts,
  };
}

/**
 * Restarts since the last run. A different container (recreated under the same name) started
 * at least once since; the same one counts the engine's policy restarts, or one when only its
 * start time moved (a manual restart).
 */
function restartsSince(
  previous: PlaceholderValues | null,
  id: string,
  restartCount: number,
  startedAt: string,
): number {
  if (!previous) return 0;
  if (typeof previous.CONTAINER_ID === 'string' && previous.CONTAINER_ID !== id) return restartCount + 1;
  const before = typeof previous.RESTART_COUNT === 'number' ? previous.RESTART_COUNT : restartCount;
  const counted = Math.max(0, restartCount - before);
  const moved = typeof previous.STARTED_AT === 'string' && previous.STARTED_AT !== startedAt;
  return Math.max(counted, moved ? 1 : 0);
}

function healthOf(status: string | undefined): ContainerHealth {
  // Podman reports an empty status, Docker no Health at all, for a container without a check.
  if (status === 'healthy' || status === 'unhealthy' || status === 'starting') return status;
  return 'none';
}

/** dockerode passes `abortSignal` on to docker-modem; its typings leave it out of inspect. */
function inspect(container: Docker.Container, abortSignal: AbortSignal): Promise<Docker.ContainerInspectInfo> {
  return (
    container as unknown as { inspect(options: { abortSignal: AbortSignal }): Promise<Docker.ContainerInspectInfo> }
  ).inspect({
    abortSignal,
  });
}
