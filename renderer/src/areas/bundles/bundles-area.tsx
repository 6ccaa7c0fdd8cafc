/**
 * Bundles: the bundles folder (the default tab) and the custom redaction rules; a new bundle
 * (preview, export with progress), an opened bundle and the diff of two each take the area.
 *
 * Routes: `#/bundles`, `#/bundles/rules`, `#/bundles/new?target=<id>&mode=…`,
 * `#/bundles/open/<id>`, `#/bundles/diff/<a>/<b>`.
 */
import { hrefOf } from '../../app/routes';
import { SectionTabs, type SectionTab } from '../../components/section-tabs';
import { BundleDiffView } from './bundle-diff-view';
import { BundleList } from './bundle-list';
import { BundleViewer } from './bundle-viewer';
import { parseBundlesRoute, type BundlesRoute } from './bundles-route';
import { NewBundle } from './new-bundle';
import { RulesView } from './rules-view';
import '@xterm/xterm/css/xterm.css';
import '../../styles/logs.css';
import '../../styles/bundles.css';

const TABS = [
  { id: 'list', label: 'Bundles', href: hrefOf('bundles', '') },
  { id: 'rules', label: 'Rules', href: hrefOf('bundles', 'rules') },
] as const satisfies readonly SectionTab[];

const SUBTITLES: Record<BundlesRoute['view'], string> = {
  list: 'One file per target and time window: context, logs, probes, runs and errors, secrets redacted.',
  rules: 'What is hidden in every bundle, besides the built-in rules and the keychain’s secrets.',
  new: 'Choose a target and a window, preview what goes in and what is redacted, then export.',
  open: 'A bundle, read-only and offline.',
  diff: 'What changed between two bundles of a target.',
};

const TITLES: Record<BundlesRoute['view'], string> = {
  list: 'Bundles',
  rules: 'Bundles',
  new: 'New bundle',
  open: 'Bundle',
  diff: 'Compare bundles',
};

export function BundlesArea({ rest }: { rest: string }) {
  const route = parseBundlesRoute(rest);
  const tabbed = route.view === 'list' || route.view === 'rules';
  return (
    <section className={`area bundles-area is-${route.view}`} aria-labelledby="bundles-title">
      <header className="area-header">
        <div>
          <h1 id="bundles-title">{TITLES[route.view]}</h1>
          <p className="area-subtitle">{SUBTITLES[route.view]}</p>
        </div>
      </header>
      {tabbed ? <SectionTabs label="Bundles sections" tabs={TABS} current={route.view} /> : null}
      {route.view === 'list' ? <BundleList /> : null}
      {route.view === 'rules' ? <RulesView /> : null}
      {route.view === 'new' ? <NewBundle key={rest} targetId={route.targetId} window={route.window} /> : null}
      {route.view === 'open' ? <BundleViewer key={route.id} id={route.id} /> : null}
      {route.view === 'diff' ? <BundleDiffView key={`${route.a}/${route.b}`} a={route.a} b={route.b} /> : null}
    </section>
  );
}
