/**
 * Everything Control Room did on this target, newest first: when, what was done to what
 * ("restart shop-backend-1"), how it ended, and the detail.
 */
import { auditDetailText, auditSubjectText, type AuditOutcome } from '../../../../shared/model/audit';
import { formatAgo, formatWhen } from '../../components/format';
import { CheckIcon, WarningIcon } from '../../components/icons';
import { useNow } from '../../components/use-now';
import type { AuditState } from './use-audit-log';

export function AuditLogPanel({ audit }: { audit: AuditState }) {
  const now = useNow(15_000);
  if (audit.state === 'loading') return <p className="loading">Loading the audit log…</p>;
  if (audit.state === 'failed') {
    return (
      <p className="form-error" role="alert">
        <WarningIcon size={15} /> {audit.message}
      </p>
    );
  }
  if (audit.entries.length === 0) {
    return (
      <div className="panel-empty">
        <p>Nothing has been done to this target from Control Room yet.</p>
        <p className="muted">
          Every action taken here — a container restarted, stopped or started — is recorded with its time and outcome.
        </p>
      </div>
    );
  }
  return (
    <div className="table-card">
      <table className="audit-table" aria-label="Audit log">
        <thead className="table-heads">
          <tr>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col">Outcome</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {audit.entries.map((entry) => (
            <tr key={entry.id} className={`audit-row result-${entry.outcome}`} data-subject-kind={entry.subjectKind}>
              <td className="cell-when" title={new Date(entry.at).toLocaleString()}>
                <span className="mono">{formatWhen(entry.at, now)}</span>
                <span className="faint"> · {formatAgo(entry.at, now)}</span>
              </td>
              <td className="audit-what">
                <span className="audit-action">{entry.action}</span>{' '}
                <span className="mono">{auditSubjectText(entry)}</span>
              </td>
              <td>
                <OutcomeBadge outcome={entry.outcome} />
              </td>
              <td className="cell-detail">{auditDetailText(entry.detail)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function OutcomeBadge({ outcome }: { outcome: AuditOutcome }) {
  return (
    <span className={`result-badge result-badge-${outcome === 'ok' ? 'ok' : outcome === 'error' ? 'error' : 'none'}`}>
      {outcome === 'ok' ? <CheckIcon size={12} /> : outcome === 'error' ? <WarningIcon size={12} /> : null}
      {outcome}
    </span>
  );
}
