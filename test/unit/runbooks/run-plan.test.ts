import { describe, expect, it } from 'vitest';
import { RunbookDefinition, type RunbookDefinitionInput } from '../../../shared/model/runbook';
import type { Target } from '../../../shared/model/target';
import { buildPlan, checkInputs, normaliseTime } from '../../../main/services/runbooks/run-plan';

function dockerTarget(id: string, name: string, environment: Target['environment']): Target {
  return {
    id,
    name,
    environment,
    kind: 'docker-ssh',
    settings: { host: 'db1.example.com', port: 22, username: 'deploy', socketPath: '/var/run/docker.sock' },
    secrets: {},
    hostKey: null,
    createdAt: '2024-05-01T10:00:00.000Z',
    updatedAt: '2024-05-01T10:00:00.000Z',
  };
}
function opsTarget(id: string, name: string, environment: Target['environment']): Target {
  return {
    id,
    name,
    environment,
    kind: 'ops-api',
    settings: { baseUrl: 'https://ops.example.com' },
    secrets: {},
    hostKey: null,
    createdAt: '2024-05-01T10:00:00.000Z',
    updatedAt: '2024-05-01T10:00:00.000Z',
  };
}

const targets = [
  dockerTarget('t-prod', 'Shop Prod', 'prod'),
  dockerTarget('t-stage', 'shop-staging', 'staging'),
  opsTarget('t-ops', 'ops', 'dev'),
];

function runbook(input: Partial<RunbookDefinitionInput> = {}): RunbookDefinition {
  return RunbookDefinition.parse({
    id: 'release',
    title: 'Release',
    kind: 'deploy',
    risk: 'changes-prod',
    inputs: [
      { name: 'service', required: true },
      { name: 'tag', pattern: 'v\\d+\\.\\d+\\.\\d+' },
      { name: 'rollback', type: 'boolean', default: true },
      { name: 'maxErrors', type: 'number', default: 0 },
      { name: 'mode', allowed: ['fast', 'slow'] },
      { name: 'other', type: 'target' },
      { name: 'at', type: 'time' },
      { name: 'token', type: 'secret' },
    ],
    phases: {
      preflight: [{ id: 'current', kind: 'docker', with: { action: 'inspect', service: '{{ inputs.service }}' } }],
      action: [
        {
          id: 'recreate',
          kind: 'docker',
          if: "{{ inputs.tag || '' }}",
          with: { action: 'recreate', service: '{{ inputs.service }}', tag: '{{ inputs.tag }}' },
        },
      ],
      summarize: [
        { id: 'summary', kind: 'summary', with: { template: 'Was {{ steps.current.image }} on {{ target.name }}' } },
      ],
    },
    rollback: [
      {
        id: 'back',
        kind: 'docker',
        with: { action: 'recreate', service: '{{ inputs.service }}', tag: '{{ steps.current.tag }}' },
      },
    ],
    ...input,
  });
}

const NOW = Date.UTC(2024, 4, 1, 10);

describe('checkInputs', () => {
  it('applies defaults, normalises values and hides secrets', () => {
    const check = checkInputs(
      runbook(),
      't-prod',
      {
        service: 'backend',
        tag: 'v1.4.2',
        rollback: 'TRUE',
        other: 'SHOP-STAGING',
        token: 's3cret',
        at: '2024-05-01T14:05:00Z',
      },
      targets,
      { now: NOW },
    );
    expect(check.problems).toEqual([]);
    expect(check.target?.id).toBe('t-prod');
    expect(check.values).toMatchObject({
      service: 'backend',
      tag: 'v1.4.2',
      rollback: 'true',
      maxErrors: '0',
      other: 'shop-staging',
      token: 's3cret',
      at: '2024-05-01T14:05:00.000Z',
    });
    expect(check.shown.token).toBe('[secret]');
    expect(check.shown.service).toBe('backend');
  });

  it('says one sentence per bad value', () => {
    const check = checkInputs(
      runbook(),
      't-prod',
      { tag: 'latest', rollback: 'yes', maxErrors: 'many', mode: 'medium', other: 'nowhere', at: '25:00', extra: 'x' },
      targets,
      { now: NOW },
    );
    expect(check.problems).toEqual([
      'release has no input called extra (it takes service, tag, rollback, maxErrors, mode, other, at, token).',
      'Input service is required.',
      'Input tag must match v\\d+\\.\\d+\\.\\d+ (got "latest").',
      'Input rollback must be true or false (got "yes").',
      'Input maxErrors must be a number (got "many").',
      'Input mode must be one of fast, slow (got "medium").',
      'Input other must be a target\'s name (got "nowhere") — the targets are Shop Prod, shop-staging, ops.',
      'Input at must be a time like 14:05 or 2024-05-01T14:05:00Z (got "25:00").',
    ]);
  });

  it('needs a target for a changing runbook and for steps without their own', () => {
    expect(checkInputs(runbook(), null, { service: 'a' }, targets).problems).toEqual([
      'Choose a target to run release on.',
    ]);
    expect(checkInputs(runbook(), 'gone', { service: 'a' }, targets).problems).toEqual([
      'There is no target "gone" — choose one of Shop Prod, shop-staging, ops.',
    ]);
    const ownTargets = runbook({
      risk: 'read-only',
      inputs: [],
      phases: { verify: [{ id: 'p', kind: 'probe', target: 'Shop Prod', with: { scope: 'web' } }] },
      rollback: [],
    });
    expect(checkInputs(ownTargets, null, {}, targets).problems).toEqual([]);
    const readOnly = runbook({
      risk: 'read-only',
      inputs: [],
      phases: { verify: [{ id: 'p', kind: 'probe', with: { scope: 'web' } }] },
      rollback: [],
    });
    expect(checkInputs(readOnly, null, {}, targets).problems).toEqual(['Choose a target to run release on.']);
  });

  it('accepts a target by name too and reads times on the clock day', () => {
    const check = checkInputs(runbook(), 'shop prod', { service: 'a', at: '14:05' }, targets, { now: NOW });
    expect(check.target?.id).toBe('t-prod');
    const expected = new Date(NOW);
    expected.setHours(14, 5, 0, 0);
    expect(check.values.at).toBe(expected.toISOString());
    expect(normaliseTime('9:30', undefined)).toBeNull();
    expect(normaliseTime('yesterday', NOW)).toBeNull();
  });
});

describe('buildPlan', () => {
  it('lists every step with later outputs as placeholders and the approval on prod', () => {
    const plan = buildPlan(
      runbook(),
      checkInputs(runbook(), 't-prod', { service: 'backend', tag: 'v1.4.2' }, targets, { now: NOW }),
    );
    expect(plan).toMatchObject({
      runbookId: 'release',
      title: 'Release',
      risk: 'changes-prod',
      targetId: 't-prod',
      targetName: 'Shop Prod',
      environment: 'prod',
      problems: [],
      needsApproval: true,
    });
    expect(plan.inputs).toEqual({ service: 'backend', tag: 'v1.4.2', rollback: 'true', maxErrors: '0' });
    expect(plan.steps.map((step) => `${step.phase}/${step.id}/${step.kind}`)).toEqual([
      'preflight/current/docker',
      'action/recreate/docker',
      'summarize/summary/summary',
      'rollback/back/docker',
    ]);
    for (const step of plan.steps) expect(typeof step.description).toBe('string');
    expect(plan.steps[1]!.description).not.toContain('(if');
  });

  it('notes steps whose if reads false and leaves them out of the changes', () => {
    const plan = buildPlan(runbook(), checkInputs(runbook(), 't-stage', { service: 'backend' }, targets, { now: NOW }));
    expect(plan.needsApproval).toBe(false);
    expect(plan.steps[1]!.description).toMatch(/\(if \{\{ inputs\.tag \|\| '' \}\}\)$/);
    expect(plan.changes).toEqual([]);
  });

  it('asks for approval when an approval step applies', () => {
    const gated = runbook({
      risk: 'docs-only',
      phases: { action: [{ id: 'ok', kind: 'approval', with: { always: true } }] },
      rollback: [],
    });
    expect(buildPlan(gated, checkInputs(gated, 't-stage', { service: 'a' }, targets)).needsApproval).toBe(true);
    const prodOnly = runbook({
      risk: 'docs-only',
      phases: { action: [{ id: 'ok', kind: 'approval', with: {} }] },
      rollback: [],
    });
    expect(buildPlan(prodOnly, checkInputs(prodOnly, 't-stage', { service: 'a' }, targets)).needsApproval).toBe(false);
    expect(buildPlan(prodOnly, checkInputs(prodOnly, 't-prod', { service: 'a' }, targets)).needsApproval).toBe(true);
  });

  it('carries the check problems and works without a target', () => {
    const plan = buildPlan(runbook(), checkInputs(runbook(), null, {}, targets));
    expect(plan.targetId).toBeNull();
    expect(plan.environment).toBeNull();
    expect(plan.needsApproval).toBe(false);
    expect(plan.problems).toEqual(['Choose a target to run release on.', 'Input service is required.']);
    expect(plan.steps).toHaveLength(4);
  });
});
