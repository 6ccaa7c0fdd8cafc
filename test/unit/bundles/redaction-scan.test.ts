/**
 * The fast scans under BundleRedactor (node/redact/literal-scan.ts): LiteralSet must
 * replace exactly what a global regular expression of the values, longest first, replaces; the
 * built-ins' trigram filter must never call clean a text that any built-in rule would redact.
 * Both are checked on many generated texts (a fixed seed, so a failure repeats).
 */
import { describe, expect, it } from 'vitest';
import { LiteralSet, TrigramFilter } from '../../../node/redact/literal-scan';
import { BUILTIN_RULES, mayNeedBuiltins, PRIVATE_KEY_PATTERN } from '../../../main/services/bundles/redaction-builtins';

/** A small deterministic PRNG (mulberry32). */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function regexReplace(values: string[], text: string): string {
  const sorted = [...new Set(values)].sort((a, b) => b.length - a.length).map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return text.replace(new RegExp(sorted.join('|'), 'g'), (value) => `<${value}>`);
}

describe('LiteralSet', () => {
  it('replaces what a longest-first regex of the values replaces, on generated texts', () => {
    const next = random(13);
    const alphabet = 'abcab+/=_-%xyz ';
    const word = (min: number, max: number) =>
      Array.from({ length: min + Math.floor(next() * (max - min + 1)) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    for (let round = 0; round < 400; round++) {
      const values = Array.from({ length: 1 + Math.floor(next() * 12) }, () => word(round % 5 === 0 ? 1 : 4, 10));
      // Values that contain, extend or overlap one another.
      values.push(`${values[0]}${values[0]!.slice(0, 2)}`);
      const text = Array.from({ length: 20 }, () => (next() < 0.4 ? values[Math.floor(next() * values.length)]! : word(0, 12))).join('');
      const set = new LiteralSet(values);
      expect(set.replace(text, (value) => `<${value}>`), JSON.stringify({ values, text })).toBe(regexReplace(values, text));
    }
  });

  it('leaves a text without any value as the same string, and handles empty sets and short texts', () => {
    const set = new LiteralSet(['secret-one', 'another-secret']);
    const text = 'nothing to see here, just a secret- and an another-';
    expect(set.replace(text, () => 'X')).toBe(text);
    expect(new LiteralSet([]).replace('abc', () => 'X')).toBe('abc');
    expect(set.replace('sec', () => 'X')).toBe('sec');
    expect(set.replace('secret-one', () => 'X')).toBe('X');
    expect(set.replace('another-secretsecret-one!', () => 'X')).toBe('XX!');
  });
});

describe('the built-ins trigram filter', () => {
  it('lets through every generated text that a built-in rule would redact', () => {
    const next = random(7);
    const pieces = [
      'Authorization: ', 'proxy-AUTHORIZATION=', 'Cookie: ', 'set-cookie: ', 'eyJ', 'eyJhbGciOi', '.', '://', 'postgres://', 'u:', '@',
      'Password=', 'PASSWD=', 'passphrase=', 'pwd=', 'Server=x;', 'secret=', 'client_SECRET="', 'token=', 'Access_Token=', 'AKIA', 'ASIA',
      'aws_secret_access_key=', 'sk-', 'sk_live_', 'rk_test_', 'ghp_', 'gho_', 'GHU_', 'ghs_', 'ghr_', 'github_pat_', 'xoxb-', 'AIza', 'cra_',
      'api_key=', 'X-API-KEY: ', 'apikey=', 'access-key=', 'accesskey=', 'private_key=', 'PRIVATE-KEY=', 'privatekey=', 'Bearer ', 'bearer ',
      '-----BEGIN RSA PRIVATE KEY-----', '-----END RSA PRIVATE KEY-----', '"password": "', '"', ';', ' ', '\n',
    ];
    const filler = () => Array.from({ length: Math.floor(next() * 50) }, () => 'Aa0+/_-=.9zZ'[Math.floor(next() * 12)]).join('');
    let redactable = 0;
    for (let round = 0; round < 20_000; round++) {
      const text = Array.from({ length: 1 + Math.floor(next() * 4) }, () => `${pieces[Math.floor(next() * pieces.length)]}${filler()}`).join('');
      const matched = [PRIVATE_KEY_PATTERN, ...BUILTIN_RULES.map((rule) => rule.pattern)].some((pattern) => {
        pattern.lastIndex = 0;
        const hit = pattern.test(text);
        pattern.lastIndex = 0;
        return hit;
      });
      if (!matched) continue;
      redactable++;
      expect(mayNeedBuiltins(text), text).toBe(true);
    }
    // Enough of the generated texts were redactable for this to mean something.
    expect(redactable).toBeGreaterThan(5_000);
  });

  it('says no to ordinary lines and refuses a key it cannot hold', () => {
    expect(mayNeedBuiltins('2026-11-26T10:00:00Z INFO GET /api/items 200 12ms user=42')).toBe(false);
    expect(mayNeedBuiltins('')).toBe(false);
    expect(new TrigramFilter(['abc']).mayMatch('xxABCxx')).toBe(true);
    expect(() => new TrigramFilter(['a c'])).toThrow(/not three letters/);
  });
});
