/**
 * The `github` step kind: dispatch a workflow and wait for its run, read the latest Actions run,
 * open an issue, or open a pull request with generated files — through GitHub's REST API with
 * the token kept as a runbook secret (`github-token` unless the step names another).
 *
 * A workflow dispatch asks GitHub to name the run it started (`return_run_details`, February
 * 2026). Servers without it (older GitHub Enterprise) refuse the key, and the dispatch is sent
 * again without it; their 204 says nothing of the run, so the step lists the workflow's
 * `workflow_dispatch` runs for the ref before dispatching and takes the newest one that was not
 * there before. Polls run on the context's clock,
 * so tests move time by hand; every change of the run's status is an event.
 */
import { delay } from '../../../../node/clock';
import { durationMs, type StepParams } from '../../../../shared/model/runbook-steps';
import { StepFailure, type StepContext, type StepKind, type StepOutcome } from '../step-kind';
import { GithubClient, GithubRefusal, splitRepo } from './github-client';

type Params = StepParams<'github'>;

export interface GithubStepOptions {
  /** How often a dispatched run is looked at (GitHub's runs change every few seconds at most). */
  pollMs?: number;
}

interface WorkflowRun {
  id: number;
  run_number?: number;
  status: string | null;
  conclusion: string | null;
  html_url: string;
  event?: string;
  created_at?: string;
}

/** A flag as a template may have filled it: `false`, `0`, `no` and empty read false. */
function flag(value: boolean | string): boolean {
  if (typeof value === 'boolean') return value;
  return !['', 'false', '0', 'no', 'off'].includes(value.trim().toLowerCase());
}

/** `refs/heads/main` → `main` (the runs list filters on the bare branch name). */
function branchName(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, '');
}

async function clientFor(params: Params, context: StepContext): Promise<GithubClient> {
  const token = await context.services.secret(params.secret);
  if (!token) throw new StepFailure(`Set the runbook secret ${params.secret} (Runbooks → Secrets) first.`);
  return new GithubClient(token, params.apiUrl, context.signal, params.secret);
}

async function defaultBranch(client: GithubClient, owner: string, repo: string): Promise<string> {
  const reply = await client.request<{ default_branch?: string }>('GET /repos/{owner}/{repo}', { owner, repo }, `reading ${owner}/${repo}`);
  return reply.data.default_branch ?? 'main';
}

function runOutputs(run: WorkflowRun): Record<string, unknown> {
  return { runId: run.id, runUrl: run.html_url, status: run.status ?? '', conclusion: run.conclusion ?? '' };
}

function runName(workflow: string, run: WorkflowRun): string {
  return `${workflow}'s run ${run.run_number === undefined ? run.id : `#${run.run_number}`}`;
}

async function dispatchWorkflow(params: Params, context: StepContext, pollMs: number): Promise<StepOutcome> {
  const { owner, repo } = splitRepo(params.repo);
  const workflow = params.workflow?.trim();
  if (!workflow) throw new StepFailure('dispatch-workflow needs a workflow: its file name (deploy.yml) or id.');
  const timeoutMs = durationMs(params.timeout);
  if (Number.isNaN(timeoutMs)) throw new StepFailure(`timeout=${params.timeout} is not a duration: write one like 30m.`);
  const client = await clientFor(params, context);
  const ref = params.ref?.trim() || (await defaultBranch(client, owner, repo));
  const where = `${workflow} on ${branchName(ref)} in ${owner}/${repo}`;
  const listParams = { owner, repo, workflow_id: workflow, branch: branchName(ref), event: 'workflow_dispatch', per_page: 20 };
  const listRoute = 'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs';

  // The runs there before, so a run someone else started just now is not taken for ours.
  const before = await client.request<{ workflow_runs: WorkflowRun[] }>(listRoute, listParams, `listing the runs of ${where}`, true);
  const known = new Set((before?.data.workflow_runs ?? []).map((run) => run.id));

  const started = context.clock.now();
  const dispatch = (withDetails: boolean) =>
    client.request<{ workflow_run_id?: number } | string>(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      { owner, repo, workflow_id: workflow, ref, inputs: params.workflowInputs, ...(withDetails ? { return_run_details: true } : {}) },
      `dispatching ${where}`,
    );
  let dispatched: Awaited<ReturnType<typeof dispatch>>;
  try {
    // Since February 2026 GitHub names the run it started when asked; older servers refuse the key.
    dispatched = await dispatch(true);
  } catch (error) {
    if (!(error instanceof GithubRefusal && (error.status === 400 || error.status === 422) && error.githubMessage.includes('return_run_details'))) throw error;
    dispatched = await dispatch(false);
  }
  context.log('info', `Dispatched ${where}.`, { workflow, ref, inputs: Object.keys(params.workflowInputs) });

  const deadline = started + timeoutMs;
  const timedOut = (last: string, run?: WorkflowRun) =>
    new StepFailure(
      run
        ? `${runName(workflow, run)} had not finished after ${params.timeout} (last: ${last}): ${run.html_url}`
        : `GitHub showed no run of ${where} within ${params.timeout} of the dispatch — check the workflow has a workflow_dispatch trigger.`,
      run ? runOutputs(run) : {},
    );

  // The run GitHub named in its reply (200); after a 204, the newest run of the workflow not there before.
  let run: WorkflowRun | null = null;
  const namedId = dispatched.data && typeof dispatched.data === 'object' ? dispatched.data.workflow_run_id : undefined;
  if (typeof namedId === 'number') {
    run = (await client.request<WorkflowRun>('GET /repos/{owner}/{repo}/actions/runs/{run_id}', { owner, repo, run_id: namedId }, `reading run ${namedId}`)).data;
  }
  while (!run) {
    const listed = await client.request<{ workflow_runs: WorkflowRun[] }>(listRoute, listParams, `listing the runs of ${where}`, true);
    run = (listed?.data.workflow_runs ?? []).filter((candidate) => !known.has(candidate.id)).sort((a, b) => b.id - a.id)[0] ?? null;
    if (run) break;
    if (context.clock.now() >= deadline) throw timedOut('not started');
    await delay(context.clock, pollMs, context.signal);
  }
  context.log('info', `${runName(workflow, run)} is ${run.status ?? 'queued'}: ${run.html_url}`, { runId: run.id, status: run.status, url: run.html_url });
  if (!flag(params.wait)) return { message: `${runName(workflow, run)} started: ${run.html_url}`, outputs: runOutputs(run) };

  let lastStatus = run.status;
  while (run.status !== 'completed') {
    if (context.clock.now() >= deadline) throw timedOut(run.status ?? 'unknown', run);
    await delay(context.clock, pollMs, context.signal);
    run = (await client.request<WorkflowRun>('GET /repos/{owner}/{repo}/actions/runs/{run_id}', { owner, repo, run_id: run.id }, `reading ${runName(workflow, run)}`)).data;
    if (run.status !== lastStatus) {
      lastStatus = run.status;
      context.log('info', `${runName(workflow, run)} is ${run.status ?? 'unknown'}${run.conclusion ? ` (${run.conclusion})` : ''}.`, { runId: run.id, status: run.status, conclusion: run.conclusion });
    }
  }
  const waited = Math.round((context.clock.now() - started) / 1000);
  if (run.conclusion !== 'success') {
    throw new StepFailure(`${runName(workflow, run)} ended with ${run.conclusion ?? 'no conclusion'}: ${run.html_url}`, runOutputs(run));
  }
  return { message: `${runName(workflow, run)} succeeded after ${waited}s: ${run.html_url}`, outputs: runOutputs(run) };
}

async function actionsStatus(params: Params, context: StepContext): Promise<StepOutcome> {
  const { owner, repo } = splitRepo(params.repo);
  const client = await clientFor(params, context);
  const workflow = params.workflow?.trim();
  const branch = (params.branch ?? params.ref)?.trim();
  const query: Record<string, unknown> = { owner, repo, per_page: 1, ...(branch ? { branch: branchName(branch) } : {}) };
  const which = `${workflow ? `of ${workflow} ` : ''}${branch ? `on ${branchName(branch)} ` : ''}in ${owner}/${repo}`;
  const reply = workflow
    ? await client.request<{ workflow_runs: WorkflowRun[] }>('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', { ...query, workflow_id: workflow }, `listing the runs ${which}`)
    : await client.request<{ workflow_runs: WorkflowRun[] }>('GET /repos/{owner}/{repo}/actions/runs', query, `listing the runs ${which}`);
  const run = reply.data.workflow_runs[0];
  if (!run) throw new StepFailure(`GitHub has no workflow runs ${which} yet — check the workflow and the branch.`);
  const state = run.status === 'completed' ? (run.conclusion ?? 'completed') : (run.status ?? 'unknown');
  return {
    message: `The latest run ${which} is ${state}: ${run.html_url}`,
    outputs: { status: run.status ?? '', conclusion: run.conclusion ?? '', runUrl: run.html_url },
  };
}

/** Text from an artifact this run wrote, or a StepFailure naming it. */
function artifactText(context: StepContext, name: string, forWhat: string): string {
  const content = context.readArtifact(name);
  if (!content) throw new StepFailure(`This run has no artifact named ${name} to use as ${forWhat} — check the step that writes it ran first.`);
  return content.toString('utf8');
}

async function openIssue(params: Params, context: StepContext): Promise<StepOutcome> {
  const { owner, repo } = splitRepo(params.repo);
  const title = params.title?.trim();
  if (!title) throw new StepFailure('open-issue needs a title.');
  const body = params.bodyArtifact ? artifactText(context, params.bodyArtifact, "the issue's body") : (params.body ?? '');
  const client = await clientFor(params, context);
  const reply = await client.request<{ number: number; html_url: string }>(
    'POST /repos/{owner}/{repo}/issues',
    { owner, repo, title, body, ...(params.labels.length ? { labels: params.labels } : {}) },
    `opening an issue in ${owner}/${repo}`,
  );
  context.log('info', `Opened issue #${reply.data.number}: ${reply.data.html_url}`, { number: reply.data.number, url: reply.data.html_url });
  return { message: `Opened issue #${reply.data.number} in ${owner}/${repo}: ${reply.data.html_url}`, outputs: { number: reply.data.number, url: reply.data.html_url } };
}

async function openPullRequest(params: Params, context: StepContext): Promise<StepOutcome> {
  const { owner, repo } = splitRepo(params.repo);
  const title = params.title?.trim();
  if (!title) throw new StepFailure('open-pull-request needs a title.');
  if (params.files.length === 0) throw new StepFailure('open-pull-request needs at least one file (path with content or artifact).');
  // Every file's content first: a missing artifact should fail before anything is created on GitHub.
  const files = params.files.map((file) => {
    if (file.content === undefined && !file.artifact) throw new StepFailure(`The file ${file.path} needs a content or an artifact.`);
    return { path: file.path.replace(/^\/+/, ''), content: file.content ?? artifactText(context, file.artifact!, file.path) };
  });
  const body = params.bodyArtifact ? artifactText(context, params.bodyArtifact, "the pull request's body") : (params.body ?? '');
  const client = await clientFor(params, context);
  const base = params.base?.trim() || (await defaultBranch(client, owner, repo));
  const branch = params.branch?.trim() || `controlroom/${context.runId}`;

  const baseRef = await client.request<{ object: { sha: string } }>('GET /repos/{owner}/{repo}/git/ref/{ref}', { owner, repo, ref: `heads/${base}` }, `reading the branch ${base} of ${owner}/${repo}`);
  await client.request('POST /repos/{owner}/{repo}/git/refs', { owner, repo, ref: `refs/heads/${branch}`, sha: baseRef.data.object.sha }, `creating the branch ${branch} in ${owner}/${repo}`);
  context.log('info', `Created the branch ${branch} from ${base} (${baseRef.data.object.sha.slice(0, 7)}).`, { branch, base });

  for (const file of files) {
    // A file the base already has is replaced, which GitHub allows only with its current blob sha.
    const existing = await client.request<{ sha?: string }>('GET /repos/{owner}/{repo}/contents/{path}', { owner, repo, path: file.path, ref: branch }, `reading ${file.path} on ${branch}`, true);
    const sha = existing && !Array.isArray(existing.data) ? existing.data.sha : undefined;
    await client.request(
      'PUT /repos/{owner}/{repo}/contents/{path}',
      { owner, repo, path: file.path, branch, message: `${sha ? 'Update' : 'Add'} ${file.path}`, content: Buffer.from(file.content, 'utf8').toString('base64'), ...(sha ? { sha } : {}) },
      `writing ${file.path} on ${branch}`,
    );
    context.log('info', `${sha ? 'Updated' : 'Added'} ${file.path} on ${branch}.`, { path: file.path, bytes: Buffer.byteLength(file.content) });
  }

  const pull = await client.request<{ number: number; html_url: string }>(
    'POST /repos/{owner}/{repo}/pulls',
    { owner, repo, title, head: branch, base, body },
    `opening a pull request from ${branch} into ${base}`,
  );
  context.log('info', `Opened pull request #${pull.data.number}: ${pull.data.html_url}`, { number: pull.data.number, url: pull.data.html_url });
  return {
    message: `Opened pull request #${pull.data.number} (${files.length} file${files.length === 1 ? '' : 's'}) in ${owner}/${repo}: ${pull.data.html_url}`,
    outputs: { number: pull.data.number, url: pull.data.html_url, branch },
  };
}

export function createGithubStep(options: GithubStepOptions = {}): StepKind<'github'> {
  const pollMs = options.pollMs ?? 5_000;
  return {
    kind: 'github',
    changes: (params) => params.action !== 'actions-status',
    // A second dispatch starts a second run, a second open a second issue or branch.
    repeatable: (params) => params.action === 'actions-status',
    describe(params) {
      switch (params.action) {
        case 'dispatch-workflow':
          return `Dispatch ${params.workflow ?? 'a workflow'}${params.ref ? ` on ${params.ref}` : ''} in ${params.repo}${flag(params.wait) ? ` and wait for its run (up to ${params.timeout})` : ''}`;
        case 'actions-status':
          return `Read the latest Actions run${params.workflow ? ` of ${params.workflow}` : ''}${params.branch ?? params.ref ? ` on ${params.branch ?? params.ref}` : ''} in ${params.repo}`;
        case 'open-issue':
          return `Open an issue "${params.title ?? ''}" in ${params.repo}`;
        case 'open-pull-request':
          return `Open a pull request "${params.title ?? ''}" in ${params.repo} with ${params.files.map((file) => file.path).join(', ') || 'no files'}`;
      }
    },
    run(params, context) {
      switch (params.action) {
        case 'dispatch-workflow':
          return dispatchWorkflow(params, context, pollMs);
        case 'actions-status':
          return actionsStatus(params, context);
        case 'open-issue':
          return openIssue(params, context);
        case 'open-pull-request':
          return openPullRequest(params, context);
      }
    },
  };
}

export const githubStep: StepKind<'github'> = createGithubStep();
