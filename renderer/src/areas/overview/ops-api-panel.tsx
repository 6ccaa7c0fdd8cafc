/**
 * What the Overview shows for an ops-api target. A placeholder until the ops agent lands: its
 * engineer replaces this file (same export, same props) without touching the rest of Overview.
 */
import type { Target } from '../../../../shared/model/target';
import { EmptyState } from '../../components/empty-state';
import { AREA_ICONS } from '../../components/icons';

export function OpsApiPanel({ target }: { target: Target }) {
  return (
    <EmptyState icon={AREA_ICONS.integrations({ size: 28 })} title="Ops API overview arrives with the agent">
      <p>
        {target.name}’s deploy info (git SHA, image tags, migrations), container health, alerts and frontend status will
        show here, read from its <code>/api/ops/context</code>.
      </p>
    </EmptyState>
  );
}
