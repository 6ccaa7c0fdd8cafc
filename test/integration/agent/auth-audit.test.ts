import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { OpsErrorReply } from '../../../shared/model/ops';
import { createToken, listTokens, revokeToken } from '../../../agent/cli';
import { waitFor } from '../../support/keyring';
import { startAgentFixture, type AgentFixture } from './agent-fixture';

let fx: AgentFixture;

beforeAll(async () => {
  fx = await startAgentFixture();
});

afterAll(async () => {
  await fx?.stop();
});

const PROTECTED = ['/api/ops/context', '/api/ops/logs?service=web', '/api/ops/frontend-logs', '/api/ops/support-bundle'];

async function expectError(response: Response, status: number, pattern: RegExp) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  const body = OpsErrorReply.parse(await response.json());
  expect(body.statusCode).toBe(status);
  expect(body.error).toMatch(pattern);
  // One sentence a person can act on.
  expect(body.error.trim().split('\n')).toHaveLength(1);
}

describe('agent auth: every endpoint but the beacon needs a token', () => {
  it.each(PROTECTED)('%s without a token is 401 JSON', async (path) => {
    await expectError(await fx.get(path, null), 401, /needs a token.*Authorization: Bearer/);
  });

  it.each(PROTECTED)('%s with an unknown token is 401 JSON', async (path) => {
    await expectError(await fx.get(path, `cra_${'x'.repeat(43)}`), 401, /not valid/);
  });

  it('a malformed Authorization header is 401, as is an unknown path without a token', async () => {
    await expectError(await fx.get('/api/ops/context', null, { authorization: `Basic ${fx.read}` }), 401, /needs a token/);
    await expectError(await fx.get('/api/ops/nothing-here', null), 401, /needs a token/);
  });

  it('an unknown path with a token is 404 JSON', async () => {
    await expectError(await fx.get('/api/ops/nothing-here'), 404, /There is no GET \/api\/ops\/nothing-here/);
  });

  it('a read token may not download the support bundle (403); an admin token may', async () => {
    await expectError(await fx.get('/api/ops/support-bundle', fx.read), 403, /admin scope/);
    const ok = await fx.get('/api/ops/support-bundle', fx.admin);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/gzip');
  });

  it('an admin token may read everything a read token may', async () => {
    expect((await fx.get('/api/ops/context', fx.admin)).status).toBe(200);
    expect((await fx.get('/api/ops/frontend-logs', fx.admin)).status).toBe(200);
  });

  it('?token= is accepted for the WebSocket only, never for plain requests', async () => {
    await expectError(await fx.get(`/api/ops/context?token=${fx.read}`, null), 401, /needs a token/);
    const ws = new WebSocket(`${fx.url.replace('http', 'ws')}/api/ops/events?token=${encodeURIComponent(fx.read)}`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.close();
  });

  it('refuses a WebSocket upgrade without a valid token with 401', async () => {
    for (const query of ['', `?token=cra_${'y'.repeat(43)}`]) {
      const ws = new WebSocket(`${fx.url.replace('http', 'ws')}/api/ops/events${query}`);
      const status = await new Promise<number>((resolve) => {
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => resolve(101));
        ws.once('error', () => undefined);
      });
      expect(status).toBe(401);
      ws.terminate();
    }
  });

  it('a revoked token stops working at once, even when revoked by another process', async () => {
    const made = createToken({ dataDir: fx.dataDir, scope: 'read', label: 'short-lived' });
    expect((await fx.get('/api/ops/context', made.token)).status).toBe(200);
    expect(revokeToken({ dataDir: fx.dataDir, id: made.id })).toBe(true);
    await expectError(await fx.get('/api/ops/context', made.token), 401, /revoked/);
    expect(revokeToken({ dataDir: fx.dataDir, id: made.id })).toBe(false);
  });
});

describe('agent tokens are stored hashed', () => {
  it('keeps only the sha256 of each token, and lists tokens without values', () => {
    const rows = fx.app.agent.db.prepare('SELECT * FROM tokens').all() as Record<string, unknown>[];
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(fx.read);
    expect(dump).not.toContain(fx.admin);
    expect(rows.map((r) => r.hash)).toContain(createHash('sha256').update(fx.read).digest('hex'));
    const listed = listTokens({ dataDir: fx.dataDir });
    expect(listed.map((t) => t.scope)).toEqual(expect.arrayContaining(['read', 'admin']));
    expect(JSON.stringify(listed)).not.toContain('cra_');
  });
});

describe('agent audit log', () => {
  it('records every request: when, method, path, status, token id or anonymous, client address', async () => {
    const before = Date.now();
    await fx.get('/api/ops/context');
    await fx.get('/api/ops/context', null);
    await fx.get('/api/ops/support-bundle', fx.read);
    await fx.beacon({ route: '/audit', message: 'audited' });
    await fx.get(`/api/ops/frontend-logs?since=5m&token=${fx.read}`);
    type Row = { at: string; method: string; path: string; query: string; status: number; tokenId: string; ip: string };
    let rows: Row[] = [];
    // onResponse runs once the reply is on the wire, so the last row may land just after fetch resolves.
    await waitFor(
      () => {
        fx.app.agent.audit.flush();
        rows = fx.app.agent.db
          .prepare('SELECT at, method, path, query, status, token_id AS tokenId, ip FROM audit WHERE at >= ? ORDER BY id')
          .all(new Date(before - 1000).toISOString()) as Row[];
        return rows.length >= 5;
      },
      5_000,
      'the audit rows did not appear',
    );
    const readId = listTokens({ dataDir: fx.dataDir }).find((t) => t.label === 'test read')!.id;
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ method: 'GET', path: '/api/ops/context', status: 200, tokenId: readId, ip: '127.0.0.1' }),
        expect.objectContaining({ method: 'GET', path: '/api/ops/context', status: 401, tokenId: 'anonymous' }),
        expect.objectContaining({ method: 'GET', path: '/api/ops/support-bundle', status: 403, tokenId: readId }),
        expect.objectContaining({ method: 'POST', path: '/api/ops/frontend-log', status: 204, tokenId: 'anonymous' }),
        expect.objectContaining({ method: 'GET', path: '/api/ops/frontend-logs', status: 200, query: 'since=5m&token=%5Bredacted%5D' }),
      ]),
    );
    // A token in a query string never reaches the audit table.
    expect(JSON.stringify(rows)).not.toContain(fx.read);
    expect(Date.parse(rows[0]!.at)).toBeGreaterThanOrEqual(before - 1000);
    expect(listTokens({ dataDir: fx.dataDir }).find((t) => t.id === readId)!.lastUsedAt).not.toBeNull();
  });

  it('records WebSocket connections too', async () => {
    const ws = new WebSocket(`${fx.url.replace('http', 'ws')}/api/ops/events`, { headers: { authorization: `Bearer ${fx.read}` } });
    await new Promise((resolve) => ws.once('open', resolve));
    ws.close();
    await waitFor(
      () => {
        fx.app.agent.audit.flush();
        return !!fx.app.agent.db.prepare("SELECT status FROM audit WHERE path = '/api/ops/events' AND status = 101").get();
      },
      5_000,
      'no audit row for the WebSocket',
    );
  });
});

describe('agent without a Docker engine', () => {
  it('answers logs with 502 and one sentence naming the socket', async () => {
    await expectError(await fx.get('/api/ops/logs?service=web'), 502, /could not be reached at .*no-docker\.sock/);
  });

  it('a plain GET on the events endpoint explains it is a WebSocket (400)', async () => {
    await expectError(await fx.get('/api/ops/events'), 400, /WebSocket/);
  });
});
