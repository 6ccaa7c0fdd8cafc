/**
 * Runbooks: run history (the default tab), the runbooks with their YAML editor, the secrets
 * they use; a run opens full screen in the viewer.
 *
 * Routes: `#/runbooks` (runs), `#/runbooks/list`, `#/runbooks/secrets`, `#/runbooks/run/<id>`,
 * `#/runbooks/edit/<id>`, `#/runbooks/new`.
 */
import { hrefOf } from '../../app/routes';
import { SectionTabs, type SectionTab } from '../../components/section-tabs';
import { RunHistory } from './run-history';
import { RunViewer } from './run-viewer';
import { RunbookEditor } from './runbook-editor';
import { RunbookList } from './runbook-list';
import { parseRunbooksRoute, type RunbooksRoute } from './run-status';
import { SecretsView } from './secrets-view';
import '@xterm/xterm/css/xterm.css';
import '../../styles/logs.css';
import '../../styles/runbooks.css';

const TABS = [
  { id: 'runs', label: 'Runs', href: hrefOf('runbooks', '') },
  { id: 'list', label: 'Runbooks', href: hrefOf('runbooks', 'list') },
  { id: 'secrets', label: 'Secrets', href: hrefOf('runbooks', 'secrets') },
] as const satisfies readonly SectionTab[];

export function RunbooksArea({ rest }: { rest: string }) {
  const route = parseRunbooksRoute(rest);
  if (route.view === 'run') {
    return (
      <div className="area runbooks-area run-viewer-area">
        <RunViewer key={route.runId} runId={route.runId} />
      </div>
    );
  }
  return (
    <section className="area runbooks-area" aria-labelledby="runbooks-title">
      <header className="area-header">
        <div>
          <h1 id="runbooks-title">Runbooks</h1>
          <p className="area-subtitle">
            Validate, preflight, act, verify, summarize — every run streamed live, kept with its events and artifacts.
          </p>
        </div>
      </header>
      <SectionTabs label="Runbooks sections" tabs={TABS} current={tabOf(route)} />
      {route.view === 'runs' ? <RunHistory /> : null}
      {route.view === 'list' ? <RunbookList /> : null}
      {route.view === 'secrets' ? <SecretsView /> : null}
      {route.view === 'edit' ? <RunbookEditor key={route.runbookId} runbookId={route.runbookId} /> : null}
      {route.view === 'new' ? <RunbookEditor key="new" runbookId={undefined} /> : null}
    </section>
  );
}

function tabOf(route: RunbooksRoute): (typeof TABS)[number]['id'] {
  switch (route.view) {
    case 'list':
    case 'edit':
    case 'new':
      return 'list';
    case 'secrets':
      return 'secrets';
    default:
      return 'runs';
  }
}
