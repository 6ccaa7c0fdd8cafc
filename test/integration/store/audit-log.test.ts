/**
 * The audit log on a real SQLite file: a file of the container-only schema carried over by the
 * `audit-subjects` step with every row intact, then entries of other subjects recorded and listed.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../node/clock';
import { AuditLog } from '../../../main/services/audit/audit-log';
import { appliedStepNames, DATABASE_FILE, openDatabase, type Db } from '../../../main/services/store/database';
import { MIGRATIONS } from '../../../main/services/store/migrations';
import { channels } from '../../../shared/contract';
import type { AuditEntry } from '../../../shared/model/audit';

let dir: string;
let file: string;
let db: Db | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cr-audit-'));
  file = join(dir, DATABASE_FILE);
});

afterEach(() => {
  if (db?.open) db.close();
  db = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** The rows the container-only audit log held: one per action, text detail. */
const OLD_ROWS = [
  ['2024-05-01T10:00:00.000Z', 't-prod', 'prod-1', 'prod', 'shop-backend-1', 'restart', 'ok', 'restarted'],
  ['2024-05-01T10:05:00.000Z', 't-prod', 'prod-1', 'prod', 'broken-1', 'start', 'error', 'exec: "/bin/does-not-exist": not found'],
  ['2024-05-01T10:06:00.000Z', 't-dev', 'laptop', 'dev', 'api-1', 'stop', 'ok', 'already stopped'],
  // A target deleted since: its entries stay, names as they were.
  ['2024-05-01T10:07:00.000Z', 't-gone', 'old box', 'staging', 'db-1', 'restart', 'ok', ''],
] as const;

/** A file exactly as the app of the numbered scheme left it: steps 1–3, `user_version` 3, real rows. */
function writeContainerOnlyFile(): void {
  const old = new Database(file);
  old.pragma('journal_mode = WAL');
  MIGRATIONS.slice(0, 3).forEach((step, index) => {
    old.exec(step.sql);
    old.pragma(`user_version = ${index + 1}`);
  });
  const insert = old.prepare(
    'INSERT INTO audit_log (at, target_id, target_name, environment, container, action, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  for (const row of OLD_ROWS) insert.run(...row);
  // Ids with a gap, as deletions of the old AUTOINCREMENT table would leave: they are kept.
  old.prepare("DELETE FROM audit_log WHERE container = 'api-1'").run();
  insert.run(...OLD_ROWS[2]);
  old.close();
}

describe('the audit-subjects step on a file of the container-only schema', () => {
  it('carries every row over: container subjects, outcomes, { message } detail, ids kept', () => {
    writeContainerOnlyFile();

    db = openDatabase(file);
    expect(appliedStepNames(db)).toContain('audit-subjects');
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
      (row) => row.name,
    );
    expect(tables).toContain('audit_entries');
    expect(tables).not.toContain('audit_log');

    const entries = new AuditLog(db, systemClock).list();
    expect(entries).toEqual<AuditEntry[]>([
      {
        id: 5,
        at: '2024-05-01T10:06:00.000Z',
        subjectKind: 'container',
        subject: 'api-1',
        action: 'stop',
        outcome: 'ok',
        detail: { message: 'already stopped' },
        target: { id: 't-dev', name: 'laptop', environment: 'dev' },
      },
      {
        id: 4,
        at: '2024-05-01T10:07:00.000Z',
        subjectKind: 'container',
        subject: 'db-1',
        action: 'restart',
        outcome: 'ok',
        detail: { message: '' },
        target: { id: 't-gone', name: 'old box', environment: 'staging' },
      },
      {
        id: 2,
        at: '2024-05-01T10:05:00.000Z',
        subjectKind: 'container',
        subject: 'broken-1',
        action: 'start',
        outcome: 'error',
        detail: { message: 'exec: "/bin/does-not-exist": not found' },
        target: { id: 't-prod', name: 'prod-1', environment: 'prod' },
      },
      {
        id: 1,
        at: '2024-05-01T10:00:00.000Z',
        subjectKind: 'container',
        subject: 'shop-backend-1',
        action: 'restart',
        outcome: 'ok',
        detail: { message: 'restarted' },
        target: { id: 't-prod', name: 'prod-1', environment: 'prod' },
      },
    ]);
    // What main sends out passes the contract as it is.
    expect(channels['audit:list'].response.parse(entries)).toEqual(entries);
  });

  it('then records entries of other subjects, with or without a target, after the carried-over ids', () => {
    writeContainerOnlyFile();
    db = openDatabase(file);
    const audit = new AuditLog(db, systemClock);
    const heard: AuditEntry[] = [];
    const stop = audit.onRecorded((entry) => heard.push(entry));

    const started = Date.now();
    const probe = audit.record({
      subjectKind: 'probe',
      subject: 'https://shop.example.com/health',
      action: 'run',
      outcome: 'ok',
      detail: { status: 200, ms: 41 },
      target: { id: 't-prod', name: 'prod-1', environment: 'prod' },
    });
    const run = audit.record({
      subjectKind: 'runbook-run',
      subject: 'run-17',
      action: 'cancel',
      outcome: 'canceled',
      detail: { runbook: 'rotate logs', step: 3 },
      target: { id: 't-dev', name: 'laptop', environment: 'dev' },
    });
    const bundle = audit.record({ subjectKind: 'bundle', subject: 'support-2024-05-01.zip', action: 'export', outcome: 'ok' });
    stop();
    audit.record({ subjectKind: 'target', subject: 't-dev', action: 'delete', outcome: 'error', detail: { message: 'locked' } });

    expect(heard).toEqual([probe, run, bundle]);
    // AUTOINCREMENT carried over: a new id never reuses one of the old rows'.
    expect(probe.id).toBe(6);
    expect(Date.parse(probe.at)).toBeGreaterThanOrEqual(started - 1);
    expect(bundle).toMatchObject({ target: null, detail: {} });

    // What was recorded is what is read back, through the contract.
    const all = channels['audit:list'].response.parse(audit.list());
    expect(all.slice(0, 4).map((e) => [e.id, e.subjectKind, e.subject, e.outcome])).toEqual([
      [9, 'target', 't-dev', 'error'],
      [8, 'bundle', 'support-2024-05-01.zip', 'ok'],
      [7, 'runbook-run', 'run-17', 'canceled'],
      [6, 'probe', 'https://shop.example.com/health', 'ok'],
    ]);
    expect(all).toHaveLength(OLD_ROWS.length + 4);
    expect(all.find((e) => e.id === 7)).toEqual(run);

    // Filters: by target, by kind of subject, both, and the limit.
    expect(audit.list({ targetId: 't-prod' }).map((e) => e.id)).toEqual([6, 2, 1]);
    expect(audit.list({ subjectKind: 'container' }).map((e) => e.id)).toEqual([5, 4, 2, 1]);
    expect(audit.list({ targetId: 't-prod', subjectKind: 'probe' }).map((e) => e.id)).toEqual([6]);
    expect(audit.list({ targetId: 't-dev', limit: 1 }).map((e) => e.id)).toEqual([7]);

    // Entries survive a reopen as they were.
    db.close();
    db = openDatabase(file);
    expect(new AuditLog(db, systemClock).list()).toEqual(all);
  });

  it('keeps the detail a JSON object and a target whole or absent', () => {
    db = openDatabase(file);
    const insert = db.prepare(
      "INSERT INTO audit_entries (at, subject_kind, subject, action, outcome, detail, target_id, target_name, environment) VALUES ('x', 'probe', 's', 'run', 'ok', ?, ?, ?, ?)",
    );
    expect(() => insert.run('restarted', null, null, null)).toThrow(/CHECK/);
    expect(() => insert.run('["a"]', null, null, null)).toThrow(/CHECK/);
    expect(() => insert.run('{}', 't1', null, 'prod')).toThrow(/CHECK/);
    expect(() => insert.run('{}', 't1', 'name', 'prod')).not.toThrow();
  });
});

describe('audit:list request', () => {
  it('filters by target and kind of subject, and refuses an unknown kind', () => {
    const request = channels['audit:list'].request;
    expect(request.parse({ targetId: 't-prod', subjectKind: 'runbook-run', limit: 10 })).toEqual({
      targetId: 't-prod',
      subjectKind: 'runbook-run',
      limit: 10,
    });
    expect(request.safeParse({ subjectKind: 'volume' }).success).toBe(false);
    expect(request.safeParse({ container: 'x' }).success).toBe(false);
  });
});
