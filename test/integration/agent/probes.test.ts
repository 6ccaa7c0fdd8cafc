/**
 * Probes run from the host: the real agent runs the probes of its configuration (an http probe
 * against a real local server with a secret from the environment, a docker probe against
 * podman's engine, a tcp probe to a closed port) and serves them on `/api/ops/probes*` over real
 * HTTP, with status changes on the events stream; its configuration refuses what it cannot run.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseAgentConfig } from '../../../agent/config';
import { HostProbes, OpsEvent, type HostProbe } from '../../../shared/model/ops';
import { HistoryBucket, ProbeResult } from '../../../shared/model/probe';
import { waitFor } from '../../support/keyring';
import { composeLabels } from '../../support/podman';
import { startAgentFixture, type AgentFixture } from './agent-fixture';

const SECRET = 'host-secret-value-1234567890';
let fx: AgentFixture;
let server: Server;
let port: number;
let closedPort: number;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push(String(request.headers.authorization));
    // Echoes the header back, so the stored artifact would hold the secret if it were not redacted.
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ ok: true, saw: request.headers.authorization }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  fx = await startAgentFixture({
    podman: true,
    before: async (podman) => {
      await podman.run('shop-web-1', 'trap "exit 0" TERM; while true; do sleep 1 & wait; done', composeLabels('shop', 'web'));
    },
    env: { PATH: process.env.PATH, PROBE_TOKEN: SECRET },
    config: () => ({
      probes: [
        {
          name: 'Shop health',
          scope: 'shop',
          check: 'shop.health',
          kind: 'http',
          settings: { url: `http://127.0.0.1:${port}/health`, headers: { authorization: 'Bearer {{secret.TOKEN}}' } },
          conditions: [{ expression: '[STATUS] == 200', severity: 'fail' }],
          cheap: true,
          retries: 0,
          secrets: { TOKEN: 'env:PROBE_TOKEN' },
        },
        {
          name: 'Web container',
          scope: 'shop',
          provider: 'docker',
          kind: 'docker',
          settings: { container: 'shop-web-1' },
          conditions: [{ expression: '[RUNNING] == true', severity: 'fail' }],
          retries: 0,
          paused: true,
        },
        {
          id: 'db-port',
          name: 'Database port',
          scope: 'db',
          kind: 'tcp',
          settings: { host: '127.0.0.1', port: closedPort },
          retries: 0,
          timeoutSeconds: 2,
        },
        {
          name: 'Missing secret',
          scope: 'other',
          kind: 'http',
          settings: { url: `http://127.0.0.1:${port}/x`, headers: { 'x-key': '{{secret.KEY}}' } },
          retries: 0,
          secrets: { KEY: 'file:/nonexistent/control-room-probe-key' },
        },
      ],
    }),
  });
}, 120_000);

afterAll(async () => {
  await fx?.stop();
  await new Promise((resolve) => server?.close(resolve));
});

async function list(): Promise<HostProbe[]> {
  const response = await fx.get('/api/ops/probes');
  expect(response.status).toBe(200);
  const text = await response.text();
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain('PROBE_TOKEN');
  return HostProbes.parse(JSON.parse(text)).probes;
}

function post(path: string, body: unknown, token: string): Promise<Response> {
  return fetch(fx.url + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('probes run from the host', () => {
  it('lists the configured probes without secret values, saying which secrets the host has', async () => {
    const probes = await list();
    expect(probes.map((p) => p.probe.id)).toEqual(['shop-health', 'web-container', 'db-port', 'missing-secret']);
    expect(probes[0]!.probe.secrets).toEqual({ TOKEN: { present: true } });
    expect(probes[3]!.probe.secrets).toEqual({ KEY: { present: false } });
    expect(probes[1]!.probe.settings).toMatchObject({ container: 'shop-web-1', targetId: 'host' });
    expect(probes[1]!.status).toBe('paused');
  });

  it('runs a cheap probe at start with its secret from the environment, redacted from what it stored', async () => {
    await waitFor(async () => (await list())[0]!.lastResult !== null, 15_000, 'no auto_boot result');
    const health = (await list())[0]!;
    expect(health.status).toBe('ok');
    expect(health.lastResult).toMatchObject({ status: 'ok', trigger: 'auto_boot' });
    expect(seen).toContain(`Bearer ${SECRET}`);
    const results = await fx.get('/api/ops/probes/shop-health/results?limit=5');
    const parsed = { results: ProbeResult.array().parse(((await results.json()) as { results: unknown }).results) };
    expect(parsed.results).toHaveLength(1);
    const artifact = parsed.results[0]!.artifacts[0]!;
    const bytes = await fx.get(`/api/ops/probes/shop-health/results/${parsed.results[0]!.id}/artifacts/${artifact.id}`);
    expect(bytes.status).toBe(200);
    expect(bytes.headers.get('content-type')).toContain('application/json');
    const body = await bytes.text();
    expect(body).toContain('"ok":true');
    expect(body).not.toContain(SECRET);
    const history = await fx.get('/api/ops/probes/shop-health/history?range=1h');
    const h = (await history.json()) as { buckets: unknown[]; uptime: number };
    expect(HistoryBucket.array().parse(h.buckets).reduce((n, b) => n + b.ok, 0)).toBe(1);
    expect(h.uptime).toBe(1);
  });

  it('runs probes on demand with an admin token, the docker kind against its own engine, and streams status changes', async () => {
    const ws = new WebSocket(`${fx.url.replace('http', 'ws')}/api/ops/events`, { headers: { authorization: `Bearer ${fx.read}` } });
    const events: OpsEvent[] = [];
    ws.on('message', (data) => events.push(OpsEvent.parse(JSON.parse(String(data)))));
    await new Promise((resolve) => ws.once('open', resolve));
    try {
      expect((await post('/api/ops/probes/run', { probeId: 'web-container' }, fx.read)).status).toBe(403);
      const run = await post('/api/ops/probes/run', { probeId: 'web-container' }, fx.admin);
      expect(run.status).toBe(200);
      expect(await run.json()).toEqual({ started: 1 });
      await waitFor(() => events.some((e) => e.type === 'probe' && e.probeId === 'web-container' && e.lastResult !== null), 20_000, 'no probe event');
      const docker = (await list())[1]!;
      // Paused, so it stays paused; its result says the container runs.
      expect(docker.lastResult).toMatchObject({ status: 'ok', trigger: 'manual' });
      const running = events.find((e) => e.type === 'probe' && e.probeId === 'web-container' && e.status === 'running');
      expect(running).toBeDefined();

      expect(await (await post('/api/ops/probes/run', { scope: 'db' }, fx.admin)).json()).toEqual({ started: 1 });
      await waitFor(async () => (await list())[2]!.lastResult !== null, 20_000, 'no tcp result');
      const db = (await list())[2]!;
      expect(db.status).toBe('fail');
      expect(db.lastResult!.error).toBeTruthy();
      await waitFor(() => events.some((e) => e.type === 'probe' && e.probeId === 'db-port' && e.status === 'fail'), 5_000, 'no fail event');

      expect(await (await post('/api/ops/probes/run', { scope: 'other' }, fx.admin)).json()).toEqual({ started: 1 });
      await waitFor(async () => (await list())[3]!.lastResult !== null, 20_000, 'no missing-secret result');
      expect((await list())[3]!.lastResult!.error).toMatch(/control-room-probe-key could not be read/);
    } finally {
      ws.close();
    }
  });

  it('answers 404 for an unknown probe or artifact and 400 for bad parameters', async () => {
    expect((await fx.get('/api/ops/probes/nope/results')).status).toBe(404);
    expect((await fx.get('/api/ops/probes/shop-health/results?before=x')).status).toBe(400);
    expect((await fx.get('/api/ops/probes/shop-health/history?range=2y')).status).toBe(400);
    expect((await fx.get('/api/ops/probes/shop-health/results/999999/artifacts/0')).status).toBe(404);
    expect((await post('/api/ops/probes/run', { probeId: 'nope' }, fx.admin)).status).toBe(404);
    expect((await post('/api/ops/probes/run', { bogus: 1 }, fx.admin)).status).toBe(400);
    expect((await fx.get('/api/ops/probes', null)).status).toBe(401);
  });
});

describe('the probes section of the configuration', () => {
  const probe = (extra: Record<string, unknown>) => ({ probes: [{ name: 'P', scope: 's', kind: 'tcp', settings: { host: '127.0.0.1', port: 1 }, ...extra }] });

  it('refuses ssh and ops-api probes with a sentence', () => {
    expect(() => parseAgentConfig(probe({ kind: 'ssh', settings: { targetId: 'x', command: 'true' } }))).toThrow(
      'Invalid agent configuration: probes[0] ("P"): An ssh probe runs from Control Room, not from the agent.',
    );
    expect(() => parseAgentConfig(probe({ kind: 'ops-api', settings: { targetId: 'x', section: 'host' } }))).toThrow(/runs from Control Room/);
  });

  it('refuses a condition that does not read, a secret without a source, a value in place of a source, and duplicate ids', () => {
    expect(() => parseAgentConfig(probe({ conditions: [{ expression: '[STATUS] === 200', severity: 'fail' }] }))).toThrow(/probes\[0\] \("P"\): conditions\.0/);
    expect(() => parseAgentConfig(probe({ kind: 'http', settings: { url: 'http://127.0.0.1/', headers: { a: '{{secret.TOKEN}}' } } }))).toThrow(
      /needs the secret TOKEN/,
    );
    expect(() => parseAgentConfig(probe({ secrets: { TOKEN: 'ghp_actualvalue' } }))).toThrow(/never the value itself/);
    expect(() => parseAgentConfig({ probes: [...probe({}).probes, ...probe({}).probes] })).toThrow(/id "p" of an earlier probe/);
    expect(() => parseAgentConfig(probe({ intervalSeconds: 1 }))).toThrow(/probes\[0\] \("P"\): intervalSeconds/);
  });

  it('parses a valid section the same way twice (buildAgent parses what tests already parsed)', () => {
    const once = parseAgentConfig(probe({ secrets: { X: 'env:X' } }));
    expect(parseAgentConfig(once).probes).toEqual(once.probes);
    expect(once.probes[0]).toMatchObject({ id: 'p', intervalSeconds: 300, secrets: { X: 'env:X' } });
  });
});
