/**
 * `buildAgent(config)`: the agent as a Fastify instance, not yet listening. The CLI listens on
 * the configured address; tests listen on port 0.
 *
 * Everything the routes need is made here from the configuration and handed to them as plain
 * objects (docs/architecture.md: services take their dependencies as arguments).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import websocket from '@fastify/websocket';
import { AuditLog, redactQuery } from './audit';
import { parseAgentConfig, type AgentConfig, type AgentConfigInput } from './config';
import { currentAlerts } from './context/context';
import { MigrationsRunner } from './context/migrations';
import { ContainerReader, createDockerClients } from './docker';
import { AlertMonitor } from './events/alert-monitor';
import { DockerEventsWatcher } from './events/docker-events';
import { EventHub } from './events/hub';
import { BeaconStore } from './frontend/beacon-store';
import { HttpError, errorReply } from './http-error';
import { LogsService } from './logs/logs-service';
import { AgentProbes } from './probes/probes-runner';
import { openAgentStore, type Db } from './store';
import { TokenVerifier, type TokenScope } from './tokens';
import { registerRoutes } from './routes';

/** What a route needs to be reached with: no token (the beacon), a read token, or an admin token. */
export type RouteAccess = 'public' | TokenScope;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
    /** Browsers cannot set headers on a WebSocket: this route also takes `?token=`. */
    queryToken?: boolean;
  }
  interface FastifyRequest {
    tokenId: string | null;
    /** The presented token itself, so the support bundle can redact it. */
    tokenValue: string | null;
    /** Read when the request arrives: a refused WebSocket upgrade has lost its socket by onResponse. */
    clientIp: string;
  }
  interface FastifyInstance {
    agent: AgentServices;
  }
}

export interface AgentServices {
  config: AgentConfig;
  env: NodeJS.ProcessEnv;
  db: Db;
  audit: AuditLog;
  beacons: BeaconStore;
  hub: EventHub;
  containers: ContainerReader;
  logs: LogsService;
  migrations: MigrationsRunner;
  alerts: AlertMonitor;
  /** The host's own probes (the configuration's `probes`). */
  probes: AgentProbes;
  /** Every route as registered (HEAD twins left out): the OpenAPI test compares them with agent/openapi.json. */
  routes: { method: string; url: string }[];
}

export interface BuildOptions {
  /** The environment deploy values and redaction read; tests pass their own. */
  env?: NodeJS.ProcessEnv;
  /** Where failures (5xx) are written, one line each; the CLI passes stderr. Requests themselves go to the audit table. */
  log?: (line: string) => void;
}

export async function buildAgent(input: AgentConfigInput | AgentConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  const config = parseAgentConfig(input);
  const env = options.env ?? process.env;
  const db = openAgentStore(config.dataDir);
  try {
    return await wire(config, env, db, options);
  } catch (error) {
    // A failed start must not leave the database open (the CLI exits; a test builds another agent).
    db.close();
    throw error;
  }
}

async function wire(config: AgentConfig, env: NodeJS.ProcessEnv, db: Db, options: BuildOptions): Promise<FastifyInstance> {
  const docker = createDockerClients(config.docker.socket, config.docker.timeoutSeconds);
  const containers = new ContainerReader(docker.requests, config.docker.project);
  const hub = new EventHub({ heartbeatMs: config.events.heartbeatSeconds * 1000, maxBufferedBytes: config.events.maxBufferedBytes });
  const beacons = new BeaconStore(db, config.beacon.perRoute, config.beacon.maxRoutes);
  const migrations = new MigrationsRunner(config.migrations, env);
  const services: AgentServices = {
    config,
    env,
    db,
    audit: new AuditLog(db, config.audit.retentionDays),
    beacons,
    hub,
    containers,
    logs: new LogsService(docker.requests, containers),
    migrations,
    probes: new AgentProbes({
      probes: config.probes,
      dataDir: config.dataDir,
      db,
      docker: docker.requests,
      env,
      onStatus: (probeId, status, previous, lastResult) =>
        hub.publish({ type: 'probe', at: new Date().toISOString(), probeId, status, previous, lastResult }),
    }),
    routes: [],
    alerts: new AlertMonitor(
      () => currentAlerts({ config, env, containers, migrations, beacons }),
      (alert) => hub.publish({ type: 'alert', at: new Date().toISOString(), alert }),
    ),
  };
  const watcher = new DockerEventsWatcher(docker.streams, (event) => {
    containers.invalidate();
    hub.publish(event);
    services.alerts.poke();
  });
  hub.onClientCount((count) => (count > 0 ? watcher.start() : watcher.stop()));

  const app = Fastify({
    // Requests are recorded in the audit table; a log line per beacon on stdout would only add noise.
    logger: false,
    trustProxy: config.trustProxy,
    bodyLimit: 1 << 20,
    return503OnClosing: true,
  });
  app.decorate('agent', services);
  app.decorateRequest('tokenId', null);
  app.decorateRequest('tokenValue', null);
  app.decorateRequest('clientIp', '');

  await app.register(rateLimit, { global: false });
  await app.register(websocket, { options: { maxPayload: 4096 } });

  const verifier = new TokenVerifier(db);
  app.addHook('onRequest', async (request) => {
    request.clientIp = request.ip ?? 'unknown';
    const access = request.routeOptions.config?.access ?? 'read';
    if (access === 'public') return;
    const token = presentedToken(request.headers.authorization, request.routeOptions.config?.queryToken ? queryParam(request.url, 'token') : null);
    if (!token) {
      throw new HttpError(401, 'This endpoint needs a token: send "Authorization: Bearer <token>" (make one with `opsctl agent token create`).');
    }
    const verified = verifier.verify(token);
    if (!verified) throw new HttpError(401, 'This token is not valid: it is unknown to this agent or was revoked.');
    request.tokenId = verified.id;
    request.tokenValue = token;
    if (access === 'admin' && verified.scope !== 'admin') {
      throw new HttpError(403, 'This endpoint needs a token with the admin scope; this token has the read scope.');
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    services.audit.record({
      at: new Date(Date.now() - reply.elapsedTime).toISOString(),
      method: request.method,
      path: request.url.split('?', 1)[0]!,
      query: redactQuery(request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : ''),
      status: reply.statusCode,
      tokenId: request.tokenId ?? 'anonymous',
      ip: request.clientIp || request.ip || 'unknown',
      durationMs: Math.round(reply.elapsedTime * 100) / 100,
    });
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error instanceof HttpError ? error.statusCode : (error.statusCode ?? 500);
    if (status >= 500) options.log?.(`${new Date().toISOString()} ${request.method} ${request.url.split('?', 1)[0]} failed: ${error.stack ?? error.message}`);
    return reply.code(status).type('application/json').send(errorReply(status, describeError(error, status, config)));
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0];
    return reply.code(404).send(errorReply(404, `There is no ${request.method} ${path} on this agent; its endpoints are listed in agent/openapi.json.`));
  });

  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') services.routes.push({ method, url: route.url });
  });
  await registerRoutes(app, services);

  app.addHook('onReady', async () => {
    // Alerts already standing at start-up are context, not news for the events stream.
    void services.alerts.prime();
    services.probes.start();
  });
  app.addHook('onClose', async () => {
    await services.probes.dispose();
    watcher.stop();
    services.alerts.close();
    hub.close();
    migrations.close();
    services.audit.close();
    db.close();
  });
  return app;
}

function presentedToken(authorization: string | undefined, fromQuery: string | null): string | null {
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match ? match[1]! : null;
  }
  return fromQuery;
}

function queryParam(url: string, name: string): string | null {
  const query = url.indexOf('?');
  return query < 0 ? null : new URLSearchParams(url.slice(query + 1)).get(name);
}

/** Fastify's own errors are worded for developers; these are for the person holding curl or opsctl. */
function describeError(error: Error & { code?: string }, status: number, config: AgentConfig): string {
  if (error instanceof HttpError) return error.message;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `The request body is larger than this endpoint accepts (${config.beacon.maxBytes} bytes for a beacon).`;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Send the body as text/plain or application/json.';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_BODY':
      return 'The request body is empty.';
  }
  if (status === 429) return error.message;
  if (status >= 500) return `The agent could not answer: ${error.message}`;
  return error.message.endsWith('.') ? error.message : `${error.message}.`;
}
