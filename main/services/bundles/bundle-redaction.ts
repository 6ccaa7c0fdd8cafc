/**
 * Redaction for the app's support bundles: built-in rules (bearer and API tokens, AWS keys,
 * private key blocks, JWTs, passwords in URLs, password=/secret=/token= pairs in text and JSON,
 * connection strings, Authorization and Cookie headers; see redaction-builtins.ts), the user's
 * custom rules, and every secret value the keychain holds for what is in the bundle — also
 * base64- and URL-encoded (secret-forms.ts). Counts per rule and file for the report (never the
 * value); a few redacted lines per rule for the preview.
 *
 * Order in a text: keychain secrets and literal rules first (they are known exactly, so the
 * report names them rather than the shape that would also have caught them), then custom
 * regexes, then the built-ins. Each text costs:
 * - one pass for all keychain values and literals together (LiteralSet in literal-scan.ts: a
 *   rolling hash per window, compared only where a value could start), not one search per value;
 * - one pass of a trigram filter for all built-in rules; only a text it lets through (a line
 *   with `token`, `://`, `Bearer`...) runs the rules whose own trigger matches;
 * - one scan per enabled custom regex.
 * The unit test measures this against a plain String.prototype.replace over the same lines.
 *
 * Keychain values shorter than 6 characters are skipped (as the agent's redactor does): they
 * would blank out ordinary words all over the bundle.
 */
import { cutText, REDACTED } from '../../../node/redact/redactor';
import { ApiError } from '../../../shared/errors';
import type { RedactionCount } from '../../../shared/model/bundle';
import { LiteralSet } from '../../../node/redact/literal-scan';
import { parseJsonPath, replaceAtPath, type PathStep } from './json-path';
import {
  AUTHORIZATION_HEADER,
  AUTHORIZATION_KEY,
  BUILTIN_RULE_NAMES,
  BUILTIN_RULES,
  mayNeedBuiltins,
  COOKIE_HEADER,
  COOKIE_KEY,
  PRIVATE_KEY_BLOCK,
  PRIVATE_KEY_END,
  PRIVATE_KEY_PATTERN,
  PRIVATE_KEY_TRIGGER,
  SECRET_KEY,
  SECRET_PAIR,
} from './redaction-builtins';
import { secretForms } from '../../../node/redact/secret-forms';
import { MASKED_SECRET } from '../../../shared/log-mask';

/** A custom rule with its value resolved (a literal's value comes from the keychain). */
export type ResolvedRule =
  | { kind: 'regex'; name: string; pattern: string }
  | { kind: 'literal'; name: string; value: string }
  | { kind: 'json-path'; name: string; path: string };

export interface RedactionSetup {
  /** Secret values from the keychain (targets, probes, channels, runbook secrets). */
  secrets: readonly string[];
  rules: readonly ResolvedRule[];
  /** How many redacted lines to keep per rule for the preview (0: none; default 3). */
  samplesPerRule?: number;
}

export const KEYCHAIN_RULE = 'keychain secret';

/** How long a sample line may be in the preview. */
export const SAMPLE_LENGTH = 300;
const DEFAULT_SAMPLES_PER_RULE = 3;

/**
 * A custom rule's pattern as a global expression with match indices (for the `mask` group). A
 * leading `(?i)` makes it case-insensitive, as in most other regex dialects. Throws one sentence
 * when the pattern is not valid or matches an empty text.
 */
export function compileMaskPattern(pattern: string): RegExp {
  const insensitive = pattern.startsWith('(?i)');
  const source = insensitive ? pattern.slice(4) : pattern;
  let regex: RegExp;
  try {
    regex = new RegExp(source, insensitive ? 'gdi' : 'gd');
  } catch (error) {
    const why = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : String(error);
    throw new ApiError('invalid-request', `The pattern is not a valid regular expression (${why}) — fix it and save again.`, {
      pattern: 'Not a valid regular expression.',
    });
  }
  if (new RegExp(regex.source, regex.flags.replace('g', '')).test('')) {
    throw new ApiError('invalid-request', 'The pattern matches an empty text, so it would redact nothing — make it match the secret itself.', {
      pattern: 'Matches an empty text.',
    });
  }
  return regex;
}

interface CompiledRegexRule {
  name: string;
  pattern: RegExp;
}

export class BundleRedactor {
  /** All keychain values' forms and literal rules' values, found in one pass. */
  private values: LiteralSet;
  /** Which rule a matched value belongs to. */
  private readonly valueRules = new Map<string, string>();
  private readonly regexRules: CompiledRegexRule[];
  private readonly pathRules: { name: string; path: string; steps: PathStep[] }[];
  /** rule → file → count, in the order first seen. */
  private readonly tally = new Map<string, Map<string, number>>();
  private readonly kept: { rule: string; file: string; line: string }[] = [];
  private readonly samplesLeft = new Map<string, number>();
  private readonly samplesPerRule: number;
  /** Files whose last text opened a private key block and did not close it. */
  private readonly openKeyBlocks = new Set<string>();
  /** Rules that redacted something in the text being redacted (for its samples). */
  private readonly fired = new Set<string>();

  constructor(readonly setup: RedactionSetup) {
    this.samplesPerRule = setup.samplesPerRule ?? DEFAULT_SAMPLES_PER_RULE;
    for (const rule of setup.rules) {
      if (rule.kind === 'literal' && rule.value.length > 0 && !this.valueRules.has(rule.value)) this.valueRules.set(rule.value, rule.name);
    }
    // Keychain values win over a literal rule with the same text: they are what the report promises.
    for (const secret of setup.secrets) for (const form of secretForms(secret)) this.valueRules.set(form, KEYCHAIN_RULE);
    // Log lines main already masked (docs/logs.md) held a keychain secret: counted as one here too.
    this.valueRules.set(MASKED_SECRET, KEYCHAIN_RULE);
    // Longest first at one place, so a secret that contains another is replaced whole.
    this.values = new LiteralSet(this.valueRules.keys());
    this.regexRules = setup.rules.flatMap((rule) => (rule.kind === 'regex' ? [{ name: rule.name, pattern: compileMaskPattern(rule.pattern) }] : []));
    this.pathRules = setup.rules.flatMap((rule) => (rule.kind === 'json-path' ? [{ name: rule.name, path: rule.path, steps: parseJsonPath(rule.path) }] : []));
  }

  /**
   * Secret values found while collecting (a container's environment), redacted from here on like
   * the keychain's: in every form, counted as KEYCHAIN_RULE. Values already known change nothing.
   */
  addSecrets(values: readonly string[]): void {
    let added = false;
    for (const value of values) {
      for (const form of secretForms(value)) {
        if (this.valueRules.get(form) === KEYCHAIN_RULE) continue;
        this.valueRules.set(form, KEYCHAIN_RULE);
        added = true;
      }
    }
    if (added) this.values = new LiteralSet(this.valueRules.keys());
  }

  /** Rule names applied, for the manifest. */
  ruleNames(): string[] {
    const custom = this.setup.rules.map((rule) => rule.name);
    return [...new Set([KEYCHAIN_RULE, ...custom, ...BUILTIN_RULE_NAMES])];
  }

  /** One line or text of `file`, redacted; counts go to the report. */
  text(file: string, text: string): string {
    return this.redactText(file, text, true);
  }

  /**
   * A JSON value of `file`: json-path rules, the string values of secret-named keys
   * (`password`, `clientSecret`, `authorization`, `cookie`...), then every string — keys
   * included — as text.
   */
  json(file: string, value: unknown): unknown {
    let out = value;
    for (const rule of this.pathRules) {
      const replaced = replaceAtPath(out, rule.steps, REDACTED);
      if (replaced.count) {
        this.add(rule.name, file, replaced.count);
        this.sample(rule.name, file, `${rule.path}: ${REDACTED}`);
      }
      out = replaced.value;
    }
    return this.walk(file, out);
  }

  counts(): RedactionCount[] {
    const counts: RedactionCount[] = [];
    for (const [rule, files] of this.tally) for (const [file, count] of files) counts.push({ rule, file, count });
    return counts;
  }

  samples(): { rule: string; file: string; line: string }[] {
    return [...this.kept];
  }

  total(): number {
    let total = 0;
    for (const files of this.tally.values()) for (const count of files.values()) total += count;
    return total;
  }

  private walk(file: string, value: unknown): unknown {
    if (typeof value === 'string') return this.redactText(file, value, false);
    if (Array.isArray(value)) return value.map((inner) => this.walk(file, inner));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) {
        const redactedKey = this.redactText(file, key, false);
        const rule = typeof inner === 'string' ? secretKeyRule(key) : null;
        if (rule && typeof inner === 'string') out[redactedKey] = this.secretValue(rule, file, key, inner);
        else out[redactedKey] = this.walk(file, inner);
      }
      return out;
    }
    return value;
  }

  /**
   * The string value of a secret-named key: redacted whole. A value another rule already caught
   * (a keychain secret, `Bearer [redacted]`) keeps that rule's redaction and count.
   */
  private secretValue(rule: string, file: string, key: string, value: string): string {
    if (value === '') return value;
    const redacted = this.redactText(file, value, false);
    if (redacted.includes(REDACTED)) return redacted;
    this.add(rule, file, 1);
    this.sample(rule, file, `${key}: ${REDACTED}`);
    return REDACTED;
  }

  /** `keyBlocks`: whether a private key block left open continues into this file's next text. */
  private redactText(file: string, text: string, keyBlocks: boolean): string {
    if (text.length === 0) return text;
    this.fired.clear();
    let out = text;

    if (keyBlocks && this.openKeyBlocks.has(file)) out = this.continueKeyBlock(file, out);

    out = this.values.replace(out, (value) => {
      this.hit(this.valueRules.get(value) ?? KEYCHAIN_RULE, file, 1);
      return REDACTED;
    });

    for (const rule of this.regexRules) out = this.applyMaskRule(rule, file, out);

    if (mayNeedBuiltins(out)) {
      if (PRIVATE_KEY_TRIGGER.test(out)) out = this.privateKeys(file, out, keyBlocks);
      for (const rule of BUILTIN_RULES) {
        if (!rule.trigger.test(out)) continue;
        let count = 0;
        let changed = false;
        out = out.replace(rule.pattern, (...args: unknown[]) => {
          const masked = rule.redact(args.slice(1, -2) as (string | undefined)[]);
          if (!masked) return args[0] as string;
          count += masked.count;
          changed = true;
          return masked.text;
        });
        if (changed) this.hit(rule.name, file, count);
      }
    }

    if (this.fired.size) for (const rule of this.fired) this.sample(rule, file, out);
    return out;
  }

  private hit(rule: string, file: string, count: number) {
    if (count) this.add(rule, file, count);
    this.fired.add(rule);
  }

  /** A custom regex: only its `mask` group replaced, or the whole match when it has none. */
  private applyMaskRule(rule: CompiledRegexRule, file: string, text: string): string {
    const pattern = rule.pattern;
    pattern.lastIndex = 0;
    let out = '';
    let from = 0;
    let count = 0;
    for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
      if (match[0].length === 0) {
        pattern.lastIndex++;
        continue;
      }
      // A `mask` group that took no part in this match hides nothing (not the whole match).
      const span = match.groups && 'mask' in match.groups ? match.indices!.groups!.mask : match.indices![0];
      if (!span) continue;
      const [start, end] = span;
      if (end > start && text.slice(start, end) !== REDACTED) {
        out += text.slice(from, start) + REDACTED;
        from = end;
        count++;
      }
    }
    if (count === 0) return text;
    this.hit(rule.name, file, count);
    return out + text.slice(from);
  }

  /** Blocks within the text have their body redacted; one left open continues into the next. */
  private privateKeys(file: string, text: string, keyBlocks: boolean): string {
    let count = 0;
    const out = text.replace(PRIVATE_KEY_PATTERN, (whole, begin: string, body: string, end: string) => {
      if (!end && keyBlocks) this.openKeyBlocks.add(file);
      if (body.trim() === REDACTED) return whole;
      count++;
      const gap = (side: RegExpExecArray | null) => side?.[0] ?? '';
      // Keep the line breaks around the body so the block still reads as one.
      return `${begin}${gap(/^\s*/.exec(body))}${body.trim() ? REDACTED : ''}${gap(/\s*$/.exec(body))}${end}`;
    });
    if (count) this.hit(PRIVATE_KEY_BLOCK, file, count);
    return out;
  }

  /** Inside a block opened by an earlier text of this file: redacted up to its END line. */
  private continueKeyBlock(file: string, text: string): string {
    const end = PRIVATE_KEY_END.exec(text);
    this.hit(PRIVATE_KEY_BLOCK, file, 0);
    if (!end) return text.trim() ? REDACTED : text;
    this.openKeyBlocks.delete(file);
    const before = text.slice(0, end.index);
    return `${before.trim() ? REDACTED : before}${text.slice(end.index)}`;
  }

  private add(rule: string, file: string, count: number) {
    let files = this.tally.get(rule);
    if (!files) this.tally.set(rule, (files = new Map()));
    files.set(file, (files.get(file) ?? 0) + count);
  }

  private sample(rule: string, file: string, text: string) {
    const left = this.samplesLeft.get(rule) ?? this.samplesPerRule;
    if (left <= 0) return;
    this.samplesLeft.set(rule, left - 1);
    // The line that shows the redaction, when the text has several.
    const line = text.includes('\n') ? (text.split('\n').find((l) => l.includes(REDACTED)) ?? text) : text;
    this.kept.push({ rule, file, line: cutText(line, SAMPLE_LENGTH) });
  }
}

/** The rule a JSON key's string value falls to, or null when the key names nothing secret. */
function secretKeyRule(key: string): string | null {
  if (AUTHORIZATION_KEY.test(key)) return AUTHORIZATION_HEADER;
  if (COOKIE_KEY.test(key)) return COOKIE_HEADER;
  if (SECRET_KEY.test(key)) return SECRET_PAIR;
  return null;
}
