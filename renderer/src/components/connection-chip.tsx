/**
 * A target's connection state in one chip: connecting, connected, reconnecting in N s (with the
 * reason on hover), failed (with the reason), or a host key waiting for the user. Docker targets
 * get a Retry button where waiting would be pointless, and a host-key review where one is needed.
 */
import { useState } from 'react';
import type { ConnectionState } from '../../../shared/model/connection';
import type { Target } from '../../../shared/model/target';
import { useApi } from '../api/api-context';
import { toApiError } from '../api/open-api';
import { useConnections, useConnectionState } from '../app/connections-store';
import { formatWhen, secondsUntil } from './format';
import { KeyIcon, RestartIcon, WarningIcon } from './icons';
import { useNow } from './use-now';
import '../styles/connections.css';

interface ConnectionChipProps {
  target: Target;
  /** `row`: the failure reason is written under the chip. `header`: the chip alone. */
  variant?: 'row' | 'header';
}

export function ConnectionChip({ target, variant = 'row' }: ConnectionChipProps) {
  const state = useConnectionState(target.id);
  const now = useNow(1000, state.status === 'reconnecting');
  const { reviewHostKey } = useConnections();
  const { label, tone, title } = describeState(state, now);
  const isDocker = target.kind !== 'ops-api';

  return (
    <div className={`conn conn-${variant}`} data-testid="connection-state" data-status={state.status}>
      <div className="conn-line">
        <span className={`conn-pill conn-${tone}`} title={title} aria-label={`Connection: ${label}`}>
          {state.status === 'connecting' ? (
            <span className="spinner conn-spinner" aria-hidden="true" />
          ) : (
            <span className="conn-dot" aria-hidden="true" />
          )}
          <span aria-hidden="true">{label}</span>
        </span>
        {state.status === 'untrusted-host-key' || (state.status === 'failed' && state.code === 'host-key-mismatch') ? (
          <button
            type="button"
            className="button button-small conn-action conn-action-key"
            onClick={() => reviewHostKey(target.id)}
            aria-label={`Review the host key of ${target.name}`}
          >
            <KeyIcon size={13} /> Review key…
          </button>
        ) : isDocker && (state.status === 'reconnecting' || state.status === 'failed') ? (
          <RetryButton target={target} />
        ) : null}
      </div>
      {variant === 'row' && state.status === 'failed' && state.code !== 'host-key-mismatch' ? (
        <p className="conn-reason" title={state.reason}>
          {state.reason}
        </p>
      ) : null}
    </div>
  );
}

/** Connect again now, skipping the backoff wait. */
export function RetryButton({ target, className = '' }: { target: Target; className?: string }) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return (
    <button
      type="button"
      className={`button button-small conn-action ${className}`}
      disabled={busy}
      aria-label={`Retry connecting to ${target.name}`}
      title={error ?? 'Connect again now'}
      onClick={() => {
        setBusy(true);
        setError(undefined);
        api
          .invoke('connections:retry', { targetId: target.id })
          .catch((caught: unknown) => setError(toApiError(caught).message))
          .finally(() => setBusy(false));
      }}
    >
      {error ? <WarningIcon size={13} /> : <RestartIcon size={13} />} Retry
    </button>
  );
}

type Tone = 'idle' | 'busy' | 'ok' | 'warn' | 'danger';

export function describeState(state: ConnectionState, now: number): { label: string; tone: Tone; title: string } {
  switch (state.status) {
    case 'idle':
      return { label: 'Not connected', tone: 'idle', title: 'Connects when a view needs it, like the Overview.' };
    case 'connecting':
      return { label: 'Connecting…', tone: 'busy', title: 'Connecting now.' };
    case 'connected':
      return { label: 'Connected', tone: 'ok', title: `Connected since ${formatWhen(state.since, now)}.` };
    case 'reconnecting': {
      const seconds = secondsUntil(state.at, now);
      return {
        label: seconds > 0 ? `Reconnecting in ${seconds} s` : 'Reconnecting…',
        tone: 'warn',
        title: `Lost the connection: ${state.reason} (attempt ${state.attempt}).`,
      };
    }
    case 'untrusted-host-key':
      return {
        label: 'Host key not trusted',
        tone: 'warn',
        title: `${state.host} offers the key ${state.fingerprint}; compare and trust it to connect.`,
      };
    case 'failed':
      return {
        label: state.code === 'host-key-mismatch' ? 'Host key changed' : `Failed: ${FAILURE_LABELS[state.code]}`,
        tone: 'danger',
        title: state.reason,
      };
  }
}

const FAILURE_LABELS: Record<Extract<ConnectionState, { status: 'failed' }>['code'], string> = {
  'host-key-mismatch': 'host key changed',
  auth: 'sign-in refused',
  unreachable: 'unreachable',
  keychain: 'keychain',
  config: 'settings',
  docker: 'Docker',
};
