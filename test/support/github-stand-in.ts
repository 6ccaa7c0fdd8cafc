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
 *
 * For the runbooks' `github` step it also takes writes, with GitHub's status codes and shapes:
 * POST …/actions/workflows/{w}/dispatches (204 with no body, or 200 naming the run when asked
 * with `return_run_details`; it creates a `workflow_dispatch` run that is queued, then in
 * progress on its first read, then completed after `dispatch.polls` reads of
 * GET …/actions/runs/{id} — or only when the test calls `finishRun`), POST …/issues,
 * GET …/git/ref/heads/{b}, POST …/git/refs, GET and PUT …/contents/{path} and POST …/pulls.
 * What was created is kept in its state (`dispatches`, `issues`, `pulls`, `commits`, and each
 * branch's head and files) for tests to assert on.
 */
import { createHash } from 'node:crypto';
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
  /** What started it; `push` when not set. */
  event?: string;
  /** A dispatched run: reads of it left before it completes (null: only `finishRun` ends it). */
  pollsLeft?: number | null;
  /** A dispatched run: its conclusion once it completes. */
  finalConclusion?: 'success' | 'failure' | 'cancelled';
}

/** A workflow file the stand-in knows even before it has runs (dispatches need one). */
export interface StandInWorkflow {
  repo: string;
  workflow: string;
  workflowId: number;
  /** Has an `on: workflow_dispatch` trigger (default true); GitHub refuses a dispatch otherwise. */
  dispatchable?: boolean;
}

export interface StandInBranch {
  /** The head commit's sha. */
  sha: string;
  /** Path → text content at the head. */
  files: Record<string, string>;
}

export interface StandInDispatch {
  repo: string;
  workflow: string;
  ref: string;
  inputs: Record<string, unknown>;
  runId: number;
}

export interface StandInIssue {
  repo: string;
  number: number;
  title: string;
  body: string;
  labels: string[];
}

export interface StandInPull {
  repo: string;
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
}

export interface StandInCommit {
  repo: string;
  branch: string;
  path: string;
  message: string;
  sha: string;
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
  workflows: StandInWorkflow[];
  /** How a dispatched run goes: completed after this many reads (null: when the test says), with this conclusion. */
  dispatch: { polls: number | null; conclusion: 'success' | 'failure' | 'cancelled' };
  /**
   * A dispatch with `return_run_details: true` gets 200 with the run's id and URLs, as GitHub has
   * answered since February 2026; false refuses the key with 422, as older servers do. Without
   * the key a dispatch gets 204 and no body either way.
   */
  dispatchDetails: boolean;
  dispatches: StandInDispatch[];
  /** `owner/repo` → branch → head and files; a repository's default branch exists from the start. */
  branches: Record<string, Record<string, StandInBranch>>;
  issues: StandInIssue[];
  pulls: StandInPull[];
  commits: StandInCommit[];
}

export interface GithubStandIn {
  /** The API root to give the probe as `baseUrl`. */
  baseUrl: string;
  state: GithubStandInState;
  /** Requests received: method, path with query, and the Authorization header (and JSON body, when one came). */
  requests: { method: string; url: string; authorization: string | undefined; body?: unknown }[];
  /** Completes a dispatched run now (its next read shows it completed with `conclusion`). */
  finishRun(runId: number, conclusion: 'success' | 'failure' | 'cancelled'): void;
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
    workflows: [],
    dispatch: { polls: 2, conclusion: 'success' },
    dispatchDetails: true,
    dispatches: [],
    branches: {},
    issues: [],
    pulls: [],
    commits: [],
    ...state,
  };
  const requests: GithubStandIn['requests'] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const held: http.ServerResponse[] = [];
  let baseUrl = '';

  const server = http.createServer((request, response) => {
    const entry: GithubStandIn['requests'][number] = { method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization };
    requests.push(entry);
    for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (full.hold) {
      held.push(response);
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => answer(request, response, Buffer.concat(chunks).toString('utf8'), entry));
  });

  const answer = (request: http.IncomingMessage, response: http.ServerResponse, raw: string, entry: GithubStandIn['requests'][number]) => {
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
    let body: Record<string, unknown> = {};
    if (raw !== '') {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
        entry.body = body;
      } catch {
        return send(400, { message: 'Problems parsing JSON', documentation_url: 'https://docs.github.com/rest', status: '400' }, rateHeaders);
      }
    }
    if (request.method !== 'GET' && !url.pathname.startsWith('/repos/')) return notFound();

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
    const created = (payload: unknown, extra: Record<string, string> = {}) => send(201, payload, { ...rateHeaders, ...extra });
    const unprocessable = (message: string, errors?: unknown[]) =>
      send(422, { message, ...(errors ? { errors } : {}), documentation_url: 'https://docs.github.com/rest', status: '422' }, rateHeaders);
    const html = `https://github.com/${fullName}`;
    const api = `${baseUrl}/repos/${fullName}`;
    const branches = branchesOf(fullName, repo);
    const refShape = (name: string, sha: string) => ({
      ref: `refs/heads/${name}`,
      node_id: `REF_${Buffer.from(name).toString('base64url')}`,
      url: `${api}/git/refs/heads/${name}`,
      object: { sha, type: 'commit', url: `${api}/git/commits/${sha}` },
    });
    const workflowOf = (name: string) =>
      full.workflows.find((w) => w.repo === fullName && (w.workflow === name || String(w.workflowId) === name)) ??
      full.runs.find((run) => run.repo === fullName && (run.workflow === name || String(run.workflowId) === name));
    const runShape = (run: StandInRun) => ({
      id: run.id,
      name: run.workflow.replace(/\.ya?ml$/, ''),
      head_branch: run.branch,
      head_sha: run.id.toString(16).padStart(40, '0'),
      path: `.github/workflows/${run.workflow}`,
      run_number: run.id % 1000,
      event: run.event ?? 'push',
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: run.workflowId,
      html_url: `${html}/actions/runs/${run.id}`,
      created_at: run.createdAt,
      updated_at: run.createdAt,
      run_started_at: run.createdAt,
    });

    if (request.method === 'POST' || request.method === 'PUT') {
      const dispatchMatch = /^\/actions\/workflows\/([^/]+)\/dispatches$/.exec(rest);
      if (request.method === 'POST' && dispatchMatch) {
        const name = decodeURIComponent(dispatchMatch[1]!);
        const known = workflowOf(name);
        if (!known) return notFound();
        if ('dispatchable' in known && known.dispatchable === false) return unprocessable("Workflow does not have 'workflow_dispatch' trigger");
        if ('return_run_details' in body && !full.dispatchDetails) return unprocessable('Invalid request.\n\n"return_run_details" is not a permitted key.');
        const ref = typeof body.ref === 'string' ? body.ref.replace(/^refs\/(heads|tags)\//, '') : '';
        if (!ref) return unprocessable('Invalid request.\n\n"ref" wasn\'t supplied.');
        if (!branches[ref]) return unprocessable(`No ref found for: ${ref}`);
        const id = Math.max(20_000, ...full.runs.map((run) => run.id)) + 1;
        full.runs.push({
          id,
          repo: fullName,
          workflow: known.workflow,
          workflowId: known.workflowId,
          branch: ref,
          status: 'queued',
          conclusion: null,
          createdAt: new Date().toISOString(),
          event: 'workflow_dispatch',
          pollsLeft: full.dispatch.polls,
          finalConclusion: full.dispatch.conclusion,
        });
        full.dispatches.push({ repo: fullName, workflow: known.workflow, ref, inputs: (body.inputs as Record<string, unknown> | undefined) ?? {}, runId: id });
        if (body.return_run_details === true) return ok({ workflow_run_id: id, run_url: `${api}/actions/runs/${id}`, html_url: `${html}/actions/runs/${id}` }, 'repo');
        response.writeHead(204, { ...common, ...rateHeaders }).end();
        return;
      }
      if (request.method === 'POST' && rest === '/issues') {
        if (typeof body.title !== 'string' || !body.title) return unprocessable('Validation Failed', [{ resource: 'Issue', code: 'missing_field', field: 'title' }]);
        const number = nextNumber(fullName);
        const labels = Array.isArray(body.labels) ? body.labels.map(String) : [];
        full.issues.push({ repo: fullName, number, title: body.title, body: typeof body.body === 'string' ? body.body : '', labels });
        return created(
          {
            id: 70_000 + number,
            number,
            title: body.title,
            body: body.body ?? null,
            state: 'open',
            labels: labels.map((name, index) => ({ id: index + 1, name, color: 'ededed', default: false })),
            user: { login: full.login, id: 1 },
            url: `${api}/issues/${number}`,
            html_url: `${html}/issues/${number}`,
            created_at: new Date().toISOString(),
          },
          { location: `${api}/issues/${number}` },
        );
      }
      if (request.method === 'POST' && rest === '/git/refs') {
        const ref = typeof body.ref === 'string' ? body.ref : '';
        const sha = typeof body.sha === 'string' ? body.sha : '';
        if (!ref.startsWith('refs/') || ref.split('/').length < 3) return unprocessable('Reference update failed');
        const name = ref.replace(/^refs\/heads\//, '');
        if (branches[name]) return unprocessable('Reference already exists');
        const from = Object.values(branches).find((branch) => branch.sha === sha);
        if (!from) return unprocessable('Object does not exist');
        branches[name] = { sha, files: { ...from.files } };
        return created(refShape(name, sha), { location: `${api}/git/refs/heads/${name}` });
      }
      const contentsMatch = /^\/contents\/(.+)$/.exec(rest);
      if (request.method === 'PUT' && contentsMatch) {
        const path = decodeURIComponent(contentsMatch[1]!);
        const branchName = typeof body.branch === 'string' ? body.branch : repo.defaultBranch;
        const branch = branches[branchName];
        if (!branch) return notFound();
        if (typeof body.message !== 'string' || typeof body.content !== 'string') return unprocessable('Invalid request.\n\n"message", "content" weren\'t supplied.');
        const before = branch.files[path];
        if (before !== undefined && body.sha === undefined) return unprocessable('Invalid request.\n\n"sha" wasn\'t supplied.');
        if (before !== undefined && body.sha !== blobSha(before)) return send(409, { message: `${path} does not match ${String(body.sha)}`, documentation_url: 'https://docs.github.com/rest', status: '409' }, rateHeaders);
        const text = Buffer.from(body.content, 'base64').toString('utf8');
        branch.files[path] = text;
        branch.sha = createHash('sha1').update(`${branch.sha}:${path}:${text}`).digest('hex');
        full.commits.push({ repo: fullName, branch: branchName, path, message: body.message, sha: branch.sha });
        return send(before === undefined ? 201 : 200, { content: contentShape(fullName, api, html, branchName, path, text, false), commit: { sha: branch.sha, message: body.message, html_url: `${html}/commit/${branch.sha}` } }, rateHeaders);
      }
      if (request.method === 'POST' && rest === '/pulls') {
        const head = typeof body.head === 'string' ? body.head.replace(/^[^:]+:/, '') : '';
        const base = typeof body.base === 'string' ? body.base : '';
        if (typeof body.title !== 'string' || !body.title) return unprocessable('Validation Failed', [{ resource: 'PullRequest', code: 'missing_field', field: 'title' }]);
        if (!branches[base]) return unprocessable('Validation Failed', [{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
        if (!branches[head]) return unprocessable('Validation Failed', [{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
        if (branches[head].sha === branches[base].sha) return unprocessable('Validation Failed', [{ resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${head}` }]);
        if (full.pulls.some((pull) => pull.repo === fullName && pull.head === head && pull.base === base)) {
          return unprocessable('Validation Failed', [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${fullName.split('/')[0]}:${head}.` }]);
        }
        const number = nextNumber(fullName);
        full.pulls.push({ repo: fullName, number, title: body.title, body: typeof body.body === 'string' ? body.body : '', head, base });
        return created(
          {
            id: 80_000 + number,
            number,
            state: 'open',
            title: body.title,
            body: body.body ?? null,
            draft: false,
            url: `${api}/pulls/${number}`,
            html_url: `${html}/pull/${number}`,
            head: { ref: head, sha: branches[head].sha, label: `${fullName.split('/')[0]}:${head}` },
            base: { ref: base, sha: branches[base].sha, label: `${fullName.split('/')[0]}:${base}` },
            user: { login: full.login, id: 1 },
          },
          { location: `${api}/pulls/${number}` },
        );
      }
      return notFound();
    }
    if (request.method !== 'GET') return notFound();

    if (rest === '') {
      return ok(
        { id: 42, name: fullName.split('/')[1], full_name: fullName, private: repo.private, archived: false, default_branch: repo.defaultBranch, permissions: repo.permissions, html_url: html },
        'repo',
      );
    }
    const refMatch = /^\/git\/ref\/(.+)$/.exec(rest);
    if (refMatch) {
      const name = decodeURIComponent(refMatch[1]!).replace(/^heads\//, '');
      const branch = branches[name];
      return branch ? ok(refShape(name, branch.sha), 'repo') : notFound();
    }
    const contentsRead = /^\/contents\/(.+)$/.exec(rest);
    if (contentsRead) {
      const path = decodeURIComponent(contentsRead[1]!);
      const branchName = url.searchParams.get('ref') ?? repo.defaultBranch;
      const text = branches[branchName]?.files[path];
      return text === undefined ? notFound() : ok(contentShape(fullName, api, html, branchName, path, text, true), 'repo');
    }
    const runMatch = /^\/actions\/runs\/(\d+)$/.exec(rest);
    if (runMatch) {
      const run = full.runs.find((candidate) => candidate.repo === fullName && candidate.id === Number(runMatch[1]));
      if (!run) return notFound();
      progress(run);
      return ok(runShape(run), 'repo');
    }
    const runsMatch = /^\/actions(?:\/workflows\/([^/]+))?\/runs$/.exec(rest);
    if (!runsMatch) return notFound();
    const workflow = runsMatch[1] === undefined ? undefined : decodeURIComponent(runsMatch[1]);
    let runs = full.runs.filter((run) => run.repo === fullName);
    if (workflow !== undefined) {
      runs = runs.filter((run) => run.workflow === workflow || String(run.workflowId) === workflow);
      // The stand-in knows a workflow by its runs or its `workflows` entry: neither is GitHub's 404 for an unknown one.
      if (runs.length === 0 && !workflowOf(workflow)) return notFound();
    }
    const branch = url.searchParams.get('branch');
    if (branch) runs = runs.filter((run) => run.branch === branch);
    const event = url.searchParams.get('event');
    if (event) runs = runs.filter((run) => (run.event ?? 'push') === event);
    runs.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id);
    const perPage = Number(url.searchParams.get('per_page') ?? 30);
    return ok({ total_count: runs.length, workflow_runs: runs.slice(0, perPage).map(runShape) }, 'repo');
  };

  /** A dispatched run moves on as it is read: queued → in progress → completed after its polls. */
  const progress = (run: StandInRun) => {
    if (run.pollsLeft === undefined || run.status === 'completed') return;
    if (run.status === 'queued') run.status = 'in_progress';
    if (run.pollsLeft === null) return;
    run.pollsLeft -= 1;
    if (run.pollsLeft <= 0) {
      run.status = 'completed';
      run.conclusion = run.finalConclusion ?? 'success';
    }
  };

  const branchesOf = (fullName: string, repo: StandInRepo): Record<string, StandInBranch> => {
    full.branches[fullName] ??= {};
    const branches = full.branches[fullName];
    branches[repo.defaultBranch] ??= { sha: createHash('sha1').update(`${fullName}:${repo.defaultBranch}`).digest('hex'), files: {} };
    return branches;
  };

  /** Issues and pull requests share one sequence of numbers per repository, as on GitHub. */
  const nextNumber = (fullName: string) =>
    1 + Math.max(0, ...full.issues.filter((i) => i.repo === fullName).map((i) => i.number), ...full.pulls.filter((p) => p.repo === fullName).map((p) => p.number));

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    state: full,
    requests,
    finishRun(runId, conclusion) {
      const run = full.runs.find((candidate) => candidate.id === runId);
      if (!run) throw new Error(`The stand-in has no run ${runId}.`);
      run.status = 'completed';
      run.conclusion = conclusion;
    },
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

/** Git's blob id of a text: what GitHub calls a file's `sha`. */
function blobSha(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

function contentShape(fullName: string, api: string, html: string, branch: string, path: string, text: string, withContent: boolean) {
  const bytes = Buffer.from(text, 'utf8');
  return {
    type: 'file',
    name: path.split('/').at(-1),
    path,
    sha: blobSha(text),
    size: bytes.length,
    url: `${api}/contents/${path}?ref=${branch}`,
    html_url: `${html}/blob/${branch}/${path}`,
    download_url: `https://raw.githubusercontent.com/${fullName}/${branch}/${path}`,
    ...(withContent ? { encoding: 'base64', content: bytes.toString('base64').replace(/(.{60})/g, '$1\n') } : {}),
  };
}
