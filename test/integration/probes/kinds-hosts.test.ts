/**
 * The probe kinds that reach the user's own hosts — `docker`, `ssh`, `ops-api` — run through the
 * app's real capabilities (probe-capabilities.ts) over real services: podman's Docker API behind
 * a real sshd with a pinned host key, the real keychain, and the real agent as the ops API.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbeCapabilities, type ProbeCapabilities } from '../../../main/services/probes/probe-capabilities';
import { systemClock } from '../../../node/clock';
import { dockerKind } from '../../../node/probes/kinds/docker';
import { opsApiKind } from '../../../node/probes/kinds/ops-api';
import { sshKind } from '../../../node/probes/kinds/ssh';
import type { PlaceholderValues, ProbeRunContext } from '../../../node/probes/probe-kind';
import { startDockerFixture, waitForState, type DockerFixture } from '../../support/docker-fixture';
import { waitFor } from '../../support/keyring';
import { BUSYBOX_IMAGE } from '../../support/podman';
import { startAgentFixture, type AgentFixture } from '../agent/agent-fixture';

const exec = promisify(execFile);

let fx: DockerFixture;
let agent: AgentFixture;
/** An agent in front of the same podman, so its containers section lists the probe's containers. */
let dockerAgent: AgentFixture;
let caps: ProbeCapabilities;
let sshTarget: string;
let localTarget: string;
let opsTarget: string;
let dockerOpsTarget: string;

const LOOP = 'trap "exit 0" TERM; while true; do sleep 1; done';

beforeAll(async () => {
  [fx, agent] = await Promise.all([startDockerFixture(), startAgentFixture()]);
  const { targets, connections, opsApi } = fx.services;
  caps = createProbeCapabilities({ targets, connections, opsApi });
  await Promise.all([
    fx.podman.cli(['run', '-d', '--name', 'probe-done', BUSYBOX_IMAGE, 'sh', '-c', 'echo bye; exit 4']),
    fx.podman.cli([
      'run',
      '-d',
      '--name',
      'probe-sick',
      '--health-cmd',
      'echo database down; exit 1',
      '--health-retries',
      '1',
      '--health-interval',
      '1h',
      BUSYBOX_IMAGE,
      'sh',
      '-c',
      LOOP,
    ]),
    fx.podman.cli([
      'run',
      '-d',
      '--name',
      'probe-well',
      '--health-cmd',
      'true',
      '--health-interval',
      '1h',
      BUSYBOX_IMAGE,
      'sh',
      '-c',
      LOOP,
    ]),
    fx.podman.run('probe-bouncy', LOOP),
  ]);
  sshTarget = (
    await targets.create({
      name: 'web-1',
      environment: 'staging',
      kind: 'docker-ssh',
      settings: { host: '127.0.0.1', port: fx.sshd.port, username: 'root', socketPath: fx.podman.socketPath },
      secrets: { privateKey: fx.sshd.clientPrivateKey },
    })
  ).id;
  localTarget = (
    await targets.create({
      name: 'laptop',
      environment: 'dev',
      kind: 'docker-local',
      settings: { socketPath: fx.podman.socketPath },
    })
  ).id;
  opsTarget = (
    await targets.create({
      name: 'shop-ops',
      environment: 'staging',
      kind: 'ops-api',
      settings: { baseUrl: agent.url },
      secrets: { apiToken: agent.read },
    })
  ).id;
  dockerAgent = await startAgentFixture({ config: () => ({ docker: { socket: fx.podman.socketPath } }) });
  dockerOpsTarget = (
    await targets.create({
      name: 'web-ops',
      environment: 'staging',
      kind: 'ops-api',
      settings: { baseUrl: dockerAgent.url },
      secrets: { apiToken: dockerAgent.read },
    })
  ).id;
  // Pin the host key the way a user does: connect, compare the offered fingerprint, trust it.
  connections.connection(sshTarget);
  await waitForState(fx.services, sshTarget, (s) => s.status === 'untrusted-host-key');
  connections.trustHostKey(sshTarget, await fx.sshd.hostKeyFingerprint());
  await waitForState(fx.services, sshTarget, (s) => s.status === 'connected');
  await fx.podman.cli(['wait', 'probe-done']);
}, 120_000);

afterAll(async () => {
  await Promise.all([agent?.stop(), dockerAgent?.stop()]);
  await fx?.dispose();
});

function context(
  previousValues: PlaceholderValues | null = null,
  signal = new AbortController().signal,
): ProbeRunContext {
  return {
    signal,
    clock: systemClock,
    secret: () => Promise.reject(new Error('These kinds take no secrets.')),
    ...caps,
    previousValues,
  };
}

/** Runs `podman healthcheck run`; it exits 1 when the check fails, which is the point here. */
async function healthcheck(name: string): Promise<void> {
  await fx.podman.cli(['healthcheck', 'run', name]).catch(() => undefined);
}

/** Channels the server closed while their command was still running. */
function closedChannels(): number {
  return fx.sshd.log().match(/session_close_by_channel: channel \d+: has child/g)?.length ?? 0;
}

async function processIds(pattern: string): Promise<number[]> {
  const { stdout } = await exec('pgrep', ['-f', pattern]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter(Boolean).map(Number);
}

async function processRunning(pattern: string): Promise<boolean> {
  return (await processIds(pattern)).length > 0;
}

describe('docker kind, through the docker-ssh connection', () => {
  it('reports a running container without a health check', async () => {
    const outcome = await dockerKind.run({ targetId: sshTarget, container: 'adhoc-worker' }, context());
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({
      CONNECTED: true,
      STATE: 'running',
      RUNNING: true,
      HEALTH: 'none',
      RESTARTS: 0,
      RESTART_COUNT: 0,
      EXIT_CODE: 0,
    });
    expect(Date.parse(outcome.values.STARTED_AT as string)).toBeGreaterThan(Date.now() - 300_000);
    expect(outcome.metadata).toMatchObject({
      image: expect.stringContaining('busybox'),
      status: 'running',
      container: 'adhoc-worker',
    });
    expect(outcome.artifacts).toEqual([]);
  });

  it('reports a stopped container with its exit code', async () => {
    const outcome = await dockerKind.run({ targetId: sshTarget, container: 'probe-done' }, context());
    expect(outcome.values).toMatchObject({ STATE: 'exited', RUNNING: false, EXIT_CODE: 4, HEALTH: 'none' });
    expect(outcome.metadata.status).toBe('exited');
  });

  it('reports a failing health check as unhealthy and keeps its last log entry', async () => {
    await healthcheck('probe-sick');
    const outcome = await dockerKind.run({ targetId: sshTarget, container: 'probe-sick' }, context());
    expect(outcome.values).toMatchObject({ RUNNING: true, HEALTH: 'unhealthy' });
    expect(outcome.artifacts.map((a) => [a.name, a.contentType])).toEqual([['health-check.json', 'application/json']]);
    const entry = JSON.parse(outcome.artifacts[0]!.data.toString()) as { ExitCode: number; Output: string };
    expect(entry.ExitCode).toBe(1);
    expect(entry.Output).toContain('database down');
  });

  it('reports a passing health check as healthy', async () => {
    await fx.podman.cli(['healthcheck', 'run', 'probe-well']);
    const outcome = await dockerKind.run({ targetId: sshTarget, container: 'probe-well' }, context());
    expect(outcome.values).toMatchObject({ RUNNING: true, HEALTH: 'healthy' });
    expect(JSON.parse(outcome.artifacts[0]!.data.toString())).toMatchObject({ ExitCode: 0 });
  });

  it('counts restarts since the last run, and none on the run after', async () => {
    const first = await dockerKind.run({ targetId: sshTarget, container: 'probe-bouncy' }, context());
    expect(first.values.RESTARTS).toBe(0);
    await fx.podman.cli(['restart', '-t', '0', 'probe-bouncy']);
    const second = await dockerKind.run({ targetId: sshTarget, container: 'probe-bouncy' }, context(first.values));
    expect(second.values).toMatchObject({ RUNNING: true, RESTARTS: 1 });
    expect(second.values.STARTED_AT).not.toBe(first.values.STARTED_AT);
    const third = await dockerKind.run({ targetId: sshTarget, container: 'probe-bouncy' }, context(second.values));
    expect(third.values.RESTARTS).toBe(0);
  });

  it('says clearly when the container does not exist', async () => {
    const outcome = await dockerKind.run({ targetId: sshTarget, container: 'no-such-box' }, context());
    expect(outcome.error).toMatch(/^There is no container named no-such-box on this target — check the name/);
    expect(outcome.values).toMatchObject({ RUNNING: false, STATE: 'missing' });
  });

  it('works the same on a local Docker target', async () => {
    const outcome = await dockerKind.run({ targetId: localTarget, container: 'probe-sick' }, context());
    expect(outcome.values).toMatchObject({ STATE: 'running', HEALTH: 'unhealthy' });
  });

  it('refuses an ops API target in one sentence', async () => {
    const outcome = await dockerKind.run({ targetId: opsTarget, container: 'x' }, context());
    expect(outcome.error).toBe(
      'shop-ops is an ops API target — a docker probe needs a Docker target (local or over SSH).',
    );
  });
});

describe('ssh kind, over the pinned-key connection', () => {
  it('runs a command: exit code as STATUS, stdout and stderr as BODY and output.txt', async () => {
    const outcome = await sshKind.run(
      { targetId: sshTarget, command: 'echo hello from $(hostname); echo warning >&2', outputCap: 4096 },
      context(),
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({ CONNECTED: true, STATUS: 0, EXIT_CODE: 0 });
    expect(outcome.values.BODY).toMatch(/hello from \S+\n/);
    expect(outcome.values.BODY).toContain('warning\n');
    expect(typeof outcome.values.RESPONSE_TIME).toBe('number');
    expect(outcome.artifacts).toHaveLength(1);
    expect(outcome.artifacts[0]).toMatchObject({
      name: 'output.txt',
      contentType: 'text/plain; charset=utf-8',
      truncated: false,
    });
    expect(outcome.artifacts[0]!.data.toString()).toBe(outcome.values.BODY);
    // The Docker requests above and this command share one SSH connection.
    expect(await fx.sshd.connectionCount()).toBe(1);
  });

  it('reports a non-zero exit code', async () => {
    const outcome = await sshKind.run(
      { targetId: sshTarget, command: 'echo failing; exit 3', outputCap: 4096 },
      context(),
    );
    expect(outcome.values).toMatchObject({ STATUS: 3, EXIT_CODE: 3, BODY: 'failing\n' });
    expect(outcome.metadata).toMatchObject({ exitCode: 3, truncated: false });
  });

  it('keeps only outputCap bytes of a long output, reads the rest so the command finishes, and says it was cut', async () => {
    const outcome = await sshKind.run(
      { targetId: sshTarget, command: 'head -c 2000000 /dev/zero | tr "\\0" x; echo; echo done', outputCap: 1000 },
      context(),
    );
    expect(outcome.values.STATUS).toBe(0);
    expect(outcome.values.BODY).toBe('x'.repeat(1000));
    expect(outcome.artifacts[0]).toMatchObject({ truncated: true });
    expect(outcome.artifacts[0]!.data.length).toBe(1000);
    expect(outcome.metadata).toMatchObject({ truncated: true, outputBytes: 1000 });
  });

  it('cuts at a character boundary when the cap falls inside one', async () => {
    // a, then é as its two UTF-8 bytes: a cap of 2 ends between them.
    const outcome = await sshKind.run(
      { targetId: sshTarget, command: "printf 'a\\303\\251b'", outputCap: 2 },
      context(),
    );
    expect(outcome.values).toMatchObject({ STATUS: 0, BODY: 'a' });
    expect(outcome.artifacts[0]).toMatchObject({ truncated: true });
  });

  it('ends a run on abort at once, closes its channel, and leaves the connection usable', async () => {
    const abort = new AbortController();
    const marker = 'sleep 4731';
    const closedBefore = closedChannels();
    const run = sshKind.run(
      { targetId: sshTarget, command: `${marker}; echo never`, outputCap: 4096 },
      context(null, abort.signal),
    );
    try {
      await waitFor(() => processRunning(marker), 10_000, 'the command never started on the host');
      abort.abort(new Error('The probe timed out after 1 s.'));
      await expect(run).rejects.toThrow('The probe timed out after 1 s.');
      // The server saw the channel close while the command still ran (test sshd logs at DEBUG1).
      await waitFor(() => closedChannels() > closedBefore, 10_000, 'the server never saw the channel close');
      const after = await sshKind.run({ targetId: sshTarget, command: 'echo still here', outputCap: 4096 }, context());
      expect(after.values).toMatchObject({ STATUS: 0, BODY: 'still here\n' });
      expect(fx.services.connections.state(sshTarget).status).toBe('connected');
      expect(await fx.sshd.connectionCount()).toBe(1);
    } finally {
      // The test sshd takes root logins, for which OpenSSH refuses the abort's SIGKILL (see
      // SshTunnel.exec): end the orphaned command here, by its process ids.
      for (const pid of await processIds(marker)) process.kill(pid, 'SIGKILL');
    }
  });

  it('refuses a local Docker target in one sentence', async () => {
    const outcome = await sshKind.run({ targetId: localTarget, command: 'true', outputCap: 10 }, context());
    expect(outcome.error).toBe(
      'laptop is a local Docker target — an ssh probe needs a Docker-over-SSH target, whose host it runs the command on.',
    );
    expect(outcome.values).toEqual({ CONNECTED: false });
  });
});

describe('ops-api kind, against the real agent', () => {
  it('reads a section the agent could read: HEALTH ok, the section as BODY and section.json', async () => {
    const outcome = await opsApiKind.run({ targetId: opsTarget, section: 'host' }, context());
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({ CONNECTED: true, HEALTH: 'ok' });
    const body = JSON.parse(outcome.values.BODY as string) as {
      ok: boolean;
      data: { name: string; uptimeSeconds: number };
    };
    expect(body.ok).toBe(true);
    expect(body.data.uptimeSeconds).toBeGreaterThan(0);
    expect(outcome.artifacts.map((a) => a.name)).toEqual(['section.json']);
    expect(JSON.parse(outcome.artifacts[0]!.data.toString())).toEqual(body);
    expect(outcome.metadata).toMatchObject({ section: 'host', health: 'ok' });
  });

  it('reports a section the agent could not read as failed, with its reason', async () => {
    // This agent has no Docker engine behind it, so its containers section carries an error.
    const outcome = await opsApiKind.run({ targetId: opsTarget, section: 'containers' }, context());
    expect(outcome.values).toMatchObject({ CONNECTED: true, HEALTH: 'failed' });
    expect(outcome.error).toMatch(/^The target could not read its containers section: /);
    expect(JSON.parse(outcome.values.BODY as string)).toMatchObject({ ok: false });
  });

  it('reports a section that was read but shows trouble as degraded', async () => {
    // probe-done exited with 4 and probe-sick failed its health check (in the docker tests above).
    const containers = await opsApiKind.run({ targetId: dockerOpsTarget, section: 'containers' }, context());
    expect(containers.error).toBeUndefined();
    expect(containers.values).toMatchObject({ CONNECTED: true, HEALTH: 'degraded' });
    const body = JSON.parse(containers.values.BODY as string) as {
      data: { containers: { name: string; state: string; health: string }[] };
    };
    expect(body.data.containers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'probe-done', state: 'exited' }),
        expect.objectContaining({ name: 'probe-sick', health: 'unhealthy' }),
      ]),
    );
    const alerts = await opsApiKind.run({ targetId: dockerOpsTarget, section: 'alerts' }, context());
    expect(alerts.values).toMatchObject({ HEALTH: 'degraded' });
    expect(alerts.values.BODY).toContain('probe-sick is unhealthy.');
  });

  it('refuses a Docker target in one sentence', async () => {
    const outcome = await opsApiKind.run({ targetId: sshTarget, section: 'host' }, context());
    expect(outcome.error).toBe('web-1 is a Docker-over-SSH target — an ops-api probe needs an ops API target.');
  });

  it('says clearly that the agent cannot be reached once it stopped', async () => {
    await agent.app.close();
    const outcome = await opsApiKind.run({ targetId: opsTarget, section: 'host' }, context());
    expect(outcome.values).toEqual({ CONNECTED: false });
    expect(outcome.error).toMatch(
      /^Could not reach the ops API at .*connection refused — is it running, and is the base URL right\?$/,
    );
  });
});
