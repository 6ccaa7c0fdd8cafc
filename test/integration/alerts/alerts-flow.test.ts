/**
 * An alert from a probe's failure to a webhook's body, as the app runs it: createServices over a
 * temp data directory (real SQLite store), the real keychain holding the channel's URL, a real
 * http probe against one local server and the real webhook channel POSTing to a second one, and
 * a fake clock for everything timed (schedules, cooldowns, alerting's tick).
 *
 * Runs make real HTTP requests, so each run's end is waited for (polling what the service
 * stores), while time itself only moves when the test moves it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServices, type Services } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import { ChannelDraft } from '../../../shared/model/channels';
import type { ProbeDraftInput } from '../../../shared/model/probe';
import { FakeClock } from '../../support/fake-clock';
import { startKeyring, waitFor, type Keyring } from '../../support/keyring';

const SERVICE = `control-room-test-${randomUUID()}`;
const MINUTE = 60_000;

let keyring: Keyring;
/** The service the probe checks: 503 until `healthy`. */
let service: Server;
let healthy = false;
/** The webhook's receiver: every body it was sent, in order. */
let receiver: Server;
const bodies: Record<string, unknown>[] = [];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server | undefined): Promise<void> {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
}

beforeAll(async () => {
  keyring = await startKeyring();
  keyring.useInThisProcess();
  service = createServer((_req: IncomingMessage, res: ServerResponse) => {
    res
      .writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: healthy ? 'UP' : 'DOWN' }));
  });
  receiver = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(text) as Record<string, unknown>);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
}, 30_000);

afterAll(async () => {
  await close(service);
  await close(receiver);
  await keyring?.stop();
});

it('three failures send one alert body, two successes one resolved body, and the history keeps both with their deliveries', async () => {
  const serviceUrl = await listen(service);
  const receiverUrl = await listen(receiver);
  const clock = new FakeClock();
  const dataDir = mkdtempSync(join(tmpdir(), 'cr-alerts-flow-'));
  let services: Services | undefined;
  try {
    // Only the runs the test asks for: a failing probe's scheduled retry could otherwise land
    // inside the six minutes the clock is moved and be counted as one of them.
    services = createServices({ dataDir, credentials: new KeytarBackend(SERVICE), clock, probes: { background: false } });
    const app = services;
    const channel = await app.channels.create(
      ChannelDraft.parse({
        name: 'Ops webhook',
        kind: 'webhook',
        settings: {},
        secrets: { url: `${receiverUrl}/hooks/ops` },
      }),
    );
    const draft: ProbeDraftInput = {
      name: 'Shop health',
      scope: 'web',
      kind: 'http',
      settings: { url: `${serviceUrl}/health` },
      conditions: [{ expression: '[STATUS] == 200', severity: 'fail' }],
      // Runs come only when asked: time moves past the cooldown without a scheduled run.
      intervalSeconds: 3600,
      timeoutSeconds: 30,
      retries: 0,
    };
    const probe = await app.probes.create(draft);

    /** Runs the probe once, waits for its result to be stored and for the deliveries it caused. */
    let runs = 0;
    const run = async () => {
      app.probes.runNow({ probeId: probe.id }, 'manual');
      runs++;
      await waitFor(
        () => app.probes.results(probe.id, {}).length >= runs,
        10_000,
        `run ${runs} of the probe was not stored`,
      );
      await app.alerts.settled();
    };

    await run();
    await run();
    expect(bodies).toHaveLength(0);
    await run();
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({
      version: 1,
      source: 'control-room',
      kind: 'alert',
      probe: { id: probe.id, name: 'Shop health', scope: 'web' },
      status: 'fail',
      summary: 'Shop health is failing',
      failedConditions: [{ expression: '[STATUS] == 200', observed: '503' }],
      target: null,
    });
    // A fourth failure is what it was already told.
    await run();
    expect(bodies).toHaveLength(1);

    // Past the 5-minute cooldown, so the recovery is told as soon as it is sure.
    await clock.advanceAsync(6 * MINUTE);
    healthy = true;
    await run();
    expect(bodies).toHaveLength(1);
    await run();
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toMatchObject({
      kind: 'resolved',
      probe: { id: probe.id },
      status: 'ok',
      summary: 'Shop health has recovered',
      failedConditions: [],
    });

    const history = app.alerts.history({ probeId: probe.id });
    const delivery = {
      channelId: channel.id,
      channelName: 'Ops webhook',
      ok: true,
      attempts: 1,
      error: null,
      status: 200,
    };
    expect(history).toEqual([
      expect.objectContaining({
        kind: 'resolved',
        decision: 'sent',
        reason: '2 successes in a row',
        delivering: false,
        deliveries: [delivery],
      }),
      expect.objectContaining({
        kind: 'alert',
        decision: 'sent',
        reason: '3 failures in a row (alerting after 3)',
        delivering: false,
        deliveries: [delivery],
      }),
    ]);
  } finally {
    services?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
