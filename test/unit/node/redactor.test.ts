/**
 * node/redact/redactor.ts: values and agent tokens replaced wherever they are, and `textCut`,
 * which redacts before it cuts so a secret across the cut cannot leave its first characters.
 */
import { describe, expect, it } from 'vitest';
import { cutText, envPairs, REDACTED, Redactor, secretValues } from '../../../node/redact/redactor';

const PASSPHRASE = 'tr0ub4dor-and-3-staples!';
const TOKEN = `cra_${'R'.repeat(43)}`;

describe('Redactor.textCut', () => {
  it('redacts a secret that straddles the cut instead of keeping its first characters', () => {
    const redactor = new Redactor([PASSPHRASE]);
    const line = `${'.'.repeat(4_084)}${PASSPHRASE} and more`;
    const out = redactor.textCut(line, 4_096);
    expect(out).toBe(`${'.'.repeat(4_084)}${REDACTED} a…`);
    expect(out).not.toContain(PASSPHRASE.slice(0, 4));
    expect(redactor.count).toBe(1);
    // The order this replaces: cut first, and the passphrase's first 12 characters stay.
    expect(redactor.text(`${line.slice(0, 4_096)}…`)).toContain(PASSPHRASE.slice(0, 12));
  });

  it('recognises an agent token across the cut', () => {
    const redactor = new Redactor([]);
    const out = redactor.textCut(`${'.'.repeat(4_080)}${TOKEN} and more`, 4_096);
    expect(out).toBe(`${'.'.repeat(4_080)}${REDACTED} and m…`);
    expect(out).not.toContain('cra_');
  });

  it('never cuts inside a marker: one the cut would split is left out whole', () => {
    const redactor = new Redactor([PASSPHRASE]);
    expect(redactor.textCut(`${'.'.repeat(95)}${PASSPHRASE} tail`, 100)).toBe(`${'.'.repeat(95)}…`);
    expect(redactor.textCut(`${'.'.repeat(90)}${PASSPHRASE} tail`, 100)).toBe(`${'.'.repeat(90)}${REDACTED}…`);
    expect(redactor.textCut(`${PASSPHRASE} tail`, 5)).toBe('…');
  });

  it('leaves short texts whole and never splits a surrogate pair', () => {
    const redactor = new Redactor([PASSPHRASE]);
    expect(redactor.textCut(`short ${PASSPHRASE}`, 100)).toBe(`short ${REDACTED}`);
    expect(cutText('ab😀cd', 3)).toBe('ab…');
    expect(cutText('abc', 3)).toBe('abc');
  });
});

describe('Redactor', () => {
  it('replaces values (longest first), agent tokens by default, and other patterns when given', () => {
    const redactor = new Redactor(['secret-one', 'secret-one-longer', 'tiny']);
    expect(redactor.text(`a secret-one-longer b secret-one c tiny ${TOKEN}`)).toBe(`a ${REDACTED} b ${REDACTED} c tiny ${REDACTED}`);
    const custom = new Redactor([], [/sk_live_\w+/g]);
    expect(custom.text(`key sk_live_abc123 and ${TOKEN}`)).toBe(`key ${REDACTED} and ${TOKEN}`);
  });

  it('redacts keys and values of a deep copy, counting each replacement', () => {
    const redactor = new Redactor(['hunter2-password']);
    const copy = redactor.deep({ 'hunter2-password': ['x hunter2-password', 3, null], ok: true });
    expect(copy).toEqual({ [REDACTED]: [`x ${REDACTED}`, 3, null], ok: true });
    expect(redactor.count).toBe(2);
  });

  it('takes secret values from secret-looking names and passwords from URLs, not flags or short values', () => {
    const env = envPairs(['DB_PASSWORD=hunter2-db', 'DATABASE_URL=postgres://app:pg-pass-77@db/shop', 'FEATURE_AUTH=true', 'API_KEY=abc', 'PLAIN=visible-value', 'EMPTY']);
    expect(secretValues(env).sort()).toEqual(['hunter2-db', 'pg-pass-77']);
  });
});
