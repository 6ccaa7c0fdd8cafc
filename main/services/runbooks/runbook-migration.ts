/**
 * The runbooks' step of the app's schema (listed in main/services/store/migrations.ts).
 *
 * Runs copy their runbook's title and their target's name and environment, so history reads
 * right after either is renamed or deleted. Events are keyed by (run, seq): a reconnecting viewer
 * asks for `seq > n` and the primary key answers it.
 */
import type { Migration } from '../../../node/sqlite/database';

export const RUNBOOKS_MIGRATION: Migration = {
  name: 'runbooks',
  sql: `
    CREATE TABLE runs (
      id             TEXT PRIMARY KEY,
      created_seq    INTEGER NOT NULL,
      runbook_id     TEXT NOT NULL,
      runbook_title  TEXT NOT NULL,
      risk           TEXT NOT NULL,
      target_id      TEXT,
      target_name    TEXT,
      environment    TEXT,
      status         TEXT NOT NULL,
      status_message TEXT NOT NULL DEFAULT '',
      dry_run        INTEGER NOT NULL DEFAULT 0,
      started_by     TEXT NOT NULL,
      origin         TEXT NOT NULL,
      lane           TEXT,
      -- Input values as given; secret inputs are stored as [secret].
      inputs         TEXT NOT NULL CHECK (json_valid(inputs)),
      -- The runbook as it was when the run started (JSON), so a retry runs the same steps.
      definition     TEXT NOT NULL CHECK (json_valid(definition)),
      retry_of       TEXT,
      resumed_from   TEXT,
      approval       TEXT CHECK (approval IS NULL OR json_valid(approval)),
      summary        TEXT,
      created_at     TEXT NOT NULL,
      started_at     TEXT,
      ended_at       TEXT,
      last_seq       INTEGER NOT NULL DEFAULT 0
    );
    CREATE UNIQUE INDEX runs_created ON runs (created_seq);
    CREATE INDEX runs_runbook ON runs (runbook_id, created_seq);
    CREATE INDEX runs_target ON runs (target_id, created_seq);
    CREATE INDEX runs_status ON runs (status, created_seq);
    CREATE TABLE run_steps (
      run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      idx         INTEGER NOT NULL,
      phase       TEXT NOT NULL,
      step_id     TEXT NOT NULL,
      kind        TEXT NOT NULL,
      description TEXT NOT NULL,
      state       TEXT NOT NULL,
      changes     INTEGER NOT NULL,
      repeatable  INTEGER NOT NULL,
      started_at  TEXT,
      ended_at    TEXT,
      message     TEXT NOT NULL DEFAULT '',
      -- What later steps may refer to as steps.<id>.<name>.
      outputs     TEXT CHECK (outputs IS NULL OR json_valid(outputs)),
      PRIMARY KEY (run_id, idx)
    ) WITHOUT ROWID;
    CREATE TABLE run_events (
      run_id  TEXT NOT NULL,
      seq     INTEGER NOT NULL,
      at      TEXT NOT NULL,
      level   TEXT NOT NULL,
      phase   TEXT,
      step    TEXT,
      message TEXT NOT NULL,
      data    TEXT,
      PRIMARY KEY (run_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE run_artifacts (
      run_id       TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      id           TEXT NOT NULL,
      name         TEXT NOT NULL,
      content_type TEXT NOT NULL,
      bytes        INTEGER NOT NULL,
      step         TEXT,
      created_at   TEXT NOT NULL,
      PRIMARY KEY (run_id, id)
    ) WITHOUT ROWID;
    -- One changing run per target. Kept in the file so a crash leaves a trace to release.
    CREATE TABLE run_locks (
      target_id TEXT PRIMARY KEY,
      run_id    TEXT NOT NULL,
      taken_at  TEXT NOT NULL
    );
    -- Which runbook secrets hold a value in the keychain (under runbook-secret/<name>).
    CREATE TABLE runbook_secrets (
      name       TEXT PRIMARY KEY,
      updated_at TEXT NOT NULL
    );
    -- A probe's remediation runbook, offered in its drill-down when it fails.
    CREATE TABLE probe_remediations (
      probe_id   TEXT PRIMARY KEY,
      runbook_id TEXT NOT NULL,
      target_id  TEXT,
      inputs     TEXT NOT NULL CHECK (json_valid(inputs))
    );
  `,
};
