/**
 * The audit log: when, what was acted on (a container, a probe, a runbook run, a bundle, a
 * target), what was done and how it ended. Append-only from the app's point of view.
 */
import type { AuditDetail, AuditEntry, AuditOutcome, AuditSubjectKind, AuditTarget } from '../../../shared/model/audit';
import type { Environment } from '../../../shared/model/target';
import { isoNow, type Clock } from '../../../node/clock';
import type { Db } from '../store/database';

interface AuditRow {
  id: number;
  at: string;
  subject_kind: AuditSubjectKind;
  subject: string;
  action: string;
  outcome: AuditOutcome;
  detail: string;
  target_id: string | null;
  target_name: string | null;
  environment: Environment | null;
}

/** An entry to record: the target may be left out for subjects tied to none, the detail when there is none. */
export interface NewAuditEntry {
  subjectKind: AuditSubjectKind;
  subject: string;
  action: string;
  outcome: AuditOutcome;
  detail?: AuditDetail;
  target?: AuditTarget | null;
}

export interface AuditQuery {
  targetId?: string | undefined;
  subjectKind?: AuditSubjectKind | undefined;
  limit?: number | undefined;
}

export const DEFAULT_AUDIT_LIMIT = 200;

export class AuditLog {
  private readonly listeners = new Set<(entry: AuditEntry) => void>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  record(entry: NewAuditEntry): AuditEntry {
    const at = isoNow(this.clock);
    const detail = entry.detail ?? {};
    const target = entry.target ?? null;
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO audit_entries (at, subject_kind, subject, action, outcome, detail, target_id, target_name, environment)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        at,
        entry.subjectKind,
        entry.subject,
        entry.action,
        entry.outcome,
        JSON.stringify(detail),
        target?.id ?? null,
        target?.name ?? null,
        target?.environment ?? null,
      );
    const saved: AuditEntry = {
      id: Number(lastInsertRowid),
      at,
      subjectKind: entry.subjectKind,
      subject: entry.subject,
      action: entry.action,
      outcome: entry.outcome,
      detail,
      target,
    };
    for (const listener of this.listeners) listener(saved);
    return saved;
  }

  /** Newest first, optionally of one target and of one kind of subject. */
  list({ targetId, subjectKind, limit = DEFAULT_AUDIT_LIMIT }: AuditQuery = {}): AuditEntry[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (targetId !== undefined) {
      where.push('target_id = ?');
      params.push(targetId);
    }
    if (subjectKind !== undefined) {
      where.push('subject_kind = ?');
      params.push(subjectKind);
    }
    const rows = this.db
      .prepare(
        `SELECT * FROM audit_entries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
      )
      .all(...params, limit) as AuditRow[];
    return rows.map(toEntry);
  }

  onRecorded(listener: (entry: AuditEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    subjectKind: row.subject_kind,
    subject: row.subject,
    action: row.action,
    outcome: row.outcome,
    detail: JSON.parse(row.detail) as AuditDetail,
    target:
      row.target_id !== null && row.target_name !== null && row.environment !== null
        ? { id: row.target_id, name: row.target_name, environment: row.environment }
        : null,
  };
}
