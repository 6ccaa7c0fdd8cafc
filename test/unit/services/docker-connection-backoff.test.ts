/**
 * A local Docker connection's retries on a fake clock: with no engine at the socket it waits
 * exactly the backoff before the next attempt, and connects on the attempt after an engine
 * (a minimal HTTP server answering `/_ping` on that unix socket) appears. Closing it clears its
 * timer and ends a pending `ready()` at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalDockerConnection } from '../../../main/services/connections/docker-connection';
import { FakeClock } from '../../support/fake-clock';
import { waitFor } from '../../support/keyring';

let dir: string;
let socketPath: string;
let engine: Server | undefined;
let pings = 0;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cr-docker-backoff-'));
  socketPath = join(dir, 'docker.sock');
  pings = 0;
});

afterEach(async () => {
  if (engine) await new Promise((resolve) => engine!.close(resolve));
  engine = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function startEngine(): Promise<void> {
  engine = createServer((req, res) => {
    if (req.url?.endsWith('/_ping')) pings++;
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
  });
  return new Promise((resolve) => engine!.listen(socketPath, resolve));
}

describe('LocalDockerConnection on a fake clock', () => {
  it('waits exactly the backoff between attempts, and connects once the engine answers', async () => {
    const clock = new FakeClock();
    // random() = 1: the longest delay of each step, so the waits are exact.
    const connection = new LocalDockerConnection(socketPath, { initialMs: 1_000, maxMs: 4_000, random: () => 1 }, clock);
    connection.start();
    await waitFor(() => connection.state.status === 'reconnecting', 5_000, 'the first attempt failed');
    expect(connection.state).toEqual({
      status: 'reconnecting',
      at: new Date(clock.now() + 1_000).toISOString(),
      attempt: 1,
      reason: 'no Docker socket there',
    });
    expect(clock.pendingDelays).toEqual([1_000]);

    // The second attempt, exactly 1 s later, fails too; the next wait doubles.
    expect(clock.advance(999)).toBe(0);
    expect(clock.advance(1)).toBe(1);
    await waitFor(() => connection.state.status === 'reconnecting' && connection.state.attempt === 2, 5_000, 'the second attempt failed');
    expect(clock.pendingDelays).toEqual([2_000]);

    await startEngine();
    expect(clock.advance(1_999)).toBe(0);
    expect(pings).toBe(0);
    expect(clock.advance(1)).toBe(1);
    await waitFor(() => connection.state.status === 'connected', 5_000, 'the connection came up');
    expect(pings).toBe(1);
    expect(clock.pending).toBe(0);
    connection.close();
  });

  it('clears its retry timer when closed, and a pending ready() ends at once', async () => {
    const clock = new FakeClock();
    const connection = new LocalDockerConnection(socketPath, { initialMs: 1_000, maxMs: 1_000 }, clock);
    connection.start();
    await waitFor(() => connection.state.status === 'reconnecting', 5_000, 'the first attempt failed');
    expect(clock.pending).toBe(1);
    connection.close();
    expect(clock.pending).toBe(0);

    // Waiting for it while it connects: ready()'s own timeout is on the clock too.
    await startEngine();
    engine!.removeAllListeners('request');
    engine!.on('request', () => undefined); // an engine that accepts and never answers
    connection.reconnectNow();
    const ready = connection.ready(15_000).then(() => null, (e: unknown) => e as Error);
    expect(clock.pendingDelays).toEqual([15_000]);
    connection.close();
    expect((await ready)?.message).toBe('The connection to the local Docker engine was closed.');
    expect(clock.pending).toBe(0);
  });
});
