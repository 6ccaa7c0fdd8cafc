/**
 * The alert history, newest first, live: one `alerts:history` read, then each `alerts:decided`
 * event adds a decision or replaces it (a sent one comes again once its deliveries finished).
 * Subscribed before reading, so no decision falls between the two; read again after each
 * reconnection and whenever the probe filter changes.
 */
import { useCallback, useEffect, useState } from 'react';
import type { AlertDecision } from '../../../../shared/model/alerts';
import { useApi, useConnectionStatus } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { upsertDecision } from './decisions';

const PAGE = 50;

export type HistoryState =
  | { state: 'loading' }
  | { state: 'ready'; decisions: AlertDecision[]; more: boolean }
  | { state: 'failed'; message: string };

export function useAlertHistory(probeId: string | undefined) {
  const api = useApi();
  const { state: link, epoch } = useConnectionStatus();
  const [read, setHistory] = useState<HistoryState & { probeId?: string | undefined }>({ state: 'loading' });
  // What was read for another filter is not shown while this one loads.
  const history: HistoryState = read.state !== 'loading' && read.probeId !== probeId ? { state: 'loading' } : read;
  /** Ids that arrived live while shown, to mark them briefly. */
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const [loadingMore, setLoadingMore] = useState(false);

  useEffect(() => {
    if (link !== 'open') return;
    let current = true;
    let unsubscribe: (() => void) | undefined;
    let early: AlertDecision[] | undefined = [];
    const accept = (decision: AlertDecision) => !probeId || decision.probeId === probeId;
    api
      .subscribe('alerts:decided', {}, (decision) => {
        if (!current || !accept(decision)) return;
        if (early) {
          early.push(decision);
          return;
        }
        setFresh((set) => new Set(set).add(decision.id));
        setHistory((state) =>
          state.state === 'ready' ? { ...state, decisions: upsertDecision(state.decisions, decision) } : state,
        );
      })
      .then((stop) => {
        if (current) unsubscribe = stop;
        else stop();
      })
      .catch(() => undefined); // The history still loads; a reconnect reads it again.
    api.invoke('alerts:history', { ...(probeId ? { probeId } : {}), limit: PAGE }).then(
      (list) => {
        if (!current) return;
        const pending = early ?? [];
        early = undefined;
        setHistory({
          state: 'ready',
          decisions: pending.reduce(upsertDecision, list),
          more: list.length === PAGE,
          probeId,
        });
      },
      (error: unknown) => {
        if (!current) return;
        early = undefined;
        setHistory({ state: 'failed', message: toApiError(error).message, probeId });
      },
    );
    return () => {
      current = false;
      unsubscribe?.();
    };
  }, [api, link, epoch, probeId]);

  const loadMore = useCallback(() => {
    if (read.state !== 'ready' || read.probeId !== probeId) return;
    const last = read.decisions.at(-1);
    if (!last) return;
    setLoadingMore(true);
    api.invoke('alerts:history', { ...(probeId ? { probeId } : {}), before: last.id, limit: PAGE }).then(
      (page) => {
        setLoadingMore(false);
        setHistory((state) =>
          state.state === 'ready'
            ? { ...state, decisions: page.reduce(upsertDecision, state.decisions), more: page.length === PAGE }
            : state,
        );
      },
      (error: unknown) => {
        setLoadingMore(false);
        setHistory({ state: 'failed', message: toApiError(error).message, probeId });
      },
    );
  }, [api, read, probeId]);

  return { history, fresh, loadMore, loadingMore };
}
