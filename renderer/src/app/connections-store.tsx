/**
 * Every target's connection state, shared by every view that shows a target: one
 * `connections:list` and one `connections:state` subscription, renewed after each reconnection.
 *
 * It also owns the host-key dialogs, so any view that shows an untrusted or changed key (a
 * Targets row, the Overview) opens the same dialog with `reviewHostKey(targetId)`.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { ConnectionState } from '../../../shared/model/connection';
import { useApi, useConnectionStatus } from '../api/api-context';
import { HostKeyDialog } from '../components/host-key-dialog';
import { useTargets } from './targets-store';

const IDLE: ConnectionState = { status: 'idle' };

interface ConnectionsValue {
  states: ReadonlyMap<string, ConnectionState>;
  /**
   * Opens the trust dialog (untrusted key) or the mismatch explanation (changed key); `forget`
   * opens a changed key straight at "forget the old key?".
   */
  reviewHostKey(targetId: string, step?: 'forget'): void;
}

const ConnectionsContext = createContext<ConnectionsValue>({
  states: new Map(),
  reviewHostKey: () => undefined,
});

export function ConnectionsProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const targets = useTargets();
  const { state: link, epoch } = useConnectionStatus();
  const [states, setStates] = useState<ReadonlyMap<string, ConnectionState>>(new Map());
  const [reviewing, setReviewing] = useState<{ targetId: string; step?: 'forget' | undefined }>();

  useEffect(() => {
    if (link !== 'open') return;
    let current = true;
    let unsubscribe: (() => void) | undefined;
    // Events that arrive before the list answers are newer than it: the list must not undo them.
    const seen = new Set<string>();
    api
      .subscribe('connections:state', {}, ({ targetId, state }) => {
        if (!current) return;
        seen.add(targetId);
        setStates((previous) => new Map(previous).set(targetId, state));
      })
      .then((stop) => {
        if (current) unsubscribe = stop;
        else stop();
      })
      .catch(() => undefined); // The list still loads; the next reconnection subscribes again.
    api.invoke('connections:list', {}).then(
      (list) => {
        if (!current) return;
        setStates((previous) => {
          const next = new Map(previous);
          for (const { targetId, state } of list) if (!seen.has(targetId)) next.set(targetId, state);
          return next;
        });
      },
      () => undefined,
    );
    return () => {
      current = false;
      unsubscribe?.();
    };
  }, [api, link, epoch]);

  const reviewHostKey = useCallback((targetId: string, step?: 'forget') => setReviewing({ targetId, step }), []);
  const value = useMemo(() => ({ states, reviewHostKey }), [states, reviewHostKey]);
  const reviewedTarget =
    reviewing && targets.state === 'ready'
      ? targets.targets.find((target) => target.id === reviewing.targetId)
      : undefined;

  return (
    <ConnectionsContext value={value}>
      {children}
      {reviewedTarget ? (
        <HostKeyDialog
          key={`${reviewedTarget.id}:${reviewing?.step ?? ''}`}
          target={reviewedTarget}
          state={states.get(reviewedTarget.id) ?? IDLE}
          initialStep={reviewing?.step}
          onClose={() => setReviewing(undefined)}
        />
      ) : null}
    </ConnectionsContext>
  );
}

/** The connection state of one target; `idle` until something connects it. */
export function useConnectionState(targetId: string | undefined): ConnectionState {
  const { states } = useContext(ConnectionsContext);
  return (targetId && states.get(targetId)) || IDLE;
}

export function useConnections(): ConnectionsValue {
  return useContext(ConnectionsContext);
}
