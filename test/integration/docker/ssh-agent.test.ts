/**
 * docker-ssh through the user's running ssh-agent: no key in the keychain at all, the agent
 * holds it (as on most operators' machines).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServices, type Services } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import { FAST_CONNECTIONS, waitForState } from '../../support/docker-fixture';
import { startKeyring, stopProcess, waitFor, type Keyring } from '../../support/keyring';
import { composeLabels, startPodman, type Podman } from '../../support/podman';
import { startSshd, type Sshd } from '../../support/sshd';

const exec = promisify(execFile);
let keyring: Keyring;
let sshd: Sshd;
let podman: Podman;
let agent: ChildProcess;
let dir: string;
let agentSocket: string;

beforeAll(async () => {
  [keyring, sshd, podman] = await Promise.all([startKeyring(), startSshd(), startPodman()]);
  keyring.useInThisProcess();
  await podman.run('web-1', 'trap "exit 0" TERM; while true; do sleep 1; done', composeLabels('site', 'web'));
  dir = mkdtempSync(join(tmpdir(), 'cr-agent-'));
  agentSocket = join(dir, 'agent.sock');
  agent = spawn('ssh-agent', ['-D', '-a', agentSocket], { stdio: 'ignore' });
  await waitFor(() => existsSync(agentSocket), 5_000, 'ssh-agent did not start');
  await exec('ssh-add', [sshd.clientKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket } });
}, 60_000);

afterAll(async () => {
  if (agent) await stopProcess(agent);
  await Promise.all([podman?.stop(), sshd?.dispose()]);
  await keyring?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function targetWithoutKey(services: Services) {
  const target = await services.targets.create({
    name: 'agent-auth',
    environment: 'staging',
    kind: 'docker-ssh',
    settings: { host: '127.0.0.1', port: sshd.port, username: 'root', socketPath: podman.socketPath },
  });
  services.connections.connection(target.id);
  await waitForState(services, target.id, (s) => s.status === 'untrusted-host-key');
  services.connections.trustHostKey(target.id, await sshd.hostKeyFingerprint());
  return target;
}

it('authenticates with the key held by ssh-agent when SSH_AUTH_SOCK is set', async () => {
  const dataDir = mkdtempSync(join(dir, 'data-'));
  const services = createServices({
    dataDir,
    credentials: new KeytarBackend(`control-room-test-${process.pid}`),
    connections: { ...FAST_CONNECTIONS, sshAgentSocket: agentSocket },
  });
  try {
    const target = await targetWithoutKey(services);
    await waitForState(services, target.id, (s) => s.status === 'connected');
    const overview = await services.overview.snapshot(target.id);
    expect(overview.projects[0]).toMatchObject({ project: 'site' });
  } finally {
    services.close();
  }
});

it('without an agent or a stored key, says what to add instead of trying', async () => {
  const dataDir = mkdtempSync(join(dir, 'data-'));
  const services = createServices({
    dataDir,
    credentials: new KeytarBackend(`control-room-test-${process.pid}-b`),
    connections: { ...FAST_CONNECTIONS, sshAgentSocket: undefined },
  });
  try {
    const target = await services.targets.create({
      name: 'no-key',
      environment: 'dev',
      kind: 'docker-ssh',
      settings: { host: '127.0.0.1', port: sshd.port, username: 'root', socketPath: podman.socketPath },
    });
    services.connections.connection(target.id);
    const failed = await waitForState(services, target.id, (s) => s.status === 'failed');
    expect(failed).toMatchObject({ code: 'config', reason: expect.stringContaining('has no SSH key') });
  } finally {
    services.close();
  }
});
