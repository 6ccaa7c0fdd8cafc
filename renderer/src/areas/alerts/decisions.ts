/**
 * The alert history as a list: newest (highest id) first, a decision that comes again (once its
 * deliveries finished) replacing its earlier copy.
 */
import type { AlertDecision } from '../../../../shared/model/alerts';

/** Adds or replaces one decision, keeping newest (highest id) first. */
export function upsertDecision(list: AlertDecision[], decision: AlertDecision): AlertDecision[] {
  const next = list.filter((d) => d.id !== decision.id);
  next.push(decision);
  return next.sort((a, b) => b.id - a.id);
}
