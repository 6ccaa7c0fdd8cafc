/**
 * Saved alert channels: the `alert_channels` and `alert_channel_secrets` rows and the Channel shape.
 *
 * Only SQL lives here; the keychain side and the order of operations are the service's.
 */
import { ApiError } from '../../../../shared/errors';
import { CHANNEL_SECRET_SLOTS, type Channel, type ChannelDraft, type ChannelKind } from '../../../../shared/model/channels';
import type { Db } from '../../store/database';

interface ChannelRow {
  id: string;
  name: string;
  kind: ChannelKind;
  enabled: number;
  settings: string;
  created_at: string;
  updated_at: string;
}

/** The keychain account a channel's secret is stored under; shown to the renderer as its `ref`. */
export function channelSecretRef(channelId: string, slot: string): string {
  return `channel/${channelId}/${slot}`;
}

export class ChannelStore {
  constructor(private readonly db: Db) {}

  list(): Channel[] {
    const rows = this.db.prepare('SELECT * FROM alert_channels ORDER BY name COLLATE NOCASE').all() as ChannelRow[];
    const present = this.presentSlots();
    return rows.map((row) => toChannel(row, present.get(row.id)));
  }

  find(id: string): Channel | undefined {
    const row = this.db.prepare('SELECT * FROM alert_channels WHERE id = ?').get(id) as ChannelRow | undefined;
    return row ? toChannel(row, this.presentSlots(id).get(id)) : undefined;
  }

  get(id: string): Channel {
    const channel = this.find(id);
    if (!channel) throw new ApiError('not-found', 'That channel no longer exists — it may have been deleted in another window.');
    return channel;
  }

  /** The channel with this name (any case), or undefined. */
  findByName(name: string): Channel | undefined {
    const row = this.db.prepare('SELECT id FROM alert_channels WHERE name = ? COLLATE NOCASE').get(name) as { id: string } | undefined;
    return row ? this.find(row.id) : undefined;
  }

  assertNameFree(name: string, exceptId?: string): void {
    const clash = this.db.prepare('SELECT id FROM alert_channels WHERE name = ? COLLATE NOCASE AND id != ?').get(name, exceptId ?? '');
    if (clash) {
      throw new ApiError('conflict', `A channel named "${name}" already exists — pick another name.`, { name: 'This name is taken.' });
    }
  }

  insert(id: string, draft: ChannelDraft, now: string, setSlots: readonly string[]): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO alert_channels (id, name, kind, enabled, settings, created_at, updated_at)
           VALUES (@id, @name, @kind, @enabled, @settings, @now, @now)`,
        )
        .run({ id, now, ...columns(draft) });
      this.recordSlots(id, setSlots, []);
    })();
  }

  update(id: string, draft: ChannelDraft, now: string, setSlots: readonly string[], clearedSlots: readonly string[]): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE alert_channels SET name = @name, kind = @kind, enabled = @enabled, settings = @settings, updated_at = @now
           WHERE id = @id`,
        )
        .run({ id, now, ...columns(draft) });
      this.recordSlots(id, setSlots, clearedSlots);
    })();
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM alert_channels WHERE id = ?').run(id);
  }

  private recordSlots(id: string, set: readonly string[], cleared: readonly string[]) {
    const insert = this.db.prepare('INSERT OR IGNORE INTO alert_channel_secrets (channel_id, slot) VALUES (?, ?)');
    const remove = this.db.prepare('DELETE FROM alert_channel_secrets WHERE channel_id = ? AND slot = ?');
    for (const slot of set) insert.run(id, slot);
    for (const slot of cleared) remove.run(id, slot);
  }

  private presentSlots(id?: string): Map<string, Set<string>> {
    const rows = (
      id
        ? this.db.prepare('SELECT channel_id, slot FROM alert_channel_secrets WHERE channel_id = ?').all(id)
        : this.db.prepare('SELECT channel_id, slot FROM alert_channel_secrets').all()
    ) as { channel_id: string; slot: string }[];
    const byChannel = new Map<string, Set<string>>();
    for (const row of rows) {
      let slots = byChannel.get(row.channel_id);
      if (!slots) byChannel.set(row.channel_id, (slots = new Set()));
      slots.add(row.slot);
    }
    return byChannel;
  }
}

function columns(draft: ChannelDraft) {
  return { name: draft.name, kind: draft.kind, enabled: draft.enabled ? 1 : 0, settings: JSON.stringify(draft.settings) };
}

function toChannel(row: ChannelRow, present: Set<string> | undefined): Channel {
  const secrets: Channel['secrets'] = {};
  for (const slot of CHANNEL_SECRET_SLOTS[row.kind]) {
    secrets[slot] = { ref: channelSecretRef(row.id, slot), present: present?.has(slot) ?? false };
  }
  // The row was written from a ChannelDraft parsed for its kind, so its settings are that kind's.
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    enabled: row.enabled === 1,
    settings: JSON.parse(row.settings) as unknown,
    secrets,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  } as Channel;
}
