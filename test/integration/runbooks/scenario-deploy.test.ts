/**
 * Scenario: the built-in `deploy` on a staging docker-ssh target, with real parts — podman behind
 * a real sshd, the app's services on a temporary data directory, the real keychain.
 *
 * The service is a compose-labelled container (`shop-backend-1`, service `backend`) from
 * `localhost/shop/backend:v1`, a local busybox with a health check that passes unless the image
 * holds `/etc/broken`. `podman tag` gives v2 (the same image: healthy); v3 is `podman commit` of a
 * container that wrote `/etc/broken`, so a container made from v3 fails its own health check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../../../shared/model/target';
import { waitFor } from '../../support/keyring';
import { composeLabels } from '../../support/podman';
import { containerState, healthTicker, startScenarioRig, type ScenarioRig } from './scenario-support';

let rig: ScenarioRig;
let staging: Target;
let ticker: { stop(): Promise<void> };
let stopFollowing: () => void;

const IMAGE = 'localhost/shop/backend';
const IDLE = 'trap "exit 0" TERM; echo "backend ready"; while true; do sleep 1; done';

beforeAll(async () => {
  rig = await startScenarioRig();
  const [podman] = rig.podmans;
  await podman!.cli(['tag', 'local/busybox:latest', `${IMAGE}:v1`]);
  await podman!.cli(['tag', `${IMAGE}:v1`, `${IMAGE}:v2`]);
  // v3: the same files plus /etc/broken, which the health check refuses.
  await podman!.cli(['run', '--name', 'make-v3', `${IMAGE}:v1`, 'sh', '-c', 'echo broken > /etc/broken']);
  await podman!.cli(['commit', 'make-v3', `${IMAGE}:v3`]);
  await podman!.cli(['rm', 'make-v3']);
  const labels = Object.entries(composeLabels('shop', 'backend')).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  await podman!.cli([
    'run',
    '-d',
    '--name',
    'shop-backend-1',
    ...labels,
    '--health-cmd',
    'test ! -f /etc/broken',
    '--health-interval',
    '1h',
    '--health-retries',
    '1',
    '--env',
    'SHOP_MODE=staging',
    `${IMAGE}:v1`,
    'sh',
    '-c',
    IDLE,
  ]);
  ticker = healthTicker(podman!, () => ['shop-backend-1']);
  staging = await rig.addTarget('staging', 'staging');
  // The operator has the backend's logs open, so they are cached: deploy's verify scans the cache
  // for error lines since the change.
  stopFollowing = rig.services.logs.follow(
    { targetId: staging.id, sources: ['container:shop-backend-1'], tail: 10 },
    () => undefined,
  );
  await waitFor(
    () =>
      rig.services.logs
        .cacheInfo()
        .services.some((row) => row.target === staging.id && row.container === 'shop-backend-1'),
    30_000,
    "the backend's logs were not cached",
  );
}, 120_000);

afterAll(async () => {
  stopFollowing?.();
  await ticker?.stop();
  await rig?.dispose();
});

describe('scenario: deploy on staging', () => {
  it('recreates the service with v2, keeps its configuration, verifies it healthy, and says v1 → v2', async () => {
    const run = await rig.run({ runbookId: 'deploy', targetId: staging.id, inputs: { service: 'backend', tag: 'v2' } });
    expect(run.status, run.statusMessage).toBe('succeeded');
    expect(run.lane).toBeNull(); // a changing run holds the target's lock, not a lane
    const detail = rig.services.runbooks.detail(run.id);
    expect(detail.approval).toBeNull(); // staging needs no approval
    const state = (id: string) => detail.steps.find((s) => s.id === id)?.state;
    expect([state('current'), state('pull'), state('recreate'), state('healthy'), state('summary')]).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(state('restore')).toBe('skipped');
    expect(detail.summary).toContain(`Deployed backend on staging: ${IMAGE}:v1 → ${IMAGE}:v2.`);

    const podman = rig.podmans[0]!;
    expect(await containerState(podman, 'shop-backend-1')).toEqual({
      image: `${IMAGE}:v2`,
      health: 'healthy',
      running: true,
    });
    // Its configuration came along: labels, environment, the health check.
    const config = JSON.parse(await podman.cli(['inspect', '--format', '{{json .Config}}', 'shop-backend-1'])) as {
      Labels: Record<string, string>;
      Env: string[];
      Healthcheck: { Test: string[] };
    };
    expect(config.Labels['com.docker.compose.service']).toBe('backend');
    expect(config.Env).toContain('SHOP_MODE=staging');
    expect(config.Healthcheck.Test.join(' ')).toContain('test ! -f /etc/broken');
    // The previous container was removed once the new one was up.
    expect(
      (await podman.cli(['ps', '-a', '--format', '{{.Names}}']))
        .split('\n')
        .filter((n) => n.startsWith('shop-backend-1')),
    ).toEqual(['shop-backend-1']);

    // The error scan counted the cached lines from the moment the change began, not before it.
    const outputs = rig.services.runbooks.store.stepOutputs(run.id) as Record<string, Record<string, unknown>>;
    expect(outputs.errors).toMatchObject({ count: 0, since: outputs.recreate!.startedAt });

    const events = rig.events(run.id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_e, i) => i + 1));
    expect(events.some((e) => e.step === 'recreate')).toBe(true);
  }, 180_000);

  it('v3 fails its health check: verify fails and the service is rolled back to v2', async () => {
    const run = await rig.run({
      runbookId: 'deploy',
      targetId: staging.id,
      inputs: { service: 'backend', tag: 'v3', healthTimeout: '15s' },
    });
    expect(run.status).toBe('failed');
    expect(run.statusMessage).toMatch(/^Verify failed \(healthy: .*\); rolled back\.$/);
    const detail = rig.services.runbooks.detail(run.id);
    const state = (id: string) => detail.steps.find((s) => s.id === id)?.state;
    expect(state('recreate')).toBe('succeeded');
    expect(state('healthy')).toBe('failed');
    expect(state('restore')).toBe('succeeded');
    expect(detail.steps.find((s) => s.id === 'healthy')!.message).toMatch(/unhealthy|not healthy/);

    const podman = rig.podmans[0]!;
    expect(await containerState(podman, 'shop-backend-1')).toMatchObject({ image: `${IMAGE}:v2`, running: true });
    // The rolled-back container passes its health check again.
    await expect
      .poll(async () => (await containerState(podman, 'shop-backend-1')).health, { timeout: 20_000, interval: 250 })
      .toBe('healthy');
    const audit = rig.services.audit
      .list({ targetId: staging.id })
      .filter((e) => e.subject === run.id)
      .map((e) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['start', 'finish']));
  }, 120_000);

  it('two deploys on one target: the second waits in the queue and runs after the first', async () => {
    const start = (tag: string) =>
      rig.services.runbooks.startRun(
        {
          runbookId: 'deploy',
          targetId: staging.id,
          inputs: { service: 'backend', tag },
          dryRun: false,
          whenLocked: 'queue',
        },
        'app',
      );
    const first = start('v1');
    const second = start('v2');
    expect(first.status).toBe('running');
    expect(second).toMatchObject({ status: 'queued', statusMessage: `Waiting for run ${first.id} on staging.` });
    const [firstEnded, secondEnded] = await Promise.all(
      [first.id, second.id].map((id) => rig.services.runbooks.executor.settled(id)),
    );
    expect([firstEnded!.status, secondEnded!.status]).toEqual(['succeeded', 'succeeded']);
    expect(Date.parse(secondEnded!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(firstEnded!.endedAt!));
    expect(rig.services.runbooks.detail(first.id).summary).toContain(`${IMAGE}:v2 → ${IMAGE}:v1.`);
    expect(rig.services.runbooks.detail(second.id).summary).toContain(`${IMAGE}:v1 → ${IMAGE}:v2.`);
    expect((await containerState(rig.podmans[0]!, 'shop-backend-1')).image).toBe(`${IMAGE}:v2`);
  }, 300_000);
});
