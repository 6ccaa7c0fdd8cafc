/**
 * A real OpenSSH server on loopback for tests, with its own host key and one authorized client
 * key. It can be stopped and started again on the same port (to test reconnection) and given a
 * new host key (to test pinning). See docs/testing.md.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, chmodSync, unlinkSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stopProcess, waitFor } from './keyring';
import { connect } from 'node:net';

const exec = promisify(execFile);

export interface Sshd {
  dir: string;
  port: number;
  user: string;
  clientKeyPath: string;
  clientPrivateKey: string;
  /** As `ssh-keygen -lf` prints it: SHA256:base64-without-padding. */
  hostKeyFingerprint(): Promise<string>;
  log(): string;
  start(): Promise<void>;
  /** Kills the server and every session it serves, as a crashed or rebooted host would. */
  stop(): Promise<void>;
  /** Freezes the server and its sessions (SIGSTOP): the link goes silent without closing. */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  /** TCP connections currently established to the server's port. */
  connectionCount(): Promise<number>;
  /** A new host key (the server "was reinstalled"); takes effect at the next start(). */
  rotateHostKey(): Promise<void>;
  dispose(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export async function startSshd(): Promise<Sshd> {
  // sshd refuses to start without its privilege separation directory (normally made by systemd).
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), 'cr-sshd-'));
  const port = await freePort();
  const hostKey = join(dir, 'host_ed25519');
  const clientKey = join(dir, 'client_ed25519');
  await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', clientKey, '-C', 'control-room-test']);
  copyFileSync(`${clientKey}.pub`, join(dir, 'authorized_keys'));
  chmodSync(join(dir, 'authorized_keys'), 0o600);
  const logPath = join(dir, 'sshd.log');
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      'AllowStreamLocalForwarding yes',
      'AllowTcpForwarding yes',
      'LogLevel DEBUG1',
      'MaxStartups 100',
      '',
    ].join('\n'),
  );
  let daemon: ChildProcess | undefined;

  const sshd: Sshd = {
    dir,
    port,
    user: 'root',
    clientKeyPath: clientKey,
    clientPrivateKey: readFileSync(clientKey, 'utf8'),
    hostKeyFingerprint: async () => {
      const { stdout } = await exec('ssh-keygen', ['-lf', `${hostKey}.pub`]);
      return stdout.split(' ')[1]!;
    },
    log: () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : ''),
    start: async () => {
      if (daemon && daemon.exitCode === null) return;
      // -D keeps sshd in the foreground so the test owns its PID; -E appends to the log.
      daemon = spawn('/usr/sbin/sshd', ['-D', '-f', join(dir, 'sshd_config'), '-E', logPath], { stdio: 'ignore' });
      await waitFor(() => canConnect(port), 10_000, 'sshd did not listen');
    },
    stop: async () => {
      if (!daemon) return;
      // Sessions outlive a stopped listener (that is how sshd restarts without dropping
      // logins), so kill this server's session processes first, by parent PID.
      await signalTree(daemon.pid!, 'KILL', false);
      await stopProcess(daemon);
      daemon = undefined;
    },
    freeze: async () => {
      if (!daemon) return;
      await signalTree(daemon.pid!, 'STOP', true);
    },
    thaw: async () => {
      if (!daemon) return;
      await signalTree(daemon.pid!, 'CONT', true);
    },
    connectionCount: async () => {
      const { stdout } = await exec('ss', ['-Htn', 'state', 'established', `( sport = :${port} )`]);
      return stdout.split('\n').filter((line) => line.trim()).length;
    },
    rotateHostKey: async () => {
      unlinkSync(hostKey);
      unlinkSync(`${hostKey}.pub`);
      await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
    },
    dispose: async () => {
      await sshd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await sshd.start();
  return sshd;
}

/** Signals every descendant of `pid` (sshd's per-session monitor and network processes). */
async function signalTree(pid: number, signal: string, includeRoot: boolean): Promise<void> {
  const all: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    const { stdout } = await exec('pgrep', ['-P', String(parent)]).catch(() => ({ stdout: '' }));
    const children = stdout.split('\n').filter(Boolean).map(Number);
    all.push(...children);
    queue.push(...children);
  }
  if (includeRoot) all.unshift(pid);
  for (const target of all) {
    try {
      process.kill(target, `SIG${signal}` as NodeJS.Signals);
    } catch {
      // already gone
    }
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
