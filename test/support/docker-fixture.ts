/**
 * The whole Docker test rig in one place: a real keychain, sshd in front of podman's Docker API,
 * compose-labelled busybox containers, and the app's services on a temporary data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, type Services } from '../../main/services';
import { KeytarBackend } from '../../main/services/credentials/keytar-backend';
import type { ConnectionManagerOptions } from '../../main/services/connections/connection-manager';
import { startKeyring, type Keyring } from './keyring';
import { composeLabels, startPodman, type Podman } from './podman';
import { startSshd, type Sshd } from './sshd';
import type { ConnectionState } from '../../shared/model/connection';

export interface DockerFixture {
  keyring: Keyring;
  sshd: Sshd;
  podman: Podman;
  services: Services;
  dataDir: string;
  dispose(): Promise<void>;
}

/** Fast timings so reconnection tests take seconds, not minutes. */
export const FAST_CONNECTIONS: ConnectionManagerOptions = {
  keepaliveIntervalMs: 1_000,
  keepaliveCountMax: 2,
  backoff: { initialMs: 200, maxMs: 1_000 },
};

export async function startDockerFixture(options: { connections?: ConnectionManagerOptions } = {}): Promise<DockerFixture> {
  const [keyring, sshd, podman] = await Promise.all([startKeyring(), startSshd(), startPodman()]);
  keyring.useInThisProcess();
  await Promise.all([
    // `trap` lets sh (PID 1 in the container) stop on SIGTERM instead of waiting for SIGKILL.
    podman.run('shop-backend-1', 'trap "exit 0" TERM; i=0; while true; do echo "backend line $i"; i=$((i+1)); sleep 0.5; done', composeLabels('shop', 'backend')),
    podman.run('shop-frontend-1', 'trap "exit 0" TERM; while true; do echo frontend; sleep 1; done', composeLabels('shop', 'frontend')),
    podman.run('adhoc-worker', 'trap "exit 0" TERM; while true; do sleep 1; done'),
  ]);
  const dataDir = mkdtempSync(join(tmpdir(), 'cr-docker-'));
  const services = createServices({
    dataDir,
    credentials: new KeytarBackend(`control-room-test-${process.pid}`),
    home: join(dataDir, 'home'),
    connections: { ...FAST_CONNECTIONS, ...options.connections },
  });
  return {
    keyring,
    sshd,
    podman,
    services,
    dataDir,
    dispose: async () => {
      services.close();
      await Promise.all([podman.stop(), sshd.dispose()]);
      await keyring.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Resolves with the first state of `targetId` that satisfies `match`: the current one, or any
 * later transition (short-lived states such as "reconnecting" are not missed between polls).
 */
export function waitForState(
  services: Services,
  targetId: string,
  match: (state: ConnectionState) => boolean,
  timeoutMs = 20_000,
): Promise<ConnectionState> {
  const now = services.connections.state(targetId);
  if (match(now)) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`target never reached the expected state in ${timeoutMs} ms (last: ${JSON.stringify(services.connections.state(targetId))})`));
    }, timeoutMs);
    const off = services.connections.onState(({ targetId: id, state }) => {
      if (id !== targetId || !match(state)) return;
      clearTimeout(timer);
      off();
      resolve(state);
    });
  });
}
