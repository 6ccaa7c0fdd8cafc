/**
 * What the app lends a probe run from its targets: a Docker client, a command on an SSH host,
 * an ops-API context.
 *
 * Each goes through the connection the rest of the app already keeps for that target (one SSH
 * handshake per host, the pinned host key, the keychain-held token), so a probe adds no
 * connection of its own and is refused exactly where the Overview would be. A target of the
 * wrong kind is refused with one sentence naming what the probe needs.
 */
import type Docker from 'dockerode';
import { ApiError } from '../../../shared/errors';
import type { Target } from '../../../shared/model/target';
import { untilAborted } from '../../../node/abort';
import type { ProbeRunContext } from '../../../node/probes/probe-kind';
import type { ConnectionManager } from '../connections/connection-manager';
import { SshDockerConnection } from '../connections/docker-connection';
import type { OpsApiService } from '../ops-api/ops-api-service';
import type { TargetsService } from '../targets/targets-service';

export interface ProbeCapabilityDeps {
  targets: TargetsService;
  connections: ConnectionManager;
  opsApi: OpsApiService;
}

export type ProbeCapabilities = Pick<ProbeRunContext, 'sshExec' | 'opsContext'> & {
  /** As ProbeRunContext's, with an optional signal that stops the wait for the connection. */
  docker(targetId: string, signal?: AbortSignal): Promise<Docker>;
};

export function createProbeCapabilities({ targets, connections, opsApi }: ProbeCapabilityDeps): ProbeCapabilities {
  return {
    async docker(targetId, signal) {
      const target = targets.get(targetId);
      if (target.kind === 'ops-api') {
        throw new ApiError(
          'invalid-request',
          `${target.name} is an ops API target — a docker probe needs a Docker target (local or over SSH).`,
        );
      }
      const connection = connections.connection(targetId);
      await untilAborted(connection.ready(), signal);
      return connection.docker;
    },

    async sshExec(targetId, command, outputCap, signal) {
      const target = targets.get(targetId);
      if (target.kind !== 'docker-ssh') {
        throw new ApiError(
          'invalid-request',
          `${target.name} ${kindPhrase(target)} — an ssh probe needs a Docker-over-SSH target, whose host it runs the command on.`,
        );
      }
      const connection = connections.connection(targetId);
      // The manager makes an SSH connection for every docker-ssh target; anything else is a bug.
      if (!(connection instanceof SshDockerConnection))
        throw new ApiError('internal', `${target.name} has no SSH connection — reconnect it and try again.`);
      const { exitCode, output, truncated } = await connection.exec(command, { signal, outputCap });
      return { exitCode, output, truncated };
    },

    async opsContext(targetId, signal) {
      const target = targets.get(targetId);
      if (target.kind !== 'ops-api') {
        throw new ApiError(
          'invalid-request',
          `${target.name} ${kindPhrase(target)} — an ops-api probe needs an ops API target.`,
        );
      }
      return opsApi.client(targetId).context({ signal });
    },
  };
}

function kindPhrase(target: Target): string {
  if (target.kind === 'docker-local') return 'is a local Docker target';
  if (target.kind === 'docker-ssh') return 'is a Docker-over-SSH target';
  return 'is an ops API target';
}
