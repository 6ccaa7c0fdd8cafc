/**
 * The SQLite store on a real file: named migration steps, WAL, the carry-over of files from the
 * numbered scheme, and the refusal of a newer (or a different build's) database.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices } from '../../../main/services';
import { MemoryCredentialBackend } from '../../../main/services/credentials/credential-backend';
import { AGENT_MIGRATIONS, databaseFile, openAgentStore } from '../../../agent/store';
import {
  appliedStepNames,
  DATABASE_FILE,
  LATEST_SCHEMA_VERSION,
  openDatabase,
  schemaVersion,
  type Db,
} from '../../../main/services/store/database';
import { MIGRATIONS, type Migration } from '../../../main/services/store/migrations';
import { ApiError } from '../../../shared/errors';

let dir: string;
let file: string;
const open: Db[] = [];

function track(db: Db): Db {
  open.push(db);
  return db;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cr-store-'));
  file = join(dir, DATABASE_FILE);
});

afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function tables(db: Db): string[] {
  return (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' AND name <> 'schema_steps' ORDER BY name",
      )
      .all() as { name: string }[]
  ).map((row) => row.name);
}

/** Every table and index a file has after all the shipped steps (the steps table aside). */
const MIGRATED_OBJECTS = [
  'alert_channel_secrets',
  'alert_channels',
  'alert_channels_name',
  'alert_decisions',
  'alert_decisions_probe',
  'alert_dependencies',
  'alert_dependencies_pair',
  'alert_maintenance',
  'alert_rules',
  'alert_state',
  'audit_entries',
  'audit_entries_subject',
  'audit_entries_target',
  'log_cache_limits',
  'log_lines',
  'log_lines_source_ts',
  'log_sources',
  'probe_artifact_sets',
  'probe_artifacts',
  'probe_artifacts_probe',
  'probe_blobs',
  'probe_days',
  'probe_events',
  'probe_events_probe_started',
  'probe_folded',
  'probe_hours',
  'probe_keys',
  'probe_remediations',
  'probe_results',
  'probe_results_probe_started',
  'probe_retention',
  'probe_runs',
  'probe_secrets',
  'probe_texts',
  'probe_texts_probe_first',
  'probe_values',
  'probes',
  'probes_name',
  'probes_scope',
  'redaction_rules',
  'run_artifacts',
  'run_events',
  'run_locks',
  'run_steps',
  'runbook_secrets',
  'runs',
  'runs_created',
  'runs_runbook',
  'runs_status',
  'runs_target',
  'settings',
  'target_host_keys',
  'target_secrets',
  'targets',
  'targets_name',
];
const V1_OBJECTS = ['target_secrets', 'targets', 'targets_name'];
const NAMES = MIGRATIONS.map((m) => m.name);

/** A database as a newer Control Room would leave it: a schema version this app does not know. */
function writeNewerDatabase(path: string, journalMode: 'wal' | 'delete'): number {
  const version = LATEST_SCHEMA_VERSION + 7;
  const db = new Database(path);
  db.pragma(`journal_mode = ${journalMode}`);
  db.exec(
    "CREATE TABLE future_things (id INTEGER PRIMARY KEY, what TEXT); INSERT INTO future_things (what) VALUES ('from the future');",
  );
  db.pragma(`user_version = ${version}`);
  db.close();
  return version;
}

describe('openDatabase on a real file', () => {
  it('creates the file (and its folder), runs every migration, and uses WAL', () => {
    const nested = join(dir, 'not', 'yet', 'there', DATABASE_FILE);
    const db = track(openDatabase(nested));

    expect(existsSync(nested)).toBe(true);
    expect(MIGRATED_OBJECTS).toEqual(expect.arrayContaining(V1_OBJECTS));
    expect(tables(db)).toEqual(MIGRATED_OBJECTS);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length);
    expect(appliedStepNames(db)).toEqual(NAMES);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();

    // WAL is recorded in the file itself (header bytes 18–19 are 2), not just on the connection.
    const header = readFileSync(nested).subarray(18, 20);
    expect([...header]).toEqual([2, 2]);
    const other = track(new Database(nested, { readonly: true }));
    expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(schemaVersion(other)).toBe(LATEST_SCHEMA_VERSION);
  });

  it('enforces the schema: unique names ignoring case, known environments, cascading secret slots', () => {
    const db = track(openDatabase(file));
    const insert = db.prepare(
      "INSERT INTO targets (id, name, environment, kind, settings, created_at, updated_at) VALUES (?, ?, ?, 'docker-local', '{}', 'now', 'now')",
    );
    insert.run('a', 'Shop', 'prod');
    expect(() => insert.run('b', 'SHOP', 'prod')).toThrow(/UNIQUE/);
    expect(() => insert.run('c', 'Other', 'qa')).toThrow(/CHECK/);

    db.prepare("INSERT INTO target_secrets (target_id, slot) VALUES ('a', 'apiToken')").run();
    expect(() => db.prepare("INSERT INTO target_secrets (target_id, slot) VALUES ('nope', 'apiToken')").run()).toThrow(
      /FOREIGN KEY/,
    );
    db.prepare("DELETE FROM targets WHERE id = 'a'").run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM target_secrets').get()).toEqual({ n: 0 });
  });

  it('reopening is idempotent: no migration runs twice and the data is kept', () => {
    const first = track(openDatabase(file));
    first
      .prepare(
        "INSERT INTO targets (id, name, environment, kind, settings, created_at, updated_at) VALUES ('t1', 'Kept', 'dev', 'docker-local', '{}', 'x', 'x')",
      )
      .run();
    first.close();

    for (let i = 0; i < 3; i++) {
      const again = track(openDatabase(file));
      expect(schemaVersion(again)).toBe(LATEST_SCHEMA_VERSION);
      expect(tables(again)).toEqual(MIGRATED_OBJECTS);
      expect(appliedStepNames(again)).toEqual(NAMES);
      expect(again.prepare('SELECT id, name FROM targets').all()).toEqual([{ id: 't1', name: 'Kept' }]);
      again.close();
    }
  });

  it('applies only the pending migrations to an older database', () => {
    const v1 = MIGRATIONS.slice(0, 1);
    track(openDatabase(file, v1)).close();
    const added: Migration = { name: 'notes', sql: 'ALTER TABLE targets ADD COLUMN notes TEXT' };

    const db = track(openDatabase(file, [...v1, added]));

    expect(schemaVersion(db)).toBe(2);
    expect(appliedStepNames(db)).toEqual([v1[0]!.name, 'notes']);
    const columns = (db.prepare('PRAGMA table_info(targets)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).toContain('notes');
  });

  describe.each(['wal', 'delete'] as const)(
    'a database written by a newer Control Room (journal_mode %s)',
    (journalMode) => {
      it('is refused with store-too-new and a clear message, and left byte-for-byte untouched', () => {
        const version = writeNewerDatabase(file, journalMode);
        const before = { hash: sha256(file), mtime: statSync(file).mtimeMs, entries: readdirSync(dir).sort() };
        expect(before.entries).toEqual([DATABASE_FILE]);

        let thrown: unknown;
        try {
          track(openDatabase(file));
        } catch (error) {
          thrown = error;
        }

        expect(thrown).toBeInstanceOf(ApiError);
        const error = thrown as ApiError;
        expect(error.code).toBe('store-too-new');
        expect(error.message).toBe(
          `The data file ${file} was written by a newer Control Room (schema ${version}, this app knows ${LATEST_SCHEMA_VERSION}); update Control Room to open it — the file was left untouched.`,
        );
        expect(sha256(file)).toBe(before.hash);
        expect(statSync(file).mtimeMs).toBe(before.mtime);
        // No -wal, -shm or -journal file was created next to it.
        expect(readdirSync(dir).sort()).toEqual(before.entries);

        // And the newer app can still read its own data.
        const newer = track(new Database(file, { readonly: true }));
        expect(schemaVersion(newer)).toBe(version);
        expect(newer.prepare('SELECT what FROM future_things').all()).toEqual([{ what: 'from the future' }]);
      });
    },
  );

  it('is refused while a newer Control Room still has it open, its version only in the WAL', () => {
    const version = LATEST_SCHEMA_VERSION + 3;
    const writer = track(new Database(file));
    writer.pragma('journal_mode = wal');
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('CREATE TABLE future_things (id INTEGER PRIMARY KEY)');
    writer.pragma(`user_version = ${version}`);
    // The main file's header still holds the old version; only the WAL knows the new one.
    expect(readFileSync(file).readInt32BE(60)).toBe(0);
    const before = { hash: sha256(file), entries: readdirSync(dir).sort() };

    expect(() => track(openDatabase(file))).toThrow(expect.objectContaining({ code: 'store-too-new' }));

    expect(sha256(file)).toBe(before.hash);
    expect(readdirSync(dir).sort()).toEqual(before.entries);
    expect(schemaVersion(writer)).toBe(version);
    expect(writer.prepare('SELECT COUNT(*) AS n FROM future_things').get()).toEqual({ n: 0 });
  });

  it('createServices refuses a newer database the same way', () => {
    writeNewerDatabase(file, 'wal');
    const hash = sha256(file);
    expect(() => createServices({ dataDir: dir, credentials: new MemoryCredentialBackend() })).toThrow(
      expect.objectContaining({ code: 'store-too-new' }),
    );
    expect(sha256(file)).toBe(hash);
    expect(readdirSync(dir)).toEqual([DATABASE_FILE]);
  });

  it('a failing migration leaves the file at its old version, with none of its changes', () => {
    const v1 = MIGRATIONS.slice(0, 1);
    const seeded = track(openDatabase(file, v1));
    seeded
      .prepare(
        "INSERT INTO targets (id, name, environment, kind, settings, created_at, updated_at) VALUES ('t1', 'Before', 'dev', 'docker-local', '{}', 'x', 'x')",
      )
      .run();
    seeded.close();

    const broken: Migration[] = [
      ...v1,
      { name: 'fine', sql: 'CREATE TABLE step_two (id INTEGER PRIMARY KEY)' },
      {
        name: 'broken',
        sql: "UPDATE targets SET name = 'After'; CREATE TABLE step_three (id INTEGER PRIMARY KEY); THIS IS NOT SQL;",
      },
    ];
    expect(() => track(openDatabase(file, broken))).toThrow(/syntax error/);

    const db = track(new Database(file, { readonly: true }));
    expect(schemaVersion(db)).toBe(1);
    expect(appliedStepNames(db)).toEqual([v1[0]!.name]);
    expect(tables(db)).toEqual(V1_OBJECTS);
    expect(db.prepare('SELECT name FROM targets').all()).toEqual([{ name: 'Before' }]);
  });

  it('a failing first migration leaves a new file empty at version 0', () => {
    const broken: Migration[] = [
      {
        name: 'half',
        sql: 'CREATE TABLE half (id INTEGER PRIMARY KEY); CREATE TABLE half (id INTEGER PRIMARY KEY);',
      },
    ];
    expect(() => track(openDatabase(file, broken))).toThrow(/already exists/);

    const db = track(new Database(file, { readonly: true }));
    expect(schemaVersion(db)).toBe(0);
    expect(tables(db)).toEqual([]);
    // Not even the steps table: the file is as empty as before.
    expect(appliedStepNames(db)).toEqual([]);
    // The failed open closed its connection: the app can open the file again with good migrations.
    const fixed = track(openDatabase(file));
    expect(schemaVersion(fixed)).toBe(LATEST_SCHEMA_VERSION);
  });
});

/** A file exactly as the numbered scheme left it: each step's SQL, then `user_version` = its number. */
function writeNumberedFile(path: string, steps: readonly Migration[]): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.transaction(() => {
    steps.forEach((step, index) => {
      db.exec(step.sql);
      db.pragma(`user_version = ${index + 1}`);
    });
  })();
  db.close();
}

describe('named migration steps', () => {
  it('a step added in the middle of the list during development runs on files that ran the later ones', () => {
    // Feature C shipped its step to developers' files first…
    const featureC: Migration = { name: 'feature-c', sql: 'CREATE TABLE feature_c (id INTEGER PRIMARY KEY)' };
    const featureB: Migration = { name: 'feature-b', sql: 'CREATE TABLE feature_b (id INTEGER PRIMARY KEY)' };
    const first = track(openDatabase(file, [...MIGRATIONS, featureC]));
    first.prepare('INSERT INTO feature_c (id) VALUES (7)').run();
    first.close();

    // …then feature B's step was put before it, with no number to change: only B runs.
    const db = track(openDatabase(file, [...MIGRATIONS, featureB, featureC]));

    expect(appliedStepNames(db)).toEqual([...NAMES, 'feature-c', 'feature-b']);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length + 2);
    expect(tables(db)).toEqual([...MIGRATED_OBJECTS, 'feature_b', 'feature_c'].sort());
    // C's step did not run again (its CREATE TABLE would have failed), and its data is there.
    expect(db.prepare('SELECT id FROM feature_c').all()).toEqual([{ id: 7 }]);

    // A fresh file runs the list in its order.
    const fresh = track(openDatabase(join(dir, 'fresh.sqlite'), [...MIGRATIONS, featureB, featureC]));
    expect(appliedStepNames(fresh)).toEqual([...NAMES, 'feature-b', 'feature-c']);
  });

  it('refuses a list that names two steps the same', () => {
    const twice: Migration[] = [...MIGRATIONS, { name: NAMES[0]!, sql: 'SELECT 1' }];
    expect(() => openDatabase(file, twice)).toThrow(`Two schema steps are named "${NAMES[0]}"`);
    expect(existsSync(file)).toBe(false);
  });

  it('carries a file of the numbered scheme over: its steps are recognized by position, its data kept', () => {
    const numbered = MIGRATIONS.slice(0, 3);
    writeNumberedFile(file, numbered);
    const old = new Database(file);
    old
      .prepare(
        "INSERT INTO targets (id, name, environment, kind, settings, created_at, updated_at) VALUES ('t1', 'Old', 'prod', 'docker-local', '{}', 'x', 'x')",
      )
      .run();
    old.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('pane', '{\"a\":1}', 'x')").run();
    old.close();
    expect(readFileSync(file).readInt32BE(60)).toBe(3);

    // None of the three runs again: each is a CREATE TABLE that would fail on a second run.
    const db = track(openDatabase(file));

    expect(appliedStepNames(db)).toEqual(NAMES);
    expect(appliedStepNames(db).slice(0, 3)).toEqual(numbered.map((m) => m.name));
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(tables(db)).toEqual(MIGRATED_OBJECTS);
    expect(db.prepare('SELECT id, name FROM targets').all()).toEqual([{ id: 't1', name: 'Old' }]);
    expect(db.prepare('SELECT value FROM settings').all()).toEqual([{ value: '{"a":1}' }]);
    db.close();

    // Once carried over, reopening changes nothing.
    const hash = sha256(file);
    track(openDatabase(file)).close();
    expect(sha256(file)).toBe(hash);
  });

  it('carries an agent file at version 1 over', () => {
    const agentFile = databaseFile(dir);
    writeNumberedFile(agentFile, AGENT_MIGRATIONS.slice(0, 1));
    const old = new Database(agentFile);
    old.prepare("INSERT INTO tokens (id, hash, scope, created_at) VALUES ('tok1', 'abc', 'admin', 'x')").run();
    old.close();

    const db = track(openAgentStore(dir));

    expect(appliedStepNames(db)).toEqual(AGENT_MIGRATIONS.map((m) => m.name));
    expect(schemaVersion(db)).toBe(AGENT_MIGRATIONS.length);
    expect(db.prepare('SELECT id, scope FROM tokens').all()).toEqual([{ id: 'tok1', scope: 'admin' }]);
  });

  describe.each(['wal', 'delete'] as const)(
    'a file that ran a step this app does not know (journal_mode %s)',
    (journalMode) => {
      it('is refused with store-too-new, closed before writing: byte-for-byte untouched, no -wal or -shm', () => {
        // Another build's list: as many steps as this app knows, the last one its own.
        const theirs: Migration[] = [
          ...MIGRATIONS.slice(0, -1),
          { name: 'someone-elses-feature', sql: 'CREATE TABLE elsewhere (id INTEGER PRIMARY KEY)' },
        ];
        track(openDatabase(file, theirs)).close();
        if (journalMode === 'delete') {
          const switching = new Database(file);
          switching.pragma('journal_mode = delete');
          switching.close();
        }
        expect(readFileSync(file).readInt32BE(60)).toBe(LATEST_SCHEMA_VERSION);
        const before = { hash: sha256(file), mtime: statSync(file).mtimeMs, entries: readdirSync(dir).sort() };
        expect(before.entries).toEqual([DATABASE_FILE]);

        let thrown: unknown;
        try {
          track(openDatabase(file));
        } catch (error) {
          thrown = error;
        }

        expect(thrown).toBeInstanceOf(ApiError);
        expect((thrown as ApiError).code).toBe('store-too-new');
        expect((thrown as ApiError).message).toBe(
          `The data file ${file} was written by a newer or different Control Room (schema steps this app does not know: someone-elses-feature); update Control Room to open it — the file was left untouched.`,
        );
        expect(sha256(file)).toBe(before.hash);
        expect(statSync(file).mtimeMs).toBe(before.mtime);
        expect(readdirSync(dir).sort()).toEqual(before.entries);

        // The build that wrote it opens it as before.
        const theirsAgain = track(openDatabase(file, theirs));
        expect(appliedStepNames(theirsAgain)).toEqual(theirs.map((m) => m.name));
      });
    },
  );
});
