/**
 * context.json: what the target says it is now. For an ops-API target its `/api/ops/context`;
 * for a Docker target its overview plus, per container, the facts a diff after a deploy needs —
 * image tag and digest, health, restarts, start time, compose labels — and its environment as
 * KEY=VALUE, whose secret-looking values the redactor then masks everywhere in the bundle.
 */
import type { ContainerInspectInfo } from 'dockerode';
import type { DockerOverview } from '../../../../shared/model/docker';
import type { OpsContext } from '../../../../shared/model/ops';
import { envPairs, secretValues } from '../../../../node/redact/redactor';
import { mapLimit } from '../../../../node/map-limit';
import { untilAborted } from '../../../../node/abort';
import type { Target } from '../../../../shared/model/target';
import type { Services } from '../../index';
import { sized, type SectionCollector, type SectionEstimator } from './section-kit';

/** The shape of context.json (the diff reads it). */
export type BundleContext =
  | { kind: 'ops-api'; context: OpsContext }
  | { kind: 'docker'; overview: DockerOverview; containers: ContainerFacts[] };

export interface ContainerFacts {
  id: string;
  name: string;
  project: string | null;
  service: string | null;
  /** The image as the container names it (`repo:tag`). */
  image: string;
  imageId: string;
  /** `repo@sha256:…` from the image's RepoDigests; null for an image built locally. */
  imageDigest: string | null;
  imageTags: string[];
  state: string;
  health: string;
  restartCount: number;
  startedAt: string | null;
  createdAt: string | null;
  /** Compose labels (com.docker.compose.*) and the image revision label. */
  labels: Record<string, string>;
  /** KEY=VALUE, secret values redacted. */
  env: string[];
}

const INSPECT_CONCURRENCY = 4;
/** Kept beside compose's labels: the image revision a Docker target's deployed SHA is read from (the diff). */
const REVISION_LABELS = ['org.opencontainers.image.revision', 'org.label-schema.vcs-ref'];
/** How long a target gets to show its containers' environments before an export goes on without. */
const ENV_LOOKUP_MS = 15_000;

/**
 * The secret-looking values of every container's environment (DB_PASSWORD=…, a password in a
 * DATABASE_URL), read before the redactor is made so they are masked in every file — logs and
 * the context alike. An unreachable target gives none (its context is then not collected).
 */
export async function environmentSecrets(services: Services, target: Target, signal: AbortSignal): Promise<string[]> {
  if (target.kind === 'ops-api') return [];
  const abort = AbortSignal.any([signal, AbortSignal.timeout(ENV_LOOKUP_MS)]);
  try {
    const connection = services.connections.connection(target.id);
    await untilAborted(connection.ready(), abort);
    const containers = await untilAborted(connection.docker.listContainers({ all: true }), abort);
    const envs = await mapLimit(containers, INSPECT_CONCURRENCY, async (container) => {
      try {
        return (await untilAborted(connection.docker.getContainer(container.Id).inspect(), abort)).Config?.Env ?? [];
      } catch {
        return [];
      }
    });
    return secretValues(envPairs(envs.flat()));
  } catch {
    return [];
  }
}

export const collectContext: SectionCollector = async (run) => {
  const { services, target, signal } = run;
  if (target.kind === 'ops-api') {
    const context = await services.opsApi.client(target.id).context({ signal });
    const value: BundleContext = { kind: 'ops-api', context };
    await run.addJson('context.json', value);
    return;
  }
  const overview = await services.overview.snapshot(target.id, signal);
  run.progress(0.3, 'Reading each container');
  const summaries = [...overview.projects.flatMap((p) => p.services.flatMap((s) => s.containers)), ...overview.ungrouped];
  const docker = services.connections.connection(target.id).docker;
  const failed: string[] = [];
  const containers = await mapLimit(summaries, INSPECT_CONCURRENCY, async (summary): Promise<ContainerFacts> => {
    let info: ContainerInspectInfo | null = null;
    let digests: string[] = [];
    let tags: string[] = [];
    try {
      info = await docker.getContainer(summary.id).inspect();
      const image = await docker.getImage(info.Image).inspect();
      digests = image.RepoDigests ?? [];
      tags = image.RepoTags ?? [];
    } catch {
      failed.push(summary.name);
    }
    const env = info?.Config?.Env ?? [];
    run.addSecrets(secretValues(envPairs(env)));
    const labels = Object.fromEntries(Object.entries(info?.Config?.Labels ?? {}).filter(([key]) => key.startsWith('com.docker.compose.') || REVISION_LABELS.includes(key)));
    return {
      id: summary.id,
      name: summary.name,
      project: summary.project,
      service: summary.service,
      image: info?.Config?.Image ?? summary.image,
      imageId: info?.Image ?? '',
      imageDigest: digests[0] ?? null,
      imageTags: tags,
      state: summary.state,
      health: summary.health,
      restartCount: info?.RestartCount ?? summary.restartCount,
      startedAt: summary.startedAt,
      createdAt: summary.createdAt,
      labels,
      env,
    };
  });
  if (failed.length) run.note(`${failed.length} container(s) could not be inspected (${failed.slice(0, 5).join(', ')}): their image digest and environment are missing.`);
  const value: BundleContext = { kind: 'docker', overview, containers };
  await run.addJson('context.json', value);
};

/** A context is small: a guess without asking the target (the estimate must be quick). */
export const estimateContext: SectionEstimator = ({ target }) => Promise.resolve(sized(target.kind === 'ops-api' ? 8 * 1024 : 24 * 1024, null));

