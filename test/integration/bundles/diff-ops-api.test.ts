/**
 * The diff of real bundles of an ops-API target around a deploy, on the real agent: its deploy file
 * (git SHA and image tags) and its migrations command are rewritten between the two bundles as a
 * deploy script would, the browser reports a new kind of frontend error, and the app's log cache
 * gets a new kind of error line. The agent's own bundle (`.json.gz`, imported as the app's "Open
 * bundle" does) is diffed against the later app bundle too: both kinds of bundle read alike.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import type { BundleDiff } from '../../../shared/model/bundle';
import type { LogEntry } from '../../../shared/model/logs';
import type { Target } from '../../../shared/model/target';
import { startKeyring, type Keyring } from '../../support/keyring';
import { beaconBody, startAgentFixture, type AgentFixture } from '../agent/agent-fixture';
import { exportSettled } from './bundle-support';

let keyring: Keyring;
let agent: AgentFixture;
let services: Services;
let dataDir: string;
let work: string;
let target: Target;
let appDiff: BundleDiff;
let agentDiff: BundleDiff;

function deploy(gitSha: string, api: string, migrations: string[]): void {
  writeFileSync(join(work, 'deploy.json'), JSON.stringify({ gitSha, imageTags: { api, web: 'shop/web:2.0.0' } }));
  writeFileSync(join(work, 'migrations.txt'), migrations.map((m) => `${m}\n`).join(''));
}

async function report(message: string): Promise<void> {
  expect((await agent.beacon(beaconBody({ message }))).status).toBeLessThan(300);
}

function cacheErrors(messages: string[]): void {
  const now = Date.now();
  const lines: LogEntry[] = messages.map((message, i) => ({
    ts: new Date(now - 60_000 + i).toISOString(),
    target: target.id,
    service: 'api',
    container: 'api',
    stream: 'stderr',
    level: 'error',
    message,
  }));
  services.logs.cache.insert(lines);
  services.logs.cache.flush();
}

async function exportBundle(): Promise<string> {
  return (await exportSettled(services, { targetId: target.id, window: { mode: 'last', minutes: 60 } })).progress
    .bundle!.id;
}

/** Uploads the agent's bundle as the app's "Open bundle" does; its id in the bundles folder. */
async function importAgentBundle(bytes: Buffer): Promise<string> {
  const { uploadId } = services.bundles.importBegin('agent-before.json.gz');
  services.bundles.importWrite(uploadId, bytes.toString('base64'));
  const kept = await services.bundles.importEnd(uploadId, false);
  return kept!.id;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'cr-bundle-diff-ops-'));
  deploy('a1b2c3d', 'shop/api:1.4.0', ['applied 001_users', 'applied 002_orders']);
  [keyring, agent] = await Promise.all([
    startKeyring(),
    startAgentFixture({
      // The migrations output is read afresh for every context, so the second bundle sees the deploy's.
      config: () => ({
        deploy: { file: join(work, 'deploy.json') },
        migrations: { command: `cat ${join(work, 'migrations.txt')}`, cacheSeconds: 0 },
      }),
    }),
  ]);
  keyring.useInThisProcess();
  dataDir = mkdtempSync(join(tmpdir(), 'cr-bundle-diff-ops-data-'));
  services = createServices({
    dataDir,
    credentials: new KeytarBackend(`control-room-test-${process.pid}`),
    probes: { background: false },
  });
  target = await services.targets.create({
    name: 'shop-api',
    environment: 'prod',
    kind: 'ops-api',
    settings: { baseUrl: agent.url },
    secrets: { apiToken: agent.admin },
  });

  await report('TypeError: order 1234 has no total');
  await report('TypeError: order 1234 has no total');
  cacheErrors(['ERROR db timeout after 30 ms', 'ERROR db timeout after 45 ms']);
  const before = await exportBundle();
  const agentBefore = await importAgentBundle(await services.opsApi.client(target.id).supportBundle());

  // The deploy: a new SHA and api tag, one more migration; then a new kind of error on each side.
  deploy('e4f5a6b', 'shop/api:1.5.0', ['applied 001_users', 'applied 002_orders', 'applied 003_refunds']);
  await report('TypeError: order 5678 has no total');
  await report('ReferenceError: cart is not defined');
  cacheErrors([
    'ERROR stripe webhook 4f1c2a9e-0b7d-4e8a-9c3f-1d2e3f4a5b6c rejected',
    'ERROR stripe webhook 0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d rejected',
  ]);
  const after = await exportBundle();

  appDiff = await services.bundles.diff(before, after);
  agentDiff = await services.bundles.diff(agentBefore, after);
}, 90_000);

afterAll(async () => {
  services?.close();
  await agent?.stop();
  await keyring?.stop();
  for (const dir of [dataDir, work]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('diff of two bundles of an ops-API target around a deploy', () => {
  it('reports the deployed SHA, the api tag and the migration the deploy added', () => {
    expect(appDiff.deployedSha).toEqual({ before: 'a1b2c3d', after: 'e4f5a6b' });
    expect(appDiff.images).toEqual([
      { service: 'api', before: 'shop/api:1.4.0', after: 'shop/api:1.5.0', digestBefore: null, digestAfter: null },
    ]);
    expect(appDiff.migrations).toEqual({ added: ['applied 003_refunds'], removed: [] });
  });

  it('reports the new frontend error group, not the old one reported again with another order number', () => {
    expect(appDiff.frontendErrors).toEqual({
      new: [{ message: 'ReferenceError: cart is not defined', count: 1 }],
      gone: [],
    });
  });

  it('reports the new error lines of the log cache as one group', () => {
    // Two error lines in A's hour; the same two and two new in B's.
    expect(appDiff.errors).toEqual([
      {
        service: 'api',
        ratePerMinBefore: 0.03,
        ratePerMinAfter: 0.07,
        newMessages: [{ message: 'ERROR stripe webhook <uuid> rejected', count: 2 }],
      },
    ]);
  });

  it('reports nothing about containers or configuration the target does not show', () => {
    expect(appDiff).toMatchObject({
      containers: { added: [], removed: [], restarted: [], health: [] },
      config: [],
      probes: [],
      same: false,
    });
  });
});

describe("diff of the agent's own bundle against a later app bundle", () => {
  it('reads the agent bundle alike: its created time, deploy, images, migrations and frontend errors', () => {
    expect(agentDiff.a.id).toMatch(/\.json\.gz$/);
    expect(Date.parse(agentDiff.a.created)).toBeLessThan(Date.parse(agentDiff.b.created));
    expect(agentDiff.deployedSha).toEqual({ before: 'a1b2c3d', after: 'e4f5a6b' });
    expect(agentDiff.images).toEqual(appDiff.images);
    expect(agentDiff.migrations).toEqual({ added: ['applied 003_refunds'], removed: [] });
    expect(agentDiff.frontendErrors).toEqual({
      new: [{ message: 'ReferenceError: cart is not defined', count: 1 }],
      gone: [],
    });
  });

  it("names no error message new for a service the agent's bundle holds no lines of (its host runs no such container)", () => {
    expect(agentDiff.errors).toEqual([{ service: 'api', ratePerMinBefore: 0, ratePerMinAfter: 0.07, newMessages: [] }]);
  });
});
