/**
 * The user's custom redaction rules, saved in the app (table redaction_rules); a literal rule's
 * value is itself a secret, so it lives in the keychain under `bundle-rule/<id>`. NOT BUILT YET.
 */
import type { Clock } from '../../../node/clock';
import type { RedactionRule, RedactionRuleDraft } from '../../../shared/model/bundle';
import type { CredentialBackend } from '../credentials/credential-backend';
import type { Db } from '../store/database';
import type { ResolvedRule } from './bundle-redaction';

export class RedactionRules {
  constructor(
    readonly db: Db,
    readonly credentials: CredentialBackend,
    readonly clock: Clock,
  ) {}

  list(): RedactionRule[] {
    return [];
  }
  create(_draft: RedactionRuleDraft): Promise<RedactionRule> {
    return Promise.reject(new Error('Redaction rules are not built yet.'));
  }
  update(_id: string, _draft: RedactionRuleDraft): Promise<RedactionRule> {
    return Promise.reject(new Error('Redaction rules are not built yet.'));
  }
  delete(_id: string): Promise<{ id: string }> {
    return Promise.reject(new Error('Redaction rules are not built yet.'));
  }
  /** Enabled rules with literal values read from the keychain, for a redactor. */
  resolved(): Promise<ResolvedRule[]> {
    return Promise.resolve([]);
  }
}
