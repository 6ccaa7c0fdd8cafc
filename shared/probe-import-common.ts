/**
 * What the Gatus and the Control Room YAML importers share: checking a draft, fitting a name
 * beside the probes that exist, and which placeholders each kind reports.
 *
 * Pure, like the rest of shared/: the YAML is parsed in main and the object handed here.
 */
import { parseCondition } from './probe-conditions';
import { ProbeDraft, type ProbeKind } from './model/probe';
import type { ProbeImportItem } from './model/probe-import';

/** Placeholders each kind reports (docs/probes.md); a condition on another one never passes. */
export const KIND_PLACEHOLDERS: Partial<Record<ProbeKind, readonly string[]>> = {
  http: ['STATUS', 'RESPONSE_TIME', 'BODY', 'HEADERS', 'CONNECTED', 'IP', 'CERTIFICATE_EXPIRATION'],
  tls: ['CERTIFICATE_EXPIRATION', 'CHAIN_VALID', 'HOSTNAME_MATCH', 'DAYS_LEFT', 'CONNECTED', 'IP', 'RESPONSE_TIME'],
  tcp: ['CONNECTED', 'RESPONSE_TIME', 'IP'],
  dns: ['DNS_RCODE', 'BODY', 'ANSWERS', 'RESPONSE_TIME'],
};

/** Why `expression` cannot be kept for a probe of `kind`, or null when it can. */
export function conditionProblem(expression: string, kind: ProbeKind): string | null {
  const parsed = parseCondition(expression);
  if (!parsed.ok) return `does not read (column ${parsed.position + 1}: ${parsed.message.replace(/\.$/, '')})`;
  const known = KIND_PLACEHOLDERS[kind];
  if (!known) return null;
  const { left, right } = parsed.condition;
  const names = [left.type === 'placeholder' ? left.name : left.ref.name];
  if (right.type === 'placeholder') names.push(right.name);
  else if (right.type === 'len' || right.type === 'has' || right.type === 'age') names.push(right.ref.name);
  const unknown = names.find((name) => !known.includes(name.toUpperCase().replace(/^HEADER$/, 'HEADERS')));
  return unknown
    ? `uses [${unknown}], which ${/^[aeiou]|^http/.test(kind) ? 'an' : 'a'} ${kind} probe does not report`
    : null;
}

/** Gives names already taken (by saved probes or earlier items) a free one: `Name (2)`. */
export class NameFitter {
  private readonly taken: Set<string>;
  constructor(existing: readonly string[]) {
    this.taken = new Set(existing.map((name) => name.toLowerCase()));
  }

  /** A free name for `wanted`, and the name it clashed with when it had to change. */
  fit(wanted: string): { name: string; clash: boolean } {
    let name = wanted.slice(0, 80);
    let n = 2;
    while (this.taken.has(name.toLowerCase())) {
      const suffix = ` (${n++})`;
      name = wanted.slice(0, 80 - suffix.length) + suffix;
    }
    this.taken.add(name.toLowerCase());
    return { name, clash: name !== wanted.slice(0, 80) };
  }
}

/** `Core Services` → `core-services`: a scope the model accepts. */
export function scopeOf(text: string, fallback: string): string {
  const scope = text
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/-+$/, '')
    .slice(0, 40);
  return scope || fallback;
}

/** Checks `draft` against the model: the item as it stands, or skipped with the model's reason. */
export function finishItem(item: Omit<ProbeImportItem, 'draft' | 'outcome'>, draft: unknown): ProbeImportItem {
  const parsed = ProbeDraft.safeParse(draft);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? ` (${issue.path.join('.')})` : '';
    return {
      ...item,
      outcome: 'skipped',
      changes: [`It does not make a valid probe${where}: ${issue.message}`],
      draft: null,
    };
  }
  return { ...item, outcome: item.changes.length ? 'adapted' : 'imported', draft: parsed.data };
}

/** A skipped item: one reason. */
export function skippedItem(key: string, name: string, sourceType: string, reason: string): ProbeImportItem {
  return { key, name, sourceType, outcome: 'skipped', changes: [reason], draft: null, secrets: [], alert: null };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
