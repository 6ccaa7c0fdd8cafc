/**
 * From a runbook and the values a user gave to what a run would do. NOT BUILT YET.
 *
 * `checkInputs` is the validate phase's input check (one sentence per bad value); `buildPlan` is
 * the plan card and the dry run's description: every step with its templates filled as far as
 * they can be before the run (later steps' outputs show as ‹steps.id.name›).
 */
import type { RunbookDefinition, RunPlan } from '../../../shared/model/runbook';
import type { Target } from '../../../shared/model/target';

export interface InputCheck {
  /** Values to run with, defaults applied, secret ones included. */
  values: Record<string, string>;
  /** Values to store and show: secret ones as `[secret]`. */
  shown: Record<string, string>;
  problems: string[];
  target: Target | null;
}

export function checkInputs(
  _runbook: RunbookDefinition,
  _targetId: string | null,
  _inputs: Record<string, string>,
  _targets: readonly Target[],
): InputCheck {
  throw new Error('Input checks are not built yet.');
}

export function buildPlan(_runbook: RunbookDefinition, _check: InputCheck): RunPlan {
  throw new Error('Plans are not built yet.');
}
