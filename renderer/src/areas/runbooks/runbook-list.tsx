/**
 * Every runbook: the built-ins and the folder's YAML files, with their risk; a file that did not
 * load shows its problems line by line. New runbook, Edit (a built-in opens read-only, to save
 * as a copy) and Plan… (the command bar's plan card for it).
 */
import { useEffect, useState } from 'react';
import type { RunPlan, RunbookSummary } from '../../../../shared/model/runbook';
import { toApiError } from '../../api/open-api';
import { navigate } from '../../app/routes';
import { PencilIcon, PlusIcon, WarningIcon } from '../../components/icons';
import { Dialog } from '../../components/dialog';
import { PlanCard, RiskBadge } from './plan-card';
import { useRunbooksApi } from './runbooks-api';

export function RunbookList() {
  const runbooks = useRunbooksApi();
  const [list, setList] = useState<RunbookSummary[]>();
  const [error, setError] = useState<string>();
  const [planning, setPlanning] = useState<RunbookSummary>();

  useEffect(() => {
    let current = true;
    runbooks.listRunbooks().then(
      (value) => current && setList(value),
      (caught: unknown) => current && setError(toApiError(caught).message),
    );
    return () => {
      current = false;
    };
  }, [runbooks]);

  const builtIn = list?.filter((runbook) => runbook.source === 'built-in') ?? [];
  const files = list?.filter((runbook) => runbook.source === 'file') ?? [];

  return (
    <div className="runbook-list">
      <div className="runbooks-toolbar">
        <p className="muted">
          Custom runbooks are YAML files in the app’s runbooks folder; a file with errors never stops the others.
        </p>
        <span className="spacer" />
        <button type="button" className="button button-primary" onClick={() => navigate('runbooks', 'new')}>
          <PlusIcon /> New runbook
        </button>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          Could not list the runbooks: {error}
        </p>
      ) : null}
      {list === undefined ? (
        error ? null : (
          <p className="loading">Loading runbooks…</p>
        )
      ) : (
        <>
          <RunbookGroup title="Built-in" runbooks={builtIn} empty="No built-in runbooks." onPlan={setPlanning} />
          <RunbookGroup
            title="Files"
            runbooks={files}
            empty="No runbook files yet: New runbook writes one, or copy a built-in."
            onPlan={setPlanning}
          />
        </>
      )}
      {planning ? <PlanDialog runbook={planning} onClose={() => setPlanning(undefined)} /> : null}
    </div>
  );
}

function RunbookGroup({
  title,
  runbooks,
  empty,
  onPlan,
}: {
  title: string;
  runbooks: RunbookSummary[];
  empty: string;
  onPlan(runbook: RunbookSummary): void;
}) {
  return (
    <section className="runbook-group" aria-label={`${title} runbooks`}>
      <h2 className="run-section-title">{title}</h2>
      {runbooks.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul className="runbook-cards">
          {runbooks.map((runbook) => (
            <RunbookCard key={`${runbook.source}:${runbook.file ?? runbook.id}`} runbook={runbook} onPlan={onPlan} />
          ))}
        </ul>
      )}
    </section>
  );
}

function RunbookCard({ runbook, onPlan }: { runbook: RunbookSummary; onPlan(runbook: RunbookSummary): void }) {
  const broken = runbook.errors.length > 0;
  return (
    <li className={`runbook-card ${broken ? 'has-errors' : ''}`} data-runbook={runbook.id}>
      <div className="runbook-card-main">
        <div className="runbook-card-title">
          <strong>{runbook.title}</strong>
          <span className="mono muted">{runbook.file ?? runbook.id}</span>
          {/* A file that did not load has no risk to speak of yet. */}
          {broken ? null : <RiskBadge risk={runbook.risk} />}
          {broken ? (
            <span className="run-badge tone-danger">
              {runbook.errors.length} {runbook.errors.length === 1 ? 'error' : 'errors'}
            </span>
          ) : null}
        </div>
        {runbook.description ? <p className="runbook-card-description">{runbook.description}</p> : null}
        {runbook.commands.length ? (
          <p className="runbook-card-commands muted">
            Say:{' '}
            {runbook.commands.slice(0, 3).map((command, index) => (
              <span key={command}>
                {index ? ', ' : ''}
                <span className="mono">{command}</span>
              </span>
            ))}
          </p>
        ) : null}
        {broken ? (
          <ul className="runbook-errors" aria-label={`Errors in ${runbook.file ?? runbook.id}`}>
            {runbook.errors.map((error, index) => (
              <li key={index}>
                <WarningIcon size={13} />
                <span>
                  <span className="mono">{error.line !== null ? `line ${error.line}` : 'file'}</span>: {error.message}
                </span>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      <div className="runbook-card-actions">
        <button
          type="button"
          className="button button-small"
          disabled={broken}
          title={broken ? 'Fix its errors first.' : 'Open the plan card for this runbook'}
          onClick={() => onPlan(runbook)}
        >
          Plan…
        </button>
        <button
          type="button"
          className="button button-small"
          aria-label={`${runbook.source === 'built-in' ? 'View' : 'Edit'} ${runbook.title}`}
          onClick={() => navigate('runbooks', `edit/${encodeURIComponent(runbook.id)}`)}
        >
          <PencilIcon size={13} /> {runbook.source === 'built-in' ? 'View' : 'Edit'}
        </button>
      </div>
    </li>
  );
}

/** The command bar's plan card for a runbook picked from the list: no target or inputs yet, Edit fills them. */
function PlanDialog({ runbook, onClose }: { runbook: RunbookSummary; onClose(): void }) {
  const runbooks = useRunbooksApi();
  const [plan, setPlan] = useState<RunPlan>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let current = true;
    runbooks.plan({ runbookId: runbook.id, targetId: null, inputs: {} }).then(
      (value) => current && setPlan(value),
      (caught: unknown) => current && setError(toApiError(caught).message),
    );
    return () => {
      current = false;
    };
  }, [runbooks, runbook.id]);
  return (
    <Dialog title={`Plan: ${runbook.title}`} onClose={onClose} className="command-bar">
      {plan ? (
        <PlanCard plan={plan} onCancel={onClose} onStarted={onClose} />
      ) : error ? (
        <p className="form-error" role="alert">
          <WarningIcon size={14} /> Could not plan {runbook.title}: {error}
        </p>
      ) : (
        <p className="loading">Planning…</p>
      )}
    </Dialog>
  );
}
