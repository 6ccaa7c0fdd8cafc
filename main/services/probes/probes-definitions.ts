/**
 * Saved probe definitions: the `probes` and `probe_secrets` rows and the Probe shape built from them.
 *
 * Only SQL lives here; the keychain side and the order of operations (secrets first, then the
 * row) are the service's. A probe's secret slots are those its kind always uses plus every
 * `{{secret.NAME}}` its settings mention, so an http probe that puts a key in a header asks for
 * exactly that key.
 */
import { ApiError } from '../../../shared/errors';
import { PROBE_SECRET_SLOTS, type Probe, type ProbeDraft, type ProbeKind } from '../../../shared/model/probe';
import { secretSlotsIn } from '../../../node/probes/secret-template';
import type { Db } from '../store/database';
import type { Statement } from 'better-sqlite3';

interface ProbeRow {
  id: string;
  name: string;
  scope: string;
  provider: string | null;
  check_name: string;
  kind: ProbeKind;
  settings: string;
  conditions: string;
  interval_seconds: number;
  timeout_seconds: number;
  retries: number;
  cheap: number;
  paused: number;
  sla_seconds: number | null;
  created_at: string;
  updated_at: string;
}

/** The keychain account a probe's secret is stored under; shown to the renderer as its `ref`. */
export function probeSecretRef(probeId: string, slot: string): string {
  return `probe/${probeId}/${slot}`;
}

/** The slots a probe of this kind with these settings asks for, in a stable order. */
export function secretSlotsOf(kind: ProbeKind, settings: unknown): string[] {
  return [...new Set([...PROBE_SECRET_SLOTS[kind], ...secretSlotsIn(settings)])];
}

export class ProbeDefinitions {
  /** Prepared once: `find` runs twice per probe run (its summary as it starts and as it ends). */
  private readonly byId: Statement;
  private readonly slotsOf: Statement;

  constructor(private readonly db: Db) {
    this.byId = db.prepare('SELECT * FROM probes WHERE id = ?');
    this.slotsOf = db.prepare('SELECT probe_id, slot FROM probe_secrets WHERE probe_id = ?');
  }

  list(): Probe[] {
    const rows = this.db.prepare('SELECT * FROM probes ORDER BY scope, provider, name COLLATE NOCASE').all() as ProbeRow[];
    const present = this.presentSlots();
    return rows.map((row) => toProbe(row, present.get(row.id)));
  }

  /** The probe, or undefined when there is none with that id. */
  find(id: string): Probe | undefined {
    const row = this.byId.get(id) as ProbeRow | undefined;
    return row ? toProbe(row, this.presentSlots(id).get(id)) : undefined;
  }

  get(id: string): Probe {
    const probe = this.find(id);
    if (!probe) throw new ApiError('not-found', 'That probe no longer exists — it may have been deleted in another window.');
    return probe;
  }

  /** The probe with this name (any case), or undefined. */
  findByName(name: string): Probe | undefined {
    const row = this.db.prepare('SELECT id FROM probes WHERE name = ? COLLATE NOCASE').get(name) as { id: string } | undefined;
    return row ? this.find(row.id) : undefined;
  }

  assertNameFree(name: string, exceptId?: string): void {
    const clash = this.db.prepare('SELECT id FROM probes WHERE name = ? COLLATE NOCASE AND id != ?').get(name, exceptId ?? '');
    if (clash) {
      throw new ApiError('conflict', `A probe named "${name}" already exists — pick another name.`, { name: 'This name is taken.' });
    }
  }

  /** Inserts the row and records which slots now hold a secret, in one transaction. */
  insert(id: string, draft: ProbeDraft, now: string, setSlots: readonly string[]): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO probes (id, name, scope, provider, check_name, kind, settings, conditions, interval_seconds,
             timeout_seconds, retries, cheap, paused, sla_seconds, created_at, updated_at)
           VALUES (@id, @name, @scope, @provider, @check, @kind, @settings, @conditions, @interval, @timeout, @retries,
             @cheap, @paused, @sla, @now, @now)`,
        )
        .run({ id, now, ...columns(draft) });
      this.recordSlots(id, setSlots, []);
    })();
  }

  /** Rewrites the row and the slot records, in one transaction. */
  update(id: string, draft: ProbeDraft, now: string, setSlots: readonly string[], clearedSlots: readonly string[]): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE probes SET name = @name, scope = @scope, provider = @provider, check_name = @check, kind = @kind,
             settings = @settings, conditions = @conditions, interval_seconds = @interval, timeout_seconds = @timeout,
             retries = @retries, cheap = @cheap, paused = @paused, sla_seconds = @sla, updated_at = @now
           WHERE id = @id`,
        )
        .run({ id, now, ...columns(draft) });
      this.recordSlots(id, setSlots, clearedSlots);
    })();
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM probes WHERE id = ?').run(id);
  }

  private recordSlots(id: string, set: readonly string[], cleared: readonly string[]) {
    const insert = this.db.prepare('INSERT OR IGNORE INTO probe_secrets (probe_id, slot) VALUES (?, ?)');
    const remove = this.db.prepare('DELETE FROM probe_secrets WHERE probe_id = ? AND slot = ?');
    for (const slot of set) insert.run(id, slot);
    for (const slot of cleared) remove.run(id, slot);
  }

  private presentSlots(id?: string): Map<string, Set<string>> {
    const rows = (
      id
        ? this.slotsOf.all(id)
        : this.db.prepare('SELECT probe_id, slot FROM probe_secrets').all()
    ) as { probe_id: string; slot: string }[];
    const byProbe = new Map<string, Set<string>>();
    for (const row of rows) {
      let slots = byProbe.get(row.probe_id);
      if (!slots) byProbe.set(row.probe_id, (slots = new Set()));
      slots.add(row.slot);
    }
    return byProbe;
  }
}

function columns(draft: ProbeDraft) {
  return {
    name: draft.name,
    scope: draft.scope,
    provider: draft.provider || null,
    check: draft.check,
    kind: draft.kind,
    settings: JSON.stringify(draft.settings),
    conditions: JSON.stringify(draft.conditions),
    interval: draft.intervalSeconds,
    timeout: draft.timeoutSeconds,
    retries: draft.retries,
    cheap: draft.cheap ? 1 : 0,
    paused: draft.paused ? 1 : 0,
    sla: draft.slaSeconds,
  };
}

function toProbe(row: ProbeRow, present: Set<string> | undefined): Probe {
  const settings = JSON.parse(row.settings) as unknown;
  const secrets: Probe['secrets'] = {};
  for (const slot of secretSlotsOf(row.kind, settings)) {
    secrets[slot] = { ref: probeSecretRef(row.id, slot), present: present?.has(slot) ?? false };
  }
  // The one place a probe's kind and settings are paired by hand: the row was written from a
  // ProbeDraft parsed for its kind, so its settings are that kind's.
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    provider: row.provider,
    check: row.check_name,
    kind: row.kind,
    settings,
    conditions: JSON.parse(row.conditions) as Probe['conditions'],
    intervalSeconds: row.interval_seconds,
    timeoutSeconds: row.timeout_seconds,
    retries: row.retries,
    cheap: row.cheap === 1,
    paused: row.paused === 1,
    slaSeconds: row.sla_seconds,
    secrets,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  } as Probe;
}
