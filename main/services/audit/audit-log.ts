/**
 * The audit log: when, on which target, to which container, what was done and how it ended.
 * Append-only from the app's point of view.
 */
import type { AuditEntry } from '../../../shared/model/docker';
import type { Db } from '../store/database';
import type { Clock } from '../targets/targets-service';

interface AuditRow {
  id: number;
  at: string;
  target_id: string;
  target_name: string;
  environment: string;
  container: string;
  action: string;
  result: 'ok' | 'error';
  detail: string;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>;

export class AuditLog {
  private readonly listeners = new Set<(entry: AuditEntry) => void>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  record(entry: NewAuditEntry): AuditEntry {
    const at = this.clock.now().toISOString();
    const { lastInsertRowid } = this.db
      .prepare(
        'INSERT INTO audit_log (at, target_id, target_name, environment, container, action, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(at, entry.targetId, entry.targetName, entry.environment, entry.container, entry.action, entry.result, entry.detail);
    const saved = { ...entry, id: Number(lastInsertRowid), at };
    for (const listener of this.listeners) listener(saved);
    return saved;
  }

  list({ targetId, limit = 200 }: { targetId?: string | undefined; limit?: number }): AuditEntry[] {
    const rows = (
      targetId
        ? this.db.prepare('SELECT * FROM audit_log WHERE target_id = ? ORDER BY id DESC LIMIT ?').all(targetId, limit)
        : this.db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(limit)
    ) as AuditRow[];
    return rows.map((row) => ({
      id: row.id,
      at: row.at,
      targetId: row.target_id,
      targetName: row.target_name,
      environment: row.environment,
      container: row.container,
      action: row.action,
      result: row.result,
      detail: row.detail,
    }));
  }

  onRecorded(listener: (entry: AuditEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
