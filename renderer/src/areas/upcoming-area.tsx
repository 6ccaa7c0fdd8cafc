/**
 * The areas whose features arrive in later releases: what each will do, and what to set up now.
 */
import { AREAS, hrefOf, navigate, type AreaId } from '../app/routes';
import { useTargets } from '../app/targets-store';
import { EmptyState } from '../components/empty-state';
import { AREA_ICONS, PlusIcon } from '../components/icons';

type UpcomingId = Exclude<AreaId, 'overview' | 'targets' | 'logs' | 'runbooks'>;

const COPY: Record<UpcomingId, { subtitle: string; title: string; body: string }> = {
  integrations: {
    subtitle: 'A status light per integration: ok, warn, fail or stale, with history and alerts.',
    title: 'Integration probes run against your targets',
    body: 'Probes check each integration on boot and on a schedule, and keep their history and artifacts.',
  },
  bundles: {
    subtitle: 'One-click support bundles: context, recent logs, probe and run history, secrets redacted.',
    title: 'Support bundles are gathered from a target',
    body: 'Open a saved bundle later to review an incident offline, or diff two bundles.',
  },
};

export function UpcomingArea({ area }: { area: UpcomingId }) {
  const targets = useTargets();
  const label = AREAS.find((a) => a.id === area)!.label;
  const copy = COPY[area];
  const count = targets.state === 'ready' ? targets.targets.length : undefined;
  return (
    <section className="area" aria-labelledby={`${area}-title`}>
      <header className="area-header">
        <div>
          <h1 id={`${area}-title`}>{label}</h1>
          <p className="area-subtitle">{copy.subtitle}</p>
        </div>
      </header>
      <EmptyState
        icon={AREA_ICONS[area]({ size: 28 })}
        title={copy.title}
        actions={
          count === 0 ? (
            <button type="button" className="button button-primary" onClick={() => navigate('targets', 'new')}>
              <PlusIcon /> Add your first target
            </button>
          ) : count ? (
            <a className="button" href={hrefOf('targets')}>
              Review targets
            </a>
          ) : null
        }
      >
        <p>{copy.body}</p>
        <p className="muted">
          {count === 0
            ? 'Start by adding a target: it is what every area works on.'
            : count
              ? `${label} is not in this version yet; your ${count} ${count === 1 ? 'target is' : 'targets are'} ready for it.`
              : null}
        </p>
      </EmptyState>
    </section>
  );
}
