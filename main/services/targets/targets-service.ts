/**
 * Targets: create, edit, delete and list them, with their secrets in the keychain.
 *
 * Order matters so that nothing is half-done when the keychain or the disk fails:
 * - create/update write secrets first, then the row; if the row fails, new secrets are removed.
 * - delete removes the secrets first, then the row; if the keychain fails the target stays, whole.
 * The database only records *which* slots hold a secret, never a value.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../../shared/errors';
import {
  SECRET_SLOTS,
  type SecretSlot,
  type Target,
  type TargetDraft,
  type TargetKind,
} from '../../../shared/model/target';
import type { Db } from '../store/database';
import type { CredentialBackend } from '../credentials/credential-backend';
import { isoNow, systemClock, type Clock } from '../../../node/clock';

interface TargetRow {
  id: string;
  name: string;
  environment: Target['environment'];
  kind: TargetKind;
  settings: string;
  created_at: string;
  updated_at: string;
}

type Listener = (targets: Target[]) => void;

/** The keychain account a secret is stored under; shown to the renderer as its `ref`. */
export function secretRef(targetId: string, slot: SecretSlot): string {
  return `target/${targetId}/${slot}`;
}

export class TargetsService {
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly db: Db,
    private readonly credentials: CredentialBackend,
    private readonly clock: Clock = systemClock,
  ) {}

  list(): Target[] {
    const rows = this.db.prepare('SELECT * FROM targets ORDER BY name COLLATE NOCASE').all() as TargetRow[];
    const present = this.presentSlots();
    return rows.map((row) => this.toTarget(row, present.get(row.id)));
  }

  get(id: string): Target {
    const row = this.db.prepare('SELECT * FROM targets WHERE id = ?').get(id) as TargetRow | undefined;
    if (!row) throw new ApiError('not-found', 'That target no longer exists — it may have been deleted in another window.');
    return this.toTarget(row, this.presentSlots(id).get(id));
  }

  /** The secret value, for services in main only. Never routed to the renderer. */
  async readSecret(id: string, slot: SecretSlot): Promise<string | null> {
    return this.credentials.get(secretRef(id, slot));
  }

  async create(draft: TargetDraft): Promise<Target> {
    this.assertNameFree(draft.name);
    const id = randomUUID();
    const written = await this.writeSecrets(id, draft);
    const now = isoNow(this.clock);
    try {
      this.db.transaction(() => {
        this.db
          .prepare(
            'INSERT INTO targets (id, name, environment, kind, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          )
          .run(id, draft.name, draft.environment, draft.kind, JSON.stringify(draft.settings), now, now);
        this.recordSlots(id, written.set, []);
      })();
    } catch (error) {
      await this.forgetSecrets(id, written.set);
      throw error;
    }
    return this.changed(id);
  }

  async update(id: string, draft: TargetDraft): Promise<Target> {
    const before = this.get(id);
    this.assertNameFree(draft.name, id);
    const written = await this.writeSecrets(id, draft);
    // A pin belongs to one host: pointing the target elsewhere means trusting again.
    const movedHost = !sameSshHost(before, draft);
    // Slots the new kind does not have (the kind changed) are cleared too.
    const dropped = (SECRET_SLOTS[before.kind] as readonly SecretSlot[]).filter(
      (slot) => !(SECRET_SLOTS[draft.kind] as readonly SecretSlot[]).includes(slot) && before.secrets[slot]?.present,
    );
    await this.forgetSecrets(id, dropped);
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE targets SET name = ?, environment = ?, kind = ?, settings = ?, updated_at = ? WHERE id = ?')
        .run(draft.name, draft.environment, draft.kind, JSON.stringify(draft.settings), isoNow(this.clock), id);
      this.recordSlots(id, written.set, [...written.cleared, ...dropped]);
      if (movedHost) this.db.prepare('DELETE FROM target_host_keys WHERE target_id = ?').run(id);
    })();
    return this.changed(id);
  }

  /** Records the SSH host key the user trusted for this target. */
  pinHostKey(id: string, fingerprint: string): Target {
    const target = this.get(id);
    if (target.kind !== 'docker-ssh') throw new ApiError('invalid-request', `${target.name} is not reached over SSH, so it has no host key.`);
    this.db
      .prepare(
        'INSERT INTO target_host_keys (target_id, fingerprint, pinned_at) VALUES (?, ?, ?) ON CONFLICT (target_id) DO UPDATE SET fingerprint = excluded.fingerprint, pinned_at = excluded.pinned_at',
      )
      .run(id, fingerprint, isoNow(this.clock));
    return this.changed(id);
  }

  async delete(id: string): Promise<{ id: string }> {
    const target = this.get(id);
    const slots = Object.keys(target.secrets) as SecretSlot[];
    // Keychain first: if it refuses, the target stays whole and the user can retry.
    await this.forgetSecrets(id, slots);
    this.db.prepare('DELETE FROM targets WHERE id = ?').run(id);
    this.emit();
    return { id };
  }

  onChanged(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many onChanged listeners are subscribed: tests check that closing the services left none. */
  get listenerCount(): number {
    return this.listeners.size;
  }

  private changed(id: string): Target {
    this.emit();
    return this.get(id);
  }

  private emit() {
    if (this.listeners.size === 0) return;
    const targets = this.list();
    for (const listener of this.listeners) listener(targets);
  }

  private assertNameFree(name: string, exceptId?: string) {
    const clash = this.db
      .prepare('SELECT id FROM targets WHERE name = ? COLLATE NOCASE AND id != ?')
      .get(name, exceptId ?? '') as { id: string } | undefined;
    if (clash) {
      throw new ApiError('conflict', `A target named "${name}" already exists — pick another name.`, {
        name: 'This name is taken.',
      });
    }
  }

  private async writeSecrets(id: string, draft: TargetDraft) {
    const set: SecretSlot[] = [];
    const cleared: SecretSlot[] = [];
    const entries = Object.entries(draft.secrets ?? {}) as [SecretSlot, string | null | undefined][];
    try {
      for (const [slot, value] of entries) {
        if (value === undefined) continue;
        if (value === null) {
          await this.credentials.delete(secretRef(id, slot));
          cleared.push(slot);
        } else {
          await this.credentials.set(secretRef(id, slot), value);
          set.push(slot);
        }
      }
    } catch (error) {
      // A partial write would leave a half-configured target: undo what this call wrote.
      await this.forgetSecrets(id, set).catch(() => undefined);
      throw error;
    }
    return { set, cleared };
  }

  private async forgetSecrets(id: string, slots: readonly SecretSlot[]) {
    for (const slot of slots) await this.credentials.delete(secretRef(id, slot));
  }

  private recordSlots(id: string, set: readonly SecretSlot[], cleared: readonly SecretSlot[]) {
    const insert = this.db.prepare('INSERT OR IGNORE INTO target_secrets (target_id, slot) VALUES (?, ?)');
    const remove = this.db.prepare('DELETE FROM target_secrets WHERE target_id = ? AND slot = ?');
    for (const slot of set) insert.run(id, slot);
    for (const slot of cleared) remove.run(id, slot);
  }

  private presentSlots(id?: string): Map<string, Set<string>> {
    const rows = (
      id
        ? this.db.prepare('SELECT target_id, slot FROM target_secrets WHERE target_id = ?').all(id)
        : this.db.prepare('SELECT target_id, slot FROM target_secrets').all()
    ) as { target_id: string; slot: string }[];
    const bySlot = new Map<string, Set<string>>();
    for (const row of rows) {
      let slots = bySlot.get(row.target_id);
      if (!slots) bySlot.set(row.target_id, (slots = new Set()));
      slots.add(row.slot);
    }
    return bySlot;
  }

  forgetHostKey(id: string): Target {
    this.get(id);
    this.db.prepare('DELETE FROM target_host_keys WHERE target_id = ?').run(id);
    return this.changed(id);
  }

  private hostKeyOf(id: string): Target['hostKey'] {
    const row = this.db.prepare('SELECT fingerprint, pinned_at FROM target_host_keys WHERE target_id = ?').get(id) as
      | { fingerprint: string; pinned_at: string }
      | undefined;
    return row ? { fingerprint: row.fingerprint, pinnedAt: row.pinned_at } : null;
  }

  private toTarget(row: TargetRow, present: Set<string> | undefined): Target {
    const secrets: Target['secrets'] = {};
    for (const slot of SECRET_SLOTS[row.kind]) {
      secrets[slot] = { ref: secretRef(row.id, slot), present: present?.has(slot) ?? false };
    }
    // The one place a target's kind and settings are paired by hand: the row was written from a
    // TargetDraft parsed for its kind, so its settings are that kind's.
    return {
      id: row.id,
      name: row.name,
      environment: row.environment,
      kind: row.kind,
      settings: JSON.parse(row.settings) as unknown,
      secrets,
      hostKey: row.kind === 'docker-ssh' ? this.hostKeyOf(row.id) : null,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    } as Target;
  }
}

function sameSshHost(before: Target, draft: TargetDraft): boolean {
  if (before.kind !== 'docker-ssh' || draft.kind !== 'docker-ssh') return false;
  return before.settings.host === draft.settings.host && before.settings.port === draft.settings.port;
}
