/**
 * Overview: one target at a time, picked from tabs. A Docker target shows its engine and its
 * containers live, with actions and the audit log; an ops-api target shows its own panel.
 */
import type { Target } from '../../../../shared/model/target';
import { navigate } from '../../app/routes';
import { useTargets } from '../../app/targets-store';
import { EmptyState } from '../../components/empty-state';
import { AREA_ICONS, PlusIcon, WarningIcon } from '../../components/icons';
import { DockerTargetView } from './docker-target-view';
import { OpsApiPanel } from './ops-api-panel';
import { TargetHeader } from './target-header';
import { TargetPicker, panelId, tabId, useSelectedTarget } from './target-picker';
import '../../styles/overview.css';

export function OverviewArea() {
  const targets = useTargets();
  return (
    <section className="area overview-area" aria-labelledby="overview-title">
      <header className="area-header">
        <div>
          <h1 id="overview-title">Overview</h1>
          <p className="area-subtitle">Engine, containers and recent actions of each target, kept live.</p>
        </div>
      </header>
      {targets.state === 'loading' ? (
        <p className="loading">Loading…</p>
      ) : targets.state === 'failed' ? (
        <p className="form-error" role="alert">
          <WarningIcon size={15} /> {targets.message}
        </p>
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
        <OverviewBody targets={targets.targets} />
      )}
    </section>
  );
}

function OverviewBody({ targets }: { targets: Target[] }) {
  const [selected, select] = useSelectedTarget(targets);
  if (!selected) return null;
  return (
    <>
      <TargetPicker targets={targets} selected={selected} onSelect={select} />
      <div className="overview-panel" role="tabpanel" id={panelId(selected.id)} aria-labelledby={tabId(selected.id)}>
        {selected.kind === 'ops-api' ? (
          <>
            <TargetHeader target={selected} />
            <OpsApiPanel target={selected} />
          </>
        ) : (
          <DockerTargetView key={selected.id} target={selected} />
        )}
      </div>
    </>
  );
}
