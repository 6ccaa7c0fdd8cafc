/**
 * The app's own SQLite store: one file in the data directory, opened through the shared Node
 * layer with the app's migrations.
 */
import { openDatabase as openSqlite, type Db } from '../../../node/sqlite/database';
import { MIGRATIONS } from './migrations';

export { appliedStepNames, schemaVersion, type Db } from '../../../node/sqlite/database';
export { LATEST_SCHEMA_VERSION } from './migrations';

export const DATABASE_FILE = 'control-room.sqlite';

export function openDatabase(file: string, migrations = MIGRATIONS): Db {
  return openSqlite(file, migrations);
}
