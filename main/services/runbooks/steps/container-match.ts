/**
 * Which container a step means: `service` is a compose service (label
 * com.docker.compose.service) or else a container name; `container` is a name or an id.
 *
 * A recreate leaves short-lived siblings (`<name>-next-…` while it runs, `<name>-previous-…`
 * if it could not clean up): they carry the same compose labels but are never the service.
 */
import type Docker from 'dockerode';
import type { ContainerInfo } from 'dockerode';
import { dockerReason } from '../../../../node/docker/docker-message';
import { StepFailure } from '../step-kind';

export const SERVICE_LABEL = 'com.docker.compose.service';
const SIBLING = /-(?:previous-[0-9a-f]{12}|next-[0-9a-f]{8})$/;

export interface ContainerSelector {
  service?: string | undefined;
  container?: string | undefined;
}

export interface MatchedContainer {
  id: string;
  name: string;
}

/** How the selector reads in sentences: "backend", "container web-1". */
export function selectorLabel(selector: ContainerSelector): string {
  return selector.service?.trim() || selector.container?.trim() || 'the container';
}

export async function findContainer(
  docker: Docker,
  selector: ContainerSelector,
  targetName: string,
  signal: AbortSignal,
): Promise<MatchedContainer> {
  const service = selector.service?.trim();
  const container = selector.container?.trim();
  if (!service && !container) {
    throw new StepFailure('Name the container: set service (a compose service) or container (a name or id).');
  }
  let list: ContainerInfo[];
  try {
    list = await docker.listContainers({ all: true, abortSignal: signal } as Docker.ContainerListOptions);
  } catch (error) {
    if (signal.aborted) throw error;
    throw new StepFailure(`The containers of ${targetName} could not be listed: ${dockerReason(error)}.`);
  }
  const named = (c: ContainerInfo) => (c.Names[0] ?? '').replace(/^\//, '');
  let matches: ContainerInfo[];
  if (container) {
    matches = list.filter((c) => named(c) === container || c.Id === container || (container.length >= 12 && c.Id.startsWith(container)));
  } else {
    matches = list.filter((c) => c.Labels?.[SERVICE_LABEL] === service && !SIBLING.test(named(c)));
    if (!matches.length) matches = list.filter((c) => named(c) === service);
  }
  if (!matches.length) {
    throw new StepFailure(
      `${targetName} has no container ${container ? `named ${container}` : `for service ${service}`} — check the name in the Overview.`,
    );
  }
  if (matches.length > 1) {
    // Several replicas of one service: a recreate or restart must not pick one at random.
    const names = matches.map(named).sort();
    throw new StepFailure(`Service ${service} has ${matches.length} containers on ${targetName} (${names.join(', ')}) — name one with container:.`);
  }
  return { id: matches[0]!.Id, name: named(matches[0]!) };
}
