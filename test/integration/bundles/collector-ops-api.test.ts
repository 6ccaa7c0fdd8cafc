/**
 * The collector on an ops-API target served by the real agent: its context, frontend errors
 * (grouped and raw), the agent's own bundle embedded (re-redacted), cached logs, and a window
 * "since the last deploy" taken from the agent's deploy.deployedAt.
 */
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../../main/services';
import type { LogEntry } from '../../../shared/model/logs';
import type { Target } from '../../../shared/model/target';
import { waitFor } from '../../support/keyring';
import { beaconBody, type AgentFixture } from '../agent/agent-fixture';
import { manifestOf, startOpsApiServices, unpackBundle, type OpsApiServices } from './bundle-support';

/** Lines are cached a minute apart ending here; "around" windows are measured from it. */
const seededAt = Date.now();
const DEPLOYED_AT = new Date(Date.now() - 20 * 60_000).toISOString();
let rig: OpsApiServices;
let agent: AgentFixture;
let services: Services;
let target: Target;

beforeAll(async () => {
  rig = await startOpsApiServices({ dirPrefix: 'cr-bundle-ops-', target: { name: 'shop-api', environment: 'prod' }, agent: { env: { PATH: process.env.PATH, DEPLOYED_AT, GIT_SHA: 'feedc0de' } } });
  ({ agent, services, target } = rig);
  for (const message of ['TypeError: x is undefined', 'TypeError: x is undefined', 'ReferenceError: y']) {
    expect((await agent.beacon(beaconBody({ message }))).status).toBeLessThan(300);
  }
  const now = seededAt;
  services.logs.cache.insert(
    Array.from({ length: 40 }, (_, i) => ({
      // Half before the deploy (left out of a since-deploy window), half after.
      ts: new Date(now - 40 * 60_000 + i * 60_000).toISOString(),
      target: target.id,
      service: 'api',
      container: 'api',
      stream: 'stdout' as const,
      level: null,
      message: `api line ${i}`,
    })),
  );
}, 60_000);

afterAll(async () => {
  await rig?.dispose();
});

describe('an ops-API bundle', () => {
  it('holds the context, frontend errors, the agent bundle and the logs since the deploy', async () => {
    const started = services.bundles.startExport({ targetId: target.id, window: { mode: 'since-deploy' } });
    const done = await services.bundles.exportSettled(started.exportId);
    expect(done.state, done.message).toBe('done');
    const files = await unpackBundle(join(services.bundles.folder, done.bundle!.id));
    const manifest = manifestOf(files);
    expect(manifest.window.from).toBe(DEPLOYED_AT);
    expect(manifest.window.description).toMatch(/^since the last deploy/);
    expect(manifest.target.kind).toBe('ops-api');

    const context = JSON.parse(files.get('context.json')!.toString()) as { kind: string; context: { deploy: { ok: boolean; data: { gitSha: string } } } };
    expect(context.kind).toBe('ops-api');
    expect(context.context.deploy.data.gitSha).toBe('feedc0de');

    const frontend = JSON.parse(files.get('frontend-errors.json')!.toString()) as { groups: { message: string; count: number }[]; raw: unknown[] };
    expect(frontend.groups).toEqual(expect.arrayContaining([expect.objectContaining({ message: 'TypeError: x is undefined', count: 2 }), expect.objectContaining({ message: 'ReferenceError: y', count: 1 })]));
    expect(frontend.raw).toHaveLength(3);

    const agentBundle = JSON.parse(gunzipSync(files.get('agent-bundle.json.gz')!).toString()) as Record<string, unknown>;
    expect(agentBundle).toHaveProperty('context');
    // The app's keychain value (the agent's admin token) is nowhere, the agent's bundle included.
    for (const [path, bytes] of files) expect(bytes.includes(agent.admin), path).toBe(false);

    const lines = files.get('logs/api.ndjson')!.toString().trim().split('\n').map((line) => JSON.parse(line) as LogEntry);
    expect(lines.length).toBeGreaterThanOrEqual(19);
    expect(lines.length).toBeLessThanOrEqual(21);
    expect(lines.every((line) => Date.parse(line.ts) >= Date.parse(DEPLOYED_AT))).toBe(true);
    expect(manifest.notes.filter((note) => note.section === 'agent-bundle' || note.section === 'frontend-errors')).toEqual([]);
  }, 60_000);

  it('holds the probe results of the window with their artifacts, and the runs with their events', async () => {
    // A probe tied to no target (HTTP against the agent's health page) and a real health-check run.
    const probe = await services.probes.create({ name: 'Agent health', scope: 'web', kind: 'http', settings: { url: `${agent.url}/healthz` }, conditions: [] });
    services.probes.runNow({ probeId: probe.id }, 'manual');
    await waitFor(() => services.probes.results(probe.id, { limit: 1 }).length === 1, 15_000, 'the probe never ran');
    const run = services.runbooks.startRun({ runbookId: 'healthcheck', targetId: target.id, inputs: {}, dryRun: false, whenLocked: 'queue' }, 'app');
    await waitFor(() => ['succeeded', 'failed'].includes(services.runbooks.store.getRun(run.id).status), 30_000, 'the run never ended');

    const done = await services.bundles.exportSettled(services.bundles.startExport({ targetId: target.id, window: { mode: 'last', minutes: 10 } }).exportId);
    expect(done.state, done.message).toBe('done');
    const files = await unpackBundle(join(services.bundles.folder, done.bundle!.id));
    const probes = JSON.parse(files.get('probes.json')!.toString()) as { probes: { probe: { id: string }; results: { id: number; artifacts: { id: string }[] }[] }[] };
    const mine = probes.probes.find((entry) => entry.probe.id === probe.id)!;
    expect(mine.results).toHaveLength(1);
    expect(mine.results[0]!.artifacts.length).toBeGreaterThan(0);
    for (const artifact of mine.results[0]!.artifacts) expect(files.has(`probes/artifacts/${mine.results[0]!.id}-${artifact.id}`)).toBe(true);

    const detail = JSON.parse(files.get(`runs/${run.id}/run.json`)!.toString()) as { run: { id: string; runbookId: string } };
    expect(detail.run).toMatchObject({ id: run.id, runbookId: 'healthcheck' });
    const events = files.get(`runs/${run.id}/events.ndjson`)!.toString().trim().split('\n').map((line) => JSON.parse(line) as { seq: number });
    expect(events.map((event) => event.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.length).toBe(services.runbooks.store.getRun(run.id).lastSeq);

    // A run over its cap keeps what fits and says so.
    const capped = await services.bundles.exportSettled(
      services.bundles.startExport({ targetId: target.id, window: { mode: 'last', minutes: 10 }, exclude: ['logs', 'agent-bundle'], limits: { runBytes: 1024 } }).exportId,
    );
    const cappedManifest = manifestOf(await unpackBundle(join(services.bundles.folder, capped.bundle!.id)));
    expect(cappedManifest.cut).toContainEqual(expect.objectContaining({ file: `runs/${run.id}/events.ndjson`, reason: 'Over the cap of 1024 bytes per run: the first events are kept.' }));
  }, 60_000);

  it('windows "around" a time and refuses one that is not a time', async () => {
    const estimate = await services.bundles.estimate({ targetId: target.id, window: { mode: 'around', at: new Date(seededAt - 30 * 60_000).toISOString(), minutes: 5 } });
    expect(estimate.sections.find((s) => s.id === 'logs')?.lines).toBe(11);
    expect(estimate.window.description).toMatch(/^5 minutes either side of /);
    await expect(services.bundles.estimate({ targetId: target.id, window: { mode: 'around', at: 'teatime', minutes: 5 } })).rejects.toThrow(/"teatime" is not a time/);
  });
});
