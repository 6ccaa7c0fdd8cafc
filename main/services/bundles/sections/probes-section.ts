/**
 * probes.json and probes/artifacts/<result>-<artifact>: the results of the window of every probe
 * that concerns the target — its Docker, SSH and ops-API probes, the host probes its agent runs —
 * and the probes tied to no target (HTTP, TLS, DNS…, which watch what the target serves).
 */
import type { ProbeResult, ProbeSummary } from '../../../../shared/model/probe';
import { abortReason } from '../../../../node/abort';
import type { Services } from '../../index';
import type { WindowInfo } from '../bundle-window';
import { inWindow, safeName, sized, type SectionCollector, type SectionEstimator } from './section-kit';

const PAGE = 200;
/** Text artifacts are redacted; these content types are text. */
const TEXT_TYPES = /^(text\/|application\/(json|xml|x-ndjson|javascript|x-yaml|yaml))/;
/** A guess per result when estimating (JSON of one result with its conditions). */
const RESULT_BYTES = 900;

/** The probes a target's bundle takes. */
export function probesOfTarget(services: Services, targetId: string): ProbeSummary[] {
  return services.probes.list().filter((summary) => {
    if (summary.origin.kind === 'host') return summary.origin.targetId === targetId;
    const settings = summary.probe.settings as { targetId?: string };
    return settings.targetId === undefined || settings.targetId === targetId;
  });
}

/** A probe's results in the window, oldest first, paging back from the newest. */
function resultsInWindow(services: Services, probeId: string, window: WindowInfo, signal: AbortSignal): ProbeResult[] {
  const found: ProbeResult[] = [];
  let before: number | undefined;
  for (;;) {
    if (signal.aborted) throw abortReason(signal);
    const page = services.probes.results(probeId, { before, limit: PAGE });
    for (const result of page) if (inWindow(result.startedAt, window)) found.push(result);
    const last = page[page.length - 1];
    if (page.length < PAGE || !last || Date.parse(last.startedAt) < window.fromMs) break;
    before = last.id;
  }
  return found.reverse();
}

export const collectProbes: SectionCollector = async (run) => {
  const { services, target, window, signal, redactor } = run;
  const probes = probesOfTarget(services, target.id);
  const entries = [];
  const artifacts: { result: ProbeResult; id: string; name: string; contentType: string }[] = [];
  for (const summary of probes) {
    const results = resultsInWindow(services, summary.probe.id, window, signal);
    for (const result of results) for (const artifact of result.artifacts) artifacts.push({ result, ...artifact });
    entries.push({
      probe: { id: summary.probe.id, name: summary.probe.name, kind: summary.probe.kind, scope: summary.probe.scope, check: summary.probe.check, settings: summary.probe.settings },
      origin: summary.origin,
      status: summary.status,
      results,
    });
  }
  await run.addJson('probes.json', { probes: entries });
  let failed = 0;
  for (const [index, artifact] of artifacts.entries()) {
    if (signal.aborted) throw abortReason(signal);
    run.progress(0.5 + (0.5 * index) / artifacts.length, 'Probe artifacts');
    const path = `probes/artifacts/${artifact.result.id}-${safeName(artifact.id)}`;
    try {
      const chunks: Buffer[] = [];
      let offset = 0;
      for (;;) {
        const chunk = await services.probes.readArtifact({ resultId: artifact.result.id, artifactId: artifact.id, offset });
        const bytes = Buffer.from(chunk.base64, 'base64');
        chunks.push(bytes);
        offset += bytes.length;
        if (chunk.eof || bytes.length === 0) break;
      }
      const content = Buffer.concat(chunks);
      if (content.length > run.remainingBudget()) {
        run.cut({ file: path, keptBytes: 0, keptLines: null, droppedBytes: content.length, droppedLines: null, reason: "Over the bundle's total budget: the artifact is left out." });
        continue;
      }
      const text = TEXT_TYPES.test(artifact.contentType);
      await run.addFile(path, text ? redactor.text(path, content.toString('utf8')) : content, artifact.contentType);
    } catch {
      failed++;
    }
  }
  if (failed) run.note(`${failed} probe artifact(s) could not be read (removed by retention?).`);
};

export const estimateProbes: SectionEstimator = ({ services, target, window }) => {
  let results = 0;
  let artifactBytes = 0;
  const signal = new AbortController().signal;
  for (const summary of probesOfTarget(services, target.id)) {
    for (const result of resultsInWindow(services, summary.probe.id, window, signal)) {
      results++;
      for (const artifact of result.artifacts) artifactBytes += artifact.bytes;
    }
  }
  return Promise.resolve(sized(results * RESULT_BYTES + artifactBytes, null));
};
