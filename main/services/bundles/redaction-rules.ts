/**
 * The user's custom redaction rules, saved in the app (table redaction_rules); a literal rule's
 * value is itself a secret, so it lives in the keychain under `bundle-rule/<id>` and the row
 * keeps only its length. The list never returns a literal's value.
 *
 * The keychain goes first, as for targets and runbook secrets: when it is locked its error goes
 * back to the user and the database is not touched. A regex or JSON path is checked when it is
 * saved, so a bad one is refused with one sentence then rather than failing an export later.
 */
import { randomBytes } from 'node:crypto';
import { isoNow, type Clock } from '../../../node/clock';
import { ApiError } from '../../../shared/errors';
import { RedactionRuleDraft, type RedactionRule } from '../../../shared/model/bundle';
import type { CredentialBackend } from '../credentials/credential-backend';
import type { Db } from '../store/database';
import { compileMaskPattern, KEYCHAIN_RULE, type ResolvedRule } from './bundle-redaction';
import { parseJsonPath } from './json-path';
import { BUILTIN_RULE_NAMES } from './redaction-builtins';

interface RuleRow {
  id: string;
  kind: RedactionRule['kind'];
  name: string;
  pattern: string;
  enabled: number;
  created_at: string;
  updated_at: string;
}

export function redactionRuleRef(id: string): string {
  return `bundle-rule/${id}`;
}

/** Names the report already uses: a custom rule with one would merge its counts into theirs. */
const RESERVED_NAMES = new Set([KEYCHAIN_RULE, ...BUILTIN_RULE_NAMES].map((name) => name.toLowerCase()));

export class RedactionRules {
  constructor(
    readonly db: Db,
    readonly credentials: CredentialBackend,
    readonly clock: Clock,
  ) {}

  list(): RedactionRule[] {
    const rows = this.db.prepare('SELECT * FROM redaction_rules ORDER BY created_at, rowid').all() as RuleRow[];
    return rows.map(toRule);
  }

  async create(input: RedactionRuleDraft): Promise<RedactionRule> {
    const draft = checkDraft(input);
    this.assertNameFree(draft.name);
    const id = `rule-${randomBytes(8).toString('hex')}`;
    if (draft.kind === 'literal') await this.credentials.set(redactionRuleRef(id), draft.value);
    const now = isoNow(this.clock);
    try {
      this.db
        .prepare('INSERT INTO redaction_rules (id, kind, name, pattern, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(id, draft.kind, draft.name, storedPattern(draft), draft.enabled ? 1 : 0, now, now);
    } catch (error) {
      if (draft.kind === 'literal') await this.credentials.delete(redactionRuleRef(id)).catch(() => undefined);
      throw error;
    }
    return this.get(id);
  }

  async update(id: string, input: RedactionRuleDraft): Promise<RedactionRule> {
    const before = this.get(id);
    const draft = checkDraft(input);
    this.assertNameFree(draft.name, id);
    // Keychain first: a locked keychain leaves the rule as it was.
    if (draft.kind === 'literal') await this.credentials.set(redactionRuleRef(id), draft.value);
    else if (before.kind === 'literal') await this.credentials.delete(redactionRuleRef(id));
    this.db
      .prepare('UPDATE redaction_rules SET kind = ?, name = ?, pattern = ?, enabled = ?, updated_at = ? WHERE id = ?')
      .run(draft.kind, draft.name, storedPattern(draft), draft.enabled ? 1 : 0, isoNow(this.clock), id);
    return this.get(id);
  }

  async delete(id: string): Promise<{ id: string }> {
    const rule = this.get(id);
    if (rule.kind === 'literal') await this.credentials.delete(redactionRuleRef(id));
    this.db.prepare('DELETE FROM redaction_rules WHERE id = ?').run(id);
    return { id };
  }

  /** Enabled rules with literal values read from the keychain, for a redactor. */
  async resolved(): Promise<ResolvedRule[]> {
    const resolved: ResolvedRule[] = [];
    for (const rule of this.list()) {
      if (!rule.enabled) continue;
      if (rule.kind === 'regex') resolved.push({ kind: 'regex', name: rule.name, pattern: rule.pattern });
      else if (rule.kind === 'json-path') resolved.push({ kind: 'json-path', name: rule.name, path: rule.path });
      else {
        // A locked keychain throws here: redacting without the value would leak it.
        const value = await this.credentials.get(redactionRuleRef(rule.id));
        if (value) resolved.push({ kind: 'literal', name: rule.name, value });
      }
    }
    return resolved;
  }

  get(id: string): RedactionRule {
    const row = this.db.prepare('SELECT * FROM redaction_rules WHERE id = ?').get(id) as RuleRow | undefined;
    if (!row) throw new ApiError('not-found', 'That redaction rule no longer exists — it may have been deleted in another window.');
    return toRule(row);
  }

  private assertNameFree(name: string, exceptId?: string) {
    if (RESERVED_NAMES.has(name.toLowerCase())) {
      throw new ApiError('conflict', `"${name}" is the name of a built-in rule — pick another name.`, { name: 'This name is taken.' });
    }
    const clash = this.db.prepare('SELECT id FROM redaction_rules WHERE name = ? COLLATE NOCASE AND id != ?').get(name, exceptId ?? '');
    if (clash) throw new ApiError('conflict', `A redaction rule named "${name}" already exists — pick another name.`, { name: 'This name is taken.' });
  }
}

/** The draft parsed, with its regex or JSON path checked (one sentence when refused). */
function checkDraft(input: RedactionRuleDraft): RedactionRuleDraft {
  const parsed = RedactionRuleDraft.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ApiError('invalid-request', `The rule is not valid: ${issue.message}`, { [issue.path.join('.') || 'rule']: issue.message });
  }
  const draft = parsed.data;
  if (draft.kind === 'regex') compileMaskPattern(draft.pattern);
  if (draft.kind === 'json-path') parseJsonPath(draft.path);
  return draft;
}

/** What the row's `pattern` column holds: the regex, the path, or a literal's length. */
function storedPattern(draft: RedactionRuleDraft): string {
  if (draft.kind === 'regex') return draft.pattern;
  if (draft.kind === 'json-path') return draft.path;
  return String(draft.value.length);
}

function toRule(row: RuleRow): RedactionRule {
  const base = { id: row.id, name: row.name, enabled: row.enabled === 1 };
  if (row.kind === 'regex') return { ...base, kind: 'regex', pattern: row.pattern };
  if (row.kind === 'json-path') return { ...base, kind: 'json-path', path: row.pattern };
  return { ...base, kind: 'literal', valueLength: Number(row.pattern) };
}
