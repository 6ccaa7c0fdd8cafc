/**
 * Overview: one snapshot per target. Until the Docker and ops-API connections land it says so,
 * and lists the targets that are ready for it.
 */
import { hrefOf, navigate } from '../app/routes';
import { useTargets } from '../app/targets-store';
import { EmptyState } from '../components/empty-state';
import { EnvBadge } from '../components/env-badge';
import { AREA_ICONS, PlusIcon } from '../components/icons';
import { connectionSummary } from './targets/describe';
import { SHORT_KIND_LABELS } from './targets/target-form';

export function OverviewArea() {
  const targets = useTargets();
  return (
    <section className="area" aria-labelledby="overview-title">
      <header className="area-header">
        <div>
          <h1 id="overview-title">Overview</h1>
          <p className="area-subtitle">Deploy info, container health and alerts for every target, at a glance.</p>
        </div>
      </header>
      {targets.state !== 'ready' ? (
        <p className="loading">Loading…</p>
      ) : targets.targets.length === 0 ? (
        <EmptyState
          icon={AREA_ICONS.overview({ size: 28 })}
          title="Add your first target to see its containers and deploy info here"
          actions={
            <button type="button" className="button button-primary" onClick={() => navigate('targets', 'new')}>
              <PlusIcon /> Add a target
            </button>
          }
        >
          <p>Point Control Room at a Docker host or your product’s ops API; its secrets stay in the system keychain.</p>
        </EmptyState>
      ) : (
        <>
          <EmptyState
            icon={AREA_ICONS.overview({ size: 28 })}
            title={`Overview arrives with Docker and ops-API connections; your ${targets.targets.length} ${
              targets.targets.length === 1 ? 'target is' : 'targets are'
            } ready.`}
            actions={
              <a className="button" href={hrefOf('targets')}>
                Manage targets
              </a>
            }
          >
            <p>Each target will show its deploy (git SHA, image tags, migrations), container health and alerts here.</p>
          </EmptyState>
          <ul className="target-chips" aria-label="Targets ready">
            {targets.targets.map((target) => (
              <li key={target.id} className={`target-chip env-row-${target.environment}`}>
                <EnvBadge environment={target.environment} />
                <span className="target-chip-name">{target.name}</span>
                <span className="muted">{SHORT_KIND_LABELS[target.kind]}</span>
                <span className="mono muted target-chip-connection">{connectionSummary(target).main}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
