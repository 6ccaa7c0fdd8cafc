/**
 * The environment badge. Prod is drawn so it cannot be mistaken: solid red, upper case.
 */
import type { Environment } from '../../../shared/model/target';

export const ENVIRONMENT_LABELS: Record<Environment, string> = { prod: 'Prod', staging: 'Staging', dev: 'Dev' };

export function EnvBadge({ environment }: { environment: Environment }) {
  return (
    <span className={`env-badge env-${environment}`} title={environment === 'prod' ? 'Production' : undefined}>
      {environment}
    </span>
  );
}
