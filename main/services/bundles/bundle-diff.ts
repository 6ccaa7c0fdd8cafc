/**
 * What changed between two bundles of a target — what a person asks after a deploy: deployed SHA,
 * image tags and digests, containers added/removed/restarted, health, migrations, probe status
 * changes, error lines per service (rate and new messages, grouped), frontend error groups new or
 * gone, configuration keys changed. A redacted value on both sides is not a change. NOT BUILT YET.
 */
import type { BundleDiff } from '../../../shared/model/bundle';
import type { OpenedBundle } from '../../../node/bundle/bundle-reader';

export function diffBundles(_a: { id: string; bundle: OpenedBundle }, _b: { id: string; bundle: OpenedBundle }): Promise<BundleDiff> {
  return Promise.reject(new Error('Bundle diffs are not built yet.'));
}
