/**
 * Every container action taken on this target, newest first, with who-did-what detail: when,
 * which container, which action, and whether Docker did it.
 */
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
        <p>No container has been restarted, stopped or started on this target from Control Room yet.</p>
        <p className="muted">Every action taken here is recorded with its time and result.</p>
      </div>
    );
  }
  return (
    <div className="table-card">
      <table className="audit-table" aria-label="Audit log">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Container</th>
            <th scope="col">Action</th>
            <th scope="col">Result</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {audit.entries.map((entry) => (
            <tr key={entry.id} className={`audit-row result-${entry.result}`}>
              <td className="cell-when" title={new Date(entry.at).toLocaleString()}>
                <span className="mono">{formatWhen(entry.at, now)}</span>
                <span className="faint"> · {formatAgo(entry.at, now)}</span>
              </td>
              <td className="mono">{entry.container}</td>
              <td>
                <span className="audit-action">{entry.action}</span>
              </td>
              <td>
                <span className={`result-badge result-badge-${entry.result}`}>
                  {entry.result === 'ok' ? <CheckIcon size={12} /> : <WarningIcon size={12} />}
                  {entry.result === 'ok' ? 'ok' : 'error'}
                </span>
              </td>
              <td className="cell-detail">{entry.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
