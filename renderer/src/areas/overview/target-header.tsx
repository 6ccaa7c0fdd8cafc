/**
 * The chosen target in one line: who it is, where it is, how its connection is doing.
 */
import type { ReactNode } from 'react';
import type { Target } from '../../../../shared/model/target';
import { ConnectionChip } from '../../components/connection-chip';
import { EnvBadge } from '../../components/env-badge';
import { lastMinutes } from '../bundles/bundle-link';
import { SupportBundleLink } from '../bundles/support-bundle-link';
import { connectionSummary } from '../targets/describe';
import { SHORT_KIND_LABELS } from '../targets/target-form';
import '../../styles/panels.css';

export function TargetHeader({ target, actions }: { target: Target; actions?: ReactNode }) {
  const summary = connectionSummary(target);
  return (
    <header className={`target-header env-edge-header env-edge-${target.environment}`}>
      <div className="target-header-main">
        <div className="target-header-title">
          <EnvBadge environment={target.environment} />
          <h2>{target.name}</h2>
          <span className="target-header-kind">{SHORT_KIND_LABELS[target.kind]}</span>
        </div>
        <div className="target-header-where mono">
          {summary.main}
          {summary.detail ? <span className="faint"> → {summary.detail}</span> : null}
        </div>
      </div>
      <div className="target-header-side">
        <ConnectionChip target={target} variant="header" />
        {actions}
        <SupportBundleLink
          link={{ targetId: target.id, window: lastMinutes() }}
          description={`Collect a support bundle of ${target.name}: the last hour`}
        />
      </div>
    </header>
  );
}
