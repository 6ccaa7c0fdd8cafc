/**
 * The probe step on a host probe: an ops-API target's REAL agent runs the probe (against a real
 * local HTTP server) when the step asks, and the step waits until the result is copied here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../main/services';
import { MemoryCredentialBackend } from '../../../main/services/credentials/credential-backend';
import { StepFailure } from '../../../main/services/runbooks/step-kind';
import { probeStep } from '../../../main/services/runbooks/steps/probe-step';
import { ProbeStepParams } from '../../../shared/model/runbook-steps';
import { waitFor } from '../../support/keyring';
import { startAgentFixture, type AgentFixture } from '../agent/agent-fixture';
import { stepContext } from './steps-docker-harness';

let server: Server;
let agent: AgentFixture | null;
let dataDir: string;
let services: Services;
let status = 200;
let hits = 0;

beforeAll(async () => {
  server = createServer((_request, response) => {
    hits++;
    response.statusCode = status;
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  agent = await startAgentFixture({
    config: () => ({
      probes: [
        {
          id: 'shop-health',
          name: 'Shop health (host)',
          scope: 'shop',
          kind: 'http',
          intervalSeconds: 3600,
          retries: 0,
          settings: { url: `${base}/health` },
          conditions: [{ expression: '[STATUS] == 200', severity: 'fail' }],
        },
      ],
    }),
  });
  dataDir = mkdtempSync(join(tmpdir(), 'cr-probe-step-host-'));
  // Polls are left to the step: it reads the target again while it waits.
  services = createServices({ dataDir, credentials: new MemoryCredentialBackend(), hostProbes: { pollMs: 3_600_000 } });
  await services.targets.create({ name: 'shop-prod', environment: 'prod', kind: 'ops-api', settings: { baseUrl: agent.url }, secrets: { apiToken: agent.admin } });
  await waitFor(() => services.probes.list().some((s) => s.probe.name === 'Shop health (host)'), 15_000, 'the host probe was never listed');
}, 60_000);

afterAll(async () => {
  services?.close();
  await agent?.stop();
  await new Promise((resolve) => server?.close(resolve));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('probe step on a host probe', () => {
  it('asks the agent to run it and waits for the copied result', async () => {
    status = 200;
    const before = hits;
    const step = stepContext(services, null);
    const outcome = await probeStep.run(ProbeStepParams.parse({ probe: 'Shop health (host)' }), step.context);
    expect(outcome.outputs).toMatchObject({ ok: true, count: 1, results: [{ name: 'Shop health (host)', status: 'ok' }] });
    expect(hits).toBeGreaterThan(before);
    expect(step.facts).toEqual([{ key: 'probe:Shop health (host)', label: 'Probe Shop health (host)', value: 'ok' }]);
  });

  it('fails when the host’s run fails', async () => {
    status = 503;
    const error = await probeStep.run(ProbeStepParams.parse({ probe: 'Shop health (host)' }), stepContext(services, null).context).catch((e: unknown) => e);
    status = 200;
    expect(error).toBeInstanceOf(StepFailure);
    expect((error as Error).message).toMatch(/^1 of 1 probe is not ok: Shop health \(host\) \(fail: .+\)\.$/);
  });
});
