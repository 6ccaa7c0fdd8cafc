/**
 * logs/<source>.ndjson: every cached source of the target (and every source it has now, when
 * it answers), the window's lines oldest first, one LogEntry per line with its message redacted.
 *
 * The cache is read a page at a time, so a gigabyte of cached lines never sits in memory. A
 * fresh tail read from the target is merged in without repeating what the cache holds (same time
 * and message). Caps by lines and bytes per source — and the total budget — keep the NEWEST lines
 * (what a person debugging wants) and say in the manifest what was left out.
 */
import { isoToMs } from '../../../../shared/iso-time';
import type { LogEntry } from '../../../../shared/model/logs';
import { abortReason } from '../../../../node/abort';
import type { LogCursor } from '../../logs/log-cache';
import { readRecentLogs } from '../../logs/recent-logs';
import { reasonOf, safeName, sized, type SectionCollector, type SectionEstimator, type SectionRun } from './section-kit';

const PAGE_LINES = 2_000;
/** Lines of a fresh tail per source: the newest the cache may not have yet. */
const FRESH_TAIL_LINES = 5_000;
/** How long a target gets to list its sources before the cache alone is used. */
const REACH_TIMEOUT_MS = 10_000;

export const collectLogs: SectionCollector = async (run) => {
  const { services, target, signal } = run;
  const cached = services.logs.cache.sourcesOfTarget(target.id).map((row) => row.source);
  let live: string[] = [];
  let reachable = true;
  try {
    live = (await services.logs.sources(target.id, AbortSignal.any([signal, AbortSignal.timeout(REACH_TIMEOUT_MS)]))).map((option) => option.key);
  } catch (error) {
    if (signal.aborted) throw abortReason(signal);
    reachable = false;
    run.note(`${target.name} could not be reached for a fresh tail (${reasonOf(error).replace(/\.$/, '')}); the lines are from the log cache only.`);
  }
  const keyOf = (name: string) => `${target.kind === 'ops-api' ? 'service' : 'container'}:${name}`;
  const names = [...new Set([...cached, ...live.map((key) => key.slice(key.indexOf(':') + 1))])].sort();
  if (!names.length) {
    run.note('No log lines of this target are cached and it has no sources to read now.');
    return;
  }
  let failedTails = 0;
  // Smallest first for the budget: each source may take an equal share of what is left, and what
  // a small one leaves goes to the bigger ones after it.
  const sizes = new Map(names.map((name) => [name, services.logs.cache.windowTotals(target.id, name, run.window.fromMs, run.window.toMs).bytes]));
  names.sort((a, b) => sizes.get(a)! - sizes.get(b)! || a.localeCompare(b));
  for (const [index, name] of names.entries()) {
    if (signal.aborted) throw abortReason(signal);
    run.progress(index / names.length, `Logs of ${name}`);
    let fresh: LogEntry[] = [];
    if (reachable && live.includes(keyOf(name))) {
      try {
        fresh = (await readRecentLogs(services, { targetId: target.id, sources: [keyOf(name)], since: run.window.from, tail: FRESH_TAIL_LINES })).entries;
      } catch {
        failedTails++;
      }
    }
    const share = Math.floor(run.remainingBudget() / (names.length - index));
    await writeSource(run, name, fresh, share, (fraction) => run.progress((index + fraction) / names.length, `Logs of ${name}`));
  }
  if (failedTails) run.note(`The fresh tail of ${failedTails} source(s) could not be read; their lines are from the log cache only.`);
};

async function writeSource(run: SectionRun, name: string, freshTail: LogEntry[], budget: number, progress: (fraction: number) => void): Promise<void> {
  const { services, target, window, request, signal, redactor } = run;
  const cache = services.logs.cache;
  const path = `logs/${safeName(name)}.ndjson`;
  const fresh = notCached(run, name, freshTail.filter((entry) => isoToMs(entry.ts) >= window.fromMs && isoToMs(entry.ts) <= window.toMs));
  const maxLines = request.limits.logLinesPerSource;
  const maxBytes = Math.min(request.limits.logBytesPerSource, budget);
  const overhead = lineOverhead(target.id, name);
  const cost = (messageBytes: number) => messageBytes + overhead;
  // The fresh lines are the newest: they take their share of the caps first.
  let keptFresh = 0;
  let freshBytes = 0;
  for (let i = fresh.length - 1; i >= 0; i--) {
    const bytes = cost(Buffer.byteLength(fresh[i]!.message));
    if (keptFresh + 1 > maxLines || freshBytes + bytes > maxBytes) break;
    keptFresh++;
    freshBytes += bytes;
  }
  const freshKept = fresh.slice(fresh.length - keptFresh);
  const fromCache = cache.newestWithin(target.id, name, window, {
    maxLines: maxLines - keptFresh,
    maxBytes: maxBytes - freshBytes,
    lineOverhead: overhead,
  });
  const totals = cache.windowTotals(target.id, name, window.fromMs, window.toMs);
  const totalLines = totals.lines + fresh.length;
  const plannedLines = fromCache.lines + keptFresh;
  let written = { lines: 0, bytes: 0, overflow: 0 };
  const body = async function* (): AsyncGenerator<string> {
    let position: { start: LogCursor } | { after: LogCursor } | null = fromCache.start ? { start: fromCache.start } : null;
    let pending = 0;
    const emit = (entry: LogEntry): string | null => {
      const line = `${JSON.stringify({ ...entry, message: redactor.text(path, entry.message) })}\n`;
      const bytes = Buffer.byteLength(line);
      // Redaction or JSON escaping can make a line longer than priced: the cap still holds.
      if (written.bytes + bytes > maxBytes) {
        written.overflow++;
        return null;
      }
      written.lines++;
      written.bytes += bytes;
      return line;
    };
    while (position) {
      if (signal.aborted) throw abortReason(signal);
      const page = cache.pageForward(target.id, name, position, window.toMs, PAGE_LINES);
      if (!page.length) break;
      let chunk = '';
      for (const { entry } of page) {
        // Fresh lines older than this cached one go first, so the file stays in time order.
        while (pending < freshKept.length && isoToMs(freshKept[pending]!.ts) < isoToMs(entry.ts)) chunk += emit(freshKept[pending++]!) ?? '';
        chunk += emit(entry) ?? '';
      }
      if (chunk) yield chunk;
      progress(plannedLines ? written.lines / plannedLines : 1);
      position = page.length < PAGE_LINES ? null : { after: page[page.length - 1]!.cursor };
    }
    let rest = '';
    while (pending < freshKept.length) rest += emit(freshKept[pending++]!) ?? '';
    if (rest) yield rest;
  };
  written = { lines: 0, bytes: 0, overflow: 0 };
  await run.addFile(path, body(), 'application/x-ndjson');
  const droppedLines = totalLines - written.lines;
  if (droppedLines > 0) {
    const averageBytes = written.lines ? written.bytes / written.lines : overhead;
    const byBudget = maxBytes < request.limits.logBytesPerSource && fromCache.bytes + freshBytes >= maxBytes - averageBytes * 2;
    run.cut({
      file: path,
      keptBytes: written.bytes,
      keptLines: written.lines,
      droppedBytes: Math.round(droppedLines * averageBytes),
      droppedLines,
      reason:
        written.lines >= maxLines
          ? `Over the cap of ${maxLines.toLocaleString('en')} lines per source: the newest lines are kept.`
          : byBudget
            ? `Over the bundle's total budget: the newest lines that fit are kept.`
            : `Over the cap of ${formatBytes(request.limits.logBytesPerSource)} per source: the newest lines are kept.`,
    });
  }
}

/** The fresh lines the cache does not hold (same time and message), in time order. */
function notCached(run: SectionRun, name: string, fresh: LogEntry[]): LogEntry[] {
  if (!fresh.length) return [];
  const cache = run.services.logs.cache;
  const seen = new Map<string, number>();
  const oldest = Math.min(...fresh.map((entry) => isoToMs(entry.ts)));
  let position: { start: LogCursor } | { after: LogCursor } = { start: { ts: oldest, id: 0 } };
  // The cache's lines over the tail's span are about as many as the tail: bounded.
  for (let pages = 0; pages < 50; pages++) {
    const page = cache.pageForward(run.target.id, name, position, run.window.toMs, PAGE_LINES);
    for (const { entry } of page) {
      const key = `${isoToMs(entry.ts)}\u0000${entry.message}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    if (page.length < PAGE_LINES) break;
    position = { after: page[page.length - 1]!.cursor };
  }
  const out: LogEntry[] = [];
  for (const entry of fresh) {
    const key = `${isoToMs(entry.ts)}\u0000${entry.message}`;
    const count = seen.get(key) ?? 0;
    if (count > 0) seen.set(key, count - 1);
    else out.push(entry);
  }
  return out.sort((a, b) => isoToMs(a.ts) - isoToMs(b.ts));
}

/** The bytes of an NDJSON line besides its message. */
function lineOverhead(targetId: string, name: string): number {
  const sample: LogEntry = { ts: '2026-01-01T00:00:00.000Z', target: targetId, service: name, container: name, stream: 'stdout', level: 'error', message: '' };
  return Buffer.byteLength(JSON.stringify(sample)) + 1;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) ? 1 : 0)} MB` : `${Math.round(bytes / 1024)} KB`;
}

export const estimateLogs: SectionEstimator = ({ services, target, request, window }) => {
  const cache = services.logs.cache;
  let bytes = 0;
  let lines = 0;
  let over = 0;
  for (const { source } of cache.sourcesOfTarget(target.id)) {
    const totals = cache.windowTotals(target.id, source, window.fromMs, window.toMs);
    const ndjson = totals.bytes + totals.lines * lineOverhead(target.id, source);
    const perLine = totals.lines ? ndjson / totals.lines : 0;
    const keptLines = Math.min(totals.lines, request.limits.logLinesPerSource);
    const kept = Math.min(keptLines * perLine, request.limits.logBytesPerSource);
    bytes += ndjson;
    lines += totals.lines;
    over += ndjson - kept;
  }
  return Promise.resolve(sized(bytes, lines, over));
};
