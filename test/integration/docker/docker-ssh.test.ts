import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../../shared/model/connection';
import type { DockerOverview } from '../../../shared/model/docker';
import { ApiError } from '../../../shared/errors';
import { startDockerFixture, waitForState, type DockerFixture } from '../../support/docker-fixture';
import { waitFor } from '../../support/keyring';

let fx: DockerFixture;
let targetId: string;

beforeAll(async () => {
  fx = await startDockerFixture();
  const target = await fx.services.targets.create({
    name: 'prod-1',
    environment: 'prod',
    kind: 'docker-ssh',
    settings: { host: '127.0.0.1', port: fx.sshd.port, username: 'root', socketPath: fx.podman.socketPath },
    secrets: { privateKey: fx.sshd.clientPrivateKey },
  });
  targetId = target.id;
}, 60_000);

afterAll(async () => {
  await fx?.dispose();
});

function containerNames(overview: DockerOverview): string[] {
  return [...overview.projects.flatMap((p) => p.services.flatMap((s) => s.containers)), ...overview.ungrouped].map((c) => c.name);
}

describe('docker-ssh: host keys are pinned on first use', () => {
  it('stops at "untrusted" with the server\'s real SHA256 fingerprint and sends no credentials', async () => {
    const state = fx.services.connections.connection(targetId).state;
    expect(['idle', 'connecting', 'untrusted-host-key']).toContain(state.status);
    const untrusted = await waitForState(fx.services, targetId, (s) => s.status === 'untrusted-host-key');
    expect(untrusted).toMatchObject({ status: 'untrusted-host-key', fingerprint: await fx.sshd.hostKeyFingerprint() });
    expect(fx.sshd.log()).not.toMatch(/userauth-request|Accepted publickey/);
    await expect(fx.services.overview.snapshot(targetId)).rejects.toThrow(/not trusted yet/);
  });

  it('refuses to trust a fingerprint other than the one offered', () => {
    expect(() => fx.services.connections.trustHostKey(targetId, 'SHA256:' + 'A'.repeat(43))).toThrow(ApiError);
    expect(fx.services.targets.get(targetId).hostKey).toBeNull();
  });

  it('connects once trusted and keeps the pin with the target', async () => {
    const fingerprint = await fx.sshd.hostKeyFingerprint();
    const target = fx.services.connections.trustHostKey(targetId, fingerprint);
    expect(target.hostKey?.fingerprint).toBe(fingerprint);
    await waitForState(fx.services, targetId, (s) => s.status === 'connected');
    expect(fx.sshd.log()).toMatch(/Accepted publickey for root/);
  });
});

describe('docker-ssh: the Overview through the tunnel', () => {
  it('lists engine facts and containers grouped by compose project and service', async () => {
    const overview = await fx.services.overview.snapshot(targetId);
    expect(overview.engine.version).toMatch(/^\d+\.\d+/);
    expect(overview.engine.cpus).toBeGreaterThan(0);
    expect(overview.projects.map((p) => p.project)).toEqual(['shop']);
    expect(overview.projects[0]!.services.map((s) => s.service)).toEqual(['backend', 'frontend']);
    expect(overview.ungrouped.map((c) => c.name)).toEqual(['adhoc-worker']);
    const backend = overview.projects[0]!.services[0]!.containers[0]!;
    expect(backend).toMatchObject({ name: 'shop-backend-1', state: 'running', health: 'none', image: expect.stringContaining('busybox'), restartCount: 0 });
    expect(Date.parse(backend.startedAt!)).toBeGreaterThan(Date.now() - 120_000);
    expect(backend.memoryBytes).toBeGreaterThan(0);
    expect(backend.memoryLimitBytes).toBeGreaterThan(0);
    expect(backend.cpuPercent).not.toBeNull();
  });

  it('uses one SSH connection for many Docker requests', async () => {
    await Promise.all([fx.services.overview.snapshot(targetId), fx.services.overview.snapshot(targetId)]);
    expect(await fx.sshd.connectionCount()).toBe(1);
  });

  it('stays current from the events stream: a new container and a stopped one show up without a re-read', async () => {
    const seen: DockerOverview[] = [];
    const errors: string[] = [];
    const stop = fx.services.overview.watch(targetId, (o) => seen.push(o), (e) => errors.push(e));
    try {
      await waitFor(() => seen.length > 0, 15_000, 'no first overview');
      await fx.podman.run('shop-worker-1', 'while true; do sleep 1; done', {
        'com.docker.compose.project': 'shop',
        'com.docker.compose.service': 'worker',
      });
      await waitFor(() => containerNames(seen.at(-1)!).includes('shop-worker-1'), 15_000, 'new container never appeared');
      await fx.podman.cli(['stop', '-t', '0', 'shop-worker-1']);
      await waitFor(
        () => seen.at(-1)!.projects[0]!.services.find((s) => s.service === 'worker')?.containers[0]?.state === 'exited',
        15_000,
        'stopped container never showed as exited',
      );
      expect(errors).toEqual([]);
    } finally {
      stop();
    }
  });
});

describe('docker-ssh: container actions and the audit log', () => {
  it('on prod, refuses a restart without the typed container name, and records nothing', async () => {
    const overview = await fx.services.overview.snapshot(targetId);
    const backend = overview.projects[0]!.services[0]!.containers[0]!;
    const before = fx.services.audit.list({ targetId }).length;
    await expect(fx.services.containers.run({ targetId, containerId: backend.id, action: 'restart' })).rejects.toMatchObject({
      code: 'confirmation-required',
    });
    await expect(
      fx.services.containers.run({ targetId, containerId: backend.id, action: 'restart', confirmation: 'shop-backend' }),
    ).rejects.toMatchObject({ code: 'confirmation-required' });
    expect(fx.services.audit.list({ targetId }).length).toBe(before);
  });

  it('restarts with the right confirmation and writes the audit log', async () => {
    const before = (await fx.services.overview.snapshot(targetId)).projects[0]!.services[0]!.containers[0]!;
    const result = await fx.services.containers.run({
      targetId,
      containerId: before.id,
      action: 'restart',
      confirmation: 'shop-backend-1',
    });
    expect(result).toEqual({ container: 'shop-backend-1', message: 'shop-backend-1 restarted.' });
    const after = (await fx.services.overview.snapshot(targetId)).projects[0]!.services[0]!.containers[0]!;
    expect(after.state).toBe('running');
    expect(Date.parse(after.startedAt!)).toBeGreaterThanOrEqual(Date.parse(before.startedAt!));
    const [entry] = fx.services.audit.list({ targetId });
    expect(entry).toMatchObject({
      subjectKind: 'container',
      subject: 'shop-backend-1',
      action: 'restart',
      outcome: 'ok',
      detail: { message: 'restarted' },
      target: { id: targetId, name: 'prod-1', environment: 'prod' },
    });
  });

  it('says clearly when the container is gone', async () => {
    const adhoc = (await fx.services.overview.snapshot(targetId)).ungrouped[0]!;
    await fx.podman.cli(['rm', '-f', '-t', '0', 'adhoc-worker']);
    await expect(
      fx.services.containers.run({ targetId, containerId: adhoc.id, action: 'stop', confirmation: 'adhoc-worker' }),
    ).rejects.toMatchObject({ code: 'not-found', message: expect.stringContaining('no longer exists') });
  });

  it('records a failed action as an error with Docker\'s reason', async () => {
    const id = await fx.podman.cli(['create', '--name', 'broken-1', 'local/busybox:latest', '/bin/does-not-exist']);
    await expect(
      fx.services.containers.run({ targetId, containerId: id, action: 'start', confirmation: 'broken-1' }),
    ).rejects.toMatchObject({ code: 'docker', message: expect.stringContaining('Docker could not start broken-1') });
    const [entry] = fx.services.audit.list({ targetId });
    expect(entry).toMatchObject({ subjectKind: 'container', subject: 'broken-1', action: 'start', outcome: 'error' });
    expect(entry!.detail.message).toEqual(expect.stringMatching(/\S/));
  });
});

describe('docker-ssh: dropped connections', () => {
  it('notices a silent link within the keepalive window, then reconnects by itself — one connection only', async () => {
    await waitForState(fx.services, targetId, (s) => s.status === 'connected');
    const states: ConnectionState['status'][] = [];
    const off = fx.services.connections.onState(({ targetId: id, state }) => id === targetId && states.push(state.status));
    try {
      await fx.sshd.freeze();
      const started = Date.now();
      await waitForState(fx.services, targetId, (s) => s.status === 'reconnecting', 15_000);
      // Keepalive here: 1 s interval, 2 misses; production uses 4 s × 2, under the 15 s promise.
      expect(Date.now() - started).toBeLessThan(10_000);
      await fx.sshd.thaw();
      await fx.sshd.stop();
      await fx.sshd.start();
      await waitForState(fx.services, targetId, (s) => s.status === 'connected', 20_000);
      await fx.services.overview.snapshot(targetId);
      expect(await fx.sshd.connectionCount()).toBe(1);
      expect(states).toContain('reconnecting');
    } finally {
      off();
      await fx.sshd.thaw();
    }
  });

  it('goes to reconnecting when sshd is killed and comes back when it is started again', async () => {
    await fx.sshd.stop();
    const down = await waitForState(fx.services, targetId, (s) => s.status === 'reconnecting');
    expect(down).toMatchObject({ status: 'reconnecting', attempt: expect.any(Number) });
    await new Promise((r) => setTimeout(r, 1_500)); // a few failed attempts while it is down
    await fx.sshd.start();
    await waitForState(fx.services, targetId, (s) => s.status === 'connected', 20_000);
    expect((await fx.services.overview.snapshot(targetId)).projects[0]!.project).toBe('shop');
    expect(await fx.sshd.connectionCount()).toBe(1);
  });

  it('refuses a changed host key before any authentication, naming both fingerprints', async () => {
    const trusted = await fx.sshd.hostKeyFingerprint();
    await fx.sshd.stop();
    await fx.sshd.rotateHostKey();
    await fx.sshd.start();
    const logBefore = fx.sshd.log().length;
    const offered = await fx.sshd.hostKeyFingerprint();
    const failed = await waitForState(fx.services, targetId, (s) => s.status === 'failed');
    expect(failed).toMatchObject({ status: 'failed', code: 'host-key-mismatch' });
    const reason = (failed as { reason: string }).reason;
    expect(reason).toContain(trusted);
    expect(reason).toContain(offered);
    // sshd saw the connection but never an authentication request.
    const newLog = fx.sshd.log().slice(logBefore);
    expect(newLog).toMatch(/Connection from 127\.0\.0\.1/);
    expect(newLog).not.toMatch(/userauth-request|Accepted publickey|Failed publickey/);
    // It stays failed: no silent retries against the new key.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(fx.services.connections.state(targetId).status).toBe('failed');
    expect(fx.services.targets.get(targetId).hostKey?.fingerprint).toBe(trusted);
  });

  it('after the user forgets the old key, asks again with the new fingerprint', async () => {
    fx.services.connections.forgetHostKey(targetId);
    const untrusted = await waitForState(fx.services, targetId, (s) => s.status === 'untrusted-host-key');
    expect(untrusted).toMatchObject({ fingerprint: await fx.sshd.hostKeyFingerprint() });
  });
});
