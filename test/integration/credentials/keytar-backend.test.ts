/**
 * KeytarBackend against a real Secret Service: gnome-keyring on a private D-Bus session.
 *
 * secret-tool reads the same items independently of keytar, so a round-trip that only lived in
 * keytar's process (or nowhere) would fail here.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Keytar from 'keytar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import { readWithSecretTool, startKeyring, type Keyring } from '../../support/keyring';

let keyring: Keyring;
const service = `control-room-test-${randomUUID()}`;
let backend: KeytarBackend;

beforeAll(async () => {
  keyring = await startKeyring();
  // libsecret binds this process to the first bus it sees: point it at ours before any keytar call.
  keyring.useInThisProcess();
  backend = new KeytarBackend(service);
});

afterAll(async () => {
  await keyring?.stop();
});

describe('KeytarBackend with a real gnome-keyring', () => {
  it('passes check() on an unlocked keychain, and check() leaves nothing behind', async () => {
    const fresh = `${service}-check`;
    await expect(new KeytarBackend(fresh).check()).resolves.toBeUndefined();
    const keytar = createRequire(__filename)('keytar') as typeof Keytar;
    expect(await keytar.findCredentials(fresh)).toEqual([]);
  });

  it('stores a secret that keytar reads back and secret-tool sees independently', async () => {
    const ref = 'target/round-trip/apiToken';
    const value = `tok-${randomUUID()}`;
    expect(await backend.get(ref)).toBeNull();

    await backend.set(ref, value);

    expect(await backend.get(ref)).toBe(value);
    expect(await readWithSecretTool(keyring.env, service, ref)).toBe(value);
  });

  it('replaces a secret on a second set', async () => {
    const ref = 'target/replace/apiToken';
    await backend.set(ref, 'first');
    await backend.set(ref, 'second');
    expect(await backend.get(ref)).toBe('second');
    expect(await readWithSecretTool(keyring.env, service, ref)).toBe('second');
  });

  it('keeps multi-line secrets (an SSH private key) intact', async () => {
    const ref = 'target/multiline/privateKey';
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
    await backend.set(ref, key);
    expect(await backend.get(ref)).toBe(key);
    expect(await readWithSecretTool(keyring.env, service, ref)).toBe(key);
  });

  it('delete removes the secret from the keychain and reports whether something was there', async () => {
    const ref = 'target/delete-me/passphrase';
    await backend.set(ref, 'gone soon');
    expect(await readWithSecretTool(keyring.env, service, ref)).toBe('gone soon');

    expect(await backend.delete(ref)).toBe(true);

    expect(await backend.get(ref)).toBeNull();
    expect(await readWithSecretTool(keyring.env, service, ref)).toBeNull();
    expect(await backend.delete(ref)).toBe(false);
  });

  it('keeps secrets of different services apart', async () => {
    const other = new KeytarBackend(`${service}-other`);
    const ref = 'target/shared-ref/apiToken';
    await backend.set(ref, 'mine');
    expect(await other.get(ref)).toBeNull();
    await other.set(ref, 'theirs');
    expect(await backend.get(ref)).toBe('mine');
    expect(await readWithSecretTool(keyring.env, `${service}-other`, ref)).toBe('theirs');
  });
});
