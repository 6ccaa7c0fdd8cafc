/**
 * Secrets runbook steps use by name (`github-token`, `vercel-token`), kept in the keychain under
 * `runbook-secret/<name>`; the database only records which names hold a value.
 *
 * The keychain is written first: when it is locked (or missing) its error goes back to the user
 * and the database is not touched, so the list never claims a secret the keychain lacks.
 */
import { isoNow, type Clock } from '../../../node/clock';
import { ApiError } from '../../../shared/errors';
import { RunbookSecretName } from '../../../shared/model/runbook';
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
    const rows = this.db.prepare('SELECT name FROM runbook_secrets ORDER BY name').all() as { name: string }[];
    return rows.map(({ name }) => ({ name, present: true }));
  }

  /** Sets (or with null removes) a secret; the keychain first, so a locked keychain changes nothing. */
  async set(name: string, value: string | null): Promise<{ name: string; present: boolean }> {
    const checked = RunbookSecretName.safeParse(name);
    if (!checked.success)
      throw new ApiError('invalid-request', checked.error.issues[0]!.message, {
        name: checked.error.issues[0]!.message,
      });
    if (value === null) {
      await this.credentials.delete(runbookSecretRef(name));
      this.db.prepare('DELETE FROM runbook_secrets WHERE name = ?').run(name);
      return { name, present: false };
    }
    if (value === '')
      throw new ApiError('invalid-request', 'Enter the secret, or remove it instead of saving it empty.', {
        value: 'Enter the secret.',
      });
    await this.credentials.set(runbookSecretRef(name), value);
    this.db
      .prepare(
        'INSERT INTO runbook_secrets (name, updated_at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at',
      )
      .run(name, isoNow(this.clock));
    return { name, present: true };
  }

  /** The value for a step; null when no value is set (the keychain is not asked then). */
  async value(name: string): Promise<string | null> {
    const row = this.db.prepare('SELECT 1 FROM runbook_secrets WHERE name = ?').get(name);
    if (!row) return null;
    return this.credentials.get(runbookSecretRef(name));
  }
}
