/**
 * Probes when the keychain is locked: a run that needs a secret fails with one sentence saying
 * so (not a crash, not a request sent without it), and probes without secrets run as usual.
 * Its own file, because locking the real keychain affects every test after it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServices, type Services } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import { SECRET_LOCKED_MESSAGE } from '../../../main/services/probes/probes-service';
import type { ProbeDraftInput } from '../../../shared/model/probe';
import { FakeClock } from '../../support/fake-clock';
import { startKeyring, waitFor, type Keyring } from '../../support/keyring';

const SERVICE = `control-room-test-${randomUUID()}`;
const SECRET = 'sk-live-locked-4b1d9e7a';

let keyring: Keyring;
let server: Server;
let dataDir: string;
let services: Services;
/** Authorization headers the server received. */
const seen: (string | undefined)[] = [];

beforeAll(async () => {
  keyring = await startKeyring();
  keyring.useInThisProcess();
  server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"UP"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  dataDir = mkdtempSync(join(tmpdir(), 'cr-probes-locked-'));
  services = createServices({ dataDir, credentials: new KeytarBackend(SERVICE), clock: new FakeClock(), probes: { background: false } });
}, 30_000);

afterAll(async () => {
  services?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  await keyring?.stop();
});

it('a run that needs a secret fails saying the keychain is locked; one without secrets still runs', async () => {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  const draft = (name: string, headers: Record<string, string>) =>
    ({ name, scope: 'gemini', kind: 'http', settings: { url, headers }, conditions: [{ expression: '[STATUS] == 200' }] }) as ProbeDraftInput;
  const secret = await services.probes.create({ ...draft('with secret', { authorization: 'Bearer {{secret.API_KEY}}' }), secrets: { API_KEY: SECRET } } as ProbeDraftInput);
  const open = await services.probes.create(draft('without secret', {}));
  await keyring.lock();

  expect(services.probes.runNow({}, 'manual')).toEqual({ started: 2 });
  await waitFor(() => services.probes.results(secret.id, {}).length === 1 && services.probes.results(open.id, {}).length === 1, 10_000, 'the runs did not finish');

  expect(services.probes.results(secret.id, {})[0]).toMatchObject({ status: 'fail', error: SECRET_LOCKED_MESSAGE, attempts: 1 });
  expect(SECRET_LOCKED_MESSAGE).toBe("The keychain is locked, so the probe's secret is unavailable — unlock it and run again.");
  expect(services.probes.results(open.id, {})[0]).toMatchObject({ status: 'ok' });
  // Only the probe without a secret reached the server: nothing was sent with the secret missing.
  expect(seen).toEqual([undefined]);
  const summary = services.probes.list().find((s) => s.probe.id === secret.id)!;
  expect(summary).toMatchObject({ status: 'fail', lastResult: { error: SECRET_LOCKED_MESSAGE } });
  // The slot is still recorded as set: the value is only out of reach, not gone.
  expect(summary.probe.secrets.API_KEY?.present).toBe(true);
});
