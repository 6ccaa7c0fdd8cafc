/**
 * OpsApiService's shared events links across target edits, against real WebSocket servers, a
 * real SQLite file and real targets: an unrelated edit leaves a link alone (and its unsubscribe
 * still ends it), an edited address or token renews it with the same listeners, a rename does
 * not, a deleted target's link stops, and dispose leaves no socket open.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { MemoryCredentialBackend } from '../../../main/services/credentials/credential-backend';
import { OpsApiService } from '../../../main/services/ops-api/ops-api-service';
import { DATABASE_FILE, openDatabase, type Db } from '../../../main/services/store/database';
import { TargetsService } from '../../../main/services/targets/targets-service';
import type { OpsEvent } from '../../../shared/model/ops';
import type { Target } from '../../../shared/model/target';
import { waitFor } from '../../support/keyring';

/** A stand-in ops API that only serves `/api/ops/events`, counting the sockets it is given. */
class EventsServer {
  readonly open = new Set<WebSocket>();
  /** The Authorization header of every socket ever opened, in order. */
  readonly opened: string[] = [];
  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  static async start(): Promise<EventsServer> {
    const server = createServer((_req, res) => res.writeHead(404).end());
    const wss = new WebSocketServer({ server, path: '/api/ops/events' });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const events = new EventsServer(server, wss, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    wss.on('connection', (ws, req) => {
      events.open.add(ws);
      events.opened.push(req.headers.authorization ?? '');
      ws.on('close', () => events.open.delete(ws));
    });
    return events;
  }

  push(event: OpsEvent): void {
    for (const ws of this.open) ws.send(JSON.stringify(event));
  }

  async stop(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const event = (service: string): OpsEvent => ({
  type: 'container',
  at: '2024-05-01T10:00:00.000Z',
  action: 'start',
  container: `shop-${service}-1`,
  service,
});

let dir: string;
let db: Db;
let targets: TargetsService;
let opsApi: OpsApiService;
let one: EventsServer;
let two: EventsServer;
let a: Target;
let b: Target;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cr-ops-service-'));
  db = openDatabase(join(dir, DATABASE_FILE));
  targets = new TargetsService(db, new MemoryCredentialBackend());
  opsApi = new OpsApiService(targets, { backoff: { initialMs: 50, maxMs: 100 } });
  opsApi.start();
  [one, two] = await Promise.all([EventsServer.start(), EventsServer.start()]);
  a = await targets.create({ name: 'a', environment: 'staging', kind: 'ops-api', settings: { baseUrl: one.url }, secrets: { apiToken: 'token-a' } });
  b = await targets.create({ name: 'b', environment: 'staging', kind: 'ops-api', settings: { baseUrl: one.url }, secrets: { apiToken: 'token-b' } });
});

afterEach(async () => {
  opsApi.dispose();
  await Promise.all([one.stop(), two.stop()]);
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Subscribes a listener that records the services of the events it gets. */
function watch(targetId: string) {
  const got: string[] = [];
  const off = opsApi.watchEvents(targetId, (e) => got.push(e.type === 'container' ? e.service ?? '' : e.type));
  return { got, off };
}

const connected = (targetId: string) => waitFor(() => opsApi.state(targetId).status === 'connected', 5_000, 'the events link connected');

describe('OpsApiService events links across target edits', () => {
  it('leaves a link alone when another target is edited, and its unsubscribe still ends it', async () => {
    const w = watch(a.id);
    await connected(a.id);
    await targets.update(b.id, { name: 'b renamed', environment: 'prod', kind: 'ops-api', settings: { baseUrl: two.url } });
    one.push(event('api'));
    await waitFor(() => w.got.length === 1, 5_000, 'the listener got the event');
    // The same socket as before: nothing was reopened.
    expect(one.opened).toHaveLength(1);
    expect(one.open.size).toBe(1);

    w.off();
    await waitFor(() => one.open.size === 0, 5_000, 'the server saw the socket close');
    expect(opsApi.linkCount).toBe(0);
    expect(opsApi.state(a.id)).toEqual({ status: 'idle' });
    one.push(event('late'));
    expect(w.got).toEqual(['api']);
  });

  it('renews an edited address with the same listeners; unsubscribing them all afterwards ends it', async () => {
    const first = watch(a.id);
    const second = watch(a.id);
    await connected(a.id);
    expect(one.opened).toHaveLength(1); // shared

    await targets.update(a.id, { name: 'a', environment: 'staging', kind: 'ops-api', settings: { baseUrl: two.url } });
    await waitFor(() => two.open.size === 1 && one.open.size === 0, 5_000, 'the link moved to the new address');
    await connected(a.id);
    two.push(event('api'));
    await waitFor(() => first.got.length === 1 && second.got.length === 1, 5_000, 'both listeners got the event');

    first.off();
    two.push(event('web'));
    await waitFor(() => second.got.length === 2, 5_000, 'the remaining listener got the next event');
    expect(first.got).toEqual(['api']);
    expect(two.open.size).toBe(1);

    second.off();
    await waitFor(() => two.open.size === 0, 5_000, 'the renewed socket closed');
    expect(opsApi.linkCount).toBe(0);
    expect(two.opened).toHaveLength(1);
  });

  it('renews a link when only its token changes, not when only its name does', async () => {
    const w = watch(a.id);
    await connected(a.id);
    expect(one.opened).toEqual(['Bearer token-a']);

    await targets.update(a.id, { name: 'a renamed', environment: 'staging', kind: 'ops-api', settings: { baseUrl: one.url } });
    await targets.update(a.id, {
      name: 'a renamed',
      environment: 'staging',
      kind: 'ops-api',
      settings: { baseUrl: one.url },
      secrets: { apiToken: 'token-a2' },
    });
    await waitFor(() => one.opened.length === 2 && one.open.size === 1, 5_000, 'the link reopened with the new token');
    expect(one.opened).toEqual(['Bearer token-a', 'Bearer token-a2']);
    await connected(a.id);
    one.push(event('api'));
    await waitFor(() => w.got.length === 1, 5_000, 'the listener got the event on the renewed link');
    w.off();
    await waitFor(() => one.open.size === 0, 5_000, 'the socket closed');
  });

  it('stops a deleted target\'s link, and its unsubscribe is then a no-op', async () => {
    const w = watch(a.id);
    await connected(a.id);
    await targets.delete(a.id);
    await waitFor(() => one.open.size === 0, 5_000, 'the deleted target\'s socket closed');
    expect(opsApi.linkCount).toBe(0);
    expect(opsApi.state(a.id)).toEqual({ status: 'idle' });
    expect(() => w.off()).not.toThrow();
  });

  it('closes every link and stops listening to targets when disposed', async () => {
    watch(a.id);
    watch(b.id);
    await Promise.all([connected(a.id), connected(b.id)]);
    expect(targets.listenerCount).toBe(1);
    opsApi.dispose();
    expect(targets.listenerCount).toBe(0);
    expect(opsApi.linkCount).toBe(0);
    await waitFor(() => one.open.size === 0, 5_000, 'the server saw both sockets close');
  });
});
