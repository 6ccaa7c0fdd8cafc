/**
 * The approval card: a run that changes prod stopped after preflight. It shows the evidence as
 * it was frozen then (facts and what the action will change), which facts changed since an
 * earlier approval, and the evidence hash that approving names — so what was approved is exactly
 * what was shown. Approving takes the target's name typed out.
 *
 * The run viewer renders it while the run awaits approval.
 */
import { useId, useState } from 'react';
import type { ApprovalRequest, RunDetail } from '../../../../shared/model/runbook';
import { toApiError } from '../../api/open-api';
import { EnvBadge } from '../../components/env-badge';
import { ShieldIcon, StopIcon, WarningIcon } from '../../components/icons';
import { useNow } from '../../components/use-now';
import { confirmationMatches, formatCountdown, shortHash } from './command-model';
import { useRunbooksApi } from './runbooks-api';
import '../../styles/panels.css';
import '../../styles/runbooks-command.css';

export function ApprovalCard({ detail, onDone }: { detail: RunDetail; onDone?(): void }) {
  const approval = detail.approval;
  if (detail.run.status !== 'awaiting-approval' || !approval) return null;
  // A new evidence snapshot (a stale approval asked again) starts with an empty confirmation.
  return (
    <PendingApproval
      key={approval.evidence.hash}
      runId={detail.run.id}
      approval={approval}
      detail={detail}
      onDone={onDone}
    />
  );
}

function PendingApproval({
  runId,
  approval,
  detail,
  onDone,
}: {
  runId: string;
  approval: ApprovalRequest;
  detail: RunDetail;
  onDone?(): void;
}) {
  const runbooks = useRunbooksApi();
  const now = useNow(1000);
  const [typed, setTyped] = useState('');
  const [sending, setSending] = useState<'approve' | 'cancel'>();
  const [error, setError] = useState<string>();
  const titleId = useId();
  const fieldId = useId();
  const { evidence, changed, confirmText } = approval;
  const changedKeys = new Set(changed.map((fact) => fact.key));
  const matches = confirmationMatches(typed, confirmText);
  const countdown = formatCountdown(approval.expiresAt, now);
  const expired = Date.parse(approval.expiresAt) <= now;

  function settle(request: Promise<unknown>, action: 'approve' | 'cancel') {
    setSending(action);
    setError(undefined);
    request.then(
      () => {
        setSending(undefined);
        onDone?.();
      },
      (caught: unknown) => {
        setError(toApiError(caught).message);
        setSending(undefined);
      },
    );
  }

  return (
    <section
      className={`approval-card env-edge-header ${detail.run.environment ? `env-edge-${detail.run.environment}` : ''}`}
      aria-labelledby={titleId}
      data-testid="approval-card"
    >
      <header className="approval-head">
        <h3 id={titleId}>
          <ShieldIcon size={16} />
          <span>
            Awaiting approval —{' '}
            <span data-testid="approval-countdown">{expired ? 'expired' : `expires in ${countdown}`}</span>
          </span>
        </h3>
        <p className="muted">
          {detail.run.runbookTitle}
          {detail.run.targetName ? (
            <>
              {' '}
              on <strong>{detail.run.targetName}</strong>{' '}
              {detail.run.environment ? <EnvBadge environment={detail.run.environment} /> : null}
            </>
          ) : null}
          {' · '}
          <span className="mono" title={evidence.hash} data-testid="evidence-hash">
            evidence {shortHash(evidence.hash)}
          </span>
        </p>
      </header>

      {changed.length > 0 ? (
        <div className="approval-changed" role="alert" data-testid="approval-changed">
          <WarningIcon size={14} />
          <div>
            <strong>Changed since the last approval:</strong>
            <ul>
              {changed.map((fact) => (
                <li key={fact.key}>
                  {fact.label}: <span className="mono">{fact.before}</span> → <span className="mono">{fact.after}</span>
                </li>
              ))}
            </ul>
          </div>
        </div>
      ) : null}

      <table className="approval-facts" aria-label="Evidence">
        <thead>
          <tr>
            <th scope="col">Fact</th>
            <th scope="col">Value at preflight</th>
          </tr>
        </thead>
        <tbody>
          {evidence.facts.map((fact) => (
            <tr
              key={fact.key}
              className={changedKeys.has(fact.key) ? 'is-changed' : undefined}
              data-changed={changedKeys.has(fact.key) || undefined}
            >
              <th scope="row">{fact.label}</th>
              <td className="mono">{fact.value}</td>
            </tr>
          ))}
          {evidence.facts.length === 0 ? (
            <tr>
              <td colSpan={2} className="muted">
                Preflight recorded no facts.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>

      <div className="plan-changes">
        <h4>What will change</h4>
        {evidence.changes.length > 0 ? (
          <ul aria-label="What will change">
            {evidence.changes.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        ) : (
          <p className="muted">The action phase lists no changes.</p>
        )}
      </div>

      <form
        className="approval-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (!matches || sending || expired) return;
          settle(
            runbooks.approveRun({ id: runId, confirmation: typed.trim(), evidenceHash: evidence.hash }),
            'approve',
          );
        }}
      >
        <div className="field">
          <label htmlFor={fieldId}>
            Type <strong className="mono">{confirmText}</strong> to approve
          </label>
          <input
            id={fieldId}
            className="input mono"
            value={typed}
            autoComplete="off"
            spellCheck={false}
            disabled={sending !== undefined || expired}
            onChange={(event) => setTyped(event.target.value)}
          />
        </div>
        {error ? (
          <p className="form-error" role="alert">
            <WarningIcon size={14} /> {error}
          </p>
        ) : null}
        <div className="plan-actions">
          <button
            type="submit"
            className="button button-danger"
            disabled={!matches || sending !== undefined || expired}
          >
            {sending === 'approve' ? <span className="spinner" aria-hidden="true" /> : <ShieldIcon size={13} />} Approve
          </button>
          <button
            type="button"
            className="button"
            disabled={sending !== undefined}
            onClick={() => settle(runbooks.cancelRun(runId), 'cancel')}
          >
            <StopIcon size={12} /> Cancel run
          </button>
        </div>
      </form>
    </section>
  );
}
