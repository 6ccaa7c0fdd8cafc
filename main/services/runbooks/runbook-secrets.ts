/**
 * Secrets runbook steps use by name (`github-token`, `vercel-token`), kept in the keychain under
 * `runbook-secret/<name>`; the database only records which names hold a value. NOT BUILT YET.
 */
import type { Clock } from '../../../node/clock';
import type { CredentialBackend } from '../credentials/credential-backend';
import type { Db } from '../store/database';

export function runbookSecretRef(name: string): string {
  return `runbook-secret/${name}`;
}

export class RunbookSecrets {
  constructor(
    readonly db: Db,
    readonly credentials: CredentialBackend,
    readonly clock: Clock,
  ) {}

  list(): { name: string; present: boolean }[] {
    return [];
  }
  /** Sets (or with null removes) a secret; the keychain first, so a locked keychain changes nothing. */
  set(_name: string, _value: string | null): Promise<{ name: string; present: boolean }> {
    return Promise.reject(new Error('Runbook secrets are not built yet.'));
  }
  value(_name: string): Promise<string | null> {
    return Promise.resolve(null);
  }
}
