import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { OpsEvent } from '../../../shared/model/ops';
import { waitFor } from '../../support/keyring';
import { composeLabels } from '../../support/podman';
import { beaconBody, startAgentFixture, type AgentFixture } from './agent-fixture';

const IDLE = 'trap "exit 0" TERM; while true; do sleep 1 & wait; done';
let fx: AgentFixture;

beforeAll(async () => {
  fx = await startAgentFixture({
    podman: true,
    config: () => ({
      beacon: { ratePerMinute: 100_000 },
      alerts: { frontendBurst: 3, frontendBurstWindowSeconds: 60 },
      events: { heartbeatSeconds: 1, maxBufferedBytes: 64 * 1024 },
    }),
  });
});

afterAll(async () => {
  await fx?.stop();
});

interface Listener {
  ws: WebSocket;
  events: OpsEvent[];
  pings: number;
}

async function listen(query = ''): Promise<Listener> {
  const ws = new WebSocket(`${fx.url.replace('http', 'ws')}/api/ops/events${query}`, query ? {} : { headers: { authorization: `Bearer ${fx.read}` } });
  const listener: Listener = { ws, events: [], pings: 0 };
  // Every message must be a valid OpsEvent: parse, don't just collect.
  ws.on('message', (data) => listener.events.push(OpsEvent.parse(JSON.parse(String(data)))));
  ws.on('ping', () => listener.pings++);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return listener;
}

describe('GET /api/ops/events (WebSocket)', () => {
  it('sends a container event when a container starts, with its compose service', async () => {
    const l = await listen();
    try {
      // The Docker events stream opens when the first client connects.
      await new Promise((r) => setTimeout(r, 500));
      await fx.podman!.run('shop-cache-1', IDLE, composeLabels('shop', 'cache'));
      await waitFor(() => l.events.some((e) => e.type === 'container' && e.action === 'start' && e.container === 'shop-cache-1'), 15_000, 'no start event');
      const start = l.events.find((e) => e.type === 'container' && e.action === 'start')!;
      expect(start).toMatchObject({ type: 'container', service: 'cache' });
      expect(Math.abs(Date.now() - Date.parse(start.at))).toBeLessThan(60_000);
    } finally {
      l.ws.close();
    }
  });

  it('sends browser errors as they arrive (token in ?token= as a browser would)', async () => {
    const l = await listen(`?token=${encodeURIComponent(fx.read)}`);
    try {
      expect((await fx.beacon(beaconBody({ route: '/live', message: 'live error' }))).status).toBe(204);
      await waitFor(() => l.events.some((e) => e.type === 'frontend-error'), 5_000, 'no frontend-error event');
      const event = l.events.find((e) => e.type === 'frontend-error');
      expect(event).toMatchObject({ type: 'frontend-error', error: { route: '/live', message: 'live error', buildHash: 'abc123', count: 1 } });
    } finally {
      l.ws.close();
    }
  });

  it('sends an alert when browser errors burst, and when a container exits with an error', async () => {
    const l = await listen();
    try {
      await new Promise((r) => setTimeout(r, 500));
      for (let i = 0; i < 3; i++) await fx.beacon(beaconBody({ route: '/burst', message: `burst ${i}` }));
      await fx.podman!.run('shop-migrate-1', 'echo nope; exit 2', composeLabels('shop', 'migrate'));
      await waitFor(() => l.events.some((e) => e.type === 'alert' && e.alert.id === 'frontend:burst'), 10_000, 'no burst alert');
      await waitFor(() => l.events.some((e) => e.type === 'alert' && e.alert.id === 'container:shop-migrate-1:exited'), 15_000, 'no exit alert');
      const burst = l.events.find((e) => e.type === 'alert' && e.alert.id === 'frontend:burst');
      expect(burst).toMatchObject({ alert: { severity: 'warning', source: 'frontend', message: expect.stringMatching(/browser errors in the last minute/) } });
      expect(l.events.some((e) => e.type === 'container' && e.container === 'shop-migrate-1' && e.action === 'die')).toBe(true);
    } finally {
      l.ws.close();
    }
  });

  it('pings every heartbeat', async () => {
    const l = await listen();
    try {
      await waitFor(() => l.pings >= 2, 5_000, 'no heartbeat pings');
    } finally {
      l.ws.close();
    }
  });

  it('drops a client that stops reading instead of buffering for it without bound', async () => {
    // A raw socket that upgrades and then never reads: the kernel buffers fill, then the agent's.
    const { port } = new URL(fx.url);
    const socket = connect(Number(port), '127.0.0.1');
    let closedByServer = false;
    socket.on('close', () => (closedByServer = true));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      [
        'GET /api/ops/events HTTP/1.1',
        `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version: 13',
        `Authorization: Bearer ${fx.read}`,
        '',
        '',
      ].join('\r\n'),
    );
    const head = await new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1'))));
    expect(head).toMatch(/^HTTP\/1\.1 101/);
    socket.pause();
    const droppedBefore = fx.app.agent.hub.dropped;
    const big = 'x'.repeat(8_000);
    let sent = 0;
    while (fx.app.agent.hub.dropped === droppedBefore && sent < 10_000) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => fx.beacon(beaconBody({ route: '/slow', message: `${big} ${sent + i}` })).then((r) => r.arrayBuffer())));
      sent += 50;
    }
    expect(fx.app.agent.hub.dropped).toBeGreaterThan(droppedBefore);
    expect(fx.app.agent.hub.size).toBe(0);
    // Events are still flowing to well-behaved clients.
    const l = await listen();
    try {
      await fx.beacon(beaconBody({ route: '/after-drop', message: 'still live' }));
      await waitFor(() => l.events.some((e) => e.type === 'frontend-error' && e.error.route === '/after-drop'), 5_000, 'events stopped after a drop');
    } finally {
      l.ws.close();
    }
    // Once it reads again it finds the connection closed by the agent (the data queued before the cut, then EOF).
    socket.resume();
    await waitFor(() => closedByServer, 10_000, 'the stalled client was not disconnected');
    socket.destroy();
  });
});
