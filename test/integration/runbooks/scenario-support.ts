/**
 * The rig the runbook scenarios share: a real keychain, a real sshd in front of one or more
 * podman Docker APIs, docker-ssh targets pinned as a user would pin them, and the app's services
 * (createServices) on a temporary data directory with its runbooks folder.
 *
 * podman runs health checks from systemd timers, and there is no systemd here: `healthTicker`
 * plays the timer's part, asking podman to run each container's own health check every half
 * second. The checks themselves are the containers' real ones.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, type Services } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import type { RunStartInput, RunSummary, RunEvent } from '../../../shared/model/runbook';
import type { Environment, Target } from '../../../shared/model/target';
import { FAST_CONNECTIONS, waitForState } from '../../support/docker-fixture';
import { startKeyring, waitFor, type Keyring } from '../../support/keyring';
import { startPodman, type Podman } from '../../support/podman';
import { startSshd, type Sshd } from '../../support/sshd';

export interface ScenarioRig {
  keyring: Keyring;
  sshd: Sshd;
  podmans: Podman[];
  dataDir: string;
  services: Services;
  /** A docker-ssh target reaching `podman` through `sshd` (the rig's by default), its host key pinned. */
  addTarget(name: string, environment: Environment, podman?: Podman, sshd?: Sshd): Promise<Target>;
  /** Writes a YAML runbook into the watched folder; resolves once the catalog has read it. */
  writeRunbook(file: string, yaml: string): Promise<void>;
  /** Starts a run as the app does and resolves once it has ended. */
  run(request: RunStartInput): Promise<RunSummary>;
  events(runId: string): RunEvent[];
  /** Closes the services (a later `reopen` is the next start on the same data directory). */
  dispose(): Promise<void>;
}

export async function startScenarioRig(options: { podmans?: number } = {}): Promise<ScenarioRig> {
  const [keyring, sshd, ...podmans] = await Promise.all([
    startKeyring(),
    startSshd(),
    ...Array.from({ length: options.podmans ?? 1 }, () => startPodman()),
  ]);
  keyring.useInThisProcess();
  const dataDir = mkdtempSync(join(tmpdir(), 'cr-scenario-'));
  mkdirSync(join(dataDir, 'runbooks'), { recursive: true });
  const services = createServices({
    dataDir,
    // The app's own keychain entry name: the keychain is this test's private one, and a child
    // process of the app (the crash scenario's) reads the same entries.
    credentials: new KeytarBackend(),
    home: join(dataDir, 'home'),
    connections: FAST_CONNECTIONS,
    probes: { background: false },
  });

  const rig: ScenarioRig = {
    keyring,
    sshd,
    podmans: podmans as Podman[],
    dataDir,
    services,
    async addTarget(name, environment, podman = podmans[0]!, host = sshd) {
      const target = await services.targets.create({
        name,
        environment,
        kind: 'docker-ssh',
        settings: { host: '127.0.0.1', port: host.port, username: host.user, socketPath: podman.socketPath },
        secrets: { privateKey: host.clientPrivateKey },
      });
      services.connections.connection(target.id);
      await waitForState(services, target.id, (s) => s.status === 'untrusted-host-key');
      services.connections.trustHostKey(target.id, await host.hostKeyFingerprint());
      await waitForState(services, target.id, (s) => s.status === 'connected');
      return services.targets.get(target.id);
    },
    async writeRunbook(file, yaml) {
      writeFileSync(join(dataDir, 'runbooks', file), yaml);
      await waitFor(
        () => services.runbooks.list().some((r) => r.file === file),
        10_000,
        `the catalog did not read ${file}`,
      );
    },
    async run(request) {
      const started = services.runbooks.startRun(
        { inputs: {}, dryRun: false, whenLocked: 'queue', ...request } as Parameters<
          Services['runbooks']['startRun']
        >[0],
        'app',
      );
      return services.runbooks.executor.settled(started.id);
    },
    events(runId) {
      return services.runbooks.events(runId, 0, 50_000).events;
    },
    async dispose() {
      services.close();
      await Promise.all([...podmans.map((p) => p.stop()), sshd.dispose()]);
      await keyring.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return rig;
}

/**
 * Gives the "host" behind `sshd` a `docker` command for its engine, as a server with Docker (or
 * Debian's podman-docker, a script of the same kind) has: podman's Docker-compatible CLI on this
 * podman's storage, first on the PATH of every SSH session (sshd's SetEnv). Restarts the sshd.
 */
export async function dockerCliOnHost(sshd: Sshd, podman: Podman): Promise<void> {
  const bin = join(sshd.dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const flags = ['root', 'runroot', 'tmp']
    .map((sub) => `--${sub === 'tmp' ? 'tmpdir' : sub} ${join(podman.dir, sub)}`)
    .join(' ');
  writeFileSync(
    join(bin, 'docker'),
    `#!/bin/sh\nexport CONTAINERS_CONF=${join(podman.dir, 'containers.conf')}\nexec podman ${flags} "$@"\n`,
    { mode: 0o755 },
  );
  appendFileSync(join(sshd.dir, 'sshd_config'), `SetEnv PATH=${bin}:/usr/local/bin:/usr/bin:/bin\n`);
  await sshd.stop();
  await sshd.start();
}

/** Runs each named container's own health check every half second, as podman's systemd timer would. */
export function healthTicker(podman: Podman, containers: () => string[]): { stop(): Promise<void> } {
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  const tick = async () => {
    while (!stopped) {
      current = Promise.all(containers().map((name) => podman.cli(['healthcheck', 'run', name]).catch(() => '')));
      await current;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  void tick();
  return {
    async stop() {
      stopped = true;
      await current;
    },
  };
}

/** A container's image and health as podman itself reports them (not through the app). */
export async function containerState(
  podman: Podman,
  name: string,
): Promise<{ image: string; health: string; running: boolean }> {
  const out = await podman.cli([
    'inspect',
    '--format',
    '{{.ImageName}}|{{.State.Health.Status}}|{{.State.Running}}',
    name,
  ]);
  const [image, health, running] = out.split('|');
  return { image: image!, health: health!, running: running === 'true' };
}
