/**
 * Integrations: every external dependency's probe with a status light, live; filters; Run now
 * for one probe, a provider, a scope or everything; add/edit from a preset or from scratch; a
 * drill-down per probe (`#/integrations/probe/<id>`) with its results, artifacts and history.
 *
 * Keys: R runs the selected probe, Ctrl/Cmd+R lists again (everything is read from the local
 * store, so this works offline too).
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Probe, ProbePreset, ProbeSelection, ProbeSummary } from '../../../../shared/model/probe';
import { useApi } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { navigate } from '../../app/routes';
import { useTargets } from '../../app/targets-store';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Dialog } from '../../components/dialog';
import { EmptyState } from '../../components/empty-state';
import { AREA_ICONS, Icon, PlayIcon, PlusIcon, WarningIcon } from '../../components/icons';
import { Notice, useNotice } from '../../components/notice';
import { useNow } from '../../components/use-now';
import { PresetCards } from './preset-cards';
import { ProbeEditorDialog } from './probe-editor-dialog';
import { ProbePage } from './probe-page';
import { describeRetention } from './retention-form';
import { RetentionDialog } from './retention-dialog';
import { ImportExportActions } from './import-export-actions';
import { applyFilters, FilterChips, NO_FILTERS, ProbeTable, rowsOf, selectionKey, type Filters } from './probe-table';
import { useProbes } from './use-probes';
import { AlertsView } from '../alerts/alerts-view';
import { alertTabOf, IntegrationsTabs } from '../alerts/integrations-tabs';
import '../../styles/integrations.css';

const IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform);

type Open =
  | { dialog: 'pick' }
  | { dialog: 'editor'; probe?: Probe; preset?: ProbePreset | null }
  | { dialog: 'delete'; probe: Probe }
  | { dialog: 'retention' }
  | null;

export function IntegrationsArea({ rest }: { rest: string }) {
  const api = useApi();
  const { probes, refresh, refreshError, refreshing } = useProbes();
  const targets = useTargets();
  const now = useNow(5000);
  const [open, setOpen] = useState<Open>(null);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [selectedId, setSelectedId] = useState<string>();
  const [starting, setStarting] = useState<Set<string>>(new Set());
  const [notice, showNotice] = useNotice();

  const pageId = /^probe\/([a-z0-9-]{1,64})$/.exec(rest)?.[1];
  const alerts = alertTabOf(rest);
  const summaries = useMemo(() => (probes.state === 'ready' ? probes.summaries : []), [probes]);
  const targetList = useMemo(() => (targets.state === 'ready' ? targets.targets : []), [targets]);
  const rows = useMemo(() => rowsOf(summaries, targetList, now), [summaries, targetList, now]);
  const visible = useMemo(() => applyFilters(rows, filters), [rows, filters]);
  const selected = visible.some((r) => r.summary.probe.id === selectedId) ? selectedId : visible[0]?.summary.probe.id;

  const run = useCallback(
    (selection: ProbeSelection, label: string) => {
      const key = selectionKey(selection);
      setStarting((set) => new Set(set).add(key));
      api.invoke('probes:run', selection).then(
        ({ started }) => {
          setStarting((set) => {
            const next = new Set(set);
            next.delete(key);
            return next;
          });
          if (!selection.probeId)
            showNotice(
              started
                ? `Started ${started} ${started === 1 ? 'probe' : 'probes'} (${label}).`
                : `Nothing to run in ${label}.`,
            );
        },
        (error: unknown) => {
          setStarting((set) => {
            const next = new Set(set);
            next.delete(key);
            return next;
          });
          showNotice(toApiError(error).message, 'error');
        },
      );
    },
    [api, showNotice],
  );

  // R runs the selected probe (or the one open); Ctrl/Cmd+R lists again instead of reloading.
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'r' && event.key !== 'R') return;
      if (event.altKey || event.shiftKey || event.repeat) return;
      if (document.querySelector('dialog[open]')) return;
      const target = event.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      const modifier = IS_MAC ? event.metaKey && !event.ctrlKey : event.ctrlKey && !event.metaKey;
      if (modifier) {
        event.preventDefault();
        refresh();
        return;
      }
      if (event.ctrlKey || event.metaKey) return;
      const id = pageId ?? selected;
      const row = rows.find((r) => r.summary.probe.id === id);
      if (!row) return;
      event.preventDefault();
      run({ probeId: row.summary.probe.id }, row.summary.probe.name);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [pageId, selected, rows, run, refresh]);

  const openProbe = (id: string) => {
    setSelectedId(id);
    navigate('integrations', `probe/${id}`);
  };
  const edit = (summary: ProbeSummary) => setOpen({ dialog: 'editor', probe: summary.probe });
  const pageRow = pageId ? rows.find((r) => r.summary.probe.id === pageId) : undefined;
  const empty = probes.state === 'ready' && summaries.length === 0;

  return (
    <section className="area integrations-area" aria-labelledby="integrations-title">
      <header className="area-header">
        <div>
          <h1 id="integrations-title">Integrations</h1>
          <p className="area-subtitle">
            Every external dependency with a status light, evidence and a long history — kept on this machine, readable
            offline.
          </p>
        </div>
        {probes.state === 'ready' && !pageId && !alerts ? (
          <div className="area-actions">
            <ImportExportActions
              onNotice={showNotice}
              exportIds={visible.length < rows.length ? visible.map((row) => row.summary.probe.id) : undefined}
            />
            <button
              type="button"
              className="button button-quiet"
              onClick={() => setOpen({ dialog: 'retention' })}
              title="How long results are kept, and how much room they may take"
            >
              <HistoryIcon /> History settings
            </button>
            {!empty ? (
              <>
                <button
                  type="button"
                  className="button"
                  onClick={() => run({}, 'all probes')}
                  disabled={starting.has(selectionKey({}))}
                >
                  <PlayIcon size={13} /> Run all
                </button>
                <button type="button" className="button button-primary" onClick={() => setOpen({ dialog: 'pick' })}>
                  <PlusIcon /> Add probe
                </button>
              </>
            ) : null}
          </div>
        ) : null}
      </header>

      {pageId ? null : <IntegrationsTabs tab={alerts?.tab} />}
      <Notice notice={notice} />
      {refreshError && probes.state === 'ready' ? (
        <p className="inline-note refresh-error" role="status">
          <WarningIcon size={14} /> Could not list again: {refreshError} Showing what was read before.
        </p>
      ) : null}

      {probes.state === 'loading' ? (
        <p className="loading">Loading probes…</p>
      ) : probes.state === 'failed' ? (
        <div className="probes-failed">
          <p className="form-error" role="alert">
            <WarningIcon size={15} /> {probes.message}
          </p>
          <button type="button" className="button button-small" onClick={refresh} disabled={refreshing}>
            Try again
          </button>
        </div>
      ) : alerts ? (
        <AlertsView tab={alerts.tab} rest={alerts.rest} summaries={summaries} now={now} />
      ) : pageId ? (
        pageRow ? (
          <ProbePage
            key={pageId}
            summary={pageRow.summary}
            summaries={summaries}
            target={pageRow.target}
            now={now}
            starting={starting.has(selectionKey({ probeId: pageId }))}
            onRun={() => run({ probeId: pageId }, pageRow.summary.probe.name)}
            onEdit={() => edit(pageRow.summary)}
            onDelete={() => setOpen({ dialog: 'delete', probe: pageRow.summary.probe })}
          />
        ) : (
          <EmptyState
            icon={AREA_ICONS.integrations({ size: 28 })}
            title="This probe is not there any more"
            actions={
              <button type="button" className="button" onClick={() => navigate('integrations')}>
                Back to Integrations
              </button>
            }
          >
            <p>It may have been deleted.</p>
          </EmptyState>
        )
      ) : empty ? (
        <div className="probes-empty">
          <EmptyState
            icon={AREA_ICONS.integrations({ size: 28 })}
            title="Watch every integration your product depends on"
          >
            <p>
              A probe checks one external dependency — an AI API, GitHub, object storage, a website — on a schedule and
              when you ask. Each run is judged by conditions like <code>[STATUS] == 200</code>, and its evidence (the
              response, an image, a certificate) is kept with a long history on this machine. Secrets stay in the system
              keychain.
            </p>
            <p className="muted">Start from a preset, or build one from scratch.</p>
          </EmptyState>
          <PresetCards onPick={(preset) => setOpen({ dialog: 'editor', preset })} />
        </div>
      ) : (
        <>
          <FilterChips rows={rows} filters={filters} onChange={setFilters} />
          {visible.length ? (
            <ProbeTable
              rows={visible}
              now={now}
              selectedId={selected}
              onSelect={setSelectedId}
              onOpen={openProbe}
              onEdit={edit}
              onRun={run}
              starting={starting}
            />
          ) : (
            <p className="muted no-match">
              No probe matches these filters.{' '}
              <button type="button" className="button button-small button-quiet" onClick={() => setFilters(NO_FILTERS)}>
                Clear filters
              </button>
            </p>
          )}
          <p className="keys-hint muted" aria-hidden="true">
            ↑/↓ select · Enter opens · <kbd>R</kbd> runs the selected probe · <kbd>{IS_MAC ? '⌘' : 'Ctrl+'}R</kbd>{' '}
            refreshes
          </p>
        </>
      )}

      {open?.dialog === 'pick' ? (
        <Dialog
          title="Add probe"
          description="Start from a preset, or from scratch."
          onClose={() => setOpen(null)}
          className="preset-dialog"
        >
          <div className="form-body">
            <PresetCards autoFocus onPick={(preset) => setOpen({ dialog: 'editor', preset })} />
          </div>
        </Dialog>
      ) : null}
      {open?.dialog === 'editor' ? (
        <ProbeEditorDialog
          probe={open.probe}
          preset={open.preset}
          onClose={() => setOpen(null)}
          onSaved={(probe, created) => {
            setOpen(null);
            setSelectedId(probe.id);
            showNotice(created ? `Added ${probe.name}.` : `Saved ${probe.name}.`);
          }}
          onDelete={open.probe ? () => setOpen({ dialog: 'delete', probe: open.probe! }) : undefined}
        />
      ) : null}
      {open?.dialog === 'retention' ? (
        <RetentionDialog
          onClose={() => setOpen(null)}
          onSaved={(retention) => {
            setOpen(null);
            showNotice(`History settings saved. ${describeRetention(retention)}`);
          }}
        />
      ) : null}
      {open?.dialog === 'delete' ? (
        <ConfirmDialog
          title={`Delete ${open.probe.name}?`}
          description="Its results, history and artifacts are removed from this machine, and its secrets from the keychain."
          confirmLabel="Delete probe"
          busyLabel="Deleting…"
          tone="danger"
          onClose={() => setOpen(null)}
          onConfirm={async () => {
            await api.invoke('probes:delete', { id: open.probe.id });
            setOpen(null);
            showNotice(`Deleted ${open.probe.name}.`);
            if (pageId) navigate('integrations', '', { replace: true });
          }}
        />
      ) : null}
    </section>
  );
}

/** A clock with a back-arrow: how long history is kept. */
function HistoryIcon({ size = 14 }: { size?: number }) {
  return (
    <Icon size={size}>
      <path d="M4 12a8 8 0 1 0 2.34-5.66" />
      <path d="M4 4v4.5h4.5" />
      <path d="M12 8v4.5l3 2" />
    </Icon>
  );
}
