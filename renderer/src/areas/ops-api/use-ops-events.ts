/**
 * An ops-api target's live events (`opsapi:events`) while its panel is open.
 *
 * One subscription serves the whole panel: the feed keeps the newest `FEED_LIMIT` events for the
 * Events tab, and `listen` hands each batch to the views that react to events (the context
 * refreshes, a browser error joins its group). Events are delivered in batches, at most one
 * every `BATCH_MS`, so a flood of browser errors costs a few renders a second, not one each.
 *
 * Main shares one WebSocket per target among its subscribers and reconnects it by itself; the
 * link's state is the target's connection state (`connections:state`). `restart()` subscribes
 * again — when this panel was the only watcher, main then opens a fresh link, which is the way
 * out of a link that gave up (a refused token, say). The subscription is also renewed when the
 * window reconnects to Control Room.
 */
import { useCallback, useEffect, useState } from 'react';
import type { OpsEvent } from '../../../../shared/model/ops';
import { useApi, useConnectionStatus } from '../../api/api-context';
import { toApiError } from '../../api/open-api';

export const FEED_LIMIT = 500;
const BATCH_MS = 100;

export interface LiveEvent {
  /** Unique in this window, for React keys: two events can be identical. */
  seq: number;
  event: OpsEvent;
}

export type EventsListener = (events: OpsEvent[]) => void;

export interface OpsEventsState {
  /** Newest first, at most `FEED_LIMIT`. */
  feed: LiveEvent[];
  /** How many arrived since the panel opened (the feed forgets the oldest). */
  total: number;
  /** Why the subscription itself was refused, as one sentence. */
  error: string | undefined;
  /** Calls `listener` with every batch of new events (oldest first) until the returned function runs. */
  listen(listener: EventsListener): () => void;
  restart(): void;
  clear(): void;
}

let nextSeq = 1;

export function useOpsEvents(targetId: string): OpsEventsState {
  const api = useApi();
  const { state: link, epoch } = useConnectionStatus();
  const [feed, setFeed] = useState<LiveEvent[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<{ key: string; message: string }>();
  const [generation, setGeneration] = useState(0);
  // A stable set that outlives renders; listeners are added and removed from effects.
  const [listeners] = useState(() => new Set<EventsListener>());
  const key = `${targetId}:${epoch}:${generation}`;

  useEffect(() => {
    if (link !== 'open') return;
    let current = true;
    let stop: (() => void) | undefined;
    let pending: OpsEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;

    const flush = () => {
      timer = undefined;
      if (!current || pending.length === 0) return;
      const batch = pending;
      pending = [];
      const entries = batch.map((event) => ({ seq: nextSeq++, event })).reverse();
      setFeed((previous) => [...entries.slice(0, FEED_LIMIT), ...previous].slice(0, FEED_LIMIT));
      setTotal((n) => n + batch.length);
      for (const listener of listeners) listener(batch);
    };

    api
      .subscribe('opsapi:events', { targetId }, (event) => {
        if (!current) return;
        pending.push(event);
        // Only the newest matter to the feed, but listeners count every one: keep a generous bound.
        if (pending.length > FEED_LIMIT * 20) pending = pending.slice(-FEED_LIMIT * 20);
        timer ??= setTimeout(flush, BATCH_MS);
      })
      .then((unsubscribe) => {
        if (current) stop = unsubscribe;
        else unsubscribe();
      })
      .catch((caught: unknown) => current && setError({ key, message: toApiError(caught).message }));
    return () => {
      current = false;
      clearTimeout(timer);
      stop?.();
    };
  }, [api, link, key, targetId, listeners]);

  const listen = useCallback(
    (listener: EventsListener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    [listeners],
  );
  const restart = useCallback(() => {
    setError(undefined);
    setGeneration((n) => n + 1);
  }, []);
  const clear = useCallback(() => setFeed([]), []);

  return { feed, total, error: error?.key === key ? error.message : undefined, listen, restart, clear };
}
