/**
 * Bearer tokens for the agent. A token is shown once, when it is made; the database keeps only
 * its sha256, so neither the file nor a support bundle can give one back.
 *
 * Scopes: `read` may GET every endpoint except the support bundle; `admin` may also download the
 * support bundle, which gathers every service's recent logs in one file and so is the closest
 * thing the agent has to a secret (see README "Scopes").
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { TOKEN_PREFIX } from '../node/redact/agent-token';
import type { Db } from './store';

export const TOKEN_SCOPES = ['read', 'admin'] as const;
export const TokenScope = z.enum(TOKEN_SCOPES);
export type TokenScope = z.infer<typeof TokenScope>;

export interface TokenInfo {
  id: string;
  scope: TokenScope;
  label: string;
  createdAt: string;
  revokedAt: string | null;
  /** From the audit log: the last request made with it. */
  lastUsedAt: string | null;
}

export interface VerifiedToken {
  id: string;
  scope: TokenScope;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function insertToken(db: Db, scope: TokenScope, label: string, now = new Date()): { token: string; id: string } {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const id = randomBytes(6).toString('hex');
  db.prepare('INSERT INTO tokens (id, hash, scope, label, created_at) VALUES (?, ?, ?, ?, ?)').run(id, hashToken(token), scope, label, now.toISOString());
  return { token, id };
}

export function selectTokens(db: Db): TokenInfo[] {
  const rows = db
    .prepare(
      `SELECT t.id, t.scope, t.label, t.created_at AS createdAt, t.revoked_at AS revokedAt,
              (SELECT max(a.at) FROM audit a WHERE a.token_id = t.id) AS lastUsedAt
         FROM tokens t ORDER BY t.created_at, t.id`,
    )
    .all() as TokenInfo[];
  return rows;
}

/** True when a live token was revoked; false when there is no such token or it was already revoked. */
export function markRevoked(db: Db, id: string, now = new Date()): boolean {
  return db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now.toISOString(), id).changes > 0;
}

/**
 * Looks tokens up by hash on every request (an indexed read, a few microseconds), so a revoked
 * token stops working at once, even when it was revoked by `opsctl` from another process.
 */
export class TokenVerifier {
  private readonly lookup;

  constructor(db: Db) {
    this.lookup = db.prepare<[string], { id: string; scope: TokenScope }>('SELECT id, scope FROM tokens WHERE hash = ? AND revoked_at IS NULL');
  }

  verify(token: string): VerifiedToken | null {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
    return this.lookup.get(hashToken(token)) ?? null;
  }
}
