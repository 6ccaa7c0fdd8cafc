/**
 * From a runbook and the values a user gave to what a run would do.
 *
 * `checkInputs` is the validate phase's input check (one sentence per bad value); `buildPlan` is
 * the plan card and the dry run's description: every step with its templates filled as far as
 * they can be before the run (later steps' outputs show as ‹steps.id.name›).
 */
import {
  RUNBOOK_PHASES,
  type PlannedStep,
  type RunbookDefinition,
  type RunbookInput,
  type RunbookPhase,
  type RunPlan,
} from '../../../shared/model/runbook';
import type { RunbookStep, StepKindName, StepParams } from '../../../shared/model/runbook-steps';
import type { Target } from '../../../shared/model/target';
import { fillTemplates, fillText, TemplateError, truthy, type TemplateScope } from '../../../shared/runbook-template';
import type { StepKind } from './step-kind';
import { STEP_KINDS_BY_NAME } from './steps';

export interface InputCheck {
  /** Values to run with, defaults applied, secret ones included. */
  values: Record<string, string>;
  /** Values to store and show: secret ones as `[secret]`. */
  shown: Record<string, string>;
  problems: string[];
  target: Target | null;
  /** The targets the check knew: plans resolve steps' own `target:` against them. */
  targets?: readonly Target[];
}

export interface CheckOptions {
  /** The clock's time (ms): a time input written as 14:05 is on this day, in local time. */
  now?: number;
}

export const SECRET_SHOWN = '[secret]';

/** Every step of a runbook in run order, rollback last. */
export function stepsInOrder(runbook: RunbookDefinition): { phase: RunbookPhase | 'rollback'; step: RunbookStep }[] {
  const steps: { phase: RunbookPhase | 'rollback'; step: RunbookStep }[] = [];
  for (const phase of RUNBOOK_PHASES) for (const step of runbook.phases[phase] ?? []) steps.push({ phase, step });
  for (const step of runbook.rollback) steps.push({ phase: 'rollback', step });
  return steps;
}

/**
 * Whether a run needs the run's own target: a changing runbook always does, and so does any
 * runbook with a step that names no target of its own.
 */
export function needsTarget(runbook: RunbookDefinition): boolean {
  if (runbook.risk === 'changes-prod') return true;
  return stepsInOrder(runbook).some(({ step }) => !step.target);
}

/** A target by id, else by name (case-insensitive). */
export function findTarget(targets: readonly Target[], idOrName: string): Target | null {
  const wanted = idOrName.trim().toLowerCase();
  return (
    targets.find((target) => target.id === idOrName) ??
    targets.find((target) => target.name.toLowerCase() === wanted) ??
    null
  );
}

export function checkInputs(
  runbook: RunbookDefinition,
  targetId: string | null,
  inputs: Record<string, string>,
  targets: readonly Target[],
  options: CheckOptions = {},
): InputCheck {
  const problems: string[] = [];
  const values: Record<string, string> = {};
  const shown: Record<string, string> = {};

  let target: Target | null = null;
  if (targetId) {
    target = findTarget(targets, targetId);
    if (!target) problems.push(`There is no target "${targetId}" — choose one of ${targetNames(targets)}.`);
  } else if (needsTarget(runbook)) {
    problems.push(`Choose a target to run ${runbook.id} on.`);
  }

  const declared = new Set(runbook.inputs.map((input) => input.name));
  for (const name of Object.keys(inputs)) {
    if (declared.has(name)) continue;
    const known = runbook.inputs.map((input) => input.name);
    problems.push(
      known.length
        ? `${runbook.id} has no input called ${name} (it takes ${known.join(', ')}).`
        : `${runbook.id} has no input called ${name} (it takes none).`,
    );
  }

  for (const input of runbook.inputs) {
    const given = inputs[input.name];
    let raw =
      given !== undefined && given.trim() !== ''
        ? given.trim()
        : input.default !== undefined
          ? String(input.default)
          : '';
    if (input.type === 'secret' && given !== undefined && given !== '') raw = given; // secrets are used as typed
    if (raw === '') {
      if (input.required) problems.push(`Input ${input.name} is required${input.label ? ` (${input.label})` : ''}.`);
      values[input.name] = '';
      continue;
    }
    const checked = checkValue(input, raw, targets, options);
    if ('problem' in checked) {
      problems.push(checked.problem);
      values[input.name] = raw;
    } else {
      values[input.name] = checked.value;
    }
    shown[input.name] = input.type === 'secret' ? SECRET_SHOWN : values[input.name]!;
  }

  return { values, shown, problems, target, targets };
}

function checkValue(
  input: RunbookInput,
  raw: string,
  targets: readonly Target[],
  options: CheckOptions,
): { value: string } | { problem: string } {
  const got = `(got "${input.type === 'secret' ? SECRET_SHOWN : raw}")`;
  let value = raw;
  switch (input.type) {
    case 'number':
      if (!/^-?\d+(\.\d+)?$/.test(raw)) return { problem: `Input ${input.name} must be a number ${got}.` };
      break;
    case 'boolean': {
      const lower = raw.toLowerCase();
      if (lower !== 'true' && lower !== 'false')
        return { problem: `Input ${input.name} must be true or false ${got}.` };
      value = lower;
      break;
    }
    case 'target': {
      const found = findTarget(targets, raw);
      if (!found)
        return {
          problem: `Input ${input.name} must be a target's name ${got} — the targets are ${targetNames(targets)}.`,
        };
      value = found.name;
      break;
    }
    case 'time': {
      const iso = normaliseTime(raw, options.now);
      if (!iso) return { problem: `Input ${input.name} must be a time like 14:05 or 2024-05-01T14:05:00Z ${got}.` };
      value = iso;
      break;
    }
    default:
      break;
  }
  if (input.allowed && !input.allowed.includes(value)) {
    return { problem: `Input ${input.name} must be one of ${input.allowed.join(', ')} ${got}.` };
  }
  if (input.pattern !== undefined) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(`^(?:${input.pattern})$`);
    } catch {
      return {
        problem: `Input ${input.name}'s pattern ${input.pattern} is not a valid regular expression — fix the runbook.`,
      };
    }
    if (!pattern.test(value)) return { problem: `Input ${input.name} must match ${input.pattern} ${got}.` };
  }
  return { value };
}

/** `14:05` (on the clock's day, local time) or an ISO date-time → ISO; null when it does not read. */
export function normaliseTime(text: string, now: number | undefined): string | null {
  const clock = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (clock) {
    const [hours, minutes, seconds] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
    if (hours > 23 || minutes > 59 || seconds > 59) return null;
    // Without a clock there is no "today" to put the time on.
    if (now === undefined) return null;
    const day = new Date(now);
    day.setHours(hours, minutes, seconds, 0);
    return day.toISOString();
  }
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(text.trim())) return null;
  const parsed = Date.parse(text.trim());
  return Number.isNaN(parsed) ? null : new Date(parsed).toISOString();
}

function targetNames(targets: readonly Target[]): string {
  return targets.length ? targets.map((target) => target.name).join(', ') : 'none (add a target first)';
}

/** The `target` a template reads: the run scope the executor builds has the same fields. */
export function targetScope(target: Target | null): Record<string, unknown> | null {
  if (!target) return null;
  return {
    id: target.id,
    name: target.name,
    environment: target.environment,
    kind: target.kind,
    isDocker: target.kind === 'docker-ssh' || target.kind === 'docker-local',
    isOpsApi: target.kind === 'ops-api',
  };
}

/** What templates read at plan time: the run and later step outputs do not exist yet. */
export function planScope(check: InputCheck): TemplateScope {
  const scope: TemplateScope = { inputs: check.values, run: { id: '‹run›' } };
  const target = targetScope(check.target);
  if (target) scope.target = target;
  return scope;
}

type IfReading = 'true' | 'false' | 'unknown';

function readIf(condition: string | undefined, scope: TemplateScope): IfReading {
  if (condition === undefined) return 'true';
  const missing: string[] = [];
  try {
    const value = fillText(condition, scope, { lenient: true, missing });
    if (missing.some((path) => path.startsWith('steps.'))) return 'unknown';
    if (missing.length) return 'false';
    return truthy(value) ? 'true' : 'false';
  } catch (error) {
    if (error instanceof TemplateError) return 'false';
    throw error;
  }
}

function stepTarget(step: RunbookStep, scope: TemplateScope, check: InputCheck): Target | null {
  if (!step.target) return check.target;
  try {
    const name = fillText(step.target, scope, { lenient: true });
    return typeof name === 'string' ? findTarget(check.targets ?? [], name) : null;
  } catch {
    return null;
  }
}

function planStep(
  phase: RunbookPhase | 'rollback',
  step: RunbookStep,
  scope: TemplateScope,
  check: InputCheck,
): { planned: PlannedStep; runs: boolean } {
  const reading = readIf(step.if, scope);
  const kind = STEP_KINDS_BY_NAME[step.kind] as unknown as StepKind<StepKindName>;
  let params: StepParams<StepKindName>;
  try {
    params = fillTemplates(step.with, scope, { lenient: true }) as StepParams<StepKindName>;
  } catch {
    // A template that is not a path (caught when the file loads): describe it as written.
    params = step.with as StepParams<StepKindName>;
  }
  const target = stepTarget(step, scope, check);
  let description: string;
  let changes: boolean;
  let repeatable: boolean;
  try {
    description = kind.describe(params, target);
    changes = kind.changes(params);
    repeatable = kind.repeatable(params);
  } catch {
    description = step.name ?? `${step.kind} step`;
    changes = false;
    repeatable = true;
  }
  if (reading !== 'true') description = `${description} (if ${step.if})`;
  return {
    planned: { phase, id: step.id, kind: step.kind, description, changes, repeatable },
    runs: reading !== 'false',
  };
}

export function buildPlan(runbook: RunbookDefinition, check: InputCheck): RunPlan {
  const scope = planScope(check);
  const steps: PlannedStep[] = [];
  const changes: string[] = [];
  let approvalStepApplies = false;
  const environment = check.target?.environment ?? null;
  const approvalEnvironment = environment !== null && runbook.approval.environments.includes(environment);

  for (const { phase, step } of stepsInOrder(runbook)) {
    const { planned, runs } = planStep(phase, step, scope, check);
    steps.push(planned);
    if (phase === 'action' && planned.changes && runs) changes.push(planned.description);
    if (step.kind === 'approval' && runs && phase !== 'rollback') {
      const always =
        readIf(typeof step.with.always === 'string' ? step.with.always : String(step.with.always), scope) === 'true';
      if (always || approvalEnvironment) approvalStepApplies = true;
    }
  }

  return {
    runbookId: runbook.id,
    title: runbook.title,
    risk: runbook.risk,
    targetId: check.target?.id ?? null,
    targetName: check.target?.name ?? null,
    environment,
    inputs: check.shown,
    problems: check.problems,
    steps,
    changes,
    needsApproval: (runbook.risk === 'changes-prod' && approvalEnvironment) || approvalStepApplies,
  };
}

/**
 * A plan for a command-bar text: the parser's sentences (why it took no target) come first and
 * replace the plain "Choose a target" they explain.
 */
export function withCommandProblems(plan: RunPlan, problems: readonly string[] | undefined): RunPlan {
  if (!problems?.length) return plan;
  const chooseTarget = `Choose a target to run ${plan.runbookId} on.`;
  return { ...plan, problems: [...problems, ...plan.problems.filter((problem) => problem !== chooseTarget)] };
}
