/**
 * Collects a bundle's sections for a target and window from what the app holds (the log cache,
 * probe results and artifacts, alert history, runs with events and artifacts, the audit log) and
 * what the target answers now (its context or Docker overview, a fresh log tail, frontend errors,
 * the agent's own bundle). Streams every section into the writer through the redactor, within the
 * caps, with progress and cancel.
 *
 * A section that fails is a note in the manifest ("could not be collected: <why>"), never a
 * failed export: an unreachable target still gets a bundle of what the app cached. Only a cancel
 * (the signal) or the writer itself failing ends the export.
 */
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  BUNDLE_SECTION_LABELS,
  BUNDLE_SECTIONS,
  type BundleEstimate,
  type BundleManifest,
  type BundleRequest,
  type BundleSectionId,
  type CutNote,
  type ManifestFile,
  type ResolvedWindow,
  type SectionEstimate,
} from '../../../shared/model/bundle';
import type { Target } from '../../../shared/model/target';
import type { BundleWriter, FileBody, WrittenFile } from '../../../node/bundle/bundle-writer';
import { abortReason, isAbort } from '../../../node/abort';
import { systemClock, type Clock } from '../../../node/clock';
import type { Services } from '../index';
import type { BundleRedactor } from './bundle-redaction';
import { resolveBundleWindow, type WindowInfo } from './bundle-window';
import { collectContext, estimateContext } from './sections/context-section';
import { collectLogs, estimateLogs } from './sections/logs-section';
import { collectProbes, estimateProbes } from './sections/probes-section';
import {
  appFacts,
  collectAgentBundle,
  collectAlerts,
  collectApp,
  collectAudit,
  collectFrontendErrors,
  estimateAgentBundle,
  estimateAlerts,
  estimateApp,
  estimateAudit,
  estimateFrontendErrors,
} from './sections/records-sections';
import { collectRuns, estimateRuns } from './sections/runs-section';
import { jsonText, reasonOf, type SectionCollector, type SectionEstimator, type SectionRun } from './sections/section-kit';

export interface CollectProgress {
  section: BundleSectionId | null;
  fraction: number;
  message: string;
}

export interface CollectOptions {
  services: Services;
  request: BundleRequest;
  writer: BundleWriter;
  redactor: BundleRedactor;
  signal: AbortSignal;
  onProgress(progress: CollectProgress): void;
  /** The time the window is measured from and the manifest's `created`; the system clock by default. */
  clock?: Clock;
  /** An estimate already made (the progress bar's scale); made here when absent. */
  estimate?: BundleEstimate;
}

/**
 * The order sections are collected in: the context first, because a Docker target's environment
 * gives the redactor secret values that must be masked in every later section.
 */
const ORDER: readonly BundleSectionId[] = ['app', 'context', 'logs', 'probes', 'alerts', 'runs', 'frontend-errors', 'audit', 'agent-bundle'];

const COLLECTORS: Record<BundleSectionId, SectionCollector> = {
  app: collectApp,
  context: collectContext,
  logs: collectLogs,
  probes: collectProbes,
  alerts: collectAlerts,
  runs: collectRuns,
  'frontend-errors': collectFrontendErrors,
  audit: collectAudit,
  'agent-bundle': collectAgentBundle,
};

const ESTIMATORS: Record<BundleSectionId, SectionEstimator> = {
  app: estimateApp,
  context: estimateContext,
  logs: estimateLogs,
  probes: estimateProbes,
  alerts: estimateAlerts,
  runs: estimateRuns,
  'frontend-errors': estimateFrontendErrors,
  audit: estimateAudit,
  'agent-bundle': estimateAgentBundle,
};

export async function resolveWindow(services: Services, request: BundleRequest, clock: Clock = systemClock): Promise<ResolvedWindow> {
  const { from, to, description } = await resolveBundleWindow(services, services.targets.get(request.targetId), request, clock.now());
  return { from, to, description };
}

export async function estimateBundle(services: Services, request: BundleRequest, clock: Clock = systemClock): Promise<BundleEstimate> {
  const target = services.targets.get(request.targetId);
  const window = await resolveBundleWindow(services, target, request, clock.now());
  return estimateWithin(services, target, request, window);
}

async function estimateWithin(services: Services, target: Target, request: BundleRequest, window: WindowInfo): Promise<BundleEstimate> {
  const sections: SectionEstimate[] = [];
  for (const id of BUNDLE_SECTIONS) {
    let size;
    try {
      size = await ESTIMATORS[id]({ services, target, request, window });
    } catch (error) {
      size = { bytes: 0, lines: null, available: false, note: reasonOf(error), overCapBytes: 0 };
    }
    sections.push({ id, label: BUNDLE_SECTION_LABELS[id], ...size });
  }
  const included = sections.filter((section) => !request.exclude.includes(section.id));
  const totalBytes = included.reduce((sum, section) => sum + section.bytes - section.overCapBytes, 0);
  // What the total budget cuts on top of the per-section caps falls on the logs (the biggest).
  const logs = sections.find((section) => section.id === 'logs');
  if (logs && totalBytes > request.limits.totalBytes) logs.overCapBytes += totalBytes - request.limits.totalBytes;
  return {
    sections,
    totalBytes: Math.min(totalBytes, request.limits.totalBytes),
    budgetBytes: request.limits.totalBytes,
    window: { from: window.from, to: window.to, description: window.description },
  };
}

/** Writes every section; returns the manifest to finish the writer with. */
export async function collectBundle(options: CollectOptions): Promise<BundleManifest> {
  const { services, request, writer, redactor, signal, onProgress } = options;
  const clock = options.clock ?? systemClock;
  const created = new Date(clock.now()).toISOString();
  const target = services.targets.get(request.targetId);
  const window = await resolveBundleWindow(services, target, request, clock.now());
  const estimate = options.estimate ?? (await estimateWithin(services, target, request, window));
  const files: ManifestFile[] = [];
  const notes: BundleManifest['notes'] = [];
  const cut: CutNote[] = [];
  let used = 0;
  if (window.note) notes.push({ section: 'context', message: window.note });

  // Progress over the estimate: each section weighs its estimated bytes (at least a little).
  const planned = ORDER.filter((id) => !request.exclude.includes(id));
  const weightOf = (id: BundleSectionId) => Math.max(1024, estimate.sections.find((section) => section.id === id)?.bytes ?? 0);
  const totalWeight = planned.reduce((sum, id) => sum + weightOf(id), 0);
  let doneWeight = 0;
  // What the sections still to come are expected to need (at most half the budget) is kept for
  // them: the logs, collected early, would otherwise take it all and leave probes.json cut.
  const reserveAfter = (id: BundleSectionId) => {
    const later = planned.slice(planned.indexOf(id) + 1);
    const expected = later.reduce((sum, next) => {
      const section = estimate.sections.find((candidate) => candidate.id === next);
      return sum + (section?.available ? Math.max(0, section.bytes - section.overCapBytes) : 0);
    }, 0);
    return Math.min(expected, Math.floor(request.limits.totalBytes / 2));
  };

  for (const id of BUNDLE_SECTIONS) {
    if (request.exclude.includes(id)) notes.push({ section: id, message: 'Left out when the bundle was made.' });
  }
  for (const id of planned) {
    if (signal.aborted) throw abortReason(signal);
    const weight = weightOf(id);
    const report = (fraction: number, message: string) =>
      onProgress({ section: id, fraction: Math.min(1, (doneWeight + weight * Math.min(1, Math.max(0, fraction))) / totalWeight), message });
    report(0, BUNDLE_SECTION_LABELS[id]);
    const addFile = async (path: string, body: FileBody, contentType: string): Promise<WrittenFile> => {
      const written = await writer.addFile(path, body, { contentType, signal });
      used += written.bytes;
      files.push({ path: written.path, section: id, bytes: written.bytes, sha256: written.sha256, contentType, lines: written.lines });
      return written;
    };
    const run: SectionRun = {
      services,
      target,
      request,
      window,
      redactor,
      signal,
      clock,
      addFile,
      addJson: async (path, value) => {
        const text = jsonText(redactor.json(path, value));
        const bytes = Buffer.byteLength(text);
        if (bytes > request.limits.totalBytes - used) {
          cut.push({ file: path, keptBytes: 0, keptLines: null, droppedBytes: bytes, droppedLines: null, reason: "Over the bundle's total budget: the file is left out." });
          return null;
        }
        return addFile(path, text, 'application/json');
      },
      remainingBudget: () => Math.max(0, request.limits.totalBytes - used - reserveAfter(id)),
      note: (message) => notes.push({ section: id, message }),
      cut: (note) => cut.push(note),
      progress: report,
      addSecrets: (values) => addRedactorSecrets(redactor, values),
    };
    try {
      await COLLECTORS[id](run);
    } catch (error) {
      if (signal.aborted || isAbort(error)) throw signal.aborted ? abortReason(signal) : error;
      notes.push({ section: id, message: `Could not be collected: ${reasonOf(error)}` });
    }
    doneWeight += weight;
    report(1, BUNDLE_SECTION_LABELS[id]);
  }

  const app = appFacts();
  return {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    created,
    app: { version: app.version, platform: app.platform, arch: app.arch },
    target: { id: target.id, name: target.name, environment: target.environment, kind: target.kind },
    window: { from: window.from, to: window.to, description: window.description },
    sections: BUNDLE_SECTIONS.map((id) => {
      const mine = files.filter((file) => file.section === id);
      return { id, included: !request.exclude.includes(id), files: mine.length, bytes: mine.reduce((sum, file) => sum + file.bytes, 0) };
    }),
    files,
    notes,
    cut,
    redaction: { rules: redactor.ruleNames(), counts: redactor.counts(), total: redactor.total() },
    redactedFrom: null,
  };
}

/**
 * Values found while collecting (a container's secret environment) must be masked in every file.
 * The service reads them before it makes the redactor (environmentSecrets), so normally they are
 * among its secrets already; one that is not (a container started since) joins through the
 * redactor's `addSecrets` when it has one — otherwise the section fails rather than leak it.
 */
function addRedactorSecrets(redactor: BundleRedactor, values: readonly string[]): void {
  const known = new Set(redactor.setup.secrets);
  const missing = values.filter((value) => !known.has(value));
  if (!missing.length) return;
  const extendable = redactor as BundleRedactor & { addSecrets?: (values: readonly string[]) => void };
  if (typeof extendable.addSecrets === 'function') extendable.addSecrets(missing);
  else throw new Error('A container holds secret environment values the redactor was not given (it started during the export); export again.');
}
