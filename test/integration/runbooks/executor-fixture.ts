/**
 * What the executor's integration tests share: real services (a real SQLite file in a temp data
 * directory) with a runbooks folder of YAML files the test writes, two targets (shop-prod on prod,
 * shop-staging on staging), and a local HTTP server the runbooks' `http` steps call — a stand-in
 * for a service endpoint whose answers, hangs and statuses the test controls.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../../node/clock';
import { createServices, type Services } from '../../../main/services';
import { MemoryCredentialBackend, type CredentialBackend } from '../../../main/services/credentials/credential-backend';
import { ApiError } from '../../../shared/errors';
import type { RunEvent, RunSummary } from '../../../shared/model/runbook';
import { waitFor } from '../../support/keyring';

/** The endpoint stand-in: `/ok`, `/status/<name>` (status set by the test), `/hang/<name>` (answers when released). */
export class EndpointStandIn {
  readonly statuses = new Map<string, number>();
  readonly hits = new Map<string, number>();
  private readonly hanging = new Map<string, ServerResponse[]>();
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests waiting on `/hang/<name>`. */
  waiting(name: string): number {
    return (this.hanging.get(name) ?? []).filter((response) => !response.destroyed && !response.writableEnded).length;
  }

  release(name: string, status = 200): void {
    for (const response of this.hanging.get(name) ?? []) {
      if (!response.destroyed && !response.writableEnded) response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ released: name }));
    }
    this.hanging.delete(name);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
    request.resume();
    const [, route, name = ''] = path.split('/');
    if (route === 'hang') {
      const list = this.hanging.get(name) ?? [];
      list.push(response);
      this.hanging.set(name, list);
      return;
    }
    const status = route === 'status' ? (this.statuses.get(name) ?? 200) : 200;
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ route, name, method: request.method, version: 'v1' }));
  }
}

export interface ExecutorFixture {
  services: Services;
  dataDir: string;
  folder: string;
  endpoint: EndpointStandIn;
  prodId: string;
  stagingId: string;
  /** Opens services again on the same data directory (after a simulated crash). */
  reopen(): Services;
  close(): Promise<void>;
}

export async function startExecutorFixture(
  runbooks: Record<string, string>,
  options: { clock?: Clock; credentials?: CredentialBackend } = {},
): Promise<ExecutorFixture> {
  const endpoint = new EndpointStandIn();
  await endpoint.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'cr-executor-'));
  const folder = join(dataDir, 'runbooks');
  mkdirSync(folder, { recursive: true });
  for (const [id, yaml] of Object.entries(runbooks)) writeFileSync(join(folder, `${id}.yaml`), yaml.replaceAll('$ENDPOINT', endpoint.url));
  const credentials = options.credentials ?? new MemoryCredentialBackend();
  const open = () =>
    createServices({
      dataDir,
      credentials,
      ...(options.clock ? { clock: options.clock } : {}),
      probes: { background: false },
      runbooks: { folder, user: 'ada' },
    });
  let services = open();
  const prod = await services.targets.create({ name: 'shop-prod', environment: 'prod', kind: 'docker-local', settings: { socketPath: '/nonexistent/docker.sock' } });
  const staging = await services.targets.create({ name: 'shop-staging', environment: 'staging', kind: 'docker-local', settings: { socketPath: '/nonexistent/docker.sock' } });
  let closed = false;
  return {
    get services() {
      return services;
    },
    dataDir,
    folder,
    endpoint,
    prodId: prod.id,
    stagingId: staging.id,
    reopen() {
      services = open();
      return services;
    },
    async close() {
      if (!closed) services.close();
      closed = true;
      await endpoint.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * An executor fixture for the enclosing `describe` (or file): started in `beforeAll`, closed in
 * `afterAll`. The object it returns reads the started fixture, so tests use it like one.
 */
export function executorFixtureForSuite(
  runbooks: Record<string, string>,
  options: { clock?: Clock; credentials?: CredentialBackend } = {},
): ExecutorFixture {
  let started: ExecutorFixture | undefined;
  beforeAll(async () => {
    started = await startExecutorFixture(runbooks, options);
  });
  afterAll(async () => {
    await started?.close();
  });
  const current = (): ExecutorFixture => {
    if (!started) throw new Error('The executor fixture starts in beforeAll: use it inside a test.');
    return started;
  };
  return {
    get services() {
      return current().services;
    },
    get dataDir() {
      return current().dataDir;
    },
    get folder() {
      return current().folder;
    },
    get endpoint() {
      return current().endpoint;
    },
    get prodId() {
      return current().prodId;
    },
    get stagingId() {
      return current().stagingId;
    },
    reopen: () => current().reopen(),
    close: () => current().close(),
  };
}

/** The ApiError `action` throws (the test fails when it throws none, or something else). */
export function apiErrorFrom(action: () => unknown): ApiError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('expected an ApiError');
}

export function eventsOf(services: Services, runId: string): RunEvent[] {
  return services.runbooks.store.eventsAfter(runId, 0, 100_000);
}

export async function waitForStatus(services: Services, runId: string, status: RunSummary['status'], timeoutMs = 10_000): Promise<RunSummary> {
  await waitFor(() => services.runbooks.store.getRun(runId).status === status, timeoutMs, `run ${runId} to be ${status}`);
  return services.runbooks.store.getRun(runId);
}

export async function waitForStep(services: Services, runId: string, stepId: string, state: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(
    () => services.runbooks.store.steps(runId).some((step) => step.id === stepId && step.state === state),
    timeoutMs,
    `step ${stepId} of ${runId} to be ${state}`,
  );
}

export function stepStates(services: Services, runId: string): Record<string, string> {
  return Object.fromEntries(services.runbooks.store.steps(runId).map((step) => [`${step.phase}/${step.id}`, step.state]));
}
