import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrontendErrors, OpsContext, OpsErrorReply } from '../../../shared/model/ops';
import { buildAgent } from '../../../agent/server';
import { beaconBody, startAgentFixture, type AgentFixture } from './agent-fixture';

const RATE = 40;
let fx: AgentFixture;
let keyed: AgentFixture;
let nextClient = 1;

/** Behind a proxy (trustProxy) each test can be its own client, so the per-client rate limit is testable. */
function client(): Record<string, string> {
  const n = nextClient++;
  return { 'x-forwarded-for': `10.0.${n >> 8}.${n & 255}` };
}

beforeAll(async () => {
  [fx, keyed] = await Promise.all([
    startAgentFixture({ config: () => ({ trustProxy: true, beacon: { ratePerMinute: RATE, maxRoutes: 50, maxBytes: 16 * 1024 } }) }),
    startAgentFixture({ config: () => ({ beacon: { ingestKey: 'public-ingest-key' } }) }),
  ]);
});

afterAll(async () => {
  await Promise.all([fx?.stop(), keyed?.stop()]);
});

async function errors(agent: AgentFixture, query: string) {
  const response = await agent.get(`/api/ops/frontend-logs${query}`);
  expect(response.status).toBe(200);
  return FrontendErrors.parse(await response.json()).errors;
}

async function expectError(response: Response, status: number, pattern: RegExp) {
  expect(response.status).toBe(status);
  const body = OpsErrorReply.parse(await response.json());
  expect(body).toMatchObject({ statusCode: status });
  expect(body.error).toMatch(pattern);
}

describe('POST /api/ops/frontend-log: the browser beacon', () => {
  it('accepts a sendBeacon body (text/plain JSON) without a token and stores every field', async () => {
    const response = await fx.beacon(beaconBody({ route: '/checkout?order=42#pay', count: 3 }), { headers: client() });
    expect(response.status).toBe(204);
    const [stored] = await errors(fx, '?route=/checkout');
    expect(stored).toMatchObject({
      buildHash: 'abc123',
      // Query strings carry ids and tokens: the route is the path.
      route: '/checkout',
      message: 'TypeError: cannot read properties of undefined',
      stack: expect.stringContaining('at pay (app.js:10:5)'),
      browser: 'Mozilla/5.0 test',
      wsState: 'open',
      kind: 'onerror',
      count: 3,
    });
    expect(Date.now() - Date.parse(stored!.receivedAt)).toBeLessThan(10_000);
  });

  it('accepts application/json and a minimal beacon', async () => {
    expect((await fx.beacon({ route: '/json', message: 'only the required fields' }, { contentType: 'application/json', headers: client() })).status).toBe(204);
    const [stored] = await errors(fx, '?route=/json');
    expect(stored).toMatchObject({ message: 'only the required fields', buildHash: null, stack: null, kind: null, count: 1 });
  });

  it('refuses malformed JSON, an empty body and schema mismatches with 400 JSON', async () => {
    await expectError(await fx.beacon('{"route": "/x", "message": ', { headers: client() }), 400, /not valid JSON/);
    await expectError(await fx.beacon('', { headers: client() }), 400, /empty/);
    await expectError(await fx.beacon({ route: '/x' }, { headers: client() }), 400, /does not match the schema: message/);
    await expectError(await fx.beacon(beaconBody({ count: 0 }), { headers: client() }), 400, /count/);
    await expectError(await fx.beacon(beaconBody({ route: 'x'.repeat(3000) }), { headers: client() }), 400, /route/);
    await expectError(await fx.beacon('[1,2,3]', { headers: client() }), 400, /schema/);
  });

  it('refuses an oversized beacon with 413 JSON before reading it all', async () => {
    const big = beaconBody({ message: 'x'.repeat(8000), stack: 'y'.repeat(20_000) });
    await expectError(await fx.beacon(big, { headers: client() }), 413, /larger than this endpoint accepts \(16384 bytes/);
  });

  it('refuses other content types with 415 JSON', async () => {
    await expectError(await fx.beacon('route=/x', { contentType: 'application/x-www-form-urlencoded', headers: client() }), 415, /text\/plain or application\/json/);
  });

  it('rate-limits a flooding client with 429 JSON while other clients still get through', async () => {
    const flooder = client();
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < RATE + 10; i++) {
      const response = await fx.beacon(beaconBody({ route: '/flood', message: `flood ${i}` }), { headers: flooder });
      statuses.push(response.status);
      if (response.status === 429) refused ??= response;
      else await response.arrayBuffer();
    }
    expect(statuses.filter((s) => s === 204)).toHaveLength(RATE);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    expect(refused!.headers.get('retry-after')).toBeTruthy();
    await expectError(refused!, 429, new RegExp(`Too many beacons from this client: at most ${RATE} a minute`));
    expect((await fx.beacon(beaconBody({ route: '/flood' }), { headers: client() })).status).toBe(204);
  });

  it(`keeps a ring buffer of the last 500 errors per route`, async () => {
    const total = 520;
    let sent = 0;
    while (sent < total) {
      const headers = client();
      const batch = Array.from({ length: Math.min(RATE, total - sent) }, (_, i) => sent + i);
      const statuses = await Promise.all(batch.map((n) => fx.beacon(beaconBody({ route: '/ring', message: `ring ${n}` }), { headers }).then((r) => r.status)));
      expect(statuses.every((s) => s === 204)).toBe(true);
      sent += batch.length;
    }
    const kept = await errors(fx, '?route=/ring&limit=5000&since=1h');
    expect(kept).toHaveLength(500);
    const messages = new Set(kept.map((e) => e.message));
    expect(messages.has('ring 0')).toBe(false);
    expect(messages.has(`ring ${total - 1}`)).toBe(true);
    const rows = fx.app.agent.db.prepare("SELECT count(*) AS n FROM frontend_errors WHERE route = '/ring'").get() as { n: number };
    expect(rows.n).toBe(500);
  });

  it('caps the number of routes: the least recent route is dropped for a new one', async () => {
    const before = (fx.app.agent.db.prepare('SELECT count(DISTINCT route) AS n FROM frontend_errors').get() as { n: number }).n;
    for (let i = 0; i < 50 - before; i++) expect((await fx.beacon(beaconBody({ route: `/r/${i}` }), { headers: client() })).status).toBe(204);
    expect(await errors(fx, '?route=/checkout')).toHaveLength(1);
    await fx.beacon(beaconBody({ route: '/r/new' }), { headers: client() });
    const routes = (fx.app.agent.db.prepare('SELECT count(DISTINCT route) AS n FROM frontend_errors').get() as { n: number }).n;
    expect(routes).toBe(50);
    // /checkout was the first route seen and not seen since.
    expect(await errors(fx, '?route=/checkout')).toHaveLength(0);
  });
});

describe('GET /api/ops/frontend-logs', () => {
  it('filters by since (durations and ISO) and route, newest first', async () => {
    const headers = client();
    await fx.beacon(beaconBody({ route: '/since', message: 'older' }), { headers });
    await new Promise((r) => setTimeout(r, 1_200));
    const cut = new Date().toISOString();
    await fx.beacon(beaconBody({ route: '/since', message: 'newer' }), { headers });
    expect((await errors(fx, '?route=/since&since=1s')).map((e) => e.message)).toEqual(['newer']);
    expect((await errors(fx, `?route=/since&since=${encodeURIComponent(cut)}`)).map((e) => e.message)).toEqual(['newer']);
    expect((await errors(fx, '?route=/since&since=5m')).map((e) => e.message)).toEqual(['newer', 'older']);
    expect((await errors(fx, '?route=/since&limit=1')).map((e) => e.message)).toEqual(['newer']);
  });

  it('refuses a since it cannot read and a bad limit with 400', async () => {
    await expectError(await fx.get('/api/ops/frontend-logs?since=yesterday'), 400, /since=yesterday .*5m/);
    await expectError(await fx.get('/api/ops/frontend-logs?limit=-3'), 400, /limit=-3/);
  });

  it('feeds the context frontend section: last build hash and counts that include folded repeats', async () => {
    const headers = client();
    await fx.beacon(beaconBody({ route: '/ctx', build_hash: 'build-777', count: 5 }), { headers });
    const context = OpsContext.parse(await (await fx.get('/api/ops/context')).json());
    expect(context.frontend.ok).toBe(true);
    if (!context.frontend.ok) return;
    expect(context.frontend.data.lastBuildHash).toBe('build-777');
    const rows = fx.app.agent.db.prepare('SELECT sum(count) AS n FROM frontend_errors').get() as { n: number };
    expect(context.frontend.data.errorsLastHour).toBe(rows.n);
    expect(context.frontend.data.errorsLastDay).toBe(rows.n);
    expect(context.frontend.data.lastErrorAt).not.toBeNull();
  });
});

describe('the ingest key', () => {
  it('when configured, a beacon without it or with a wrong one is 401', async () => {
    await expectError(await keyed.beacon(beaconBody()), 401, /ingest key/);
    await expectError(await keyed.beacon(beaconBody(), { query: '?key=wrong' }), 401, /ingest key/);
  });

  it('is accepted as ?key= or X-Ops-Ingest-Key', async () => {
    expect((await keyed.beacon(beaconBody({ route: '/k1' }), { query: '?key=public-ingest-key' })).status).toBe(204);
    expect((await keyed.beacon(beaconBody({ route: '/k2' }), { headers: { 'x-ops-ingest-key': 'public-ingest-key' } })).status).toBe(204);
    expect((await errors(keyed, '')).map((e) => e.route).sort()).toEqual(['/k1', '/k2']);
  });
});

describe('persistence', () => {
  it('keeps beacons in SQLite across restarts of the agent', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cr-agent-persist-'));
    try {
      const config = { port: 0, dataDir, docker: { socket: join(dataDir, 'none.sock') } };
      const first = await buildAgent(config, { env: {} });
      first.agent.beacons.insert({ route: '/persist', message: 'survives a restart' });
      await first.close();
      const second = await buildAgent(config, { env: {} });
      try {
        expect(second.agent.beacons.list({ sinceMs: null, route: '/persist', limit: 10 }).map((e) => e.message)).toEqual(['survives a restart']);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
