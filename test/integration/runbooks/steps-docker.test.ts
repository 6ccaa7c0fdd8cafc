/**
 * The docker step against a real engine: podman's Docker API behind a real sshd, reached through
 * the app's own pinned-key SSH connection (test/support/docker-fixture.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError } from '../../../node/abort';
import { dockerStep } from '../../../main/services/runbooks/steps/docker-step';
import { logScanStep } from '../../../main/services/runbooks/steps/log-scan-step';
import { StepFailure } from '../../../main/services/runbooks/step-kind';
import { DockerStepParams, LogScanStepParams } from '../../../shared/model/runbook-steps';
import { startDockerFixture, type DockerFixture } from '../../support/docker-fixture';
import { backendImages, stepContext, trustedSshTarget } from './steps-docker-harness';

let fx: DockerFixture;
let targetId: string;

const API_COMMAND = 'trap "exit 0" TERM; while true; do sleep 1; done';

interface Inspected {
  Id: string;
  Name: string;
  State: { Running: boolean; StartedAt: string };
  Config: { Env: string[]; Labels: Record<string, string>; Image: string; Healthcheck?: { Test: string[] } };
}

async function podmanInspect(name: string): Promise<Inspected> {
  return (JSON.parse(await fx.podman.cli(['container', 'inspect', name])) as Inspected[])[0]!;
}

async function containerNames(): Promise<string[]> {
  return (await fx.podman.cli(['ps', '-a', '--format', '{{.Names}}'])).split('\n').filter(Boolean).sort();
}

function params(input: Record<string, unknown>) {
  return DockerStepParams.parse(input);
}

beforeAll(async () => {
  fx = await startDockerFixture();
  await backendImages(fx);
  await fx.podman.cli([
    'run', '-d', '--name', 'shop-api-1',
    '--label', 'com.docker.compose.project=shop', '--label', 'com.docker.compose.service=api',
    '--env', 'APP_MODE=prod', '--health-cmd', 'true', '--health-interval', '30s',
    'localhost/shop/backend:v1', 'sh', '-c', API_COMMAND,
  ]);
  targetId = await trustedSshTarget(fx);
}, 90_000);

afterAll(async () => {
  await fx?.dispose();
});

describe('docker inspect', () => {
  it('reports the service’s container, image and state, and records the facts an approval is bound to', async () => {
    const step = stepContext(fx.services, targetId);
    const outcome = await dockerStep.run(params({ action: 'inspect', service: 'api' }), step.context);
    const real = await podmanInspect('shop-api-1');
    expect(outcome.outputs).toMatchObject({
      container: 'shop-api-1',
      containerId: real.Id,
      image: 'localhost/shop/backend:v1',
      repository: 'localhost/shop/backend',
      tag: 'v1',
      state: 'running',
      restartCount: 0,
      revision: 'rev-1',
    });
    expect(['healthy', 'starting', 'none', 'unhealthy']).toContain(outcome.outputs!.health);
    expect(Date.parse(String(outcome.outputs!.startedAt))).toBe(Date.parse(real.State.StartedAt));
    expect(step.facts).toEqual([
      { key: 'container:api:image', label: 'api image', value: 'localhost/shop/backend:v1' },
      { key: 'container:api:startedAt', label: 'api started at', value: outcome.outputs!.startedAt },
      { key: 'container:api:state', label: 'api state', value: 'running' },
    ]);
    expect(outcome.message).toMatch(/^shop-api-1 is running/);
  });

  it('finds a container by name too, and says so in one sentence when there is none', async () => {
    const byName = await dockerStep.run(params({ action: 'inspect', container: 'adhoc-worker' }), stepContext(fx.services, targetId).context);
    expect(byName.outputs).toMatchObject({ container: 'adhoc-worker', image: expect.stringContaining('busybox') });
    await expect(dockerStep.run(params({ action: 'inspect', service: 'nope' }), stepContext(fx.services, targetId).context)).rejects.toThrow(
      'staging-1 has no container for service nope — check the name in the Overview.',
    );
  });

  it('refuses an ops API target with a sentence naming what it needs', async () => {
    const ops = await fx.services.targets.create({ name: 'shop-ops', environment: 'prod', kind: 'ops-api', settings: { baseUrl: 'http://127.0.0.1:9' } });
    const error = await dockerStep.run(params({ action: 'inspect', service: 'api' }), stepContext(fx.services, ops.id).context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailure);
    expect((error as Error).message).toBe('shop-ops is an ops API target; docker steps need a Docker target.');
  });

  it('declares which actions change anything and describes them', () => {
    const target = fx.services.targets.get(targetId);
    expect(dockerStep.changes(params({ action: 'inspect', service: 'api' }))).toBe(false);
    expect(dockerStep.changes(params({ action: 'pull', service: 'api', tag: 'v2' }))).toBe(false);
    expect(dockerStep.changes(params({ action: 'recreate', service: 'api', tag: 'v2' }))).toBe(true);
    expect(dockerStep.repeatable(params({ action: 'recreate', service: 'api', tag: 'v2' }))).toBe(true);
    expect(dockerStep.describe(params({ action: 'recreate', service: 'api', tag: 'v2' }), target)).toBe('Recreate api on staging-1 with tag v2');
    expect(dockerStep.describe(params({ action: 'restart', service: 'api' }), target)).toBe('Restart api on staging-1');
  });
});

describe('docker restart', () => {
  it('restarts the container: a new start time, the same container', async () => {
    const before = await podmanInspect('shop-api-1');
    const outcome = await dockerStep.run(params({ action: 'restart', service: 'api' }), stepContext(fx.services, targetId).context);
    const after = await podmanInspect('shop-api-1');
    expect(outcome.outputs).toEqual({ container: 'shop-api-1', containerId: before.Id });
    expect(after.Id).toBe(before.Id);
    expect(after.State.Running).toBe(true);
    expect(Date.parse(after.State.StartedAt)).toBeGreaterThan(Date.parse(before.State.StartedAt));
    expect(fx.services.audit.list({ targetId }).find((e) => e.action === 'restart')).toMatchObject({ subject: 'shop-api-1', outcome: 'ok' });
  });
});

describe('docker recreate', () => {
  it('to an image that is neither there nor pullable fails before touching the running container', async () => {
    const before = await podmanInspect('shop-api-1');
    const step = stepContext(fx.services, targetId);
    const error = await dockerStep.run(params({ action: 'recreate', service: 'api', tag: 'v9' }), step.context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailure);
    expect((error as Error).message).toMatch(/^localhost\/shop\/backend:v9 is not on the target and could not be pulled \(.+\) — .*nothing was changed\.$/);
    const after = await podmanInspect('shop-api-1');
    expect(after.Id).toBe(before.Id);
    expect(after.State.Running).toBe(true);
    expect(after.State.StartedAt).toBe(before.State.StartedAt);
    expect(await containerNames()).not.toContainEqual(expect.stringMatching(/-next-|-previous-/));
  });

  it('that fails after the old container stopped puts the old one back, running under its name', async () => {
    const before = await podmanInspect('shop-api-1');
    const step = stepContext(fx.services, targetId);
    const error = await dockerStep.run(params({ action: 'recreate', service: 'api', tag: 'broken' }), step.context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailure);
    expect((error as Error).message).toMatch(/^api could not be recreated with localhost\/shop\/backend:broken: .+; the previous container is running again as shop-api-1\.$/);
    const after = await podmanInspect('shop-api-1');
    expect(after.Id).toBe(before.Id);
    expect(after.State.Running).toBe(true);
    expect(after.Config.Image).toBe('localhost/shop/backend:v1');
    expect(await containerNames()).not.toContainEqual(expect.stringMatching(/-next-|-previous-/));
    expect(fx.services.audit.list({ targetId }).find((e) => e.action === 'recreate')).toMatchObject({ outcome: 'error' });
  });

  it('cancelled after the new container was made puts the old one back before it ends', async () => {
    const before = await podmanInspect('shop-api-1');
    const step = stepContext(fx.services, targetId);
    const log = step.context.log;
    step.context.log = (level, message, data) => {
      log(level, message, data);
      // The cancel lands just as the swap begins: the old container is stopped next.
      if (message.startsWith('Created ')) step.abort.abort(new AbortedError('The run was cancelled.'));
    };
    const error = await dockerStep.run(params({ action: 'recreate', service: 'api', tag: 'v2' }), step.context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    const after = await podmanInspect('shop-api-1');
    expect(after.Id).toBe(before.Id);
    expect(after.State.Running).toBe(true);
    expect(await containerNames()).not.toContainEqual(expect.stringMatching(/-next-|-previous-/));
    expect(step.logs.at(-1)).toMatchObject({
      level: 'warn',
      message: 'api could not be recreated with localhost/shop/backend:v2: the run was cancelled; the previous container is running again as shop-api-1.',
    });
  });

  it('with tag v2 keeps the configuration and the name, takes the new image’s own values, and removes the old container', async () => {
    const before = await podmanInspect('shop-api-1');
    const step = stepContext(fx.services, targetId);
    const outcome = await dockerStep.run(params({ action: 'recreate', service: 'api', tag: 'v2' }), step.context);
    const after = await podmanInspect('shop-api-1');
    expect(outcome.outputs).toEqual({
      container: 'shop-api-1',
      containerId: after.Id,
      image: 'localhost/shop/backend:v2',
      previousImage: 'localhost/shop/backend:v1',
      previousContainerId: before.Id,
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(after.Id).not.toBe(before.Id);
    expect(after.State.Running).toBe(true);
    expect(after.Config.Env).toContain('APP_MODE=prod');
    expect(after.Config.Env).toContain('VERSION=2');
    expect(after.Config.Env).not.toContain('VERSION=1');
    expect(after.Config.Labels).toMatchObject({
      'com.docker.compose.project': 'shop',
      'com.docker.compose.service': 'api',
      'org.opencontainers.image.revision': 'rev-2',
    });
    expect(after.Config.Healthcheck?.Test).toEqual(before.Config.Healthcheck?.Test);
    expect(after.Config.Healthcheck?.Test).toContain('true');
    const names = await containerNames();
    expect(names).toContain('shop-api-1');
    expect(names).not.toContainEqual(expect.stringMatching(/-next-|-previous-/));
    await expect(podmanInspect(before.Id)).rejects.toThrow();

    const inspect = await dockerStep.run(params({ action: 'inspect', service: 'api' }), stepContext(fx.services, targetId).context);
    expect(inspect.outputs).toMatchObject({ tag: 'v2', revision: 'rev-2', containerId: after.Id });
  });

  it('again with the same image is safe (repeatable): the service runs v2 under its name', async () => {
    const outcome = await dockerStep.run(params({ action: 'recreate', service: 'api', image: 'localhost/shop/backend:v2' }), stepContext(fx.services, targetId).context);
    expect(outcome.outputs).toMatchObject({ container: 'shop-api-1', image: 'localhost/shop/backend:v2', previousImage: 'localhost/shop/backend:v2' });
    expect((await podmanInspect('shop-api-1')).State.Running).toBe(true);
  });
});

describe('docker pull', () => {
  it('warns and goes on when the registry cannot be reached but the image is on the target', async () => {
    const step = stepContext(fx.services, targetId);
    const outcome = await dockerStep.run(params({ action: 'pull', service: 'api', tag: 'v1' }), step.context);
    expect(outcome.outputs).toEqual({ image: 'localhost/shop/backend:v1' });
    expect(step.logs.find((l) => l.level === 'warn')?.message).toMatch(/^localhost\/shop\/backend:v1 could not be pulled \(.+\); using the copy already on the target\.$/);
  });

  it('fails when the image is neither there nor pullable', async () => {
    await expect(dockerStep.run(params({ action: 'pull', image: 'localhost/shop/nothing:v1', service: 'api' }), stepContext(fx.services, targetId).context)).rejects.toThrow(
      /^localhost\/shop\/nothing:v1 is not on the target and could not be pulled/,
    );
  });
});

describe('log-scan of a container nobody followed', () => {
  it('reads the lines from the target itself when the log cache holds none of the service', async () => {
    await fx.podman.cli([
      'run', '-d', '--name', 'shop-mailer-1', '--label', 'com.docker.compose.service=mailer',
      'localhost/shop/backend:v1', 'sh', '-c', 'echo "mailer up"; echo "ERROR smtp refused"; echo "error again"; sleep 600',
    ]);
    const step = stepContext(fx.services, targetId);
    const params = LogScanStepParams.parse({ pattern: '(?i)\\berror\\b', since: '10m', sources: ['mailer'] });
    // The container prints at start; wait until its lines are there rather than for a fixed time.
    let outcome = await logScanStep.run(params, step.context);
    for (let tries = 0; outcome.outputs!.count !== 2 && tries < 50; tries += 1) outcome = await logScanStep.run(params, step.context);
    expect(fx.services.logs.query({ targetId, sources: ['container:shop-mailer-1'] }).entries).toEqual([]);
    expect(outcome.outputs).toMatchObject({ count: 2, samples: ['shop-mailer-1: ERROR smtp refused', 'shop-mailer-1: error again'] });
    expect(step.logs.some((event) => /^Read \d+ lines of shop-mailer-1 from .+ itself: the log cache held none\.$/.test(event.message))).toBe(true);
  });
});
