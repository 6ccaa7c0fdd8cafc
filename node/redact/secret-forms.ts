/**
 * The forms a secret value takes on its way into logs and payloads: as it is, JSON-escaped,
 * base64 (standard and url-safe, with and without padding, and at any offset inside a longer
 * base64 text such as a Basic `user:pass` header), and URL-encoded (`encodeURIComponent` and
 * form encoding). A bundle must carry none of them, and a log line shows none of them.
 *
 * Values shorter than MIN_SECRET_LENGTH (6) are skipped, as the agent's redactor does: "1",
 * "true" or "dev" would blank out ordinary words all over a bundle or a log.
 */
import { MIN_SECRET_LENGTH } from './redactor';

export { MIN_SECRET_LENGTH };

/** A base64 fragment this short could turn up by chance inside unrelated base64. */
const MIN_FRAGMENT_LENGTH = 8;

/** Every form of `value` worth looking for; empty when the value is too short to redact safely. */
export function secretForms(value: string): string[] {
  if (value.length < MIN_SECRET_LENGTH) return [];
  const forms = new Set<string>([value]);
  const trimmed = value.trim();
  // A value pasted with a trailing newline (a key file, a token copied from a terminal) is
  // printed without it.
  if (trimmed.length >= MIN_SECRET_LENGTH) forms.add(trimmed);
  for (const text of new Set([value, trimmed])) {
    forms.add(JSON.stringify(text).slice(1, -1));
    forms.add(encodeURIComponent(text));
    forms.add(new URLSearchParams({ v: text }).toString().slice(2));
    for (const encoded of base64Forms(Buffer.from(text, 'utf8'))) forms.add(encoded);
  }
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

/**
 * `bytes` in base64: whole (padded and unpadded, both alphabets), and for each of the three
 * offsets modulo 3 the characters that depend on `bytes` alone — what any base64 text that
 * contains these bytes somewhere holds, whatever comes before and after them.
 */
function base64Forms(bytes: Buffer): string[] {
  const forms: string[] = [];
  const whole = bytes.toString('base64');
  forms.push(whole, whole.replace(/=+$/, ''));
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Character i carries bits [6i, 6i + 6): keep those that fall wholly inside `bytes`.
    const start = Math.ceil((offset * 8) / 6);
    const end = Math.floor(((offset + bytes.length) * 8) / 6);
    const fragment = encoded.slice(start, end);
    if (fragment.length >= MIN_FRAGMENT_LENGTH) forms.push(fragment);
  }
  return [...forms, ...forms.map(toBase64Url)];
}

function toBase64Url(base64: string): string {
  return base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
