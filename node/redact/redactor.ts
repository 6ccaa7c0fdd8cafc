/**
 * Redaction for support bundles (the agent's today, the app's next): a bundle is attached to
 * tickets and chats, so it must not carry agent tokens or the values of secret-looking
 * environment variables, wherever they turn up (a log line that prints DATABASE_PASSWORD, a
 * stack trace with a token in a URL).
 *
 * It works on values, not on field names, because secrets leak into free text. A text that is
 * also shortened is redacted first and cut after (`textCut`): cut first, a secret straddling the
 * cut no longer matches and its first characters stay in the bundle.
 */
import { TOKEN_PATTERN } from './agent-token';

export const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|KEY|CREDENTIAL|AUTH|PRIVATE|SESSION|COOKIE|DSN/i;
/** Shorter values ("1", "true", "dev") would blank out ordinary words all over the bundle. */
export const MIN_SECRET_LENGTH = 6;
const BORING = new Set(['true', 'false', 'enabled', 'disabled', 'null', 'undefined', 'production', 'development']);

export const REDACTED = '[redacted]';

/** Secret values from `NAME=value` pairs (process env, a container's Config.Env). */
export function secretValues(env: Iterable<[string, string | undefined]>): string[] {
  const values = new Set<string>();
  for (const [name, value] of env) {
    if (!value) continue;
    const trimmed = value.trim();
    // A URL with credentials (DATABASE_URL=postgres://user:pass@host) leaks its password whatever
    // the variable is called, and the password also turns up on its own in logs.
    const password = /^[a-z][a-z0-9+.-]*:\/\/[^:/@]+:([^@]+)@/i.exec(trimmed)?.[1];
    if (password && password.length >= MIN_SECRET_LENGTH) values.add(password);
    if (SECRET_NAME.test(name) && trimmed.length >= MIN_SECRET_LENGTH && !BORING.has(trimmed.toLowerCase())) values.add(trimmed);
  }
  return [...values];
}

export function envPairs(lines: readonly string[]): [string, string][] {
  return lines.map((line) => {
    const eq = line.indexOf('=');
    return eq < 0 ? [line, ''] : [line.slice(0, eq), line.slice(eq + 1)];
  });
}

export class Redactor {
  private readonly pattern: RegExp | null;
  count = 0;

  /**
   * `values` are replaced wherever they occur; `patterns` (global regular expressions) catch
   * secrets recognisable by their shape, agent tokens by default.
   */
  constructor(
    values: Iterable<string>,
    private readonly patterns: readonly RegExp[] = [TOKEN_PATTERN],
  ) {
    const escaped = [...new Set(values)]
      .filter((v) => v.length >= MIN_SECRET_LENGTH)
      // Longest first, so a secret that contains another is replaced whole.
      .sort((a, b) => b.length - a.length)
      .map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.pattern = escaped.length ? new RegExp(escaped.join('|'), 'g') : null;
  }

  text(value: string): string {
    let out = value;
    for (const pattern of this.patterns) {
      out = out.replace(pattern, () => {
        this.count++;
        return REDACTED;
      });
    }
    if (this.pattern) {
      out = out.replace(this.pattern, () => {
        this.count++;
        return REDACTED;
      });
    }
    return out;
  }

  /**
   * `value` redacted, then kept to at most `max` characters followed by `…` when it was longer.
   * The cut moves back to before a `[redacted]` it would split (half a marker reads as text) and
   * off the middle of a surrogate pair.
   */
  textCut(value: string, max: number): string {
    return cutText(this.text(value), max);
  }

  /** A deep copy with every string (keys included) redacted. */
  deep<T>(value: T): T {
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((v) => this.walk(v));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) out[this.text(key)] = this.walk(inner);
      return out;
    }
    return value;
  }
}

/**
 * `text` kept to at most `max` characters, followed by `…` when it was longer: what `textCut`
 * does after redacting, for a text that is never redacted. One that will be must go through
 * `textCut` instead: redacting it after this cut would miss a secret the cut split.
 */
export function cutText(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, cutEnd(text, max))}…` : text;
}

/** Where to cut `text` to keep at most `max` characters: never inside a marker or a character. */
function cutEnd(text: string, max: number): number {
  let end = max;
  const marker = text.lastIndexOf(REDACTED, end - 1);
  if (marker >= 0 && marker + REDACTED.length > end) end = marker;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return end;
}
