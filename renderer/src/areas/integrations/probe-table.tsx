/**
 * The Integrations table: probes grouped by scope and provider, each with its status light,
 * last success and failure, last duration, uptimes and a latency sparkline; filter chips above;
 * Run now per row, per provider and per scope. One row is selected: ↑/↓ move, Enter opens it,
 * R runs it.
 */
import { useEffect, useMemo, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { PROBE_STATUSES, type ProbeStatus, type ProbeSummary } from '../../../../shared/model/probe';
import type { Target } from '../../../../shared/model/target';
import { EnvBadge } from '../../components/env-badge';
import { formatAgo } from '../../components/format';
import { PencilIcon, PlayIcon } from '../../components/icons';
import { Sparkline } from './history-chart';
import {
  absoluteTime,
  ageOfLastResult,
  effectiveStatus,
  formatLatency,
  formatUptime,
  STATUS_LABELS,
} from './probe-status';
import { StatusLight } from './status-light';
import { ProbeMarks } from '../alerts/probe-marks';

export interface Filters {
  scopes: string[];
  providers: string[];
  statuses: ProbeStatus[];
}

export const NO_FILTERS: Filters = { scopes: [], providers: [], statuses: [] };

/** `(none)` stands for probes without a provider in the provider chips. */
const NO_PROVIDER = '(none)';

export interface Row {
  summary: ProbeSummary;
  status: ProbeStatus;
  target: Target | undefined;
}

export function rowsOf(summaries: ProbeSummary[], targets: Target[], now: number): Row[] {
  const byId = new Map(targets.map((t) => [t.id, t]));
  return summaries
    .map((summary) => {
      const settings = summary.probe.settings as { targetId?: string };
      return {
        summary,
        status: effectiveStatus(summary, now),
        target: settings.targetId ? byId.get(settings.targetId) : undefined,
      };
    })
    .sort(
      (a, b) =>
        a.summary.probe.scope.localeCompare(b.summary.probe.scope) ||
        (a.summary.probe.provider ?? '').localeCompare(b.summary.probe.provider ?? '') ||
        a.summary.probe.name.localeCompare(b.summary.probe.name),
    );
}

export function applyFilters(rows: Row[], filters: Filters): Row[] {
  return rows.filter(
    (row) =>
      (!filters.scopes.length || filters.scopes.includes(row.summary.probe.scope)) &&
      (!filters.providers.length || filters.providers.includes(row.summary.probe.provider ?? NO_PROVIDER)) &&
      (!filters.statuses.length || filters.statuses.includes(row.status)),
  );
}

function toggle<T>(list: T[], value: T): T[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

export function FilterChips({
  rows,
  filters,
  onChange,
}: {
  rows: Row[];
  filters: Filters;
  onChange(filters: Filters): void;
}) {
  const scopes = [...new Set(rows.map((r) => r.summary.probe.scope))];
  const providers = [...new Set(rows.map((r) => r.summary.probe.provider ?? NO_PROVIDER))];
  const counts = new Map<ProbeStatus, number>();
  for (const row of rows) counts.set(row.status, (counts.get(row.status) ?? 0) + 1);
  const statuses = PROBE_STATUSES.filter((s) => counts.has(s) || filters.statuses.includes(s));
  const any = filters.scopes.length + filters.providers.length + filters.statuses.length > 0;
  return (
    <div className="probe-filters" role="toolbar" aria-label="Filters">
      <ChipGroup label="Scope">
        {scopes.map((scope) => (
          <Chip
            key={scope}
            pressed={filters.scopes.includes(scope)}
            onClick={() => onChange({ ...filters, scopes: toggle(filters.scopes, scope) })}
            name={`Scope ${scope}`}
          >
            <span className="mono">{scope}</span>
          </Chip>
        ))}
      </ChipGroup>
      {providers.length > 1 || providers[0] !== NO_PROVIDER ? (
        <ChipGroup label="Provider">
          {providers.map((provider) => (
            <Chip
              key={provider}
              pressed={filters.providers.includes(provider)}
              onClick={() => onChange({ ...filters, providers: toggle(filters.providers, provider) })}
              name={`Provider ${provider}`}
            >
              <span className={provider === NO_PROVIDER ? 'muted' : 'mono'}>{provider}</span>
            </Chip>
          ))}
        </ChipGroup>
      ) : null}
      <ChipGroup label="Status">
        {statuses.map((status) => (
          <Chip
            key={status}
            pressed={filters.statuses.includes(status)}
            onClick={() => onChange({ ...filters, statuses: toggle(filters.statuses, status) })}
            name={`Status ${STATUS_LABELS[status]}`}
          >
            <span className={`chip-light probe-status-${status}`} aria-hidden="true">
              <span className="probe-light" />
            </span>
            {STATUS_LABELS[status]} <span className="chip-count">{counts.get(status) ?? 0}</span>
          </Chip>
        ))}
      </ChipGroup>
      {any ? (
        <button type="button" className="button button-small button-quiet" onClick={() => onChange(NO_FILTERS)}>
          Clear filters
        </button>
      ) : null}
    </div>
  );
}

function ChipGroup({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="chip-group" role="group" aria-label={label}>
      <span className="chip-group-label" aria-hidden="true">
        {label}
      </span>
      {children}
    </div>
  );
}

function Chip({
  pressed,
  onClick,
  name,
  children,
}: {
  pressed: boolean;
  onClick(): void;
  name: string;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className={`filter-chip ${pressed ? 'is-pressed' : ''}`}
      aria-pressed={pressed}
      aria-label={name}
      onClick={onClick}
    >
      {children}
    </button>
  );
}

interface ProbeTableProps {
  rows: Row[];
  now: number;
  selectedId: string | undefined;
  onSelect(id: string): void;
  onOpen(id: string): void;
  onEdit(summary: ProbeSummary): void;
  /** Runs one probe, a provider within a scope, or a scope. */
  onRun(selection: { scope?: string; provider?: string; probeId?: string }, label: string): void;
  /** Keys of selections whose Run now request is in flight. */
  starting: Set<string>;
}

export function selectionKey(selection: { scope?: string; provider?: string; probeId?: string }): string {
  return `${selection.scope ?? ''}/${selection.provider ?? ''}/${selection.probeId ?? ''}`;
}

export function ProbeTable({ rows, now, selectedId, onSelect, onOpen, onEdit, onRun, starting }: ProbeTableProps) {
  const body = useRef<HTMLTableElement>(null);
  const groups = useMemo(() => {
    const scopes = new Map<string, Map<string, Row[]>>();
    for (const row of rows) {
      const scope = row.summary.probe.scope;
      const provider = row.summary.probe.provider ?? '';
      if (!scopes.has(scope)) scopes.set(scope, new Map());
      const providers = scopes.get(scope)!;
      if (!providers.has(provider)) providers.set(provider, []);
      providers.get(provider)!.push(row);
    }
    return scopes;
  }, [rows]);
  const order = rows.map((r) => r.summary.probe.id);

  // Keep the selected row in view and focused when the keyboard moved it.
  const moved = useRef(false);
  useEffect(() => {
    if (!moved.current || !selectedId) return;
    moved.current = false;
    body.current?.querySelector<HTMLElement>(`[data-probe-id="${selectedId}"]`)?.focus();
  }, [selectedId]);

  function onKeyDown(event: KeyboardEvent<HTMLTableElement>) {
    if (event.target instanceof HTMLElement && event.target.closest('button, a, input, select')) return;
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp' && event.key !== 'Enter') return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    event.preventDefault();
    if (event.key === 'Enter') {
      if (selectedId) onOpen(selectedId);
      return;
    }
    const index = selectedId ? order.indexOf(selectedId) : -1;
    const next = order[Math.min(order.length - 1, Math.max(0, index + (event.key === 'ArrowDown' ? 1 : -1)))];
    if (next) {
      moved.current = true;
      onSelect(next);
    }
  }

  return (
    <div className="table-card probes-card">
      <table className="probes-table" aria-label="Probes" ref={body} onKeyDown={onKeyDown}>
        <thead className="table-heads">
          <tr>
            <th scope="col" className="col-status">
              Status
            </th>
            <th scope="col" className="col-probe">
              Probe
            </th>
            <th scope="col">Last success</th>
            <th scope="col">Last failure</th>
            <th scope="col" className="col-num">
              Duration
            </th>
            <th scope="col" className="col-num">
              24 h
            </th>
            <th scope="col" className="col-num">
              30 d
            </th>
            <th scope="col">Latency</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        {[...groups].map(([scope, providers]) => {
          const scopeRows = [...providers.values()].flat();
          const failing = scopeRows.filter((r) => r.status === 'fail' || r.status === 'stale').length;
          const scopeKey = selectionKey({ scope });
          return (
            <tbody key={scope} className="scope-group" aria-label={`Scope ${scope}`}>
              <tr className="scope-row">
                <th scope="rowgroup" colSpan={9}>
                  <div className="scope-head">
                    <span className="scope-name mono">{scope}</span>
                    <span className="scope-meta muted">
                      {scopeRows.length} {scopeRows.length === 1 ? 'probe' : 'probes'}
                      {failing ? <span className="scope-failing"> · {failing} failing or stale</span> : null}
                    </span>
                    <button
                      type="button"
                      className="button button-small scope-run"
                      aria-label={`Run scope ${scope} now`}
                      disabled={starting.has(scopeKey)}
                      onClick={() => onRun({ scope }, `scope ${scope}`)}
                    >
                      <PlayIcon size={12} /> Run scope
                    </button>
                  </div>
                </th>
              </tr>
              {[...providers].map(([provider, providerRows]) => (
                <ProviderRows
                  key={provider}
                  scope={scope}
                  provider={provider}
                  showHeader={Boolean(provider)}
                  rows={providerRows}
                  {...{ now, selectedId, onSelect, onOpen, onEdit, onRun, starting }}
                />
              ))}
            </tbody>
          );
        })}
      </table>
    </div>
  );
}

function ProviderRows({
  scope,
  provider,
  showHeader,
  rows,
  ...props
}: { scope: string; provider: string; showHeader: boolean } & Omit<ProbeTableProps, 'rows'> & { rows: Row[] }) {
  const key = selectionKey({ scope, provider });
  return (
    <>
      {showHeader ? (
        <tr className="provider-row">
          <th scope="rowgroup" colSpan={9}>
            <div className="provider-head">
              <span className="mono">{provider}</span>
              <button
                type="button"
                className="button button-small button-quiet"
                aria-label={`Run provider ${provider} of ${scope} now`}
                disabled={props.starting.has(key)}
                onClick={() => props.onRun({ scope, provider }, `${scope} · ${provider}`)}
              >
                <PlayIcon size={11} /> Run
              </button>
            </div>
          </th>
        </tr>
      ) : null}
      {rows.map((row) => (
        <ProbeRow key={row.summary.probe.id} row={row} {...props} />
      ))}
    </>
  );
}

function When({ iso, now }: { iso: string | null; now: number }) {
  if (!iso) return <span className="faint">—</span>;
  return (
    <time dateTime={iso} title={absoluteTime(iso)}>
      {formatAgo(iso, now)}
    </time>
  );
}

function ProbeRow({
  row,
  now,
  selectedId,
  onSelect,
  onOpen,
  onEdit,
  onRun,
  starting,
}: { row: Row } & Omit<ProbeTableProps, 'rows'>) {
  const { summary, status, target } = row;
  const probe = summary.probe;
  const selected = probe.id === selectedId;
  const age = ageOfLastResult(summary, now);
  const runKey = selectionKey({ probeId: probe.id });
  return (
    <tr
      className={`probe-row ${selected ? 'is-selected' : ''} ${target ? `env-row-${target.environment}` : ''} status-row-${status}`}
      data-testid={`probe-row-${probe.id}`}
      data-probe-id={probe.id}
      aria-selected={selected}
      tabIndex={selected ? 0 : -1}
      onClick={() => onSelect(probe.id)}
      onFocus={(event) => {
        if (event.target === event.currentTarget) onSelect(probe.id);
      }}
      onDoubleClick={() => onOpen(probe.id)}
    >
      <td className="cell-status">
        <StatusLight status={status} />
        {status === 'stale' && age !== undefined ? (
          <span
            className="stale-age"
            title={summary.lastResult ? absoluteTime(summary.lastResult.finishedAt) : undefined}
          >
            last {formatAgo(summary.lastResult!.finishedAt, now)}
          </span>
        ) : null}
      </td>
      <td className="cell-probe">
        <div className="probe-name-line">
          {target ? <EnvBadge environment={target.environment} /> : null}
          <a
            className="probe-name"
            href={`#/integrations/probe/${probe.id}`}
            onClick={(event) => {
              event.preventDefault();
              onOpen(probe.id);
            }}
          >
            {probe.name}
          </a>
          <ProbeMarks summary={summary} />
        </div>
        <span className="probe-check mono muted">
          {probe.check || probe.kind}
          {target ? <span className="probe-target"> · {target.name}</span> : null}
        </span>
      </td>
      <td className="cell-when">
        <When iso={summary.lastSuccessAt} now={now} />
      </td>
      <td className="cell-when">
        <When iso={summary.lastFailureAt} now={now} />
      </td>
      <td className="col-num mono">{summary.lastResult ? formatLatency(summary.lastResult.durationMs) : '—'}</td>
      <td className="col-num mono">{formatUptime(summary.uptime24h)}</td>
      <td className="col-num mono">{formatUptime(summary.uptime30d)}</td>
      <td className={`cell-spark status-spark-${status}`}>
        <Sparkline values={summary.recentDurations} />
      </td>
      <td className="cell-actions">
        <button
          type="button"
          className="button button-small"
          aria-label={`Run ${probe.name} now`}
          title="Run now (R)"
          disabled={starting.has(runKey) || status === 'running'}
          onClick={(event) => {
            event.stopPropagation();
            onRun({ probeId: probe.id }, probe.name);
          }}
        >
          {status === 'running' ? <span className="spinner" aria-hidden="true" /> : <PlayIcon size={12} />} Run now
        </button>
        <button
          type="button"
          className="button button-small button-quiet"
          aria-label={`Edit ${probe.name}`}
          title="Edit"
          onClick={(event) => {
            event.stopPropagation();
            onEdit(summary);
          }}
        >
          <PencilIcon size={14} />
        </button>
      </td>
    </tr>
  );
}
