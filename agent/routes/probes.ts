/**
 * `/api/ops/probes*`: the host's own probes — their definitions (no secret values), how each
 * stands, their results, history and artifacts — and `POST /api/ops/probes/run` to run some now.
 */
import type { FastifyInstance } from 'fastify';
import { HistoryRange, ProbeSelection } from '../../shared/model/probe';
import { HttpError } from '../http-error';
import type { AgentServices } from '../server';
import { countParam, enumParam, one, type Query } from './query';

export async function registerProbeRoutes(app: FastifyInstance, services: AgentServices): Promise<void> {
  const { probes } = services;
  const known = (id: string): string => {
    if (!probes.has(id)) {
      throw new HttpError(404, `This agent runs no probe "${id}"; GET /api/ops/probes lists the ones in its configuration.`);
    }
    return id;
  };

  app.get('/api/ops/probes', { config: { access: 'read' } }, async () => ({ probes: probes.list() }));

  app.get('/api/ops/probes/:id/results', { config: { access: 'read' } }, async (request) => {
    const id = known((request.params as { id: string }).id);
    const query = request.query as Query;
    const beforeText = one(query, 'before');
    if (beforeText !== null && !/^\d+$/.test(beforeText)) throw new HttpError(400, `before=${beforeText} is not a result id (a whole number).`);
    const limit = countParam(query, 'limit', 50, 1000).value;
    return { results: probes.results(id, { before: beforeText === null ? undefined : Number(beforeText), limit }) };
  });

  app.get('/api/ops/probes/:id/history', { config: { access: 'read' } }, async (request) => {
    const id = known((request.params as { id: string }).id);
    const range = enumParam(request.query as Query, 'range', HistoryRange.options, '24h');
    return probes.history(id, range);
  });

  app.get('/api/ops/probes/:id/results/:resultId/artifacts/:artifactId', { config: { access: 'read' } }, async (request, reply) => {
    const params = request.params as { id: string; resultId: string; artifactId: string };
    const id = known(params.id);
    if (!/^\d+$/.test(params.resultId)) throw new HttpError(400, `${params.resultId} is not a result id (a whole number).`);
    const artifact = await probes.artifact(id, Number(params.resultId), params.artifactId);
    if (!artifact) {
      throw new HttpError(404, `Result ${params.resultId} of ${id} has no artifact "${params.artifactId}"; it may have been pruned — list the results again.`);
    }
    return reply
      .type(artifact.contentType)
      .header('content-disposition', `inline; filename="${artifact.name.replace(/[^\w.-]+/g, '_')}"`)
      .send(artifact.data);
  });

  app.post('/api/ops/probes/run', { config: { access: 'admin' } }, async (request) => {
    const parsed = ProbeSelection.safeParse(request.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new HttpError(400, `The selection is not valid: ${issue.path.join('.') || 'body'}: ${issue.message.replace(/\.$/, '')} — send { scope?, provider?, probeId? }.`);
    }
    if (parsed.data.probeId) known(parsed.data.probeId);
    return probes.runNow(parsed.data, 'manual');
  });
}
