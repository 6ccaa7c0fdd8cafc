/**
 * One opened bundle read into what the diff compares. App bundles and agent bundles are read
 * through the same file names (`context.json`, `logs/*.ndjson`, `probes.json`,
 * `frontend-errors.json`); for an agent bundle whose reader lists none of them, its parsed JSON
 * is read directly. A section the bundle does not hold is null, so the diff can tell "nothing
 * there" from "not collected" and claims no change it cannot see.
 */
import type { OpenedBundle } from '../../../node/bundle/bundle-reader';
import { contextFacts, isObject, type ContextFacts } from './diff-context';
import { emptyLogScan, scanLogLines, type LogScan } from './diff-logs';
import { frontendGroups, probeFacts, type ProbeStatusFacts } from './diff-sections';

export interface BundleFacts {
  id: string;
  created: string;
  context: ContextFacts | null;
  logs: LogScan | null;
  /** The minutes the bundle covers, the divisor of its error rates (at least 1). */
  windowMinutes: number;
  probes: ProbeStatusFacts | null;
  frontend: Map<string, number> | null;
}

export const CONTEXT_FILE = 'context.json';
export const PROBES_FILE = 'probes.json';
export const FRONTEND_FILE = 'frontend-errors.json';

async function readJsonIfPresent(bundle: OpenedBundle, paths: Set<string>, path: string): Promise<unknown> {
  return paths.has(path) ? bundle.readJson(path) : undefined;
}

async function* entryLines(entries: unknown[]): AsyncIterable<string> {
  for (const entry of entries) yield JSON.stringify(entry);
}

/** An agent bundle's `logs`: `{ <service>: { entries } | { error } }`. */
async function scanAgentLogs(agent: Record<string, unknown>, scan: LogScan): Promise<boolean> {
  if (!isObject(agent.logs)) return false;
  for (const [service, value] of Object.entries(agent.logs)) {
    if (isObject(value) && Array.isArray(value.entries))
      await scanLogLines(`logs/${service}.ndjson`, entryLines(value.entries), scan);
  }
  return true;
}

function minutesBetween(fromMs: number | null, toMs: number | null): number {
  if (fromMs === null || toMs === null || !Number.isFinite(fromMs) || !Number.isFinite(toMs)) return 1;
  return Math.max(1, (toMs - fromMs) / 60_000);
}

export async function bundleFacts(id: string, bundle: OpenedBundle): Promise<BundleFacts> {
  const paths = new Set(bundle.paths());
  const agent = bundle.kind === 'agent' ? bundle.agent : null;

  let contextDoc = await readJsonIfPresent(bundle, paths, CONTEXT_FILE);
  if (contextDoc === undefined && agent) contextDoc = agent.context;

  const logPaths = [...paths].filter((p) => /^logs\/.+\.(ndjson|log|txt)$/.test(p)).sort();
  let logs: LogScan | null = null;
  if (logPaths.length) {
    logs = emptyLogScan();
    for (const path of logPaths) await scanLogLines(path, bundle.lines(path), logs);
  } else if (agent) {
    const scan = emptyLogScan();
    if (await scanAgentLogs(agent, scan)) logs = scan;
  }

  const probesDoc = await readJsonIfPresent(bundle, paths, PROBES_FILE);
  let frontendDoc = await readJsonIfPresent(bundle, paths, FRONTEND_FILE);
  if (frontendDoc === undefined && agent && Array.isArray(agent.frontendErrors)) frontendDoc = agent.frontendErrors;

  const window = bundle.manifest?.window;
  const windowMinutes = window
    ? minutesBetween(Date.parse(window.from), Date.parse(window.to))
    : minutesBetween(logs?.firstMs ?? null, logs?.lastMs ?? null);
  const created = bundle.manifest?.created ?? (typeof agent?.generatedAt === 'string' ? agent.generatedAt : '');

  return {
    id,
    created,
    context: contextDoc === undefined || contextDoc === null ? null : contextFacts(contextDoc),
    logs,
    windowMinutes,
    probes: probesDoc === undefined ? null : probeFacts(probesDoc),
    frontend: frontendDoc === undefined ? null : frontendGroups(frontendDoc),
  };
}
