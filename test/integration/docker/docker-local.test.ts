import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import type { DockerOverview } from '../../../shared/model/docker';
import { startKeyring, waitFor, type Keyring } from '../../support/keyring';
import { composeLabels, startPodman, type Podman } from '../../support/podman';
import { FAST_CONNECTIONS, waitForState } from '../../support/docker-fixture';

let keyring: Keyring;
let podman: Podman;
let services: Services;
let dataDir: string;
let targetId: string;

beforeAll(async () => {
  [keyring, podman] = await Promise.all([startKeyring(), startPodman()]);
  keyring.useInThisProcess();
  await podman.run('api-1', 'trap "exit 0" TERM; while true; do echo ok; sleep 1; done', composeLabels('billing', 'api'));
  dataDir = mkdtempSync(join(tmpdir(), 'cr-local-'));
  services = createServices({ dataDir, credentials: new KeytarBackend(`control-room-test-${process.pid}`), connections: FAST_CONNECTIONS });
  targetId = (
    await services.targets.create({ name: 'laptop', environment: 'dev', kind: 'docker-local', settings: { socketPath: podman.socketPath } })
  ).id;
}, 60_000);

afterAll(async () => {
  services?.close();
  await podman?.stop();
  await keyring?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('docker-local: the engine on a local socket', () => {
  it('connects without any host key step and lists, inspects and measures containers', async () => {
    const overview = await services.overview.snapshot(targetId);
    expect(services.connections.state(targetId).status).toBe('connected');
    expect(overview.projects).toHaveLength(1);
    const api = overview.projects[0]!.services[0]!.containers[0]!;
    expect(api).toMatchObject({ name: 'api-1', project: 'billing', service: 'api', state: 'running' });
    expect(api.memoryBytes).toBeGreaterThan(0);
    expect(overview.engine.hostname.length).toBeGreaterThan(0);
  });

  it('follows events and restarts without a confirmation on a dev target', async () => {
    const seen: DockerOverview[] = [];
    const stop = services.overview.watch(targetId, (o) => seen.push(o), () => undefined);
    try {
      await waitFor(() => seen.length > 0, 15_000, 'no first overview');
      const before = seen.at(-1)!.projects[0]!.services[0]!.containers[0]!;
      const count = seen.length;
      await services.containers.run({ targetId, containerId: before.id, action: 'restart' });
      await waitFor(() => seen.length > count, 15_000, 'the restart produced no update');
      expect(services.audit.list({ targetId })[0]).toMatchObject({
        subjectKind: 'container',
        action: 'restart',
        outcome: 'ok',
        target: { id: targetId, environment: 'dev' },
      });
    } finally {
      stop();
    }
  });

  it('reports a missing socket as reconnecting with the reason, and recovers when it appears', async () => {
    const other = await services.targets.create({
      name: 'nowhere',
      environment: 'dev',
      kind: 'docker-local',
      settings: { socketPath: join(dataDir, 'no-such.sock') },
    });
    services.connections.connection(other.id);
    const state = await waitForState(services, other.id, (s) => s.status === 'reconnecting');
    expect(state).toMatchObject({ reason: 'no Docker socket there' });
    await expect(services.overview.snapshot(other.id)).rejects.toMatchObject({ code: 'unreachable' });
    // Pointing the target at the real socket remakes its connection.
    await services.targets.update(other.id, { name: 'nowhere', environment: 'dev', kind: 'docker-local', settings: { socketPath: podman.socketPath } });
    await waitForState(services, other.id, (s) => s.status === 'connected');
  }, 40_000);

  it('a watch follows its target to a new connection after an edit', async () => {
    const moved = await services.targets.create({
      name: 'moving',
      environment: 'dev',
      kind: 'docker-local',
      settings: { socketPath: join(dataDir, 'not-yet.sock') },
    });
    const seen: DockerOverview[] = [];
    const errors: string[] = [];
    const stop = services.overview.watch(moved.id, (o) => seen.push(o), (e) => errors.push(e));
    try {
      await waitFor(() => errors.length > 0, 15_000, 'the unreachable socket was never reported');
      expect(seen).toHaveLength(0);
      await services.targets.update(moved.id, { name: 'moving', environment: 'dev', kind: 'docker-local', settings: { socketPath: podman.socketPath } });
      await waitFor(() => seen.length > 0, 15_000, 'the watch never followed the edited target');
      expect(seen.at(-1)!.projects[0]!.project).toBe('billing');
      // And it is live on the new connection: a new container shows up from its events.
      await podman.run('api-2', 'trap "exit 0" TERM; while true; do sleep 1; done', composeLabels('billing', 'api'));
      await waitFor(() => seen.at(-1)!.projects[0]!.services[0]!.containers.length === 2, 15_000, 'no event from the new connection');
    } finally {
      stop();
    }
  }, 40_000);
});
