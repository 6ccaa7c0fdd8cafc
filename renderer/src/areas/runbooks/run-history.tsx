/**
 * Run history: every run, newest first, with its status, runbook, target, who started it and
 * from where, its lane and duration; filters by runbook, target and status; live through
 * `runs:updates`. A row opens the run's viewer.
 */
import { useCallback, useEffect, useMemo, useState, type KeyboardEvent } from 'react';
import { RUN_STATUSES, type RunStatus, type RunSummary } from '../../../../shared/model/runbook';
import { toApiError } from '../../api/open-api';
import { navigate } from '../../app/routes';
import { useTargets } from '../../app/targets-store';
import { EmptyState } from '../../components/empty-state';
import { formatWhen } from '../../components/format';
import { AREA_ICONS } from '../../components/icons';
import { useNow } from '../../components/use-now';
import { COMMAND_SHORTCUT_LABEL } from './command-bar';
import { useRunbooksApi, useRunUpdates } from './runbooks-api';
import { ORIGIN_LABELS, STATUS_LABELS, elapsedMs, formatElapsed, isActive, targetText } from './run-status';
import { StatusBadge } from './status-badge';

const PAGE = 200;

interface Filters {
  runbookId: string;
  targetId: string;
  status: RunStatus | '';
}

const NO_FILTERS: Filters = { runbookId: '', targetId: '', status: '' };

export function RunHistory() {
  const runbooks = useRunbooksApi();
  const targets = useTargets();
  const [runs, setRuns] = useState<RunSummary[]>();
  const [error, setError] = useState<string>();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [runbookIds, setRunbookIds] = useState<{ id: string; title: string }[]>([]);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let current = true;
    runbooks
      .listRuns({
        limit: PAGE,
        ...(filters.runbookId ? { runbookId: filters.runbookId } : {}),
        ...(filters.targetId ? { targetId: filters.targetId } : {}),
        ...(filters.status ? { status: filters.status } : {}),
      })
      .then(
        (list) => {
          if (!current) return;
          setRuns(list);
          setError(undefined);
        },
        (caught: unknown) => current && setError(toApiError(caught).message),
      );
    return () => {
      current = false;
    };
  }, [runbooks, filters, generation]);

  // The runbook filter offers every runbook, not just those in the page shown.
  useEffect(() => {
    let current = true;
    runbooks.listRunbooks().then(
      (list) => current && setRunbookIds(list.map((runbook) => ({ id: runbook.id, title: runbook.title }))),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [runbooks]);

  const onUpdate = useCallback(
    (run: RunSummary) => {
      setRuns((list) => {
        if (!list) return list;
        const index = list.findIndex((r) => r.id === run.id);
        if (index >= 0) {
          const next = [...list];
          // A run that no longer matches the status filter leaves the list.
          if (filters.status && run.status !== filters.status) next.splice(index, 1);
          else next[index] = run;
          return next;
        }
        if (!matches(run, filters)) return list;
        return [run, ...list].sort(newestFirst).slice(0, PAGE);
      });
    },
    [filters],
  );
  useRunUpdates(
    onUpdate,
    useCallback(() => setGeneration((g) => g + 1), []),
  );

  const anyActive = runs?.some((run) => isActive(run.status)) ?? false;
  const now = useNow(1000, anyActive);
  const targetList = targets.state === 'ready' ? targets.targets : [];
  const filtering = filters.runbookId || filters.targetId || filters.status;
  const runbookOptions = useMemo(() => {
    const known = new Map(runbookIds.map((r) => [r.id, r.title]));
    for (const run of runs ?? []) if (!known.has(run.runbookId)) known.set(run.runbookId, run.runbookTitle);
    return [...known].sort((a, b) => a[1].localeCompare(b[1]));
  }, [runbookIds, runs]);

  return (
    <div className="run-history">
      <div className="runbooks-toolbar" role="group" aria-label="Filters">
        <FilterSelect
          label="Runbook"
          all="All runbooks"
          value={filters.runbookId}
          options={runbookOptions}
          onChange={(runbookId) => setFilters({ ...filters, runbookId })}
        />
        <FilterSelect
          label="Target"
          all="All targets"
          value={filters.targetId}
          options={targetList.map((target) => [target.id, `${target.name} (${target.environment})`])}
          onChange={(targetId) => setFilters({ ...filters, targetId })}
        />
        <FilterSelect
          label="Status"
          all="Any status"
          value={filters.status}
          options={RUN_STATUSES.map((status) => [status, STATUS_LABELS[status]])}
          onChange={(status) => setFilters({ ...filters, status: status as RunStatus | '' })}
        />
        {filtering ? (
          <button type="button" className="button button-small button-quiet" onClick={() => setFilters(NO_FILTERS)}>
            Clear filters
          </button>
        ) : null}
      </div>

      {error ? (
        <p className="form-error" role="alert">
          Could not read the run history: {error}
        </p>
      ) : null}

      {runs === undefined ? (
        error ? null : (
          <p className="loading">Loading runs…</p>
        )
      ) : runs.length === 0 ? (
        filtering ? (
          <p className="muted runs-none">No run matches these filters.</p>
        ) : (
          <EmptyState icon={AREA_ICONS.runbooks({ size: 28 })} title="Start a first run">
            <p>
              No runs yet — press <kbd>{COMMAND_SHORTCUT_LABEL}</kbd> and type a command like{' '}
              <span className="mono">healthcheck staging</span>.
            </p>
            <p className="muted">Every run is kept here with its events, artifacts and who started it.</p>
          </EmptyState>
        )
      ) : (
        <RunTable runs={runs} now={now} />
      )}
    </div>
  );
}

/** One of the toolbar's filters: "all" (the empty value) or one of `options` ([value, label]). */
function FilterSelect({
  label,
  all,
  value,
  options,
  onChange,
}: {
  label: string;
  all: string;
  value: string;
  options: readonly (readonly [string, string])[];
  onChange(value: string): void;
}) {
  return (
    <label className="toolbar-field">
      <span>{label}</span>
      <select
        className="input input-small select"
        aria-label={`Filter by ${label.toLowerCase()}`}
        value={value}
        onChange={(event) => onChange(event.target.value)}
      >
        <option value="">{all}</option>
        {options.map(([optionValue, optionLabel]) => (
          <option key={optionValue} value={optionValue}>
            {optionLabel}
          </option>
        ))}
      </select>
    </label>
  );
}

function RunTable({ runs, now }: { runs: RunSummary[]; now: number }) {
  const open = (run: RunSummary) => navigate('runbooks', `run/${run.id}`);
  const onKey = (event: KeyboardEvent<HTMLTableRowElement>, run: RunSummary) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      open(run);
    }
  };
  return (
    <table className="runs-table" aria-label="Runs">
      <thead className="table-heads">
        <tr>
          <th>Status</th>
          <th>Runbook</th>
          <th>Target</th>
          <th>Started by</th>
          <th>Lane</th>
          <th>Started</th>
          <th className="num">Duration</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr
            key={run.id}
            className="run-row"
            data-run={run.id}
            data-status={run.status}
            tabIndex={0}
            onClick={() => open(run)}
            onKeyDown={(event) => onKey(event, run)}
          >
            <td>
              <StatusBadge status={run.status} />
              {run.dryRun ? <span className="tag tag-muted">dry run</span> : null}
            </td>
            <td>
              <a href={`#/runbooks/run/${run.id}`} className="run-link" onClick={(event) => event.stopPropagation()}>
                {run.runbookTitle}
              </a>
              {run.retryOf ? <span className="muted small"> · {run.resumedFrom ? 'resumed' : 'retry'}</span> : null}
            </td>
            <td>{targetText(run)}</td>
            <td>
              {run.startedBy}
              <span className={`origin origin-${run.origin}`}>{ORIGIN_LABELS[run.origin]}</span>
            </td>
            <td className="mono">{run.lane ?? '—'}</td>
            <td title={run.startedAt ?? run.createdAt}>{formatWhen(run.startedAt ?? run.createdAt, now)}</td>
            <td className="num">{formatElapsed(elapsedMs(run, now))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function matches(run: RunSummary, filters: Filters): boolean {
  return (
    (!filters.runbookId || run.runbookId === filters.runbookId) &&
    (!filters.targetId || run.targetId === filters.targetId) &&
    (!filters.status || run.status === filters.status)
  );
}

function newestFirst(a: RunSummary, b: RunSummary): number {
  return b.createdAt.localeCompare(a.createdAt);
}
