/**
 * The probe kinds that reach SaaS APIs — `github` and `s3` — against local stand-ins.
 *
 * GitHub's API cannot be reached from the build machines, so a small local stand-in for it
 * (test/support/github-stand-in.ts) serves the endpoints the kind calls, with GitHub's headers and
 * error bodies. S3 is stood in for by s3rver, a local S3-compatible server, behind a front that
 * checks SigV4 signatures (s3rver itself lets any V4 signature through; see
 * test/support/s3-stand-in.ts), so a wrong secret key is refused as S3 refuses it. The kind
 * modules are called directly with a small real context: the system clock, an abort signal and
 * the secrets from a map.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/errors';
import { GithubSettings, S3Settings } from '../../../shared/model/probe';
import { isAbort } from '../../../node/abort';
import { systemClock } from '../../../node/clock';
import { PROBE_KIND_MODULES } from '../../../node/probes/kinds';
import { githubKind } from '../../../node/probes/kinds/github';
import { s3Kind } from '../../../node/probes/kinds/s3';
import { objectUrl } from '../../../node/probes/kinds/s3-request';
import { runProbe, type EngineProbe } from '../../../node/probes/probe-engine';
import type { ProbeRunContext } from '../../../node/probes/probe-kind';
import { startGithubStandIn, type GithubStandIn } from '../../support/github-stand-in';
import { startS3StandIn, type S3StandIn } from '../../support/s3-stand-in';

/** A run context whose secrets come from `secrets`; hosts' capabilities are not lent here. */
function context(secrets: Record<string, string>, signal = new AbortController().signal): ProbeRunContext {
  const unavailable = () => Promise.reject(new ApiError('invalid-request', 'This kind does not use target connections.'));
  return {
    signal,
    clock: systemClock,
    secret: (slot) => (slot in secrets ? Promise.resolve(secrets[slot]!) : Promise.reject(new ApiError('keychain-unavailable', `The secret ${slot} is not set.`))),
    docker: unavailable,
    sshExec: unavailable,
    opsContext: unavailable,
    previousValues: null,
  };
}

/** One run through the real engine (registry, conditions, redaction) with `secrets` as the keychain. */
function runThroughEngine(probe: Omit<EngineProbe, 'timeoutSeconds' | 'retries'>, secrets: Record<string, string>) {
  const { secret, sshExec, opsContext, docker } = context(secrets);
  return runProbe({ timeoutSeconds: 10, retries: 0, ...probe }, { kinds: PROBE_KIND_MODULES, capabilities: { secret, sshExec, opsContext, docker }, clock: systemClock });
}

describe('github kind against a stand-in for GitHub', () => {
  let gh: GithubStandIn;
  const goodToken = 'ghp_standInGoodToken000000000000000000000';
  const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

  beforeAll(async () => {
    gh = await startGithubStandIn({
      token: goodToken,
      repos: {
        'acme/shop': { defaultBranch: 'main', private: true, permissions: { admin: false, maintain: false, push: true, triage: true, pull: true } },
      },
      runs: [
        { id: 9001, repo: 'acme/shop', workflow: 'ci.yml', workflowId: 77, branch: 'main', status: 'completed', conclusion: 'success', createdAt: minutesAgo(30) },
        { id: 9002, repo: 'acme/shop', workflow: 'ci.yml', workflowId: 77, branch: 'release', status: 'completed', conclusion: 'failure', createdAt: minutesAgo(20) },
        { id: 9003, repo: 'acme/shop', workflow: 'deploy.yml', workflowId: 78, branch: 'main', status: 'in_progress', conclusion: null, createdAt: minutesAgo(2) },
      ],
    });
  });
  afterAll(() => gh?.stop());
  afterEach(() => {
    gh.state.scopes = ['repo', 'workflow'];
    gh.state.hold = false;
  });

  const settings = (input: Record<string, unknown>) => GithubSettings.parse({ baseUrl: gh.baseUrl, ...input });

  it('reads a good token: login, scopes and the rate limit left, sending the token to GitHub', async () => {
    gh.state.rateLimit.remaining = 4321;
    const outcome = await githubKind.run(settings({ check: 'token', requiredScopes: ['repo', 'workflow'] }), context({ token: goodToken }));
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({ STATUS: 200, LOGIN: 'octo-ops', SCOPES: ['repo', 'workflow'], RATE_LIMIT_REMAINING: 4321, MISSING_SCOPES: [] });
    expect(outcome.values.RESPONSE_TIME).toEqual(expect.any(Number));
    expect(outcome.metadata).toMatchObject({ login: 'octo-ops', rateLimitRemaining: 4321, rateLimitLimit: 5000 });
    expect(gh.requests.at(-1)).toMatchObject({ method: 'GET', url: '/user', authorization: `token ${goodToken}` });
    const reply = outcome.artifacts.find((a) => a.name === 'reply.json');
    expect(JSON.parse(reply!.data.toString())).toMatchObject({ login: 'octo-ops' });
  });

  it('says a refused token is refused (401), and keeps GitHub’s reply', async () => {
    const outcome = await githubKind.run(settings({ check: 'token' }), context({ token: 'ghp_revoked' }));
    expect(outcome.error).toBe('GitHub refused the token (401) — check it has not expired or been revoked.');
    expect(outcome.values.STATUS).toBe(401);
    expect(JSON.parse(outcome.artifacts[0]!.data.toString())).toMatchObject({ message: 'Bad credentials' });
  });

  it('names the scopes a token lacks, counting the ones a broader scope covers as granted', async () => {
    gh.state.scopes = ['repo', 'read:org'];
    const outcome = await githubKind.run(settings({ check: 'token', requiredScopes: ['public_repo', 'workflow'] }), context({ token: goodToken }));
    expect(outcome.values.MISSING_SCOPES).toEqual(['workflow']);
    expect(outcome.values.SCOPES).toEqual(['repo', 'read:org']);
    expect(outcome.error).toBe('The token lacks the workflow scope.');

    gh.state.scopes = [];
    const bare = await githubKind.run(settings({ check: 'token', requiredScopes: ['repo', 'workflow'] }), context({ token: goodToken }));
    expect(bare.error).toBe('The token lacks the repo and workflow scopes.');
  });

  it('does not judge scopes for a fine-grained token, which GitHub sends no scopes header for', async () => {
    gh.state.scopes = null;
    const outcome = await githubKind.run(settings({ check: 'token', requiredScopes: ['workflow'] }), context({ token: goodToken }));
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({ SCOPES: null, MISSING_SCOPES: [] });
  });

  it('reads a repository the token can see: its permissions and default branch', async () => {
    const outcome = await githubKind.run(settings({ check: 'repository', owner: 'acme', repo: 'shop' }), context({ token: goodToken }));
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({ STATUS: 200, PERMISSIONS: ['push', 'triage', 'pull'], DEFAULT_BRANCH: 'main', PRIVATE: true });
    expect(JSON.parse(String(outcome.values.BODY))).toMatchObject({ full_name: 'acme/shop' });
  });

  it('says a repository GitHub does not show (404) is missing or hidden', async () => {
    const outcome = await githubKind.run(settings({ check: 'repository', owner: 'acme', repo: 'gone' }), context({ token: goodToken }));
    expect(outcome.error).toBe('GitHub has no repository acme/gone, or the token cannot see it.');
    expect(outcome.values.STATUS).toBe(404);
  });

  it('reads the latest run of a workflow on a branch: success', async () => {
    const outcome = await githubKind.run(settings({ check: 'workflow', owner: 'acme', repo: 'shop', workflow: 'ci.yml', branch: 'main' }), context({ token: goodToken }));
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({ STATUS: 200, CONCLUSION: 'success', RUN_STATUS: 'completed', RUN_URL: 'https://github.com/acme/shop/actions/runs/9001' });
    expect(outcome.values.RUN_AGE).toBeGreaterThanOrEqual(30 * 60_000);
    expect(outcome.values.RUN_AGE).toBeLessThan(31 * 60_000);
    expect(outcome.metadata).toMatchObject({ runId: 9001, runUrl: 'https://github.com/acme/shop/actions/runs/9001' });
    expect(gh.requests.at(-1)!.url).toBe('/repos/acme/shop/actions/workflows/ci.yml/runs?branch=main&per_page=1');
  });

  it('reports a failed run as its conclusion, for the conditions to judge, not as a failed check', async () => {
    const outcome = await githubKind.run(settings({ check: 'workflow', owner: 'acme', repo: 'shop', workflow: 'ci.yml', branch: 'release' }), context({ token: goodToken }));
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({ CONCLUSION: 'failure', RUN_STATUS: 'completed' });
  });

  it('reports a run in progress with no conclusion yet; without a workflow, the latest run of any', async () => {
    const outcome = await githubKind.run(settings({ check: 'workflow', owner: 'acme', repo: 'shop', branch: 'main' }), context({ token: goodToken }));
    expect(outcome.values).toMatchObject({ CONCLUSION: null, RUN_STATUS: 'in_progress', RUN_URL: 'https://github.com/acme/shop/actions/runs/9003' });
    expect(gh.requests.at(-1)!.url).toBe('/repos/acme/shop/actions/runs?branch=main&per_page=1');
  });

  it('says when a workflow is unknown, or has no runs on the branch', async () => {
    const unknown = await githubKind.run(settings({ check: 'workflow', owner: 'acme', repo: 'shop', workflow: 'nope.yml' }), context({ token: goodToken }));
    expect(unknown.error).toBe('GitHub has no workflow nope.yml in acme/shop, or the token cannot see it.');
    const none = await githubKind.run(settings({ check: 'workflow', owner: 'acme', repo: 'shop', workflow: 'deploy.yml', branch: 'release' }), context({ token: goodToken }));
    expect(none.error).toBe('GitHub has no workflow runs of deploy.yml on release in acme/shop yet — check the workflow and the branch.');
  });

  it('says when the rate limit is used up', async () => {
    gh.state.rateLimit.remaining = 0;
    try {
      const outcome = await githubKind.run(settings({ check: 'token' }), context({ token: goodToken }));
      expect(outcome.values).toMatchObject({ STATUS: 403, RATE_LIMIT_REMAINING: 0 });
      expect(outcome.error).toMatch(/^GitHub's rate limit for this token is used up until \d\d:\d\d UTC — wait, or use another token\.$/);
    } finally {
      gh.state.rateLimit.remaining = 5000;
    }
  });

  it('ends at once when aborted while GitHub hangs', async () => {
    gh.state.hold = true;
    const controller = new AbortController();
    const before = gh.requests.length;
    const run = githubKind.run(settings({ check: 'token' }), context({ token: goodToken }, controller.signal));
    await gh.waitForRequests(before + 1);
    const abortedAt = Date.now();
    controller.abort(new Error('The probe timed out after 1 s.'));
    await expect(run).rejects.toThrow('The probe timed out after 1 s.');
    expect(Date.now() - abortedAt).toBeLessThan(1000);
  });

  it('runs through the engine: a failed run fails its condition, and the token is in nothing kept', async () => {
    const outcome = await runThroughEngine(
      {
        kind: 'github',
        settings: settings({ check: 'workflow', owner: 'acme', repo: 'shop', workflow: 'ci.yml', branch: 'release' }),
        conditions: [
          { expression: '[STATUS] == 200', severity: 'fail' },
          { expression: '[CONCLUSION] == success', severity: 'fail' },
          { expression: '[RATE_LIMIT_REMAINING] > 100', severity: 'warn' },
        ],
      },
      { token: goodToken },
    );
    expect(outcome.status).toBe('fail');
    expect(outcome.conditions.map((c) => [c.expression, c.passed, c.observed])).toEqual([
      ['[STATUS] == 200', true, '200'],
      ['[CONCLUSION] == success', false, expect.stringContaining('failure')],
      ['[RATE_LIMIT_REMAINING] > 100', true, expect.any(String)],
    ]);
    expect(outcome.metadata.runUrl).toBe('https://github.com/acme/shop/actions/runs/9002');
    const kept = JSON.stringify([outcome.metadata, outcome.values, outcome.conditions, outcome.artifacts.map((a) => a.data.toString())]);
    expect(kept).not.toContain(goodToken);
  });

  it('says when the API cannot be reached', async () => {
    const other = await startGithubStandIn();
    await other.stop();
    const outcome = await githubKind.run(GithubSettings.parse({ baseUrl: other.baseUrl, check: 'token' }), context({ token: goodToken }));
    expect(outcome.error).toBe(`Could not reach ${other.baseUrl}: the connection was refused — check the base URL and the network.`);
    expect(outcome.values.STATUS).toBeNull();
  });
});

describe('s3 kind against s3rver standing in for S3, behind a SigV4-checking front', () => {
  let s3: S3StandIn;
  const keys = { accessKeyId: 'AKIASTANDIN000000001', secretAccessKey: 'stand-in-secret/K7MDENG+bPxRfiCYEXAMPLEKEY' };

  beforeAll(async () => {
    s3 = await startS3StandIn({ buckets: ['probe-bucket'], keys: { [keys.accessKeyId]: keys.secretAccessKey } });
  });
  afterAll(() => s3?.stop());
  afterEach(() => {
    s3.hold = false;
  });

  const settings = (input: Record<string, unknown> = {}) => S3Settings.parse({ endpoint: s3.endpoint, bucket: 'probe-bucket', forcePathStyle: true, ...input });

  it('puts, reads back and deletes a small object, and only that object is gone afterwards', async () => {
    await s3.putDirect('probe-bucket', 'control-room-probe/someone-elses.txt', 'kept');
    const before = s3.requests.length;
    const outcome = await s3Kind.run(settings(), context(keys));
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({ STATUS: 204, CONNECTED: true, ROUND_TRIP: true });
    for (const name of ['PUT_MS', 'GET_MS', 'DELETE_MS', 'RESPONSE_TIME']) expect(outcome.values[name]).toEqual(expect.any(Number));
    const key = String(outcome.metadata.key);
    expect(key).toMatch(/^control-room-probe\/[0-9a-f]{16}\.txt$/);
    expect(outcome.metadata).toMatchObject({ endpoint: s3.endpoint, bucket: 'probe-bucket', region: 'us-east-1' });
    // Every step passed the signature check on its way to s3rver.
    expect(s3.requests.slice(before)).toEqual([
      { method: 'PUT', path: `/probe-bucket/${key}`, verdict: 'passed' },
      { method: 'GET', path: `/probe-bucket/${key}`, verdict: 'passed' },
      { method: 'DELETE', path: `/probe-bucket/${key}`, verdict: 'passed' },
    ]);
    expect(await s3.listKeys('probe-bucket', 'control-room-probe/')).toEqual(['control-room-probe/someone-elses.txt']);
  });

  it('refuses a wrong secret access key with S3’s SignatureDoesNotMatch, and says to check it', async () => {
    const outcome = await s3Kind.run(settings(), context({ ...keys, secretAccessKey: 'not-the-secret' }));
    expect(outcome.error).toBe('The endpoint refused the signature — check the secret access key.');
    expect(outcome.values).toMatchObject({ STATUS: 403, CONNECTED: true, ROUND_TRIP: false });
    expect(s3.requests.at(-1)!.verdict).toBe('SignatureDoesNotMatch');
    const xml = outcome.artifacts.find((a) => a.name === 'error.xml');
    expect(xml!.data.toString()).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(await s3.listKeys('probe-bucket', '')).toEqual(['control-room-probe/someone-elses.txt']);
  });

  it('refuses an unknown access key ID', async () => {
    const outcome = await s3Kind.run(settings(), context({ ...keys, accessKeyId: 'AKIAUNKNOWN000000000' }));
    expect(outcome.error).toBe('The endpoint does not know this access key ID — check it, and that it belongs to this endpoint.');
  });

  it('says a missing bucket is missing', async () => {
    const outcome = await s3Kind.run(settings({ bucket: 'no-such-bucket' }), context(keys));
    expect(outcome.error).toBe('The endpoint has no bucket no-such-bucket — check the bucket name and the region.');
    expect(outcome.values).toMatchObject({ STATUS: 404, CONNECTED: true });
    expect(outcome.metadata.putErrorCode).toBe('NoSuchBucket');
  });

  it('ends at once when aborted while the endpoint hangs', async () => {
    s3.hold = true;
    const controller = new AbortController();
    const before = s3.requests.length;
    const run = s3Kind.run(settings(), context(keys, controller.signal));
    await s3.waitForRequests(before + 1);
    const abortedAt = Date.now();
    controller.abort(new Error('The probe timed out after 1 s.'));
    const failure = await run.then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe('The probe timed out after 1 s.');
    expect(Date.now() - abortedAt).toBeLessThan(1000);
    // The put may have landed, so a delete of the same key follows in the background.
    await s3.waitForRequests(before + 2);
    expect(s3.requests.slice(before).map((r) => r.method)).toEqual(['PUT', 'DELETE']);
    expect(s3.requests[before + 1]!.path).toBe(s3.requests[before]!.path);
    // An abort before anything was sent ends the run without a request.
    const early = new AbortController();
    early.abort();
    await expect(s3Kind.run(settings(), context(keys, early.signal))).rejects.toSatisfy(isAbort);
    expect(s3.requests.length).toBe(before + 2);
  });

  it('builds virtual-host URLs (the bucket as a subdomain) unless path-style is asked for', () => {
    const location = { endpoint: 'https://nyc3.digitaloceanspaces.com', region: 'nyc3', bucket: 'shop-assets', forcePathStyle: false };
    expect(objectUrl(location, 'probes/a b+c.txt').toString()).toBe('https://shop-assets.nyc3.digitaloceanspaces.com/probes/a%20b%2Bc.txt');
    expect(objectUrl({ ...location, endpoint: 'http://127.0.0.1:9000/s3/', forcePathStyle: true }, 'x/(1).txt').toString()).toBe('http://127.0.0.1:9000/s3/shop-assets/x/%281%29.txt');
  });

  it('runs through the engine: ok with its conditions, and the secret key is in nothing kept', async () => {
    const outcome = await runThroughEngine(
      {
        kind: 's3',
        // A prefix that needs escaping: the path is signed as it is sent.
        settings: settings({ keyPrefix: 'engine (run)/' }),
        conditions: [
          { expression: '[ROUND_TRIP] == true', severity: 'fail' },
          { expression: '[RESPONSE_TIME] < 5000', severity: 'warn' },
        ],
      },
      keys,
    );
    expect(outcome.error).toBeNull();
    expect(outcome.status).toBe('ok');
    expect(outcome.conditions.every((c) => c.passed)).toBe(true);
    expect(JSON.stringify([outcome.metadata, outcome.values])).not.toContain(keys.secretAccessKey);
    expect(outcome.metadata.key).toMatch(/^engine \(run\)\/[0-9a-f]{16}\.txt$/);
    expect(s3.requests.at(-1)).toMatchObject({ method: 'DELETE', path: expect.stringContaining('/engine%20%28run%29/'), verdict: 'passed' });
    expect(await s3.listKeys('probe-bucket', 'engine')).toEqual([]);
  });

  it('says when the endpoint is not running', async () => {
    const stopped = await startS3StandIn({ buckets: ['probe-bucket'], keys: {} });
    await stopped.stop();
    const outcome = await s3Kind.run(S3Settings.parse({ endpoint: stopped.endpoint, bucket: 'probe-bucket', forcePathStyle: true }), context(keys));
    expect(outcome.error).toBe(`Could not reach ${stopped.endpoint}: the connection was refused — check the endpoint and that the service is running.`);
    expect(outcome.values).toMatchObject({ STATUS: null, CONNECTED: false, ROUND_TRIP: false });
  });
});
