/**
 * Small UI state kept with the app's data (pane layouts per target, say): a key and a JSON value.
 *
 * Values are capped at 64 KB serialized: settings are read whole at start-up and travel over the
 * contract on every change, so anything bigger belongs in a table of its own (like the log cache).
 */
import { ApiError } from '../../../shared/errors';
import type { Db } from '../store/database';
import { isoNow, systemClock, type Clock } from '../../../node/clock';

export const MAX_SETTING_BYTES = 64 * 1024;

export class SettingsStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The stored value, or null when the key was never set (or was cleared). */
  get(key: string): unknown {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    if (!row) return null;
    try {
      return JSON.parse(row.value) as unknown;
    } catch {
      // Written by hand or by a broken build: treat as unset rather than failing every read.
      return null;
    }
  }

  /** Stores `value`; null or undefined clears the key. */
  set(key: string, value: unknown): void {
    if (value === null || value === undefined) {
      this.db.prepare('DELETE FROM settings WHERE key = ?').run(key);
      return;
    }
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch (error) {
      throw new ApiError(
        'invalid-request',
        `The setting "${key}" cannot be stored: ${error instanceof Error ? error.message : String(error)}.`,
      );
    }
    if (json === undefined) throw new ApiError('invalid-request', `The setting "${key}" has no JSON form.`);
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > MAX_SETTING_BYTES) {
      throw new ApiError(
        'invalid-request',
        `The setting "${key}" is ${Math.ceil(bytes / 1024)} KB as JSON; a setting holds at most ${MAX_SETTING_BYTES / 1024} KB.`,
        { value: `At most ${MAX_SETTING_BYTES / 1024} KB as JSON.` },
      );
    }
    this.db
      .prepare(
        `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(key, json, isoNow(this.clock));
  }
}
