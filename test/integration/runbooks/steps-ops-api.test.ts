/**
 * The `ops-api` step against the REAL agent (agent/ `buildAgent` on loopback, test/integration/agent/
 * agent-fixture.ts), with real services: two agents configured as prod and staging, each with its
 * own deploy file (SHA and image tags) and migrations command printing different migrations.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsApiStep } from '../../../main/services/runbooks/steps/ops-api-step';
import { OpsApiStepParams } from '../../../shared/model/runbook-steps';
import type { Target } from '../../../shared/model/target';
import { isAbort } from '../../../node/abort';
import { systemClock } from '../../../node/clock';
import { beaconBody, startAgentFixture, type AgentFixture } from '../agent/agent-fixture';
import { failureOf, startServices, stepHarness, type StepHarness, type TestServices } from './steps-remote-context';

const PROD_SHA = '3f9c2a1b7d4e5f60718293a4b5c6d7e8f9012345';
const PROD_MIGRATIONS = ['20240101_create_users', '20240215_add_orders', '20240301_add_index_on_orders'];
const STAGING_MIGRATIONS = ['20240101_create_users', '20240215_add_orders', '20240320_add_coupons'];

let prod: AgentFixture;
let staging: AgentFixture;
let env: TestServices;
const targets: Record<string, Target> = {};

function agentWith(sha: string, images: Record<string, string>, migrations: string[]) {
  return startAgentFixture({
    config: (_podman, dataDir) => {
      const file = join(dataDir, 'deploy.json');
      writeFileSync(file, JSON.stringify({ gitSha: sha, branch: 'main', imageTags: images }));
      return {
        deploy: { file, labels: { enabled: false } },
        migrations: { command: `printf '%s\\n' ${migrations.join(' ')}`, cacheSeconds: 0 },
      };
    },
  });
}

beforeAll(async () => {
  [prod, staging] = await Promise.all([
    agentWith(PROD_SHA, { api: 'shop/api:v1.4.2', web: 'shop/web:v1.4.2' }, PROD_MIGRATIONS),
    agentWith('9e8d7c6b5a4938271605f4e3d2c1b0a998877665', { api: 'shop/api:v1.5.0-rc1' }, STAGING_MIGRATIONS),
  ]);
  env = startServices();
  const make = (name: string, agent: AgentFixture, environment: 'prod' | 'staging') =>
    env.services.targets.create({ name, environment, kind: 'ops-api', settings: { baseUrl: agent.url }, secrets: { apiToken: agent.read } });
  targets.prod = await make('shop-prod', prod, 'prod');
  targets.staging = await make('shop-staging', staging, 'staging');
  // A second target in front of the prod agent: the same migrations by construction.
  targets.mirror = await make('shop-prod-mirror', prod, 'prod');
  targets.local = await env.services.targets.create({ name: 'laptop', environment: 'dev', kind: 'docker-local', settings: { socketPath: '/var/run/docker.sock' } });
}, 60_000);

afterAll(async () => {
  env?.close();
  await prod?.stop();
  await staging?.stop();
});

const params = (input: Record<string, unknown>) => OpsApiStepParams.parse(input);
const harness = (target: Target | null = targets.prod!): StepHarness => stepHarness(env.services, { clock: systemClock, target });

describe('ops-api step: context (real agent)', () => {
  it('reads the whole context and records the deployed SHA and each image tag as facts', async () => {
    const h = harness();
    const outcome = await opsApiStep.run(params({ action: 'context' }), h.context);
    expect(outcome.outputs).toMatchObject({ sha: PROD_SHA, imageTags: { api: 'shop/api:v1.4.2', web: 'shop/web:v1.4.2' } });
    expect(outcome.outputs!.context).toMatchObject({ deploy: { ok: true, data: { gitSha: PROD_SHA, branch: 'main' } }, migrations: { ok: true } });
    expect(h.facts).toEqual([
      { key: 'ops:sha', label: 'Deployed SHA', value: PROD_SHA },
      { key: 'ops:image:api', label: 'api image', value: 'shop/api:v1.4.2' },
      { key: 'ops:image:web', label: 'web image', value: 'shop/web:v1.4.2' },
    ]);
    expect(outcome.message).toBe('shop-prod runs 3f9c2a1 with 2 image tags.');
  });

  it('keeps only the section asked for', async () => {
    const outcome = await opsApiStep.run(params({ action: 'context', section: 'migrations' }), harness().context);
    expect(outcome.outputs!.context).toMatchObject({ exitCode: 0, output: `${PROD_MIGRATIONS.join('\n')}\n` });
  });

  it('names the sections when asked for one that does not exist', async () => {
    const failure = await failureOf(opsApiStep.run(params({ action: 'context', section: 'database' }), harness().context));
    expect(failure.message).toBe('The ops context has no section database: use one of host, deploy, migrations, docker, frontend, alerts.');
  });

  it('refuses a target that is not an ops-api one in one sentence', async () => {
    const failure = await failureOf(opsApiStep.run(params({ action: 'context' }), harness(targets.local!).context));
    expect(failure.message).toBe('The ops-api step reads an ops API, and laptop is a docker-local target: give the step an ops-api target.');
  });

  it('ends at once with an abort when cancelled', async () => {
    const h = harness();
    h.abort.abort();
    const error = await opsApiStep.run(params({ action: 'context' }), h.context).then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(isAbort(error)).toBe(true);
  });
});

describe('ops-api step: compare-sha (real agent)', () => {
  it('matches a short SHA of the deployed one', async () => {
    const outcome = await opsApiStep.run(params({ action: 'compare-sha', expect: '3F9C2A1' }), harness().context);
    expect(outcome.outputs).toEqual({ sha: PROD_SHA, expected: '3F9C2A1', matches: true });
  });

  it('fails on another SHA, with what it found', async () => {
    const failure = await failureOf(opsApiStep.run(params({ action: 'compare-sha', expect: '9e8d7c6b5a4938271605f4e3d2c1b0a998877665' }), harness().context));
    expect(failure.message).toBe('shop-prod runs 3f9c2a1, not 9e8d7c6 as expected.');
    expect(failure.outputs).toEqual({ sha: PROD_SHA, expected: '9e8d7c6b5a4938271605f4e3d2c1b0a998877665', matches: false });
  });
});

describe('ops-api step: compare-migrations (two real agents)', () => {
  it('lists what each side has alone, writes migrations.diff and warns, without failing', async () => {
    const h = harness();
    const outcome = await opsApiStep.run(params({ action: 'compare-migrations', other: 'SHOP-STAGING' }), h.context);
    expect(outcome.outputs).toEqual({ same: false, onlyHere: ['20240301_add_index_on_orders'], onlyOther: ['20240320_add_coupons'] });
    expect(h.artifacts.get('migrations.diff')!.content.toString()).toBe(
      [
        '--- shop-prod migrations (exit 0)',
        '+++ shop-staging migrations (exit 0)',
        ' 20240101_create_users',
        ' 20240215_add_orders',
        '-20240301_add_index_on_orders',
        '+20240320_add_coupons',
        '',
      ].join('\n'),
    );
    expect(h.events.filter((e) => e.level === 'warn').map((e) => e.message)).toEqual([
      'Migrations differ: 1 only on shop-prod, 1 only on shop-staging (see migrations.diff).',
    ]);
  });

  it('says they are the same when they are (the other target by id)', async () => {
    const h = harness();
    const outcome = await opsApiStep.run(params({ action: 'compare-migrations', other: targets.mirror!.id }), h.context);
    expect(outcome.outputs).toEqual({ same: true, onlyHere: [], onlyOther: [] });
    expect(outcome.message).toBe('shop-prod and shop-prod-mirror list the same 3 migration lines.');
    expect(h.artifacts.has('migrations.diff')).toBe(true);
  });

  it('names an unknown other target', async () => {
    const failure = await failureOf(opsApiStep.run(params({ action: 'compare-migrations', other: 'shop-qa' }), harness().context));
    expect(failure.message).toBe('There is no target named shop-qa to compare with — check the name in Targets.');
  });
});

describe('ops-api step: frontend-errors (real agent)', () => {
  it('groups the errors browsers sent by message, counting batched ones, into frontend-errors.json', async () => {
    const sent = [
      beaconBody({ message: 'TypeError: cannot read properties of undefined', count: 2 }),
      beaconBody({ message: 'TypeError: cannot read properties of undefined', count: 1, route: '/cart' }),
      beaconBody({ message: 'ChunkLoadError: Loading chunk 7 failed', count: 1 }),
    ];
    for (const body of sent) expect((await staging.beacon(body)).status).toBeLessThan(300);
    const h = harness(targets.staging!);
    const outcome = await opsApiStep.run(params({ action: 'frontend-errors', since: '15m' }), h.context);
    expect(outcome.outputs).toEqual({
      total: 4,
      groups: [
        { message: 'TypeError: cannot read properties of undefined', count: 3 },
        { message: 'ChunkLoadError: Loading chunk 7 failed', count: 1 },
      ],
    });
    const artifact = JSON.parse(h.artifacts.get('frontend-errors.json')!.content.toString()) as { since: string; total: number; errors: unknown[] };
    expect(artifact).toMatchObject({ since: '15m', total: 4 });
    expect(outcome.message).toBe('4 frontend errors on shop-staging since 15m in 2 groups; most often: TypeError: cannot read properties of undefined (3).');
  });
});
