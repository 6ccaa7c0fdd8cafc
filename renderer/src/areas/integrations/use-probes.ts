/**
 * Every probe with how it stands, live: one `probes:list`, then each `probes:updates` event
 * replaces (or removes) one row. Subscribed before listing, so no change falls between the two;
 * renewed after each reconnection. `refresh()` lists again.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ProbeSummary, ProbeUpdate } from '../../../../shared/model/probe';
import { useApi, useConnectionStatus } from '../../api/api-context';
import { toApiError } from '../../api/open-api';

export type ProbesState =
  { state: 'loading' } | { state: 'ready'; summaries: ProbeSummary[] } | { state: 'failed'; message: string };

export interface ProbesView {
  probes: ProbesState;
  /** The last refresh's error, while the earlier list stays shown. */
  refreshError: string | undefined;
  refreshing: boolean;
  refresh(): void;
}

export function applyUpdate(summaries: ProbeSummary[], update: ProbeUpdate): ProbeSummary[] {
  if (update.type === 'removed') return summaries.filter((s) => s.probe.id !== update.probeId);
  const index = summaries.findIndex((s) => s.probe.id === update.summary.probe.id);
  if (index === -1) return [...summaries, update.summary];
  const next = summaries.slice();
  next[index] = update.summary;
  return next;
}

export function useProbes(): ProbesView {
  const api = useApi();
  const { state: link, epoch } = useConnectionStatus();
  const [probes, setProbes] = useState<ProbesState>({ state: 'loading' });
  const [refreshError, setRefreshError] = useState<string>();
  const [refreshing, setRefreshing] = useState(false);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    if (link !== 'open') return;
    let current = true;
    let unsubscribe: (() => void) | undefined;
    // Events that arrive before the list answers are applied to it once it does.
    let early: ProbeUpdate[] | undefined = [];
    api
      .subscribe('probes:updates', {}, (update) => {
        if (!current) return;
        if (early) {
          early.push(update);
          return;
        }
        setProbes((state) =>
          state.state === 'ready' ? { state: 'ready', summaries: applyUpdate(state.summaries, update) } : state,
        );
      })
      .then((stop) => {
        if (current) unsubscribe = stop;
        else stop();
      })
      .catch(() => undefined); // Without live updates the list still loads; a refresh or reconnect lists again.
    api.invoke('probes:list', {}).then(
      (list) => {
        if (!current) return;
        const pending = early ?? [];
        early = undefined;
        setProbes({ state: 'ready', summaries: pending.reduce(applyUpdate, list) });
        setRefreshError(undefined);
        setRefreshing(false);
      },
      (error: unknown) => {
        if (!current) return;
        early = undefined;
        const message = toApiError(error).message;
        setRefreshing(false);
        // A refresh that fails keeps what is shown (it is all read from the local store anyway).
        setProbes((state) => (state.state === 'ready' ? state : { state: 'failed', message }));
        setRefreshError(message);
      },
    );
    return () => {
      current = false;
      unsubscribe?.();
    };
  }, [api, link, epoch, generation]);

  const refresh = useCallback(() => {
    setRefreshing(true);
    setGeneration((value) => value + 1);
  }, []);

  return { probes, refreshError, refreshing, refresh };
}
