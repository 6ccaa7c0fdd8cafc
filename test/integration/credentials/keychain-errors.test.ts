/**
 * What the user is told when the system keychain cannot be used, with the real failures.
 *
 * Each situation runs in its own child process (keychain-probe.ts) because libsecret binds a
 * process to the first D-Bus session it sees. The probe also records keytar's raw error, which
 * shows that each test reproduced the situation it names (the raw messages are listed in main/services/credentials/keychain-errors.ts).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readWithSecretTool,
  startKeyring,
  startSessionBus,
  stopProcess,
  waitFor,
  type Keyring,
  type SessionBus,
} from '../../support/keyring';

const run = promisify(execFile);
const PROBE = resolve(__dirname, 'keychain-probe.ts');
const REPO = resolve(__dirname, '../../..');

const LOCKED = 'The system keychain is locked — unlock it and try again.';
const NO_SERVICE =
  'No system keychain is running (Secret Service) — install and start gnome-keyring or KeePassXC, then try again.';
const NO_SESSION =
  'The system keychain cannot be reached because there is no desktop (D-Bus) session — start Control Room from your desktop session and try again.';
const NO_LOGIN =
  'The system keychain has no login keyring — create or unlock one (for example in Passwords and Keys) and try again.';

type Outcome = { ok: true } | { ok: false; name: string; code?: string; message: string };
interface ProbeResult {
  set: Outcome;
  check: Outcome;
  raw: Outcome;
}

const scratch = mkdtempSync(join(tmpdir(), 'cr-keychain-errors-'));

/** A fresh process with no desktop session of its own; `env` adds the situation under test. */
async function probe(
  env: Record<string, string>,
  service = `control-room-probe-${randomUUID()}`,
): Promise<ProbeResult> {
  const home = join(scratch, randomUUID());
  mkdirSync(home, { recursive: true });
  const base: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (['DBUS_SESSION_BUS_ADDRESS', 'DISPLAY', 'WAYLAND_DISPLAY'].includes(key)) continue;
    base[key] = value;
  }
  const { stdout } = await run(process.execPath, ['--import', 'tsx', PROBE, service], {
    cwd: REPO,
    timeout: 20_000,
    env: {
      ...base,
      HOME: home,
      XDG_DATA_HOME: join(home, '.local', 'share'),
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_CACHE_HOME: join(home, '.cache'),
      // An empty runtime dir: no $XDG_RUNTIME_DIR/bus for GLib to find on its own.
      XDG_RUNTIME_DIR: home,
      ...env,
    },
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as ProbeResult;
}

let keyring: Keyring | undefined;
let bareBus: SessionBus | undefined;
let noLoginBus: SessionBus | undefined;
let noLoginDaemon: ChildProcess | undefined;

beforeAll(async () => {
  [keyring, bareBus, noLoginBus] = await Promise.all([startKeyring(), startSessionBus(), startSessionBus()]);
});

afterAll(async () => {
  if (noLoginDaemon) await stopProcess(noLoginDaemon);
  await Promise.all([keyring?.stop(), bareBus?.stop(), noLoginBus?.stop()]);
  rmSync(scratch, { recursive: true, force: true });
});

describe('keychain failures as the user sees them', () => {
  it('an unlocked keychain works through the same probe (the control case)', async () => {
    const service = `control-room-probe-${randomUUID()}`;
    const result = await probe(keyring!.env, service);
    expect(result).toEqual({ set: { ok: true }, check: { ok: true }, raw: { ok: true } });
    expect(await readWithSecretTool(keyring!.env, service, 'target/probe/apiToken')).toBe('probe-secret-value');
  });

  it('a locked keyring: keychain-locked, "unlock it and try again"', async () => {
    // Runs after the control case (tests in a file run in order), which needed it unlocked.
    await keyring!.lock();
    const service = `control-room-probe-${randomUUID()}`;
    const result = await probe(keyring!.env, service);

    expect(result.raw).toMatchObject({ ok: false, message: expect.stringMatching(/locked collection/) });
    expect(result.set).toEqual({ ok: false, name: 'ApiError', code: 'keychain-locked', message: LOCKED });
    expect(result.check).toEqual({ ok: false, name: 'ApiError', code: 'keychain-locked', message: LOCKED });
  });

  it('a session bus with no Secret Service: keychain-unavailable, "No system keychain is running"', async () => {
    const result = await probe(bareBus!.env);

    expect(result.raw).toMatchObject({
      ok: false,
      message: expect.stringContaining('org.freedesktop.secrets was not provided by any .service files'),
    });
    expect(result.set).toEqual({ ok: false, name: 'ApiError', code: 'keychain-unavailable', message: NO_SERVICE });
    expect(result.check).toEqual({ ok: false, name: 'ApiError', code: 'keychain-unavailable', message: NO_SERVICE });
  });

  it('a bus address that points nowhere: keychain-unavailable, "cannot be reached"', async () => {
    const result = await probe({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(scratch, 'no-such-dir', 'bus')}` });

    expect(result.raw).toMatchObject({ ok: false, message: expect.stringContaining('Could not connect') });
    expect(result.set).toEqual({ ok: false, name: 'ApiError', code: 'keychain-unavailable', message: NO_SESSION });
    expect(result.check).toEqual({ ok: false, name: 'ApiError', code: 'keychain-unavailable', message: NO_SESSION });
  });

  it('no D-Bus session and no display: keychain-unavailable, "cannot be reached"', async () => {
    const result = await probe({});

    expect(result.raw).toMatchObject({
      ok: false,
      message: expect.stringContaining('Cannot autolaunch D-Bus without X11 $DISPLAY'),
    });
    expect(result.set).toEqual({ ok: false, name: 'ApiError', code: 'keychain-unavailable', message: NO_SESSION });
    expect(result.check).toEqual({ ok: false, name: 'ApiError', code: 'keychain-unavailable', message: NO_SESSION });
  });

  it('a Secret Service with no login keyring: keychain-unavailable, "no login keyring"', async () => {
    // gnome-keyring started without --unlock has no login collection to write to.
    noLoginDaemon = spawn('gnome-keyring-daemon', ['--foreground', '--components=secrets'], {
      env: { ...process.env, ...noLoginBus!.env },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    await waitFor(
      async () => {
        try {
          const { stdout } = await run(
            'gdbus',
            [
              'call',
              '--session',
              '--dest',
              'org.freedesktop.DBus',
              '--object-path',
              '/org/freedesktop/DBus',
              '--method',
              'org.freedesktop.DBus.NameHasOwner',
              'org.freedesktop.secrets',
            ],
            { env: { ...process.env, ...noLoginBus!.env } },
          );
          return stdout.includes('true');
        } catch {
          return false;
        }
      },
      10_000,
      'gnome-keyring (no login keyring) did not start',
    );

    const result = await probe(noLoginBus!.env);

    expect(result.raw).toMatchObject({
      ok: false,
      message: expect.stringContaining('/org/freedesktop/secrets/collection/login'),
    });
    expect(result.set).toEqual({ ok: false, name: 'ApiError', code: 'keychain-unavailable', message: NO_LOGIN });
    expect(result.check).toEqual({ ok: false, name: 'ApiError', code: 'keychain-unavailable', message: NO_LOGIN });
  });
});
