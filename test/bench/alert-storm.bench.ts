/**
 * alert-storm: 500 probes failing at once, all depending on one parent probe that fails with
 * them, and one webhook channel (a real HTTP server on loopback receiving the POSTs). Runs the
 * app's own services (real probes service, tcp kind against a closed port, SQLite store,
 * AlertsService) for three rounds, so every probe passes the 3-failure threshold.
 *
 * Reports deliveries made (goal: 1, the parent's; the 500 dependants held), the time from the
 * parent's alert decision (as its third failure is recorded) to the webhook receiving it, and
 * main's event-loop delay p99 during the storm (perf_hooks.monitorEventLoopDelay).
 *
 * The channel is a real webhook channel of the app's ChannelsService (its URL in the credential
 * backend), POSTing its generic JSON body to the local server.
 *
 * Last line: `alert-storm ratio=<expected deliveries / actual deliveries> goal=1`.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createServices } from '../../main/services';
import { MemoryCredentialBackend } from '../../main/services/credentials/credential-backend';
import type { AlertMessage } from '../../shared/model/alert-message';
import { ChannelDraft } from '../../shared/model/channels';

const PROBES = Number(process.env.BENCH_PROBES ?? 500);
const ROUNDS = 3;

async function main(): Promise<void> {
  const received: { at: number; message: AlertMessage }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        at: performance.now(),
        message: JSON.parse(Buffer.concat(chunks).toString('utf8')) as AlertMessage,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  // A port nothing listens on: every tcp probe fails at once with "refused".
  const closed = await new Promise<number>((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

  const dataDir = mkdtempSync(join(tmpdir(), 'alert-storm-'));
  const services = createServices({ dataDir, credentials: new MemoryCredentialBackend() });
  try {
    await services.channels.create(
      ChannelDraft.parse({
        name: 'Local webhook',
        kind: 'webhook',
        settings: {},
        secrets: { url: `http://127.0.0.1:${port}/hook` },
      }),
    );
    const base = {
      kind: 'tcp' as const,
      settings: { host: '127.0.0.1', port: closed },
      retries: 0,
      timeoutSeconds: 5,
      intervalSeconds: 3600,
    };
    const parent = await services.probes.create({ ...base, name: 'network reachable', scope: 'network' });
    for (let i = 0; i < PROBES; i++) await services.probes.create({ ...base, name: `api ${i}`, scope: 'apis' });
    services.alerts.setDependency({ kind: 'scope', scope: 'apis' }, { kind: 'probe', probeId: parent.id });

    let parentDecidedAt: number | null = null;
    services.alerts.onDecided((d) => {
      if (d.probeId === parent.id && d.decision === 'sent' && d.delivering) parentDecidedAt = performance.now();
    });
    let results = 0;
    services.probes.onUpdate((u) => {
      if (u.type === 'summary' && !u.summary.running && u.summary.lastResult) results++;
    });

    // Alerting's own share of main's time: each result as the probes service hands it over.
    const alerts = services.alerts;
    const onResult = alerts.onResult.bind(alerts);
    let alertingMs = 0;
    alerts.onResult = (probe, result) => {
      const t = performance.now();
      onResult(probe, result);
      alertingMs += performance.now() - t;
    };

    // The same process idle for a second first: on a shared machine the OS alone delays the loop
    // by tens of ms (other processes' turns on the cores), a floor no code of ours can go under.
    const idle = monitorEventLoopDelay({ resolution: 10 });
    idle.enable();
    await new Promise((r) => setTimeout(r, 1000));
    idle.disable();

    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let round = 1; round <= ROUNDS; round++) {
      services.probes.runNow({}, 'manual');
      while (results < round * (PROBES + 1)) await new Promise((r) => setTimeout(r, 5));
    }
    await services.alerts.settled();
    loop.disable();
    const elapsed = performance.now() - started;
    const cpuUs = process.cpuUsage(cpu);

    const history = services.alerts.history({ limit: 1000 });
    const held = history.filter((d) => d.decision === 'held').length;
    const parentDelivery = received.find((r) => r.message.probe?.id === parent.id);
    const latency = parentDelivery && parentDecidedAt !== null ? parentDelivery.at - parentDecidedAt : null;
    console.log(
      `probes: ${PROBES} dependants + 1 parent, ${ROUNDS} rounds, ${results} results in ${(elapsed / 1000).toFixed(1)} s`,
    );
    console.log(`deliveries: ${received.length} (goal 1: the parent's), held decisions: ${held}`);
    console.log(`parent alert decision → webhook received: ${latency === null ? 'never' : `${latency.toFixed(1)} ms`}`);
    console.log(
      `event-loop delay during the storm: p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms (idle for 1 s before it: p99 ${(idle.percentile(99) / 1e6).toFixed(1)} ms)`,
    );
    console.log(
      `main's CPU per result: ${((cpuUs.user + cpuUs.system) / results).toFixed(0)} µs; alerting's share (onResult): ${alertingMs.toFixed(0)} ms in all, ${((alertingMs * 1000) / results).toFixed(0)} µs per result`,
    );
    console.log(
      `machine load average (1 min) at the end: ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`,
    );
    const ratio = received.length ? 1 / received.length : 0;
    console.log(`alert-storm ratio=${ratio.toFixed(3)} goal=1`);
    process.exitCode = ratio >= 1 ? 0 : 1;
  } finally {
    services.close();
    server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
