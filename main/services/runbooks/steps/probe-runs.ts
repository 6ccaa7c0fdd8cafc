/**
 * Runs probes now and waits for their results — what the probe step and `wait until: probe-ok`
 * need, and what the probes service only starts (`runNow` answers at once).
 *
 * A result counts once the store holds a newer one than before the run was asked for. Local
 * probes are noticed as their runs are recorded (the service's updates); host probes run on
 * their agent, so their target is read again every few seconds until the copy arrives. A probe
 * already running is joined rather than run twice, as the service itself does.
 */
import { delay } from '../../../../node/clock';
import { ApiError } from '../../../../shared/errors';
import type { ProbeResult, ProbeSummary } from '../../../../shared/model/probe';
import { StepFailure, type StepContext } from '../step-kind';

/** How often a host probe's target is read while its result is awaited. */
const HOST_SYNC_MS = 2_000;
/** How often the store is looked at besides the updates (a missed update costs at most this). */
const RECHECK_MS = 1_000;

export interface ProbeRun {
  summary: ProbeSummary;
  result: ProbeResult;
}

/** The probes a step names: one by name or id, or every unpaused one of a scope. */
export function selectProbes(context: StepContext, selection: { probe?: string | undefined; scope?: string | undefined }): ProbeSummary[] {
  const list = context.services.probes.list();
  const probe = selection.probe?.trim();
  if (probe) {
    const found = list.find((s) => s.probe.id === probe) ?? list.find((s) => s.probe.name === probe);
    if (!found) throw new StepFailure(`There is no probe named ${probe} — check the name on the Integrations page.`);
    return [found];
  }
  const scope = selection.scope?.trim();
  if (!scope) throw new StepFailure('Say which probes to run: set probe (a name or id) or scope.');
  const inScope = list.filter((s) => s.probe.scope === scope && !s.probe.paused);
  if (!inScope.length) throw new StepFailure(`No probe is in scope ${scope} — check the scope on the Integrations page.`);
  return inScope;
}

/** Long enough for every attempt of the slowest probe to time out, and for a host's copy to arrive. */
function resultLimitMs(summaries: readonly ProbeSummary[]): number {
  const longest = Math.max(...summaries.map((s) => s.probe.timeoutSeconds * (1 + s.probe.retries)));
  return longest * 1000 + 60_000;
}

/** Runs each probe now and resolves with every one's new result; aborts with the step. */
export async function runAndAwait(context: StepContext, summaries: readonly ProbeSummary[]): Promise<ProbeRun[]> {
  const { probes, hostProbes } = context.services;
  const { clock, signal } = context;
  const before = new Map(summaries.map((s) => [s.probe.id, probes.store.lastResult(s.probe.id)?.id ?? 0]));
  const pending = new Map(summaries.map((s) => [s.probe.id, s]));
  const done: ProbeRun[] = [];
  let wake: (() => void) | undefined;
  const collect = () => {
    for (const [id, summary] of pending) {
      const last = probes.store.lastResult(id);
      if (last && last.id > before.get(id)!) {
        pending.delete(id);
        done.push({ summary, result: last });
      }
    }
  };
  const off = probes.onUpdate((update) => {
    if (update.type === 'summary' && pending.has(update.summary.probe.id)) wake?.();
  });
  try {
    const local = summaries.filter((s) => s.origin.kind === 'local');
    const remote = summaries.filter((s) => s.origin.kind === 'host');
    for (const s of local) probes.runNow({ probeId: s.probe.id }, 'manual');
    for (const s of remote) {
      try {
        await hostProbes.runRemote(s.probe.id);
      } catch (error) {
        const reason = error instanceof ApiError || error instanceof Error ? error.message : String(error);
        throw new StepFailure(`Host probe ${s.probe.name} could not be run: ${reason}`);
      }
    }
    const startedAt = clock.now();
    const limitMs = resultLimitMs(summaries);
    let syncedAt = startedAt;
    for (;;) {
      collect();
      if (!pending.size) break;
      if (clock.now() - startedAt > limitMs) {
        const names = [...pending.values()].map((s) => s.probe.name).join(', ');
        throw new StepFailure(`No result came from ${names} within ${Math.round(limitMs / 1000)} s — look at the probe on the Integrations page.`);
      }
      // Wakes on the service's update for one of ours, or after RECHECK_MS, whichever first.
      const tick = new AbortController();
      wake = () => tick.abort();
      await delay(clock, RECHECK_MS, AbortSignal.any([signal, tick.signal])).catch((error: unknown) => {
        if (signal.aborted) throw error;
      });
      if (clock.now() - syncedAt >= HOST_SYNC_MS) {
        syncedAt = clock.now();
        const targets = new Set([...pending.values()].flatMap((s) => (s.origin.kind === 'host' ? [s.origin.targetId] : [])));
        await Promise.all([...targets].map((id) => hostProbes.sync(id).catch(() => undefined)));
      }
    }
  } finally {
    off();
  }
  const order = summaries.map((s) => s.probe.id);
  return done.sort((a, b) => order.indexOf(a.summary.probe.id) - order.indexOf(b.summary.probe.id));
}
