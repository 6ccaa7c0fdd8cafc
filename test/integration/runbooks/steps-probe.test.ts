/**
 * The probe step (and `wait until: probe-ok`) with the app's real probes service on a temporary
 * data directory, its http probes checking a real HTTP server on loopback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import { StepFailure } from '../../../main/services/runbooks/step-kind';
import { probeStep } from '../../../main/services/runbooks/steps/probe-step';
import { waitStep } from '../../../main/services/runbooks/steps/wait-step';
import { AbortedError } from '../../../node/abort';
import type { ProbeDraftInput } from '../../../shared/model/probe';
import { ProbeStepParams, WaitStepParams } from '../../../shared/model/runbook-steps';
import { startKeyring, waitFor, type Keyring } from '../../support/keyring';
import { stepContext } from './steps-docker-harness';

let keyring: Keyring;
let server: Server;
let base: string;
let services: Services;
let dataDir: string;
/** What /health answers next: a queue of statuses, then `healthDefault`. */
let healthQueue: number[] = [];
let healthDefault = 200;
const hanging: ServerResponse[] = [];

function route(req: IncomingMessage, res: ServerResponse) {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/hang') return void hanging.push(res);
  const status = path === '/health' ? (healthQueue.shift() ?? healthDefault) : path === '/ok' ? 200 : 404;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: status === 200 ? 'UP' : 'DOWN' }));
}

function httpProbe(name: string, path: string, scope: string, timeoutSeconds = 10): ProbeDraftInput {
  return {
    name,
    scope,
    kind: 'http',
    settings: { url: `${base}${path}` },
    conditions: [{ expression: '[STATUS] == 200', severity: 'fail' }],
    intervalSeconds: 3600,
    timeoutSeconds,
    retries: 0,
  } as ProbeDraftInput;
}

beforeAll(async () => {
  keyring = await startKeyring();
  keyring.useInThisProcess();
  server = createServer(route);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dataDir = mkdtempSync(join(tmpdir(), 'cr-probe-step-'));
  // No background runs: every result in these tests comes from a step asking for it.
  services = createServices({ dataDir, credentials: new KeytarBackend(`control-room-test-${process.pid}`), probes: { background: false } });
  await services.probes.create(httpProbe('shop health', '/health', 'shop'));
  await services.probes.create(httpProbe('shop home', '/ok', 'shop'));
  await services.probes.create(httpProbe('slow api', '/hang', 'slow', 600));
}, 60_000);

afterAll(async () => {
  for (const res of hanging.splice(0)) res.destroy();
  services?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await keyring?.stop();
});

describe('probe step', () => {
  it('runs a probe by name now, waits for its result, and records it as a fact', async () => {
    healthDefault = 200;
    const before = services.probes.results(services.probes.list().find((s) => s.probe.name === 'shop health')!.probe.id, {}).length;
    const step = stepContext(services, null);
    const outcome = await probeStep.run(ProbeStepParams.parse({ probe: 'shop health' }), step.context);
    expect(outcome.outputs).toEqual({ ok: true, count: 1, failing: [], results: [{ name: 'shop health', status: 'ok', message: 'ok' }] });
    expect(outcome.message).toBe('1 of 1 probes ok');
    expect(step.facts).toEqual([{ key: 'probe:shop health', label: 'Probe shop health', value: 'ok' }]);
    const id = services.probes.list().find((s) => s.probe.name === 'shop health')!.probe.id;
    expect(services.probes.results(id, {})).toHaveLength(before + 1);
  });

  it('fails when a probe is not ok, with its status and message, and keeps the results', async () => {
    healthDefault = 503;
    const step = stepContext(services, null);
    const error = await probeStep.run(ProbeStepParams.parse({ scope: 'shop' }), step.context).catch((e: unknown) => e);
    healthDefault = 200;
    expect(error).toBeInstanceOf(StepFailure);
    expect((error as Error).message).toMatch(/^1 of 2 probes are not ok: shop health \(fail: .+\)\.$/);
    expect((error as StepFailure).outputs).toMatchObject({ ok: false, count: 2, failing: ['shop health'] });
    expect(step.facts.map((f) => `${f.key}=${f.value}`).sort()).toEqual(['probe:shop health=fail', 'probe:shop home=ok']);
  });

  it('only records with require: any', async () => {
    healthDefault = 503;
    const outcome = await probeStep.run(ProbeStepParams.parse({ probe: 'shop health', require: 'any' }), stepContext(services, null).context);
    healthDefault = 200;
    expect(outcome.outputs).toMatchObject({ ok: false, failing: ['shop health'] });
  });

  it('says so in one sentence when no probe has that name', async () => {
    await expect(probeStep.run(ProbeStepParams.parse({ probe: 'nope' }), stepContext(services, null).context)).rejects.toThrow(
      'There is no probe named nope — check the name on the Integrations page.',
    );
  });

  it('stops waiting at once when cancelled', async () => {
    const step = stepContext(services, null);
    const running = probeStep.run(ProbeStepParams.parse({ probe: 'slow api' }), step.context).catch((e: unknown) => e);
    await waitFor(() => hanging.length > 0, 10_000, 'the probe never reached the server');
    step.abort.abort(new AbortedError('The run was cancelled.'));
    expect(await running).toBeInstanceOf(AbortedError);
  });
});

describe('wait until probe-ok', () => {
  it('runs the probe every interval until it is ok', async () => {
    healthQueue = [503, 503];
    const step = stepContext(services, null);
    const outcome = await waitStep.run(WaitStepParams.parse({ until: 'probe-ok', probe: 'shop health', interval: '100ms', timeout: '20s' }), step.context);
    expect(outcome.outputs).toMatchObject({ last: 'ok' });
    expect(step.logs.filter((l) => l.message.startsWith('Not yet (fail'))).toHaveLength(2);
  });
});
