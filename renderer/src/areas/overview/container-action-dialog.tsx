/**
 * Confirms a restart, stop or start. On a prod target the user types the container name (main
 * checks it too, so no client can skip the step); elsewhere a plain confirmation.
 */
import type { ContainerAction, ContainerSummary } from '../../../../shared/model/docker';
import type { Target } from '../../../../shared/model/target';
import { useApi } from '../../api/api-context';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { EnvBadge } from '../../components/env-badge';
import { ACTION_LABELS } from './container-groups';

const CONSEQUENCES: Record<ContainerAction, string> = {
  restart: 'Docker stops it (SIGTERM, then SIGKILL after 10 s) and starts it again; it is unavailable meanwhile.',
  stop: 'Docker stops it (SIGTERM, then SIGKILL after 10 s). It stays stopped until someone starts it.',
  start: 'Docker starts it with its existing configuration.',
};

interface ContainerActionDialogProps {
  target: Target;
  container: ContainerSummary;
  action: ContainerAction;
  onClose(): void;
  /** The request is on its way (the row shows progress). */
  onStarted(): void;
  /** It succeeded, with main's sentence ("shop-backend-1 restarted."). */
  onDone(message: string): void;
  /** It failed; the dialog shows why and stays open. */
  onFailed(): void;
}

export function ContainerActionDialog({
  target,
  container,
  action,
  onClose,
  onStarted,
  onDone,
  onFailed,
}: ContainerActionDialogProps) {
  const api = useApi();
  const prod = target.environment === 'prod';
  const { verb, doing } = ACTION_LABELS[action];

  async function run(typed: string | undefined) {
    onStarted();
    try {
      const result = await api.invoke('containers:act', {
        targetId: target.id,
        containerId: container.id,
        action,
        ...(typed !== undefined ? { confirmation: typed } : {}),
      });
      onDone(result.message);
    } catch (caught) {
      onFailed();
      throw caught;
    }
  }

  return (
    <ConfirmDialog
      title={`${verb} ${container.name}?`}
      description={CONSEQUENCES[action]}
      typeToConfirm={prod ? container.name : undefined}
      typePrompt={
        <>
          <strong>{target.name}</strong> is production.
        </>
      }
      confirmLabel={verb}
      busyLabel={doing}
      tone={action === 'start' ? 'default' : 'danger'}
      className={`action-dialog ${prod ? 'is-prod' : ''}`}
      onConfirm={run}
      onClose={onClose}
    >
      <div className={`action-summary env-edge-${target.environment}`}>
        <EnvBadge environment={target.environment} />
        <span className="action-summary-target">{target.name}</span>
        <span className="action-summary-sep" aria-hidden="true">
          ›
        </span>
        <span className="mono action-summary-container">{container.name}</span>
        <span className="muted action-summary-image mono">{container.image}</span>
      </div>
    </ConfirmDialog>
  );
}
