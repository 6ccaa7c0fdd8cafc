/**
 * Approval evidence: the preflight facts and the planned changes an approval is given on, frozen
 * and hashed, and how a later reading of the facts differs from them (a stale approval).
 *
 * The hash is sha256 over canonical JSON (keys sorted at every level, facts sorted by key), so
 * the same facts and changes always give the same hash whatever order the steps recorded them in:
 * the approver names the hash they saw, and the audit log keeps it.
 */
import { createHash } from 'node:crypto';
import type { ApprovalEvidence, ApprovalRequest, EvidenceFact } from '../../../shared/model/runbook';

/** JSON with object keys sorted at every level: one text per value. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function sortedFacts(facts: Iterable<EvidenceFact>): EvidenceFact[] {
  return [...facts].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function evidenceHash(facts: readonly EvidenceFact[], changes: readonly string[]): string {
  const canonical = canonicalJson({ facts: sortedFacts(facts).map(({ key, label, value }) => ({ key, label, value })), changes });
  return createHash('sha256').update(canonical).digest('hex');
}

export function takeEvidence(facts: Iterable<EvidenceFact>, changes: readonly string[], takenAt: string): ApprovalEvidence {
  const sorted = sortedFacts(facts);
  return { facts: sorted, changes: [...changes], hash: evidenceHash(sorted, changes), takenAt };
}

export type FactChange = ApprovalRequest['changed'][number];

/** Shown when a fact is gone on the second reading (a container removed, a probe deleted). */
export const MISSING_FACT = '(missing)';

/** Facts whose value differs between the approved evidence and a new reading; new facts do not count. */
export function changedFacts(before: readonly EvidenceFact[], after: ReadonlyMap<string, EvidenceFact>): FactChange[] {
  const changes: FactChange[] = [];
  for (const fact of sortedFacts(before)) {
    const now = after.get(fact.key);
    if (now?.value === fact.value) continue;
    changes.push({ key: fact.key, label: fact.label, before: fact.value, after: now?.value ?? MISSING_FACT });
  }
  return changes;
}

/** "backend started at 10:00→10:05, Probe shop ok→fail" */
export function describeChanges(changes: readonly FactChange[]): string {
  return changes.map((change) => `${change.label} ${change.before}→${change.after}`).join(', ');
}

export function staleMessage(changes: readonly FactChange[]): string {
  return `The facts this approval was given on changed: ${describeChanges(changes)}; approve again.`;
}

export function approvalRequest(
  evidence: ApprovalEvidence,
  requestedAt: number,
  expiresMinutes: number,
  confirmText: string,
  changed: FactChange[] = [],
): ApprovalRequest {
  return {
    evidence,
    requestedAt: new Date(requestedAt).toISOString(),
    expiresAt: new Date(requestedAt + expiresMinutes * 60_000).toISOString(),
    confirmText,
    changed,
    approvedBy: null,
    approvedAt: null,
  };
}
