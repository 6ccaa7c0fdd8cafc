/**
 * The `github` step's declarations: which actions change something or may be repeated, how a
 * plan describes them, and the repository form it accepts.
 */
import { describe, expect, it } from 'vitest';
import { githubStep } from '../../../main/services/runbooks/steps/github-step';
import { splitRepo } from '../../../main/services/runbooks/steps/github-client';
import { GithubStepParams } from '../../../shared/model/runbook-steps';

const params = (input: Record<string, unknown>) => GithubStepParams.parse({ repo: 'acme/shop', ...input });

describe('github step declarations', () => {
  it('reads Actions status without changing anything; every other action changes and is not repeated', () => {
    const status = params({ action: 'actions-status', workflow: 'ci.yml' });
    expect([githubStep.changes(status), githubStep.repeatable(status)]).toEqual([false, true]);
    for (const action of ['dispatch-workflow', 'open-issue', 'open-pull-request']) {
      const p = params({ action });
      expect([githubStep.changes(p), githubStep.repeatable(p)]).toEqual([true, false]);
    }
  });

  it('describes each action for plans and dry runs', () => {
    expect(githubStep.describe(params({ action: 'dispatch-workflow', workflow: 'deploy.yml', ref: 'v1.4.2' }), null)).toBe(
      'Dispatch deploy.yml on v1.4.2 in acme/shop and wait for its run (up to 30m)',
    );
    expect(githubStep.describe(params({ action: 'dispatch-workflow', workflow: 'deploy.yml', wait: false }), null)).toBe('Dispatch deploy.yml in acme/shop');
    expect(githubStep.describe(params({ action: 'actions-status', branch: 'main' }), null)).toBe('Read the latest Actions run on main in acme/shop');
    expect(githubStep.describe(params({ action: 'open-issue', title: 'Incident' }), null)).toBe('Open an issue "Incident" in acme/shop');
    expect(githubStep.describe(params({ action: 'open-pull-request', title: 'Snapshot', files: [{ path: 'docs/a.md', content: 'a' }] }), null)).toBe(
      'Open a pull request "Snapshot" in acme/shop with docs/a.md',
    );
  });

  it('takes owner/name and nothing else as a repository', () => {
    expect(splitRepo(' acme/shop.web ')).toEqual({ owner: 'acme', repo: 'shop.web' });
    expect(() => splitRepo('https://github.com/acme/shop')).toThrow('"https://github.com/acme/shop" is not a repository: write it as owner/name.');
  });
});
