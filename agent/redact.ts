/**
 * Redaction for support bundles: a bundle is attached to tickets and chats, so it must not carry
 * the agent's tokens or the values of secret-looking environment variables, wherever they turn
 * up (a log line that prints DATABASE_PASSWORD, a stack trace with a token in a URL).
 *
 * It works on values, not on field names, because secrets leak into free text.
 */
import { TOKEN_PATTERN } from './tokens';

export const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|KEY|CREDENTIAL|AUTH|PRIVATE|SESSION|COOKIE|DSN/i;
/** Shorter values ("1", "true", "dev") would blank out ordinary words all over the bundle. */
const MIN_SECRET_LENGTH = 6;
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

  constructor(values: Iterable<string>) {
    const escaped = [...new Set(values)]
      .filter((v) => v.length >= MIN_SECRET_LENGTH)
      // Longest first, so a secret that contains another is replaced whole.
      .sort((a, b) => b.length - a.length)
      .map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.pattern = escaped.length ? new RegExp(escaped.join('|'), 'g') : null;
  }

  text(value: string): string {
    let out = value.replace(TOKEN_PATTERN, () => {
      this.count++;
      return REDACTED;
    });
    if (this.pattern) {
      out = out.replace(this.pattern, () => {
        this.count++;
        return REDACTED;
      });
    }
    return out;
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
