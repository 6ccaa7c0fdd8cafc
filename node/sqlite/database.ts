/**
 * A SQLite file opened the same way by the app and the agent: WAL mode, migrated at open.
 *
 * A database written by a newer Control Room is refused before anything touches it: its schema
 * version is read first (from the file header), so an older app can never "migrate" it backwards.
 */
import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { ApiError } from '../../shared/errors';

export type Db = Database.Database;

/** One step of a schema. Append only: a shipped step is never edited, users' files already ran it. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function openDatabase(file: string, migrations: readonly Migration[]): Db {
  const latest = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  if (existsSync(file)) refuseNewerSchema(file, latest);
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
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

function migrate(db: Db, migrations: readonly Migration[]): void {
  const current = schemaVersion(db);
  const pending = migrations.filter((m) => m.version > current);
  // One transaction for all pending steps: a failure leaves the file at its old version.
  db.transaction(() => {
    for (const migration of pending) {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }
  })();
}
