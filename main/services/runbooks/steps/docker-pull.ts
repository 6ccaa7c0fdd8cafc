/**
 * Getting an image onto the target before a recreate, or on its own (`docker pull`).
 *
 * The choice: a recreate pulls only when the engine lacks the image, since a tag already there is
 * what the runbook asked for and many hosts (and the tests' podman) have no registry to ask. An
 * explicit `pull` always asks the registry; when that fails but the image is there, the step warns
 * and goes on with the local copy — it only fails when the image is neither there nor pullable.
 * Progress arrives as the engine streams it: one event per layer and status change, not per byte.
 */
import type Docker from 'dockerode';
import { abortReason } from '../../../../node/abort';
import { dockerReason } from '../../../../node/docker/docker-message';
import { StepFailure, type StepContext } from '../step-kind';
import { inspectImage, pullImage } from './docker-engine';

export interface EnsuredImage {
  image: string;
  pulled: boolean;
  imageId: string | null;
}

export async function ensureImage(docker: Docker, image: string, context: StepContext, explicit: boolean): Promise<EnsuredImage> {
  const { signal } = context;
  const local = await inspectImage(docker, image, signal).catch((error: unknown) => {
    if (signal.aborted) throw abortReason(signal);
    throw new StepFailure(`${image} could not be looked up on the target: ${dockerReason(error)}.`);
  });
  if (local && !explicit) {
    context.log('info', `${image} is already on the target; not pulling.`);
    return { image, pulled: false, imageId: local.Id };
  }
  context.log('info', `Pulling ${image}…`);
  const seen = new Set<string>();
  try {
    await pullImage(docker, image, signal, (event) => {
      if (!event.status) return;
      const key = `${event.id ?? ''}\0${event.status}`;
      if (seen.has(key)) return;
      seen.add(key);
      context.log('info', event.id ? `${event.id}: ${event.status}` : event.status, { pull: image });
    });
  } catch (error) {
    if (signal.aborted) throw abortReason(signal);
    if (local) {
      context.log('warn', `${image} could not be pulled (${dockerReason(error)}); using the copy already on the target.`);
      return { image, pulled: false, imageId: local.Id };
    }
    throw new StepFailure(
      `${image} is not on the target and could not be pulled (${dockerReason(error)}) — check the image name and that the host can reach its registry; nothing was changed.`,
    );
  }
  const pulled = await inspectImage(docker, image, signal);
  context.log('info', `Pulled ${image}.`);
  return { image, pulled: true, imageId: pulled?.Id ?? null };
}
