/**
 * `opsctl probes list | run | history`: integration probes from a terminal, through the contract.
 *
 * `run` asks for the runs (`probes:run`, trigger `cli`) and then follows `probes:updates` until
 * every started probe has a new result, so a script gets the outcome, not just "started"; it exits
 * 1 when any of them failed (a `warn` is not a failure). The subscription is made before the runs
 * are asked for, so a run that finishes at once is not missed.
 */
import { ApiError } from '../../shared/errors';
import type { ProbeResult, ProbeSelection, ProbeSummary, ProbeUpdate } from '../../shared/model/probe';
import type { ControlRoomApi } from '../../shared/transport';
import { UsageError } from './session';

export interface ProbesCommandOptions {
  scope?: string | undefined;
  provider?: string | undefined;
  probe?: string | undefined;
  limit?: string | undefined;
  plain: boolean;
}

export interface ProbesIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Ends a `run` that is still waiting (Ctrl+C). */
  stop: AbortSignal;
}

/** What one run printed: the probe's name and where it belongs, and the result itself. */
export interface ProbeRunReport {
  probe: string;
  scope: string;
  provider: string | null;
  result: ProbeResult;
}

/** Runs `opsctl probes <sub> ...`; resolves with the exit code. */
export async function probesCommand(
  api: ControlRoomApi,
  positionals: string[],
  options: ProbesCommandOptions,
  io: ProbesIo,
): Promise<number> {
  const [sub, ...rest] = positionals;
  switch (sub) {
    case 'list':
    case undefined: {
      const summaries = await api.invoke('probes:list', {});
      if (options.plain) plainSummaries(summaries).forEach((line) => io.out(line));
      else io.out(JSON.stringify(summaries, null, 2));
      return 0;
    }
    case 'run': {
      const reports = await runAndWait(api, await selectionOf(api, options), io.stop);
      if (options.plain) reports.forEach((report) => io.out(plainReport(report)));
      else io.out(JSON.stringify(reports, null, 2));
      return reports.some((report) => report.result.status === 'fail') ? 1 : 0;
    }
    case 'history': {
      const name = rest[0];
      if (!name) throw new UsageError('Name the probe: opsctl probes history <name>.');
      const limit = options.limit === undefined ? 50 : Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit takes a whole number from 1 to 1000.');
      const summary = await findProbe(api, name);
      const results = await api.invoke('probes:results', { probeId: summary.probe.id, limit });
      if (options.plain) {
        if (!results.length) io.out(`${summary.probe.name} has not run yet.`);
        results.forEach((result) => io.out(plainResult(result)));
      } else {
        io.out(JSON.stringify(results, null, 2));
      }
      return 0;
    }
    default:
      throw new UsageError(`Unknown probes command "${sub}": use list, run or history.`);
  }
}

async function selectionOf(api: ControlRoomApi, options: ProbesCommandOptions): Promise<ProbeSelection> {
  if (options.probe) {
    if (options.scope || options.provider) throw new UsageError('--probe names one probe; leave out --scope and --provider.');
    return { probeId: (await findProbe(api, options.probe)).probe.id };
  }
  return { ...(options.scope ? { scope: options.scope } : {}), ...(options.provider ? { provider: options.provider } : {}) };
}

async function findProbe(api: ControlRoomApi, name: string): Promise<ProbeSummary> {
  const summaries = await api.invoke('probes:list', {});
  const found = summaries.find((s) => s.probe.id === name || s.probe.name.toLowerCase() === name.toLowerCase());
  if (!found) throw new ApiError('not-found', `No probe named "${name}" — opsctl probes list lists them.`);
  return found;
}

/**
 * Asks for the runs and resolves once `started` probes have each finished with a result newer
 * than the one they had before, in the order they finished.
 */
async function runAndWait(api: ControlRoomApi, selection: ProbeSelection, stop: AbortSignal): Promise<ProbeRunReport[]> {
  const finished = new Map<string, ProbeRunReport>();
  let expected = Number.POSITIVE_INFINITY;
  let before: Map<string, number | null> | undefined;
  let wake = () => undefined as void;
  const early: ProbeSummary[] = [];
  const consider = (summary: ProbeSummary) => {
    if (!before) {
      early.push(summary);
      return;
    }
    const last = summary.lastResult;
    if (summary.running || !last || finished.has(summary.probe.id)) return;
    if (before.has(summary.probe.id) && before.get(summary.probe.id) === last.id) return;
    finished.set(summary.probe.id, { probe: summary.probe.name, scope: summary.probe.scope, provider: summary.probe.provider, result: last });
    if (finished.size >= expected) wake();
  };
  const unsubscribe = await api.subscribe('probes:updates', {}, (update: ProbeUpdate) => {
    if (update.type === 'summary') consider(update.summary);
  });
  try {
    before = new Map((await api.invoke('probes:list', {})).map((s) => [s.probe.id, s.lastResult?.id ?? null]));
    early.splice(0).forEach(consider);
    const { started } = await api.invoke('probes:run', selection);
    if (started === 0) {
      throw new ApiError('not-found', 'No probe matches that selection (paused probes only run when named) — opsctl probes list lists them.');
    }
    expected = started;
    if (finished.size < expected) {
      await new Promise<void>((resolve, reject) => {
        const onStop = () => reject(new ApiError('internal', `Stopped while waiting for ${expected - finished.size} probe run(s) to finish.`));
        if (stop.aborted) onStop();
        stop.addEventListener('abort', onStop, { once: true });
        wake = () => {
          stop.removeEventListener('abort', onStop);
          resolve();
        };
      });
    }
    return [...finished.values()];
  } finally {
    unsubscribe();
  }
}

/** The Integrations table as text: status, name, where it belongs, when it last ran and how. */
export function plainSummaries(summaries: ProbeSummary[]): string[] {
  if (!summaries.length) return ['No probes yet — add one on the Integrations screen.'];
  return summaries.map((s) => {
    const where = s.probe.provider ? `${s.probe.scope}/${s.probe.provider}` : s.probe.scope;
    const last = s.lastResult;
    const tail = last ? `${last.finishedAt}  ${Math.round(last.durationMs)} ms${last.error ? `  ${last.error}` : ''}` : 'never run';
    return `${s.status.padEnd(8)} ${s.probe.name.padEnd(28)} ${where.padEnd(22)} ${tail}`;
  });
}

function plainReport(report: ProbeRunReport): string {
  return `${report.result.status.padEnd(5)} ${report.probe.padEnd(28)} ${Math.round(report.result.durationMs)} ms${report.result.error ? `  ${report.result.error}` : ''}`;
}

function plainResult(result: ProbeResult): string {
  const failed = result.conditions.filter((c) => !c.passed).map((c) => c.expression);
  return [
    result.startedAt,
    result.status.padEnd(5),
    result.trigger.padEnd(9),
    `${Math.round(result.durationMs)} ms`.padStart(8),
    result.interrupted ? 'interrupted' : (result.error ?? ''),
    failed.length ? `(failed: ${failed.join(', ')})` : '',
  ]
    .filter(Boolean)
    .join('  ');
}
