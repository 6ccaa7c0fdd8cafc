/** Query-string readers that turn a bad value into a 400 with one sentence. */
import { HttpError } from '../http-error';
import { parseSince, SINCE_HINT } from '../time-spec';

export type Query = Record<string, string | string[] | undefined>;

export function one(query: Query, name: string): string | null {
  const value = query[name];
  if (Array.isArray(value)) throw new HttpError(400, `Give ${name} once.`);
  return value === undefined || value === '' ? null : value;
}

export function sinceParam(query: Query, fallback: string | null): number | null {
  const text = one(query, 'since') ?? fallback;
  if (text === null) return null;
  const ms = parseSince(text);
  if (ms === null) throw new HttpError(400, `since=${text} is not a time the agent understands. ${SINCE_HINT}`);
  return ms;
}

/** A positive integer, capped; `all` means the cap. */
export function countParam(query: Query, name: string, fallback: number, cap: number): { value: number; capped: boolean } {
  const text = one(query, name);
  if (text === null) return { value: Math.min(fallback, cap), capped: fallback > cap };
  if (text === 'all') return { value: cap, capped: true };
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new HttpError(400, `${name}=${text} is not a positive whole number.`);
  const n = Number(text);
  return { value: Math.min(n, cap), capped: n > cap };
}

export function enumParam<T extends string>(query: Query, name: string, allowed: readonly T[], fallback: T): T {
  const text = one(query, name) ?? fallback;
  if (!(allowed as readonly string[]).includes(text)) throw new HttpError(400, `${name}=${text} is not one of ${allowed.join(', ')}.`);
  return text as T;
}
