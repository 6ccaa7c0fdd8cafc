/**
 * `docker recreate`: the same container on another image — the heart of a deploy.
 *
 * The new container gets the old one's configuration (environment, labels, command, ports,
 * healthcheck, working directory, user; the host configuration with its mounts, port bindings and
 * restart policy as inspected; its user networks with their aliases) and the new image. Values
 * the old container only had because its image set them (the image's PATH, its labels such as
 * org.opencontainers.image.revision, its default command) are left out, so the new image's own
 * apply — otherwise a deploy would carry the previous revision's label forward.
 *
 * Order: create under a temporary name (nothing has changed yet if that fails) → stop the old
 * one → rename it to `<name>-previous-<12 id>` → rename the new one to `<name>` → start it →
 * remove the old one. A failure (or a cancel) after the old one stopped puts it back: the new one
 * is removed, the old one renamed back and started again.
 */
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { ContainerInspectInfo, ImageInspectInfo } from 'dockerode';
import { abortReason } from '../../../../node/abort';
import { dockerReason } from '../../../../node/docker/docker-message';
import { StepFailure, type StepContext } from '../step-kind';
import {
  connectNetwork,
  createContainer,
  inspectContainer,
  inspectImage,
  removeContainer,
  renameContainer,
  startContainer,
  stopContainer,
} from './docker-engine';
import { ensureImage } from './docker-pull';

export interface RecreateResult {
  container: string;
  containerId: string;
  image: string;
  previousImage: string;
  previousContainerId: string;
}

/** Container settings carried over; each is dropped when it merely repeats the old image's. */
const KEPT_CONFIG = [
  'Env',
  'Labels',
  'Cmd',
  'Entrypoint',
  'ExposedPorts',
  'Healthcheck',
  'WorkingDir',
  'User',
  'Tty',
  'OpenStdin',
  'StdinOnce',
  'StopSignal',
  'StopTimeout',
  'Volumes',
] as const;

/** Networks every engine has; a container on one of them is placed by HostConfig.NetworkMode alone. */
const BUILTIN_NETWORKS = new Set(['bridge', 'host', 'none', 'default', 'podman']);

export async function recreateContainer(
  docker: Docker,
  id: string,
  image: string,
  label: string,
  context: StepContext,
): Promise<RecreateResult> {
  const { signal } = context;
  const old = await inspectContainer(docker, id, signal);
  const name = old.Name.replace(/^\//, '');
  const previousImage = old.Config.Image;
  const wasRunning = old.State.Running;

  await ensureImage(docker, image, context, false);
  const oldImage = await inspectImage(docker, old.Image, signal).catch(() => null);
  const { body, extraNetworks } = creationOf(old, image, oldImage);

  const tempName = `${name}-next-${randomBytes(4).toString('hex')}`;
  let newId: string;
  try {
    newId = await createContainer(docker, tempName, body, signal);
    for (const [network, endpoint] of extraNetworks) await connectNetwork(docker, network, newId, endpoint, signal);
  } catch (error) {
    await removeTemp(docker, tempName);
    if (signal.aborted) throw abortReason(signal);
    throw new StepFailure(`${label} could not be recreated with ${image}: Docker refused the new container (${dockerReason(error)}); nothing was changed.`);
  }
  context.log('info', `Created ${tempName} from ${image}.`);

  const previousName = `${name}-previous-${old.Id.slice(0, 12)}`;
  const done = { stopped: false, renamedOld: false };
  try {
    // Not aborted from here on by the signal itself: a half-made swap is worse than a late cancel.
    await stopContainer(docker, old.Id, undefined);
    done.stopped = true;
    checkCancelled(signal);
    await renameContainer(docker, old.Id, previousName, undefined);
    done.renamedOld = true;
    await renameContainer(docker, newId, name, undefined);
    checkCancelled(signal);
    await startContainer(docker, newId, undefined);
    checkCancelled(signal);
  } catch (error) {
    const problems = await putBack(docker, { oldId: old.Id, newId, name, wasRunning, ...done });
    const reason = signal.aborted ? 'the run was cancelled' : dockerReason(error);
    const after = problems.length
      ? `putting the previous container back failed too (${problems.join('; ')}) — check ${name} in the Overview.`
      : `the previous container is ${wasRunning ? 'running again' : 'back'} as ${name}.`;
    const message = `${label} could not be recreated with ${image}: ${reason}; ${after}`;
    if (signal.aborted) {
      context.log('warn', message);
      throw abortReason(signal);
    }
    throw new StepFailure(message, { container: name, previousImage, previousContainerId: old.Id });
  }
  context.log('info', `Started ${name} from ${image}; removing the previous container.`);

  try {
    await removeContainer(docker, old.Id, true, undefined);
  } catch (error) {
    // The new container runs: a leftover stopped one is worth a warning, not a failed deploy.
    context.log('warn', `The previous container was left as ${previousName}: ${dockerReason(error)} — remove it by hand.`);
  }
  return { container: name, containerId: newId, image, previousImage, previousContainerId: old.Id };
}

function checkCancelled(signal: AbortSignal) {
  if (signal.aborted) throw abortReason(signal);
}

/** Undoes a swap that went part of the way; returns what could not be undone. */
async function putBack(
  docker: Docker,
  s: { oldId: string; newId: string; name: string; wasRunning: boolean; stopped: boolean; renamedOld: boolean },
): Promise<string[]> {
  const problems: string[] = [];
  const attempt = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (error) {
      problems.push(`${what}: ${dockerReason(error)}`);
    }
  };
  // The new container goes first: it may hold the name the old one needs back.
  await attempt('removing the new container', () => removeContainer(docker, s.newId, true, undefined));
  if (s.renamedOld) await attempt(`renaming the previous container back to ${s.name}`, () => renameContainer(docker, s.oldId, s.name, undefined));
  if (s.stopped && s.wasRunning) await attempt('starting the previous container', () => startContainer(docker, s.oldId, undefined));
  return problems;
}

async function removeTemp(docker: Docker, tempName: string) {
  await removeContainer(docker, tempName, true, undefined).catch(() => undefined);
}

/** The create request for the new container, and the user networks to connect it to before it starts. */
export function creationOf(
  old: ContainerInspectInfo,
  image: string,
  oldImage: ImageInspectInfo | null,
): { body: Record<string, unknown>; extraNetworks: [string, Record<string, unknown>][] } {
  const config = old.Config as unknown as Record<string, unknown>;
  const imageConfig = (oldImage?.Config ?? {}) as unknown as Record<string, unknown>;
  const body: Record<string, unknown> = { Image: image };
  for (const key of KEPT_CONFIG) {
    const value = config[key];
    if (value === undefined || value === null) continue;
    if (key === 'Env') body.Env = (value as string[]).filter((entry) => !((imageConfig.Env as string[] | undefined) ?? []).includes(entry));
    else if (key === 'Labels') body.Labels = ownLabels(value as Record<string, string>, imageConfig.Labels as Record<string, string> | undefined);
    else if (!sameValue(value, imageConfig[key])) body[key] = value;
  }
  body.HostConfig = hostConfigOf(old.HostConfig);

  const mode = old.HostConfig.NetworkMode ?? '';
  const networks = Object.entries(old.NetworkSettings?.Networks ?? {}).filter(([network]) => !BUILTIN_NETWORKS.has(network));
  const shortId = old.Id.slice(0, 12);
  const endpoint = (settings: Docker.NetworkInfo): Record<string, unknown> => ({
    // Docker adds the container's short id as an alias; the new container gets its own.
    Aliases: ((settings.Aliases ?? []) as string[]).filter((alias) => alias !== shortId),
    ...(settings.IPAMConfig ? { IPAMConfig: settings.IPAMConfig } : {}),
    ...(settings.Links ? { Links: settings.Links } : {}),
  });
  // Older engines accept one network at create; the others are connected before the start.
  const primary = networks.find(([network]) => network === mode) ?? (mode.startsWith('container:') ? undefined : networks[0]);
  if (primary) body.NetworkingConfig = { EndpointsConfig: { [primary[0]]: endpoint(primary[1]) } };
  const extraNetworks = networks.filter((entry) => entry !== primary).map(([network, settings]) => [network, endpoint(settings)] as [string, Record<string, unknown>]);
  return { body, extraNetworks };
}

/**
 * The host configuration as inspected, in the form create accepts: podman reports ulimits by their
 * kernel names (`RLIMIT_NOFILE`) yet only takes Docker's (`nofile`) back.
 */
function hostConfigOf(hostConfig: ContainerInspectInfo['HostConfig']): Record<string, unknown> {
  const ulimits = (hostConfig as { Ulimits?: { Name: string; Soft: number; Hard: number }[] | null }).Ulimits;
  if (!ulimits?.length) return { ...hostConfig };
  return { ...hostConfig, Ulimits: ulimits.map((u) => ({ ...u, Name: u.Name.replace(/^RLIMIT_/i, '').toLowerCase() })) };
}

function ownLabels(labels: Record<string, string>, imageLabels: Record<string, string> | undefined): Record<string, string> {
  const own: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) if (imageLabels?.[key] !== value) own[key] = value;
  return own;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
