/**
 * Runs one keychain write in a fresh process and prints what the user would be told, as JSON.
 *
 * libsecret binds a process to the first D-Bus session it sees and keeps that connection for
 * life, so each broken-keychain situation needs its own process with its own environment.
 * Usage: node --import tsx keychain-probe.ts <service>
 * Prints one line: {"set": Outcome, "check": Outcome, "raw": Outcome}, where Outcome is {ok:true} or
 * {ok:false,name,code,message}. `raw` is keytar's own error, to show which situation was reproduced.
 */
import { createRequire } from 'node:module';
import type * as Keytar from 'keytar';
import { ApiError } from '../../../shared/errors';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';

type Outcome = { ok: true } | { ok: false; name: string; code?: string; message: string };

async function outcome(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    await run();
    return { ok: true };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, name: error.name, code: error.code, message: error.message };
    if (error instanceof Error) return { ok: false, name: error.name, message: error.message };
    return { ok: false, name: typeof error, message: String(error) };
  }
}

async function main() {
  const backend = new KeytarBackend(process.argv[2] ?? 'control-room-probe');
  const set = await outcome(() => backend.set('target/probe/apiToken', 'probe-secret-value'));
  const check = await outcome(() => backend.check());
  const keytar = createRequire(__filename)('keytar') as typeof Keytar;
  const raw = await outcome(() => keytar.setPassword(process.argv[2] ?? 'control-room-probe', 'target/probe/raw', 'x'));
  process.stdout.write(`${JSON.stringify({ set, check, raw })}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`keychain-probe crashed: ${String(error)}\n`);
    process.exit(2);
  },
);
