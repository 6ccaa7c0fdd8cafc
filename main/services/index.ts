/**
 * The one place the services are wired together. Each service takes its dependencies as
 * arguments, so tests can hand in a temporary data directory, another credential backend or a
 * fixed clock.
 */
import { join } from 'node:path';
import { DATABASE_FILE, openDatabase, type Db } from './store/database';
import type { CredentialBackend } from './credentials/credential-backend';
import { TargetsService, systemClock, type Clock } from './targets/targets-service';

export interface ServiceDeps {
  dataDir: string;
  credentials: CredentialBackend;
  clock?: Clock;
}

export interface Services {
  dataDir: string;
  db: Db;
  credentials: CredentialBackend;
  targets: TargetsService;
  close(): void;
}

export function createServices({ dataDir, credentials, clock = systemClock }: ServiceDeps): Services {
  const db = openDatabase(join(dataDir, DATABASE_FILE));
  const targets = new TargetsService(db, credentials, clock);
  return {
    dataDir,
    db,
    credentials,
    targets,
    close: () => db.close(),
  };
}
