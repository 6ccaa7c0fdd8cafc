/**
 * The command bar and plan card through the real runbooks service: real SQLite targets, the
 * runbooks folder, the fake clock's day for times. No step runs here (plans only); the
 * credentials backend is the in-memory one because no target or runbook here has a secret.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../main/services';
import { MemoryCredentialBackend } from '../../../main/services/credentials/credential-backend';
import { ApiError } from '../../../shared/errors';
import type { CommandResult, RunPlan } from '../../../shared/model/runbook';
import type { Environment, Target } from '../../../shared/model/target';
import { FakeClock } from '../../support/fake-clock';

let dataDir: string;
let services: Services;
let clock: FakeClock;
const made: Record<string, Target> = {};

async function addTarget(name: string, environment: Environment): Promise<Target> {
  made[name] = await services.targets.create({ name, environment, kind: 'docker-local', settings: { socketPath: '' } });
  return made[name];
}

function plan(result: CommandResult): RunPlan {
  if (result.kind !== 'plan') throw new Error(`expected a plan, got: ${result.message}`);
  return result.plan;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cr-runbook-plans-'));
  clock = new FakeClock('2024-05-01T09:30:00.000Z');
  services = createServices({
    dataDir,
    credentials: new MemoryCredentialBackend(),
    clock,
    probes: { background: false },
  });
  await addTarget('shop prod', 'prod');
  await addTarget('shop-staging', 'staging');
  writeFileSync(
    join(dataDir, 'runbooks', 'cache.yaml'),
    `id: flush-cache
title: Flush the cache
kind: maintenance
risk: changes-prod
inputs:
  - name: bucket
    required: true
    pattern: "[a-z]+"
commands:
  - flush {bucket} on {target}
phases:
  action:
    - id: flush
      kind: docker
      with:
        action: restart
        service: "cache-{{ inputs.bucket }}"
`,
  );
  writeFileSync(join(dataDir, 'runbooks', 'broken.yaml'), 'id: broken\ncommands: [broken {target}]\n');
  services.runbooks.catalog.reload();
}, 30_000);

afterAll(() => {
  services?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('command → plan', () => {
  it('deploy backend v1.4.2 to prod: the deploy plan on the prod target, needing approval', () => {
    const result = services.runbooks.command('deploy backend v1.4.2 to prod');
    expect(result).toMatchObject({ kind: 'plan', command: 'deploy backend v1.4.2 to prod' });
    expect(plan(result)).toMatchObject({
      runbookId: 'deploy',
      risk: 'changes-prod',
      targetId: made['shop prod']!.id,
      targetName: 'shop prod',
      environment: 'prod',
      inputs: { service: 'backend', tag: 'v1.4.2', workflow: 'deploy.yml', rollback: 'true', maxErrorLines: '0' },
      problems: [],
      needsApproval: true,
    });
    const steps = plan(result).steps;
    expect(steps.map((step) => `${step.phase}/${step.id}`)).toEqual([
      'preflight/probes',
      'preflight/current',
      'preflight/context',
      'action/pull',
      'action/recreate',
      'action/dispatch',
      'verify/healthy',
      'verify/probes-after',
      'verify/errors',
      'summarize/summary',
      'rollback/restore',
    ]);
    // Conditions that read false before the run are noted; the docker path's are not.
    expect(steps.find((step) => step.id === 'dispatch')!.description).toContain("(if {{ inputs.ref || '' }})");
    expect(steps.find((step) => step.id === 'recreate')!.description).not.toContain('(if');
  });

  it('restart worker on staging needs no approval; a time reads on the clock day', () => {
    expect(plan(services.runbooks.command('restart worker on staging'))).toMatchObject({
      runbookId: 'restart',
      targetName: 'shop-staging',
      needsApproval: false,
      problems: [],
    });
    const incident = plan(services.runbooks.command('incident at 14:05 on prod'));
    const expected = new Date(Date.parse('2024-05-01T09:30:00.000Z'));
    expected.setHours(14, 5, 0, 0);
    expect(incident.inputs.at).toBe(expected.toISOString());
    expect(incident).toMatchObject({ runbookId: 'incident', risk: 'docs-only', needsApproval: false, problems: [] });
  });

  it('a runbook file in the folder has its command; a broken file has none', () => {
    expect(plan(services.runbooks.command('flush sessions on prod'))).toMatchObject({
      runbookId: 'flush-cache',
      inputs: { bucket: 'sessions' },
      problems: [],
      needsApproval: true,
    });
    expect(services.runbooks.command('broken prod').kind).toBe('unrecognised');
  });

  it('two prod targets: the plan asks to choose, in one sentence', async () => {
    await addTarget('eu prod', 'prod');
    try {
      expect(plan(services.runbooks.command('healthcheck prod'))).toMatchObject({
        targetId: null,
        problems: ['Several targets are prod: eu prod, shop prod — choose one.'],
      });
      expect(plan(services.runbooks.command('healthcheck eu prod'))).toMatchObject({
        targetName: 'eu prod',
        problems: [],
      });
    } finally {
      await services.targets.delete(made['eu prod']!.id);
    }
  });

  it('text naming no runbook: the closest runbooks with examples', () => {
    const result = services.runbooks.command('deplyo backend');
    expect(result.kind).toBe('unrecognised');
    if (result.kind !== 'unrecognised') return;
    expect(result.suggestions[0]).toEqual({
      runbookId: 'deploy',
      title: 'Deploy',
      example: 'deploy <service> <tag> to shop prod',
    });
  });
});

describe('plans for chosen values', () => {
  it('says what is wrong with each value', () => {
    expect(
      services.runbooks.plan('flush-cache', made['shop prod']!.id, { bucket: 'Sessions!', colour: 'red' }).problems,
    ).toEqual([
      'flush-cache has no input called colour (it takes bucket).',
      'Input bucket must match [a-z]+ (got "Sessions!").',
    ]);
  });

  it('a remediation must name a runbook that loads and a target that exists', () => {
    const { remediations } = services.runbooks;
    expect(
      remediations.set({
        probeId: 'probe-1',
        runbookId: 'restart',
        targetId: made['shop prod']!.id,
        inputs: { service: 'worker' },
      }).runbookId,
    ).toBe('restart');
    const missing = (() => {
      try {
        remediations.set({ probeId: 'probe-2', runbookId: 'nothing', targetId: null, inputs: {} });
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(missing).toBeInstanceOf(ApiError);
    expect((missing as ApiError).code).toBe('not-found');
    expect(() => remediations.set({ probeId: 'probe-2', runbookId: 'broken', targetId: null, inputs: {} })).toThrow(
      /cannot run until it is fixed/,
    );
    expect(() =>
      remediations.set({ probeId: 'probe-2', runbookId: 'restart', targetId: 'no-such-target', inputs: {} }),
    ).toThrow('That target no longer exists');
    expect(remediations.list().map((item) => item.probeId)).toEqual(['probe-1']);
  });
});
