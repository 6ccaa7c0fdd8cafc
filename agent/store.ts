/**
 * The agent's own SQLite file (not the console's): tokens, the audit log, the frontend error
 * ring buffer and the host probes' results. Opened with the app's `openDatabase`, so it gets the
 * same WAL settings and the same refusal to open a file written by a newer version.
 */
import { join } from 'node:path';
import { openDatabase, type Db, type Migration } from '../node/sqlite/database';
import { PROBE_STORE_MIGRATIONS } from '../node/probes/store/probe-store-migrations';
import { DATABASE_NAME } from './config';

export type { Db };

/** Named steps in the order they run; agents in the field already ran the shipped ones, never edit them. */
export const AGENT_MIGRATIONS: readonly Migration[] = [
  {
    name: 'tokens-audit-frontend-errors',
    sql: `
      CREATE TABLE tokens (
        id         TEXT PRIMARY KEY,
        -- sha256 of the token, hex: a stolen database file does not hand out working tokens.
        hash       TEXT NOT NULL UNIQUE,
        scope      TEXT NOT NULL CHECK (scope IN ('read', 'admin')),
        label      TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE TABLE audit (
        id        INTEGER PRIMARY KEY,
        at        TEXT NOT NULL,
        method    TEXT NOT NULL,
        path      TEXT NOT NULL,
        query     TEXT NOT NULL DEFAULT '',
        status    INTEGER NOT NULL,
        token_id  TEXT NOT NULL,
        ip        TEXT NOT NULL,
        duration_ms REAL NOT NULL
      );
      CREATE INDEX audit_at ON audit (at);
      CREATE TABLE frontend_errors (
        id          INTEGER PRIMARY KEY,
        received_at TEXT NOT NULL,
        build_hash  TEXT,
        route       TEXT NOT NULL,
        message     TEXT NOT NULL,
        stack       TEXT,
        browser     TEXT,
        ws_state    TEXT,
        kind        TEXT,
        count       INTEGER NOT NULL DEFAULT 1
      );
      -- The ring buffer trims per route by id; reads filter by time.
      CREATE INDEX frontend_errors_route ON frontend_errors (route, id);
      CREATE INDEX frontend_errors_received ON frontend_errors (received_at, count);
    `,
  },
  // The host's probe results, in the same store (and so with the same retention) as the app's.
  ...PROBE_STORE_MIGRATIONS,
];

export function databaseFile(dataDir: string): string {
  return join(dataDir, DATABASE_NAME);
}

export function openAgentStore(dataDir: string): Db {
  return openDatabase(databaseFile(dataDir), AGENT_MIGRATIONS);
}
