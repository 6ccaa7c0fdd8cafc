import { describe, expect, it } from 'vitest';
import { RunbookDefinition, RUNBOOK_PHASES } from '../../../shared/model/runbook';
import { templatePaths } from '../../../shared/runbook-template';
import type { Target } from '../../../shared/model/target';
import { BUILT_IN_RUNBOOK_INPUTS, BUILT_IN_RUNBOOKS } from '../../../main/services/runbooks/built-in';
import { buildPlan, checkInputs, planScope, stepsInOrder } from '../../../main/services/runbooks/run-plan';
import { STEP_PARAMS } from '../../../shared/model/runbook-steps';
import { fillTemplates, fillText, truthy } from '../../../shared/runbook-template';

const base = {
  secrets: {},
  hostKey: null,
  createdAt: '2024-05-01T10:00:00.000Z',
  updatedAt: '2024-05-01T10:00:00.000Z',
};
const targets: Target[] = [
  {
    ...base,
    id: 't-prod',
    name: 'prod-1',
    environment: 'prod',
    kind: 'docker-ssh',
    settings: { host: 'h', port: 22, username: 'u', socketPath: '/var/run/docker.sock' },
  },
  {
    ...base,
    id: 't-stage',
    name: 'staging-1',
    environment: 'staging',
    kind: 'docker-local',
    settings: { socketPath: '' },
  },
  {
    ...base,
    id: 't-ops',
    name: 'ops-prod',
    environment: 'prod',
    kind: 'ops-api',
    settings: { baseUrl: 'https://ops.example.com' },
  },
];
const NOW = Date.UTC(2024, 4, 1, 15);

const VALID: Record<string, Record<string, string>> = {
  deploy: { service: 'backend', tag: 'v1.4.2' },
  restart: { service: 'worker' },
  healthcheck: { probeScope: 'web' },
  incident: { at: '14:05', repo: 'shop/ops' },
  'schema-sync': { other: 'staging-1', container: 'db' },
  spec: { repo: 'shop/ops' },
};

describe('built-in runbooks', () => {
  it('are the six the app ships, each parsing with the runbook schema', () => {
    expect(BUILT_IN_RUNBOOKS.map((runbook) => runbook.id)).toEqual([
      'deploy',
      'restart',
      'healthcheck',
      'incident',
      'schema-sync',
      'spec',
    ]);
    for (const input of BUILT_IN_RUNBOOK_INPUTS) expect(RunbookDefinition.safeParse(input).error).toBeUndefined();
  });

  it('refer only to inputs they declare and to steps that come earlier', () => {
    for (const runbook of BUILT_IN_RUNBOOKS) {
      const inputs = new Set(runbook.inputs.map((input) => input.name));
      const seen = new Set<string>();
      const texts = (value: unknown): string[] =>
        typeof value === 'string'
          ? [value]
          : Array.isArray(value)
            ? value.flatMap(texts)
            : value && typeof value === 'object'
              ? Object.values(value).flatMap(texts)
              : [];
      for (const { step } of stepsInOrder(runbook)) {
        for (const path of texts(step).flatMap(templatePaths)) {
          const [root, name] = path.split('.');
          if (root === 'inputs') expect(inputs, `${runbook.id}/${step.id}: ${path}`).toContain(name);
          else if (root === 'steps') expect(seen, `${runbook.id}/${step.id}: ${path}`).toContain(name);
          else expect(['target', 'run'], `${runbook.id}/${step.id}: ${path}`).toContain(root);
        }
        seen.add(step.id);
      }
      expect(runbook.commands.length).toBeGreaterThan(0);
    }
  });

  it.each(['t-prod', 't-stage', 't-ops'])('plan without problems given valid inputs on %s', (targetId) => {
    for (const runbook of BUILT_IN_RUNBOOKS) {
      const check = checkInputs(runbook, targetId, VALID[runbook.id]!, targets, { now: NOW });
      const plan = buildPlan(runbook, check);
      expect(plan.problems, runbook.id).toEqual([]);
      const stepCount = RUNBOOK_PHASES.reduce(
        (sum, phase) => sum + (runbook.phases[phase]?.length ?? 0),
        runbook.rollback.length,
      );
      expect(plan.steps).toHaveLength(stepCount);
      expect(plan.needsApproval, runbook.id).toBe(runbook.risk === 'changes-prod' && targetId !== 't-stage');
    }
  });

  it.each(['t-prod', 't-ops'])(
    'give step parameters that still parse once filled, as the executor fills them (%s)',
    (targetId) => {
      for (const runbook of BUILT_IN_RUNBOOKS) {
        // Every optional path taken: a deploy with both a tag and a ref, incidents opening an issue.
        const extra = Object.fromEntries(
          Object.entries({ ref: 'main', repo: 'shop/ops', probeScope: 'web', service: 'backend' }).filter(([name]) =>
            runbook.inputs.some((input) => input.name === name),
          ),
        );
        const check = checkInputs(runbook, targetId, { ...extra, ...VALID[runbook.id]! }, targets, { now: NOW });
        expect(check.problems).toEqual([]);
        const scope = { ...planScope(check), steps: {} };
        for (const { step } of stepsInOrder(runbook)) {
          if (step.if !== undefined && !truthy(fillText(step.if, scope, { lenient: true }))) continue;
          const filled = fillTemplates(step.with, scope, { lenient: true });
          expect(STEP_PARAMS[step.kind].safeParse(filled).error, `${runbook.id}/${step.id}`).toBeUndefined();
        }
      }
    },
  );

  it('fills the incident window around the time given', () => {
    const incident = BUILT_IN_RUNBOOKS.find((runbook) => runbook.id === 'incident')!;
    const check = checkInputs(incident, 't-prod', { at: '2024-05-01T14:05:00Z', window: '10m' }, targets, { now: NOW });
    expect(check.problems).toEqual([]);
    const plan = buildPlan(incident, check);
    expect(plan.steps.map((step) => step.id)).toEqual(['frontend', 'logs', 'probes', 'triage', 'issue', 'summary']);
    // Steps whose condition is false at plan time are still listed, with the condition noted.
    expect(plan.steps.find((step) => step.id === 'issue')!.description).toContain("(if {{ inputs.repo || '' }})");
    expect(plan.steps.find((step) => step.id === 'frontend')!.description).toContain('(if {{ target.isOpsApi }})');
  });

  it('deploy without a tag or service says what is missing', () => {
    const deploy = BUILT_IN_RUNBOOKS.find((runbook) => runbook.id === 'deploy')!;
    expect(checkInputs(deploy, 't-prod', {}, targets).problems).toEqual(['Input service is required (Service).']);
    expect(checkInputs(deploy, null, { service: 'backend' }, targets).problems).toEqual([
      'Choose a target to run deploy on.',
    ]);
  });
});
