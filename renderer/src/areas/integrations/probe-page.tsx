/**
 * One probe in depth: how it stands, its history as a chart over a chosen range, and its latest
 * results (newest first, paged) with each condition's verdict, the run's facts and artifacts.
 *
 * Everything here is read from the local store, so it works with the network off; when the
 * newest result is older than the probe's SLA the screen says so and marks the history cached.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ResponseOf } from '../../../../shared/contract';
import type { HistoryRange, ProbeResult, ProbeSummary } from '../../../../shared/model/probe';
import type { Target } from '../../../../shared/model/target';
import { useApi, useConnectionStatus } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { hrefOf } from '../../app/routes';
import { EnvBadge } from '../../components/env-badge';
import { formatAgo } from '../../components/format';
import { PencilIcon, PlayIcon, TrashIcon, WarningIcon } from '../../components/icons';
import { HistoryChart } from './history-chart';
import { KIND_LABELS } from './probe-form';
import {
  absoluteTime,
  ageOfLastResult,
  effectiveStatus,
  formatEvery,
  formatLatency,
  formatUptime,
  slaSecondsOf,
} from './probe-status';
import { ResultDetail, ResultMarks, TRIGGER_LABELS } from './result-detail';
import { ResultBadge, StatusLight } from './status-light';
import { CounterpartPanel } from '../alerts/counterpart-panel';
import { ProbeAlertsPanel } from '../alerts/probe-alerts-panel';
import { ProbeMarks } from '../alerts/probe-marks';
import { RemediationPanel } from '../runbooks/remediation-panel';
import { aroundTime, lastMinutes } from '../bundles/bundle-link';
import { SupportBundleLink } from '../bundles/support-bundle-link';
import '../../styles/panels.css';

const PAGE = 20;
const RANGES: { id: HistoryRange; label: string }[] = [
  { id: '24h', label: '24 h' },
  { id: '7d', label: '7 d' },
  { id: '30d', label: '30 d' },
  { id: '365d', label: '365 d' },
];

interface ProbePageProps {
  summary: ProbeSummary;
  /** Every probe: the alert rule's scope and the dependency names. */
  summaries: ProbeSummary[];
  target: Target | undefined;
  now: number;
  starting: boolean;
  onRun(): void;
  onEdit(): void;
  onDelete(): void;
}

type History = ResponseOf<'probes:history'>;

export function ProbePage({ summary, summaries, target, now, starting, onRun, onEdit, onDelete }: ProbePageProps) {
  const probe = summary.probe;
  const status = effectiveStatus(summary, now);
  const age = ageOfLastResult(summary, now);
  const sla = slaSecondsOf(probe);
  const cached = age !== undefined && age > sla * 1000;
  return (
    <div className="probe-page" data-testid="probe-page">
      <nav className="probe-breadcrumb" aria-label="Breadcrumb">
        <a href={hrefOf('integrations')}>Integrations</a>
        <span aria-hidden="true"> / </span>
        <span className="mono">{probe.scope}</span>
        {probe.provider ? (
          <>
            <span aria-hidden="true"> / </span>
            <span className="mono">{probe.provider}</span>
          </>
        ) : null}
      </nav>
      <header className={`probe-header env-edge-header ${target ? `env-edge-${target.environment}` : ''}`}>
        <div className="probe-header-main">
          <div className="probe-header-title">
            {target ? <EnvBadge environment={target.environment} /> : null}
            <h2 id="probe-title">{probe.name}</h2>
            <StatusLight status={status} />
            <ProbeMarks summary={summary} origin="always" />
          </div>
          <p className="probe-header-facts muted">
            <span className="mono">{probe.check || probe.kind}</span> · {KIND_LABELS[probe.kind]}
            {target ? <> · on {target.name}</> : null} · every {formatEvery(probe.intervalSeconds)} · SLA{' '}
            {formatEvery(sla)}
            {probe.paused ? ' · paused' : ''}
          </p>
          <p className="probe-last" data-testid="last-result">
            {summary.lastResult ? (
              <>
                Last result{' '}
                <time dateTime={summary.lastResult.finishedAt} title={absoluteTime(summary.lastResult.finishedAt)}>
                  {formatAgo(summary.lastResult.finishedAt, now)}
                </time>
                {cached ? <span className="cached-tag">older than its SLA — showing cached history</span> : null}
              </>
            ) : (
              'No result yet — Run now to get one.'
            )}
          </p>
        </div>
        <div className="probe-header-actions">
          <button
            type="button"
            className="button button-primary"
            onClick={onRun}
            disabled={starting || status === 'running'}
          >
            {status === 'running' ? <span className="spinner" aria-hidden="true" /> : <PlayIcon size={13} />}
            {status === 'running' ? 'Running…' : 'Run now'}
          </button>
          <button type="button" className="button" onClick={onEdit}>
            <PencilIcon size={14} /> Edit
          </button>
          <SupportBundleLink
            className="button"
            link={{
              targetId: target?.id,
              window: summary.lastFailureAt ? aroundTime(summary.lastFailureAt) : lastMinutes(),
            }}
            description={
              summary.lastFailureAt
                ? `Collect a support bundle around the last failure of ${probe.name}`
                : `Collect a support bundle of the last hour`
            }
          />
          <button
            type="button"
            className="button button-quiet button-quiet-danger"
            onClick={onDelete}
            aria-label={`Delete ${probe.name}`}
          >
            <TrashIcon size={14} />
          </button>
        </div>
      </header>

      <dl className="probe-stats">
        <div>
          <dt>Uptime 24 h</dt>
          <dd>{formatUptime(summary.uptime24h)}</dd>
        </div>
        <div>
          <dt>Uptime 30 d</dt>
          <dd>{formatUptime(summary.uptime30d)}</dd>
        </div>
        <div>
          <dt>Last success</dt>
          <dd>
            <AgoOrDash iso={summary.lastSuccessAt} now={now} />
          </dd>
        </div>
        <div>
          <dt>Last failure</dt>
          <dd>
            <AgoOrDash iso={summary.lastFailureAt} now={now} />
          </dd>
        </div>
        <div>
          <dt>Last duration</dt>
          <dd>{summary.lastResult ? formatLatency(summary.lastResult.durationMs) : '—'}</dd>
        </div>
      </dl>

      <CounterpartPanel summary={summary} summaries={summaries} now={now} />
      <ProbeAlertsPanel summary={summary} summaries={summaries} now={now} />
      <RemediationPanel probeId={probe.id} target={target} failing={status === 'fail' || status === 'pending'} />
      <HistoryPanel summary={summary} cached={cached} />
      <ResultsPanel summary={summary} now={now} />
    </div>
  );
}

function HistoryPanel({ summary, cached }: { summary: ProbeSummary; cached: boolean }) {
  const api = useApi();
  const { state: link, epoch } = useConnectionStatus();
  const [range, setRange] = useState<HistoryRange>('24h');
  const [history, setHistory] = useState<{ range: HistoryRange; data: History }>();
  const [error, setError] = useState<string>();
  const probeId = summary.probe.id;
  const lastId = summary.lastResult?.id;

  useEffect(() => {
    if (link !== 'open') return;
    let current = true;
    api.invoke('probes:history', { probeId, range }).then(
      (data) => {
        if (!current) return;
        setHistory({ range, data });
        setError(undefined);
      },
      (caught: unknown) => current && setError(toApiError(caught).message),
    );
    return () => {
      current = false;
    };
  }, [api, link, epoch, probeId, range, lastId]);

  const shown = history?.range === range ? history.data : undefined;
  const label = RANGES.find((r) => r.id === range)!.label;
  return (
    <section className="probe-panel history-panel" aria-labelledby="history-title">
      <div className="probe-panel-head">
        <h3 id="history-title">
          History{' '}
          {cached ? (
            <span className="cached-tag" data-testid="history-cached">
              cached
            </span>
          ) : null}
        </h3>
        {shown ? (
          <span className="history-summary muted">
            uptime <strong>{formatUptime(shown.uptime)}</strong> · p50 <strong>{formatLatency(shown.p50Ms)}</strong> ·
            p95 <strong>{formatLatency(shown.p95Ms)}</strong>
          </span>
        ) : null}
        <div className="segmented range-switch" role="radiogroup" aria-label="History range">
          {RANGES.map((r) => (
            <label key={r.id} className="segment">
              <input
                type="radio"
                name="history-range"
                value={r.id}
                checked={range === r.id}
                onChange={() => setRange(r.id)}
              />
              <span>{r.label}</span>
            </label>
          ))}
        </div>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          <WarningIcon size={14} /> {error}
        </p>
      ) : null}
      <HistoryChart
        buckets={shown?.buckets ?? []}
        range={range}
        label={`History over ${label}: uptime ${formatUptime(shown?.uptime)}, latency p50 ${formatLatency(shown?.p50Ms)}, p95 ${formatLatency(shown?.p95Ms)}`}
      />
      {shown && shown.buckets.every((b) => b.ok + b.warn + b.fail === 0) ? (
        <p className="muted history-empty">No results in the last {label}.</p>
      ) : null}
    </section>
  );
}

function ResultsPanel({ summary, now }: { summary: ProbeSummary; now: number }) {
  const api = useApi();
  const { state: link, epoch } = useConnectionStatus();
  const [results, setResults] = useState<ProbeResult[]>();
  const [more, setMore] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string>();
  /** Results the user opened or closed; the newest is open unless closed. */
  const [toggled, setToggled] = useState<Map<number, boolean>>(new Map());
  const probeId = summary.probe.id;

  useEffect(() => {
    if (link !== 'open') return;
    let current = true;
    api.invoke('probes:results', { probeId, limit: PAGE }).then(
      (page) => {
        if (!current) return;
        setResults(page);
        setMore(page.length === PAGE);
        setError(undefined);
      },
      (caught: unknown) => current && setError(toApiError(caught).message),
    );
    return () => {
      current = false;
    };
  }, [api, link, epoch, probeId]);

  // A run that finished while the page is open arrives with the probe's summary.
  const latest = summary.lastResult;

  const loadMore = useCallback(() => {
    const last = results?.at(-1);
    if (!last) return;
    setLoadingMore(true);
    api.invoke('probes:results', { probeId, before: last.id, limit: PAGE }).then(
      (page) => {
        setResults((list) => [...(list ?? []), ...page.filter((r) => !list?.some((x) => x.id === r.id))]);
        setMore(page.length === PAGE);
        setLoadingMore(false);
      },
      (caught: unknown) => {
        setError(toApiError(caught).message);
        setLoadingMore(false);
      },
    );
  }, [api, probeId, results]);

  const shown =
    latest && !(results ?? []).some((r) => r.id === latest.id) ? [latest, ...(results ?? [])] : (results ?? []);
  return (
    <section className="probe-panel results-panel" aria-labelledby="results-title">
      <div className="probe-panel-head">
        <h3 id="results-title">Latest results</h3>
        <span className="muted">newest first</span>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          <WarningIcon size={14} /> {error}
        </p>
      ) : null}
      {!results && !error ? <p className="loading">Loading results…</p> : null}
      {results && shown.length === 0 ? <p className="muted">No results yet.</p> : null}
      <ol className="result-list" aria-label="Results">
        {shown.map((result) => {
          const expanded = toggled.get(result.id) ?? result.id === shown[0]?.id;
          const httpStatus = result.metadata.httpStatus ?? result.metadata.status ?? result.metadata.statusCode;
          return (
            <li
              key={result.id}
              className={`result-item result-${result.status} ${expanded ? 'is-open' : ''}`}
              data-testid="result"
            >
              <button
                type="button"
                className="result-summary"
                aria-expanded={expanded}
                onClick={() => setToggled((map) => new Map(map).set(result.id, !expanded))}
              >
                <ResultBadge status={result.status} />
                <time className="result-when" dateTime={result.finishedAt} title={absoluteTime(result.finishedAt)}>
                  {formatAgo(result.finishedAt, now)}
                </time>
                <span className="result-duration mono">{formatLatency(result.durationMs)}</span>
                <span className="result-http mono">
                  {httpStatus !== undefined && httpStatus !== null ? `HTTP ${String(httpStatus)}` : ''}
                </span>
                <span className="result-error-line">{result.error ?? ''}</span>
                <span>
                  <ResultMarks result={result} />
                </span>
                <span className="result-trigger muted">{TRIGGER_LABELS[result.trigger]}</span>
              </button>
              {expanded ? <ResultDetail result={result} probeName={summary.probe.name} /> : null}
            </li>
          );
        })}
      </ol>
      {more ? (
        <button type="button" className="button button-small load-more" onClick={loadMore} disabled={loadingMore}>
          {loadingMore ? 'Loading…' : 'Older results'}
        </button>
      ) : null}
    </section>
  );
}

/** When it last happened, as "5 min ago" with the exact time on hover; a dash for never. */
function AgoOrDash({ iso, now }: { iso: string | null; now: number }) {
  return iso ? <span title={absoluteTime(iso)}>{formatAgo(iso, now)}</span> : <>—</>;
}
