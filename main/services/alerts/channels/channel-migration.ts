/**
 * The alert channels' schema step: the channels and which of their secret slots hold a value.
 */
import type { Migration } from '../../../../node/sqlite/database';

export const CHANNELS_MIGRATION: Migration = {
  name: 'alert-channels',
  sql: `
    -- Where alert messages go. Settings are the JSON the draft was parsed into; secret values
    -- (webhook URLs, tokens, SMTP credentials) never come here, only which slots hold one.
    CREATE TABLE alert_channels (
      id         TEXT PRIMARY KEY,
      name       TEXT NOT NULL,
      kind       TEXT NOT NULL,
      enabled    INTEGER NOT NULL CHECK (enabled IN (0, 1)),
      settings   TEXT NOT NULL CHECK (json_valid(settings)),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX alert_channels_name ON alert_channels (name COLLATE NOCASE);
    -- Which of a channel's secret slots hold a value in the keychain (under channel/<id>/<slot>).
    CREATE TABLE alert_channel_secrets (
      channel_id TEXT NOT NULL REFERENCES alert_channels (id) ON DELETE CASCADE,
      slot       TEXT NOT NULL,
      PRIMARY KEY (channel_id, slot)
    );
  `,
};
