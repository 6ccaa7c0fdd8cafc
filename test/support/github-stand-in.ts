/**
 * A stand-in for GitHub's REST API: the few endpoints the `github` probe kind calls, on loopback.
 *
 * api.github.com cannot be reached from the build machines, so this serves GET /user,
 * GET /rate_limit, GET /repos/{owner}/{repo}, GET /repos/{owner}/{repo}/actions/runs and
 * GET /repos/{owner}/{repo}/actions/workflows/{workflow}/runs with the headers GitHub sends
 * (`x-oauth-scopes`, `x-ratelimit-*`, `x-github-request-id` …) and its JSON shapes and error
 * bodies (401 Bad credentials, 404 Not Found, 403 rate limit exceeded). Its state is a plain
 * object the test changes between runs: the good token, its scopes, the rate limit, repositories
 * and workflow runs. `hold` makes it take requests and never answer (a hung API).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInRepo {
  defaultBranch: string;
  private: boolean;
  permissions: { admin: boolean; maintain: boolean; push: boolean; triage: boolean; pull: boolean };
}

export interface StandInRun {
  id: number;
  /** `owner/repo`. */
  repo: string;
  /** The workflow's file name, `ci.yml`. */
  workflow: string;
  workflowId: number;
  branch: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'cancelled' | null;
  createdAt: string;
}

export interface GithubStandInState {
  /** The one token it accepts. */
  token: string;
  login: string;
  /** The classic token's scopes; null sends no `x-oauth-scopes` header (a fine-grained token). */
  scopes: string[] | null;
  /** Reported as is in the next reply's headers, then counted down by one. */
  rateLimit: { limit: number; remaining: number; reset: number };
  repos: Record<string, StandInRepo>;
  runs: StandInRun[];
  hold: boolean;
}

export interface GithubStandIn {
  /** The API root to give the probe as `baseUrl`. */
  baseUrl: string;
  state: GithubStandInState;
  /** Requests received: method, path with query, and the Authorization header. */
  requests: { method: string; url: string; authorization: string | undefined }[];
  /** Resolves when `count` requests have come in, in all. */
  waitForRequests(count: number): Promise<void>;
  stop(): Promise<void>;
}

let requestCounter = 0;

/** Starts the stand-in on a loopback port with `state` (defaults: a good token with repo and workflow). */
export async function startGithubStandIn(state: Partial<GithubStandInState> = {}): Promise<GithubStandIn> {
  const full: GithubStandInState = {
    token: 'ghp_standInGoodToken000000000000000000000',
    login: 'octo-ops',
    scopes: ['repo', 'workflow'],
    rateLimit: { limit: 5000, remaining: 4999, reset: Math.floor(Date.now() / 1000) + 3600 },
    repos: {},
    runs: [],
    hold: false,
    ...state,
  };
  const requests: GithubStandIn['requests'] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const held: http.ServerResponse[] = [];
  let baseUrl = '';

  const server = http.createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization });
    for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (full.hold) {
      held.push(response);
      return;
    }
    const url = new URL(request.url ?? '/', baseUrl);
    requestCounter += 1;
    const common: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
      'x-github-request-id': `C0DE:${requestCounter.toString(16).toUpperCase()}:5A1F00:6B2E11:66A0B2C3`,
      'access-control-expose-headers': 'ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset',
    };
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { ...common, ...headers }).end(JSON.stringify(body));
    };
    const notFound = () => send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });

    const presented = /^(?:token|bearer) (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (presented !== full.token) {
      // Unauthenticated limits, as GitHub reports them on a refused token.
      send(
        401,
        { message: presented ? 'Bad credentials' : 'Requires authentication', documentation_url: 'https://docs.github.com/rest', status: '401' },
        { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '59', 'x-ratelimit-reset': String(full.rateLimit.reset), 'x-ratelimit-used': '1', 'x-ratelimit-resource': 'core' },
      );
      return;
    }
    const limit = full.rateLimit;
    const rateHeaders: Record<string, string> = {
      'x-ratelimit-limit': String(limit.limit),
      'x-ratelimit-remaining': String(Math.max(0, limit.remaining)),
      'x-ratelimit-reset': String(limit.reset),
      'x-ratelimit-used': String(limit.limit - Math.max(0, limit.remaining)),
      'x-ratelimit-resource': 'core',
      ...(full.scopes ? { 'x-oauth-scopes': full.scopes.join(', ') } : {}),
    };
    if (limit.remaining <= 0) {
      send(403, { message: 'API rate limit exceeded for user ID 1.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api', status: '403' }, rateHeaders);
      return;
    }
    limit.remaining -= 1;
    const ok = (body: unknown, accepted: string) => send(200, body, { ...rateHeaders, 'x-accepted-oauth-scopes': accepted, etag: `W/"${requestCounter}"` });
    if (request.method !== 'GET') return notFound();

    if (url.pathname === '/user') {
      return ok({ login: full.login, id: 1, type: 'User', site_admin: false, name: 'Octo Ops', html_url: `https://github.com/${full.login}` }, '');
    }
    if (url.pathname === '/rate_limit') {
      const core = { limit: limit.limit, remaining: limit.remaining, reset: limit.reset, used: limit.limit - limit.remaining, resource: 'core' };
      return ok({ resources: { core }, rate: core }, '');
    }
    const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (!repoMatch) return notFound();
    const fullName = `${decodeURIComponent(repoMatch[1]!)}/${decodeURIComponent(repoMatch[2]!)}`;
    const repo = full.repos[fullName];
    if (!repo) return notFound();
    const rest = repoMatch[3] ?? '';
    if (rest === '') {
      return ok(
        { id: 42, name: fullName.split('/')[1], full_name: fullName, private: repo.private, archived: false, default_branch: repo.defaultBranch, permissions: repo.permissions, html_url: `https://github.com/${fullName}` },
        'repo',
      );
    }
    const runsMatch = /^\/actions(?:\/workflows\/([^/]+))?\/runs$/.exec(rest);
    if (!runsMatch) return notFound();
    const workflow = runsMatch[1] === undefined ? undefined : decodeURIComponent(runsMatch[1]);
    let runs = full.runs.filter((run) => run.repo === fullName);
    if (workflow !== undefined) {
      runs = runs.filter((run) => run.workflow === workflow || String(run.workflowId) === workflow);
      // The stand-in knows a workflow by its runs: none at all is GitHub's 404 for an unknown one.
      if (runs.length === 0) return notFound();
    }
    const branch = url.searchParams.get('branch');
    if (branch) runs = runs.filter((run) => run.branch === branch);
    runs.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
    const perPage = Number(url.searchParams.get('per_page') ?? 30);
    return ok(
      {
        total_count: runs.length,
        workflow_runs: runs.slice(0, perPage).map((run) => ({
          id: run.id,
          name: run.workflow.replace(/\.ya?ml$/, ''),
          head_branch: run.branch,
          head_sha: run.id.toString(16).padStart(40, '0'),
          path: `.github/workflows/${run.workflow}`,
          run_number: run.id % 1000,
          event: 'push',
          status: run.status,
          conclusion: run.conclusion,
          workflow_id: run.workflowId,
          html_url: `https://github.com/${fullName}/actions/runs/${run.id}`,
          created_at: run.createdAt,
          updated_at: run.createdAt,
          run_started_at: run.createdAt,
        })),
      },
      'repo',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    state: full,
    requests,
    waitForRequests(count) {
      if (requests.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async stop() {
      for (const response of held) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
