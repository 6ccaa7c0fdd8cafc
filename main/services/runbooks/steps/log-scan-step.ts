/**
 * The `log-scan` step kind: counts the lines matching a pattern in the offline log cache
 * (services.logs.query) of the target's sources since a time — "error lines since the deploy" —
 * and fails when more than `max` match. Read-only and safe to repeat. A named source the cache
 * holds no lines of (nobody had its logs open) is read from the target itself.
 *
 * The cache answers the newest `limit` lines of a range, so the scan pages backwards in time:
 * each next page ends at the oldest instant of the one before (inclusive), leaving out the lines
 * of that instant it has already seen, so lines sharing a millisecond are neither lost nor counted
 * twice. Patterns are JavaScript regular expressions; a leading `(?i)`, as other tools write it,
 * means case-insensitive.
 */
import { ApiError } from '../../../../shared/errors';
import type { LogEntry } from '../../../../shared/model/logs';
import type { StepParams } from '../../../../shared/model/runbook-steps';
import type { Target } from '../../../../shared/model/target';
import { abortReason } from '../../../../node/abort';
import { parseTimeInput } from '../../logs/time-input';
import { readRecentLogs } from '../../logs/recent-logs';
import { StepFailure, type StepContext, type StepKind } from '../step-kind';

type Params = StepParams<'log-scan'>;

export interface LogScanOptions {
  /** Lines read from the cache per page. */
  pageSize?: number;
}

const MAX_SAMPLES = 10;
const MAX_SAMPLE_CHARS = 300;

/** `(?i)error` → /error/i; a pattern JavaScript cannot read is a StepFailure saying so. */
export function scanPattern(pattern: string): RegExp {
  const insensitive = pattern.startsWith('(?i)');
  const source = insensitive ? pattern.slice(4) : pattern;
  try {
    return new RegExp(source, insensitive ? 'i' : '');
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : String(error);
    throw new StepFailure(`The pattern ${pattern.slice(0, 80)} is not a regular expression (${reason}): write it as JavaScript reads one.`);
  }
}

/** A time the step was given (a duration back from now on the clock, or an ISO time) in epoch ms. */
export function scanTime(text: string, field: 'since' | 'until', now: number): number {
  try {
    return parseTimeInput(text, field, now);
  } catch (error) {
    if (error instanceof ApiError) throw new StepFailure(`${field}: ${text.slice(0, 40)} is not a time — write a duration such as 15m or an ISO time.`);
    throw error;
  }
}

/** `max` as a template may have filled it: empty means no limit. */
export function scanMax(max: Params['max']): number | null {
  if (max === undefined) return null;
  if (typeof max === 'number') return max;
  if (max.trim() === '') return null;
  const value = Number(max);
  if (!Number.isFinite(value) || value < 0) throw new StepFailure(`max: ${max.slice(0, 40)} is not a number of lines.`);
  return value;
}

function sample(entry: LogEntry): string {
  const line = `${entry.container}: ${entry.message}`;
  return line.length > MAX_SAMPLE_CHARS ? `${line.slice(0, MAX_SAMPLE_CHARS - 1)}…` : line;
}

/** HH:MM (UTC) for the failure's sentence; the full instant is in the `since` output. */
function clockTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

/**
 * The cache's source names (containers, or an ops API's services) for what the step names: a
 * cached container by name (a `container:`/`service:` key's name too), or the containers whose
 * cached lines belong to that compose service. Empty names (an unfilled template) are ignored.
 */
function resolveSources(context: StepContext, target: Target, names: readonly string[]): { sources: string[] | undefined; missing: string[] } {
  const wanted = names.map((name) => name.trim().replace(/^(container|service):/, '')).filter(Boolean);
  if (wanted.length === 0) return { sources: undefined, missing: [] };
  const cached = context.services.logs.cacheInfo().services.filter((row) => row.target === target.id).map((row) => row.container);
  const serviceOf = new Map<string, string | null>();
  const service = (container: string) => {
    if (!serviceOf.has(container)) {
      const newest = context.services.logs.query({ targetId: target.id, sources: [`container:${container}`], limit: 1 }).entries[0];
      serviceOf.set(container, newest?.service ?? null);
    }
    return serviceOf.get(container);
  };
  const sources = new Set<string>();
  const missing: string[] = [];
  for (const name of wanted) {
    const found = cached.includes(name) ? [name] : cached.filter((container) => service(container) === name);
    if (found.length === 0) missing.push(name);
    for (const container of found) sources.add(container);
  }
  return { sources: [...sources], missing };
}

/** How many sources one fresh read takes (as one `logs:recent`). */
const FRESH_SOURCES = 12;

/**
 * Lines of sources the cache does not hold, read from the target itself (nobody had their logs
 * open): the containers or services named, or whose compose service is named. What cannot be
 * read is a warning; the names found nowhere are returned as still missing.
 */
async function readFresh(
  context: StepContext,
  target: Target,
  names: readonly string[],
  since: string,
  untilMs: number | undefined,
): Promise<{ entries: LogEntry[]; missing: string[] }> {
  try {
    const options = await context.services.logs.sources(target.id, context.signal);
    const nameOf = (key: string) => key.replace(/^(container|service):/, '');
    const keys = options.filter((option) => names.includes(nameOf(option.key)) || (option.service !== null && names.includes(option.service))).map((option) => option.key);
    const missing = names.filter((name) => !options.some((option) => nameOf(option.key) === name || option.service === name));
    if (keys.length === 0) return { entries: [], missing };
    const { entries } = await readRecentLogs(context.services, { targetId: target.id, sources: keys.slice(0, FRESH_SOURCES), since });
    context.log('info', `Read ${entries.length} lines of ${keys.map(nameOf).join(', ')} from ${target.name} itself: the log cache held none.`);
    return { entries: untilMs === undefined ? entries : entries.filter((entry) => Date.parse(entry.ts) <= untilMs), missing };
  } catch (error) {
    if (context.signal.aborted) throw abortReason(context.signal);
    context.log('warn', `Could not read the logs of ${names.join(', ')} from ${target.name}: ${error instanceof Error ? error.message : String(error)}`);
    return { entries: [], missing: [...names] };
  }
}

export function createLogScanStep(options: LogScanOptions = {}): StepKind<'log-scan'> {
  const pageSize = options.pageSize ?? 5_000;
  return {
    kind: 'log-scan',
    changes: () => false,
    repeatable: () => true,
    describe(params, target) {
      const where = params.sources.filter((s) => s.trim()).join(', ') || `every cached source${target ? ` of ${target.name}` : ''}`;
      const max = params.max === undefined || params.max === '' ? '' : `; at most ${params.max} allowed`;
      return `Count lines matching ${params.pattern} in the logs of ${where} since ${params.since}${params.until ? ` until ${params.until}` : ''}${max}`;
    },
    async run(params, context) {
      const target = context.target;
      if (!target) throw new StepFailure('The log-scan step needs a target whose logs are cached: run the runbook on a target.');
      const regex = scanPattern(params.pattern);
      const max = scanMax(params.max);
      const now = context.clock.now();
      const fromMs = scanTime(params.since, 'since', now);
      const untilMs = params.until?.trim() ? scanTime(params.until, 'until', now) : undefined;
      if (untilMs !== undefined && untilMs < fromMs) throw new StepFailure(`until (${params.until}) is before since (${params.since}): swap them.`);
      const since = new Date(fromMs).toISOString();
      const { sources, missing: uncached } = resolveSources(context, target, params.sources);
      // Sources nobody followed are not in the cache: read them from the target itself.
      const fresh = uncached.length ? await readFresh(context, target, uncached, since, untilMs) : { entries: [], missing: [] };
      if (sources && sources.length === 0 && fresh.entries.length === 0 && fresh.missing.length === uncached.length) {
        throw new StepFailure(`Neither the log cache nor ${target.name} has lines of ${uncached.join(', ')}: check the names, or follow their logs in the Logs pane so they are cached.`);
      }
      for (const name of fresh.missing) context.log('warn', `Neither the log cache nor ${target.name} has lines of ${name}; it is left out of the scan.`);
      if (!sources || sources.length) {
        context.log('info', `Scanning the cached logs of ${sources ? sources.join(', ') : `every source of ${target.name}`} since ${since} for ${params.pattern}.`);
      }

      const freshMatches = fresh.entries.filter((entry) => regex.test(entry.message));
      let count = freshMatches.length;
      let scanned = fresh.entries.length;
      let samples: string[] = freshMatches.slice(-MAX_SAMPLES).map(sample);
      // The page's upper end (inclusive) and how many lines of exactly that instant are already counted.
      let toMs = untilMs;
      let seenAtTo = 0;
      // Named sources that are all uncached were read fresh above; the cache has nothing more.
      for (; !sources || sources.length; ) {
        if (context.signal.aborted) throw abortReason(context.signal);
        const page = context.services.logs.query({
          targetId: target.id,
          sources: sources?.map((name) => `container:${name}`),
          from: since,
          to: toMs === undefined ? undefined : new Date(toMs).toISOString(),
          limit: seenAtTo + pageSize,
        });
        const fresh = page.entries.slice(0, Math.max(0, page.entries.length - seenAtTo));
        const matches = fresh.filter((entry) => regex.test(entry.message));
        count += matches.length;
        scanned += fresh.length;
        samples = [...matches.slice(0, MAX_SAMPLES).map(sample), ...samples].slice(0, MAX_SAMPLES);
        if (!page.truncated || page.entries.length === 0) break;
        const oldest = Date.parse(page.entries[0]!.ts);
        seenAtTo = page.entries.filter((entry) => Date.parse(entry.ts) === oldest).length;
        toMs = oldest;
      }

      const outputs = { count, samples, since };
      const summary = `${count} line${count === 1 ? '' : 's'} matched ${params.pattern} since ${clockTime(fromMs)}`;
      context.log('info', `${summary} (${scanned} lines scanned).`, { count, scanned });
      if (max !== null && count > max) throw new StepFailure(`${summary} (at most ${max} allowed): ${samples[0] ?? ''}`, outputs);
      return { message: `${summary}${max !== null ? ` (at most ${max} allowed)` : ''}.`, outputs };
    },
  };
}

export const logScanStep: StepKind<'log-scan'> = createLogScanStep();
