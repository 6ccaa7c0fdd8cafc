/**
 * Host probes in the app: an ops-API target whose REAL agent runs probes of its own (against a
 * real local HTTP server) shows them beside the local ones, through the real OpsApiClient. Their
 * results are copied into the app's own store — on a poll, and at once on the agent's `probe`
 * events while the target is watched — so after the agent is stopped (and after the app
 * restarts) they are still listed and their history and artifacts still read.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../../main/api';
import { createServices, type Services } from '../../../main/services';
import { MemoryCredentialBackend } from '../../../main/services/credentials/credential-backend';
import { hostProbeId } from '../../../main/services/probes/host-probes';
import type { ProbeSummary } from '../../../shared/model/probe';
import { waitFor } from '../../support/keyring';
import { startAgentFixture, type AgentFixture } from '../agent/agent-fixture';

let server: Server;
let base: string;
let agent: AgentFixture | null;
let dataDir: string;
let credentials: MemoryCredentialBackend;
let services: Services;
let targetId: string;
let hostId: string;
let localId: string;
let hits = 0;

const start = () => createServices({ dataDir, credentials, hostProbes: { pollMs: 3_600_000 } });

beforeAll(async () => {
  server = createServer((_request, response) => {
    hits++;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ status: 'UP', hit: hits }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  agent = await startAgentFixture({
    config: () => ({
      probes: [
        {
          id: 'shop-health',
          name: 'Shop health (host)',
          scope: 'shop',
          check: 'shop.health',
          kind: 'http',
          cheap: true,
          retries: 0,
          settings: { url: `${base}/health` },
          conditions: [{ expression: '[STATUS] == 200', severity: 'fail' }],
        },
      ],
    }),
  });
  await waitFor(async () => ((await (await agent!.get('/api/ops/probes')).json()) as { probes: { lastResult: unknown }[] }).probes[0]!.lastResult !== null, 15_000, 'the agent ran its probe');
  dataDir = mkdtempSync(join(tmpdir(), 'cr-host-probes-'));
  credentials = new MemoryCredentialBackend();
  services = start();
  const local = await services.probes.create({ name: 'Shop health', scope: 'shop', check: 'shop.health', kind: 'http', settings: { url: `${base}/health` }, paused: true });
  localId = local.id;
  const target = await services.targets.create({ name: 'shop-prod', environment: 'prod', kind: 'ops-api', settings: { baseUrl: agent.url }, secrets: { apiToken: agent.read } });
  targetId = target.id;
  hostId = hostProbeId(targetId, 'shop-health');
}, 60_000);

afterAll(async () => {
  services?.close();
  await agent?.stop();
  await new Promise((resolve) => server?.close(resolve));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const row = (id: string): ProbeSummary | undefined => services.probes.list().find((s) => s.probe.id === id);

describe('host probes beside the local ones', () => {
  it('reads an ops-API target added while the app runs at once, not at the next poll (an hour away here)', async () => {
    await waitFor(() => row(hostId) !== undefined, 15_000, 'the new target was read');
  });

  it('lists the agent probe with its origin, its counterpart and its results copied into the app', async () => {
    await services.hostProbes.syncAll();
    const host = row(hostId)!;
    expect(host).toBeDefined();
    expect(host.origin).toEqual({ kind: 'host', targetId, targetName: 'shop-prod', host: new URL(agent!.url).host });
    expect(host.probe).toMatchObject({ name: 'Shop health (host)', kind: 'http', check: 'shop.health' });
    expect(host.status).toBe('ok');
    expect(host.counterpart).toBe(localId);
    const local = row(localId)!;
    expect(local.origin).toEqual({ kind: 'local' });
    expect(local.counterpart).toBe(hostId);

    const results = services.probes.results(hostId, {});
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ probeId: hostId, status: 'ok', trigger: 'auto_boot' });
    const artifact = await services.probes.readArtifact({ resultId: results[0]!.id, artifactId: results[0]!.artifacts[0]!.id });
    expect(Buffer.from(artifact.base64, 'base64').toString()).toContain('"status":"UP"');
    // Alerting's marks are this app's own, for host rows as for local ones.
    const window = services.alerts.addMaintenance({ subject: { kind: 'scope', scope: 'shop' }, window: { kind: 'now', durationMinutes: 60 } });
    expect(row(hostId)?.maintenance).toBe(true);
    services.alerts.endMaintenance(window.id);
    expect(row(hostId)?.maintenance).toBe(false);
    // A second sync copies nothing twice.
    await services.hostProbes.syncAll();
    expect(services.probes.results(hostId, {})).toHaveLength(1);
  });

  it('copies a new host result at once on the agent probe event while the target is watched', async () => {
    const off = services.opsApi.watchEvents(targetId, () => undefined);
    try {
      await waitFor(() => services.opsApi.state(targetId).status === 'connected', 10_000, 'the events link connected');
      const run = await fetch(`${agent!.url}/api/ops/probes/run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agent!.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ probeId: 'shop-health' }),
      });
      expect(run.status).toBe(200);
      await waitFor(() => services.probes.results(hostId, {}).length === 2, 15_000, 'the manual run was copied');
      expect(services.probes.results(hostId, {})[0]).toMatchObject({ trigger: 'manual', status: 'ok' });
    } finally {
      off();
    }
  });

  it('runs a host probe on its agent from "Run now": a read-only token is refused with a sentence, an admin token runs it', async () => {
    const api = createApi(services, { version: 'test', mode: 'browser' });
    const refused = await api.invoke('probes:run', { probeId: hostId });
    expect(refused).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(JSON.stringify(refused)).toContain('admin scope');

    const target = services.targets.get(targetId);
    await services.targets.update(targetId, {
      name: target.name,
      environment: target.environment,
      kind: 'ops-api',
      settings: { baseUrl: agent!.url },
      secrets: { apiToken: agent!.admin },
    });
    expect(await api.invoke('probes:run', { probeId: hostId })).toEqual({ ok: true, value: { started: 1 } });
    await waitFor(
      async () => {
        await services.hostProbes.syncAll();
        return services.probes.results(hostId, {}).length === 3;
      },
      15_000,
      'the run on the host was copied',
    );
  });

  it('keeps the host probe listed, its history and artifacts readable, after the agent stops and the app restarts', async () => {
    await agent!.stop();
    agent = null;
    await services.hostProbes.syncAll();
    expect(row(hostId)).toMatchObject({ origin: { kind: 'host' }, status: 'ok' });
    expect(services.probes.results(hostId, {})).toHaveLength(3);

    services.close();
    services = start();
    await services.hostProbes.syncAll();
    const host = row(hostId)!;
    expect(host).toMatchObject({ origin: { kind: 'host', targetName: 'shop-prod' }, counterpart: localId });
    expect(host.lastResult).toMatchObject({ trigger: 'manual' });
    const results = services.probes.results(hostId, {});
    expect(results).toHaveLength(3);
    const history = services.probes.history(hostId, '1h');
    expect(history.buckets.reduce((n, b) => n + b.ok, 0)).toBe(3);
    expect(history.uptime).toBe(1);
    const artifact = await services.probes.readArtifact({ resultId: results[0]!.id, artifactId: results[0]!.artifacts[0]!.id });
    expect(Buffer.from(artifact.base64, 'base64').toString()).toContain('"status":"UP"');
  });
});
