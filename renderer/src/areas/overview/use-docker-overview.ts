/**
 * A Docker target's overview, live: `overview:watch` pushes a full overview now and after every
 * change Docker reports, or an `{error}` sentence when it cannot.
 *
 * The subscription is renewed when the window reconnects, when the target is edited (main then
 * makes a new Docker connection — trusting a host key is such an edit) and on `retry()`.
 * `refresh()` reads a fresh snapshot (new CPU and memory readings) without waiting for an event.
 */
import { useCallback, useEffect, useState } from 'react';
import type { DockerOverview } from '../../../../shared/model/docker';
import type { Target } from '../../../../shared/model/target';
import { useApi, useConnectionStatus } from '../../api/api-context';
import { toApiError } from '../../api/open-api';

export interface DockerOverviewState {
  overview: DockerOverview | undefined;
  /** The last error sentence; cleared by the next overview. */
  error: string | undefined;
  refreshing: boolean;
  refresh(): void;
  /** Connect again now (when not connected) and subscribe again. */
  retry(): void;
}

export function useDockerOverview(target: Target, connected: boolean): DockerOverviewState {
  const api = useApi();
  const { state: link, epoch } = useConnectionStatus();
  const [overview, setOverview] = useState<DockerOverview>();
  const [error, setError] = useState<string>();
  const [refreshing, setRefreshing] = useState(false);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    if (link !== 'open') return;
    let current = true;
    let stop: (() => void) | undefined;
    api
      .subscribe('overview:watch', { targetId: target.id }, (event) => {
        if (!current) return;
        if ('overview' in event) {
          setOverview(event.overview);
          setError(undefined);
        } else {
          setError(event.error);
        }
      })
      .then((unsubscribe) => {
        if (current) stop = unsubscribe;
        else unsubscribe();
      })
      .catch((caught: unknown) => current && setError(toApiError(caught).message));
    return () => {
      current = false;
      stop?.();
    };
  }, [api, link, epoch, target.id, target.updatedAt, generation]);

  const refresh = useCallback(() => {
    setRefreshing(true);
    api
      .invoke('overview:get', { targetId: target.id })
      .then(
        (fresh) => {
          setOverview(fresh);
          setError(undefined);
        },
        (caught: unknown) => setError(toApiError(caught).message),
      )
      .finally(() => setRefreshing(false));
  }, [api, target.id]);

  const retry = useCallback(() => {
    setError(undefined);
    if (!connected) api.invoke('connections:retry', { targetId: target.id }).catch(() => undefined);
    setGeneration((n) => n + 1);
  }, [api, connected, target.id]);

  return { overview, error, refreshing, refresh, retry };
}
