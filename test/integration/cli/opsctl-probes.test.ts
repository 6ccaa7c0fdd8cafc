/**
 * `opsctl probes list | run | history` with the app's saved probes: the app's data directory, the
 * real keychain (a probe's secret read from it at run time), real local HTTP servers that answer
 * ok and fail, and opsctl in-process through createApi like the other commands.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeRunReport } from '../../../main/cli/probes-commands';
import { EXIT, opsctl, type Io } from '../../../main/cli/opsctl';
import { createServices } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import type { ProbeDraftInput, ProbeResult, ProbeSummary } from '../../../shared/model/probe';
import { startKeyring, type Keyring } from '../../support/keyring';

const SECRET = 'opsctl-probe-secret-91c4e2';

let keyring: Keyring;
let appData: string;
let healthy: Server;
let broken: Server;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  keyring = await startKeyring();
  keyring.useInThisProcess();
  healthy = createServer((req, res) => {
    const authorised = req.url !== '/auth' || req.headers.authorization === `Bearer ${SECRET}`;
    res.writeHead(authorised ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify({ status: authorised ? 'UP' : 'DENIED' }));
  });
  broken = createServer((_req, res) => res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"DOWN"}'));
  const [up, down] = await Promise.all([listen(healthy), listen(broken)]);
  appData = mkdtempSync(join(tmpdir(), 'cr-opsctl-probes-'));
  // The app's own saved probes, the secret in the keychain, exactly as the Integrations screen saves them.
  const services = createServices({ dataDir: appData, credentials: new KeytarBackend(), probes: { background: false } });
  const probe = (name: string, scope: string, provider: string | null, url: string, extra: object = {}) =>
    services.probes.create({ name, scope, provider, kind: 'http', settings: { url }, conditions: [{ expression: '[STATUS] == 200' }, { expression: '[BODY].status == UP' }], retries: 0, ...extra } as ProbeDraftInput);
  await probe('shop ok', 'shop', 'primary', `${up}/health`);
  await probe('shop down', 'shop', 'replica', `${down}/health`);
  await probe('api auth', 'api', null, `${up}/auth`, {
    settings: { url: `${up}/auth`, headers: { authorization: 'Bearer {{secret.API_KEY}}' } },
    secrets: { API_KEY: SECRET },
  });
  services.close();
}, 30_000);

afterAll(async () => {
  for (const server of [healthy, broken]) {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  }
  if (appData) rmSync(appData, { recursive: true, force: true });
  await keyring?.stop();
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (t) => out.push(t),
    outBytes: () => undefined,
    err: (t) => err.push(t),
    stdoutIsTty: false,
    env: { ...process.env, CONTROL_ROOM_DATA_DIR: appData },
    stop: new AbortController().signal,
  };
  return { io, out, err, json: <T>() => JSON.parse(out.join('\n')) as T };
}

async function run(args: string[]) {
  const c = capture();
  const code = await opsctl(args, c.io);
  return { code, ...c };
}

describe('opsctl probes', () => {
  it('list: every probe as JSON, secrets only as present/absent; --plain as a table', async () => {
    const { code, json, out } = await run(['probes', 'list']);
    expect(code).toBe(EXIT.ok);
    const summaries = json<ProbeSummary[]>();
    expect(summaries.map((s) => [s.probe.name, s.status])).toEqual([
      ['api auth', 'never'],
      ['shop ok', 'never'],
      ['shop down', 'never'],
    ]);
    expect(summaries[0]!.probe.secrets).toEqual({ API_KEY: { ref: `probe/${summaries[0]!.probe.id}/API_KEY`, present: true } });
    expect(out.join('\n')).not.toContain(SECRET);

    const plain = await run(['probes', 'list', '--plain']);
    expect(plain.code).toBe(EXIT.ok);
    expect(plain.out).toHaveLength(3);
    expect(plain.out[1]).toMatch(/^never\s+shop ok\s+shop\/primary\s+never run$/);
  });

  it('run --probe: waits for the run and prints its result (the secret read from the keychain)', async () => {
    const { code, json, out } = await run(['probes', 'run', '--probe', 'api auth']);
    expect(code).toBe(EXIT.ok);
    const reports = json<ProbeRunReport[]>();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ probe: 'api auth', scope: 'api', provider: null, result: { status: 'ok', trigger: 'cli', error: null } });
    expect(out.join('\n')).not.toContain(SECRET);
  });

  it('run --scope: exits 1 when one of them failed, with the failed condition in its result', async () => {
    const { code, json } = await run(['probes', 'run', '--scope', 'shop']);
    expect(code).toBe(EXIT.failed);
    const reports = json<ProbeRunReport[]>();
    expect(reports.map((r) => [r.probe, r.result.status]).sort()).toEqual([
      ['shop down', 'fail'],
      ['shop ok', 'ok'],
    ]);
    const down = reports.find((r) => r.probe === 'shop down')!.result;
    expect(down.error).toBe('[STATUS] == 200 failed (503).');
    expect(down.conditions.map((c) => c.passed)).toEqual([false, false]);
  });

  it('run --scope --provider: only that provider; --plain prints a line each', async () => {
    const { code, out } = await run(['probes', 'run', '--scope', 'shop', '--provider', 'primary', '--plain']);
    expect(code).toBe(EXIT.ok);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^ok\s+shop ok\s+\d+ ms$/);
  });

  it('run with no selection runs them all', async () => {
    const { code, json } = await run(['probes', 'run']);
    expect(code).toBe(EXIT.failed);
    expect(json<ProbeRunReport[]>().map((r) => r.probe).sort()).toEqual(['api auth', 'shop down', 'shop ok']);
  });

  it('history: the latest results, newest first, --limit bounding them', async () => {
    const { code, json } = await run(['probes', 'history', 'shop ok', '--limit', '2']);
    expect(code).toBe(EXIT.ok);
    const results = json<ProbeResult[]>();
    expect(results).toHaveLength(2);
    expect(results.every((r) => r.trigger === 'cli' && r.status === 'ok')).toBe(true);
    expect(Date.parse(results[0]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(results[1]!.startedAt));

    const plain = await run(['probes', 'history', 'shop down', '--plain']);
    expect(plain.code).toBe(EXIT.ok);
    expect(plain.out.length).toBeGreaterThanOrEqual(2);
    expect(plain.out[0]).toMatch(/fail\s+cli\s+\d+ ms\s+\[STATUS\] == 200 failed \(503\)\.\s+\(failed: \[STATUS\] == 200, \[BODY\]\.status == UP\)$/);
  });

  it('unknown probes and missing names are errors with their exit codes', async () => {
    const unknown = await run(['probes', 'run', '--probe', 'nope']);
    expect(unknown.code).toBe(EXIT.notFound);
    expect(unknown.err).toEqual(['opsctl: No probe named "nope" — opsctl probes list lists them.']);
    const noMatch = await run(['probes', 'run', '--scope', 'nothing']);
    expect(noMatch.code).toBe(EXIT.notFound);
    expect((await run(['probes', 'history'])).code).toBe(EXIT.usage);
    expect((await run(['probes', 'history', 'shop ok', '--limit', '0'])).code).toBe(EXIT.usage);
    expect((await run(['probes', 'frobnicate'])).code).toBe(EXIT.usage);
  });
});
