/**
 * The `github` kind: a token's validity and scopes, a repository's reachability, or the latest
 * workflow run on a branch, through GitHub's REST API (@octokit/rest).
 *
 * One request per check, against `baseUrl` (api.github.com or a GitHub Enterprise API root):
 * - `token`: GET /user. SCOPES come from the `x-oauth-scopes` header GitHub sends for classic
 *   tokens; MISSING_SCOPES are the required ones not granted (a granted `repo` covers
 *   `public_repo` and the like, as GitHub treats it), and any missing one fails the run with a
 *   sentence naming it. Fine-grained tokens send no scopes header: SCOPES is then null and
 *   nothing is judged missing, because there is nothing to compare.
 * - `repository`: GET /repos/{owner}/{repo}: PERMISSIONS (the granted names: admin, push …),
 *   DEFAULT_BRANCH, PRIVATE, ARCHIVED.
 * - `workflow`: the latest run of a workflow (or of any, without one) on the branch: CONCLUSION
 *   (success, failure … or null while it runs), RUN_STATUS, RUN_URL, RUN_AGE (ms since it was
 *   created). A failed run is not an error of the check: conditions such as
 *   `[CONCLUSION] == success` judge it.
 * Every check also gives STATUS, RESPONSE_TIME, RATE_LIMIT_REMAINING and BODY (the reply as JSON
 * text, for `[BODY].…` conditions); the reply is kept as the artifact `reply.json`.
 */
import type { z } from 'zod';
import type { GithubSettings } from '../../../shared/model/probe';
import { abortReason } from '../../abort';
import {
  asOctokitError,
  createOctokit,
  networkSentence,
  numberHeader,
  rateLimitedUntil,
  type GithubHeaders as Headers,
} from '../../github-api';
import type { ArtifactData, KindOutcome, PlaceholderValues, ProbeKindModule, ProbeRunContext } from '../probe-kind';

type Settings = z.output<typeof GithubSettings>;

interface Reply {
  status: number;
  headers: Headers;
  data: unknown;
}

/** Scopes that a broader classic scope grants too (GitHub's own hierarchy). */
const IMPLIED_SCOPES: Record<string, string[]> = {
  repo: ['repo:status', 'repo_deployment', 'public_repo', 'repo:invite', 'security_events'],
  'admin:org': ['write:org', 'read:org', 'manage_runners:org'],
  'write:org': ['read:org'],
  'admin:public_key': ['write:public_key', 'read:public_key'],
  'write:public_key': ['read:public_key'],
  'admin:repo_hook': ['write:repo_hook', 'read:repo_hook'],
  'write:repo_hook': ['read:repo_hook'],
  'admin:gpg_key': ['write:gpg_key', 'read:gpg_key'],
  'write:gpg_key': ['read:gpg_key'],
  'admin:ssh_signing_key': ['write:ssh_signing_key', 'read:ssh_signing_key'],
  'write:ssh_signing_key': ['read:ssh_signing_key'],
  user: ['read:user', 'user:email', 'user:follow'],
  'write:packages': ['read:packages'],
  project: ['read:project'],
  'write:discussion': ['read:discussion'],
  'admin:enterprise': ['manage_runners:enterprise', 'manage_billing:enterprise', 'read:enterprise'],
};

/** The scopes in `x-oauth-scopes` (comma-separated); null when the header is absent. */
function grantedScopes(headers: Headers): string[] | null {
  const header = headers['x-oauth-scopes'];
  if (header === undefined) return null;
  return String(header)
    .split(',')
    .map((scope) => scope.trim())
    .filter(Boolean);
}

/** The required scopes that `granted` does not cover, directly or through a broader scope. */
export function missingScopes(required: readonly string[], granted: readonly string[]): string[] {
  const covered = new Set(granted);
  for (const scope of granted) for (const implied of IMPLIED_SCOPES[scope] ?? []) covered.add(implied);
  return required.filter((scope) => !covered.has(scope));
}

/** "the workflow scope" / "the repo and workflow scopes" / "the a, b and c scopes". */
function scopeList(scopes: readonly string[]): string {
  if (scopes.length === 1) return `the ${scopes[0]} scope`;
  return `the ${scopes.slice(0, -1).join(', ')} and ${scopes[scopes.length - 1]} scopes`;
}

/** The sentence for a reply GitHub refused, worded for what the check asked. */
function refusalSentence(settings: Settings, status: number, headers: Headers, data: unknown): string {
  const message = typeof data === 'object' && data !== null && 'message' in data ? String(data.message).replace(/\.$/, '') : '';
  const repository = `${settings.owner ?? ''}/${settings.repo ?? ''}`;
  if (status === 401) return 'GitHub refused the token (401) — check it has not expired or been revoked.';
  const until = rateLimitedUntil(status, headers);
  if (until !== null) return `GitHub's rate limit for this token is used up${until} — wait, or use another token.`;
  if (status === 403) return `GitHub refused the request (403${message ? `: ${message}` : ''}) — check the token's permissions for ${settings.check === 'token' ? 'the account' : repository}.`;
  if (status === 404) {
    if (settings.check === 'token') return 'GitHub answered 404 for /user — check the base URL (a GitHub Enterprise API root ends in /api/v3).';
    if (settings.check === 'workflow' && settings.workflow) return `GitHub has no workflow ${settings.workflow} in ${repository}, or the token cannot see it.`;
    return `GitHub has no repository ${repository}, or the token cannot see it.`;
  }
  return `GitHub answered ${status}${message ? ` (${message})` : ''} — check the base URL, or try again if GitHub is having trouble.`;
}

function replyArtifact(data: unknown): ArtifactData[] {
  if (data === undefined || data === '') return [];
  const text = typeof data === 'string' ? data : JSON.stringify(data, null, 2);
  return [{ name: 'reply.json', contentType: typeof data === 'string' ? 'text/plain' : 'application/json', data: Buffer.from(text), truncated: false }];
}

function record(data: unknown): Record<string, unknown> {
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
}

/** The request the check makes, by GitHub's route template, with its parameters. */
function requestFor(settings: Settings): { route: string; params: Record<string, string | number> } | string {
  if (settings.check === 'token') return { route: 'GET /user', params: {} };
  if (!settings.owner || !settings.repo) return 'Set the owner and the repository to check, like octocat and hello-world.';
  const params: Record<string, string | number> = { owner: settings.owner, repo: settings.repo };
  if (settings.check === 'repository') return { route: 'GET /repos/{owner}/{repo}', params };
  if (settings.branch) params.branch = settings.branch;
  params.per_page = 1;
  if (!settings.workflow) return { route: 'GET /repos/{owner}/{repo}/actions/runs', params };
  params.workflow_id = settings.workflow;
  return { route: 'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', params };
}

/** What each check reads from a good reply. */
function readReply(settings: Settings, reply: Reply, ctx: ProbeRunContext, values: PlaceholderValues, metadata: KindOutcome['metadata']): string | undefined {
  const data = record(reply.data);
  if (settings.check === 'token') {
    const scopes = grantedScopes(reply.headers);
    const missing = scopes === null ? [] : missingScopes(settings.requiredScopes, scopes);
    values.LOGIN = typeof data.login === 'string' ? data.login : null;
    values.SCOPES = scopes;
    values.MISSING_SCOPES = missing;
    metadata.login = values.LOGIN as string | null;
    metadata.scopes = scopes === null ? null : scopes.join(', ');
    const expires = reply.headers['github-authentication-token-expiration'];
    if (expires !== undefined) metadata.tokenExpires = String(expires);
    return missing.length > 0 ? `The token lacks ${scopeList(missing)}.` : undefined;
  }
  if (settings.check === 'repository') {
    const permissions = record(data.permissions);
    values.PERMISSIONS = Object.keys(permissions).filter((name) => permissions[name] === true);
    values.DEFAULT_BRANCH = typeof data.default_branch === 'string' ? data.default_branch : null;
    values.PRIVATE = data.private === true;
    values.ARCHIVED = data.archived === true;
    metadata.repository = typeof data.full_name === 'string' ? data.full_name : `${settings.owner}/${settings.repo}`;
    metadata.defaultBranch = values.DEFAULT_BRANCH as string | null;
    metadata.permissions = (values.PERMISSIONS as string[]).join(', ');
    return undefined;
  }
  const runs = Array.isArray(data.workflow_runs) ? data.workflow_runs : [];
  const run = record(runs[0]);
  const which = `${settings.workflow ? `of ${settings.workflow} ` : ''}${settings.branch ? `on ${settings.branch} ` : ''}in ${settings.owner}/${settings.repo}`;
  if (runs.length === 0) {
    values.CONCLUSION = null;
    values.RUN_STATUS = null;
    values.RUN_URL = null;
    values.RUN_AGE = null;
    return `GitHub has no workflow runs ${which} yet — check the workflow and the branch.`;
  }
  const created = typeof run.created_at === 'string' ? Date.parse(run.created_at) : NaN;
  values.CONCLUSION = typeof run.conclusion === 'string' ? run.conclusion : null;
  values.RUN_STATUS = typeof run.status === 'string' ? run.status : null;
  values.RUN_URL = typeof run.html_url === 'string' ? run.html_url : null;
  values.RUN_AGE = Number.isNaN(created) ? null : Math.max(0, ctx.clock.now() - created);
  metadata.runId = typeof run.id === 'number' ? run.id : null;
  metadata.runUrl = values.RUN_URL as string | null;
  metadata.runNumber = typeof run.run_number === 'number' ? run.run_number : null;
  metadata.workflowName = typeof run.name === 'string' ? run.name : null;
  metadata.headSha = typeof run.head_sha === 'string' ? run.head_sha : null;
  metadata.conclusion = values.CONCLUSION as string | null;
  return undefined;
}

async function runGithub(settings: Settings, ctx: ProbeRunContext): Promise<KindOutcome> {
  const metadata: KindOutcome['metadata'] = { baseUrl: settings.baseUrl, check: settings.check };
  const request = requestFor(settings);
  if (typeof request === 'string') return { values: { STATUS: null }, metadata, artifacts: [], error: request };
  const token = await ctx.secret('token');
  const octokit = createOctokit({ token, baseUrl: settings.baseUrl, userAgent: 'control-room-probe', signal: ctx.signal });
  const values: PlaceholderValues = { STATUS: null, RESPONSE_TIME: null, RATE_LIMIT_REMAINING: null };
  const started = ctx.clock.now();
  let reply: Reply;
  try {
    const response = await octokit.request(request.route, request.params);
    reply = { status: response.status, headers: response.headers as Headers, data: response.data };
  } catch (failure) {
    if (ctx.signal.aborted) throw abortReason(ctx.signal);
    const error = asOctokitError(failure);
    values.RESPONSE_TIME = ctx.clock.now() - started;
    if (!error.response) return { values, metadata, artifacts: [], error: networkSentence(settings.baseUrl, error, 'the base URL') };
    const { status, headers, data } = error.response;
    values.STATUS = status;
    values.RATE_LIMIT_REMAINING = numberHeader(headers, 'x-ratelimit-remaining');
    values.BODY = typeof data === 'string' ? data : JSON.stringify(data);
    metadata.rateLimitRemaining = values.RATE_LIMIT_REMAINING as number | null;
    return { values, metadata, artifacts: replyArtifact(data), error: refusalSentence(settings, status, headers, data) };
  }
  values.RESPONSE_TIME = ctx.clock.now() - started;
  values.STATUS = reply.status;
  values.BODY = JSON.stringify(reply.data);
  values.RATE_LIMIT_REMAINING = numberHeader(reply.headers, 'x-ratelimit-remaining');
  metadata.rateLimitRemaining = values.RATE_LIMIT_REMAINING as number | null;
  metadata.rateLimitLimit = numberHeader(reply.headers, 'x-ratelimit-limit');
  const reset = numberHeader(reply.headers, 'x-ratelimit-reset');
  metadata.rateLimitReset = reset === null ? null : new Date(reset * 1000).toISOString();
  const error = readReply(settings, reply, ctx, values, metadata);
  return { values, metadata, artifacts: replyArtifact(reply.data), ...(error ? { error } : {}) };
}

export const githubKind: ProbeKindModule<Settings> = { kind: 'github', run: runGithub };
