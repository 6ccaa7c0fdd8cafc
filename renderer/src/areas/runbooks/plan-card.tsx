/**
 * The plan card: what a run would do before it starts — runbook, target, inputs, risk, problems,
 * the phases with their steps, what will change and whether prod needs an approval. Run and Dry
 * run start it and open the run viewer; Edit changes the target and inputs and asks main for the
 * plan again (debounced), so what is shown is always what would run.
 *
 * The command bar and a failing probe's "Run <runbook>" show the same card.
 */
import { useEffect, useId, useMemo, useState } from 'react';
import type { RiskLevel, RunPlan, RunStartInput, RunSummary, RunbookSummary } from '../../../../shared/model/runbook';
import { toApiError } from '../../api/open-api';
import { navigate } from '../../app/routes';
import { useTargets } from '../../app/targets-store';
import { EnvBadge } from '../../components/env-badge';
import { PencilIcon, PlayIcon, ShieldIcon, WarningIcon } from '../../components/icons';
import { PHASE_LABELS, RISK_LABELS, SECRET_SHOWN, stepsByPhase, typedInputs } from './command-model';
import { InputFields, TargetField } from './input-fields';
import { useRunbooksApi } from './runbooks-api';
import '../../styles/panels.css';
import '../../styles/runbooks-command.css';

/** How long Edit waits after the last change before asking for the plan again. */
export const REPLAN_DELAY_MS = 300;

export function RiskBadge({ risk }: { risk: RiskLevel }) {
  return <span className={`risk-badge risk-${risk}`}>{RISK_LABELS[risk]}</span>;
}

export interface PlanChoice {
  targetId: string | null;
  inputs: Record<string, string>;
}

interface PlanCardProps {
  plan: RunPlan;
  /** Values as typed, secrets included (the plan only shows `[secret]`); the plan's own by default. */
  inputs?: Record<string, string>;
  onCancel(): void;
  /** Called once a run started, before the viewer opens. */
  onStarted?(run: RunSummary): void;
  /** Starts the run; `runs:start` by default (a probe's remediation starts its own way when unedited). */
  start?(request: RunStartInput & PlanChoice, edited: boolean): Promise<RunSummary>;
}

export function PlanCard({ plan: initialPlan, inputs, onCancel, onStarted, start }: PlanCardProps) {
  const runbooks = useRunbooksApi();
  const [plan, setPlan] = useState(initialPlan);
  const [choice, setChoice] = useState<PlanChoice>(() => ({
    targetId: initialPlan.targetId,
    inputs: inputs ?? typedInputs(initialPlan.inputs),
  }));
  const [edited, setEdited] = useState(false);
  const [editing, setEditing] = useState(false);
  const [replanning, setReplanning] = useState(false);
  const [replanError, setReplanError] = useState<string>();
  const [starting, setStarting] = useState<'run' | 'dry-run'>();
  const [startError, setStartError] = useState<string>();
  const titleId = useId();

  // Each edit asks for the plan again once typing pauses; only the newest answer is shown.
  useEffect(() => {
    if (!edited) return;
    let current = true;
    const timer = setTimeout(() => {
      runbooks.plan({ runbookId: initialPlan.runbookId, targetId: choice.targetId, inputs: choice.inputs }).then(
        (next) => {
          if (!current) return;
          setPlan(next);
          setReplanError(undefined);
          setReplanning(false);
        },
        (caught: unknown) => {
          if (!current) return;
          setReplanError(toApiError(caught).message);
          setReplanning(false);
        },
      );
    }, REPLAN_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [runbooks, initialPlan.runbookId, choice, edited]);

  function change(next: PlanChoice) {
    setChoice(next);
    setEdited(true);
    setReplanning(true);
    setStartError(undefined);
  }

  function run(dryRun: boolean) {
    setStarting(dryRun ? 'dry-run' : 'run');
    setStartError(undefined);
    const request = { runbookId: plan.runbookId, targetId: choice.targetId, inputs: choice.inputs, dryRun };
    (start ? start(request, edited) : runbooks.startRun(request)).then(
      (started) => {
        onStarted?.(started);
        navigate('runbooks', `run/${started.id}`);
      },
      (caught: unknown) => {
        setStartError(toApiError(caught).message);
        setStarting(undefined);
      },
    );
  }

  const blocked = plan.problems.length > 0;
  const busy = starting !== undefined;
  const groups = stepsByPhase(plan.steps);
  return (
    <section
      className={`plan-card env-edge-header ${plan.environment ? `env-edge-${plan.environment}` : ''}`}
      aria-labelledby={titleId}
      data-testid="plan-card"
    >
      <header className="plan-card-head">
        <div className="plan-card-title">
          <h3 id={titleId}>{plan.title}</h3>
          <RiskBadge risk={plan.risk} />
        </div>
        <p className="plan-card-target" data-testid="plan-target">
          {plan.targetName ? (
            <>
              on <strong>{plan.targetName}</strong>{' '}
              {plan.environment ? <EnvBadge environment={plan.environment} /> : null}
            </>
          ) : (
            <span className="muted">No target</span>
          )}
          {replanning ? (
            <span className="plan-card-updating muted" role="status">
              <span className="spinner" aria-hidden="true" /> Updating the plan…
            </span>
          ) : null}
        </p>
      </header>

      {Object.keys(plan.inputs).length > 0 ? (
        <dl className="plan-inputs" aria-label="Inputs">
          {Object.entries(plan.inputs).map(([name, value]) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd className={value === SECRET_SHOWN ? 'plan-secret' : 'mono'}>{value === '' ? '—' : value}</dd>
            </div>
          ))}
        </dl>
      ) : null}

      {blocked ? (
        <ul className="plan-problems" aria-label="Problems" data-testid="plan-problems">
          {plan.problems.map((problem) => (
            <li key={problem} className="form-error">
              <WarningIcon size={14} /> {problem}
            </li>
          ))}
        </ul>
      ) : null}

      {groups.length > 0 ? (
        <ol className="plan-phases" aria-label="Phases">
          {groups.map((group) => (
            <li key={group.phase} className={`plan-phase plan-phase-${group.phase}`}>
              <h4>{PHASE_LABELS[group.phase]}</h4>
              <ol className="plan-steps">
                {group.steps.map((step) => (
                  <li key={`${group.phase}:${step.id}`} className={step.changes ? 'plan-step changes' : 'plan-step'}>
                    <span className="plan-step-text">{step.description}</span>
                    {step.changes ? <span className="changes-mark">changes</span> : null}
                  </li>
                ))}
              </ol>
            </li>
          ))}
        </ol>
      ) : null}

      <div className="plan-changes">
        <h4>What will change</h4>
        {plan.changes.length > 0 ? (
          <ul aria-label="What will change">
            {plan.changes.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        ) : (
          <p className="muted">Nothing: this runbook only reads.</p>
        )}
      </div>

      {plan.needsApproval ? (
        <p className="prod-note plan-approval-note" data-testid="plan-needs-approval">
          <ShieldIcon size={14} /> <strong>Needs approval on {plan.environment ?? 'prod'}</strong> — the run stops after
          preflight and shows its evidence; you approve by typing the target’s name.
        </p>
      ) : null}

      {editing ? <PlanEditForm plan={plan} choice={choice} onChange={change} disabled={busy} /> : null}

      {replanError ? (
        <p className="form-error" role="alert">
          <WarningIcon size={14} /> {replanError}
        </p>
      ) : null}
      {startError ? (
        <p className="form-error" role="alert">
          <WarningIcon size={14} /> {startError}
        </p>
      ) : null}

      <div className="plan-actions">
        <button
          type="button"
          className={plan.environment === 'prod' ? 'button button-danger' : 'button button-primary'}
          disabled={blocked || busy || replanning}
          title={blocked ? 'Fix the problems above first.' : undefined}
          onClick={() => run(false)}
        >
          {starting === 'run' ? <span className="spinner" aria-hidden="true" /> : <PlayIcon size={13} />} Run
        </button>
        <button type="button" className="button" disabled={busy || replanning} onClick={() => run(true)}>
          {starting === 'dry-run' ? <span className="spinner" aria-hidden="true" /> : null} Dry run
        </button>
        <button
          type="button"
          className="button"
          aria-expanded={editing}
          disabled={busy}
          onClick={() => setEditing((open) => !open)}
        >
          <PencilIcon size={13} /> {editing ? 'Done editing' : 'Edit'}
        </button>
        <button type="button" className="button button-quiet" disabled={busy} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}

/** Edit: the target and each input by its type; every change asks for the plan again. */
function PlanEditForm({
  plan,
  choice,
  onChange,
  disabled,
}: {
  plan: RunPlan;
  choice: PlanChoice;
  onChange(next: PlanChoice): void;
  disabled: boolean;
}) {
  const runbooks = useRunbooksApi();
  const targets = useTargets();
  const [summary, setSummary] = useState<RunbookSummary | null>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let current = true;
    runbooks.listRunbooks().then(
      (list) => current && setSummary(list.find((runbook) => runbook.id === plan.runbookId) ?? null),
      (caught: unknown) => current && setError(toApiError(caught).message),
    );
    return () => {
      current = false;
    };
  }, [runbooks, plan.runbookId]);

  const targetList = useMemo(() => (targets.state === 'ready' ? targets.targets : []), [targets]);
  return (
    <fieldset className="plan-edit form-body" aria-label="Edit the plan">
      <TargetField
        label="Target"
        targets={targetList}
        targetId={choice.targetId}
        disabled={disabled}
        onChange={(targetId) => onChange({ ...choice, targetId })}
      />
      {error ? (
        <p className="form-error" role="alert">
          <WarningIcon size={14} /> {error}
        </p>
      ) : null}
      {summary === undefined && !error ? <p className="loading">Loading the runbook’s inputs…</p> : null}
      {summary ? (
        <InputFields
          inputs={summary.inputs}
          values={choice.inputs}
          targets={targetList}
          disabled={disabled}
          onChange={(name, value) => onChange({ ...choice, inputs: { ...choice.inputs, [name]: value } })}
        />
      ) : null}
    </fieldset>
  );
}
