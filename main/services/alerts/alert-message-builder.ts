/**
 * The message a decision sends: what happened to which probe, in one sentence, with the failed
 * conditions and what they saw, so a receiver needs nothing else to act on it.
 */
import type { AlertMessage } from '../../../shared/model/alert-message';
import type { AlertKind } from '../../../shared/model/alerts';
import type { Probe, ProbeResult } from '../../../shared/model/probe';

export function alertMessage(
  kind: AlertKind,
  probe: Probe,
  last: ProbeResult | null,
  reason: string,
  at: number,
  target: { name: string; environment: string } | null = null,
): AlertMessage {
  const summaries: Record<AlertKind, string> = {
    alert: `${probe.name} is failing`,
    resolved: `${probe.name} has recovered`,
    reminder: `${probe.name} is still failing`,
    stale: `${probe.name} has not reported within its SLA window`,
  };
  return {
    kind,
    probe: { id: probe.id, name: probe.name, scope: probe.scope, provider: probe.provider, check: probe.check },
    status: kind === 'stale' ? 'stale' : (last?.status ?? null),
    summary: summaries[kind],
    detail: [reason, kind === 'resolved' ? null : last?.error].filter(Boolean).join(' — '),
    failedConditions:
      kind === 'resolved' || !last
        ? []
        : last.conditions.filter((c) => !c.passed).map((c) => ({ expression: c.expression, observed: c.observed })),
    at: new Date(at).toISOString(),
    target,
  };
}
