/**
 * A Docker target's overview, live: `overview:watch` pushes a full overview now and after every
 * change Docker reports, or an `{error}` sentence when it cannot.
 *
 * Main binds a watch to the Docker connection it started on, and makes a new connection when the
 * target is edited or its host key pinned or forgotten; a watch on the old one would wait
 * forever. So the subscription is renewed on those changes (and when the window reconnects, and
 * on `retry()`). Each subscription starts once the connection is not mid-handshake: a watch
 * started during the handshake costs main a second full read. Until the new watch answers, the
 * overview shown is marked as not fresh. An error belongs to the subscription that reported it.
 *
 * `refresh()` reads a fresh snapshot (new CPU and memory readings) without waiting for an event.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ConnectionState } from '../../../../shared/model/connection';
import type { DockerOverview } from '../../../../shared/model/docker';
import type { Target } from '../../../../shared/model/target';
import { useApi, useConnectionStatus } from '../../api/api-context';
import { toApiError } from '../../api/open-api';

export interface DockerOverviewState {
  overview: DockerOverview | undefined;
  /** False while the overview shown came from an earlier subscription (before a reconnection, say). */
  fresh: boolean;
  /** The last error sentence of the current subscription; cleared by the next overview. */
  error: string | undefined;
  refreshing: boolean;
  refresh(): void;
  /** Connect again now (when not connected) and subscribe again. */
  retry(): void;
}

export function useDockerOverview(target: Target, connection: ConnectionState): DockerOverviewState {
  const api = useApi();
  const { state: link, epoch } = useConnectionStatus();
  const [received, setReceived] = useState<{ key: string; overview: DockerOverview }>();
  const [error, setError] = useState<{ key: string; message: string }>();
  const [refreshing, setRefreshing] = useState(false);
  const [generation, setGeneration] = useState(0);
  const wanted = `${target.id}:${target.updatedAt}:${target.hostKey?.fingerprint ?? ''}:${epoch}:${generation}`;

  // The key of the live subscription, adopted once main is not dialling: an idle target is
  // connected by the subscription itself, a connecting one is left to finish its handshake.
  const settled = connection.status !== 'connecting';
  const [key, setKey] = useState<string | undefined>(settled ? wanted : undefined);
  if (key !== wanted && settled) setKey(wanted);

  useEffect(() => {
    if (link !== 'open' || key === undefined) return;
    let current = true;
    let stop: (() => void) | undefined;
    api
      .subscribe('overview:watch', { targetId: target.id }, (event) => {
        if (!current) return;
        if ('overview' in event) {
          setReceived({ key, overview: event.overview });
          setError(undefined);
        } else {
          setError({ key, message: event.error });
        }
      })
      .then((unsubscribe) => {
        if (current) stop = unsubscribe;
        else unsubscribe();
      })
      .catch((caught: unknown) => current && setError({ key, message: toApiError(caught).message }));
    return () => {
      current = false;
      stop?.();
    };
  }, [api, link, key, target.id]);

  const refresh = useCallback(() => {
    setRefreshing(true);
    // A snapshot reads through the current connection: it belongs with the newest key.
    api
      .invoke('overview:get', { targetId: target.id })
      .then(
        (overview) => {
          setReceived({ key: wanted, overview });
          setError(undefined);
        },
        (caught: unknown) => setError({ key: wanted, message: toApiError(caught).message }),
      )
      .finally(() => setRefreshing(false));
  }, [api, wanted, target.id]);

  const connected = connection.status === 'connected';
  const retry = useCallback(() => {
    setError(undefined);
    if (!connected) api.invoke('connections:retry', { targetId: target.id }).catch(() => undefined);
    setGeneration((n) => n + 1);
  }, [api, connected, target.id]);

  return {
    overview: received?.overview,
    fresh: received?.key === key && key === wanted,
    error: error && error.key === key ? error.message : undefined,
    refreshing,
    refresh,
    retry,
  };
}
