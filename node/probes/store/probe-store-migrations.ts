/**
 * The probe store's schema, as named steps in the order they run.
 *
 * Both the app (main/services/store/migrations.ts, spread in place after its own `probes` step)
 * and the agent (agent/store.ts, appended) run them, so a store file written by either keeps
 * results with the same layout and retention. The names and order are those the app shipped:
 * its users' files already ran them, so a step here is never edited, only added after.
 */
import type { Migration } from '../../sqlite/database';

export const PROBE_STORE_MIGRATIONS: readonly Migration[] = [
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
