/**
 * The small sections: alert history, audit log entries, frontend errors (ops-API targets), the
 * agent's own bundle (ops-API targets, re-redacted with the app's secrets) and the app's facts.
 */
import { gunzip, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { AlertDecision } from '../../../../shared/model/alerts';
import type { AuditEntry } from '../../../../shared/model/audit';
import type { FrontendError } from '../../../../shared/model/ops';
import { APP_VERSION } from '../../../version';
import { abortReason } from '../../../../node/abort';
import type { Services } from '../../index';
import type { WindowInfo } from '../bundle-window';
import { probesOfTarget } from './probes-section';
import { inWindow, sized, unavailable, type SectionCollector, type SectionEstimator } from './section-kit';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);
const ALERT_PAGE = 500;
const AUDIT_LIMIT = 5_000;

export const ONLY_OPS_API_AGENT = 'Only ops API targets have an agent bundle.';
export const ONLY_OPS_API_FRONTEND = 'Only ops API targets report frontend errors.';

// ——— alerts ———

function alertsInWindow(services: Services, targetId: string, window: WindowInfo, signal?: AbortSignal): AlertDecision[] {
  const probeIds = new Set(probesOfTarget(services, targetId).map((summary) => summary.probe.id));
  const found: AlertDecision[] = [];
  let before: number | undefined;
  for (;;) {
    if (signal?.aborted) throw abortReason(signal);
    const page = services.alerts.history({ limit: ALERT_PAGE, before });
    for (const decision of page) if (probeIds.has(decision.probeId) && inWindow(decision.at, window)) found.push(decision);
    const last = page[page.length - 1];
    if (page.length < ALERT_PAGE || !last || Date.parse(last.at) < window.fromMs) break;
    before = last.id;
  }
  return found.reverse();
}

export const collectAlerts: SectionCollector = async (run) => {
  await run.addJson('alerts.json', { alerts: alertsInWindow(run.services, run.target.id, run.window, run.signal) });
};

export const estimateAlerts: SectionEstimator = ({ services, target, window }) => {
  const alerts = alertsInWindow(services, target.id, window);
  return Promise.resolve(sized(alerts.length * 400, null));
};

// ——— audit ———

function auditInWindow(services: Services, targetId: string, window: WindowInfo): AuditEntry[] {
  return services.audit
    .list({ targetId, limit: AUDIT_LIMIT })
    .filter((entry) => inWindow(entry.at, window))
    .reverse();
}

export const collectAudit: SectionCollector = async (run) => {
  await run.addJson('audit.json', { entries: auditInWindow(run.services, run.target.id, run.window) });
};

export const estimateAudit: SectionEstimator = ({ services, target, window }) =>
  Promise.resolve(sized(auditInWindow(services, target.id, window).length * 300, null));

// ——— frontend errors ———

export interface FrontendErrorGroup {
  message: string;
  count: number;
  first: string;
  last: string;
  routes: string[];
  buildHashes: string[];
}

/** Errors with the same message are one group (the reporter already folds repeats into `count`). */
export function groupFrontendErrors(errors: readonly FrontendError[]): FrontendErrorGroup[] {
  const groups = new Map<string, FrontendErrorGroup>();
  for (const error of errors) {
    let group = groups.get(error.message);
    if (!group) groups.set(error.message, (group = { message: error.message, count: 0, first: error.receivedAt, last: error.receivedAt, routes: [], buildHashes: [] }));
    group.count += error.count;
    if (error.receivedAt < group.first) group.first = error.receivedAt;
    if (error.receivedAt > group.last) group.last = error.receivedAt;
    if (!group.routes.includes(error.route) && group.routes.length < 20) group.routes.push(error.route);
    if (error.buildHash && !group.buildHashes.includes(error.buildHash)) group.buildHashes.push(error.buildHash);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

export const collectFrontendErrors: SectionCollector = async (run) => {
  const { services, target, window, signal } = run;
  if (target.kind !== 'ops-api') {
    run.note(ONLY_OPS_API_FRONTEND);
    return;
  }
  const { errors } = await services.opsApi.client(target.id).frontendLogs({ since: window.from }, { signal });
  const raw = errors.filter((error) => inWindow(error.receivedAt, window));
  await run.addJson('frontend-errors.json', { groups: groupFrontendErrors(raw), raw });
};

export const estimateFrontendErrors: SectionEstimator = ({ target }) =>
  Promise.resolve(target.kind === 'ops-api' ? sized(32 * 1024, null) : unavailable(ONLY_OPS_API_FRONTEND));

// ——— the agent's bundle ———

export const collectAgentBundle: SectionCollector = async (run) => {
  const { services, target, signal, redactor } = run;
  if (target.kind !== 'ops-api') {
    run.note(ONLY_OPS_API_AGENT);
    return;
  }
  const gzipped = await services.opsApi.client(target.id).supportBundle({ signal });
  // The agent redacts its own secrets, not the app's keychain values: redact it again.
  const parsed: unknown = JSON.parse((await gunzipAsync(gzipped)).toString('utf8'));
  const redacted = await gzipAsync(Buffer.from(JSON.stringify(redactor.json('agent-bundle.json.gz', parsed))));
  if (redacted.length > run.remainingBudget()) {
    run.cut({ file: 'agent-bundle.json.gz', keptBytes: 0, keptLines: null, droppedBytes: redacted.length, droppedLines: null, reason: "Over the bundle's total budget: the agent's bundle is left out." });
    return;
  }
  await run.addFile('agent-bundle.json.gz', redacted, 'application/gzip');
};

export const estimateAgentBundle: SectionEstimator = ({ target }) =>
  Promise.resolve(target.kind === 'ops-api' ? sized(256 * 1024, null) : unavailable(ONLY_OPS_API_AGENT));

// ——— the app ———

export function appFacts() {
  return { version: APP_VERSION, platform: process.platform, arch: process.arch, node: process.versions.node, electron: process.versions.electron ?? null };
}

export const collectApp: SectionCollector = async (run) => {
  await run.addJson('app.json', appFacts());
};

export const estimateApp: SectionEstimator = () => Promise.resolve(sized(200, null));
