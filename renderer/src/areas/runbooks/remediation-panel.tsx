/**
 * A probe's remediation, on its page: the runbook (with target and inputs) to run when it fails.
 * While the probe is failing, "Run <runbook>" opens the same plan card as the command bar, and
 * the run goes through the same approval and lock as any other.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { Remediation, RunPlan, RunbookSummary } from '../../../../shared/model/runbook';
import type { Target } from '../../../../shared/model/target';
import { toApiError } from '../../api/open-api';
import { useTargets } from '../../app/targets-store';
import { Dialog } from '../../components/dialog';
import { Field } from '../../components/field';
import { PlayIcon, WarningIcon } from '../../components/icons';
import { InputFields, TargetField } from './input-fields';
import { PlanCard } from './plan-card';
import { useRunbooksApi } from './runbooks-api';
import '../../styles/runbooks-command.css';

interface RemediationPanelProps {
  probeId: string;
  /** The probe's own target: a new remediation runs there unless another is chosen. */
  target: Target | undefined;
  /** Whether the probe is failing now: only then is "Run <runbook>" offered. */
  failing: boolean;
}

type Loaded = { runbooks: RunbookSummary[]; remediation: Remediation | null };

export function RemediationPanel({ probeId, target, failing }: RemediationPanelProps) {
  const runbooks = useRunbooksApi();
  const [loaded, setLoaded] = useState<Loaded>();
  const [error, setError] = useState<string>();
  const [plan, setPlan] = useState<{ plan: RunPlan; remediation: Remediation }>();
  const [planning, setPlanning] = useState(false);
  const titleId = useId();

  useEffect(() => {
    let current = true;
    Promise.all([runbooks.listRunbooks(), runbooks.remediations()]).then(
      ([list, remediations]) =>
        current &&
        setLoaded({
          runbooks: list.filter((runbook) => runbook.errors.length === 0),
          remediation: remediations.find((entry) => entry.probeId === probeId) ?? null,
        }),
      (caught: unknown) => current && setError(toApiError(caught).message),
    );
    return () => {
      current = false;
    };
  }, [runbooks, probeId]);

  const saved = loaded?.remediation ?? null;
  const savedRunbook = saved ? loaded?.runbooks.find((runbook) => runbook.id === saved.runbookId) : undefined;

  function openPlan(remediation: Remediation) {
    setPlanning(true);
    setError(undefined);
    runbooks
      .plan({ runbookId: remediation.runbookId, targetId: remediation.targetId, inputs: remediation.inputs })
      .then(
        (next) => {
          setPlan({ plan: next, remediation });
          setPlanning(false);
        },
        (caught: unknown) => {
          setError(toApiError(caught).message);
          setPlanning(false);
        },
      );
  }

  return (
    <section className="probe-panel remediation-panel" aria-labelledby={titleId} data-testid="remediation-panel">
      <div className="probe-panel-head">
        <h3 id={titleId}>Remediation</h3>
        <span className="muted">
          {saved ? (
            <>
              runs <strong>{savedRunbook?.title ?? saved.runbookId}</strong> when asked while this probe fails
            </>
          ) : (
            'a runbook to offer when this probe fails'
          )}
        </span>
      </div>
      {saved && failing ? (
        <div className="remediation-actions">
          <button type="button" className="button button-primary" disabled={planning} onClick={() => openPlan(saved)}>
            {planning ? <span className="spinner" aria-hidden="true" /> : <PlayIcon size={13} />} Run{' '}
            {savedRunbook?.title ?? saved.runbookId}
          </button>
        </div>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          <WarningIcon size={14} /> {error}
        </p>
      ) : null}
      {loaded ? (
        <RemediationForm
          key={JSON.stringify(saved)}
          probeId={probeId}
          runbooks={loaded.runbooks}
          saved={saved}
          defaultTargetId={target?.id ?? null}
          onSaved={(remediation) => setLoaded({ ...loaded, remediation })}
        />
      ) : !error ? (
        <p className="loading">Loading runbooks…</p>
      ) : null}
      {plan ? (
        <Dialog title={`Run ${plan.plan.title}`} className="plan-dialog" onClose={() => setPlan(undefined)}>
          <PlanCard
            plan={plan.plan}
            inputs={plan.remediation.inputs}
            onCancel={() => setPlan(undefined)}
            onStarted={() => setPlan(undefined)}
            // Unedited, it starts as the probe's remediation (its origin says so); edited, as a plain run.
            start={(request, edited) =>
              edited ? runbooks.startRun(request) : runbooks.remediate(probeId, request.dryRun ?? false)
            }
          />
        </Dialog>
      ) : null}
    </section>
  );
}

function RemediationForm({
  probeId,
  runbooks: list,
  saved,
  defaultTargetId,
  onSaved,
}: {
  probeId: string;
  runbooks: RunbookSummary[];
  saved: Remediation | null;
  defaultTargetId: string | null;
  onSaved(remediation: Remediation | null): void;
}) {
  const runbooks = useRunbooksApi();
  const targets = useTargets();
  const targetList = targets.state === 'ready' ? targets.targets : [];
  const [runbookId, setRunbookId] = useState(saved?.runbookId ?? '');
  const [targetId, setTargetId] = useState<string | null>(saved ? saved.targetId : defaultTargetId);
  const [inputs, setInputs] = useState<Record<string, string>>(saved?.inputs ?? {});
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean }>();
  const chosen = list.find((runbook) => runbook.id === runbookId);

  function save(event: FormEvent, next: string | null) {
    event.preventDefault();
    setSaving(true);
    setMessage(undefined);
    runbooks
      .setRemediation({ probeId, runbookId: next, targetId: next ? targetId : null, inputs: next ? inputs : {} })
      .then(
        ({ remediation }) => {
          setSaving(false);
          onSaved(remediation);
        },
        (caught: unknown) => {
          setSaving(false);
          setMessage({ text: toApiError(caught).message, error: true });
        },
      );
  }

  return (
    <form
      className="remediation-form"
      onSubmit={(event) => save(event, runbookId || null)}
      aria-label="Remediation runbook"
    >
      <Field label="Runbook">
        {(control) => (
          <select
            {...control}
            className="input select"
            value={runbookId}
            disabled={saving}
            onChange={(event) => {
              setRunbookId(event.target.value);
              setInputs({});
            }}
          >
            <option value="">None</option>
            {list.map((runbook) => (
              <option key={runbook.id} value={runbook.id}>
                {runbook.title}
              </option>
            ))}
          </select>
        )}
      </Field>
      {chosen ? (
        <>
          <TargetField
            label="Run on"
            targets={targetList}
            targetId={targetId}
            disabled={saving}
            onChange={setTargetId}
          />
          <InputFields
            inputs={chosen.inputs.filter((input) => input.type !== 'secret')}
            values={inputs}
            targets={targetList}
            disabled={saving}
            onChange={(name, value) => setInputs((current) => ({ ...current, [name]: value }))}
          />
        </>
      ) : null}
      <div className="remediation-actions">
        <button type="submit" className="button" disabled={saving || (!runbookId && !saved)}>
          {saving ? <span className="spinner" aria-hidden="true" /> : null} Save remediation
        </button>
        {message ? (
          <p className={message.error ? 'form-error' : 'muted'} role={message.error ? 'alert' : 'status'}>
            {message.error ? <WarningIcon size={14} /> : null} {message.text}
          </p>
        ) : null}
      </div>
    </form>
  );
}
