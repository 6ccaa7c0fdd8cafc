/**
 * Scenario: the built-in `schema-sync` between two docker-ssh targets — two "hosts", each a real
 * sshd in front of its own podman, each with a `docker` command for its engine — whose database
 * containers print different schemas. The run only reads (a read-only lane, no lock, no
 * approval even on prod), and its `schema.diff` artifact shows the difference.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../../../shared/model/target';
import { composeLabels } from '../../support/podman';
import { startSshd, type Sshd } from '../../support/sshd';
import { dockerCliOnHost, startScenarioRig, type ScenarioRig } from './scenario-support';

let rig: ScenarioRig;
let otherSshd: Sshd;
let staging: Target;
let prod: Target;

const SCHEMA = [
  'CREATE TABLE users (',
  '  id integer PRIMARY KEY,',
  '  email text NOT NULL',
  ');',
  'CREATE TABLE orders (',
  '  id integer PRIMARY KEY,',
  '  user_id integer',
  ');',
];
// prod is one migration ahead: a column staging lacks.
const PROD_SCHEMA = [...SCHEMA.slice(0, 3), '  created_at timestamptz,', ...SCHEMA.slice(3)];

/** A "database" container whose dump command prints its schema, kept in a file inside it. */
function databaseCommand(lines: string[]): string {
  const printf = `printf '%s\\n' ${lines.map((line) => `'${line}'`).join(' ')} > /tmp/schema.sql`;
  return `${printf}; trap "exit 0" TERM; while true; do sleep 1; done`;
}

beforeAll(async () => {
  [rig, otherSshd] = await Promise.all([startScenarioRig({ podmans: 2 }), startSshd()]);
  const [stagingEngine, prodEngine] = rig.podmans as [ScenarioRig['podmans'][number], ScenarioRig['podmans'][number]];
  await Promise.all([
    stagingEngine.run('shop-db-1', databaseCommand(SCHEMA), composeLabels('shop', 'db')),
    prodEngine.run('shop-db-1', databaseCommand(PROD_SCHEMA), composeLabels('shop', 'db')),
    dockerCliOnHost(rig.sshd, stagingEngine),
    dockerCliOnHost(otherSshd, prodEngine),
  ]);
  staging = await rig.addTarget('staging', 'staging', stagingEngine, rig.sshd);
  prod = await rig.addTarget('prod', 'prod', prodEngine, otherSshd);
}, 120_000);

afterAll(async () => {
  await otherSshd?.dispose();
  await rig?.dispose();
});

describe('scenario: schema-sync between two targets', () => {
  it('dumps both databases and keeps their unified diff as schema.diff', async () => {
    const run = await rig.run({
      runbookId: 'schema-sync',
      targetId: staging.id,
      inputs: { other: 'prod', container: 'shop-db-1', dumpCommand: 'cat /tmp/schema.sql' },
    });
    expect(run.status, run.statusMessage).toBe('succeeded');
    expect(run.lane).toMatch(/^[A-D]$/);

    const detail = rig.services.runbooks.detail(run.id);
    expect(detail.approval).toBeNull();
    const outputs = rig.services.runbooks.store.stepOutputs(run.id) as Record<string, { stdout?: string }>;
    expect(outputs.here!.stdout!.trim().split('\n')).toEqual(SCHEMA);
    expect(outputs.there!.stdout!.trim().split('\n')).toEqual(PROD_SCHEMA);

    const artifact = detail.artifacts.find((a) => a.name === 'schema.diff')!;
    expect(artifact).toBeDefined();
    const diff = Buffer.from(rig.services.runbooks.artifact(run.id, artifact.id).base64, 'base64').toString();
    expect(diff).toContain('--- staging');
    expect(diff).toContain('+++ prod');
    const changed = diff.split('\n').filter((line) => /^[+-](?![+-])/.test(line));
    expect(changed).toEqual(['+  created_at timestamptz,']);
    expect(detail.summary).toContain('# Schema of staging and prod');
    expect(detail.summary).toMatch(/Schema dumps: \d+ lines of differences in schema\.diff\./);
  }, 120_000);

  it('the same schema on both sides: the artifact says so', async () => {
    const run = await rig.run({
      runbookId: 'schema-sync',
      targetId: prod.id,
      inputs: { other: 'prod', container: 'shop-db-1', dumpCommand: 'cat /tmp/schema.sql' },
    });
    expect(run.status, run.statusMessage).toBe('succeeded');
    const detail = rig.services.runbooks.detail(run.id);
    const artifact = detail.artifacts.find((a) => a.name === 'schema.diff')!;
    expect(Buffer.from(rig.services.runbooks.artifact(run.id, artifact.id).base64, 'base64').toString().trim()).toBe(
      'The schemas are the same.',
    );
  }, 120_000);
});
