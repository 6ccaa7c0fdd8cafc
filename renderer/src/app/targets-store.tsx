/**
 * The target list, shared by every view that shows targets: one `targets:list` and one
 * `targets:changed` subscription, renewed after each reconnection.
 */
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { Target } from '../../../shared/model/target';
import { useApi, useConnectionStatus } from '../api/api-context';
import { toApiError } from '../api/open-api';

export type TargetsState =
  { state: 'loading' } | { state: 'ready'; targets: Target[] } | { state: 'failed'; message: string };

const TargetsContext = createContext<TargetsState>({ state: 'loading' });

export function TargetsProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const { state: connection, epoch } = useConnectionStatus();
  const [targets, setTargets] = useState<TargetsState>({ state: 'loading' });

  useEffect(() => {
    if (connection !== 'open') return;
    let current = true;
    let unsubscribe: (() => void) | undefined;
    // Subscribe before listing, so no change can fall between the two.
    api
      .subscribe('targets:changed', {}, (event) => {
        if (current) setTargets({ state: 'ready', targets: event.targets });
      })
      .then((stop) => {
        if (current) unsubscribe = stop;
        else stop();
      })
      .catch(() => undefined); // Without live updates the list still loads; a reconnect retries.
    api.invoke('targets:list', {}).then(
      (list) => current && setTargets({ state: 'ready', targets: list }),
      (error: unknown) => current && setTargets({ state: 'failed', message: toApiError(error).message }),
    );
    return () => {
      current = false;
      unsubscribe?.();
    };
  }, [api, connection, epoch]);

  return <TargetsContext value={targets}>{children}</TargetsContext>;
}

export function useTargets(): TargetsState {
  return useContext(TargetsContext);
}
