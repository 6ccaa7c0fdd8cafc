/**
 * What an opsctl command talks to: the app's services behind `createApi`, typed with the same
 * `createClient` the renderer uses — so opsctl sees exactly what the transports carry, answers
 * with the contract's response shapes, and handles every target kind the app does.
 *
 * Saved targets: the app's data directory and the OS keychain. `--url URL` (token in
 * OPSCTL_TOKEN): an ops-api target made for this run only, in a temporary store with the token
 * in memory. That costs a few milliseconds of SQLite, and buys one code path: `--url` gets every
 * command, `logs --follow` included, with the same output and errors as a saved target, and it
 * needs no keychain (CI runners and servers usually have none).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../shared/errors';
import type { Target } from '../../shared/model/target';
import { createClient, type ControlRoomApi } from '../../shared/transport';
import { createApi } from '../api';
import { createServices, type Services } from '../services';
import { MemoryCredentialBackend } from '../services/credentials/credential-backend';
import { KeytarBackend } from '../services/credentials/keytar-backend';
import { openDataDir } from '../services/data-dir';
import { APP_VERSION } from '../version';

/** A command's mistake in how opsctl was called: exit code 2. */
export class UsageError extends Error {}

export interface Session {
  api: ControlRoomApi;
  /** The target named with --target (by name or id), the only one, or the --url target. */
  target(wanted: string | undefined): Promise<Target>;
  close(): void;
}

export interface SessionOptions {
  env: NodeJS.ProcessEnv;
  err: (text: string) => void;
  /** How often an ops-api target's logs are polled while following. */
  opsPollMs?: number;
}

function connect(services: Services, err: (text: string) => void): ControlRoomApi {
  // Unexpected errors are logged by the API (the reply only says "see the log"): stderr is the log.
  return createClient(createApi(services, { version: APP_VERSION, mode: 'cli' }, err));
}

/** The app's own data directory and keychain, as the desktop app and browser mode use them. */
export function savedTargetsSession(options: SessionOptions): Session {
  const services = createServices({
    dataDir: openDataDir(options.env, process.platform, options.err),
    credentials: new KeytarBackend(),
    ...(options.opsPollMs ? { logs: { opsPollMs: options.opsPollMs } } : {}),
    // The desktop app (if open) schedules the probes; opsctl runs only those it is asked to.
    probes: { background: false },
  });
  const api = connect(services, options.err);
  return {
    api,
    async target(wanted) {
      const targets = await api.invoke('targets:list', {});
      if (!wanted) {
        if (targets.length === 1) return targets[0]!;
        throw new UsageError(
          targets.length
            ? `Pick a target with --target: ${targets.map((t) => t.name).join(', ')}.`
            : 'There are no saved targets: add one in Control Room, or pass --url.',
        );
      }
      const found = targets.find((t) => t.id === wanted || t.name.toLowerCase() === wanted.toLowerCase());
      if (!found) throw new ApiError('not-found', `No target named "${wanted}" — opsctl targets lists them.`);
      return found;
    },
    close: () => services.close(),
  };
}

/** An ops-api target for `--url` alone, gone when the command ends. */
export async function urlSession(url: string, token: string | null, options: SessionOptions): Promise<Session> {
  try {
    new URL(url);
  } catch {
    throw new UsageError('--url must be a full URL, like https://ops.example.com.');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'opsctl-'));
  const services = createServices({
    dataDir,
    credentials: new MemoryCredentialBackend(),
    ...(options.opsPollMs ? { logs: { opsPollMs: options.opsPollMs } } : {}),
    probes: { background: false },
  });
  const close = () => {
    services.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const api = connect(services, options.err);
  let target: Target;
  try {
    target = await api.invoke('targets:create', {
      name: targetName(url),
      environment: 'prod',
      kind: 'ops-api',
      settings: { baseUrl: url },
      ...(token ? { secrets: { apiToken: token } } : {}),
    });
  } catch (error) {
    close();
    // The draft's own sentence about the URL (say, a scheme other than http or https).
    const field = error instanceof ApiError ? error.fieldErrors?.['settings.baseUrl'] : undefined;
    throw field ? new UsageError(`--url: ${field}`) : error;
  }
  return { api, target: async () => target, close };
}

/** The URL's host as a target name (letters, digits, dots, dashes): what messages call the target. */
function targetName(url: string): string {
  const name = new URL(url).hostname.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^[^\p{L}\p{N}]+/u, '').slice(0, 64);
  return name || 'ops-api';
}
