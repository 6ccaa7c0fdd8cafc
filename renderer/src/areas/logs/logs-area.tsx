/**
 * Logs: live log panes for one target at a time (`#/logs/<targetId>`), split as the operator
 * likes, each following one or more containers merged in time order. Without a target in the
 * address it opens the last one chosen, kept with the app's data (a setting).
 */
import type { ReactNode } from 'react';
import type { Target } from '../../../../shared/model/target';
import { navigate } from '../../app/routes';
import { useTargets } from '../../app/targets-store';
import { useRememberedChoice } from '../../api/use-remembered-choice';
import { ConnectionChip } from '../../components/connection-chip';
import { EmptyState } from '../../components/empty-state';
import { EnvBadge } from '../../components/env-badge';
import { AREA_ICONS, PlusIcon, WarningIcon } from '../../components/icons';
import { lastMinutes } from '../bundles/bundle-link';
import { SupportBundleLink } from '../bundles/support-bundle-link';
import { LogsWorkspace } from './logs-workspace';
import '@xterm/xterm/css/xterm.css';
import '../../styles/logs.css';

export function LogsArea({ rest }: { rest: string }) {
  const targets = useTargets();
  const [remembered, remember] = useRememberedChoice('logs.target', 'control-room.logs.target');
  if (targets.state === 'loading' || (!rest && remembered === undefined)) {
    return (
      <section className="area" aria-labelledby="logs-title">
        <AreaHeader />
        <p className="loading">Loading…</p>
      </section>
    );
  }
  if (targets.state === 'failed') {
    return (
      <section className="area" aria-labelledby="logs-title">
        <AreaHeader />
        <p className="form-error" role="alert">
          <WarningIcon size={15} /> {targets.message}
        </p>
      </section>
    );
  }
  if (!targets.targets.length) {
    return (
      <section className="area" aria-labelledby="logs-title">
        <AreaHeader />
        <EmptyState
          icon={AREA_ICONS.logs({ size: 28 })}
          title="Add a target to follow its logs here"
          actions={
            <button type="button" className="button button-primary" onClick={() => navigate('targets', 'new')}>
              <PlusIcon /> Add a target
            </button>
          }
        >
          <p>Logs follow the containers of your Docker targets (local or over SSH) and the services of ops APIs.</p>
        </EmptyState>
      </section>
    );
  }
  const wanted = rest || remembered;
  const target = targets.targets.find((candidate) => candidate.id === wanted) ?? targets.targets[0]!;
  return (
    <section className="area logs-area" aria-labelledby="logs-title">
      <AreaHeader>
        <TargetSelect targets={targets.targets} selected={target} onSelect={remember} />
        <ConnectionChip key={target.id} target={target} variant="header" />
        <SupportBundleLink
          link={{ targetId: target.id, window: lastMinutes() }}
          description={`Collect a support bundle of ${target.name}: the last hour`}
        />
      </AreaHeader>
      <LogsWorkspace key={target.id} target={target} />
    </section>
  );
}

function AreaHeader({ children }: { children?: ReactNode }) {
  return (
    <header className="area-header logs-header">
      <div className="logs-heading">
        <h1 id="logs-title">Logs</h1>
        <p className="area-subtitle">
          Follow containers live, merged in time order; search, filter and keep what you need.
        </p>
      </div>
      {children ? <div className="logs-target">{children}</div> : null}
    </header>
  );
}

function TargetSelect({
  targets,
  selected,
  onSelect,
}: {
  targets: Target[];
  selected: Target;
  onSelect(id: string): void;
}) {
  return (
    <label className="logs-target-select">
      <span className="visually-hidden">Target</span>
      <EnvBadge environment={selected.environment} />
      <select
        className="input select"
        aria-label="Target"
        value={selected.id}
        onChange={(event) => {
          onSelect(event.target.value);
          navigate('logs', event.target.value, { replace: true });
        }}
      >
        {targets.map((target) => (
          <option key={target.id} value={target.id}>
            {target.name} ({target.environment})
          </option>
        ))}
      </select>
    </label>
  );
}
