/**
 * The `/api/ops/*` routes. Each declares who may call it (`config.access`); the auth hook in
 * server.ts enforces it. agent/openapi.json documents the same set, and a test holds the two
 * together.
 */
import type { FastifyInstance } from 'fastify';
import { FrontendBeacon } from '../../shared/model/ops';
import { buildSupportBundle } from '../bundle';
import { buildContext } from '../context/context';
import { dockerMessage } from '../../node/docker/docker-message';
import { HttpError } from '../http-error';
import { toPlain } from '../logs/logs-service';
import type { AgentServices } from '../server';
import { registerProbeRoutes } from './probes';
import { countParam, enumParam, one, sinceParam, type Query } from './query';

export async function registerRoutes(app: FastifyInstance, services: AgentServices): Promise<void> {
  const { config } = services;
  const contextDeps = () => ({ config, env: services.env, containers: services.containers, migrations: services.migrations, beacons: services.beacons });

  app.get('/api/ops/context', { config: { access: 'read' } }, async () => buildContext(contextDeps()));

  app.get('/api/ops/logs', { config: { access: 'read' } }, async (request, reply) => {
    const query = request.query as Query;
    const service = one(query, 'service');
    if (!service) throw new HttpError(400, 'Name a service: ?service=<compose service or container name>.');
    const tail = countParam(query, 'tail', config.logs.defaultTail, config.logs.maxTail);
    const sinceMs = sinceParam(query, null);
    const format = enumParam(query, 'format', ['json', 'plain'] as const, 'json');
    let result;
    try {
      result = await services.logs.read({ service, tail: tail.value, sinceMs });
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw new HttpError(502, `The logs could not be read from Docker: ${dockerMessage(error)}`);
    }
    if (tail.capped) reply.header('x-tail-capped', String(tail.value));
    if (format === 'plain') return reply.type('text/plain; charset=utf-8').send(toPlain(result));
    return {
      service: result.service,
      entries: result.entries.map(({ ts, service: s, stream, level, message }) => ({ ts, service: s, stream, level, message })),
    };
  });

  app.get('/api/ops/frontend-logs', { config: { access: 'read' } }, async (request) => {
    const query = request.query as Query;
    const sinceMs = sinceParam(query, '24h');
    const route = one(query, 'route');
    const limit = countParam(query, 'limit', 500, 5_000).value;
    return { errors: services.beacons.list({ sinceMs, route, limit }) };
  });

  await registerProbeRoutes(app, services);

  app.get('/api/ops/support-bundle', { config: { access: 'admin' } }, async (request, reply) => {
    const bundle = await buildSupportBundle({ ...contextDeps(), logs: services.logs }, request.tokenValue ? [request.tokenValue] : []);
    return reply
      .type('application/gzip')
      .header('content-disposition', `attachment; filename="${bundle.filename}"`)
      .header('x-redactions', String(bundle.redactions))
      .send(bundle.body);
  });

  app.route({
    method: 'GET',
    url: '/api/ops/events',
    config: { access: 'read', queryToken: true },
    handler: async () => {
      throw new HttpError(400, 'This endpoint is a WebSocket: connect with an Upgrade request (ws://…/api/ops/events).');
    },
    wsHandler: (socket, request) => {
      // A hijacked upgrade never reaches onResponse: record it here.
      services.audit.record({
        at: new Date().toISOString(),
        method: 'GET',
        path: '/api/ops/events',
        query: '',
        status: 101,
        tokenId: request.tokenId ?? 'anonymous',
        ip: request.clientIp,
        durationMs: 0,
      });
      services.hub.add(socket);
    },
  });

  await app.register(async (scope) => {
    // sendBeacon posts a string as text/plain (a CORS-safe type needs no preflight); fetch may send JSON.
    // Both are read as text and parsed here, so every malformed body gets the same 400.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(['text/plain', 'application/json'], { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.post(
      '/api/ops/frontend-log',
      {
        bodyLimit: config.beacon.maxBytes,
        config: {
          access: 'public',
          rateLimit: {
            max: config.beacon.ratePerMinute,
            timeWindow: 60_000,
            keyGenerator: (request) => request.ip,
            errorResponseBuilder: (_request, context) =>
              new HttpError(429, `Too many beacons from this client: at most ${context.max} a minute; retry in ${context.after}.`),
          },
        },
      },
      async (request, reply) => {
        const key = config.beacon.ingestKey;
        if (key) {
          const given = (request.query as Query).key ?? request.headers['x-ops-ingest-key'];
          if (given !== key) throw new HttpError(401, 'This beacon needs the ingest key: add ?key=<key> or an X-Ops-Ingest-Key header.');
        }
        const text = typeof request.body === 'string' ? request.body : '';
        if (!text.trim()) throw new HttpError(400, 'The beacon is empty: send a JSON object.');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw new HttpError(400, 'The beacon is not valid JSON.');
        }
        const parsed = FrontendBeacon.safeParse(json);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw new HttpError(400, `The beacon does not match the schema: ${issue.path.join('.') || 'body'}: ${issue.message}.`);
        }
        const error = await services.beacons.add(parsed.data);
        services.hub.publish({ type: 'frontend-error', at: error.receivedAt, error });
        services.alerts.poke();
        return reply.code(204).send();
      },
    );
  });
}
