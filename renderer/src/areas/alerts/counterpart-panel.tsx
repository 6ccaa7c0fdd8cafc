/**
 * The same check here and on the host, side by side: when one passes and the other fails, that
 * difference is often the diagnosis (egress, DNS, a key that exists in one place only). Each
 * side shows its status, when it last ran, how long it took, its error and failed conditions.
 */
import type { ProbeSummary } from '../../../../shared/model/probe';
import { hrefOf } from '../../app/routes';
import { formatAgo } from '../../components/format';
import { absoluteTime, effectiveStatus, formatLatency } from '../integrations/probe-status';
import { StatusLight } from '../integrations/status-light';
import { originLabel } from './probe-marks';
import '../../styles/alerts.css';

interface CounterpartPanelProps {
  summary: ProbeSummary;
  summaries: ProbeSummary[];
  now: number;
}

export function CounterpartPanel({ summary, summaries, now }: CounterpartPanelProps) {
  const other = summary.counterpart ? summaries.find((s) => s.probe.id === summary.counterpart) : undefined;
  if (!other) return null;
  // This machine on the left, the host on the right, whichever page this is.
  const [local, host] = summary.origin.kind === 'local' ? [summary, other] : [other, summary];
  const localStatus = effectiveStatus(local, now);
  const hostStatus = effectiveStatus(host, now);
  const differs = (localStatus === 'fail') !== (hostStatus === 'fail');
  return (
    <section className="probe-panel" aria-labelledby="counterpart-title" data-testid="counterpart">
      <div className="probe-panel-head">
        <h3 id="counterpart-title">Here and on the host</h3>
        {differs ? (
          <span className="probe-mark mark-blocked">they disagree — compare the two</span>
        ) : (
          <span className="muted">the same check from both places</span>
        )}
      </div>
      <div className="counterpart-compare">
        {[local, host].map((side) => {
          const status = side === local ? localStatus : hostStatus;
          const result = side.lastResult;
          const failed = result?.conditions.filter((c) => !c.passed) ?? [];
          return (
            <div
              key={side.probe.id}
              className={`counterpart-side ${differs && status === 'fail' ? 'differs' : ''}`}
              data-testid={`counterpart-${side.origin.kind}`}
            >
              <h4>{originLabel(side.origin)}</h4>
              <div className="decision-line">
                <StatusLight status={status} />
                {side === summary ? (
                  <span className="muted">this page</span>
                ) : (
                  <a href={hrefOf('integrations', `probe/${side.probe.id}`)}>Open</a>
                )}
              </div>
              {result ? (
                <span className="muted">
                  <time dateTime={result.finishedAt} title={absoluteTime(result.finishedAt)}>
                    {formatAgo(result.finishedAt, now)}
                  </time>{' '}
                  · {formatLatency(result.durationMs)}
                </span>
              ) : (
                <span className="muted">No result yet.</span>
              )}
              {/* The failed conditions say it more precisely than the error sentence that sums them up. */}
              {result?.error && !failed.length ? <span className="counterpart-error">{result.error}</span> : null}
              {failed.map((condition) => (
                <span key={condition.expression} className="counterpart-error mono">
                  {condition.expression}
                  {condition.observed !== null ? ` — saw ${condition.observed}` : ''}
                </span>
              ))}
            </div>
          );
        })}
      </div>
    </section>
  );
}
