/**
 * The real agent for integration tests: `buildAgent()` listening on a loopback port, its own
 * temporary data directory, tokens of both scopes, and (when asked) podman's Docker API with
 * busybox containers behind it. Requests go over real HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildAgent } from '../../../agent/server';
import { createToken } from '../../../agent/cli';
import type { AgentConfigInput } from '../../../agent/config';
import { startPodman, type Podman } from '../../support/podman';

export interface AgentFixture {
  app: FastifyInstance;
  url: string;
  dataDir: string;
  podman: Podman | null;
  read: string;
  admin: string;
  /** A GET with a token (read by default); `null` sends none. */
  get(path: string, token?: string | null, headers?: Record<string, string>): Promise<Response>;
  beacon(body: unknown, options?: { contentType?: string; query?: string; headers?: Record<string, string> }): Promise<Response>;
  stop(): Promise<void>;
}

export interface FixtureOptions {
  podman?: boolean;
  config?: (podman: Podman | null, dataDir: string) => Partial<AgentConfigInput>;
  env?: NodeJS.ProcessEnv;
  /** Runs once podman is up, before the agent starts (containers to exist from the start). */
  before?: (podman: Podman) => Promise<void>;
}

export async function startAgentFixture(options: FixtureOptions = {}): Promise<AgentFixture> {
  const podman = options.podman ? await startPodman() : null;
  const dataDir = mkdtempSync(join(tmpdir(), 'cr-agent-'));
  let app: FastifyInstance | undefined;
  try {
    if (podman && options.before) await options.before(podman);
    const extra = options.config?.(podman, dataDir) ?? {};
    app = await buildAgent(
      {
        port: 0,
        dataDir,
        ...extra,
        // No engine at all unless the test asked for podman: a path that cannot exist.
        docker: { socket: podman ? podman.socketPath : join(dataDir, 'no-docker.sock'), ...extra.docker },
      },
      { env: options.env ?? { PATH: process.env.PATH } },
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
  } catch (error) {
    await app?.close();
    await podman?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const read = createToken({ dataDir, scope: 'read', label: 'test read' }).token;
  const admin = createToken({ dataDir, scope: 'admin', label: 'test admin' }).token;
  const running = app;
  return {
    app: running,
    url,
    dataDir,
    podman,
    read,
    admin,
    get: (path, token = read, headers = {}) =>
      fetch(url + path, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } }),
    beacon: (body, { contentType = 'text/plain;charset=UTF-8', query = '', headers = {} } = {}) =>
      fetch(`${url}/api/ops/frontend-log${query}`, {
        method: 'POST',
        headers: { 'content-type': contentType, ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    stop: async () => {
      await running.close();
      await podman?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function beaconBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    build_hash: 'abc123',
    route: '/checkout',
    message: 'TypeError: cannot read properties of undefined',
    stack: 'TypeError: cannot read properties of undefined\n    at pay (app.js:10:5)',
    browser: 'Mozilla/5.0 test',
    ws_state: 'open',
    kind: 'onerror',
    count: 1,
    ...overrides,
  };
}
