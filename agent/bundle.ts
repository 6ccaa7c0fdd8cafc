/**
 * `GET /api/ops/support-bundle`: one gzipped JSON file with the context, every service's recent
 * logs and the recent browser errors, for attaching to a ticket. Redacted before it is
 * compressed (node/redact/redactor.ts); the number of replacements is recorded so a reader knows.
 * Log messages are redacted and then cut (`textCut`), never the other way round: a secret that
 * straddled the cut would no longer match and would leave its first characters behind.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { hostname } from 'node:os';
import type { FrontendError, OpsContext, OpsLogEntry } from '../shared/model/ops';
import { buildContext, type ContextDeps } from './context/context';
import type { ContainerFacts } from './docker';
import { dockerMessage } from '../node/docker/docker-message';
import { mapLimit } from '../node/map-limit';
import { knownServices, type LogsService } from './logs/logs-service';
import { envPairs, Redactor, secretValues } from '../node/redact/redactor';
import pkg from '../package.json';

const gzipAsync = promisify(gzip);
/** Bundles are read by people: a line longer than this is cut. */
const BUNDLE_LINE = 4_096;

export interface SupportBundle {
  format: 'control-room-agent-bundle';
  version: 1;
  generatedAt: string;
  agent: { version: string; host: string };
  context: OpsContext;
  logs: Record<string, { entries: OpsLogEntry[] } | { error: string }>;
  frontendErrors: FrontendError[];
  redactions: number;
}

export interface BundleDeps extends ContextDeps {
  logs: LogsService;
}

export async function buildSupportBundle(deps: BundleDeps, extraSecrets: string[]): Promise<{ body: Buffer; filename: string; redactions: number }> {
  const generatedAt = new Date();
  const logs: SupportBundle['logs'] = {};
  const secrets = [...secretValues(Object.entries(deps.env)), ...extraSecrets];
  if (deps.config.beacon.ingestKey) secrets.push(deps.config.beacon.ingestKey);
  let containers: ContainerFacts[] = [];
  let dockerError: string | null = null;
  try {
    containers = await deps.containers.list();
  } catch (error) {
    dockerError = dockerMessage(error);
  }
  // Containers' own secrets (DATABASE_PASSWORD=...) are the likeliest to appear in their logs.
  for (const c of containers) secrets.push(...secretValues(envPairs(c.env)));
  // Every secret is known before the first log line is read: each line is redacted, then cut.
  const redactor = new Redactor(secrets);
  const context = await buildContext(deps, (text, max) => redactor.textCut(text, max));
  if (dockerError !== null) logs['(docker)'] = { error: redactor.text(dockerError) };
  await mapLimit(knownServices(containers), 4, async (service) => {
    try {
      const result = await deps.logs.read({ service, tail: deps.config.bundle.logTail, sinceMs: null });
      logs[redactor.text(service)] = {
        entries: result.entries.map(({ ts, service: s, stream, level, message }) => ({
          ts,
          service: redactor.text(s),
          stream,
          level,
          message: redactor.textCut(message, BUNDLE_LINE),
        })),
      };
    } catch (error) {
      logs[redactor.text(service)] = { error: redactor.text(dockerMessage(error)) };
    }
  });
  const frontendErrors = deps.beacons.list({ sinceMs: generatedAt.getTime() - deps.config.bundle.frontendSinceSeconds * 1000, route: null, limit: 5_000 });
  // The logs are redacted already; everything else is redacted here, as a whole.
  const rest = redactor.deep({ agent: { version: pkg.version, host: hostname() }, context, frontendErrors });
  const bundle: SupportBundle = {
    format: 'control-room-agent-bundle',
    version: 1,
    generatedAt: generatedAt.toISOString(),
    agent: rest.agent,
    context: rest.context,
    logs: Object.fromEntries(Object.entries(logs).sort(([a], [b]) => a.localeCompare(b))),
    frontendErrors: rest.frontendErrors,
    redactions: 0,
  };
  bundle.redactions = redactor.count;
  const body = await gzipAsync(Buffer.from(JSON.stringify(bundle), 'utf8'));
  const stamp = generatedAt.toISOString().replace(/[:.]/g, '-');
  const host = hostname().replace(/[^\w.-]/g, '_');
  return { body, filename: `support-bundle-${host}-${stamp}.json.gz`, redactions: redactor.count };
}
