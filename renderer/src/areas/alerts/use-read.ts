/**
 * One read from main, kept while shown: read again after a reconnection, after `reload()`, and
 * whenever `live` says something changed (an alert decision, a probe update). A failed re-read
 * keeps what was shown and says why.
 */
import { useCallback, useEffect, useState } from 'react';
import type { Channel, RequestOf, ResponseOf } from '../../../../shared/contract';
import { useApi, useConnectionStatus } from '../../api/api-context';
import { toApiError } from '../../api/open-api';

export interface Read<T> {
  data: T | undefined;
  error: string | undefined;
  reload(): void;
}

export function useRead<C extends Channel>(channel: C, request: RequestOf<C>, live: unknown = 0): Read<ResponseOf<C>> {
  const api = useApi();
  const { state: link, epoch } = useConnectionStatus();
  const [data, setData] = useState<ResponseOf<C>>();
  const [error, setError] = useState<string>();
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify(request);

  useEffect(() => {
    if (link !== 'open') return;
    let current = true;
    api.invoke(channel, JSON.parse(key) as RequestOf<C>).then(
      (value) => {
        if (!current) return;
        setData(value);
        setError(undefined);
      },
      (caught: unknown) => current && setError(toApiError(caught).message),
    );
    return () => {
      current = false;
    };
  }, [api, link, epoch, channel, key, generation, live]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, error, reload };
}
