/**
 * The comparisons behind a bundle diff, one pure function per part of BundleDiff. Each lists
 * changes only; where one bundle does not hold a section at all, nothing is claimed about it
 * (a probe section left out of the first bundle does not make every probe "changed").
 */
import { REDACTED } from '../../../node/redact/redactor';
import type { BundleDiff } from '../../../shared/model/bundle';
import type { BundleFacts } from './diff-bundle-facts';
import type { ContainerFacts, ContextFacts } from './diff-context';
import type { ServiceErrors } from './diff-logs';
import type { ProbeStatusFacts } from './diff-sections';

/** How many message groups a list shows, the biggest first. */
export const TOP_GROUPS = 20;

type Containers = BundleDiff['containers'];
type Images = BundleDiff['images'];
type ConfigChanges = BundleDiff['config'];
type Groups = { message: string; count: number }[];

const byName = (a: string, b: string): number => a.localeCompare(b);

function union<K>(...keys: Iterable<K>[]): K[] {
  const all = new Set<K>();
  for (const list of keys) for (const key of list) all.add(key);
  return [...all];
}

/** Null when neither bundle names a deployed SHA, or both name the same. */
export function compareDeployedSha(a: ContextFacts | null, b: ContextFacts | null): BundleDiff['deployedSha'] {
  const before = a?.deployedSha ?? null;
  const after = b?.deployedSha ?? null;
  return before === after ? null : { before, after };
}

interface ServiceImage {
  image: string | null;
  digest: string | null;
}

function joined(values: Set<string>): string | null {
  return values.size ? [...values].sort(byName).join(', ') : null;
}

/** Image and digest per service (a container outside compose is its own service); a scaled service lists its distinct images. */
export function serviceImages(context: ContextFacts): Map<string, ServiceImage> {
  const images = new Map<string, { images: Set<string>; digests: Set<string> }>();
  for (const c of context.containers.values()) {
    const service = c.service ?? c.name;
    const entry = images.get(service) ?? { images: new Set<string>(), digests: new Set<string>() };
    if (c.image) entry.images.add(c.image);
    if (c.digest) entry.digests.add(c.digest);
    images.set(service, entry);
  }
  const out = new Map<string, ServiceImage>();
  for (const [service, entry] of images)
    out.set(service, { image: joined(entry.images), digest: joined(entry.digests) });
  // The ops API's deploy section says which tag each service runs; it wins over what containers show.
  for (const [service, tag] of Object.entries(context.imageTags))
    out.set(service, { image: tag, digest: out.get(service)?.digest ?? null });
  return out;
}

/**
 * Services whose image or digest changed. A digest only one bundle knows (the other could not
 * inspect the image) is not a change by itself.
 */
export function compareImages(a: ContextFacts | null, b: ContextFacts | null): Images {
  if (!a || !b) return [];
  const before = serviceImages(a);
  const after = serviceImages(b);
  const changes: Images = [];
  for (const service of union(before.keys(), after.keys()).sort(byName)) {
    const x = before.get(service) ?? { image: null, digest: null };
    const y = after.get(service) ?? { image: null, digest: null };
    const digestChanged = x.digest !== null && y.digest !== null && x.digest !== y.digest;
    if (x.image === y.image && !digestChanged) continue;
    changes.push({ service, before: x.image, after: y.image, digestBefore: x.digest, digestAfter: y.digest });
  }
  return changes;
}

/** Restarted: its restart count grew, or it started again (a new start time or, recreated, a new id). */
function wasRestarted(x: ContainerFacts, y: ContainerFacts): boolean {
  if (x.restartCount !== null && y.restartCount !== null && y.restartCount > x.restartCount) return true;
  if (x.startedAt !== null && y.startedAt !== null && x.startedAt !== y.startedAt) return true;
  return x.id !== null && y.id !== null && x.id !== y.id;
}

/**
 * Containers by name: a compose service's container recreated under the same name is neither added
 * nor removed — it shows as restarted (and its image as changed).
 */
export function compareContainers(a: ContextFacts | null, b: ContextFacts | null): Containers {
  const result: Containers = { added: [], removed: [], restarted: [], health: [] };
  if (!a || !b) return result;
  for (const name of union(a.containers.keys(), b.containers.keys()).sort(byName)) {
    const x = a.containers.get(name);
    const y = b.containers.get(name);
    if (!x && y) result.added.push(name);
    else if (x && !y) result.removed.push(name);
    else if (x && y) {
      if (wasRestarted(x, y)) result.restarted.push({ name, before: x.restartCount, after: y.restartCount });
      if (x.health !== null && y.health !== null && x.health !== y.health)
        result.health.push({ name, before: x.health, after: y.health });
    }
  }
  return result;
}

/** Null unless both bundles hold a migrations section; otherwise the output lines each has that the other lacks. */
export function compareMigrations(a: ContextFacts | null, b: ContextFacts | null): BundleDiff['migrations'] {
  if (!a?.migrations || !b?.migrations) return null;
  const before = new Set(a.migrations);
  const after = new Set(b.migrations);
  return { added: b.migrations.filter((l) => !before.has(l)), removed: a.migrations.filter((l) => !after.has(l)) };
}

/**
 * True when a value was redacted in both bundles: the secret may or may not have changed, and
 * the diff must not claim either.
 */
export function bothRedacted(before: string | null, after: string | null): boolean {
  return before !== null && after !== null && before.includes(REDACTED) && after.includes(REDACTED);
}

function compareRecord(
  prefix: string,
  before: Record<string, string> | null,
  after: Record<string, string> | null,
  into: ConfigChanges,
): void {
  if (!before || !after) return;
  for (const key of union(Object.keys(before), Object.keys(after)).sort(byName)) {
    const x = key in before ? before[key]! : null;
    const y = key in after ? after[key]! : null;
    if (x === y || bothRedacted(x, y)) continue;
    into.push({ key: `${prefix} ${key}`, before: x, after: y });
  }
}

/** Environment keys and labels changed per container present in both (`<container> env KEY`, `<container> label KEY`). */
export function compareConfig(a: ContextFacts | null, b: ContextFacts | null): ConfigChanges {
  const changes: ConfigChanges = [];
  if (!a || !b) return changes;
  for (const [name, x] of [...a.containers].sort(([m], [n]) => byName(m, n))) {
    const y = b.containers.get(name);
    if (!y) continue;
    compareRecord(`${name} env`, x.env, y.env, changes);
    compareRecord(`${name} label`, x.labels, y.labels, changes);
  }
  return changes;
}

/** Probes whose latest result's status differs; a probe only one bundle has results of is listed with null on the other side. */
export function compareProbes(a: ProbeStatusFacts | null, b: ProbeStatusFacts | null): BundleDiff['probes'] {
  if (!a || !b) return [];
  const changes: BundleDiff['probes'] = [];
  for (const id of union(a.latest.keys(), b.latest.keys())) {
    const x = a.latest.get(id);
    const y = b.latest.get(id);
    const before = x?.status ?? null;
    const after = y?.status ?? null;
    if (before !== after) changes.push({ probe: y?.name ?? x?.name ?? id, before, after });
  }
  return changes.sort((m, n) => byName(m.probe, n.probe));
}

/** The biggest groups first, then by message so the order is stable. */
export function topGroups(groups: Iterable<[string, number]>, limit = TOP_GROUPS): Groups {
  return [...groups]
    .sort(([m, x], [n, y]) => y - x || byName(m, n))
    .slice(0, limit)
    .map(([message, count]) => ({ message, count }));
}

const perMinute = (lines: number, minutes: number): number => Math.round((lines / minutes) * 100) / 100;

/**
 * Per service with error lines in either bundle: the rate over each bundle's window and the
 * message groups the second bundle has that the first had not — only when the first holds lines
 * of that service (an agent bundle without the service's logs cannot tell what is new).
 */
export function compareErrors(a: BundleFacts, b: BundleFacts): BundleDiff['errors'] {
  const none: ServiceErrors = { lines: 0, errorLines: 0, groups: new Map() };
  const before = a.logs?.services ?? new Map<string, ServiceErrors>();
  const after = b.logs?.services ?? new Map<string, ServiceErrors>();
  const withErrors = (services: Map<string, ServiceErrors>) =>
    [...services].filter(([, s]) => s.errorLines > 0).map(([name]) => name);
  return union(withErrors(before), withErrors(after))
    .sort(byName)
    .map((service) => {
      const x = before.get(service) ?? none;
      const y = after.get(service) ?? none;
      const fresh = x.lines > 0 ? [...y.groups].filter(([message]) => !x.groups.has(message)) : [];
      return {
        service,
        ratePerMinBefore: perMinute(x.errorLines, a.windowMinutes),
        ratePerMinAfter: perMinute(y.errorLines, b.windowMinutes),
        newMessages: topGroups(fresh),
      };
    });
}

/** Frontend error groups only the second bundle has (new) or only the first (gone); needs both sections. */
export function compareFrontend(
  a: Map<string, number> | null,
  b: Map<string, number> | null,
): BundleDiff['frontendErrors'] {
  if (!a || !b) return { new: [], gone: [] };
  return {
    new: topGroups([...b].filter(([message]) => !a.has(message))),
    gone: topGroups([...a].filter(([message]) => !b.has(message))),
  };
}
