/**
 * The app's schema, as named steps in the order they run.
 *
 * A feature adds its step by a new name where it belongs, without renumbering anyone's; a shipped
 * step is never edited, because users' databases already ran it. The first three were numbered
 * 1–3 before names were recorded: they keep their places, files that ran them are read by position.
 */
import type { Migration } from '../../../node/sqlite/database';
import { PROBE_STORE_MIGRATIONS } from '../../../node/probes/store/probe-store-migrations';
import { ALERTS_MIGRATION } from '../alerts/alert-migration';
import { CHANNELS_MIGRATION } from '../alerts/channels/channel-migration';
import { RUNBOOKS_MIGRATION } from '../runbooks/runbook-migration';
import { BUNDLES_MIGRATION } from '../bundles/bundle-migration';

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
  // The probe store's steps (probe-results, probe-folded, probe-artifact-sets), shared with the agent.
  ...PROBE_STORE_MIGRATIONS,
  // Alert rules, dependencies, maintenance windows and the alert history (main/services/alerts).
  ALERTS_MIGRATION,
  // Alert channels: desktop, webhook, Slack, Discord, email (main/services/alerts/channels).
  CHANNELS_MIGRATION,
  // Runbook runs, their steps, events, artifacts and locks; runbook secrets; probe remediations.
  RUNBOOKS_MIGRATION,
  // Custom redaction rules for support bundles.
  BUNDLES_MIGRATION,
];

/** The schema version (`user_version`) of a file that ran every step: their count. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
