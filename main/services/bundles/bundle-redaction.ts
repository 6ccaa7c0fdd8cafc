/**
 * Redaction for the app's support bundles: built-in rules (bearer and API tokens, AWS keys,
 * private key blocks, JWTs, passwords in URLs, password=/secret=/token= pairs in text and JSON,
 * connection strings, Authorization and Cookie headers), the user's custom rules, and every
 * secret value the keychain holds for what is in the bundle — also base64- and URL-encoded.
 * Counts per rule and file for the report (never the value); a few redacted lines per rule for
 * the preview. NOT BUILT YET.
 */
import type { RedactionCount } from '../../../shared/model/bundle';

/** A custom rule with its value resolved (a literal's value comes from the keychain). */
export type ResolvedRule =
  | { kind: 'regex'; name: string; pattern: string }
  | { kind: 'literal'; name: string; value: string }
  | { kind: 'json-path'; name: string; path: string };

export interface RedactionSetup {
  /** Secret values from the keychain (targets, probes, channels, runbook secrets). */
  secrets: readonly string[];
  rules: readonly ResolvedRule[];
  /** How many redacted lines to keep per rule for the preview (0: none). */
  samplesPerRule?: number;
}

export const KEYCHAIN_RULE = 'keychain secret';

export class BundleRedactor {
  constructor(readonly setup: RedactionSetup) {}

  /** Rule names applied, for the manifest. */
  ruleNames(): string[] {
    return [];
  }
  /** One line or text of `file`, redacted; counts go to the report. */
  text(_file: string, text: string): string {
    return text;
  }
  /** A JSON value of `file`: json-path rules, `password`-like keys, then every string as text. */
  json(_file: string, value: unknown): unknown {
    return value;
  }
  counts(): RedactionCount[] {
    return [];
  }
  samples(): { rule: string; file: string; line: string }[] {
    return [];
  }
  total(): number {
    return 0;
  }
}
