/**
 * What the run store's tests share: a temp folder with the app's SQLite file (its real
 * migrations), a fake clock, and a run to write to.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore, type NewRun, type RunStoreOptions } from '../../../main/services/runbooks/run-store';
import { DATABASE_FILE, openDatabase, type Db } from '../../../main/services/store/database';
import { RunbookDefinition } from '../../../shared/model/runbook';
import { FakeClock } from '../../support/fake-clock';

export const T0 = Date.parse('2026-11-26T10:00:00Z');

export interface StoreFixture {
  dir: string;
  file: string;
  db: Db;
  clock: FakeClock;
  store: RunStore;
  /** Stores and files opened by the test, closed by `close`. */
  opened: { store: RunStore; db: Db }[];
  /** A second store on the same file, as after a restart (the first is left as it is). */
  reopen(options?: RunStoreOptions): { db: Db; store: RunStore };
  close(): void;
}

export function openFixture(options: RunStoreOptions = {}): StoreFixture {
  const dir = mkdtempSync(join(tmpdir(), 'cr-run-store-'));
  const file = join(dir, DATABASE_FILE);
  const clock = new FakeClock(T0);
  const db = openDatabase(file);
  const store = new RunStore(db, dir, clock, options);
  store.start();
  const fixture: StoreFixture = {
    dir,
    file,
    db,
    clock,
    store,
    opened: [{ store, db }],
    reopen(reopenOptions = options) {
      const db2 = openDatabase(file);
      const store2 = new RunStore(db2, dir, clock, reopenOptions);
      fixture.opened.push({ store: store2, db: db2 });
      return { db: db2, store: store2 };
    },
    close() {
      for (const { store: s, db: d } of fixture.opened) {
        s.dispose();
        d.close();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

export const DEPLOY = RunbookDefinition.parse({
  id: 'deploy-backend',
  title: 'Deploy backend',
  kind: 'deploy',
  risk: 'changes-prod',
  inputs: [{ name: 'tag', required: true }],
  phases: { action: [{ id: 'recreate', kind: 'docker', with: { action: 'recreate', service: 'backend', tag: '{{ inputs.tag }}' } }] },
});

export const HEALTH = RunbookDefinition.parse({ id: 'healthcheck', title: 'Health check', kind: 'healthcheck', risk: 'read-only' });

export function newRun(overrides: Partial<NewRun> = {}): NewRun {
  return {
    runbook: DEPLOY,
    risk: DEPLOY.risk,
    target: { id: 'shop-prod', name: 'Shop prod', environment: 'prod' },
    inputs: { tag: 'v1.4.2' },
    dryRun: false,
    startedBy: 'ana',
    origin: 'app',
    retryOf: null,
    resumedFrom: null,
    ...overrides,
  };
}

/** `count` output lines like a step's, numbered from `from`. */
export function outputLine(i: number): { level: 'output'; phase: string; step: string; message: string } {
  return { level: 'output', phase: 'action', step: 'recreate', message: `2026-11-26T10:00:00.123Z backend  GET /api/items 200 12ms line ${i}` };
}
