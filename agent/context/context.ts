/**
 * `GET /api/ops/context`: one snapshot of the host. Every section is read in parallel and on its
 * own: one that throws or times out becomes `{ ok: false, error }` and the others still answer,
 * because half a picture during an incident beats an error page.
 */
import type { OpsAlert, OpsContext } from '../../shared/model/ops';
import { containerAlerts, dockerDownAlert, frontendAlerts } from '../alerts';
import type { AgentConfig } from '../config';
import { dockerMessage } from '../../node/docker/docker-message';
import type { ContainerReader } from '../docker';
import type { BeaconStore } from '../frontend/beacon-store';
import { readDeploy } from './deploy';
import { readHost } from './host';
import type { MigrationsRunner, Shorten } from './migrations';

export interface ContextDeps {
  config: AgentConfig;
  env: NodeJS.ProcessEnv;
  containers: ContainerReader;
  migrations: MigrationsRunner;
  beacons: BeaconStore;
}

type Section<T> = { ok: true; data: T } | { ok: false; error: string };

/** `shorten` cuts the texts the context shortens; a support bundle passes its redactor's `textCut`. */
export async function buildContext(deps: ContextDeps, shorten?: Shorten): Promise<OpsContext> {
  const { config } = deps;
  // A section may take as long as its slowest part (the migrations command, a Docker request) and a little more.
  const limitMs = (Math.max(config.migrations.timeoutSeconds, config.docker.timeoutSeconds) + 2) * 1000;
  const [host, deploy, migrations, docker, frontend, alerts] = await Promise.all([
    settle(() => readHost(config.disk.mounts), limitMs, 'host'),
    settle(() => readDeploy(config.deploy, deps.env, () => deps.containers.list()), limitMs, 'deploy'),
    deps.migrations.read(shorten).catch((error: unknown) => ({ ok: false as const, error: String(error) })),
    settle(async () => ({ containers: (await deps.containers.list()).map(publicContainer) }), limitMs, 'docker', dockerMessage),
    settle(async () => deps.beacons.summary(), limitMs, 'frontend'),
    settle(() => currentAlerts(deps), limitMs, 'alerts'),
  ]);
  return { generatedAt: new Date().toISOString(), host, deploy, migrations, docker, frontend, alerts };
}

export async function currentAlerts(deps: ContextDeps): Promise<OpsAlert[]> {
  const now = new Date();
  const alerts: OpsAlert[] = [];
  try {
    alerts.push(...containerAlerts(await deps.containers.list(), now.toISOString()));
  } catch (error) {
    alerts.push(dockerDownAlert(dockerMessage(error), now.toISOString()));
  }
  alerts.push(...frontendAlerts(deps.beacons, deps.config.alerts.frontendBurst, deps.config.alerts.frontendBurstWindowSeconds, now.getTime()));
  const order = { critical: 0, warning: 1, info: 2 } as const;
  return alerts.sort((a, b) => order[a.severity] - order[b.severity] || a.id.localeCompare(b.id));
}

function publicContainer(c: Awaited<ReturnType<ContainerReader['list']>>[number]) {
  return { id: c.id, name: c.name, service: c.service, project: c.project, image: c.image, state: c.state, health: c.health, restarts: c.restarts };
}

async function settle<T>(read: () => Promise<T>, limitMs: number, name: string, describe: (error: unknown) => string = message): Promise<Section<T>> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`The ${name} section did not answer within ${Math.round(limitMs / 1000)} s.`)), limitMs);
    });
    return { ok: true, data: await Promise.race([read(), timeout]) };
  } catch (error) {
    return { ok: false, error: describe(error) };
  } finally {
    clearTimeout(timer);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
