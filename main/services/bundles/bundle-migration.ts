/**
 * The bundles' step of the app's schema (listed in main/services/store/migrations.ts): the
 * user's custom redaction rules. Bundles themselves are files in the bundles folder.
 */
import type { Migration } from '../../../node/sqlite/database';

export const BUNDLES_MIGRATION: Migration = {
  name: 'bundles',
  sql: `
    CREATE TABLE redaction_rules (
      id         TEXT PRIMARY KEY,
      kind       TEXT NOT NULL CHECK (kind IN ('regex', 'literal', 'json-path')),
      name       TEXT NOT NULL,
      -- The regex or JSON path; for a literal, its length (the value is in the keychain).
      pattern    TEXT NOT NULL,
      enabled    INTEGER NOT NULL DEFAULT 1,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
  `,
};
