/**
 * The Alerts panel on a probe's page: the rule that applies to it (its own, its scope's or the
 * defaults, merged), whether it is held by a parent or muted by maintenance, its latest alert
 * decisions, and the actions: edit its rule, mute it for an hour, the full alert history.
 */
import { useState } from 'react';
import type { AlertDecision } from '../../../../shared/model/alerts';
import type { ProbeSummary } from '../../../../shared/model/probe';
import { useApi } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { formatAgo } from '../../components/format';
import { WarningIcon } from '../../components/icons';
import { alertsHref } from './alert-routes';
import { DECISION_LABELS, MESSAGE_KIND_LABELS } from './history-view';
import { RuleDialog } from './rule-dialog';
import { effectiveFor, plural, ruleFor } from './rule-form';
import { useAlertHistory } from './use-alert-history';
import { useRead } from './use-read';
import '../../styles/alerts.css';

export function ProbeAlertsPanel({
  summary,
  summaries,
  now,
}: {
  summary: ProbeSummary;
  summaries: ProbeSummary[];
  now: number;
}) {
  const api = useApi();
  const probe = summary.probe;
  const subject = { kind: 'probe' as const, probeId: probe.id };
  const rules = useRead('alerts:rules', {});
  const channels = useRead('channels:list', {});
  const { history } = useAlertHistory(probe.id);
  const [editing, setEditing] = useState(false);
  const [muting, setMuting] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean }>();

  const settings = rules.data ? effectiveFor(rules.data, subject, summaries) : undefined;
  const own = rules.data ? ruleFor(rules.data, subject) : undefined;
  const scopeOwn = rules.data ? ruleFor(rules.data, { kind: 'scope', scope: probe.scope }) : undefined;
  const source = own ? 'its own rule' : scopeOwn ? `the rule of scope ${probe.scope}` : 'the defaults';
  const channelNames =
    settings?.channelIds === null
      ? 'every enabled channel'
      : (settings?.channelIds ?? [])
          .map((id) => channels.data?.find((c) => c.id === id)?.name ?? 'a deleted channel')
          .join(', ');
  const latest: AlertDecision[] = history.state === 'ready' ? history.decisions.slice(0, 3) : [];

  function muteHour() {
    setMuting(true);
    api.invoke('alerts:addMaintenance', { subject, reason: '', window: { kind: 'now', durationMinutes: 60 } }).then(
      () => {
        // Stays disabled: the window is on until its summary says so (on the next run).
        setMessage({ text: `Alerts for ${probe.name} are muted for 1 h; it still runs and records.`, error: false });
      },
      (caught: unknown) => {
        setMuting(false);
        setMessage({ text: toApiError(caught).message, error: true });
      },
    );
  }

  return (
    <section className="probe-panel probe-alerts-panel" aria-labelledby="probe-alerts-title" data-testid="probe-alerts">
      <div className="probe-panel-head">
        <h3 id="probe-alerts-title">Alerts</h3>
        {summary.blockedBy ? <span className="probe-mark mark-blocked">blocked by {summary.blockedBy}</span> : null}
        {summary.maintenance ? <span className="probe-mark mark-maintenance">in maintenance</span> : null}
        <span className="spacer" style={{ flex: 1 }} />
        <button type="button" className="button button-small" disabled={!rules.data} onClick={() => setEditing(true)}>
          {own ? 'Edit alert rule' : 'Set alert rule'}
        </button>
        <button
          type="button"
          className="button button-small button-quiet"
          disabled={muting || summary.maintenance}
          onClick={muteHour}
        >
          Mute for 1 h
        </button>
        <a className="button button-small button-quiet" href={alertsHref('history', probe.id)}>
          Alert history
        </a>
      </div>
      {rules.error ? (
        <p className="form-error" role="alert">
          <WarningIcon size={14} /> {rules.error}
        </p>
      ) : null}
      {settings ? (
        <p className="muted" data-testid="effective-rule">
          Alert after {plural(settings.failuresToAlert, 'failure')}, resolved after{' '}
          {plural(settings.successesToResolve, 'success', 'successes')},{' '}
          {settings.alertOnStale ? 'alert when stale' : 'no stale alert'},{' '}
          {settings.reminderMinutes ? `reminder every ${settings.reminderMinutes} min` : 'no reminders'}, cooldown{' '}
          {settings.cooldownMinutes} min, to {channelNames || 'no channel'} — from {source}.
        </p>
      ) : null}
      {message ? (
        <p className={message.error ? 'form-error' : 'muted'} role="status">
          {message.text}
        </p>
      ) : null}
      {latest.length ? (
        <ul className="deliveries" aria-label="Latest alert decisions">
          {latest.map((decision) => (
            <li key={decision.id} className="delivery">
              <span className={`decision-tag decision-${decision.decision}`}>{DECISION_LABELS[decision.decision]}</span>
              <span className={`message-kind message-kind-${decision.kind}`}>{MESSAGE_KIND_LABELS[decision.kind]}</span>
              <span className="muted">
                {formatAgo(decision.at, now)} · {decision.reason}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {editing && rules.data ? (
        <RuleDialog
          rules={rules.data}
          subject={subject}
          summaries={summaries}
          channels={channels.data ?? []}
          onClose={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            rules.reload();
          }}
        />
      ) : null}
    </section>
  );
}
