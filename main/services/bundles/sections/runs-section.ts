/**
 * runs/<run id>/run.json, events.ndjson and artifacts/<artifact>: the runbook runs of the target
 * whose time overlaps the window, each within the per-run cap (events first, oldest first —
 * how a run began explains how it ended — then artifacts while they fit).
 */
import type { RunSummary } from '../../../../shared/model/runbook';
import { abortReason } from '../../../../node/abort';
import type { Services } from '../../index';
import type { WindowInfo } from '../bundle-window';
import { safeName, sized, type SectionCollector, type SectionEstimator } from './section-kit';

const RUN_PAGE = 100;
const EVENT_PAGE = 500;
/** Runs are listed newest first by creation; one created this long before the window may still overlap it. */
const LONGEST_RUN_MS = 24 * 3_600_000;
const TEXT_TYPES = /^(text\/|application\/(json|xml|x-ndjson|x-yaml|yaml))/;

export function runsInWindow(services: Services, targetId: string, window: WindowInfo, now: number, signal?: AbortSignal): RunSummary[] {
  const found: RunSummary[] = [];
  let before: string | undefined;
  for (;;) {
    if (signal?.aborted) throw abortReason(signal);
    const page = services.runbooks.listRuns({ targetId, limit: RUN_PAGE, ...(before ? { before } : {}) });
    for (const run of page) {
      const start = Date.parse(run.startedAt ?? run.createdAt);
      const end = run.endedAt ? Date.parse(run.endedAt) : now;
      if (start <= window.toMs && end >= window.fromMs) found.push(run);
    }
    const last = page[page.length - 1];
    if (page.length < RUN_PAGE || !last || Date.parse(last.createdAt) < window.fromMs - LONGEST_RUN_MS) break;
    before = last.id;
  }
  return found.reverse();
}

export const collectRuns: SectionCollector = async (run) => {
  const { services, target, window, signal, redactor, clock } = run;
  const runs = runsInWindow(services, target.id, window, clock.now(), signal);
  if (!runs.length) return;
  const cap = run.request.limits.runBytes;
  for (const [index, summary] of runs.entries()) {
    run.progress(index / runs.length, `Run ${summary.id}`);
    const dir = `runs/${safeName(summary.id)}`;
    const detail = services.runbooks.detail(summary.id);
    const written = await run.addJson(`${dir}/run.json`, detail);
    let used = written?.bytes ?? 0;
    const limit = Math.min(cap, run.remainingBudget() + used);
    // Events, a page at a time, until the run's cap.
    const eventsPath = `${dir}/events.ndjson`;
    let keptEvents = 0;
    let droppedEvents = 0;
    let after = 0;
    const events = async function* (): AsyncGenerator<string> {
      for (;;) {
        if (signal.aborted) throw abortReason(signal);
        const page = services.runbooks.store.eventsAfter(summary.id, after, EVENT_PAGE);
        if (!page.length) break;
        let chunk = '';
        for (const event of page) {
          const line = `${JSON.stringify(redactor.json(eventsPath, event))}\n`;
          const bytes = Buffer.byteLength(line);
          if (used + bytes > limit) {
            droppedEvents++;
            continue;
          }
          used += bytes;
          keptEvents++;
          chunk += line;
        }
        if (chunk) yield chunk;
        after = page[page.length - 1]!.seq;
        if (page.length < EVENT_PAGE) break;
      }
    };
    const eventsFile = await run.addFile(eventsPath, events(), 'application/x-ndjson');
    if (droppedEvents) {
      run.cut({ file: eventsPath, keptBytes: eventsFile.bytes, keptLines: keptEvents, droppedBytes: 0, droppedLines: droppedEvents, reason: `Over the cap of ${cap} bytes per run: the first events are kept.` });
    }
    for (const artifact of detail.artifacts) {
      const path = `${dir}/artifacts/${safeName(artifact.id)}-${safeName(artifact.name)}`;
      if (used + artifact.bytes > limit) {
        run.cut({ file: path, keptBytes: 0, keptLines: null, droppedBytes: artifact.bytes, droppedLines: null, reason: `Over the cap of ${cap} bytes per run: the artifact is left out.` });
        continue;
      }
      const chunks: Buffer[] = [];
      let offset = 0;
      for (;;) {
        const chunk = services.runbooks.artifact(summary.id, artifact.id, offset);
        const bytes = Buffer.from(chunk.base64, 'base64');
        chunks.push(bytes);
        offset += bytes.length;
        if (chunk.eof || bytes.length === 0) break;
      }
      const content = Buffer.concat(chunks);
      const body = TEXT_TYPES.test(artifact.contentType) ? redactor.text(path, content.toString('utf8')) : content;
      const file = await run.addFile(path, body, artifact.contentType);
      used += file.bytes;
    }
  }
};

export const estimateRuns: SectionEstimator = ({ services, target, window, request }) => {
  let bytes = 0;
  let over = 0;
  const runs = runsInWindow(services, target.id, window, Date.parse(window.to));
  for (const summary of runs) {
    const artifacts = services.runbooks.store.artifacts(summary.id).reduce((sum, artifact) => sum + artifact.bytes, 0);
    const size = 4 * 1024 + summary.lastSeq * 250 + artifacts;
    bytes += size;
    over += Math.max(0, size - request.limits.runBytes);
  }
  return Promise.resolve(sized(bytes, null, over));
};
