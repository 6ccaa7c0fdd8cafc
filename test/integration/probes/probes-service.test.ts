/**
 * The probes service as the app runs it: createServices over a temp data directory with the real
 * SQLite store, the real keychain (gnome-keyring on a private bus), a real local HTTP server for
 * the checks, and a fake clock for everything timed (schedules, retries, staleness).
 *
 * Runs make real HTTP requests, so their ends are waited for (polling what the service stores),
 * while time itself only moves when a test moves it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type ServiceDeps, type Services } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import { PROBE_ARTIFACTS_DIR } from '../../../main/services/probes/probes-service';
import { PROBE_KIND_MODULES } from '../../../node/probes/kinds';
import type { ProbeKindModule } from '../../../node/probes/probe-kind';
import { ApiError } from '../../../shared/errors';
import type { ProbeDraftInput, ProbeResult, ProbeUpdate } from '../../../shared/model/probe';
import { FakeClock } from '../../support/fake-clock';
import { readWithSecretTool, startKeyring, waitFor, type Keyring } from '../../support/keyring';

const SERVICE = `control-room-test-${randomUUID()}`;
const SECRET = 'sk-live-7f3a9c2e1b8d4f60a5e2';
const INTERVAL_S = 60;

let keyring: Keyring;
let server: Server;
let base: string;
/** Requests to /hang that are being held open. */
const hanging: ServerResponse[] = [];
const open: { services: Services; dataDir: string }[] = [];

function route(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://x');
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (url.pathname === '/ok') return json(200, { status: 'UP' });
  if (url.pathname === '/down') return json(503, { status: 'DOWN' });
  // Answers with what it was sent, as many real APIs do in errors: the secret must not survive it.
  if (url.pathname === '/echo') return json(200, { authorization: req.headers.authorization ?? null, query: url.search });
  if (url.pathname === '/auth') return req.headers.authorization === `Bearer ${SECRET}` ? json(200, { ok: true }) : json(401, { error: 'bad token' });
  if (url.pathname === '/hang') return void hanging.push(res);
  json(404, { error: 'no such route' });
}

beforeAll(async () => {
  keyring = await startKeyring();
  keyring.useInThisProcess();
  server = createServer(route);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 30_000);

afterEach(() => {
  for (const { services, dataDir } of open.splice(0)) {
    services.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  for (const res of hanging.splice(0)) res.destroy();
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await keyring?.stop();
});

/** Services over a fresh data directory (or `dataDir`), registered for closing after the test. */
function app(clock: FakeClock, options: { dataDir?: string; probes?: ServiceDeps['probes'] } = {}): Services {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cr-probes-'));
  const services = createServices({ dataDir, credentials: new KeytarBackend(SERVICE), clock, ...(options.probes ? { probes: options.probes } : {}) });
  if (!options.dataDir) open.push({ services, dataDir });
  else open.push({ services, dataDir: '' });
  return services;
}

function httpProbe(name: string, path: string, extra: Partial<ProbeDraftInput> = {}): ProbeDraftInput {
  return {
    name,
    scope: 'web',
    kind: 'http',
    settings: { url: `${base}${path}` },
    conditions: [{ expression: '[STATUS] == 200', severity: 'fail' }],
    intervalSeconds: INTERVAL_S,
    timeoutSeconds: 600,
    retries: 0,
    ...extra,
  } as ProbeDraftInput;
}

async function resultsOf(services: Services, id: string, count: number): Promise<ProbeResult[]> {
  await waitFor(() => services.probes.results(id, {}).length >= count, 10_000, `${count} result(s) of ${id} were not stored`);
  return services.probes.results(id, {});
}

async function caught(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the call to be refused');
}

describe('saving probes', () => {
  it('keeps secrets in the keychain and shows the renderer only { ref, present }', async () => {
    const services = app(new FakeClock(), { probes: { background: false } });
    const probe = await services.probes.create(
      httpProbe('Gemini text', '/auth', {
        scope: 'gemini',
        provider: 'ai_studio',
        settings: { url: `${base}/auth`, headers: { authorization: 'Bearer {{secret.API_KEY}}' } },
        // A value for a slot the probe does not use is not stored anywhere.
        secrets: { API_KEY: SECRET, UNUSED: 'not-used-value-123' },
      }),
    );
    const ref = `probe/${probe.id}/API_KEY`;
    expect(probe.secrets).toEqual({ API_KEY: { ref, present: true } });
    expect(await readWithSecretTool(keyring.env, SERVICE, ref)).toBe(SECRET);
    expect(await readWithSecretTool(keyring.env, SERVICE, `probe/${probe.id}/UNUSED`)).toBeNull();
    expect(JSON.stringify([probe, services.probes.get(probe.id), services.probes.list()])).not.toContain(SECRET);
    expect(services.probes.get(probe.id)).toEqual(probe);

    // Clearing the slot removes it from the keychain; the probe still asks for it.
    const cleared = await services.probes.update(probe.id, { ...httpProbe('Gemini text', '/auth'), settings: { url: `${base}/auth`, headers: { authorization: 'Bearer {{secret.API_KEY}}' } }, secrets: { API_KEY: null } } as ProbeDraftInput);
    expect(cleared.secrets).toEqual({ API_KEY: { ref, present: false } });
    expect(await readWithSecretTool(keyring.env, SERVICE, ref)).toBeNull();

    // Set again, then a settings change that no longer mentions it drops the slot and its value.
    await services.probes.update(probe.id, { ...httpProbe('Gemini text', '/auth'), settings: { url: `${base}/auth`, headers: { authorization: 'Bearer {{secret.API_KEY}}' } }, secrets: { API_KEY: SECRET } } as ProbeDraftInput);
    expect(await readWithSecretTool(keyring.env, SERVICE, ref)).toBe(SECRET);
    const plain = await services.probes.update(probe.id, httpProbe('Gemini text', '/ok'));
    expect(plain.secrets).toEqual({});
    expect(await readWithSecretTool(keyring.env, SERVICE, ref)).toBeNull();
  });

  it('refuses a taken name, and deletes the secrets with the probe', async () => {
    const services = app(new FakeClock(), { probes: { background: false } });
    const probe = await services.probes.create({ ...httpProbe('GitHub token', '/ok'), kind: 'github', settings: { check: 'token' }, secrets: { token: 'ghp_abcdefghijklmnop' } } as ProbeDraftInput);
    expect(probe.secrets).toEqual({ token: { ref: `probe/${probe.id}/token`, present: true } });
    const clash = await caught(services.probes.create(httpProbe('github TOKEN', '/ok')));
    expect(clash).toMatchObject({ code: 'conflict', fieldErrors: { name: 'This name is taken.' } });

    await expect(services.probes.delete(probe.id)).resolves.toEqual({ id: probe.id });
    expect(await readWithSecretTool(keyring.env, SERVICE, `probe/${probe.id}/token`)).toBeNull();
    expect(services.probes.list()).toEqual([]);
    expect(() => services.probes.get(probe.id)).toThrow(expect.objectContaining({ code: 'not-found' }) as Error);
  });

  it('refuses a bad condition with the position of the mistake, and saves nothing', async () => {
    const services = app(new FakeClock(), { probes: { background: false } });
    const error = await caught(
      services.probes.create(
        httpProbe('Bad condition', '/ok', {
          conditions: [
            { expression: '[STATUS] == 200', severity: 'fail' },
            { expression: '[STATUS] ==', severity: 'warn' },
          ],
          secrets: {},
        }),
      ),
    );
    expect(error.code).toBe('invalid-request');
    expect(error.fieldErrors).toEqual({ 'conditions.1.expression': 'Column 12: expected a value after ==, like 200.' });
    expect(error.message).toMatch(/Column 12/);
    expect(services.probes.list()).toEqual([]);
  });

  it('refuses a target that does not exist or is of the wrong kind for the probe', async () => {
    const services = app(new FakeClock(), { probes: { background: false } });
    const ops = await services.targets.create({ name: 'prod-api', environment: 'prod', kind: 'ops-api', settings: { baseUrl: 'https://ops.example.com' } });
    const local = await services.targets.create({ name: 'laptop', environment: 'dev', kind: 'docker-local', settings: { socketPath: '' } });
    const draft = (name: string, kind: string, settings: Record<string, unknown>) =>
      ({ name, scope: 'infra', kind, settings, conditions: [] }) as unknown as ProbeDraftInput;

    const missing = await caught(services.probes.create(draft('db up', 'docker', { targetId: 'no-such-target', container: 'db' })));
    expect(missing.fieldErrors).toEqual({ 'settings.targetId': expect.stringMatching(/no saved target/) as string });
    const wrong = await caught(services.probes.create(draft('db up', 'docker', { targetId: ops.id, container: 'db' })));
    expect(wrong.fieldErrors?.['settings.targetId']).toBe('prod-api is not a Docker target (local or over SSH) — pick a Docker target (local or over SSH).');
    const notSsh = await caught(services.probes.create(draft('disk', 'ssh', { targetId: local.id, command: 'df -h' })));
    expect(notSsh.fieldErrors?.['settings.targetId']).toMatch(/^laptop is not a Docker-over-SSH target/);
    const notOps = await caught(services.probes.create(draft('deploy', 'ops-api', { targetId: local.id, section: 'deploy' })));
    expect(notOps.fieldErrors?.['settings.targetId']).toMatch(/^laptop is not an ops API target/);

    await expect(services.probes.create(draft('db up', 'docker', { targetId: local.id, container: 'db' }))).resolves.toMatchObject({ name: 'db up' });
    await expect(services.probes.create(draft('deploy', 'ops-api', { targetId: ops.id, section: 'deploy' }))).resolves.toMatchObject({ name: 'deploy' });
  });
});

describe('running probes', () => {
  it('runs the cheap probes once at start-up (auto_boot) and nothing else', async () => {
    const clock = new FakeClock();
    const dataDir = mkdtempSync(join(tmpdir(), 'cr-probes-boot-'));
    open.push({ services: { close: () => undefined } as Services, dataDir });
    const setup = createServices({ dataDir, credentials: new KeytarBackend(SERVICE), clock, probes: { background: false } });
    const cheap = await setup.probes.create(httpProbe('cheap', '/ok', { cheap: true }));
    const costly = await setup.probes.create(httpProbe('costly', '/ok'));
    const pausedCheap = await setup.probes.create(httpProbe('paused cheap', '/ok', { cheap: true, paused: true }));
    setup.close();

    const services = app(clock, { dataDir });
    const [result] = await resultsOf(services, cheap.id, 1);
    expect(result).toMatchObject({ trigger: 'auto_boot', status: 'ok', attempts: 1 });
    expect(services.probes.results(costly.id, {})).toEqual([]);
    expect(services.probes.results(pausedCheap.id, {})).toEqual([]);
    expect(Object.fromEntries(services.probes.list().map((s) => [s.probe.name, s.status]))).toEqual({
      cheap: 'ok',
      costly: 'never',
      'paused cheap': 'paused',
    });
  });

  it('runs on schedule, start to start, with the fake clock', async () => {
    const clock = new FakeClock();
    const services = app(clock);
    const probe = await services.probes.create(httpProbe('scheduled', '/ok'));
    // The first run falls somewhere within the first interval (spread by the probe's id) …
    await clock.advanceAsync(INTERVAL_S * 1000 - 1);
    const [first] = await resultsOf(services, probe.id, 1);
    expect(first).toMatchObject({ trigger: 'scheduler', status: 'ok' });
    // … and each next one an interval after the one before.
    await clock.advanceAsync(INTERVAL_S * 1000);
    const [second] = await resultsOf(services, probe.id, 2);
    expect(Date.parse(second!.startedAt) - Date.parse(first!.startedAt)).toBe(INTERVAL_S * 1000);
    expect(second!.trigger).toBe('scheduler');
    // Pausing stops the schedule.
    await services.probes.update(probe.id, httpProbe('scheduled', '/ok', { paused: true }));
    await clock.advanceAsync(3 * INTERVAL_S * 1000);
    expect(services.probes.results(probe.id, {})).toHaveLength(2);
    expect(services.probes.list()[0]!.status).toBe('paused');
  });

  it('runs now by scope, by provider or one probe (paused only when named), and streams start and end', async () => {
    const services = app(new FakeClock(), { probes: { background: false } });
    const studio = await services.probes.create(httpProbe('gemini studio', '/ok', { scope: 'gemini', provider: 'ai_studio' }));
    const vertex = await services.probes.create(httpProbe('gemini vertex', '/down', { scope: 'gemini', provider: 'vertex' }));
    const github = await services.probes.create(httpProbe('github api', '/ok', { scope: 'github' }));
    const paused = await services.probes.create(httpProbe('gemini paused', '/ok', { scope: 'gemini', provider: 'ai_studio', paused: true }));
    const updates: ProbeUpdate[] = [];
    const unsubscribe = services.probes.onUpdate((update) => updates.push(update));

    expect(services.probes.runNow({ scope: 'gemini' }, 'manual')).toEqual({ started: 2 });
    expect((await resultsOf(services, studio.id, 1))[0]).toMatchObject({ trigger: 'manual', status: 'ok' });
    expect((await resultsOf(services, vertex.id, 1))[0]).toMatchObject({ trigger: 'manual', status: 'fail', error: '[STATUS] == 200 failed (503).' });
    expect(services.probes.results(github.id, {})).toEqual([]);
    expect(services.probes.results(paused.id, {})).toEqual([]);

    expect(services.probes.runNow({ scope: 'gemini', provider: 'vertex' }, 'manual')).toEqual({ started: 1 });
    await resultsOf(services, vertex.id, 2);
    expect(services.probes.results(studio.id, {})).toHaveLength(1);

    expect(services.probes.runNow({ probeId: paused.id }, 'manual')).toEqual({ started: 1 });
    await resultsOf(services, paused.id, 1);

    expect(services.probes.runNow({}, 'cli')).toEqual({ started: 3 });
    await resultsOf(services, github.id, 1);
    await resultsOf(services, studio.id, 2);
    await resultsOf(services, vertex.id, 3);
    expect(services.probes.results(github.id, {})[0]!.trigger).toBe('cli');
    expect(services.probes.runNow({ scope: 'nothing-here' }, 'manual')).toEqual({ started: 0 });

    // Each run showed as running, then ended with its result.
    await waitFor(() => updates.filter((u) => u.type === 'summary' && u.summary.probe.id === github.id && !u.summary.running).length >= 1, 5_000, 'no end update');
    const ofGithub = updates.flatMap((u) => (u.type === 'summary' && u.summary.probe.id === github.id ? [u.summary] : []));
    expect(ofGithub.map((s) => [s.status, s.running])).toEqual([
      ['running', true],
      ['ok', false],
    ]);
    expect(ofGithub[1]!.lastResult).toMatchObject({ status: 'ok', trigger: 'cli' });
    unsubscribe();
  });

  it('shows a failing probe with retries left as pending, and records one result after the retries', async () => {
    const clock = new FakeClock();
    const services = app(clock, { probes: { background: false, backoff: { initialMs: 30_000, maxMs: 30_000, random: () => 1 } } });
    const probe = await services.probes.create(httpProbe('flaky', '/down', { retries: 1 }));
    const statuses: string[] = [];
    services.probes.onUpdate((u) => {
      if (u.type === 'summary') statuses.push(u.summary.status);
    });
    services.probes.runNow({ probeId: probe.id }, 'manual');
    await waitFor(() => statuses.includes('pending'), 5_000, 'the probe never showed as pending');
    expect(services.probes.list()[0]).toMatchObject({ status: 'pending', running: true });
    expect(services.probes.results(probe.id, {})).toEqual([]);
    await clock.advanceAsync(30_000);
    const [result] = await resultsOf(services, probe.id, 1);
    expect(result).toMatchObject({ status: 'fail', attempts: 2 });
    expect(services.probes.list()[0]).toMatchObject({ status: 'fail', running: false });
  });

  it('turns stale once no result came within its SLA window (default: two intervals)', async () => {
    const clock = new FakeClock();
    const services = app(clock, { probes: { background: false } });
    const sla = await services.probes.create(httpProbe('with sla', '/ok', { slaSeconds: 90 }));
    const plain = await services.probes.create(httpProbe('default sla', '/ok'));
    services.probes.runNow({}, 'manual');
    await resultsOf(services, sla.id, 1);
    await resultsOf(services, plain.id, 1);
    const status = () => Object.fromEntries(services.probes.list().map((s) => [s.probe.name, s.status]));
    expect(status()).toEqual({ 'with sla': 'ok', 'default sla': 'ok' });
    clock.advance(90_000);
    expect(status()).toEqual({ 'with sla': 'ok', 'default sla': 'ok' });
    clock.advance(1);
    expect(status()).toEqual({ 'with sla': 'stale', 'default sla': 'ok' });
    clock.advance(2 * INTERVAL_S * 1000 - 90_001);
    expect(status()).toEqual({ 'with sla': 'stale', 'default sla': 'ok' });
    clock.advance(1);
    expect(status()).toEqual({ 'with sla': 'stale', 'default sla': 'stale' });
  });

  it('records a run the app stopped under as interrupted after the restart, nothing half-written', async () => {
    const clock = new FakeClock();
    const dataDir = mkdtempSync(join(tmpdir(), 'cr-probes-restart-'));
    open.push({ services: { close: () => undefined } as Services, dataDir });
    const first = createServices({ dataDir, credentials: new KeytarBackend(SERVICE), clock });
    const probe = await first.probes.create(httpProbe('slow api', '/hang'));
    first.probes.runNow({ probeId: probe.id }, 'manual');
    await waitFor(() => hanging.length === 1, 5_000, 'the request did not reach the server');
    expect(first.probes.list()[0]).toMatchObject({ status: 'running', running: true });
    first.close();
    // The request is answered after the app closed: nothing may be written for it now.
    hanging.splice(0).forEach((res) => res.end('late'));
    expect(first.db.open).toBe(false);

    const second = app(clock, { dataDir, probes: { background: false } });
    expect(second.probes.results(probe.id, {})).toEqual([]);
    second.close();
    const third = app(clock, { dataDir });
    const results = third.probes.results(probe.id, {});
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ interrupted: true, status: 'fail', trigger: 'manual', artifacts: [] });
    const artifactsDir = join(dataDir, PROBE_ARTIFACTS_DIR);
    const files = existsSync(artifactsDir) ? readdirSync(artifactsDir, { recursive: true }).filter((f) => statSync(join(artifactsDir, String(f))).isFile()) : [];
    expect(files).toEqual([]);
    expect(third.db.prepare('SELECT COUNT(*) AS n FROM probe_runs').get()).toEqual({ n: 0 });
  });

  it('gives the first run after a restart the values of the last run before it, for kinds that compare with them', async () => {
    const clock = new FakeClock();
    const dataDir = mkdtempSync(join(tmpdir(), 'cr-probes-values-'));
    open.push({ services: { close: () => undefined } as Services, dataDir });
    // A kind like docker's "restarts since the last run": it counts from what the last run saw.
    const seen: unknown[] = [];
    const counting: ProbeKindModule = {
      kind: 'http',
      comparesWithPrevious: true,
      run: async (_settings, ctx) => {
        seen.push(ctx.previousValues);
        const runs = typeof ctx.previousValues?.RUNS === 'number' ? ctx.previousValues.RUNS : 0;
        return { values: { STATUS: 200, RUNS: runs + 1 }, metadata: {}, artifacts: [] };
      },
    };
    const kinds = { ...PROBE_KIND_MODULES, http: counting };
    const first = createServices({ dataDir, credentials: new KeytarBackend(SERVICE), clock, probes: { background: false, kinds } });
    const probe = await first.probes.create(httpProbe('counting', '/ok'));
    first.probes.runNow({ probeId: probe.id }, 'manual');
    await resultsOf(first, probe.id, 1);
    first.probes.runNow({ probeId: probe.id }, 'manual');
    await resultsOf(first, probe.id, 2);
    first.close();

    const second = app(clock, { dataDir, probes: { background: false, kinds } });
    second.probes.runNow({ probeId: probe.id }, 'manual');
    await resultsOf(second, probe.id, 3);
    expect(seen).toEqual([null, { STATUS: 200, RUNS: 1, RESPONSE_TIME: expect.any(Number) }, { STATUS: 200, RUNS: 2, RESPONSE_TIME: expect.any(Number) }]);
  });

  it('tests a draft without saving it, with the saved probe’s secret for a slot left unchanged', async () => {
    const services = app(new FakeClock(), { probes: { background: false } });
    const draft = httpProbe('authorised', '/auth', { settings: { url: `${base}/auth`, headers: { authorization: 'Bearer {{secret.API_KEY}}' } } });
    const saved = await services.probes.create({ ...draft, secrets: { API_KEY: SECRET } } as ProbeDraftInput);

    const withSaved = await services.probes.test(draft as never, saved.id);
    expect(withSaved).toMatchObject({ id: 0, probeId: saved.id, trigger: 'test', status: 'ok' });
    const unsaved = await services.probes.test(draft as never);
    expect(unsaved).toMatchObject({ id: 0, status: 'fail', error: "The probe's secret API_KEY is not set — enter it and test again." });
    const given = await services.probes.test({ ...draft, secrets: { API_KEY: 'wrong-token-value' } } as never, saved.id);
    expect(given).toMatchObject({ status: 'fail', error: '[STATUS] == 200 failed (401).' });
    expect(services.probes.results(saved.id, {})).toEqual([]);
  });

  it('never lets a secret value into list(), results(), artifacts or the files on disk', async () => {
    const services = app(new FakeClock(), { probes: { background: false } });
    const probe = await services.probes.create(
      httpProbe('echo', '/echo', {
        settings: { url: `${base}/echo?key={{secret.API_KEY}}`, headers: { authorization: 'Bearer {{secret.API_KEY}}' } },
        conditions: [
          { expression: '[STATUS] == 200', severity: 'fail' },
          { expression: '[BODY].authorization == nope', severity: 'warn' },
        ],
        secrets: { API_KEY: SECRET },
      }),
    );
    services.probes.runNow({ probeId: probe.id }, 'manual');
    const [result] = await resultsOf(services, probe.id, 1);
    expect(result!.status).toBe('warn');
    expect(result!.conditions[1]).toMatchObject({ passed: false, observed: '"Bearer [redacted]"' });
    expect(result!.artifacts.length).toBeGreaterThan(0);

    const artifacts = await Promise.all(
      result!.artifacts.map(async (a) => Buffer.from((await services.probes.readArtifact({ resultId: result!.id, artifactId: a.id })).base64, 'base64').toString('utf8')),
    );
    expect(artifacts.join('\n')).toContain('[redacted]');
    expect(JSON.stringify([services.probes.list(), services.probes.results(probe.id, {}), artifacts])).not.toContain(SECRET);

    // And not on disk: the database (WAL folded in) and every artifact file.
    services.db.pragma('wal_checkpoint(TRUNCATE)');
    const dataDir = services.dataDir;
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
    for (const file of files(dataDir)) expect(readFileSync(file).includes(SECRET), file).toBe(false);
    expect(files(join(dataDir, PROBE_ARTIFACTS_DIR)).length).toBeGreaterThan(0);
  });
});
