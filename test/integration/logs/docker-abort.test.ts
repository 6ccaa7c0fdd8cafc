/**
 * Cancelling Docker calls, against real podman. Between the app and podman sits a byte-for-byte
 * socket relay that can hold back podman's replies (an engine that stopped answering): a call
 * made then hangs for good unless it is aborted, so a prompt AbortError can only come from the
 * signal — the caller's, or the services' own when they are closed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAbort } from '../../../node/abort';
import { createServices, type Services } from '../../../main/services';
import { MemoryCredentialBackend } from '../../../main/services/credentials/credential-backend';
import { waitFor } from '../../support/keyring';
import { composeLabels, startPodman, type Podman } from '../../support/podman';

/** Relays a unix socket to podman's; while `holding`, what podman sends back is kept, not passed on. */
class HoldingRelay {
  holding = false;
  /** Requests that reached podman while holding (their replies are being held back). */
  held = 0;
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server) {}

  static async start(target: string, path: string): Promise<HoldingRelay> {
    const server = createServer();
    const relay = new HoldingRelay(server);
    server.on('connection', (client) => {
      const upstream = connect(target);
      relay.sockets.add(client).add(upstream);
      client.on('data', (chunk) => {
        if (relay.holding) relay.held++;
        upstream.write(chunk);
      });
      upstream.on('data', (chunk) => {
        if (!relay.holding) client.write(chunk);
      });
      const close = () => {
        client.destroy();
        upstream.destroy();
        relay.sockets.delete(client);
        relay.sockets.delete(upstream);
      };
      client.on('close', close).on('error', close);
      upstream.on('close', close).on('error', close);
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    return relay;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

let podman: Podman;
let relay: HoldingRelay;
let dir: string;
let services: Services;
let targetId: string;

beforeAll(async () => {
  podman = await startPodman();
  await podman.run('shop-api-1', 'trap "exit 0" TERM; while true; do sleep 1; done', composeLabels('shop', 'api'));
  dir = mkdtempSync(join(tmpdir(), 'cr-docker-abort-'));
  relay = await HoldingRelay.start(podman.socketPath, join(dir, 'relay.sock'));
  services = createServices({ dataDir: join(dir, 'data'), credentials: new MemoryCredentialBackend() });
  targetId = (
    await services.targets.create({ name: 'local', environment: 'dev', kind: 'docker-local', settings: { socketPath: join(dir, 'relay.sock') } })
  ).id;
}, 120_000);

afterAll(async () => {
  services?.close();
  await relay?.stop();
  await podman?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `call` while podman's replies are held back, aborts it once it reached podman, and returns what it ended with. */
async function abortWhileHeld(call: (signal: AbortSignal) => Promise<unknown>, abort: (controller: AbortController) => void) {
  const controller = new AbortController();
  relay.holding = true;
  relay.held = 0;
  try {
    const outcome = call(controller.signal).then(
      () => null,
      (error: unknown) => error as Error,
    );
    await waitFor(() => relay.held > 0, 10_000, 'the call reached podman');
    const started = Date.now();
    abort(controller);
    const error = await outcome;
    return { error, ms: Date.now() - started };
  } finally {
    relay.holding = false;
  }
}

describe('aborting Docker calls (podman behind a relay that can stop answering)', () => {
  it('lists sources normally while podman answers', async () => {
    const sources = await services.logs.sources(targetId);
    expect(sources.map((s) => s.key)).toContain('container:shop-api-1');
  });

  it('ends a source listing at once when its signal aborts', async () => {
    const { error, ms } = await abortWhileHeld(
      (signal) => services.logs.sources(targetId, signal),
      (controller) => controller.abort(),
    );
    expect(isAbort(error)).toBe(true);
    expect(ms).toBeLessThan(1_000);
  });

  it('ends an Overview snapshot at once when its signal aborts, then works again', async () => {
    const { error, ms } = await abortWhileHeld(
      (signal) => services.overview.snapshot(targetId, signal),
      (controller) => controller.abort(),
    );
    expect(isAbort(error)).toBe(true);
    expect(ms).toBeLessThan(1_000);
    const overview = await services.overview.snapshot(targetId);
    expect(overview.projects.map((p) => p.project)).toEqual(['shop']);
  });

  it('aborts the Docker calls in flight when the services close', async () => {
    const { error, ms } = await abortWhileHeld(
      () => services.overview.snapshot(targetId),
      () => services.close(),
    );
    expect(error?.message).toBe('The Docker overview was closed.');
    expect(ms).toBeLessThan(1_000);
  });
});
