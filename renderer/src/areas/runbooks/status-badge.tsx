/**
 * A run's status as a coloured badge that always carries its word (a runbook's risk: plan-card's RiskBadge).
 */
import type { RunStatus } from '../../../../shared/model/runbook';
import { STATUS_LABELS, STATUS_TONES } from './run-status';

export function StatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className={`run-badge tone-${STATUS_TONES[status]}`} data-status={status}>
      {status === 'running' ? <span className="run-badge-pulse" aria-hidden="true" /> : null}
      {STATUS_LABELS[status]}
    </span>
  );
}
