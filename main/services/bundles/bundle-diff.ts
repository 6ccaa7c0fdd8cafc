/**
 * What changed between two bundles of a target — what a person asks after a deploy: deployed SHA,
 * image tags and digests, containers added/removed/restarted, health, migrations, probe status
 * changes, error lines per service (rate and new messages, grouped), frontend error groups new or
 * gone, configuration keys changed. A redacted value on both sides is not a change.
 *
 * `a` is the earlier bundle ("before"), `b` the later ("after"). Each bundle is read once
 * (diff-bundle-facts.ts: logs streamed, only counts kept); the comparisons are pure
 * (diff-compare.ts). Every list holds changes only, so `same` is true when all are empty — an
 * error rate that moved without a new kind of message, or without a service starting or stopping
 * to log errors, is shown but is not by itself a change.
 */
import type { BundleDiff } from '../../../shared/model/bundle';
import type { OpenedBundle } from '../../../node/bundle/bundle-reader';
import { bundleFacts } from './diff-bundle-facts';
import {
  compareConfig,
  compareContainers,
  compareDeployedSha,
  compareErrors,
  compareFrontend,
  compareImages,
  compareMigrations,
  compareProbes,
} from './diff-compare';

export async function diffBundles(
  a: { id: string; bundle: OpenedBundle },
  b: { id: string; bundle: OpenedBundle },
): Promise<BundleDiff> {
  const before = await bundleFacts(a.id, a.bundle);
  const after = await bundleFacts(b.id, b.bundle);
  const diff: Omit<BundleDiff, 'same'> = {
    a: { id: before.id, created: before.created },
    b: { id: after.id, created: after.created },
    deployedSha: compareDeployedSha(before.context, after.context),
    images: compareImages(before.context, after.context),
    containers: compareContainers(before.context, after.context),
    migrations: compareMigrations(before.context, after.context),
    probes: compareProbes(before.probes, after.probes),
    errors: compareErrors(before, after),
    frontendErrors: compareFrontend(before.frontend, after.frontend),
    config: compareConfig(before.context, after.context),
  };
  return { ...diff, same: nothingChanged(diff) };
}

function nothingChanged(diff: Omit<BundleDiff, 'same'>): boolean {
  const { containers, migrations, frontendErrors } = diff;
  return (
    diff.deployedSha === null &&
    diff.images.length === 0 &&
    containers.added.length + containers.removed.length + containers.restarted.length + containers.health.length ===
      0 &&
    (migrations === null || migrations.added.length + migrations.removed.length === 0) &&
    diff.probes.length === 0 &&
    diff.errors.every((e) => e.newMessages.length === 0 && (e.ratePerMinBefore === 0) === (e.ratePerMinAfter === 0)) &&
    frontendErrors.new.length + frontendErrors.gone.length === 0 &&
    diff.config.length === 0
  );
}
