/**
 * The Frontend errors tab: browser errors the product's pages reported, grouped by message, for
 * a chosen window. Each group says how often (folded repeats counted), on which routes, in which
 * builds, first and last seen, and opens its newest stack. New errors join their group live and
 * light it up for a moment.
 */
import { useId, useMemo, useState } from 'react';
import type { FrontendError } from '../../../../shared/model/ops';
import type { Target } from '../../../../shared/model/target';
import { formatAgo, formatWhen } from '../../components/format';
import { useNow } from '../../components/use-now';
import { RequestFailed, StaleBanner } from './context-view';
import { CopyButton } from './copy-button';
import { groupErrors, sortGroups, type ErrorGroup, type GroupSort } from './group-errors';
import { AGENT_PAGE, SINCE_OPTIONS, type FrontendErrorsState, type SinceValue } from './use-frontend-errors';

/** How long a group stays lit after a live error joined it. */
const FRESH_MS = 2_500;
const ROUTES_SHOWN = 4;

interface FrontendErrorsViewProps {
  target: Target;
  data: FrontendErrorsState;
  since: SinceValue;
  onSince(since: SinceValue): void;
  /** Read again (and restart a live link that gave up). */
  onRetry(): void;
}

export function FrontendErrorsView({ target, data, since, onSince, onRetry }: FrontendErrorsViewProps) {
  const [sort, setSort] = useState<GroupSort>('last-seen');
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const groups = useMemo(
    () => (data.errors ? sortGroups(groupErrors(data.errors), sort) : undefined),
    [data.errors, sort],
  );
  const sinceId = useId();
  const sortId = useId();

  const toolbar = (
    <div className="fe-toolbar">
      <div className="fe-control">
        <span id={sinceId} className="fe-control-label">
          Window
        </span>
        <div className="segmented fe-segmented" role="radiogroup" aria-labelledby={sinceId}>
          {SINCE_OPTIONS.map((option) => (
            <label key={option.value} className="segment">
              <input
                type="radio"
                name={`${sinceId}-since`}
                value={option.value}
                checked={since === option.value}
                onChange={() => onSince(option.value)}
              />
              <span>{option.label}</span>
            </label>
          ))}
        </div>
      </div>
      <div className="fe-control">
        <label htmlFor={sortId} className="fe-control-label">
          Sort by
        </label>
        <select
          id={sortId}
          className="input select fe-sort"
          value={sort}
          onChange={(event) => setSort(event.target.value as GroupSort)}
        >
          <option value="last-seen">Last seen</option>
          <option value="count">Count</option>
        </select>
      </div>
      {groups && data.errors ? (
        <p className="fe-summary" data-testid="fe-summary">
          <strong>{total(data.errors)}</strong> {total(data.errors) === 1 ? 'error' : 'errors'} ·{' '}
          <strong>{groups.length}</strong> {groups.length === 1 ? 'message' : 'messages'}
          {data.loading ? <span className="spinner fe-spinner" aria-label="Reading" /> : null}
        </p>
      ) : null}
    </div>
  );

  let body;
  if (!groups) {
    body = data.error ? (
      <RequestFailed target={target} error={data.error} onRetry={onRetry} what="browser errors" />
    ) : (
      <div className="overview-skeleton" aria-busy="true" aria-label="Loading browser errors">
        <div className="skeleton-card">
          {Array.from({ length: 5 }, (_, i) => (
            <span key={i} className="skeleton-line" style={{ width: `${86 - i * 11}%` }} />
          ))}
        </div>
      </div>
    );
  } else if (groups.length === 0) {
    body = (
      <div className="panel-empty fe-empty">
        <p>
          No browser errors in this window — install the reporter (two lines, see <code>agent/README.md</code>) if you
          have not yet.
        </p>
        <pre className="fe-snippet">{`<script src="/reporter.js" data-endpoint="/api/ops/frontend-log"
        data-build-hash="GIT_SHA_OF_THIS_BUILD"></script>`}</pre>
      </div>
    );
  } else {
    body = (
      <>
        {data.capped ? (
          <p className="fe-capped muted">
            Grouping the newest {AGENT_PAGE} reports of this window; pick a shorter window to see all of it.
          </p>
        ) : null}
        <ErrorGroups
          groups={groups}
          arrivals={data.arrivals}
          open={open}
          onToggle={(message) =>
            setOpen((previous) => {
              const next = new Set(previous);
              if (!next.delete(message)) next.add(message);
              return next;
            })
          }
        />
      </>
    );
  }

  return (
    <div className="fe-view">
      {toolbar}
      {groups && data.error ? (
        <StaleBanner message={data.error.message} readAt={data.readAt} onRetry={onRetry} />
      ) : null}
      {body}
    </div>
  );
}

function total(errors: readonly FrontendError[]): number {
  return errors.reduce((n, error) => n + Math.max(1, error.count), 0);
}

function ErrorGroups({
  groups,
  arrivals,
  open,
  onToggle,
}: {
  groups: ErrorGroup[];
  arrivals: ReadonlyMap<number, number>;
  open: ReadonlySet<string>;
  onToggle(message: string): void;
}) {
  // Tick fast only while something is lit, so the highlight goes out on time.
  const slow = useNow(10_000);
  const anyFresh = groups.some((g) => (arrivals.get(g.newestId) ?? 0) > slow - FRESH_MS);
  const fast = useNow(500, anyFresh);
  const now = Math.max(slow, fast);
  return (
    <ul className="fe-groups" aria-label="Browser errors by message">
      {groups.map((group) => (
        <GroupRow
          key={group.message}
          group={group}
          now={now}
          fresh={(arrivals.get(group.newestId) ?? 0) > now - FRESH_MS}
          expanded={open.has(group.message)}
          onToggle={() => onToggle(group.message)}
        />
      ))}
    </ul>
  );
}

function GroupRow({
  group,
  now,
  fresh,
  expanded,
  onToggle,
}: {
  group: ErrorGroup;
  now: number;
  fresh: boolean;
  expanded: boolean;
  onToggle(): void;
}) {
  const stackId = useId();
  const shown = group.latestWithStack;
  const extraRoutes = group.routes.length - ROUTES_SHOWN;
  return (
    <li className={`fe-group ${fresh ? 'is-fresh' : ''}`} data-testid="fe-group" aria-label={group.message}>
      <div className="fe-count" title={`${group.count} errors in ${group.reports} reports`}>
        <span className="fe-count-value" data-testid="fe-count">
          {group.count}
        </span>
        <span className="fe-count-label">{group.count === 1 ? 'error' : 'errors'}</span>
      </div>
      <div className="fe-main">
        <p className="fe-message" title={group.message}>
          {group.message}
        </p>
        <div className="fe-meta">
          <span className="fe-meta-item" aria-label="Routes">
            <span className="fe-meta-label">Routes</span>
            {group.routes.slice(0, ROUTES_SHOWN).map((r) => (
              <span key={r.route} className="fe-route mono" title={`${r.count} on ${r.route}`} data-testid="fe-route">
                {r.route}
                {group.routes.length > 1 ? <span className="fe-route-count">{r.count}</span> : null}
              </span>
            ))}
            {extraRoutes > 0 ? (
              <span
                className="faint"
                title={group.routes
                  .slice(ROUTES_SHOWN)
                  .map((r) => r.route)
                  .join('\n')}
              >
                +{extraRoutes} more
              </span>
            ) : null}
          </span>
          <span className="fe-meta-item" aria-label="Builds">
            <span className="fe-meta-label">{group.buildHashes.length > 1 ? 'Builds' : 'Build'}</span>
            {group.buildHashes.length ? (
              group.buildHashes.slice(0, 3).map((hash) => (
                <code key={hash} className="fe-build" title={hash}>
                  {hash.length > 12 ? hash.slice(0, 12) : hash}
                </code>
              ))
            ) : (
              <span className="faint">unknown</span>
            )}
            {group.buildHashes.length > 3 ? <span className="faint">+{group.buildHashes.length - 3}</span> : null}
          </span>
          {group.kinds.length ? (
            <span className="fe-meta-item faint" aria-label="Caught by">
              {group.kinds.join(', ')}
            </span>
          ) : null}
        </div>
        {shown?.stack ? (
          <button
            type="button"
            className="fe-stack-toggle"
            aria-expanded={expanded}
            aria-controls={stackId}
            onClick={onToggle}
          >
            <svg className="fe-caret" width="10" height="10" viewBox="0 0 10 10" aria-hidden="true" focusable="false">
              <path
                d="M3.5 2l3 3-3 3"
                fill="none"
                stroke="currentColor"
                strokeWidth="1.6"
                strokeLinecap="round"
                strokeLinejoin="round"
              />
            </svg>
            {expanded ? 'Hide the latest stack' : 'Show the latest stack'}
          </button>
        ) : (
          <p className="fe-no-stack faint">No stack was reported.</p>
        )}
        {expanded && shown?.stack ? (
          <div className="fe-stack" id={stackId}>
            <div className="fe-stack-head">
              <span className="faint">
                {formatWhen(shown.receivedAt, now)} · <span className="mono">{shown.route}</span>
                {shown.buildHash ? (
                  <>
                    {' '}
                    · build <span className="mono">{shown.buildHash}</span>
                  </>
                ) : null}
                {shown.wsState ? <> · socket {shown.wsState}</> : null}
              </span>
              <CopyButton text={shown.stack} label="Copy" what="the stack" />
            </div>
            <pre className="fe-stack-text" tabIndex={0} aria-label="Latest stack">
              {shown.stack}
            </pre>
            {shown.browser ? (
              <p className="fe-browser faint" title={shown.browser}>
                {shown.browser}
              </p>
            ) : null}
          </div>
        ) : null}
      </div>
      <div className="fe-when">
        <span className="fe-last" title={`Last seen ${group.lastSeen}`}>
          {formatAgo(group.lastSeen, now) || formatWhen(group.lastSeen, now)}
        </span>
        <span className="faint" title={`First seen ${group.firstSeen}`}>
          first {formatAgo(group.firstSeen, now) || formatWhen(group.firstSeen, now)}
        </span>
      </div>
    </li>
  );
}
