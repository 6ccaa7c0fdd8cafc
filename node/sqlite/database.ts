/**
 * A SQLite file opened the same way by the app and the agent: WAL mode, migrated at open.
 *
 * The schema is a list of named steps. Features add their own step by name wherever it belongs
 * in the list, so two features in development never fight over a number; the file records the
 * names it ran (`schema_steps`), and `PRAGMA user_version` keeps the count of them.
 *
 * A database written by a newer Control Room is refused before anything touches it: its step
 * count is read first (from the file header, so no -wal or -shm is created), so an older app can
 * never "migrate" it backwards. A file that ran a step this app does not know (a newer or a
 * different build) is refused after a read, closed before anything was written.
 */
import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { ApiError } from '../../shared/errors';

export type Db = Database.Database;

/**
 * One named step of a schema.
 *
 * Steps run in list order; a file runs each step it has not run yet, whatever its position. A
 * shipped step is never edited or removed (users' files already ran it). Until the step names
 * were recorded, files kept a step number in `user_version`: those steps are recognized by their
 * position, so the steps that existed then must keep theirs.
 */
export interface Migration {
  /** Unique in its list, and never renamed: it is what the file records. */
  name: string;
  sql: string;
}

/** Where a file records the steps it ran, in the order it ran them. */
const STEPS_TABLE = 'schema_steps';

export function openDatabase(file: string, migrations: readonly Migration[]): Db {
  checkNames(migrations);
  if (existsSync(file)) refuseNewerSchema(file, migrations.length);
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    // A connection setting, nothing written: the read below waits out another writer's lock.
    db.pragma('busy_timeout = 5000');
    // Before the other pragmas: switching a file to WAL writes its header, and a refused file stays as it was.
    const applied = appliedSteps(db, migrations);
    refuseUnknownSteps(file, applied, migrations);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, applied);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** How many schema steps the file has run. */
export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** The names of the steps the file ran, in the order it ran them. */
export function appliedStepNames(db: Db): string[] {
  if (!hasStepsTable(db)) return [];
  return (db.prepare(`SELECT name FROM ${STEPS_TABLE} ORDER BY position`).all() as { name: string }[]).map(
    (row) => row.name,
  );
}

function checkNames(migrations: readonly Migration[]): void {
  const seen = new Set<string>();
  for (const { name } of migrations) {
    if (!name.trim()) throw new Error('A schema step needs a name.');
    if (seen.has(name)) throw new Error(`Two schema steps are named "${name}"; each name must be unique.`);
    seen.add(name);
  }
}

function refuseNewerSchema(file: string, latest: number): void {
  // Opening a WAL database, even read-only, creates its -wal and -shm files; so unless a -wal is
  // already there (the file is in use or was not checkpointed), read the version from the header.
  const version = existsSync(`${file}-wal`) ? versionViaSqlite(file) : versionFromHeader(file);
  if (version > latest) {
    throw new ApiError(
      'store-too-new',
      `The data file ${file} was written by a newer Control Room (schema ${version}, this app knows ${latest}); update Control Room to open it — the file was left untouched.`,
    );
  }
}

/** `user_version` is the big-endian integer at offset 60 of the 100-byte database header. */
function versionFromHeader(file: string): number {
  const header = Buffer.alloc(100);
  const fd = openSync(file, 'r');
  try {
    if (readSync(fd, header, 0, header.length, 0) < header.length) return 0;
  } finally {
    closeSync(fd);
  }
  // Not a SQLite file: let the real open below report it.
  if (header.toString('latin1', 0, 16) !== 'SQLite format 3\0') return 0;
  return header.readInt32BE(60);
}

function versionViaSqlite(file: string): number {
  const probe = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return schemaVersion(probe);
  } finally {
    probe.close();
  }
}

function hasStepsTable(db: Db): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(STEPS_TABLE) !== undefined;
}

/**
 * The steps the file ran. A file from before step names were recorded has only a count, of the
 * steps that were numbered 1, 2, 3… then: the first ones of the list.
 */
function appliedSteps(db: Db, migrations: readonly Migration[]): { names: string[]; recorded: boolean } {
  if (hasStepsTable(db)) return { names: appliedStepNames(db), recorded: true };
  return { names: migrations.slice(0, schemaVersion(db)).map((m) => m.name), recorded: false };
}

function refuseUnknownSteps(file: string, applied: { names: string[] }, migrations: readonly Migration[]): void {
  const known = new Set(migrations.map((m) => m.name));
  const unknown = applied.names.filter((name) => !known.has(name));
  if (!unknown.length) return;
  throw new ApiError(
    'store-too-new',
    `The data file ${file} was written by a newer or different Control Room (schema steps this app does not know: ${unknown.join(', ')}); update Control Room to open it — the file was left untouched.`,
  );
}

function migrate(db: Db, migrations: readonly Migration[], applied: { names: string[]; recorded: boolean }): void {
  const done = new Set(applied.names);
  const pending = migrations.filter((m) => !done.has(m.name));
  if (applied.recorded && !pending.length) return;
  // One transaction for all of it: a failure leaves the file as it was, at its old version.
  db.transaction(() => {
    if (!applied.recorded) {
      db.exec(`
        CREATE TABLE ${STEPS_TABLE} (
          position   INTEGER PRIMARY KEY,
          name       TEXT NOT NULL UNIQUE,
          applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
      `);
      // A numbered file's steps, carried over by position.
      const record = db.prepare(`INSERT INTO ${STEPS_TABLE} (position, name) VALUES (?, ?)`);
      applied.names.forEach((name, index) => record.run(index + 1, name));
    }
    const record = db.prepare(`INSERT INTO ${STEPS_TABLE} (position, name) VALUES (?, ?)`);
    let count = applied.names.length;
    for (const migration of pending) {
      db.exec(migration.sql);
      record.run(++count, migration.name);
    }
    db.pragma(`user_version = ${count}`);
  })();
}
