/**
 * Targets with their secrets in a real OS keychain (gnome-keyring on a private D-Bus session).
 *
 * Every keychain fact is checked with secret-tool, independently of the code under test, and the
 * SQLite files are searched for secret values: the database records which slots are set, never
 * what is in them.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Keytar from 'keytar';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import { DATABASE_FILE } from '../../../main/services/store/database';
import type { TargetDraft } from '../../../shared/model/target';
import { readWithSecretTool, startKeyring, type Keyring } from '../../support/keyring';

const SERVICE = `control-room-test-${randomUUID()}`;
let keyring: Keyring;
let dataDir: string;
let services: Services;

beforeAll(async () => {
  keyring = await startKeyring();
  keyring.useInThisProcess();
  dataDir = mkdtempSync(join(tmpdir(), 'cr-targets-keychain-'));
  services = createServices({ dataDir, credentials: new KeytarBackend(SERVICE) });
});

afterAll(async () => {
  services?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  await keyring?.stop();
});

const inKeychain = (account: string) => readWithSecretTool(keyring.env, SERVICE, account);

/** Every account this test run's service holds in the keychain. */
async function keychainAccounts(): Promise<string[]> {
  const keytar = createRequire(__filename)('keytar') as typeof Keytar;
  return (await keytar.findCredentials(SERVICE)).map((c) => c.account).sort();
}

/** The database file and its WAL, as text: where a leaked secret would show up. */
function storeBytes(): string {
  const file = join(dataDir, DATABASE_FILE);
  return [file, `${file}-wal`, `${file}-shm`]
    .filter((path) => existsSync(path))
    .map((path) => readFileSync(path).toString('latin1'))
    .join('\n');
}

function opsApi(name: string, apiToken?: string | null): TargetDraft {
  return {
    name,
    environment: 'prod',
    kind: 'ops-api',
    settings: { baseUrl: 'https://ops.example.com' },
    ...(apiToken !== undefined ? { secrets: { apiToken } } : {}),
  };
}

function dockerSsh(name: string, secrets: { privateKey?: string | null; passphrase?: string | null }): TargetDraft {
  return {
    name,
    environment: 'staging',
    kind: 'docker-ssh',
    settings: { host: 'db1.example.com', port: 22, username: 'deploy', socketPath: '/var/run/docker.sock' },
    secrets,
  };
}

describe('targets with secrets in a real keychain', () => {
  it('create puts the secret in the keychain under target/<id>/<slot>, and the target carries only { ref, present }', async () => {
    const token = `tok-${randomUUID()}`;
    const target = await services.targets.create(opsApi('Shop prod', token));

    const ref = `target/${target.id}/apiToken`;
    expect(target.secrets).toEqual({ apiToken: { ref, present: true } });
    expect(await inKeychain(ref)).toBe(token);
    expect(await services.targets.readSecret(target.id, 'apiToken')).toBe(token);

    expect(JSON.stringify(target)).not.toContain(token);
    expect(JSON.stringify(services.targets.list())).not.toContain(token);
    expect(JSON.stringify(services.targets.get(target.id))).not.toContain(token);
    // Nor was it written to the database as a fallback.
    expect(storeBytes()).not.toContain(token);
  });

  it('create without a secret stores nothing in the keychain and says present: false', async () => {
    const target = await services.targets.create(opsApi('No token yet'));
    expect(target.secrets).toEqual({ apiToken: { ref: `target/${target.id}/apiToken`, present: false } });
    expect(await inKeychain(`target/${target.id}/apiToken`)).toBeNull();
    expect((await keychainAccounts()).filter((a) => a.startsWith(`target/${target.id}/`))).toEqual([]);
  });

  it('update: an absent secret keeps it, a new value replaces it, null clears it', async () => {
    const target = await services.targets.create(opsApi('Edited', 'first-token'));
    const ref = `target/${target.id}/apiToken`;

    const renamed = await services.targets.update(target.id, { ...opsApi('Edited again'), environment: 'dev' });
    expect(renamed.name).toBe('Edited again');
    expect(renamed.environment).toBe('dev');
    expect(renamed.secrets.apiToken).toEqual({ ref, present: true });
    expect(await inKeychain(ref)).toBe('first-token');

    const replaced = await services.targets.update(target.id, opsApi('Edited again', 'second-token'));
    expect(replaced.secrets.apiToken).toEqual({ ref, present: true });
    expect(await inKeychain(ref)).toBe('second-token');
    expect(JSON.stringify(replaced)).not.toContain('second-token');

    const cleared = await services.targets.update(target.id, opsApi('Edited again', null));
    expect(cleared.secrets.apiToken).toEqual({ ref, present: false });
    expect(await inKeychain(ref)).toBeNull();
    expect(storeBytes()).not.toContain('first-token');
    expect(storeBytes()).not.toContain('second-token');
  });

  it('changing the kind clears the old kind’s secrets from the keychain', async () => {
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
    const target = await services.targets.create(
      dockerSsh('Kind change', { privateKey: key, passphrase: 'pass-phrase' }),
    );
    expect(target.secrets).toEqual({
      privateKey: { ref: `target/${target.id}/privateKey`, present: true },
      passphrase: { ref: `target/${target.id}/passphrase`, present: true },
    });
    expect(await inKeychain(`target/${target.id}/privateKey`)).toBe(key);
    expect(await inKeychain(`target/${target.id}/passphrase`)).toBe('pass-phrase');

    const changed = await services.targets.update(target.id, opsApi('Kind change', 'new-api-token'));

    expect(changed.kind).toBe('ops-api');
    expect(changed.secrets).toEqual({ apiToken: { ref: `target/${target.id}/apiToken`, present: true } });
    expect(await inKeychain(`target/${target.id}/privateKey`)).toBeNull();
    expect(await inKeychain(`target/${target.id}/passphrase`)).toBeNull();
    expect(await keychainAccounts()).toEqual(
      expect.not.arrayContaining([`target/${target.id}/privateKey`, `target/${target.id}/passphrase`]),
    );
    expect(await inKeychain(`target/${target.id}/apiToken`)).toBe('new-api-token');
  });

  it('delete removes the target and every secret it had from the keychain', async () => {
    const target = await services.targets.create(dockerSsh('Doomed', { privateKey: 'k-e-y', passphrase: 'p-a-s-s' }));
    expect(await inKeychain(`target/${target.id}/privateKey`)).toBe('k-e-y');

    await expect(services.targets.delete(target.id)).resolves.toEqual({ id: target.id });

    expect(await inKeychain(`target/${target.id}/privateKey`)).toBeNull();
    expect(await inKeychain(`target/${target.id}/passphrase`)).toBeNull();
    expect((await keychainAccounts()).filter((a) => a.startsWith(`target/${target.id}/`))).toEqual([]);
    expect(services.targets.list().map((t) => t.id)).not.toContain(target.id);
    expect(() => services.targets.get(target.id)).toThrow(expect.objectContaining({ code: 'not-found' }));
  });

  it('a create refused for its name writes nothing to the keychain', async () => {
    await services.targets.create(opsApi('Taken name'));
    const before = await keychainAccounts();

    await expect(services.targets.create(opsApi('TAKEN NAME', 'would-be-orphan'))).rejects.toMatchObject({
      code: 'conflict',
    });

    expect(await keychainAccounts()).toEqual(before);
  });

  it('a create whose row cannot be written removes the secret it had already put in the keychain', async () => {
    const before = await keychainAccounts();
    // The store's CHECK constraint refuses this row after the secret is written: it stands in
    // for a disk failure between the two steps.
    const bad = { ...opsApi('Bad row', 'rolled-back-token'), environment: 'qa' } as unknown as TargetDraft;

    await expect(services.targets.create(bad)).rejects.toThrow(/CHECK constraint/);

    expect(await keychainAccounts()).toEqual(before);
    expect(services.targets.list().map((t) => t.name)).not.toContain('Bad row');
  });
});
