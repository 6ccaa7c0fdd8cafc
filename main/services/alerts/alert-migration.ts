/**
 * The alerts' step of the app's schema (listed in main/services/store/migrations.ts).
 *
 * Subjects are stored as a kind and a value (`probe` + id, `scope` + name, `all` + ''), with no
 * foreign key to the probes: a rule, a dependency or a history entry outlives a probe deleted and
 * saved again, and the history keeps the probe's name as it was.
 */
import type { Migration } from '../../../node/sqlite/database';

export const ALERTS_MIGRATION: Migration = {
  name: 'alerts',
  sql: `
    -- A rule's own settings (JSON, each left out falls through to the scope's rule, then defaults).
    CREATE TABLE alert_rules (
      subject_kind TEXT NOT NULL CHECK (subject_kind IN ('probe', 'scope')),
      subject      TEXT NOT NULL,
      settings     TEXT NOT NULL CHECK (json_valid(settings)),
      updated_at   TEXT NOT NULL,
      PRIMARY KEY (subject_kind, subject)
    );
    CREATE TABLE alert_dependencies (
      id             TEXT PRIMARY KEY,
      dependant_kind TEXT NOT NULL CHECK (dependant_kind IN ('probe', 'scope')),
      dependant      TEXT NOT NULL,
      parent_kind    TEXT NOT NULL CHECK (parent_kind IN ('probe', 'scope')),
      parent         TEXT NOT NULL,
      created_at     TEXT NOT NULL
    );
    CREATE UNIQUE INDEX alert_dependencies_pair ON alert_dependencies (dependant_kind, dependant, parent_kind, parent);
    -- schedule: the window as JSON ({ kind: 'once', startsAt, endsAt } or a weekly one).
    CREATE TABLE alert_maintenance (
      id           TEXT PRIMARY KEY,
      subject_kind TEXT NOT NULL CHECK (subject_kind IN ('probe', 'scope', 'all')),
      subject      TEXT NOT NULL,
      reason       TEXT NOT NULL,
      schedule     TEXT NOT NULL CHECK (json_valid(schedule)),
      created_at   TEXT NOT NULL
    );
    -- The alert history. at: ms since the epoch; deliveries: JSON array of channel outcomes.
    CREATE TABLE alert_decisions (
      id         INTEGER PRIMARY KEY AUTOINCREMENT,
      at         INTEGER NOT NULL,
      probe_id   TEXT NOT NULL,
      probe_name TEXT NOT NULL,
      kind       TEXT NOT NULL,
      decision   TEXT NOT NULL,
      reason     TEXT NOT NULL,
      deliveries TEXT NOT NULL CHECK (json_valid(deliveries)),
      delivering INTEGER NOT NULL CHECK (delivering IN (0, 1))
    );
    CREATE INDEX alert_decisions_probe ON alert_decisions (probe_id, id);
    -- What recipients were last told about each probe, so a restart neither repeats nor forgets an alert.
    CREATE TABLE alert_state (
      probe_id     TEXT PRIMARY KEY,
      told         TEXT NOT NULL CHECK (told IN ('ok', 'alert')),
      last_sent_at INTEGER,
      last_told_at INTEGER
    );
  `,
};
