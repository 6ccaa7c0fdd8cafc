/**
 * An opened bundle, read-only and offline: a header that says it is from a bundle (and when),
 * the target, the window, what could not be collected, the redaction report; tabs for the
 * context, logs, probes, runs, frontend errors, alerts and audit log. An agent bundle has
 * fewer sections: only the tabs with something in them are shown.
 */
import { useEffect, useState } from 'react';
import type { BundleView } from '../../../../shared/model/bundle';
import { useApi } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { hrefOf } from '../../app/routes';
import { EnvBadge } from '../../components/env-badge';
import { BundleLogs } from './bundle-logs';
import { hasContent } from './bundle-view-model';
import { RedactionReport } from './preview-panel';
import { JsonTree, ProbesSection, RecordsSection, RunsSection } from './records';

type TabId = 'context' | 'logs' | 'probes' | 'runs' | 'frontend-errors' | 'alerts' | 'audit';

const TAB_LABELS: Record<TabId, string> = {
  context: 'Context',
  logs: 'Logs',
  probes: 'Probes',
  runs: 'Runs',
  'frontend-errors': 'Frontend errors',
  alerts: 'Alerts',
  audit: 'Audit',
};

type ViewState = { state: 'loading' } | { state: 'ready'; view: BundleView } | { state: 'failed'; message: string };

export function BundleViewer({ id }: { id: string }) {
  const api = useApi();
  const [loaded, setLoaded] = useState<ViewState>({ state: 'loading' });

  useEffect(() => {
    let current = true;
    api.invoke('bundles:open', { id }).then(
      (view) => current && setLoaded({ state: 'ready', view }),
      (error: unknown) => current && setLoaded({ state: 'failed', message: toApiError(error).message }),
    );
    return () => {
      current = false;
    };
  }, [api, id]);

  if (loaded.state === 'loading') return <p className="loading">Opening {id}…</p>;
  if (loaded.state === 'failed') {
    return (
      <div className="bundle-viewer">
        <p className="form-error" role="alert">
          {loaded.message}
        </p>
        <a className="button" href={hrefOf('bundles')}>
          Back to bundles
        </a>
      </div>
    );
  }
  return <OpenedBundle view={loaded.view} />;
}

function OpenedBundle({ view }: { view: BundleView }) {
  const tabs = tabsOf(view);
  const [tab, setTab] = useState<TabId>(tabs[0] ?? 'context');
  const manifest = view.manifest;
  const created = formatCreated(view.created);

  return (
    <div className="bundle-viewer" data-kind={view.kind}>
      <header className="bundle-viewer-header">
        <div className="bundle-viewer-title">
          <FromBundleBadge created={view.created} />
          <h2>
            {view.targetName ?? manifest?.target.name ?? 'Unknown target'}
            {manifest ? <EnvBadge environment={manifest.target.environment} /> : null}
          </h2>
          <a className="button button-small button-quiet" href={hrefOf('bundles')}>
            Back to bundles
          </a>
        </div>
        <dl className="bundle-facts">
          <div>
            <dt>Created</dt>
            <dd title={view.created}>{created}</dd>
          </div>
          <div>
            <dt>Window</dt>
            <dd>{manifest?.window.description ?? (view.kind === 'agent' ? 'The agent’s recent logs' : '—')}</dd>
          </div>
          <div>
            <dt>Kind</dt>
            <dd>{view.kind === 'agent' ? 'Agent bundle' : 'Control Room bundle'}</dd>
          </div>
          <div>
            <dt>File</dt>
            <dd className="mono">{view.id}</dd>
          </div>
          {manifest ? (
            <div>
              <dt>From</dt>
              <dd>
                Control Room {manifest.app.version} on {manifest.app.platform}/{manifest.app.arch}
              </dd>
            </div>
          ) : null}
        </dl>
        {manifest && (manifest.notes.length > 0 || manifest.cut.length > 0) ? (
          <section className="bundle-notes" aria-label="What could not be collected">
            <h3>What could not be collected</h3>
            <ul>
              {manifest.notes.map((note, index) => (
                <li key={`n${index}`}>
                  <span className="mono">{note.section}</span>: {note.message}
                </li>
              ))}
              {manifest.cut.map((cut, index) => (
                <li key={`c${index}`}>
                  <span className="mono">{cut.file}</span>: cut — {cut.reason}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {manifest ? (
          <details className="bundle-redactions">
            <summary>
              Redaction report: {manifest.redaction.total.toLocaleString()} redacted
              {manifest.redactedFrom ? ' (re-redacted from an earlier bundle)' : ''}
            </summary>
            <RedactionReport counts={manifest.redaction.counts} title="Redacted in this bundle" />
          </details>
        ) : null}
      </header>

      <div className="tab-row bundle-tabs" role="tablist" aria-label="Bundle sections">
        {tabs.map((id) => (
          <button
            key={id}
            type="button"
            role="tab"
            className="tab"
            aria-selected={tab === id}
            aria-current={tab === id ? 'page' : undefined}
            onClick={() => setTab(id)}
          >
            {TAB_LABELS[id]}
          </button>
        ))}
      </div>

      <section className="bundle-panel" role="tabpanel" aria-label={TAB_LABELS[tab]}>
        <div className="bundle-panel-badge">
          <FromBundleBadge created={view.created} />
        </div>
        {tab === 'context' ? <JsonTree value={view.context} label="Context" /> : null}
        {tab === 'logs' ? <BundleLogs id={view.id} sources={view.logSources} /> : null}
        {tab === 'probes' ? <ProbesSection value={view.probes} /> : null}
        {tab === 'runs' ? <RunsSection value={view.runs} /> : null}
        {tab === 'frontend-errors' ? (
          <RecordsSection value={view.frontendErrors} name="Frontend errors" preferred={ERROR_COLUMNS} />
        ) : null}
        {tab === 'alerts' ? <RecordsSection value={view.alerts} name="Alerts" preferred={ALERT_COLUMNS} /> : null}
        {tab === 'audit' ? <RecordsSection value={view.audit} name="Audit log" preferred={AUDIT_COLUMNS} /> : null}
        {tabs.length === 0 ? <p className="muted">This bundle holds nothing to show.</p> : null}
      </section>
    </div>
  );
}

const ERROR_COLUMNS = ['message', 'count', 'firstSeen', 'lastSeen', 'url', 'ts'];
const ALERT_COLUMNS = ['at', 'ts', 'probeName', 'rule', 'severity', 'status', 'message', 'summary'];
const AUDIT_COLUMNS = ['at', 'ts', 'action', 'subjectKind', 'subject', 'actor', 'outcome', 'detail'];

function tabsOf(view: BundleView): TabId[] {
  const tabs: TabId[] = [];
  if (hasContent(view.context)) tabs.push('context');
  if (view.logSources.length > 0) tabs.push('logs');
  if (hasContent(view.probes)) tabs.push('probes');
  if (hasContent(view.runs)) tabs.push('runs');
  if (hasContent(view.frontendErrors)) tabs.push('frontend-errors');
  if (hasContent(view.alerts)) tabs.push('alerts');
  if (hasContent(view.audit)) tabs.push('audit');
  return tabs;
}

/** Marks what is shown as a bundle's snapshot, not live data. */
export function FromBundleBadge({ created }: { created: string }) {
  return (
    <span className="from-bundle-badge" data-testid="from-bundle">
      From a bundle, {formatCreated(created)}
    </span>
  );
}

function formatCreated(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}
