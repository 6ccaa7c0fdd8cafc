/**
 * A real OS keychain for tests: a private D-Bus session bus and gnome-keyring's Secret Service
 * on it, in a temporary HOME. Nothing is shared with the machine's own sessions.
 *
 * libsecret binds a process to the bus it first sees, so a test file that uses keytar in-process
 * must call `useInThisProcess()` before its first keychain call (vitest runs each file in its
 * own fork). Child processes get `keyring.env`.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SessionBus {
  dir: string;
  address: string;
  /** HOME, XDG dirs and the bus address: what a process needs to use this keychain. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface Keyring extends SessionBus {
  /** Locks the login collection, as a screen lock or `secret-tool lock` would. */
  lock(): Promise<void>;
  useInThisProcess(): void;
}

/** A session bus with no Secret Service on it (no .service files to start one). */
export async function startSessionBus(): Promise<SessionBus> {
  const dir = mkdtempSync(join(tmpdir(), 'cr-bus-'));
  const home = join(dir, 'home');
  mkdirSync(join(dir, 'services'), { recursive: true });
  mkdirSync(join(home, '.local', 'share'), { recursive: true });
  writeFileSync(
    join(dir, 'bus.conf'),
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${dir}/bus</listen>
  <servicedir>${dir}/services</servicedir>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>`,
  );
  const daemon = spawn('dbus-daemon', [`--config-file=${dir}/bus.conf`, '--nofork', '--print-address=1'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const address = await firstLine(daemon, 'dbus-daemon');
  const env = {
    DBUS_SESSION_BUS_ADDRESS: address,
    HOME: home,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_RUNTIME_DIR: dir,
  };
  return {
    dir,
    address,
    env,
    stop: async () => {
      await stopProcess(daemon);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A session bus with an unlocked gnome-keyring login collection, ready for keytar. */
export async function startKeyring(): Promise<Keyring> {
  const bus = await startSessionBus();
  const daemon = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
    env: { ...process.env, ...bus.env },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  daemon.stdin!.end('test-password');
  await waitFor(async () => (await gdbusOwner(bus.env, 'org.freedesktop.secrets')) && (await loginCollectionExists(bus.env)), 10_000, 'gnome-keyring did not start');
  return {
    ...bus,
    lock: async () => {
      await run('gdbus', [
        'call', '--session', '--dest', 'org.freedesktop.secrets', '--object-path', '/org/freedesktop/secrets',
        '--method', 'org.freedesktop.Secret.Service.Lock', "['/org/freedesktop/secrets/collection/login']",
      ], { env: { ...process.env, ...bus.env } });
    },
    useInThisProcess: () => Object.assign(process.env, bus.env),
    stop: async () => {
      await stopProcess(daemon);
      await bus.stop();
    },
  };
}

/** The secret stored for `account` under `service`, read with secret-tool (independent of keytar). */
export async function readWithSecretTool(env: Record<string, string>, service: string, account: string): Promise<string | null> {
  try {
    const { stdout } = await run('secret-tool', ['lookup', 'service', service, 'account', account], { env: { ...process.env, ...env } });
    return stdout;
  } catch {
    return null;
  }
}

async function gdbusOwner(env: Record<string, string>, name: string): Promise<boolean> {
  try {
    const { stdout } = await run('gdbus', [
      'call', '--session', '--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus',
      '--method', 'org.freedesktop.DBus.NameHasOwner', name,
    ], { env: { ...process.env, ...env } });
    return stdout.includes('true');
  } catch {
    return false;
  }
}

async function loginCollectionExists(env: Record<string, string>): Promise<boolean> {
  try {
    const { stdout } = await run('gdbus', [
      'call', '--session', '--dest', 'org.freedesktop.secrets', '--object-path', '/org/freedesktop/secrets',
      '--method', 'org.freedesktop.DBus.Properties.Get', 'org.freedesktop.Secret.Service', 'Collections',
    ], { env: { ...process.env, ...env } });
    return stdout.includes('/collection/login');
  } catch {
    return false;
  }
}

function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`${what} printed no address within 10 s`)), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        resolve(buffer.slice(0, newline).trim());
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${what} could not start: ${error.message} (run scripts/test-env.sh to install it)`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with code ${code}`));
    });
  });
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} within ${timeoutMs} ms`);
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

