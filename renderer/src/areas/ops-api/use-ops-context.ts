/**
 * An ops-api target's context (`opsapi:context`): read when the panel opens, on `refresh()`,
 * when the target is edited (a new token, say), when the window reconnects to Control Room,
 * when the target's events link comes back after a drop (something may have changed unseen) and,
 * shortly after live events arrive, again — at most once per `EVENT_REFRESH_MS`, so a burst of
 * events makes one read, not one each.
 *
 * The last context read stays on screen while a new one loads or when one fails; `error` is the
 * failure of the latest read only.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ConnectionState } from '../../../../shared/model/connection';
import type { ErrorCode } from '../../../../shared/errors';
import type { OpsContext } from '../../../../shared/model/ops';
import type { Target } from '../../../../shared/model/target';
import { useApi, useConnectionStatus } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import type { OpsEventsState } from './use-ops-events';

export const EVENT_REFRESH_MS = 1_500;

export interface OpsContextState {
  context: OpsContext | undefined;
  /** When the context on screen was read (ms since the epoch). */
  readAt: number | undefined;
  /** The latest read failed: one sentence, and its code (to offer the right way out). */
  error: { message: string; code: ErrorCode } | undefined;
  /** A read is under way. */
  loading: boolean;
  refresh(): void;
}

type Result = { key: string; error?: { message: string; code: ErrorCode } };

export function useOpsContext(target: Target, events: OpsEventsState, link: ConnectionState): OpsContextState {
  const api = useApi();
  const { state: hostLink, epoch } = useConnectionStatus();
  const [request, setRequest] = useState(0);
  const [shown, setShown] = useState<{ context: OpsContext; readAt: number }>();
  const [result, setResult] = useState<Result>();
  const key = `${target.id}:${target.updatedAt}:${epoch}:${request}`;

  // The events link came back after a drop: read again, since events were missed meanwhile.
  // (Adjusting state while rendering, as React recommends for reacting to a changed value.)
  const linkSince = link.status === 'connected' ? link.since : undefined;
  const [seenSince, setSeenSince] = useState<{ since: string | undefined; ever: boolean }>({
    since: linkSince,
    ever: Boolean(linkSince),
  });
  if (seenSince.since !== linkSince) {
    setSeenSince({ since: linkSince, ever: seenSince.ever || Boolean(linkSince) });
    if (linkSince && seenSince.ever) setRequest((n) => n + 1);
  }

  useEffect(() => {
    if (hostLink !== 'open') return;
    let current = true;
    api.invoke('opsapi:context', { targetId: target.id }).then(
      (context) => {
        if (!current) return;
        setShown({ context, readAt: Date.now() });
        setResult({ key });
      },
      (caught: unknown) => {
        if (!current) return;
        const error = toApiError(caught);
        setResult({ key, error: { message: error.message, code: error.code } });
      },
    );
    return () => {
      current = false;
    };
  }, [api, hostLink, key, target.id]);

  // Live events change what the context says (containers, alerts, error counts): read it again soon.
  const { listen } = events;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = listen(() => {
      timer ??= setTimeout(() => {
        timer = undefined;
        setRequest((n) => n + 1);
      }, EVENT_REFRESH_MS);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [listen]);

  const refresh = useCallback(() => setRequest((n) => n + 1), []);
  const settled = result?.key === key;
  return {
    context: shown?.context,
    readAt: shown?.readAt,
    error: settled ? result.error : undefined,
    loading: !settled,
    refresh,
  };
}
