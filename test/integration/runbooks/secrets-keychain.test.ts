/**
 * Runbook secrets in the real keychain (gnome-keyring on a private bus) and a real SQLite file:
 * the value goes to the keychain, the database only says it is there; a locked keychain is the
 * credentials backend's error and changes nothing. Remediations share the database.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import { Remediations } from '../../../main/services/runbooks/remediations';
import { RunbookSecrets, runbookSecretRef } from '../../../main/services/runbooks/runbook-secrets';
import { openDatabase, type Db } from '../../../main/services/store/database';
import { ApiError } from '../../../shared/errors';
import type { Remediation } from '../../../shared/model/runbook';
import { FakeClock } from '../../support/fake-clock';
import { readWithSecretTool, startKeyring, type Keyring } from '../../support/keyring';

const SERVICE = `control-room-test-${randomUUID()}`;

let keyring: Keyring;
let dataDir: string;
let db: Db;
let secrets: RunbookSecrets;

beforeAll(async () => {
  keyring = await startKeyring();
  keyring.useInThisProcess();
  dataDir = mkdtempSync(join(tmpdir(), 'cr-runbook-secrets-'));
  db = openDatabase(join(dataDir, 'control-room.sqlite'));
  secrets = new RunbookSecrets(db, new KeytarBackend(SERVICE), new FakeClock());
}, 30_000);

afterAll(async () => {
  db?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  await keyring?.stop();
});

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('runbook secrets', () => {
  it('keeps the value in the keychain and only its presence in the database', async () => {
    expect(secrets.list()).toEqual([]);
    expect(await secrets.value('github-token')).toBeNull();

    expect(await secrets.set('github-token', 'ghp_runbook_9f2c')).toEqual({ name: 'github-token', present: true });
    expect(await secrets.set('vercel-token', 'vc_1a2b')).toEqual({ name: 'vercel-token', present: true });
    expect(secrets.list()).toEqual([
      { name: 'github-token', present: true },
      { name: 'vercel-token', present: true },
    ]);
    expect(await readWithSecretTool(keyring.env, SERVICE, runbookSecretRef('github-token'))).toBe('ghp_runbook_9f2c');
    expect(await secrets.value('github-token')).toBe('ghp_runbook_9f2c');
    expect(db.prepare('SELECT * FROM runbook_secrets ORDER BY name').all()).toEqual([
      { name: 'github-token', updated_at: '2024-05-01T10:00:00.000Z' },
      { name: 'vercel-token', updated_at: '2024-05-01T10:00:00.000Z' },
    ]);

    expect(await secrets.set('vercel-token', null)).toEqual({ name: 'vercel-token', present: false });
    expect(secrets.list()).toEqual([{ name: 'github-token', present: true }]);
    expect(await readWithSecretTool(keyring.env, SERVICE, runbookSecretRef('vercel-token'))).toBeNull();
    expect(await secrets.value('vercel-token')).toBeNull();
  });

  it('refuses bad names and empty values', async () => {
    const badName = await rejection(secrets.set('GitHub Token', 'x'));
    expect(badName.code).toBe('invalid-request');
    expect(badName.message).toBe('Name secrets with lower-case letters, digits and dashes.');
    expect((await rejection(secrets.set('empty', ''))).code).toBe('invalid-request');
    expect(secrets.list().map((secret) => secret.name)).toEqual(['github-token']);
  });

  // Last: locking the keychain affects everything after it.
  it('a locked keychain: the backend error, nothing changed in the database', async () => {
    await keyring.lock();
    const setting = await rejection(secrets.set('new-token', 'abc'));
    expect(setting.code).toBe('keychain-locked');
    expect(setting.message).toBe('The system keychain is locked — unlock it and try again.');
    const removing = await rejection(secrets.set('github-token', null));
    expect(removing.code).toBe('keychain-locked');
    expect(secrets.list()).toEqual([{ name: 'github-token', present: true }]);
    expect((await rejection(secrets.value('github-token'))).code).toBe('keychain-locked');
  });
});

describe('remediations', () => {
  const remediation: Remediation = {
    probeId: 'probe-1',
    runbookId: 'restart',
    targetId: 't-prod',
    inputs: { service: 'worker' },
  };

  it('keeps one per probe, replaced on set and gone on remove', () => {
    const remediations = new Remediations(db);
    expect(remediations.list()).toEqual([]);
    expect(remediations.set(remediation)).toEqual(remediation);
    expect(remediations.set({ ...remediation, probeId: 'probe-2', targetId: null, inputs: {} })).toMatchObject({
      probeId: 'probe-2',
    });
    expect(
      remediations.set({ ...remediation, runbookId: 'deploy', inputs: { service: 'api', tag: 'v2' } }),
    ).toMatchObject({ runbookId: 'deploy' });
    expect(remediations.get('probe-1')).toEqual({
      probeId: 'probe-1',
      runbookId: 'deploy',
      targetId: 't-prod',
      inputs: { service: 'api', tag: 'v2' },
    });
    expect(remediations.list().map((item) => item.probeId)).toEqual(['probe-1', 'probe-2']);
    remediations.remove('probe-1');
    remediations.remove('probe-1');
    expect(remediations.get('probe-1')).toBeNull();
    expect(remediations.list().map((item) => item.probeId)).toEqual(['probe-2']);
  });

  it('asks the validator and stores nothing it refuses', () => {
    const remediations = new Remediations(db, (item) => {
      if (item.runbookId !== 'restart')
        throw new ApiError(
          'not-found',
          `There is no runbook called ${item.runbookId} — pick one from the runbooks list.`,
        );
    });
    expect(() => remediations.set({ ...remediation, probeId: 'probe-3', runbookId: 'gone' })).toThrow(
      'There is no runbook called gone — pick one from the runbooks list.',
    );
    expect(remediations.get('probe-3')).toBeNull();
    expect(() => remediations.set({ ...remediation, probeId: 'probe-3', runbookId: 'Not An Id' })).toThrow(ApiError);
    expect(remediations.set({ ...remediation, probeId: 'probe-3' }).runbookId).toBe('restart');
  });
});
