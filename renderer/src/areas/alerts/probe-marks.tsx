/**
 * What alerting adds to a probe's row and page: "blocked by <parent>" while a failing parent
 * holds its alerts, a maintenance mark while its alerts are muted, and where it ran ("this
 * machine" or "from <host>").
 */
import type { ProbeOrigin, ProbeSummary } from '../../../../shared/model/probe';
import '../../styles/alerts.css';

/** "this machine" or "from <host>". */
export function originLabel(origin: ProbeOrigin): string {
  return origin.kind === 'local' ? 'this machine' : `from ${origin.host}`;
}

/**
 * `origin`: `always` on the probe's page; in the table a host's probe always says where it ran,
 * a local one only when a host runs the same check (then "this machine" tells the twins apart).
 */
export function ProbeMarks({
  summary,
  origin: showOrigin = 'table',
}: {
  summary: ProbeSummary;
  origin?: 'always' | 'table';
}) {
  const origin = summary.origin;
  const originShown = showOrigin === 'always' || origin.kind === 'host' || summary.counterpart !== null;
  const blockedBy = summary.blockedBy;
  const marks = [
    blockedBy ? (
      <span
        key="blocked"
        className="probe-mark mark-blocked"
        data-testid="blocked-by"
        title={`Its alerts are held while ${blockedBy} fails.`}
      >
        blocked by {blockedBy}
      </span>
    ) : null,
    summary.maintenance ? (
      <span
        key="maintenance"
        className="probe-mark mark-maintenance"
        data-testid="maintenance-mark"
        title="In a maintenance window: results are recorded, alerts are muted."
      >
        maintenance
      </span>
    ) : null,
    originShown ? (
      <span
        key="origin"
        className={`probe-mark mark-origin ${origin.kind === 'host' ? 'is-host' : ''}`}
        data-testid="origin-mark"
        title={
          origin.kind === 'host' ? `Run by the agent on ${origin.host ?? 'the host'}.` : 'Run by Control Room here.'
        }
      >
        {originLabel(origin)}
      </span>
    ) : null,
  ].filter(Boolean);
  return marks.length ? <span className="probe-marks">{marks}</span> : null;
}
