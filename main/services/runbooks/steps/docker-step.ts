/**
 * The `docker` step kind: inspect, pull, recreate, restart, stop or start one container of a
 * Docker target (local or over SSH), through the connection the app keeps for that target.
 *
 * `service` names a compose service (label com.docker.compose.service) or else a container;
 * `container` names one directly. Inspect records the facts an approval is bound to (the image,
 * the start time, the state); the actions that change a container are written to the audit log
 * like the Overview's own buttons.
 */
import type Docker from 'dockerode';
import type { ContainerInspectInfo } from 'dockerode';
import type { DockerStepParams } from '../../../../shared/model/runbook-steps';
import type { Target } from '../../../../shared/model/target';
import { abortReason } from '../../../../node/abort';
import { dockerReason } from '../../../../node/docker/docker-message';
import type { z } from 'zod';
import { StepFailure, type StepContext, type StepKind, type StepOutcome } from '../step-kind';
import { findContainer, selectorLabel } from './container-match';
import { inspectContainer, inspectImage, restartContainer, startContainer, stopContainer } from './docker-engine';
import { ensureImage } from './docker-pull';
import { recreateContainer } from './docker-recreate';
import { dockerOf } from './docker-target';
import { parseImageRef, wantedImage } from './image-ref';

type Params = z.output<typeof DockerStepParams>;

const REVISION_LABEL = 'org.opencontainers.image.revision';

export const dockerStep: StepKind<'docker'> = {
  kind: 'docker',
  changes: (params) => params.action !== 'inspect' && params.action !== 'pull',
  // Each action leaves the same end state when done twice (recreating with the same image again is safe).
  repeatable: () => true,
  describe(params, target) {
    const subject = selectorLabel(params);
    const on = target ? ` on ${target.name}` : '';
    const image = params.image?.trim() || (params.tag?.trim() ? `tag ${params.tag.trim()}` : '');
    switch (params.action) {
      case 'inspect':
        return `Inspect ${subject}${on}`;
      case 'pull':
        return `Pull ${image || `the image of ${subject}`}${on}`;
      case 'recreate':
        return `Recreate ${subject}${on} with ${image || 'its current image'}`;
      default:
        return `${params.action[0]!.toUpperCase()}${params.action.slice(1)} ${subject}${on}`;
    }
  },
  async run(params, context) {
    const { target, docker } = await dockerOf(context);
    try {
      return await runAction(params, context, target, docker);
    } catch (error) {
      if (context.signal.aborted) throw abortReason(context.signal);
      if (error instanceof StepFailure) throw error;
      throw new StepFailure(`${selectorLabel(params)} on ${target.name}: ${dockerReason(error)}.`);
    }
  },
};

async function runAction(params: Params, context: StepContext, target: Target, docker: Docker): Promise<StepOutcome> {
  const label = selectorLabel(params);
  const match = await findContainer(docker, params, target.name, context.signal);

  if (params.action === 'inspect') {
    const info = await inspectContainer(docker, match.id, context.signal);
    const outputs = await inspectOutputs(docker, info, context.signal);
    context.fact(`container:${label}:image`, `${label} image`, outputs.image);
    context.fact(`container:${label}:startedAt`, `${label} started at`, outputs.startedAt);
    context.fact(`container:${label}:state`, `${label} state`, outputs.state);
    const health = outputs.health === 'none' ? '' : `, ${outputs.health}`;
    return { message: `${outputs.container} is ${outputs.state}${health} on ${outputs.image}`, outputs };
  }

  if (params.action === 'pull') {
    const current = params.image?.trim() ? null : (await inspectContainer(docker, match.id, context.signal)).Config.Image;
    const image = wantedImage(params, current) ?? current;
    if (!image) throw new StepFailure('Say which image to pull: set image, or tag to keep the container’s repository.');
    const pulled = await ensureImage(docker, image, context, true);
    return { message: pulled.pulled ? `Pulled ${image}` : `${image} is on ${target.name} (not pulled)`, outputs: { image } };
  }

  if (params.action === 'recreate') {
    const current = (await inspectContainer(docker, match.id, context.signal)).Config.Image;
    const image = wantedImage(params, current);
    if (!image) throw new StepFailure(`Say which image to recreate ${label} with: set image, or tag to keep its repository.`);
    // When the change began: deploy's error scan counts log lines from here on, not the old container's.
    const startedAt = new Date(context.clock.now()).toISOString();
    const result = await audited(context, target, match.name, 'recreate', { image, previousImage: current }, () =>
      recreateContainer(docker, match.id, image, label, context),
    );
    return { message: `${label} recreated with ${image}`, outputs: { ...result, startedAt } };
  }

  const action = params.action;
  await audited(context, target, match.name, action, {}, () => {
    if (action === 'restart') return restartContainer(docker, match.id, context.signal);
    if (action === 'stop') return stopContainer(docker, match.id, context.signal);
    return startContainer(docker, match.id, context.signal);
  });
  const done = action === 'restart' ? 'restarted' : action === 'stop' ? 'stopped' : 'started';
  return { message: `${match.name} ${done}`, outputs: { container: match.name, containerId: match.id } };
}

/** What an inspect reports; the wait step reads the same fields. */
export async function inspectOutputs(docker: Docker, info: ContainerInspectInfo, signal: AbortSignal) {
  const image = info.Config.Image;
  const { repository, tag } = parseImageRef(image);
  let revision = info.Config.Labels?.[REVISION_LABEL];
  if (revision === undefined) {
    const imageInfo = await inspectImage(docker, info.Image, signal).catch(() => null);
    revision = imageInfo?.Config?.Labels?.[REVISION_LABEL];
  }
  return {
    container: info.Name.replace(/^\//, ''),
    containerId: info.Id,
    image,
    repository,
    tag,
    imageId: info.Image,
    state: info.State.Status,
    health: healthOf(info),
    startedAt: info.State.StartedAt,
    restartCount: info.RestartCount,
    revision: revision ?? '',
  };
}

export function healthOf(info: ContainerInspectInfo): 'healthy' | 'unhealthy' | 'starting' | 'none' {
  const status = info.State.Health?.Status;
  return status === 'healthy' || status === 'unhealthy' || status === 'starting' ? status : 'none';
}

/** Runs a changing action and writes it to the audit log with its outcome, as the Overview's buttons do. */
async function audited<T>(
  context: StepContext,
  target: Target,
  subject: string,
  action: string,
  detail: Record<string, unknown>,
  act: () => Promise<T>,
): Promise<T> {
  const entry = {
    subjectKind: 'container',
    subject,
    action,
    target: { id: target.id, name: target.name, environment: target.environment },
  } as const;
  try {
    const result = await act();
    context.services.audit.record({ ...entry, outcome: 'ok', detail: { ...detail, runId: context.runId } });
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    context.services.audit.record({ ...entry, outcome: 'error', detail: { ...detail, runId: context.runId, message } });
    throw error;
  }
}
