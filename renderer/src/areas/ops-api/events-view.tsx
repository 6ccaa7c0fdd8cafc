/**
 * The Events tab: the target's live events — container changes, browser errors, alerts — newest
 * first, the last few hundred kept. The link's state is shown above the feed; a link that gave
 * up (a refused token) can be started again from here.
 */
import { useState } from 'react';
import type { Target } from '../../../../shared/model/target';
import { useConnectionState } from '../../app/connections-store';
import { ConnectionChip } from '../../components/connection-chip';
import { formatWhen } from '../../components/format';
import { RestartIcon, WarningIcon } from '../../components/icons';
import { useNow } from '../../components/use-now';
import { describeEvent, EVENT_KIND_LABELS, type EventKind } from './describe-event';
import { FEED_LIMIT, type OpsEventsState } from './use-ops-events';

type Filter = 'all' | EventKind;
const FILTERS: Filter[] = ['all', 'container', 'frontend-error', 'alert'];

export function EventsView({ target, events }: { target: Target; events: OpsEventsState }) {
  const state = useConnectionState(target.id);
  const [filter, setFilter] = useState<Filter>('all');
  const now = useNow(10_000);
  const counts = new Map<Filter, number>([['all', events.feed.length]]);
  for (const { event } of events.feed) counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
  const shown = filter === 'all' ? events.feed : events.feed.filter(({ event }) => event.type === filter);

  return (
    <div className="ev-view">
      <div className="ev-toolbar">
        <div className="ev-link">
          <span className="fe-control-label">Live link</span>
          <ConnectionChip target={target} variant="header" />
          {state.status === 'failed' || events.error ? (
            <button type="button" className="button button-small" onClick={events.restart}>
              <RestartIcon size={13} /> Reconnect
            </button>
          ) : null}
        </div>
        <div className="ev-filters" role="group" aria-label="Show">
          {FILTERS.map((f) => (
            <button
              key={f}
              type="button"
              className={`ev-filter ${filter === f ? 'is-selected' : ''}`}
              aria-pressed={filter === f}
              onClick={() => setFilter(f)}
            >
              {f === 'all' ? 'All' : EVENT_KIND_LABELS[f]}
              <span className="ev-filter-count">{counts.get(f) ?? 0}</span>
            </button>
          ))}
        </div>
        <button
          type="button"
          className="button button-small button-quiet"
          onClick={events.clear}
          disabled={events.feed.length === 0}
        >
          Clear
        </button>
      </div>

      {events.error ? (
        <p className="form-error" role="alert">
          <WarningIcon size={15} /> <span>{events.error}</span>
        </p>
      ) : state.status === 'failed' ? (
        <p className="form-error" role="alert">
          <WarningIcon size={15} /> <span>{state.reason}</span>
        </p>
      ) : null}

      {shown.length === 0 ? (
        <div className="panel-empty">
          <p>{events.feed.length === 0 ? 'No events since this panel opened.' : 'No events of this kind yet.'}</p>
          <p className="muted">
            Container starts, stops and restarts, browser errors and new alerts appear here as they happen.
          </p>
        </div>
      ) : (
        <ol className="ev-feed" aria-label="Live events">
          {shown.map(({ seq, event }) => {
            const { tone, summary, detail } = describeEvent(event);
            return (
              <li key={seq} className={`ev-row ev-${tone}`} data-testid="ops-event" data-kind={event.type}>
                <time className="ev-time mono" dateTime={event.at} title={event.at}>
                  {formatWhen(event.at, now)}
                </time>
                <span className={`ev-kind ev-kind-${event.type}`}>{EVENT_KIND_LABELS[event.type]}</span>
                <span className="ev-summary" title={summary}>
                  {summary}
                </span>
                {detail ? <span className="ev-detail faint">{detail}</span> : null}
              </li>
            );
          })}
        </ol>
      )}
      {events.total > FEED_LIMIT ? (
        <p className="faint ev-note">
          Showing the newest {FEED_LIMIT} of {events.total} events since this panel opened.
        </p>
      ) : null}
    </div>
  );
}
