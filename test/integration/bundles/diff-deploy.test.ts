/**
 * The diff of two real bundles of a podman target around a "deploy". Real parts throughout: the
 * app's services on a temp data dir with the real keychain, a docker-ssh target over a real sshd in
 * front of podman, bundles exported by the real collector and writer and opened by the real reader.
 *
 * Bundle A: the compose service `api` runs localhost/shop/backend:v1 (busybox tagged) with a
 * secret in its environment and logs one kind of error. Then the "deploy": the image is tagged v2
 * and the container recreated under the same name from it, the secret kept (and a token rotated),
 * and the new version logs the old kind of error once more plus a new kind three times. Bundle B.
 *
 * The diff must report exactly: api's image v1 → v2, the container recreated (restarted, neither
 * added nor removed), the one new error message group — and nothing for the redacted secrets, nor
 * for the fixture's other containers, which did not change.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleDiff } from '../../../shared/model/bundle';
import { startDockerFixture, type DockerFixture } from '../../support/docker-fixture';
import { BUSYBOX_IMAGE } from '../../support/podman';
import { trustedSshTarget } from '../runbooks/steps-docker-harness';
import { exportLastHour, runShopApi, SHOP_API_CONTAINER, unpackBundle } from './bundle-support';

const SECRET = `db-${randomBytes(6).toString('hex')}-pw`;
/** Rotated by the deploy: redacted on both sides, so the diff cannot know it changed and must not say so. */
const TOKENS = { v1: `tok-${randomBytes(6).toString('hex')}-one`, v2: `tok-${randomBytes(6).toString('hex')}-two` };
const CONTAINER = SHOP_API_CONTAINER;
const PAYMENT_IDS = [
  '4f1c2a9e-0b7d-4e8a-9c3f-1d2e3f4a5b6c',
  '0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d',
  '9b2f6c1e-7d4a-4c3b-9e8f-0a1b2c3d4e5f',
];

/** v1 logs a slow-query error twice; v2 logs it once (same group) and a payment error three times (new). */
const SCRIPTS = {
  v1: [
    'echo "api v1 listening on :8080"',
    'echo "ERROR slow query took 120 ms"',
    'echo "ERROR slow query took 240 ms"',
    'echo "GET /health 200"',
  ],
  v2: [
    'echo "api v2 listening on :8080"',
    'echo "ERROR slow query took 340 ms"',
    ...PAYMENT_IDS.map((id) => `echo "ERROR payment ${id} failed: connection refused to 10.0.0.7:5432"`),
  ],
};

let fx: DockerFixture;
let targetId: string;

function runApi(version: 'v1' | 'v2'): Promise<void> {
  return runShopApi(fx, version, {
    lines: [...SCRIPTS[version], `echo "ready ${version}"`],
    ready: `ready ${version}`,
    env: { DB_PASSWORD: SECRET, API_TOKEN: TOKENS[version] },
  });
}

let diff: BundleDiff;
let contextA: string;
let contextB: string;

beforeAll(async () => {
  fx = await startDockerFixture();
  targetId = await trustedSshTarget(fx, 'shop-staging');
  await fx.podman.cli(['tag', BUSYBOX_IMAGE, 'localhost/shop/backend:v1']);
  await runApi('v1');
  const a = await exportLastHour(fx.services, targetId);

  // The deploy: a new tag, the container recreated under the same name with the same secret.
  await fx.podman.cli(['tag', BUSYBOX_IMAGE, 'localhost/shop/backend:v2']);
  await fx.podman.cli(['rm', '-f', '-t', '0', CONTAINER]);
  await runApi('v2');
  const b = await exportLastHour(fx.services, targetId);

  diff = await fx.services.bundles.diff(a.id, b.id);
  contextA = (await unpackBundle(a.file)).get('context.json')!.toString('utf8');
  contextB = (await unpackBundle(b.file)).get('context.json')!.toString('utf8');
}, 120_000);

afterAll(async () => {
  await fx?.dispose();
});

describe('diff of two bundles around a deploy on a podman target', () => {
  it('reports api moving from v1 to v2 (the same image behind both tags, so the same digest)', () => {
    expect(diff.images).toHaveLength(1);
    const [image] = diff.images;
    expect(image).toMatchObject({
      service: 'api',
      before: 'localhost/shop/backend:v1',
      after: 'localhost/shop/backend:v2',
    });
    expect(image!.digestBefore).toBe(image!.digestAfter);
  });

  it('reports the recreated container as restarted, neither added nor removed, and nothing else about containers', () => {
    expect(diff.containers).toEqual({
      added: [],
      removed: [],
      restarted: [{ name: CONTAINER, before: 0, after: 0 }],
      health: [],
    });
  });

  it('reports the new error message group of api, and the old group (logged again) as not new', () => {
    // Two error lines in A's hour, four in B's: 0.03 and 0.07 a minute.
    expect(diff.errors).toEqual([
      {
        service: 'api',
        ratePerMinBefore: 0.03,
        ratePerMinAfter: 0.07,
        newMessages: [{ message: 'ERROR payment <uuid> failed: connection refused to <ip>', count: 3 }],
      },
    ]);
  });

  it('says nothing about the secrets in the environment, kept or rotated, which are redacted in both bundles', () => {
    for (const context of [contextA, contextB]) {
      expect(context).toContain('DB_PASSWORD=[redacted]');
      expect(context).toContain('API_TOKEN=[redacted]');
      for (const secret of [SECRET, TOKENS.v1, TOKENS.v2]) expect(context).not.toContain(secret);
    }
    expect(diff.config).toEqual([]);
  });

  it('reports nothing else: no SHA, migrations, probes or frontend errors, and not the same', () => {
    expect(diff).toMatchObject({
      deployedSha: null,
      migrations: null,
      probes: [],
      frontendErrors: { new: [], gone: [] },
      same: false,
    });
  });
});
