/**
 * The app's schema, as named steps in the order they run.
 *
 * A feature adds its step by a new name where it belongs, without renumbering anyone's; a shipped
 * step is never edited, because users' databases already ran it. The first three were numbered
 * 1–3 before names were recorded: they keep their places, files that ran them are read by position.
 */
import type { Migration } from '../../../node/sqlite/database';

export type { Migration };

export const MIGRATIONS: readonly Migration[] = [
  {
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
    name: 'host-keys-and-audit-log',
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
  {
    name: 'log-cache-and-settings',
    sql: `
      -- One row per followed container (Docker) or service (ops API) of a target: the cache's
      -- running totals, so sizes and ages are known without scanning the lines.
      CREATE TABLE log_sources (
        id      INTEGER PRIMARY KEY,
        target  TEXT NOT NULL,
        source  TEXT NOT NULL,
        service TEXT,
        lines   INTEGER NOT NULL DEFAULT 0,
        bytes   INTEGER NOT NULL DEFAULT 0,
        oldest  INTEGER,
        newest  INTEGER,
        UNIQUE (target, source)
      );
      -- Every followed line. ts is milliseconds since the epoch; stream 0 stdout, 1 stderr;
      -- level 1 error, 2 warn, 3 info, 4 debug, NULL unknown. Rows are written in arrival order,
      -- so the lowest ids are the oldest written: trimming by size removes them first.
      CREATE TABLE log_lines (
        id        INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL,
        ts        INTEGER NOT NULL,
        stream    INTEGER NOT NULL,
        level     INTEGER,
        message   TEXT NOT NULL
      );
      CREATE INDEX log_lines_source_ts ON log_lines (source_id, ts);
      -- The cached lines as bundles and tools read them.
      CREATE VIEW log_entries AS
        SELECT l.id, s.target, s.service, s.source AS container, l.ts,
               CASE l.stream WHEN 1 THEN 'stderr' ELSE 'stdout' END AS stream,
               CASE l.level WHEN 1 THEN 'error' WHEN 2 THEN 'warn' WHEN 3 THEN 'info' WHEN 4 THEN 'debug' END AS level,
               l.message
        FROM log_lines l JOIN log_sources s ON s.id = l.source_id;
      -- The user's bounds for the cache (one row; defaults apply until it is written).
      CREATE TABLE log_cache_limits (
        id            INTEGER PRIMARY KEY CHECK (id = 1),
        max_bytes     INTEGER NOT NULL,
        max_age_hours INTEGER NOT NULL
      );
      -- Small UI state: a key and its JSON value.
      CREATE TABLE settings (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    name: 'audit-subjects',
    sql: `
      -- The audit log records any subject (container, probe, runbook run, bundle, target), not only
      -- containers. Kind and outcome are checked by the app, not here: a new kind or outcome is
      -- then a code change, not a table rebuild. The target is copied (or NULL for subjects tied to
      -- none) so entries outlive their target.
      CREATE TABLE audit_entries (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        at           TEXT NOT NULL,
        subject_kind TEXT NOT NULL,
        subject      TEXT NOT NULL,
        action       TEXT NOT NULL,
        outcome      TEXT NOT NULL,
        detail       TEXT NOT NULL CHECK (json_valid(detail) AND json_type(detail) = 'object'),
        target_id    TEXT,
        target_name  TEXT,
        environment  TEXT,
        CHECK ((target_id IS NULL) = (target_name IS NULL) AND (target_id IS NULL) = (environment IS NULL))
      );
      -- Every container entry carried over, ids kept: the old text detail becomes { "message": … }.
      INSERT INTO audit_entries (id, at, subject_kind, subject, action, outcome, detail, target_id, target_name, environment)
        SELECT id, at, 'container', container, action, result, json_object('message', detail), target_id, target_name, environment
        FROM audit_log ORDER BY id;
      DROP TABLE audit_log;
      CREATE INDEX audit_entries_target ON audit_entries (target_id, id DESC);
      CREATE INDEX audit_entries_subject ON audit_entries (subject_kind, id DESC);
    `,
  },
  {
    name: 'probes',
    sql: `
      -- Integration probes as the user defined them. Kind and trigger names are checked by the app
      -- (a new kind is then a code change, not a table rebuild); settings and conditions are the
      -- JSON the draft was parsed into. Secret values never come here, only which slots hold one.
      CREATE TABLE probes (
        id               TEXT PRIMARY KEY,
        name             TEXT NOT NULL,
        scope            TEXT NOT NULL,
        provider         TEXT,
        check_name       TEXT NOT NULL,
        kind             TEXT NOT NULL,
        settings         TEXT NOT NULL CHECK (json_valid(settings)),
        conditions       TEXT NOT NULL CHECK (json_valid(conditions)),
        interval_seconds INTEGER NOT NULL,
        timeout_seconds  INTEGER NOT NULL,
        retries          INTEGER NOT NULL,
        cheap            INTEGER NOT NULL CHECK (cheap IN (0, 1)),
        paused           INTEGER NOT NULL CHECK (paused IN (0, 1)),
        sla_seconds      INTEGER,
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL
      );
      CREATE UNIQUE INDEX probes_name ON probes (name COLLATE NOCASE);
      CREATE INDEX probes_scope ON probes (scope, provider);
      -- Which of a probe's secret slots hold a value in the keychain (under probe/<id>/<slot>).
      CREATE TABLE probe_secrets (
        probe_id TEXT NOT NULL REFERENCES probes (id) ON DELETE CASCADE,
        slot     TEXT NOT NULL,
        PRIMARY KEY (probe_id, slot)
      );
    `,
  },
  {
    name: 'probe-results',
    sql: `
      -- The probe store (main/services/probes/probe-store.ts). Results are kept compact — integer
      -- columns, times in ms since the epoch, repeated text stored once in probe_texts — so a
      -- result costs well under 100 bytes on disk. Probes are referred to by a small integer key of
      -- this store's own, not by the probes table's uuid: no foreign key, so results, history and
      -- the probe definitions can each be kept, pruned or dropped on their own terms.
      CREATE TABLE probe_keys (
        key         INTEGER PRIMARY KEY,
        probe_id    TEXT NOT NULL UNIQUE,
        -- Status code (0 ok, 1 warn, 2 fail) of the last result that was not interrupted: the
        -- "from" of the next transition event.
        last_status INTEGER,
        -- The last success and the last failure, kept whatever the retention.
        last_ok     INTEGER,
        last_fail   INTEGER
      );
      -- One row per finished run. flags: status (bits 0-1), trigger (2-4), maintenance (5),
      -- interrupted (6), has artifacts (7). finish_extra: finished - started - duration (ms, usually
      -- 0). attempts_extra: attempts - 1. fail_mask: bit i set when condition i failed.
      -- conditions, metadata, error: ids in probe_texts (NULL: none); observed: the numbers the
      -- conditions saw, as varints (see probe-store-codec.ts).
      CREATE TABLE probe_results (
        id             INTEGER PRIMARY KEY,
        probe          INTEGER NOT NULL,
        started        INTEGER NOT NULL,
        duration       INTEGER NOT NULL,
        finish_extra   INTEGER NOT NULL,
        flags          INTEGER NOT NULL,
        attempts_extra INTEGER NOT NULL,
        fail_mask      INTEGER NOT NULL,
        conditions     INTEGER,
        observed       BLOB,
        metadata       INTEGER,
        error          INTEGER
      );
      CREATE INDEX probe_results_probe_started ON probe_results (probe, started);
      -- Text a result refers to (a condition template, metadata JSON, an error). A run reuses its
      -- probe's previous run's text when it is the same, so while things repeat nothing new is
      -- written; first is the result that wrote it (see the store's pruning).
      CREATE TABLE probe_texts (
        id    INTEGER PRIMARY KEY,
        probe INTEGER NOT NULL,
        first INTEGER NOT NULL,
        text  TEXT NOT NULL
      );
      CREATE INDEX probe_texts_probe_first ON probe_texts (probe, first);
      -- Files a run produced, stored at <dataDir>/probe-artifacts/<probe>/<result>-<n>.
      CREATE TABLE probe_artifacts (
        result       INTEGER NOT NULL,
        n            INTEGER NOT NULL,
        probe        INTEGER NOT NULL,
        name         TEXT NOT NULL,
        content_type TEXT NOT NULL,
        bytes        INTEGER NOT NULL,
        truncated    INTEGER NOT NULL,
        PRIMARY KEY (result, n)
      ) WITHOUT ROWID;
      CREATE INDEX probe_artifacts_probe ON probe_artifacts (probe, result);
      -- A probe's status changed (prev NULL: its first result), at the start of result.
      CREATE TABLE probe_events (
        id      INTEGER PRIMARY KEY,
        probe   INTEGER NOT NULL,
        started INTEGER NOT NULL,
        prev    INTEGER,
        next    INTEGER NOT NULL,
        result  INTEGER NOT NULL
      );
      CREATE INDEX probe_events_probe_started ON probe_events (probe, started);
      -- Aggregates: hour = ms / 3600000, day = ms / 86400000 (UTC). hist: a sparse log-scale
      -- latency histogram; minutes: the hour's per-minute aggregates, packed (NULL once dropped).
      CREATE TABLE probe_hours (
        probe   INTEGER NOT NULL,
        hour    INTEGER NOT NULL,
        ok      INTEGER NOT NULL,
        warn    INTEGER NOT NULL,
        fail    INTEGER NOT NULL,
        dur     INTEGER NOT NULL,
        hist    BLOB NOT NULL,
        minutes BLOB,
        PRIMARY KEY (probe, hour)
      ) WITHOUT ROWID;
      CREATE TABLE probe_days (
        probe INTEGER NOT NULL,
        day   INTEGER NOT NULL,
        ok    INTEGER NOT NULL,
        warn  INTEGER NOT NULL,
        fail  INTEGER NOT NULL,
        dur   INTEGER NOT NULL,
        hist  BLOB NOT NULL,
        PRIMARY KEY (probe, day)
      ) WITHOUT ROWID;
      -- Runs in flight; what a stopped app left here becomes an interrupted result at the next start.
      CREATE TABLE probe_runs (
        id       INTEGER PRIMARY KEY,
        probe_id TEXT NOT NULL,
        trigger  INTEGER NOT NULL,
        started  INTEGER NOT NULL
      );
      -- The user's retention (one row; defaults apply until it is written).
      CREATE TABLE probe_retention (
        id             INTEGER PRIMARY KEY CHECK (id = 1),
        raw_days       INTEGER NOT NULL,
        aggregate_days INTEGER NOT NULL,
        max_megabytes  INTEGER NOT NULL
      );
    `,
  },
  {
    name: 'probe-folded',
    sql: `
      -- The probe store keeps its newest aggregates (and each probe's last status, success and
      -- failure in probe_keys) in memory and writes them every minute, when it stops and before a
      -- prune; result is the last probe_results id those written rows account for. At the next
      -- start the results after it are counted again, so stopping between writes loses nothing.
      -- Until this step the aggregates were written with every result: all of them are counted.
      CREATE TABLE probe_folded (
        id     INTEGER PRIMARY KEY CHECK (id = 1),
        result INTEGER NOT NULL
      );
      INSERT INTO probe_folded (id, result) SELECT 1, coalesce(max(id), 0) FROM probe_results;
    `,
  },
  {
    name: 'probe-artifact-sets',
    sql: `
      -- Artifacts stored by content: one file per distinct content at
      -- <dataDir>/probe-artifacts/<hash[0..2]>/<hash>.bin (hash: its sha256, hex), written (to a
      -- temporary name, then renamed) before the row that refers to it commits. A result refers to
      -- an artifact set (probe_results.artifacts), and identical sets — a health endpoint answering
      -- the same JSON run after run — are one row, so a result's artifacts cost it one small
      -- integer. refs: the results referring to a set; sets: the sets referring to a file. Both
      -- are kept in the write transactions; at zero the row goes, and the file after the commit.
      -- Files no row names (a process stopped between the file and the commit) are swept at start.
      -- probe_artifacts (one row and file per result and artifact) is read once, into these, and
      -- left empty.
      CREATE TABLE probe_blobs (
        hash  TEXT PRIMARY KEY,
        bytes INTEGER NOT NULL,
        sets  INTEGER NOT NULL
      ) WITHOUT ROWID;
      -- items: JSON [[name, contentType, hash, bytes, truncated (0/1)], ...], in the run's order.
      CREATE TABLE probe_artifact_sets (
        id    INTEGER PRIMARY KEY,
        refs  INTEGER NOT NULL,
        items TEXT NOT NULL UNIQUE
      );
      ALTER TABLE probe_results ADD COLUMN artifacts INTEGER;
      -- What a probe's last run saw (its small, redacted placeholder values, as JSON), for kinds
      -- that compare with it ("restarts since the last run"); replaced each run, read at start.
      CREATE TABLE probe_values (
        probe INTEGER PRIMARY KEY,
        vals  TEXT NOT NULL
      );
    `,
  },
];

/** The schema version (`user_version`) of a file that ran every step: their count. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
