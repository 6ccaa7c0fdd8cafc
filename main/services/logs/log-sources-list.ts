/**
 * What a log pane can follow on a target: every container of a Docker engine (running or not,
 * with its compose project and service), or every service an ops API reports. `signal` abandons
 * the request (the pane that asked was closed).
 */
import type { ContainerInfo } from 'dockerode';
import { ApiError } from '../../../shared/errors';
import { LogSourceKey, type LogSourceOption } from '../../../shared/model/logs';
import { sourceKey } from '../../../shared/log-source-key';
import type { DockerConnection } from '../connections/docker-connection';
import type { OpsApiClient } from '../ops-api/ops-api-client';

const PROJECT_LABEL = 'com.docker.compose.project';
const SERVICE_LABEL = 'com.docker.compose.service';

export async function listDockerSources(connection: DockerConnection, signal?: AbortSignal): Promise<LogSourceOption[]> {
  try {
    await connection.ready();
  } catch (error) {
    throw new ApiError('unreachable', error instanceof Error ? error.message : String(error));
  }
  const list: ContainerInfo[] = await connection.docker.listContainers({ all: true, abortSignal: signal });
  const options = list.flatMap((container): LogSourceOption[] => {
    const name = (container.Names?.[0] ?? container.Id.slice(0, 12)).replace(/^\//, '');
    const key = sourceKey('container', name);
    // A name the contract cannot carry as a key could not be followed anyway.
    if (!LogSourceKey.safeParse(key).success) return [];
    const labels = container.Labels ?? {};
    return [
      {
        key,
        label: name,
        service: labels[SERVICE_LABEL] ?? null,
        project: labels[PROJECT_LABEL] ?? null,
        state: container.State ?? null,
      },
    ];
  });
  return options.sort(byProjectServiceName);
}

export async function listOpsApiSources(client: Pick<OpsApiClient, 'context'>, signal?: AbortSignal): Promise<LogSourceOption[]> {
  const context = await client.context({ signal });
  if (!context.docker.ok) {
    throw new ApiError('unreachable', `The ops API could not list its containers: ${context.docker.error}`);
  }
  const services = new Map<string, LogSourceOption>();
  for (const container of context.docker.data.containers) {
    const name = container.service ?? container.name;
    const key = sourceKey('service', name);
    if (!LogSourceKey.safeParse(key).success) continue;
    const known = services.get(key);
    // A service with several replicas is running when any of them is.
    if (known) {
      if (container.state === 'running') known.state = 'running';
      continue;
    }
    services.set(key, {
      key,
      label: name,
      service: container.service,
      project: container.project,
      state: container.state,
    });
  }
  return [...services.values()].sort(byProjectServiceName);
}

function byProjectServiceName(a: LogSourceOption, b: LogSourceOption): number {
  return (a.project ?? '\uffff').localeCompare(b.project ?? '\uffff') || a.label.localeCompare(b.label);
}
