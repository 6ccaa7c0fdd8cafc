/**
 * Targets when the keychain is locked: nothing is half-done and the user is told to unlock it.
 *
 * A locked gnome-keyring answers reads with "nothing here" instead of failing, so these tests
 * look at the keychain through the Secret Service's own SearchItems, which lists locked items
 * separately: an independent view of what is really stored.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import type { Target, TargetDraft } from '../../../shared/model/target';
import { startKeyring, type Keyring } from '../../support/keyring';

const run = promisify(execFile);
const SERVICE = `control-room-test-${randomUUID()}`;
const LOCKED = { code: 'keychain-locked', message: 'The system keychain is locked — unlock it and try again.' };

let keyring: Keyring;
let dataDir: string;
let services: Services;
let kept: Target;
let keptSsh: Target;

/** The items stored under `attributes`, split as the Secret Service reports them. */
async function searchItems(attributes: Record<string, string>): Promise<{ unlocked: string[]; locked: string[] }> {
  const dict = `{${Object.entries(attributes)
    .map(([k, v]) => `'${k}': '${v}'`)
    .join(', ')}}`;
  const { stdout } = await run(
    'gdbus',
    [
      'call',
      '--session',
      '--dest',
      'org.freedesktop.secrets',
      '--object-path',
      '/org/freedesktop/secrets',
      '--method',
      'org.freedesktop.Secret.Service.SearchItems',
      dict,
    ],
    { env: { ...process.env, ...keyring.env } },
  );
  const lists = [...stdout.matchAll(/\[([^\]]*)\]/g)].map((m) => [...m[1]!.matchAll(/'([^']+)'/g)].map((p) => p[1]!));
  expect(lists).toHaveLength(2);
  return { unlocked: lists[0]!, locked: lists[1]! };
}

/** How many items this test run's service holds, locked or not. */
async function itemCount(): Promise<number> {
  const { unlocked, locked } = await searchItems({ service: SERVICE });
  return unlocked.length + locked.length;
}

async function stored(account: string): Promise<boolean> {
  const { unlocked, locked } = await searchItems({ service: SERVICE, account });
  return unlocked.length + locked.length === 1;
}

const opsApi = (name: string, apiToken?: string | null): TargetDraft => ({
  name,
  environment: 'prod',
  kind: 'ops-api',
  settings: { baseUrl: 'https://ops.example.com' },
  ...(apiToken !== undefined ? { secrets: { apiToken } } : {}),
});

beforeAll(async () => {
  keyring = await startKeyring();
  keyring.useInThisProcess();
  dataDir = mkdtempSync(join(tmpdir(), 'cr-targets-locked-'));
  services = createServices({ dataDir, credentials: new KeytarBackend(SERVICE) });
  kept = await services.targets.create(opsApi('Kept', 'kept-token'));
  keptSsh = await services.targets.create({
    name: 'Kept ssh',
    environment: 'staging',
    kind: 'docker-ssh',
    settings: { host: 'db1.example.com', port: 22, username: 'deploy', socketPath: '/var/run/docker.sock' },
    secrets: { privateKey: 'kept-key', passphrase: 'kept-passphrase' },
  });
  expect(await itemCount()).toBe(3);
  await keyring.lock();
  expect((await searchItems({ service: SERVICE })).locked).toHaveLength(3);
});

afterAll(async () => {
  services?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  await keyring?.stop();
});

describe('targets with a locked keychain', () => {
  it('create with a secret fails with keychain-locked and creates no target', async () => {
    await expect(services.targets.create(opsApi('New one', 'new-token'))).rejects.toMatchObject(LOCKED);

    expect(services.targets.list().map((t) => t.name)).toEqual(['Kept', 'Kept ssh']);
    expect(services.db.prepare('SELECT COUNT(*) AS n FROM targets').get()).toEqual({ n: 2 });
    expect(await itemCount()).toBe(3);
  });

  it('delete fails with keychain-locked and leaves the target and its secret intact', async () => {
    await expect(services.targets.delete(kept.id)).rejects.toMatchObject(LOCKED);

    expect(services.targets.get(kept.id)).toEqual(kept);
    expect(services.targets.list().find((t) => t.id === kept.id)?.secrets.apiToken).toEqual({
      ref: `target/${kept.id}/apiToken`,
      present: true,
    });
    expect(await stored(`target/${kept.id}/apiToken`)).toBe(true);
  });

  it('delete of a target with several secrets fails without removing any of them', async () => {
    await expect(services.targets.delete(keptSsh.id)).rejects.toMatchObject(LOCKED);

    expect(services.targets.get(keptSsh.id)).toEqual(keptSsh);
    expect(await stored(`target/${keptSsh.id}/privateKey`)).toBe(true);
    expect(await stored(`target/${keptSsh.id}/passphrase`)).toBe(true);
  });

  it('update with a new secret fails with keychain-locked and changes nothing', async () => {
    await expect(services.targets.update(kept.id, opsApi('Renamed', 'other-token'))).rejects.toMatchObject(LOCKED);

    expect(services.targets.get(kept.id)).toEqual(kept);
    expect(await itemCount()).toBe(3);
  });

  it('update clearing a secret fails with keychain-locked and keeps it', async () => {
    await expect(services.targets.update(kept.id, opsApi('Kept', null))).rejects.toMatchObject(LOCKED);

    expect(services.targets.get(kept.id).secrets.apiToken?.present).toBe(true);
    expect(await stored(`target/${kept.id}/apiToken`)).toBe(true);
  });

  it('reading a secret fails with keychain-locked instead of pretending there is none', async () => {
    await expect(services.targets.readSecret(kept.id, 'apiToken')).rejects.toMatchObject(LOCKED);
  });

  it('the credentials check reports the locked keychain', async () => {
    await expect(services.credentials.check()).rejects.toMatchObject(LOCKED);
  });

  it('a target without secrets can still be created and deleted', async () => {
    const local = await services.targets.create({
      name: 'Local docker',
      environment: 'dev',
      kind: 'docker-local',
      settings: { socketPath: '' },
    });
    expect(local.secrets).toEqual({});
    await expect(services.targets.delete(local.id)).resolves.toEqual({ id: local.id });
    expect(services.targets.list().map((t) => t.name)).toEqual(['Kept', 'Kept ssh']);
  });
});
