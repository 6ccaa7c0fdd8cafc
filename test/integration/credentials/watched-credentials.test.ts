/**
 * WatchedCredentials over the real keychain (gnome-keyring on a private D-Bus session): listeners
 * hear of every write that succeeded, with the ref only, after the value is readable; a delete of
 * nothing and a write the locked keychain refused are not changes; a listener that throws fails
 * neither the write nor the other listeners. Locking is last: it stays for every test after it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import { WatchedCredentials, type CredentialChange } from '../../../main/services/credentials/watched-credentials';
import { startKeyring, type Keyring } from '../../support/keyring';

let keyring: Keyring;
let watched: WatchedCredentials;

beforeAll(async () => {
  keyring = await startKeyring();
  keyring.useInThisProcess();
  watched = new WatchedCredentials(new KeytarBackend(`control-room-test-watched-${randomUUID()}`));
}, 30_000);

afterAll(async () => {
  await keyring?.stop();
});

describe('WatchedCredentials with a real gnome-keyring', () => {
  it('tells its listeners after each set and delete, once the keychain holds the change, and never the value', async () => {
    const heard: { change: CredentialChange; stored: Promise<string | null> }[] = [];
    const off = watched.onChanged((change) => heard.push({ change, stored: watched.get(change.ref) }));
    const value = `watched-${randomUUID()}`;
    await watched.set('target/t1/apiToken', value);
    expect(await watched.get('target/t1/apiToken')).toBe(value);
    expect(await watched.delete('target/t1/apiToken')).toBe(true);
    off();
    await watched.set('target/t1/apiToken', 'after the listener left');

    expect(heard.map((h) => h.change)).toEqual([
      { ref: 'target/t1/apiToken', change: 'set' },
      { ref: 'target/t1/apiToken', change: 'deleted' },
    ]);
    // What the listener read when told: the value was already there (set), already gone (delete).
    expect(await heard[0]!.stored).toBe(value);
    expect(await heard[1]!.stored).toBeNull();
    expect(JSON.stringify(heard.map((h) => h.change))).not.toContain(value);
    expect(watched.listenerCount).toBe(0);
  });

  it('says nothing when a delete found nothing, and a throwing listener fails neither the write nor the others', async () => {
    const changes: string[] = [];
    const offBroken = watched.onChanged(() => {
      throw new Error('broken listener');
    });
    const off = watched.onChanged((change) => changes.push(`${change.change} ${change.ref}`));
    expect(await watched.delete('probe/none/token')).toBe(false);
    await expect(watched.set('probe/p1/token', `probe-${randomUUID()}`)).resolves.toBeUndefined();
    offBroken();
    off();
    expect(changes).toEqual(['set probe/p1/token']);
  });

  it('says nothing of a write the locked keychain refused', async () => {
    const changes: CredentialChange[] = [];
    const off = watched.onChanged((change) => changes.push(change));
    await keyring.lock();
    await expect(watched.set('channel/c1/url', `https://hooks.example.com/${randomUUID()}`)).rejects.toMatchObject({ code: 'keychain-locked' });
    off();
    expect(changes).toEqual([]);
  });
});
