/**
 * Every secret value the keychain holds for the targets, probes, alert channels and runbook
 * secrets — the values a bundle must never carry and a log line must never show. Read in main
 * only; a locked keychain is an error (exporting without knowing the secrets would leak them).
 *
 * The database says which slots hold a value (`{ ref, present }`); only those are read. A
 * locked keychain answers a read with the backend's ApiError (`keychain-locked`), which goes
 * back to the caller as it is. Container environment secrets are not here: the bundle collector
 * takes them from the containers it inspects (node/redact's secretValues).
 */
import type { Services } from '../index';
import { runbookSecretRef } from '../runbooks/runbook-secrets';

/** The services that say which secrets exist, and the keychain that holds them. */
export type KnownSecretSources = Pick<Services, 'targets' | 'probes' | 'channels' | 'runbooks' | 'credentials'>;

/** The keychain refs of every stored secret the app holds, in no particular order. */
export function keychainSecretRefs(services: Omit<KnownSecretSources, 'credentials'>): string[] {
  const refs = new Set<string>();
  const addPresent = (secrets: Record<string, { ref: string; present: boolean } | undefined>) => {
    for (const status of Object.values(secrets)) if (status?.present) refs.add(status.ref);
  };
  for (const target of services.targets.list()) addPresent(target.secrets);
  for (const { probe } of services.probes.list()) addPresent(probe.secrets);
  for (const channel of services.channels.list()) addPresent(channel.secrets);
  for (const { name, present } of services.runbooks.secrets.list()) if (present) refs.add(runbookSecretRef(name));
  return [...refs];
}

/** Every secret value, each once; throws the keychain's ApiError when it cannot be read. */
export async function keychainSecrets(services: KnownSecretSources): Promise<string[]> {
  const refs = keychainSecretRefs(services);
  const values = new Set<string>();
  // One at a time: concurrent reads of a locked gnome-keyring collection never answered in tests
  // here, where one read at a time gets the locked error at once.
  for (const ref of refs) {
    const value = await services.credentials.get(ref);
    if (value) values.add(value);
  }
  return [...values];
}
