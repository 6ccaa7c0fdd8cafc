/**
 * The alert history: every decision the alerting made, newest first and live — sent, held by a
 * failing parent, muted by maintenance, throttled by the cooldown — with its reason, the kind of
 * message, the probe (a link to it) and, for a sent one, each channel's delivery: ok, or failed
 * with its error. A filter narrows it to one probe (`#/integrations/alerts/history/<probeId>`).
 */
import type { AlertDecision, AlertDecisionKind, AlertDelivery } from '../../../../shared/model/alerts';
import type { ProbeSummary } from '../../../../shared/model/probe';
import { hrefOf, navigate } from '../../app/routes';
import { formatAgo } from '../../components/format';
import { WarningIcon } from '../../components/icons';
import { absoluteTime } from '../integrations/probe-status';
import { useAlertHistory } from './use-alert-history';

export const DECISION_LABELS: Record<AlertDecisionKind, string> = {
  sent: 'Sent',
  held: 'Held',
  muted: 'Muted',
  throttled: 'Throttled',
};

export const MESSAGE_KIND_LABELS: Record<AlertDecision['kind'], string> = {
  alert: 'Alert',
  resolved: 'Resolved',
  reminder: 'Reminder',
  stale: 'Stale',
};

interface HistoryViewProps {
  summaries: ProbeSummary[];
  probeId: string | undefined;
  now: number;
}

export function HistoryView({ summaries, probeId, now }: HistoryViewProps) {
  const { history, fresh, loadMore, loadingMore } = useAlertHistory(probeId);
  const known = new Set(summaries.map((s) => s.probe.id));
  return (
    <div className="alerts-view" data-testid="alert-history-view">
      <div className="alerts-toolbar">
        <label className="field-label" htmlFor="history-probe-filter">
          Probe
        </label>
        <select
          id="history-probe-filter"
          className="input select"
          value={probeId ?? ''}
          onChange={(event) =>
            navigate('integrations', `alerts/history${event.target.value ? `/${event.target.value}` : ''}`, {
              replace: true,
            })
          }
        >
          <option value="">All probes</option>
          {summaries.map((s) => (
            <option key={s.probe.id} value={s.probe.id}>
              {s.probe.name}
            </option>
          ))}
        </select>
        <span className="spacer" />
        <span className="muted">Newest first · live</span>
      </div>
      {history.state === 'loading' ? (
        <p className="loading">Loading the alert history…</p>
      ) : history.state === 'failed' ? (
        <p className="form-error" role="alert">
          <WarningIcon size={14} /> {history.message}
        </p>
      ) : history.decisions.length === 0 ? (
        <p className="muted">
          No alert decisions {probeId ? 'for this probe ' : ''}yet. When a probe fails as often as its rule says, what
          was decided and where it was delivered shows up here.
        </p>
      ) : (
        <>
          <ol className="alert-history" aria-label="Alert history">
            {history.decisions.map((decision) => (
              <DecisionRow
                key={decision.id}
                decision={decision}
                now={now}
                fresh={fresh.has(decision.id)}
                linked={known.has(decision.probeId)}
              />
            ))}
          </ol>
          {history.more ? (
            <button type="button" className="button button-small load-more" onClick={loadMore} disabled={loadingMore}>
              {loadingMore ? 'Loading…' : 'Older decisions'}
            </button>
          ) : null}
        </>
      )}
    </div>
  );
}

function DecisionRow({
  decision,
  now,
  fresh,
  linked,
}: {
  decision: AlertDecision;
  now: number;
  fresh: boolean;
  linked: boolean;
}) {
  return (
    <li
      className={`decision ${fresh ? 'is-new' : ''}`}
      data-testid="alert-decision"
      data-decision={decision.decision}
      data-kind={decision.kind}
    >
      <time className="decision-when" dateTime={decision.at} title={absoluteTime(decision.at)}>
        {formatAgo(decision.at, now)}
      </time>
      <div className="decision-outcome">
        <span className={`decision-tag decision-${decision.decision}`}>{DECISION_LABELS[decision.decision]}</span>
        <span className={`message-kind message-kind-${decision.kind}`}>{MESSAGE_KIND_LABELS[decision.kind]}</span>
      </div>
      <div className="decision-body">
        <div className="decision-line">
          {linked ? (
            <a className="decision-probe" href={hrefOf('integrations', `probe/${decision.probeId}`)}>
              {decision.probeName}
            </a>
          ) : (
            <span className="decision-probe" title="This probe has been deleted.">
              {decision.probeName}
            </span>
          )}
          <span className="decision-reason">{decision.reason}</span>
        </div>
        {decision.decision === 'sent' ? (
          <ul className="deliveries" aria-label="Deliveries">
            {decision.deliveries.map((delivery) => (
              <DeliveryItem key={delivery.channelId} delivery={delivery} />
            ))}
            {decision.delivering ? (
              <li className="delivery muted">
                <span className="spinner" aria-hidden="true" /> delivering…
              </li>
            ) : decision.deliveries.length === 0 ? (
              <li className="delivery muted">No channel to deliver to — add one under Channels.</li>
            ) : null}
          </ul>
        ) : null}
      </div>
    </li>
  );
}

function DeliveryItem({ delivery }: { delivery: AlertDelivery }) {
  const name = delivery.channelName ?? 'a deleted channel';
  const attempts = `${delivery.attempts} ${delivery.attempts === 1 ? 'attempt' : 'attempts'}`;
  return (
    <li className={`delivery ${delivery.ok ? 'result-ok' : 'result-failed'}`} data-testid="delivery">
      <span className="delivery-mark" aria-hidden="true">
        {delivery.ok ? '✓' : '✕'}
      </span>
      <span>
        <strong>{name}</strong>:{' '}
        {delivery.ok ? `delivered (${attempts})` : `failed after ${attempts} — ${delivery.error ?? 'no reason given'}`}
      </span>
    </li>
  );
}
