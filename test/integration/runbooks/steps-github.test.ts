/**
 * The `github` step against the GitHub STAND-IN (test/support/github-stand-in.ts: GitHub's REST
 * shapes and status codes on loopback, since api.github.com cannot be reached from here), with
 * real services. A dispatched run's polls wait on a fake clock the test moves, so no test sleeps.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StepFailure, StepOutcome } from '../../../main/services/runbooks/step-kind';
import { githubStep } from '../../../main/services/runbooks/steps/github-step';
import { GithubStepParams } from '../../../shared/model/runbook-steps';
import { isAbort } from '../../../node/abort';
import { FakeClock } from '../../support/fake-clock';
import { startGithubStandIn, type GithubStandIn } from '../../support/github-stand-in';
import { freePort } from '../../support/sshd';
import { failureOf, startServices, stepHarness, type StepHarness, type TestServices } from './steps-remote-context';

const TOKEN = 'ghp_standInGoodToken000000000000000000000';
let gh: GithubStandIn;
let env: TestServices;
let clock: FakeClock;

beforeAll(async () => {
  gh = await startGithubStandIn();
  env = startServices();
});

afterAll(async () => {
  env?.close();
  await gh?.stop();
});

beforeEach(() => {
  clock = new FakeClock();
  const state = gh.state;
  state.repos = { 'acme/shop': { defaultBranch: 'main', private: true, permissions: { admin: false, maintain: false, push: true, triage: true, pull: true } } };
  state.workflows = [{ repo: 'acme/shop', workflow: 'deploy.yml', workflowId: 77 }];
  // Someone else's earlier dispatch of the same workflow: never to be taken for the step's run.
  state.runs = [{ id: 20_000, repo: 'acme/shop', workflow: 'deploy.yml', workflowId: 77, branch: 'main', status: 'completed', conclusion: 'failure', createdAt: new Date().toISOString(), event: 'workflow_dispatch' }];
  state.dispatch = { polls: 2, conclusion: 'success' };
  state.dispatchDetails = true;
  state.dispatches = [];
  state.branches = {};
  state.issues = [];
  state.pulls = [];
  state.commits = [];
});

const params = (input: Record<string, unknown>) => GithubStepParams.parse({ repo: 'acme/shop', apiUrl: gh.baseUrl, ...input });

function harness(options: { token?: string | null; artifacts?: Record<string, string> } = {}): StepHarness {
  const token = options.token === undefined ? TOKEN : options.token;
  return stepHarness(env.services, { clock, secrets: token ? { 'github-token': token } : {}, ...(options.artifacts ? { artifacts: options.artifacts } : {}) });
}

/** Moves the fake clock timer by timer until the step settles; `onTick` runs before each move. */
async function drive(run: Promise<StepOutcome>, onTick: () => void = () => undefined): Promise<StepOutcome> {
  let settled = false;
  const watched = run.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled) {
    await Promise.race([clock.nextTimer(), watched]);
    if (settled) break;
    onTick();
    await clock.advanceAsync(clock.nextIn() ?? 0);
  }
  return run;
}

/** The StepFailure the step rejects with, the fake clock driven while it runs. */
const drivenFailureOf = (run: Promise<StepOutcome>): Promise<StepFailure> => failureOf(drive(run));

describe('github step: dispatch-workflow (GitHub stand-in)', () => {
  it('dispatches the workflow with its inputs, finds the run it started, waits for it and succeeds', async () => {
    const h = harness();
    const outcome = await drive(githubStep.run(params({ action: 'dispatch-workflow', workflow: 'deploy.yml', workflowInputs: { tag: 'v1.4.2' } }), h.context));

    expect(gh.state.dispatches).toEqual([{ repo: 'acme/shop', workflow: 'deploy.yml', ref: 'main', inputs: { tag: 'v1.4.2' }, runId: 20_001 }]);
    expect(outcome.outputs).toEqual({ runId: 20_001, runUrl: 'https://github.com/acme/shop/actions/runs/20001', status: 'completed', conclusion: 'success' });
    expect(outcome.message).toMatch(/^deploy\.yml's run #1 succeeded after \d+s: https:\/\/github\.com\/acme\/shop\/actions\/runs\/20001$/);
    // The default branch came from the repository, the token went as GitHub wants it.
    const dispatch = gh.requests.find((r) => r.method === 'POST')!;
    expect(dispatch).toMatchObject({
      url: '/repos/acme/shop/actions/workflows/deploy.yml/dispatches',
      authorization: `token ${TOKEN}`,
      body: { ref: 'main', inputs: { tag: 'v1.4.2' }, return_run_details: true },
    });
    // Each change of the run's status was an event (the stand-in starts a run on its first read).
    const statuses = h.events.filter((e) => e.data?.runId === 20_001).map((e) => e.data?.status);
    expect(statuses).toEqual(['in_progress', 'completed']);
    expect(h.events[0]!.message).toBe('Dispatched deploy.yml on main in acme/shop.');
  });

  it('on a server without run details (older GitHub Enterprise), dispatches again without them and finds the run it started', async () => {
    gh.state.dispatchDetails = false;
    const before = gh.requests.length;
    const outcome = await drive(githubStep.run(params({ action: 'dispatch-workflow', workflow: 'deploy.yml', ref: 'main' }), harness().context));
    // The earlier dispatch (20000, someone else's) was there before: the new run is 20001.
    expect(outcome.outputs).toEqual({ runId: 20_001, runUrl: 'https://github.com/acme/shop/actions/runs/20001', status: 'completed', conclusion: 'success' });
    const seen = gh.requests.slice(before).map((r) => `${r.method} ${r.url}`);
    expect(seen.slice(0, 4)).toEqual([
      'GET /repos/acme/shop/actions/workflows/deploy.yml/runs?branch=main&event=workflow_dispatch&per_page=20',
      'POST /repos/acme/shop/actions/workflows/deploy.yml/dispatches',
      'POST /repos/acme/shop/actions/workflows/deploy.yml/dispatches',
      'GET /repos/acme/shop/actions/workflows/deploy.yml/runs?branch=main&event=workflow_dispatch&per_page=20',
    ]);
    expect(gh.requests.slice(before).filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([
      { ref: 'main', inputs: {}, return_run_details: true },
      { ref: 'main', inputs: {} },
    ]);
    expect(gh.state.dispatches).toHaveLength(1);
  });

  it('fails with the run URL when the run concludes with failure', async () => {
    gh.state.dispatch = { polls: 1, conclusion: 'failure' };
    const failure = await drivenFailureOf(githubStep.run(params({ action: 'dispatch-workflow', workflow: 'deploy.yml', ref: 'main' }), harness().context));
    expect(failure.message).toBe("deploy.yml's run #1 ended with failure: https://github.com/acme/shop/actions/runs/20001");
    expect(failure.outputs).toMatchObject({ runId: 20_001, conclusion: 'failure', status: 'completed' });
  });

  it('follows the run until the test (GitHub) completes it, and reports a cancelled run', async () => {
    gh.state.dispatch = { polls: null, conclusion: 'success' };
    let reads = 0;
    const before = gh.requests.length;
    const failure = await drivenFailureOf(
      drive(githubStep.run(params({ action: 'dispatch-workflow', workflow: 'deploy.yml' }), harness().context), () => {
        reads = gh.requests.slice(before).filter((r) => r.url === '/repos/acme/shop/actions/runs/20001').length;
        if (reads === 3) gh.finishRun(20_001, 'cancelled');
      }),
    );
    expect(reads).toBe(3);
    expect(failure.message).toBe("deploy.yml's run #1 ended with cancelled: https://github.com/acme/shop/actions/runs/20001");
  });

  it('gives up after its timeout with the last status and the URL', async () => {
    gh.state.dispatch = { polls: null, conclusion: 'success' };
    const failure = await drivenFailureOf(githubStep.run(params({ action: 'dispatch-workflow', workflow: 'deploy.yml', timeout: '1m' }), harness().context));
    expect(failure.message).toBe("deploy.yml's run #1 had not finished after 1m (last: in_progress): https://github.com/acme/shop/actions/runs/20001");
  });

  it('returns at once with the run when told not to wait', async () => {
    const outcome = await drive(githubStep.run(params({ action: 'dispatch-workflow', workflow: 'deploy.yml', wait: false }), harness().context));
    expect(outcome.outputs).toEqual({ runId: 20_001, runUrl: 'https://github.com/acme/shop/actions/runs/20001', status: 'in_progress', conclusion: '' });
  });

  it('stops polling at once when cancelled', async () => {
    gh.state.dispatch = { polls: null, conclusion: 'success' };
    const h = harness();
    const run = githubStep.run(params({ action: 'dispatch-workflow', workflow: 'deploy.yml' }), h.context);
    const error = await drive(run, () => {
      if (gh.state.dispatches.length === 1) h.abort.abort();
    }).then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(isAbort(error)).toBe(true);
  });

  it('says in one sentence that GitHub refused a bad token', async () => {
    const failure = await drivenFailureOf(githubStep.run(params({ action: 'dispatch-workflow', workflow: 'deploy.yml' }), harness({ token: 'ghp_revoked' }).context));
    expect(failure.message).toBe(
      'GitHub refused the token in the runbook secret github-token (401) while reading acme/shop — check it has not expired or been revoked and set it again (Runbooks → Secrets).',
    );
    expect(gh.state.dispatches).toEqual([]);
  });

  it('says in one sentence that the API could not be reached', async () => {
    const apiUrl = `http://127.0.0.1:${await freePort()}`;
    const failure = await drivenFailureOf(githubStep.run(params({ action: 'open-issue', title: 'x', apiUrl }), harness().context));
    expect(failure.message).toBe(`Could not reach ${apiUrl}: the connection was refused — check the apiUrl and the network.`);
  });

  it('asks for the secret when none is set, before calling GitHub', async () => {
    const before = gh.requests.length;
    const failure = await drivenFailureOf(githubStep.run(params({ action: 'dispatch-workflow', workflow: 'deploy.yml' }), harness({ token: null }).context));
    expect(failure.message).toBe('Set the runbook secret github-token (Runbooks → Secrets) first.');
    expect(gh.requests.length).toBe(before);
  });

  it("passes on GitHub's refusal of a workflow without a workflow_dispatch trigger", async () => {
    gh.state.workflows = [{ repo: 'acme/shop', workflow: 'ci.yml', workflowId: 78, dispatchable: false }];
    const failure = await drivenFailureOf(githubStep.run(params({ action: 'dispatch-workflow', workflow: 'ci.yml', ref: 'main' }), harness().context));
    expect(failure.message).toBe("GitHub would not accept dispatching ci.yml on main in acme/shop (422: Workflow does not have 'workflow_dispatch' trigger).");
  });
});

describe('github step: actions-status (GitHub stand-in)', () => {
  it('reads the latest run of a workflow on a branch', async () => {
    gh.state.runs.push({ id: 20_005, repo: 'acme/shop', workflow: 'deploy.yml', workflowId: 77, branch: 'main', status: 'in_progress', conclusion: null, createdAt: new Date(Date.now() + 1000).toISOString() });
    const outcome = await githubStep.run(params({ action: 'actions-status', workflow: 'deploy.yml', branch: 'main' }), harness().context);
    expect(outcome.outputs).toEqual({ status: 'in_progress', conclusion: '', runUrl: 'https://github.com/acme/shop/actions/runs/20005' });
    expect(outcome.message).toBe('The latest run of deploy.yml on main in acme/shop is in_progress: https://github.com/acme/shop/actions/runs/20005');
  });
});

describe('github step: open-issue and open-pull-request (GitHub stand-in)', () => {
  it('opens an issue with its body from an artifact of the run, and labels', async () => {
    const triage = '# Triage\n\n- 12 frontend errors since 14:05\n';
    const h = harness({ artifacts: { 'triage.md': triage } });
    const outcome = await githubStep.run(params({ action: 'open-issue', title: 'Incident at 14:05 on prod', bodyArtifact: 'triage.md', labels: ['incident'] }), h.context);
    expect(gh.state.issues).toEqual([{ repo: 'acme/shop', number: 1, title: 'Incident at 14:05 on prod', body: triage, labels: ['incident'] }]);
    expect(outcome.outputs).toEqual({ number: 1, url: 'https://github.com/acme/shop/issues/1' });
  });

  it('fails before calling GitHub when the body artifact is missing', async () => {
    const before = gh.requests.length;
    const failure = await drivenFailureOf(githubStep.run(params({ action: 'open-issue', title: 'x', bodyArtifact: 'triage.md' }), harness().context));
    expect(failure.message).toBe("This run has no artifact named triage.md to use as the issue's body — check the step that writes it ran first.");
    expect(gh.requests.length).toBe(before);
  });

  it('opens a pull request from a new branch with two files, one replacing a file the base has', async () => {
    const snapshot = '# Ops snapshot\n\nbackend: v1.4.2\n';
    gh.state.branches = { 'acme/shop': { main: { sha: 'a'.repeat(40), files: { 'README.md': 'old readme\n' } } } };
    const h = harness({ artifacts: { 'snapshot.md': snapshot } });
    const outcome = await githubStep.run(
      params({
        action: 'open-pull-request',
        title: 'Ops snapshot',
        body: 'Generated by Control Room.',
        files: [
          { path: 'docs/ops-snapshot.md', artifact: 'snapshot.md' },
          { path: 'README.md', content: 'new readme\n' },
        ],
      }),
      h.context,
    );
    const branch = gh.state.branches['acme/shop']!['controlroom/run-test-1']!;
    expect(branch.files).toEqual({ 'README.md': 'new readme\n', 'docs/ops-snapshot.md': snapshot });
    expect(gh.state.branches['acme/shop']!.main!.files).toEqual({ 'README.md': 'old readme\n' });
    expect(gh.state.commits.map((c) => [c.branch, c.path, c.message])).toEqual([
      ['controlroom/run-test-1', 'docs/ops-snapshot.md', 'Add docs/ops-snapshot.md'],
      ['controlroom/run-test-1', 'README.md', 'Update README.md'],
    ]);
    expect(gh.state.pulls).toEqual([{ repo: 'acme/shop', number: 1, title: 'Ops snapshot', body: 'Generated by Control Room.', head: 'controlroom/run-test-1', base: 'main' }]);
    expect(outcome.outputs).toEqual({ number: 1, url: 'https://github.com/acme/shop/pull/1', branch: 'controlroom/run-test-1' });
    expect(outcome.message).toBe('Opened pull request #1 (2 files) in acme/shop: https://github.com/acme/shop/pull/1');
  });

  it('says so when the branch already exists', async () => {
    gh.state.branches = { 'acme/shop': { main: { sha: 'a'.repeat(40), files: {} }, 'ops/snapshot': { sha: 'a'.repeat(40), files: {} } } };
    const failure = await drivenFailureOf(
      githubStep.run(params({ action: 'open-pull-request', title: 'Snap', branch: 'ops/snapshot', files: [{ path: 'a.md', content: 'a' }] }), harness().context),
    );
    expect(failure.message).toBe('GitHub would not accept creating the branch ops/snapshot in acme/shop (422: Reference already exists).');
    expect(gh.state.pulls).toEqual([]);
  });
});
