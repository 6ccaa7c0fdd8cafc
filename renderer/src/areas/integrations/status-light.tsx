/**
 * A probe's or a result's status: a light and its word (never colour alone), the hint on hover.
 */
import type { ProbeStatus, ResultStatus } from '../../../../shared/model/probe';
import { RESULT_LABELS, STATUS_HINTS, STATUS_LABELS } from './probe-status';

export function StatusLight({ status, title }: { status: ProbeStatus; title?: string | undefined }) {
  return (
    <span className={`probe-status probe-status-${status}`} title={title ?? STATUS_HINTS[status]} data-status={status}>
      <span className="probe-light" aria-hidden="true" />
      <span className="probe-status-text">{STATUS_LABELS[status]}</span>
    </span>
  );
}

export function ResultBadge({ status }: { status: ResultStatus }) {
  return (
    <span className={`probe-status probe-status-${status}`} data-status={status}>
      <span className="probe-light" aria-hidden="true" />
      <span className="probe-status-text">{RESULT_LABELS[status]}</span>
    </span>
  );
}
