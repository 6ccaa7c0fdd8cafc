/**
 * agent/openapi.json against the agent's REAL replies: every documented status of every
 * endpoint is provoked over HTTP and its body validated with the document's own schema (JSON
 * Schema 2020-12, as OpenAPI 3.1 uses), WebSocket messages included; and the routes the agent
 * registers are exactly the documented paths.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { REPO_ROOT } from '../../support/app';
import { waitFor } from '../../support/keyring';
import { composeLabels } from '../../support/podman';
import { beaconBody, startAgentFixture, type AgentFixture } from './agent-fixture';

interface Doc {
  paths: Record<string, Record<string, { responses: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }> }>>;
  components: { responses: Record<string, unknown> };
}

const doc = JSON.parse(readFileSync(join(REPO_ROOT, 'agent', 'openapi.json'), 'utf8')) as Doc & Record<string, unknown>;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(doc, 'openapi');

const KEY = 'ingest-key-for-openapi';
const RATE = 30;
let fx: AgentFixture;
let noDocker: AgentFixture;
const covered = new Set<string>();

beforeAll(async () => {
  [fx, noDocker] = await Promise.all([
    startAgentFixture({
      podman: true,
      before: async (podman) => {
        await podman.run('shop-web-1', 'echo "[error] boom" >&2; echo ok; trap "exit 0" TERM; while true; do sleep 1 & wait; done', composeLabels('shop', 'web'));
      },
      config: () => ({
        // X-Forwarded-For makes each test its own client for the rate limit.
        trustProxy: true,
        beacon: { ingestKey: KEY, ratePerMinute: RATE, maxBytes: 4096 },
        migrations: { command: 'exit 3' },
      }),
    }),
    startAgentFixture(),
  ]);
  await waitFor(async () => (await fx.get('/api/ops/logs?service=web')).status === 200, 15_000, 'no logs');
});

afterAll(async () => {
  await Promise.all([fx?.stop(), noDocker?.stop()]);
});

const pointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Validates a real reply against what the document says for this path, method and status. */
async function check(path: string, method: string, response: Response): Promise<unknown> {
  const status = String(response.status);
  const documented = doc.paths[path]?.[method]?.responses[status];
  expect(documented, `${method.toUpperCase()} ${path} ${status} is not documented`).toBeDefined();
  covered.add(`${method} ${path} ${status}`);
  let ref = `openapi#/paths/${pointer(path)}/${method}/responses/${status}`;
  let spec = documented!;
  if (spec.$ref) {
    ref = `openapi${spec.$ref}`;
    spec = doc.components.responses[spec.$ref.split('/').pop()!] as typeof spec;
  }
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  if (!spec.content) {
    expect(await response.arrayBuffer()).toHaveProperty('byteLength', 0);
    return undefined;
  }
  expect(Object.keys(spec.content), `${path} ${status}: undocumented content type ${type}`).toContain(type);
  const body: unknown = type === 'application/json' ? await response.json() : type === 'application/gzip' ? Buffer.from(await response.arrayBuffer()) : await response.text();
  if (type === 'application/gzip') return body;
  const validate = ajv.getSchema(`${ref}/content/${pointer(type)}/schema`)!;
  expect(validate(body), `${method.toUpperCase()} ${path} ${status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  return body;
}

const post = (query: string, body: string, contentType = 'text/plain;charset=UTF-8', ip = '10.1.0.1') =>
  fetch(`${fx.url}/api/ops/frontend-log${query}`, { method: 'POST', headers: { 'content-type': contentType, 'x-forwarded-for': ip }, body });

describe('agent/openapi.json matches the real agent', () => {
  it('documents exactly the routes the agent registers', () => {
    // Fastify writes path parameters as :id, OpenAPI as {id}.
    const registered = fx.app.agent.routes.map((r) => `${r.method.toLowerCase()} ${r.url.replace(/:(\w+)/g, '{$1}')}`).sort();
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)).sort();
    expect(registered).toEqual(documented);
  });

  it('GET /api/ops/context: 200 with ok and failed sections, 401, 404', async () => {
    const body = (await check('/api/ops/context', 'get', await fx.get('/api/ops/context'))) as { migrations: { ok: boolean }; docker: { ok: boolean } };
    expect(body.migrations.ok).toBe(false);
    expect(body.docker.ok).toBe(true);
    await check('/api/ops/context', 'get', await noDocker.get('/api/ops/context'));
    await check('/api/ops/context', 'get', await fx.get('/api/ops/context', null));
    await check('/api/ops/context', 'get', await fx.get('/api/ops/no-such-thing'));
  });

  it('GET /api/ops/logs: 200 JSON and plain, 400, 401, 404, 502', async () => {
    const body = (await check('/api/ops/logs', 'get', await fx.get('/api/ops/logs?service=web'))) as { entries: { level: string | null }[] };
    // stdout and stderr reach the engine through separate pipes: their relative order is not guaranteed.
    expect(body.entries.map((e) => e.level).sort()).toEqual(['error', null]);
    await check('/api/ops/logs', 'get', await fx.get('/api/ops/logs?service=web&format=plain'));
    await check('/api/ops/logs', 'get', await fx.get('/api/ops/logs?service=web&tail=x'));
    await check('/api/ops/logs', 'get', await fx.get('/api/ops/logs?service=web', null));
    await check('/api/ops/logs', 'get', await fx.get('/api/ops/logs?service=ghost'));
    await check('/api/ops/logs', 'get', await noDocker.get('/api/ops/logs?service=web'));
  });

  it('POST /api/ops/frontend-log: 204, 400, 401, 413, 415, 429', async () => {
    await check('/api/ops/frontend-log', 'post', await post(`?key=${KEY}`, JSON.stringify(beaconBody())));
    await check('/api/ops/frontend-log', 'post', await post(`?key=${KEY}`, '{nope'));
    await check('/api/ops/frontend-log', 'post', await post('', JSON.stringify(beaconBody())));
    await check('/api/ops/frontend-log', 'post', await post(`?key=${KEY}`, JSON.stringify(beaconBody({ stack: 'x'.repeat(5000) }))));
    await check('/api/ops/frontend-log', 'post', await post(`?key=${KEY}`, 'a=b', 'application/x-www-form-urlencoded'));
    let last: Response | undefined;
    for (let i = 0; i <= RATE; i++) {
      last = await post(`?key=${KEY}`, JSON.stringify(beaconBody()), 'application/json', '10.1.0.2');
      if (last.status === 429) break;
      await last.arrayBuffer();
    }
    await check('/api/ops/frontend-log', 'post', last!);
  });

  it('GET /api/ops/frontend-logs: 200, 400, 401', async () => {
    const body = (await check('/api/ops/frontend-logs', 'get', await fx.get('/api/ops/frontend-logs?since=5m'))) as { errors: unknown[] };
    expect(body.errors.length).toBeGreaterThan(0);
    await check('/api/ops/frontend-logs', 'get', await fx.get('/api/ops/frontend-logs?since=soon'));
    await check('/api/ops/frontend-logs', 'get', await fx.get('/api/ops/frontend-logs', null));
  });

  it('GET /api/ops/support-bundle: 200 (the gzipped JSON validated too), 401, 403', async () => {
    const gz = (await check('/api/ops/support-bundle', 'get', await fx.get('/api/ops/support-bundle', fx.admin))) as Buffer;
    const validate = ajv.getSchema('openapi#/components/schemas/SupportBundle')!;
    expect(validate(JSON.parse(gunzipSync(gz).toString('utf8'))), ajv.errorsText(validate.errors)).toBe(true);
    await check('/api/ops/support-bundle', 'get', await fx.get('/api/ops/support-bundle', null));
    await check('/api/ops/support-bundle', 'get', await fx.get('/api/ops/support-bundle', fx.read));
  });

  it('GET /api/ops/events: 101 then OpsEvent messages, 400 without an upgrade, 401', async () => {
    const ws = new WebSocket(`${fx.url.replace('http', 'ws')}/api/ops/events`, { headers: { authorization: `Bearer ${fx.read}` } });
    const messages: unknown[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve) => ws.once('open', resolve));
    covered.add('get /api/ops/events 101');
    try {
      await new Promise((r) => setTimeout(r, 300));
      await fx.podman!.run('shop-worker-1', 'trap "exit 0" TERM; while true; do sleep 1 & wait; done', composeLabels('shop', 'worker'));
      await post(`?key=${KEY}`, JSON.stringify(beaconBody({ route: '/ws' })), 'text/plain', '10.1.0.3');
      await waitFor(() => messages.some((m) => (m as { type: string }).type === 'container') && messages.some((m) => (m as { type: string }).type === 'frontend-error'), 15_000, 'no events');
      const validate = ajv.getSchema(`openapi#/paths/${pointer('/api/ops/events')}/get/responses/101/content/application~1json/schema`)!;
      for (const message of messages) expect(validate(message), ajv.errorsText(validate.errors)).toBe(true);
    } finally {
      ws.close();
    }
    await check('/api/ops/events', 'get', await fx.get('/api/ops/events'));
    await check('/api/ops/events', 'get', await fx.get('/api/ops/events', null));
  });

  it('/api/ops/probes*: 200, 400, 401, 403, 404 from an agent running an http probe against a real server', async () => {
    const server = createServer((_request, response) => response.setHeader('content-type', 'application/json').end('{"ok":true}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const agent = await startAgentFixture({
      config: () => ({ probes: [{ name: 'Health', scope: 'shop', kind: 'http', cheap: true, retries: 0, settings: { url: `http://127.0.0.1:${port}/` } }] }),
    });
    try {
      const run = (body: unknown, token: string | null) =>
        fetch(`${agent.url}/api/ops/probes/run`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(body),
        });
      await waitFor(async () => ((await (await agent.get('/api/ops/probes')).json()) as { probes: { lastResult: unknown }[] }).probes[0]!.lastResult !== null, 15_000, 'no probe result');
      await check('/api/ops/probes', 'get', await agent.get('/api/ops/probes'));
      await check('/api/ops/probes', 'get', await agent.get('/api/ops/probes', null));
      const results = '/api/ops/probes/{id}/results';
      const { results: list } = (await check(results, 'get', await agent.get('/api/ops/probes/health/results?limit=5'))) as { results: { id: number }[] };
      await check(results, 'get', await agent.get('/api/ops/probes/health/results?before=x'));
      await check(results, 'get', await agent.get('/api/ops/probes/health/results', null));
      await check(results, 'get', await agent.get('/api/ops/probes/nope/results'));
      const history = '/api/ops/probes/{id}/history';
      await check(history, 'get', await agent.get('/api/ops/probes/health/history?range=1h'));
      await check(history, 'get', await agent.get('/api/ops/probes/health/history?range=2y'));
      await check(history, 'get', await agent.get('/api/ops/probes/health/history', null));
      await check(history, 'get', await agent.get('/api/ops/probes/nope/history'));
      const artifact = '/api/ops/probes/{id}/results/{resultId}/artifacts/{artifactId}';
      await check(artifact, 'get', await agent.get(`/api/ops/probes/health/results/${list[0]!.id}/artifacts/0`));
      await check(artifact, 'get', await agent.get('/api/ops/probes/health/results/x/artifacts/0'));
      await check(artifact, 'get', await agent.get(`/api/ops/probes/health/results/${list[0]!.id}/artifacts/0`, null));
      await check(artifact, 'get', await agent.get(`/api/ops/probes/health/results/${list[0]!.id}/artifacts/9`));
      const runPath = '/api/ops/probes/run';
      await check(runPath, 'post', await run({ scope: 'shop' }, agent.admin));
      await check(runPath, 'post', await run({ bogus: true }, agent.admin));
      await check(runPath, 'post', await run({}, null));
      await check(runPath, 'post', await run({}, agent.read));
      await check(runPath, 'post', await run({ probeId: 'nope' }, agent.admin));
    } finally {
      await agent.stop();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('every documented status except 500 was produced by a real request above', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) => Object.keys(op.responses).filter((s) => s !== '500').map((s) => `${method} ${path} ${s}`)),
    );
    expect(documented.filter((d) => !covered.has(d))).toEqual([]);
  });
});
