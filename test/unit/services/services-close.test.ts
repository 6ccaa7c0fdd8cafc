/**
 * createServices on a fake clock: with a follow polling an ops API, its events link open, a
 * Docker connection waiting to retry and the log cache's trim scheduled, `close()` leaves no
 * timer on the clock, no listener on the targets, no socket at the server and the database
 * closed — the services are disposed newest first, so one registered last still sees the
 * database open.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createServices, type Services } from '../../../main/services';
import { MemoryCredentialBackend } from '../../../main/services/credentials/credential-backend';
import type { LogFollowEvent } from '../../../shared/model/logs';
import { FakeClock } from '../../support/fake-clock';
import { waitFor } from '../../support/keyring';

const POLL_MS = 2_000;

let dir: string;
let server: Server;
let wss: WebSocketServer;
let base: string;
let clock: FakeClock;
let services: Services | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cr-services-close-'));
  clock = new FakeClock();
  // A stand-in ops API: one log line for any service, and an events stream that stays quiet.
  server = createServer((req, res) => {
    const { pathname } = new URL(req.url!, 'http://x');
    if (pathname !== '/api/ops/logs') return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        service: 'api',
        entries: [{ ts: new Date(clock.now() - 1_000).toISOString(), service: 'api', stream: 'stdout', level: null, message: 'hello' }],
      }),
    );
  });
  wss = new WebSocketServer({ server, path: '/api/ops/events' });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  services?.close();
  for (const ws of wss.clients) ws.terminate();
  wss.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('createServices: close()', () => {
  it('registers the background services in creation order', () => {
    services = createServices({ dataDir: dir, credentials: new MemoryCredentialBackend(), clock });
    // In creation order; services added later (alerts, channels) come after these.
    const names = services.lifecycle.names;
    expect(names.slice(0, 7)).toEqual(['database', 'ops API', 'connections', 'overview', 'log cache', 'logs', 'probes']);
    // Started: the five that follow target edits listen (ops API links, connections, logs, host
    // probes, the secret mask); the cache trim (1 min) and the probe store's prune (1 h) are among the timers.
    expect(services.targets.listenerCount).toBe(5);
    expect(clock.pendingDelays).toEqual(expect.arrayContaining([60_000, 3_600_000]));
  });

  it('leaves no timer, listener, socket or open database behind, disposing newest first', async () => {
    const s = createServices({
      dataDir: dir,
      credentials: new MemoryCredentialBackend(),
      clock,
      logs: { opsPollMs: POLL_MS },
      connections: { backoff: { initialMs: 5_000, maxMs: 5_000, random: () => 1 } },
    });
    services = s;
    const ops = await s.targets.create({ name: 'shop', environment: 'staging', kind: 'ops-api', settings: { baseUrl: base } });
    const docker = await s.targets.create({
      name: 'nowhere',
      environment: 'dev',
      kind: 'docker-local',
      settings: { socketPath: join(dir, 'no-docker.sock') },
    });

    // A follow that polls (and writes lines to the cache), with the target's events link open.
    const events: LogFollowEvent[] = [];
    s.logs.follow({ targetId: ops.id, sources: ['service:api'], tail: 10 }, (event) => events.push(event));
    await waitFor(() => wss.clients.size === 1, 5_000, 'the events link opened');
    await clock.nextTimer((ms) => ms === POLL_MS);
    // A Docker connection that cannot connect waits for its retry.
    s.connections.connection(docker.id);
    await waitFor(() => s.connections.state(docker.id).status === 'reconnecting', 5_000, 'the connection failed once');
    // The follower's batch, the cache's flush, the next poll, the retry and the trim, beside the
    // timers of the services that only keep time (probe store, alerts).
    expect(clock.pendingDelays).toEqual(expect.arrayContaining([16, 250, POLL_MS, 5_000, 60_000, 3_600_000]));
    expect(s.opsApi.linkCount).toBe(1);
    expect(s.logs.followCount).toBe(1);

    // What registers after the others (a probe scheduler, say) is disposed first.
    let databaseOpenAtDispose: boolean | undefined;
    s.lifecycle.add('probe', { dispose: () => (databaseOpenAtDispose = s.db.open) });

    s.close();
    expect(databaseOpenAtDispose).toBe(true);
    expect(clock.pending).toBe(0);
    expect(s.targets.listenerCount).toBe(0);
    expect(s.opsApi.linkCount).toBe(0);
    expect(s.logs.followCount).toBe(0);
    expect(s.connections.states()).toEqual([]);
    expect(s.db.open).toBe(false);
    await waitFor(() => wss.clients.size === 0, 5_000, 'the server saw the events socket close');
    // Nothing fires later either: the clock has nothing left to run.
    expect(clock.advance(24 * 3_600_000)).toBe(0);
    services = undefined;
  });
});
