/**
 * A Docker target has no ops API to say which commit is deployed: the diff reads it from the image
 * revision label. Real parts: the app's services with the real keychain, a docker-ssh target over
 * sshd in front of podman, bundles exported by the real collector. The shop's backend image comes
 * in two builds (podman commit with `org.opencontainers.image.revision` rev-1 / rev-2 and
 * `ENV VERSION` 1 / 2); the compose service `api` is recreated from the second.
 *
 * The diff reports the revision rev-1 → rev-2 as the deployed SHA, the image with its new digest,
 * the recreated container, and the two configuration values the new build changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleDiff } from '../../../shared/model/bundle';
import { startDockerFixture, type DockerFixture } from '../../support/docker-fixture';
import { backendImages, trustedSshTarget } from '../runbooks/steps-docker-harness';
import { exportLastHour, runShopApi, SHOP_API_CONTAINER } from './bundle-support';

const CONTAINER = SHOP_API_CONTAINER;

let fx: DockerFixture;
let targetId: string;
let diff: BundleDiff;

function runApi(version: 'v1' | 'v2'): Promise<void> {
  return runShopApi(fx, version, { lines: ['echo "api $VERSION up"'], ready: 'up' });
}

beforeAll(async () => {
  fx = await startDockerFixture();
  targetId = await trustedSshTarget(fx, 'shop-staging');
  await backendImages(fx);
  await runApi('v1');
  const before = (await exportLastHour(fx.services, targetId)).id;
  await fx.podman.cli(['rm', '-f', '-t', '0', CONTAINER]);
  await runApi('v2');
  const after = (await exportLastHour(fx.services, targetId)).id;
  diff = await fx.services.bundles.diff(before, after);
}, 120_000);

afterAll(async () => {
  await fx?.dispose();
});

describe('diff of a Docker target whose images carry their revision', () => {
  it('takes the deployed SHA from the image revision label', () => {
    expect(diff.deployedSha).toEqual({ before: 'rev-1', after: 'rev-2' });
  });

  it('reports the new image of api with its own digest, and the recreated container', () => {
    expect(diff.images).toHaveLength(1);
    const [image] = diff.images;
    expect(image).toMatchObject({
      service: 'api',
      before: 'localhost/shop/backend:v1',
      after: 'localhost/shop/backend:v2',
    });
    expect(image!.digestBefore).not.toBeNull();
    expect(image!.digestAfter).not.toBe(image!.digestBefore);
    expect(diff.containers).toEqual({
      added: [],
      removed: [],
      restarted: [{ name: CONTAINER, before: 0, after: 0 }],
      health: [],
    });
  });

  it('reports the environment value and the label the new build changed, and nothing else', () => {
    expect(diff.config).toEqual([
      { key: `${CONTAINER} env VERSION`, before: '1', after: '2' },
      { key: `${CONTAINER} label org.opencontainers.image.revision`, before: 'rev-1', after: 'rev-2' },
    ]);
    expect(diff).toMatchObject({
      errors: [],
      migrations: null,
      probes: [],
      frontendErrors: { new: [], gone: [] },
      same: false,
    });
  });
});
