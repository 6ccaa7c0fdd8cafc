/**
 * The wait step against real containers (podman behind sshd, through the app's SSH connection)
 * and a real HTTP server on loopback.
 *
 * podman runs healthchecks from systemd timers, which this machine does not have: while a test
 * waits, it runs `podman healthcheck run` itself, as that timer would.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError } from '../../../node/abort';
import { StepFailure } from '../../../main/services/runbooks/step-kind';
import { waitStep } from '../../../main/services/runbooks/steps/wait-step';
import { WaitStepParams } from '../../../shared/model/runbook-steps';
import { startDockerFixture, type DockerFixture } from '../../support/docker-fixture';
import { waitFor } from '../../support/keyring';
import { FakeClock } from '../../support/fake-clock';
import { BUSYBOX_IMAGE } from '../../support/podman';
import { stepContext, trustedSshTarget } from './steps-docker-harness';

let fx: DockerFixture;
let targetId: string;
let server: Server;
let baseUrl: string;
let answers: number[] = [];
let requests = 0;

const LOOP = 'trap "exit 0" TERM; while true; do sleep 1; done';

function params(input: Record<string, unknown>) {
  return WaitStepParams.parse(input);
}

/** Runs the container's healthcheck every 300 ms until stopped, as podman's systemd timer would. */
function healthTimer(name: string): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    while (running) {
      await fx.podman.cli(['healthcheck', 'run', name]).catch(() => '');
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

beforeAll(async () => {
  fx = await startDockerFixture();
  await Promise.all([
    fx.podman.cli(['run', '-d', '--name', 'good-api', '--health-cmd', 'true', '--health-retries', '1', BUSYBOX_IMAGE, 'sh', '-c', LOOP]),
    fx.podman.cli(['run', '-d', '--name', 'bad-api', '--health-cmd', 'false', '--health-retries', '1', BUSYBOX_IMAGE, 'sh', '-c', LOOP]),
    fx.podman.cli(['create', '--name', 'never-started', BUSYBOX_IMAGE, 'sh', '-c', LOOP]),
    fx.podman.cli([
      'run', '-d', '--name', 'slow-boot', BUSYBOX_IMAGE, 'sh', '-c',
      'trap "exit 0" TERM; echo "server ready (an old line)"; while [ ! -e /tmp/go ]; do echo booting; sleep 0.2; done; echo "server ready on :8080"; while true; do sleep 1; done',
    ]),
  ]);
  targetId = await trustedSshTarget(fx);
  server = createServer((_req, res) => {
    requests++;
    res.statusCode = answers.shift() ?? 200;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 90_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await fx?.dispose();
});

describe('wait until container-*', () => {
  it('container-running holds at once for a running container', async () => {
    const outcome = await waitStep.run(params({ until: 'container-running', container: 'adhoc-worker' }), stepContext(fx.services, targetId).context);
    expect(outcome.outputs).toMatchObject({ last: 'running' });
    expect(outcome.outputs!.waitedMs).toBeLessThan(2000);
  });

  it('container-healthy counts a running container without a healthcheck as healthy', async () => {
    const outcome = await waitStep.run(params({ until: 'container-healthy', service: 'backend' }), stepContext(fx.services, targetId).context);
    expect(outcome.outputs).toMatchObject({ last: 'running, no healthcheck' });
  });

  it('container-healthy waits for a healthcheck that passes', async () => {
    const step = stepContext(fx.services, targetId);
    const stop = healthTimer('good-api');
    try {
      const outcome = await waitStep.run(params({ until: 'container-healthy', container: 'good-api', interval: '200ms', timeout: '20s' }), step.context);
      expect(outcome.outputs).toMatchObject({ last: 'healthy' });
      expect(outcome.message).toMatch(/^Good-api is healthy after/);
    } finally {
      await stop();
    }
  });

  it('container-healthy fails as soon as the engine reports the container unhealthy, not at its timeout', async () => {
    const step = stepContext(fx.services, targetId);
    const stop = healthTimer('bad-api');
    try {
      const error = await waitStep.run(params({ until: 'container-healthy', container: 'bad-api', interval: '300ms', timeout: '5m' }), step.context).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StepFailure);
      expect((error as Error).message).toMatch(/^bad-api was not healthy: unhealthy after [\d.]+ (ms|s), so waiting longer would not help\.$/);
      expect((error as StepFailure).outputs.waitedMs).toBeLessThan(5 * 60_000);
      expect((error as StepFailure).outputs.last).toBe('unhealthy');
    } finally {
      await stop();
    }
  });

  it('refuses at once a wait that names no container, or a container on an ops API target', async () => {
    await expect(waitStep.run(params({ until: 'container-healthy' }), stepContext(fx.services, targetId).context)).rejects.toThrow(
      'Name the container to wait for: set service (a compose service) or container (a name or id).',
    );
    const ops = await fx.services.targets.create({ name: 'shop-ops', environment: 'prod', kind: 'ops-api', settings: { baseUrl: 'http://127.0.0.1:9' } });
    await expect(waitStep.run(params({ until: 'container-running', service: 'api' }), stepContext(fx.services, ops.id).context)).rejects.toThrow(
      'shop-ops is an ops API target; wait steps need a Docker target.',
    );
  });

  it('stops at once when cancelled during the wait', async () => {
    const step = stepContext(fx.services, targetId);
    const waiting = waitStep.run(params({ until: 'container-running', container: 'never-started', interval: '1s', timeout: '2m' }), step.context);
    const settled = waiting.catch((e: unknown) => e);
    await waitFor(() => step.logs.some((l) => l.message.startsWith('Not yet (')), 10_000, 'the wait never checked');
    const cancelledAt = Date.now();
    step.abort.abort(new AbortedError('The run was cancelled.'));
    const error = await settled;
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as Error).message).toBe('The run was cancelled.');
    expect(Date.now() - cancelledAt).toBeLessThan(500);
  });
});

describe('wait until log-line', () => {
  it('matches only lines written after the step started', async () => {
    const step = stepContext(fx.services, targetId);
    const waiting = waitStep.run(params({ until: 'log-line', container: 'slow-boot', pattern: 'server ready on :\\d+', interval: '300ms', timeout: '20s' }), step.context);
    await waitFor(() => step.logs.some((l) => /none matching/.test(l.message)), 10_000, 'the wait never read the logs');
    await fx.podman.cli(['exec', 'slow-boot', 'sh', '-c', ': > /tmp/go']);
    const outcome = await waiting;
    expect(outcome.outputs).toMatchObject({ last: 'server ready on :8080' });
  });

  it('fails after its timeout when no line matches', async () => {
    const error = await waitStep
      .run(params({ until: 'log-line', container: 'slow-boot', pattern: 'an old line', interval: '300ms', timeout: '1s' }), stepContext(fx.services, targetId).context)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailure);
    expect((error as Error).message).toMatch(/^No line of slow-boot matched \/an old line\/ after 1s \(last: \d+ new lines?, none matching\)\.$/);
  });
});

describe('wait until http-status', () => {
  it('polls until the address answers the status', async () => {
    answers = [503, 503];
    const step = stepContext(fx.services, null);
    const outcome = await waitStep.run(params({ until: 'http-status', url: `${baseUrl}/health`, status: 200, interval: '100ms', timeout: '10s' }), step.context);
    expect(outcome.outputs).toMatchObject({ last: 'HTTP 200' });
    expect(step.logs.filter((l) => l.message === 'Not yet (HTTP 503); checking again in 100ms.')).toHaveLength(2);
  });

  it('fails with the last status seen', async () => {
    answers = Array(50).fill(502);
    const error = await waitStep
      .run(params({ until: 'http-status', url: `${baseUrl}/health`, status: 200, interval: '100ms', timeout: '500ms' }), stepContext(fx.services, null).context)
      .catch((e: unknown) => e);
    answers = [];
    expect((error as Error).message).toBe(`${baseUrl}/health did not answer 200 after 500ms (last: HTTP 502).`);
  });
});

describe('wait timing', () => {
  it('checks every interval and gives up at the timeout, both on the step’s clock', async () => {
    const clock = new FakeClock();
    answers = Array(50).fill(503);
    requests = 0;
    const step = stepContext(fx.services, null, { clock });
    const run = waitStep.run(params({ until: 'http-status', url: `${baseUrl}/health`, interval: '30s', timeout: '2m' }), step.context).catch((e: unknown) => e);
    for (let i = 0; i < 4; i++) {
      expect(await clock.nextTimer()).toBe(30_000);
      clock.advance(30_000);
    }
    const error = await run;
    answers = [];
    expect((error as Error).message).toBe(`${baseUrl}/health did not answer 200 after 2m (last: HTTP 503).`);
    expect((error as StepFailure).outputs).toEqual({ waitedMs: 120_000, last: 'HTTP 503' });
    expect(requests).toBe(5);
    expect(clock.pending).toBe(0);
  });
});
