/**
 * Runbooks: run history (the default tab), the runbooks with their YAML editor, the secrets
 * they use; a run opens full screen in the viewer.
 *
 * Routes: `#/runbooks` (runs), `#/runbooks/list`, `#/runbooks/secrets`, `#/runbooks/run/<id>`,
 * `#/runbooks/edit/<id>`, `#/runbooks/new`.
 */
import { hrefOf } from '../../app/routes';
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
  { id: 'runs', label: 'Runs', rest: '' },
  { id: 'list', label: 'Runbooks', rest: 'list' },
  { id: 'secrets', label: 'Secrets', rest: 'secrets' },
] as const;

export function RunbooksArea({ rest }: { rest: string }) {
  const route = parseRunbooksRoute(rest);
  if (route.view === 'run') {
    return (
      <div className="area runbooks-area run-viewer-area">
        <RunViewer key={route.runId} runId={route.runId} />
      </div>
    );
  }
  const tab = tabOf(route);
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
      <nav className="runbooks-tabs" aria-label="Runbooks sections">
        <ul className="runbooks-tab-row">
          {TABS.map((t) => (
            <li key={t.id}>
              <a href={hrefOf('runbooks', t.rest)} className="runbooks-tab" aria-current={tab === t.id ? 'page' : undefined}>
                {t.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
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
