/**
 * The audit log: every action Control Room took, on any kind of subject.
 *
 * A container restart, a probe, a runbook run, a support bundle, a change to a target: each is
 * one entry naming what it acted on (`subjectKind` + `subject`), what it did, how that ended, and
 * a small JSON `detail`. Entries tied to a target copy its name and environment, so they still
 * read right after the target is renamed or deleted.
 */
import { z } from 'zod';
import { Environment } from './target';

export const AUDIT_SUBJECT_KINDS = ['container', 'probe', 'runbook-run', 'bundle', 'target'] as const;
export const AuditSubjectKind = z.enum(AUDIT_SUBJECT_KINDS);
export type AuditSubjectKind = z.infer<typeof AuditSubjectKind>;

/** How an action ended. `canceled`: the user stopped it before it finished. */
export const AUDIT_OUTCOMES = ['ok', 'error', 'canceled'] as const;
export const AuditOutcome = z.enum(AUDIT_OUTCOMES);
export type AuditOutcome = z.infer<typeof AuditOutcome>;

/** What a reader needs beyond the action and outcome: `{ message }`, an exit code, a file name. */
export const AuditDetail = z.record(z.string(), z.unknown());
export type AuditDetail = z.infer<typeof AuditDetail>;

/** The target an entry was taken on, as it was named then. */
export const AuditTarget = z.object({ id: z.string(), name: z.string(), environment: Environment });
export type AuditTarget = z.infer<typeof AuditTarget>;

export const AuditEntry = z.object({
  id: z.number().int(),
  at: z.string(),
  subjectKind: AuditSubjectKind,
  /** The subject's name or id: a container name, a runbook run id, a bundle file name. */
  subject: z.string(),
  /** A verb: restart, stop, start, run, cancel, export, create… */
  action: z.string(),
  outcome: AuditOutcome,
  detail: AuditDetail,
  /** Null for subjects not tied to one target. */
  target: AuditTarget.nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

const SUBJECT_LABELS: Record<AuditSubjectKind, string> = {
  container: '',
  probe: 'probe',
  'runbook-run': 'runbook run',
  bundle: 'bundle',
  target: 'target',
};

/** What was acted on, as a reader says it: "shop-backend-1", "runbook run 42", "bundle prod-1.zip". */
export function auditSubjectText(entry: Pick<AuditEntry, 'subjectKind' | 'subject'>): string {
  // A container goes by its name alone: that is how the Overview names it.
  const label = SUBJECT_LABELS[entry.subjectKind];
  return label ? `${label} ${entry.subject}` : entry.subject;
}

/** What was done, as a reader says it: "restart shop-backend-1", "cancel runbook run 42". */
export function auditSummary(entry: Pick<AuditEntry, 'subjectKind' | 'subject' | 'action'>): string {
  return `${entry.action} ${auditSubjectText(entry)}`;
}

/** The detail in one line: its `message` first, then any other fields as `key: value`. */
export function auditDetailText(detail: AuditDetail): string {
  const entries = Object.entries(detail).sort(([a], [b]) => Number(b === 'message') - Number(a === 'message'));
  return entries
    .map(([key, value]) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return key === 'message' ? text : `${key}: ${text}`;
    })
    .join(' · ');
}
