/**
 * What both callers of GitHub's REST API share — the `github` probe kind
 * (node/probes/kinds/github.ts) and the runbooks' `github` step
 * (main/services/runbooks/steps/github-client.ts): an Octokit that logs nothing and stops with
 * the caller's AbortSignal, the shape of its errors, and the sentences a network failure and a
 * used-up rate limit start from. Each caller words GitHub's refusals for what it asked.
 */
import { Octokit } from '@octokit/rest';

export type GithubHeaders = Record<string, string | number | undefined>;

/** An @octokit/request error: a reply that was not 2xx (`status` with `response`) or a network failure. */
export interface OctokitError {
  message: string;
  status?: number;
  response?: { status: number; headers: GithubHeaders; data: unknown };
  cause?: unknown;
}

const SILENT_LOG = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** An Octokit for `baseUrl` (api.github.com, a GitHub Enterprise API root, or a stand-in in tests). */
export function createOctokit(options: {
  token: string;
  baseUrl: string;
  userAgent: string;
  signal: AbortSignal;
}): Octokit {
  return new Octokit({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    userAgent: options.userAgent,
    log: SILENT_LOG,
    request: { signal: options.signal },
  });
}

export function asOctokitError(error: unknown): OctokitError {
  if (error instanceof Error) return error as OctokitError;
  return { message: String(error) };
}

/** A header as a number; null when it is absent, empty or not a number. */
export function numberHeader(headers: GithubHeaders, name: string): number | null {
  const value = headers[name];
  if (value === undefined || value === '') return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

/**
 * For a refusal because the token's rate limit is used up: when it resets (" until 14:05 UTC",
 * or "" when GitHub did not say). Null for any other refusal.
 */
export function rateLimitedUntil(status: number, headers: GithubHeaders): string | null {
  if ((status !== 403 && status !== 429) || numberHeader(headers, 'x-ratelimit-remaining') !== 0) return null;
  const reset = numberHeader(headers, 'x-ratelimit-reset');
  return reset === null || reset <= 0 ? '' : ` until ${new Date(reset * 1000).toISOString().slice(11, 16)} UTC`;
}

/** The network failure's code (ECONNREFUSED …) under fetch's TypeError, if there is one. */
function networkCode(error: OctokitError): string | null {
  let cause: unknown = error.cause;
  for (let depth = 0; depth < 3 && cause; depth += 1) {
    if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string')
      return cause.code;
    cause = typeof cause === 'object' && cause !== null && 'cause' in cause ? cause.cause : null;
  }
  return null;
}

/** The sentence for a call that got no reply; `setting` names where the caller set `baseUrl` ("the base URL"). */
export function networkSentence(baseUrl: string, error: OctokitError, setting: string): string {
  const code = networkCode(error);
  const where = `Could not reach ${baseUrl}`;
  if (code === 'ECONNREFUSED') return `${where}: the connection was refused — check ${setting} and the network.`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `${where}: its host name does not resolve — check ${setting} and the network.`;
  const reason = (code ?? error.message).replace(/\.$/, '');
  return `${where}: ${reason} — check ${setting} and the network.`;
}
