/**
 * The `http` step kind through the executor, against local stand-ins for the Vercel,
 * DigitalOcean and Supabase APIs (one small HTTP server answering their paths, named as such),
 * with the tokens in a real keychain (gnome-keyring on a private bus): presets build the right
 * request and auth, `url` replaces the base, a missing secret is one sentence, bodies are cut at
 * 64 KiB, an unreachable address says so — and no token ever reaches an event, a step message,
 * an output or the run's summary.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import { startKeyring, type Keyring } from '../../support/keyring';
import { eventsOf, startExecutorFixture, type ExecutorFixture } from './executor-fixture';

const VERCEL_TOKEN = 'vercel-tok-1f2e3d4c5b6a';
const DO_TOKEN = 'do-tok-9a8b7c6d5e4f';
const SUPABASE_KEY = 'supa-key-0a1b2c3d4e5f';

/** Stand-in for the three vendors' APIs: answers their paths and records each request's headers. */
class VendorApiStandIn {
  readonly requests: { path: string; headers: IncomingHttpHeaders }[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      this.requests.push({ path: `${url.pathname}${url.search}`, headers: request.headers });
      request.resume();
      const json = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (url.pathname === '/v6/deployments') {
        if (request.headers.authorization !== `Bearer ${VERCEL_TOKEN}`) return json(403, { error: { code: 'forbidden' } });
        return json(200, { deployments: [{ uid: 'dpl_1', state: 'READY', meta: { githubCommitSha: 'abc123' } }] });
      }
      if (url.pathname === '/v2/droplets') {
        if (request.headers.authorization !== `Bearer ${DO_TOKEN}`) return json(401, { id: 'unauthorized' });
        return json(200, { droplets: [{ id: 7, name: `web-${url.searchParams.get('tag_name')}`, status: 'active' }] });
      }
      if (url.pathname === '/auth/v1/health') {
        if (request.headers.apikey !== SUPABASE_KEY) return json(401, { message: 'No API key found in request' });
        return json(200, { version: 'v2.1', name: 'GoTrue' });
      }
      if (url.pathname === '/big') {
        response.writeHead(200, { 'content-type': 'text/plain' });
        return response.end('x'.repeat(200 * 1024));
      }
      return json(404, { error: 'no such path' });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const vendors = new VendorApiStandIn();
let keyring: Keyring;
let fixture: ExecutorFixture;
let closedPort: number;

const runbook = (id: string, withText: string) => `
id: ${id}
title: ${id}
kind: check
risk: read-only
phases:
  preflight:
    - id: call
      kind: http
      with: ${withText}
`;

beforeAll(async () => {
  await vendors.start();
  keyring = await startKeyring();
  keyring.useInThisProcess();
  const spare = createServer();
  await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
  closedPort = (spare.address() as AddressInfo).port;
  await new Promise((resolve) => spare.close(resolve));
  fixture = await startExecutorFixture(
    {
      vercel: runbook('vercel', `{ preset: vercel-deployments, project: prj_shop, url: '${vendors.url}' }`),
      droplets: runbook('droplets', `{ preset: digitalocean-droplets, project: shop, url: '${vendors.url}/' }`),
      supabase: runbook('supabase', `{ preset: supabase-health, project: '${vendors.url}' }`),
      big: runbook('big', `{ url: '${vendors.url}/big' }`),
      unreachable: runbook('unreachable', `{ url: 'http://127.0.0.1:${closedPort}/x' }`),
    },
    { credentials: new KeytarBackend(`control-room-test-${randomUUID()}`) },
  );
}, 60_000);

afterAll(async () => {
  await fixture?.close();
  await vendors.stop();
  await keyring?.stop();
});

async function run(runbookId: string) {
  const { services, stagingId } = fixture;
  const started = services.runbooks.startRun({ runbookId, targetId: stagingId, inputs: {}, dryRun: false, whenLocked: 'queue' }, 'app');
  const ended = await services.runbooks.executor.settled(started.id);
  const step = services.runbooks.store.steps(started.id)[0]!;
  const outputs = services.runbooks.store.stepOutputs(started.id).call ?? {};
  const record = JSON.stringify({ events: eventsOf(services, started.id), steps: services.runbooks.store.steps(started.id), outputs, detail: services.runbooks.detail(started.id) });
  return { ended, step, outputs, record };
}

describe('http presets against the vendor API stand-ins', () => {
  it('lists Vercel deployments with the bearer token from the keychain, never showing it', async () => {
    await fixture.services.runbooks.secrets.set('vercel-token', VERCEL_TOKEN);
    const { ended, step, outputs, record } = await run('vercel');
    expect(ended.status).toBe('succeeded');
    expect(step.description).toBe(`GET ${vendors.url}/v6/deployments?projectId=prj_shop&limit=5 (Vercel deployments)`);
    expect(vendors.requests.at(-1)?.path).toBe('/v6/deployments?projectId=prj_shop&limit=5');
    expect(outputs).toMatchObject({ status: 200, json: { deployments: [{ uid: 'dpl_1', state: 'READY' }] } });
    expect(record).not.toContain(VERCEL_TOKEN);
  });

  it('says which secret is missing, then lists DigitalOcean droplets by tag once it is set', async () => {
    const missing = await run('droplets');
    expect(missing.ended.status).toBe('failed');
    expect(missing.step.message).toBe('The runbook secret digitalocean-token is not set — add it in Runbooks → Secrets, then run again.');

    await fixture.services.runbooks.secrets.set('digitalocean-token', DO_TOKEN);
    const { ended, outputs, record } = await run('droplets');
    expect(ended.status).toBe('succeeded');
    expect(vendors.requests.at(-1)?.path).toBe('/v2/droplets?tag_name=shop');
    expect(outputs).toMatchObject({ status: 200, json: { droplets: [{ name: 'web-shop', status: 'active' }] } });
    expect(record).not.toContain(DO_TOKEN);
  });

  it('reads Supabase health with the apikey header', async () => {
    await fixture.services.runbooks.secrets.set('supabase-key', SUPABASE_KEY);
    const { ended, outputs, record } = await run('supabase');
    expect(ended.status).toBe('succeeded');
    expect(vendors.requests.at(-1)).toMatchObject({ path: '/auth/v1/health', headers: { apikey: SUPABASE_KEY } });
    expect(outputs).toMatchObject({ status: 200, json: { name: 'GoTrue' } });
    expect(record).not.toContain(SUPABASE_KEY);
  });
});

describe('http answers and failures', () => {
  it('keeps at most 64 KiB of a body', async () => {
    const { ended, outputs, record } = await run('big');
    expect(ended.status).toBe('succeeded');
    expect((outputs.body as string).length).toBe(64 * 1024);
    expect(outputs.json).toBeNull();
    expect(record).toContain('(body cut at 64 KiB)');
  });

  it('says an address could not be reached, in one sentence', async () => {
    const { ended, step } = await run('unreachable');
    expect(ended.status).toBe('failed');
    expect(step.message).toMatch(new RegExp(`^GET http://127\\.0\\.0\\.1:${closedPort}/x could not be reached \\(.*ECONNREFUSED.*\\) — check the address and that the service is up\\.$`));
  });
});
