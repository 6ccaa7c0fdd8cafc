/**
 * The `probe` step kind: runs a probe (by name or id) or every probe of a scope now — local ones
 * through the probes service, host probes on their agent — and waits for their results.
 * Each result becomes a fact (`probe:<name>`), so an approval given while a probe was failing
 * goes stale once it passes, and the other way round.
 */
import type { StepKind } from '../step-kind';
import { StepFailure } from '../step-kind';
import { runAndAwait, selectProbes } from './probe-runs';

export const probeStep: StepKind<'probe'> = {
  kind: 'probe',
  changes: () => false,
  repeatable: () => true,
  describe(params) {
    const which = params.probe?.trim() ? `probe ${params.probe.trim()}` : `the probes of scope ${params.scope?.trim() ?? '?'}`;
    return params.require === 'ok' ? `Run ${which}; every one must be ok` : `Run ${which}`;
  },
  async run(params, context) {
    const selected = selectProbes(context, params);
    context.log('info', `Running ${selected.length === 1 ? `probe ${selected[0]!.probe.name}` : `${selected.length} probes`}…`);
    const runs = await runAndAwait(context, selected);
    const results = runs.map(({ summary, result }) => ({
      name: summary.probe.name,
      status: result.status,
      message: result.error ?? (result.status === 'ok' ? 'ok' : result.status),
    }));
    for (const r of results) context.fact(`probe:${r.name}`, `Probe ${r.name}`, r.status);
    const failing = results.filter((r) => r.status !== 'ok');
    const outputs = { ok: failing.length === 0, count: results.length, failing: failing.map((r) => r.name), results };
    if (failing.length && params.require === 'ok') {
      const which = failing.map((r) => `${r.name} (${r.status}: ${r.message})`).join(', ');
      const noun = results.length === 1 ? 'probe is' : 'probes are';
      throw new StepFailure(`${failing.length} of ${results.length} ${noun} not ok: ${which}.`, outputs);
    }
    const message = failing.length ? `${results.length - failing.length} of ${results.length} probes ok` : `${results.length} of ${results.length} probes ok`;
    return { message, outputs };
  },
};
