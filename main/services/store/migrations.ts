/**
 * The schema, as numbered migrations. Append only: a shipped migration is never edited,
 * because users' databases already ran it. `PRAGMA user_version` records the last one applied.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'targets',
    sql: `
      CREATE TABLE targets (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        environment TEXT NOT NULL CHECK (environment IN ('prod', 'staging', 'dev')),
        kind        TEXT NOT NULL CHECK (kind IN ('ops-api', 'docker-ssh', 'docker-local')),
        settings    TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );
      CREATE UNIQUE INDEX targets_name ON targets (name COLLATE NOCASE);
      -- Which secret slots hold a value in the keychain (the values themselves never come here).
      CREATE TABLE target_secrets (
        target_id TEXT NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
        slot      TEXT NOT NULL,
        PRIMARY KEY (target_id, slot)
      );
    `,
  },
  {
    version: 2,
    name: 'host keys and audit log',
    sql: `
      -- The SSH host key the user trusted for a target (trust on first use, then pinned).
      CREATE TABLE target_host_keys (
        target_id   TEXT PRIMARY KEY REFERENCES targets (id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL,
        pinned_at   TEXT NOT NULL
      );
      -- Every action taken on a target. Names are copied so entries outlive their target.
      CREATE TABLE audit_log (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        at          TEXT NOT NULL,
        target_id   TEXT NOT NULL,
        target_name TEXT NOT NULL,
        environment TEXT NOT NULL,
        container   TEXT NOT NULL,
        action      TEXT NOT NULL,
        result      TEXT NOT NULL CHECK (result IN ('ok', 'error')),
        detail      TEXT NOT NULL
      );
      CREATE INDEX audit_log_target ON audit_log (target_id, id DESC);
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
