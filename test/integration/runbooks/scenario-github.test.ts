/**
 * Scenario: the built-in `incident` and `spec` runbooks on a staging docker-ssh target (podman
 * behind a real sshd), writing to GitHub — here the local GitHub stand-in
 * (test/support/github-stand-in.ts, a small HTTP server answering as GitHub's REST API does),
 * reached through the runbooks' `githubApi` input. The token is a runbook secret in the real
 * keychain.
 *
 * incident: an issue whose body is the triage artifact, with the error line the backend logged;
 * spec: a pull request adding the ops snapshot file, the artifact's content on a new branch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../../../shared/model/target';
import { startGithubStandIn, type GithubStandIn } from '../../support/github-stand-in';
import { waitFor } from '../../support/keyring';
import { composeLabels } from '../../support/podman';
import { startScenarioRig, type ScenarioRig } from './scenario-support';

let rig: ScenarioRig;
let staging: Target;
let github: GithubStandIn;
let stopFollowing: () => void;

beforeAll(async () => {
  [rig, github] = await Promise.all([startScenarioRig(), startGithubStandIn()]);
  github.state.repos = {
    'octo/shop': {
      defaultBranch: 'main',
      private: true,
      permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    },
  };
  github.state.branches = { 'octo/shop': { main: { sha: 'c'.repeat(40), files: { 'README.md': '# shop\n' } } } };
  await rig.podmans[0]!.run(
    'shop-backend-1',
    'trap "exit 0" TERM; echo "GET /health 200"; echo "ERROR payment provider timed out"; while true; do sleep 1; done',
    composeLabels('shop', 'backend'),
  );
  staging = await rig.addTarget('staging', 'staging');
  await rig.services.runbooks.secrets.set('github-token', github.state.token);
  // The backend's logs are open in the Logs pane, so they are in the cache incident reads.
  stopFollowing = rig.services.logs.follow(
    { targetId: staging.id, sources: ['container:shop-backend-1'], tail: 10 },
    () => undefined,
  );
  await waitFor(
    () =>
      rig.services.logs.query({ targetId: staging.id, sources: ['container:shop-backend-1'], limit: 10 }).entries
        .length >= 2,
    30_000,
    "the backend's logs were not cached",
  );
}, 120_000);

afterAll(async () => {
  stopFollowing?.();
  await github?.stop();
  await rig?.dispose();
});

describe('scenario: incident and spec against the GitHub stand-in', () => {
  it('incident: writes the triage note and opens an issue with it as the body', async () => {
    const at = new Date().toISOString();
    const run = await rig.run({
      runbookId: 'incident',
      targetId: staging.id,
      inputs: { at, window: '15m', repo: 'octo/shop', githubApi: github.baseUrl },
    });
    expect(run.status, run.statusMessage).toBe('succeeded');
    expect(run.lane).toMatch(/^[A-D]$/); // docs-only: never the target's lock

    const detail = rig.services.runbooks.detail(run.id);
    const triage = detail.artifacts.find((a) => a.name === 'triage.md')!;
    expect(triage).toBeDefined();
    const note = Buffer.from(rig.services.runbooks.artifact(run.id, triage.id).base64, 'base64').toString();
    expect(note).toContain('# Incident on staging at');
    expect(note).toContain('ERROR payment provider timed out');

    expect(github.state.issues).toHaveLength(1);
    const issue = github.state.issues[0]!;
    expect(issue).toMatchObject({ repo: 'octo/shop', number: 1, labels: ['incident'] });
    expect(issue.title).toMatch(/^Incident on staging at /);
    expect(issue.body).toBe(note);
    expect(detail.summary).toContain('Issue: https://github.com/octo/shop/issues/1');
    // The token went to the stand-in as a bearer token and nowhere into the run's events.
    expect(
      github.requests.some(
        (r) => r.authorization === `token ${github.state.token}` || r.authorization === `Bearer ${github.state.token}`,
      ),
    ).toBe(true);
    expect(JSON.stringify(rig.events(run.id))).not.toContain(github.state.token);
  }, 120_000);

  it('spec: opens a pull request adding the ops snapshot file', async () => {
    const run = await rig.run({
      runbookId: 'spec',
      targetId: staging.id,
      inputs: { repo: 'octo/shop', service: 'backend', githubApi: github.baseUrl },
    });
    expect(run.status, run.statusMessage).toBe('succeeded');

    const detail = rig.services.runbooks.detail(run.id);
    const snapshot = detail.artifacts.find((a) => a.name === 'ops-snapshot.md')!;
    const content = Buffer.from(rig.services.runbooks.artifact(run.id, snapshot.id).base64, 'base64').toString();
    expect(content).toContain('# staging (staging)');
    expect(content).toMatch(/backend: image (localhost\/)?local\/busybox:latest, revision \S+, state running/);
    // Every template was filled: no braces left for a reader to puzzle over.
    expect(content).not.toContain('{{');

    expect(github.state.pulls).toHaveLength(1);
    const pull = github.state.pulls[0]!;
    expect(pull).toMatchObject({ repo: 'octo/shop', title: 'Ops snapshot of staging', base: 'main' });
    const branch = github.state.branches['octo/shop']![pull.head]!;
    expect(branch.files['docs/ops-snapshot.md']).toBe(content);
    expect(branch.files['README.md']).toBe('# shop\n');
    expect(github.state.branches['octo/shop']!.main!.files).toEqual({ 'README.md': '# shop\n' }); // main untouched
    expect(detail.summary).toContain(
      `Snapshot of staging proposed as https://github.com/octo/shop/pull/${pull.number}.`,
    );
  }, 120_000);
});
