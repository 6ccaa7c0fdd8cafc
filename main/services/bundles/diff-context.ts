/**
 * What a bundle's `context.json` says about the deploy, read into one shape for the diff whichever
 * context it holds: an ops API context (deploy SHA and image tags, migrations output, the host's
 * containers) or a Docker target's overview with per-container facts (image tag and digest, health,
 * restarts, start time, compose labels, environment as `KEY=VALUE`, already redacted).
 *
 * The reading is deliberately forgiving: containers are found wherever the context lists objects
 * that look like one (an overview's projects, its ungrouped list, a facts list, the ops API's
 * docker section) and merged by name, so a field added to the context later does not break a diff
 * of older bundles, and an agent bundle's context reads like an app bundle's.
 */

/** A container as the diff compares it; null where the bundle did not say. */
export interface ContainerFacts {
  name: string;
  id: string | null;
  service: string | null;
  /** The image reference with its tag (`localhost/shop/backend:v1`). */
  image: string | null;
  digest: string | null;
  health: string | null;
  restartCount: number | null;
  startedAt: string | null;
  labels: Record<string, string> | null;
  env: Record<string, string> | null;
}

export interface ContextFacts {
  deployedSha: string | null;
  /** Image tags the ops API's deploy section names, by service. */
  imageTags: Record<string, string>;
  /** Lines of the migrations output; null when the context has no migrations section. */
  migrations: string[] | null;
  containers: Map<string, ContainerFacts>;
}

export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';
/** Where an image names the commit it was built from (the OCI label, then label-schema's older one). */
export const REVISION_LABELS = ['org.opencontainers.image.revision', 'org.label-schema.vcs-ref'];

type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** An ops API section is `{ ok: true, data }` or `{ ok: false, error }`; a plain object is taken as data. */
function sectionData(value: unknown): Json | null {
  if (!isObject(value)) return null;
  if (value.ok === true) return isObject(value.data) ? value.data : null;
  if (value.ok === false) return null;
  return value;
}

/** The ops API context inside a context document: the document itself or one of its fields. */
function findOpsContext(doc: unknown): Json | null {
  if (!isObject(doc)) return null;
  if ('deploy' in doc && ('docker' in doc || 'migrations' in doc)) return doc;
  for (const key of ['context', 'opsContext', 'ops']) {
    const inner = doc[key];
    if (isObject(inner) && 'deploy' in inner) return inner;
  }
  return null;
}

function stringRecord(value: unknown): Record<string, string> | null {
  if (!isObject(value)) return null;
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) out[key] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

/** Config.Env as a list of `KEY=VALUE`, or already a record. */
function envRecord(value: unknown): Record<string, string> | null {
  if (Array.isArray(value)) {
    const out: Record<string, string> = {};
    for (const line of value) {
      if (typeof line !== 'string') continue;
      const eq = line.indexOf('=');
      if (eq < 0) out[line] = '';
      else out[line.slice(0, eq)] = line.slice(eq + 1);
    }
    return out;
  }
  return stringRecord(value);
}

/** `image` with `tag` put on when the image has none (a facts entry may carry them apart). */
function imageReference(image: string | null, tag: string | null): string | null {
  if (!image) return tag;
  if (!tag || image.includes('@')) return image;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  if (lastSegment.includes(':')) return image;
  return tag.includes('/') || tag.includes(':') ? tag : `${image}:${tag}`;
}

function looksLikeContainer(value: Json): boolean {
  if (!str(value.name)) return false;
  return ['image', 'restartCount', 'restarts', 'startedAt', 'health', 'env', 'labels'].some((key) => key in value);
}

function containerFrom(value: Json): ContainerFacts {
  const labels = stringRecord(value.labels);
  const repoDigests = Array.isArray(value.repoDigests) ? value.repoDigests : [];
  return {
    name: (str(value.name) ?? '').replace(/^\//, ''),
    id: str(value.id),
    service: str(value.service) ?? labels?.[COMPOSE_SERVICE_LABEL] ?? null,
    image: imageReference(str(value.image), str(value.tag)),
    // A registry digest when the image has one; a local image (built or tagged here) has only its id.
    digest: str(value.digest) ?? str(value.imageDigest) ?? str(repoDigests[0]) ?? str(value.imageId) ?? null,
    health: str(value.health),
    restartCount: num(value.restartCount) ?? num(value.restarts),
    startedAt: str(value.startedAt),
    labels,
    env: envRecord(value.env),
  };
}

/** Later finds fill what earlier ones left null (a summary first, its detailed facts after). */
function merge(into: ContainerFacts, from: ContainerFacts): ContainerFacts {
  const out = { ...into };
  for (const key of Object.keys(from) as (keyof ContainerFacts)[]) {
    if (from[key] !== null) (out as Record<string, unknown>)[key] = from[key];
  }
  return out;
}

/** Deep enough for an overview's project → service → container nesting inside a wrapper. */
const MAX_DEPTH = 12;

/** Every container-looking object in the document, depth-limited (contexts are small and shallow). */
function collectContainers(doc: unknown, into: Map<string, ContainerFacts>, depth = 0): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(doc)) {
    for (const item of doc) collectContainers(item, into, depth + 1);
    return;
  }
  if (!isObject(doc)) return;
  if (looksLikeContainer(doc)) {
    const found = containerFrom(doc);
    const known = into.get(found.name);
    into.set(found.name, known ? merge(known, found) : found);
    return;
  }
  for (const [key, value] of Object.entries(doc)) {
    // Environment and labels are values, not places containers are listed.
    if (key === 'env' || key === 'labels' || key === 'engine') continue;
    collectContainers(value, into, depth + 1);
  }
}

function migrationLines(ops: Json | null, doc: unknown): string[] | null {
  const section = ops ? sectionData(ops.migrations) : isObject(doc) ? sectionData(doc.migrations) : null;
  if (!section) return null;
  const output = section.output;
  const lines = Array.isArray(output)
    ? output.filter((l): l is string => typeof l === 'string')
    : typeof output === 'string'
      ? output.split('\n')
      : [];
  return [...new Set(lines.map((l) => l.trim()).filter((l) => l.length > 0))];
}

/** The image revision label the containers share (several differing are all named). */
function revisionFromLabels(containers: Iterable<ContainerFacts>): string | null {
  const revisions = new Set<string>();
  for (const c of containers) {
    const revision = REVISION_LABELS.map((label) => c.labels?.[label]).find((value) => value);
    if (revision) revisions.add(revision);
  }
  return revisions.size ? [...revisions].sort().join(', ') : null;
}

export function contextFacts(doc: unknown): ContextFacts {
  const ops = findOpsContext(doc);
  const deploy = ops ? sectionData(ops.deploy) : isObject(doc) ? sectionData(doc.deploy) : null;
  const containers = new Map<string, ContainerFacts>();
  collectContainers(doc, containers);
  const imageTags = stringRecord(deploy?.imageTags) ?? {};
  return {
    deployedSha: str(deploy?.gitSha) ?? revisionFromLabels(containers.values()),
    imageTags,
    migrations: migrationLines(ops, doc),
    containers,
  };
}
