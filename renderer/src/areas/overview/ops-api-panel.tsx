/**
 * What the Overview shows for an ops-api target: its context (deploy, containers, alerts,
 * frontend status...), the browser errors its pages reported, and its live events.
 *
 * One events subscription serves the three tabs, so errors and events keep arriving whichever
 * tab is open; the context reads itself again shortly after events arrive. `r` refreshes the
 * tab on screen.
 */
import { useState } from 'react';
import type { Target } from '../../../../shared/model/target';
import { useConnectionState } from '../../app/connections-store';
import { formatWhen } from '../../components/format';
import { RestartIcon } from '../../components/icons';
import { useNow } from '../../components/use-now';
import { ContextView } from '../ops-api/context-view';
import { EventsView } from '../ops-api/events-view';
import { FrontendErrorsView } from '../ops-api/frontend-errors-view';
import { useFrontendErrors, type SinceValue } from '../ops-api/use-frontend-errors';
import { useOpsContext } from '../ops-api/use-ops-context';
import { useOpsEvents } from '../ops-api/use-ops-events';
import '../../styles/ops-api.css';
import { useRefreshShortcut } from './use-refresh-shortcut';

type Tab = 'context' | 'errors' | 'events';

export function OpsApiPanel({ target }: { target: Target }) {
  // A panel per target: switching targets starts from a clean state and a new subscription.
  return <OpsApiTarget key={target.id} target={target} />;
}

function OpsApiTarget({ target }: { target: Target }) {
  const link = useConnectionState(target.id);
  const events = useOpsEvents(target.id);
  const context = useOpsContext(target, events, link);
  const [since, setSince] = useState<SinceValue>('1h');
  const errors = useFrontendErrors(target, since, events);
  const [tab, setTab] = useState<Tab>('context');
  const now = useNow(10_000);

  const current = tab === 'context' ? context : tab === 'errors' ? errors : undefined;
  useRefreshShortcut(current?.refresh);
  // Retry after a failure: read again, and give a live link that gave up (a refused token) a new start.
  const retry = (refresh: () => void) => () => {
    refresh();
    if (link.status === 'failed') events.restart();
  };

  const alerts = context.context?.alerts.ok ? context.context.alerts.data.length : 0;
  const errorTotal = errors.errors?.reduce((n, e) => n + Math.max(1, e.count), 0);

  const tabs: { id: Tab; label: string; count?: number | undefined; tone?: string }[] = [
    { id: 'context', label: 'Context', ...(alerts ? { count: alerts, tone: 'is-alert' } : {}) },
    { id: 'errors', label: 'Frontend errors', count: errorTotal, ...(errorTotal ? { tone: 'is-alert' } : {}) },
    { id: 'events', label: 'Events', count: events.feed.length || undefined },
  ];

  return (
    <div className="ops-panel">
      <div className="ops-tabbar">
        <div className="view-tabs ops-tabs" role="tablist" aria-label="Views">
          {tabs.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              id={`ops-tab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls={`ops-tabpanel-${t.id}`}
              className={`view-tab ${tab === t.id ? 'is-selected' : ''}`}
              onClick={() => setTab(t.id)}
            >
              {t.label}
              {t.count !== undefined ? (
                <span className={`view-tab-count ${t.tone ?? ''}`} aria-label={`${t.count}`}>
                  {t.count > 999 ? '999+' : t.count}
                </span>
              ) : null}
            </button>
          ))}
        </div>
        {current ? (
          <div className="ops-tabbar-side">
            {current.readAt ? (
              <span className="faint ops-read-at" title="When this was read from the ops API">
                Read {formatWhen(new Date(current.readAt).toISOString(), now)}
              </span>
            ) : null}
            <button
              type="button"
              className="button button-small"
              onClick={current.refresh}
              disabled={current.loading}
              aria-keyshortcuts="R"
              title="Read it again now (R)"
            >
              <RestartIcon size={13} /> {current.loading && current.readAt ? 'Refreshing…' : 'Refresh'}
            </button>
          </div>
        ) : null}
      </div>

      <div role="tabpanel" id={`ops-tabpanel-${tab}`} aria-labelledby={`ops-tab-${tab}`} className="ops-tabpanel">
        {tab === 'context' ? (
          <ContextView
            target={target}
            data={context}
            onRetry={retry(context.refresh)}
            onShowErrors={() => setTab('errors')}
          />
        ) : tab === 'errors' ? (
          <FrontendErrorsView
            target={target}
            data={errors}
            since={since}
            onSince={setSince}
            onRetry={retry(errors.refresh)}
          />
        ) : (
          <EventsView target={target} events={events} />
        )}
      </div>
    </div>
  );
}
