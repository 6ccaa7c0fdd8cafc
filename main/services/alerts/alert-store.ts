/**
 * Where alerting keeps what it must not forget: rules, dependencies, maintenance windows, the
 * alert history and what recipients were last told about each probe (SQLite, the app's store).
 *
 * The history is capped (oldest entries go first) so a probe flapping for months cannot grow the
 * file without bound; each entry is small (a sentence and the channels' outcomes).
 */
import { randomUUID } from 'node:crypto';
import type {
  AlertDecision,
  AlertDecisionKind,
  AlertDelivery,
  AlertKind,
  AlertRuleSettings,
  AlertSubject,
  MaintenanceSchedule,
  MaintenanceSubject,
} from '../../../shared/model/alerts';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/database';

/** History entries kept, all probes together. */
export const MAX_ALERT_DECISIONS = 20_000;

export interface StoredRule {
  subject: AlertSubject;
  settings: AlertRuleSettings;
  updatedAt: string;
}

export interface StoredDependency {
  id: string;
  dependant: AlertSubject;
  parent: AlertSubject;
  createdAt: string;
}

export interface StoredMaintenance {
  id: string;
  subject: MaintenanceSubject;
  reason: string;
  schedule: MaintenanceSchedule;
  createdAt: string;
}

export interface ToldState {
  told: 'ok' | 'alert';
  lastSentAt: number | null;
  lastToldAt: number | null;
}

export interface NewDecision {
  at: number;
  probeId: string;
  probeName: string;
  kind: AlertKind;
  decision: AlertDecisionKind;
  reason: string;
  delivering: boolean;
}

interface DecisionRow {
  id: number;
  at: number;
  probe_id: string;
  probe_name: string;
  kind: AlertKind;
  decision: AlertDecisionKind;
  reason: string;
  deliveries: string;
  delivering: number;
}

export function subjectKey(subject: AlertSubject | MaintenanceSubject): { kind: string; value: string } {
  if (subject.kind === 'probe') return { kind: 'probe', value: subject.probeId };
  if (subject.kind === 'scope') return { kind: 'scope', value: subject.scope };
  return { kind: 'all', value: '' };
}

function subjectOf(kind: string, value: string): AlertSubject {
  return kind === 'probe' ? { kind: 'probe', probeId: value } : { kind: 'scope', scope: value };
}

function maintenanceSubjectOf(kind: string, value: string): MaintenanceSubject {
  return kind === 'all' ? { kind: 'all' } : subjectOf(kind, value);
}

export class AlertStore {
  private inserted = 0;
  /** The statements run per decision, prepared once (preparing costs more than running them). */
  private readonly statements: Record<'insert' | 'trim' | 'finish' | 'byId' | 'told', Statement>;

  constructor(private readonly db: Db) {
    this.statements = {
      insert: db.prepare(
        'INSERT INTO alert_decisions (at, probe_id, probe_name, kind, decision, reason, deliveries, delivering) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      trim: db.prepare('DELETE FROM alert_decisions WHERE id <= ?'),
      finish: db.prepare('UPDATE alert_decisions SET deliveries = ?, delivering = 0 WHERE id = ?'),
      byId: db.prepare('SELECT * FROM alert_decisions WHERE id = ?'),
      told: db.prepare(
        'INSERT OR REPLACE INTO alert_state (probe_id, told, last_sent_at, last_told_at) VALUES (?, ?, ?, ?)',
      ),
    };
  }

  rules(): StoredRule[] {
    const rows = this.db
      .prepare('SELECT subject_kind, subject, settings, updated_at FROM alert_rules ORDER BY subject_kind, subject')
      .all() as {
      subject_kind: string;
      subject: string;
      settings: string;
      updated_at: string;
    }[];
    return rows.map((r) => ({
      subject: subjectOf(r.subject_kind, r.subject),
      settings: JSON.parse(r.settings) as AlertRuleSettings,
      updatedAt: r.updated_at,
    }));
  }

  putRule(subject: AlertSubject, settings: AlertRuleSettings, at: string): void {
    const { kind, value } = subjectKey(subject);
    this.db
      .prepare('INSERT OR REPLACE INTO alert_rules (subject_kind, subject, settings, updated_at) VALUES (?, ?, ?, ?)')
      .run(kind, value, JSON.stringify(settings), at);
  }

  deleteRule(subject: AlertSubject): boolean {
    const { kind, value } = subjectKey(subject);
    return (
      this.db.prepare('DELETE FROM alert_rules WHERE subject_kind = ? AND subject = ?').run(kind, value).changes > 0
    );
  }

  dependencies(): StoredDependency[] {
    const rows = this.db
      .prepare(
        'SELECT id, dependant_kind, dependant, parent_kind, parent, created_at FROM alert_dependencies ORDER BY created_at, id',
      )
      .all() as {
      id: string;
      dependant_kind: string;
      dependant: string;
      parent_kind: string;
      parent: string;
      created_at: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      dependant: subjectOf(r.dependant_kind, r.dependant),
      parent: subjectOf(r.parent_kind, r.parent),
      createdAt: r.created_at,
    }));
  }

  /** Adds a dependency, or returns the one already there for the same pair. */
  putDependency(dependant: AlertSubject, parent: AlertSubject, at: string): StoredDependency {
    const d = subjectKey(dependant);
    const p = subjectKey(parent);
    const existing = this.dependencies().find(
      (x) => sameSubject(x.dependant, dependant) && sameSubject(x.parent, parent),
    );
    if (existing) return existing;
    const id = randomUUID();
    this.db
      .prepare(
        'INSERT INTO alert_dependencies (id, dependant_kind, dependant, parent_kind, parent, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(id, d.kind, d.value, p.kind, p.value, at);
    return { id, dependant, parent, createdAt: at };
  }

  deleteDependency(id: string): boolean {
    return this.db.prepare('DELETE FROM alert_dependencies WHERE id = ?').run(id).changes > 0;
  }

  maintenance(): StoredMaintenance[] {
    const rows = this.db
      .prepare(
        'SELECT id, subject_kind, subject, reason, schedule, created_at FROM alert_maintenance ORDER BY created_at, id',
      )
      .all() as {
      id: string;
      subject_kind: string;
      subject: string;
      reason: string;
      schedule: string;
      created_at: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      subject: maintenanceSubjectOf(r.subject_kind, r.subject),
      reason: r.reason,
      schedule: JSON.parse(r.schedule) as MaintenanceSchedule,
      createdAt: r.created_at,
    }));
  }

  putMaintenance(window: StoredMaintenance): void {
    const { kind, value } = subjectKey(window.subject);
    this.db
      .prepare(
        'INSERT OR REPLACE INTO alert_maintenance (id, subject_kind, subject, reason, schedule, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(window.id, kind, value, window.reason, JSON.stringify(window.schedule), window.createdAt);
  }

  deleteMaintenance(id: string): boolean {
    return this.db.prepare('DELETE FROM alert_maintenance WHERE id = ?').run(id).changes > 0;
  }

  /**
   * Records decisions in one transaction, in order: a storm's held decisions cost one commit
   * rather than one each (the statements are prepared once, too).
   */
  addDecisions(decisions: readonly NewDecision[]): AlertDecision[] {
    if (!decisions.length) return [];
    return this.insertMany(decisions);
  }

  addDecision(decision: NewDecision): AlertDecision {
    return this.addDecisions([decision])[0]!;
  }

  finishDeliveries(id: number, deliveries: AlertDelivery[]): AlertDecision | null {
    this.statements.finish.run(JSON.stringify(deliveries), id);
    const row = this.statements.byId.get(id) as DecisionRow | undefined;
    return row ? decisionOf(row) : null;
  }

  private insertMany(decisions: readonly NewDecision[]): AlertDecision[] {
    return this.db.transaction(() =>
      decisions.map((decision) => {
        const id = Number(
          this.statements.insert.run(
            decision.at,
            decision.probeId,
            decision.probeName,
            decision.kind,
            decision.decision,
            decision.reason,
            '[]',
            decision.delivering ? 1 : 0,
          ).lastInsertRowid,
        );
        // Trimmed now and then rather than on every insert: one DELETE per thousand entries.
        if (++this.inserted % 1000 === 0) this.statements.trim.run(id - MAX_ALERT_DECISIONS);
        return {
          id,
          at: new Date(decision.at).toISOString(),
          probeId: decision.probeId,
          probeName: decision.probeName,
          kind: decision.kind,
          decision: decision.decision,
          reason: decision.reason,
          deliveries: [],
          delivering: decision.delivering,
        };
      }),
    )();
  }

  history(query: {
    probeId?: string | undefined;
    limit?: number | undefined;
    before?: number | undefined;
  }): AlertDecision[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (query.probeId) {
      where.push('probe_id = ?');
      args.push(query.probeId);
    }
    if (query.before !== undefined) {
      where.push('id < ?');
      args.push(query.before);
    }
    const sql = `SELECT * FROM alert_decisions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, query.limit ?? 200) as DecisionRow[];
    return rows.map(decisionOf);
  }

  toldStates(): Map<string, ToldState> {
    const rows = this.db.prepare('SELECT probe_id, told, last_sent_at, last_told_at FROM alert_state').all() as {
      probe_id: string;
      told: 'ok' | 'alert';
      last_sent_at: number | null;
      last_told_at: number | null;
    }[];
    return new Map(
      rows.map((r) => [r.probe_id, { told: r.told, lastSentAt: r.last_sent_at, lastToldAt: r.last_told_at }]),
    );
  }

  putTold(probeId: string, state: ToldState): void {
    this.statements.told.run(probeId, state.told, state.lastSentAt, state.lastToldAt);
  }
}

function decisionOf(row: DecisionRow): AlertDecision {
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    probeId: row.probe_id,
    probeName: row.probe_name,
    kind: row.kind,
    decision: row.decision,
    reason: row.reason,
    deliveries: JSON.parse(row.deliveries) as AlertDelivery[],
    delivering: row.delivering === 1,
  };
}

export function sameSubject(a: AlertSubject | MaintenanceSubject, b: AlertSubject | MaintenanceSubject): boolean {
  const x = subjectKey(a);
  const y = subjectKey(b);
  return x.kind === y.kind && x.value === y.value;
}
