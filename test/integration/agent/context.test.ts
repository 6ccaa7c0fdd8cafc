import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpsContext } from '../../../shared/model/ops';
import { waitFor } from '../../support/keyring';
import { BUSYBOX_IMAGE, composeLabels } from '../../support/podman';
import { startAgentFixture, type AgentFixture } from './agent-fixture';

/** podman qualifies local images: localhost/local/busybox:latest. */
const IMAGE = expect.stringMatching(/(^|\/)local\/busybox:latest$/);
const IDLE = 'trap "exit 0" TERM; while true; do sleep 1 & wait; done';
let fx: AgentFixture;
let broken: AgentFixture;
let slow: AgentFixture;
let runsFile: string;

beforeAll(async () => {
  [fx, broken, slow] = await Promise.all([
    startAgentFixture({
      podman: true,
      before: async (podman) => {
        await Promise.all([
          podman.run('shop-web-1', IDLE, { ...composeLabels('shop', 'web'), 'org.opencontainers.image.revision': 'label-sha-should-lose', 'com.control-room.deployed-at': '2024-01-01T00:00:00Z' }),
          podman.run('shop-api-1', IDLE, { ...composeLabels('shop', 'api'), 'org.opencontainers.image.ref.name': 'release/42' }),
          podman.run('shop-job-1', 'echo failing; exit 3', composeLabels('shop', 'job')),
          podman.cli(['run', '-d', '--name', 'shop-db-1', '--health-cmd', 'false', '--health-retries', '1', '--health-interval', '1h', ...labelArgs(composeLabels('shop', 'db')), BUSYBOX_IMAGE, 'sh', '-c', IDLE]),
        ]);
        // No systemd timers here: run the health check by hand, once, to make it unhealthy.
        await podman.cli(['healthcheck', 'run', 'shop-db-1']).catch(() => '');
      },
      config: (_podman, dataDir) => {
        runsFile = join(dataDir, 'migration-runs');
        const deployFile = join(dataDir, 'deploy.env');
        writeFileSync(deployFile, '# written by the deploy script\nexport GIT_SHA=file-sha-should-lose\nBRANCH="main"\nDEPLOYED_AT=1714557600\n');
        return {
          deploy: { file: deployFile },
          migrations: { command: `echo run >> ${runsFile}; echo "3 applied, 0 pending"`, cacheSeconds: 60 },
          disk: { mounts: ['/', dataDir] },
        };
      },
      env: { PATH: process.env.PATH, GIT_SHA: 'env-sha-1234' },
    }),
    // Everything that can fail, failing: the remaining sections must still answer.
    startAgentFixture({
      config: (_p, dataDir) => ({
        deploy: { file: join(dataDir, 'missing-deploy.json') },
        migrations: { command: 'echo "connecting to db"; echo "relation schema_migrations does not exist" >&2; exit 1' },
      }),
    }),
    startAgentFixture({
      config: (_p, dataDir) => {
        const deployFile = join(dataDir, 'deploy.json');
        writeFileSync(deployFile, JSON.stringify({ commit: 'json-sha-42', branch: 'release/7', deployed_at: '2024-05-01T12:00:00+02:00', images: { web: 'shop/web:1.2.3' } }));
        return { migrations: { command: 'sleep 30', timeoutSeconds: 1 }, disk: { mounts: ['/definitely/not/mounted'] }, deploy: { file: deployFile } };
      },
    }),
  ]);
  await waitFor(async () => {
    const ctx = await context(fx);
    return ctx.docker.ok && ctx.docker.data.containers.some((c) => c.name === 'shop-job-1' && c.state === 'exited');
  }, 15_000, 'shop-job-1 did not exit');
});

afterAll(async () => {
  await Promise.all([fx?.stop(), broken?.stop(), slow?.stop()]);
});

function labelArgs(labels: Record<string, string>): string[] {
  return Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
}

async function context(agent: AgentFixture) {
  const response = await agent.get('/api/ops/context');
  expect(response.status).toBe(200);
  return OpsContext.parse(await response.json());
}

describe('GET /api/ops/context: every section answering', () => {
  it('host: name, uptime, load and each configured mount', async () => {
    const { host } = await context(fx);
    if (!host.ok) throw new Error(host.error);
    expect(host.data.name.length).toBeGreaterThan(0);
    expect(host.data.uptimeSeconds).toBeGreaterThan(0);
    expect(host.data.load).toHaveLength(3);
    expect(host.data.disk.map((d) => d.mount)).toEqual(['/', fx.dataDir]);
    for (const d of host.data.disk) expect(d.totalBytes).toBeGreaterThanOrEqual(d.freeBytes);
  });

  it('deploy: env wins over the file, the file over labels; image tags from the containers', async () => {
    const { deploy } = await context(fx);
    if (!deploy.ok) throw new Error(deploy.error);
    expect(deploy.data).toMatchObject({
      gitSha: 'env-sha-1234',
      branch: 'main',
      deployedAt: '2024-05-01T10:00:00.000Z',
      sources: ['env', 'file', 'labels'],
    });
    expect(deploy.data.imageTags).toMatchObject({ web: IMAGE, api: IMAGE, db: IMAGE });
  });

  it('migrations: the command output, run once and cached', async () => {
    const first = await context(fx);
    const second = await context(fx);
    if (!first.migrations.ok) throw new Error(first.migrations.error);
    expect(first.migrations.data).toMatchObject({ exitCode: 0, output: '3 applied, 0 pending\n' });
    expect(first.migrations.data.command).toContain('3 applied');
    expect(second.migrations).toEqual(first.migrations);
    expect(readFileSync(runsFile, 'utf8')).toBe('run\n');
  });

  it('docker: containers with state, health, restarts and compose labels', async () => {
    const { docker } = await context(fx);
    if (!docker.ok) throw new Error(docker.error);
    const byName = new Map(docker.data.containers.map((c) => [c.name, c]));
    expect(byName.get('shop-web-1')).toMatchObject({ service: 'web', project: 'shop', image: IMAGE, state: 'running', health: 'none', restarts: 0 });
    expect(byName.get('shop-db-1')).toMatchObject({ service: 'db', state: 'running', health: 'unhealthy' });
    expect(byName.get('shop-job-1')).toMatchObject({ state: 'exited' });
    expect(byName.get('shop-web-1')!.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('alerts: an unhealthy container is critical, one that exited with an error a warning', async () => {
    const { alerts } = await context(fx);
    if (!alerts.ok) throw new Error(alerts.error);
    expect(alerts.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'container:shop-db-1:unhealthy', severity: 'critical', source: 'docker:shop-db-1' }),
        expect.objectContaining({ id: 'container:shop-job-1:exited', severity: 'warning', message: 'shop-job-1 (job) exited with code 3.' }),
      ]),
    );
    expect(alerts.data[0]!.severity).toBe('critical');
    expect(alerts.data.some((a) => a.id.includes('shop-web-1'))).toBe(false);
  });

  it('frontend: answers with no beacons yet', async () => {
    const { frontend } = await context(fx);
    expect(frontend).toEqual({ ok: true, data: { lastBuildHash: null, errorsLastHour: 0, errorsLastDay: 0, lastErrorAt: null } });
  });
});

describe('GET /api/ops/context: failing sections report their own error', () => {
  it('a migrations command that exits 1, a missing deploy file and no Docker engine; host and frontend still answer', async () => {
    const ctx = await context(broken);
    expect(ctx.migrations).toEqual({ ok: false, error: 'The migrations command exited with code 1: relation schema_migrations does not exist' });
    expect(ctx.deploy.ok).toBe(false);
    if (!ctx.deploy.ok) expect(ctx.deploy.error).toMatch(/The deploy file .*missing-deploy\.json could not be read \(ENOENT\)\./);
    expect(ctx.docker.ok).toBe(false);
    if (!ctx.docker.ok) expect(ctx.docker.error).toMatch(/The Docker engine could not be reached at .*no-docker\.sock \(ENOENT\)\./);
    expect(ctx.host.ok).toBe(true);
    expect(ctx.frontend.ok).toBe(true);
    // The alerts section still answers, and says the engine is down.
    expect(ctx.alerts.ok && ctx.alerts.data.map((a) => a.id)).toEqual(['docker:unreachable']);
  });

  it('a migrations command that hangs is stopped at its timeout; an unmeasurable mount fails the host section; a JSON deploy file still answers', async () => {
    const started = Date.now();
    const ctx = await context(slow);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(ctx.migrations).toEqual({ ok: false, error: 'The migrations command did not finish within 1 s and was stopped.' });
    expect(ctx.host).toEqual({ ok: false, error: 'The mount /definitely/not/mounted could not be measured (ENOENT).' });
    // No engine here, so the JSON file is the only source, image tags included.
    expect(ctx.deploy).toEqual({
      ok: true,
      data: { gitSha: 'json-sha-42', branch: 'release/7', deployedAt: '2024-05-01T10:00:00.000Z', imageTags: { web: 'shop/web:1.2.3' }, sources: ['file'] },
    });
  });

  it('an agent without a migrations command says so in that section', async () => {
    const agent = await startAgentFixture();
    try {
      const ctx = await context(agent);
      expect(ctx.migrations).toEqual({ ok: false, error: expect.stringMatching(/No migrations command is configured/) });
    } finally {
      await agent.stop();
    }
  });
});
