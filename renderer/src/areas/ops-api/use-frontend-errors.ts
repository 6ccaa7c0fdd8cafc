/**
 * Recent browser errors of an ops-api target (`opsapi:frontendErrors`) for a time window, kept
 * live: a `frontend-error` event adds its error at once, without a reload, and is remembered as
 * fresh for a moment so its group can light up.
 *
 * Read when the window changes, on `refresh()`, when the target is edited and when the window
 * reconnects to Control Room. The last list read stays on screen while the next one loads.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ErrorCode } from '../../../../shared/errors';
import type { FrontendError } from '../../../../shared/model/ops';
import type { Target } from '../../../../shared/model/target';
import { useApi, useConnectionStatus } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { mergeErrors } from './group-errors';
import type { OpsEventsState } from './use-ops-events';

export const SINCE_OPTIONS = [
  { value: '15m', label: '15 min', ms: 15 * 60_000 },
  { value: '1h', label: '1 hour', ms: 3_600_000 },
  { value: '24h', label: '24 hours', ms: 86_400_000 },
  { value: '7d', label: '7 days', ms: 7 * 86_400_000 },
] as const;
export type SinceValue = (typeof SINCE_OPTIONS)[number]['value'];

/** The agent answers at most this many reports per request (its default `limit`). */
export const AGENT_PAGE = 500;
const LIVE_LIMIT = 5_000;

export interface FrontendErrorsState {
  /** The window's errors, fetched and live; undefined until the first read answers. */
  errors: FrontendError[] | undefined;
  /** The read answered with as many reports as the agent sends at once: older ones may be missing. */
  capped: boolean;
  /** When each live error arrived (ms), by id: for a brief highlight. */
  arrivals: ReadonlyMap<number, number>;
  readAt: number | undefined;
  error: { message: string; code: ErrorCode } | undefined;
  loading: boolean;
  refresh(): void;
}

export function useFrontendErrors(target: Target, since: SinceValue, events: OpsEventsState): FrontendErrorsState {
  const api = useApi();
  const { state: hostLink, epoch } = useConnectionStatus();
  const [request, setRequest] = useState(0);
  const [shown, setShown] = useState<{ since: SinceValue; errors: FrontendError[]; readAt: number }>();
  const [result, setResult] = useState<{ key: string; error?: { message: string; code: ErrorCode } }>();
  const [live, setLive] = useState<{ errors: FrontendError[]; arrivals: Map<number, number> }>({
    errors: [],
    arrivals: new Map(),
  });
  const key = `${target.id}:${target.updatedAt}:${since}:${epoch}:${request}`;

  useEffect(() => {
    if (hostLink !== 'open') return;
    let current = true;
    api.invoke('opsapi:frontendErrors', { targetId: target.id, since }).then(
      ({ errors }) => {
        if (!current) return;
        setShown({ since, errors, readAt: Date.now() });
        setResult({ key });
        // What the read returned no longer needs keeping as live (ids grow with time).
        const newest = errors.reduce((max, error) => Math.max(max, error.id), 0);
        setLive((previous) => {
          const errors = previous.errors.filter((error) => error.id > newest);
          return errors.length === previous.errors.length ? previous : { errors, arrivals: previous.arrivals };
        });
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
  }, [api, hostLink, key, target.id, since]);

  const { listen } = events;
  useEffect(
    () =>
      listen((batch) => {
        const arrived = batch.flatMap((event) => (event.type === 'frontend-error' ? [event.error] : []));
        if (arrived.length === 0) return;
        const at = Date.now();
        setLive((previous) => {
          const arrivals = new Map(previous.arrivals);
          for (const error of arrived) arrivals.set(error.id, at);
          // Forget highlights long past, so the map stays small.
          for (const [id, when] of arrivals) if (at - when > 60_000) arrivals.delete(id);
          return { errors: [...previous.errors, ...arrived].slice(-LIVE_LIMIT), arrivals };
        });
      }),
    [listen],
  );

  const refresh = useCallback(() => setRequest((n) => n + 1), []);
  // Shown errors belong to the window asked for; another window's list is not shown as this one's.
  const current = shown?.since === since ? shown : undefined;
  const windowMs = SINCE_OPTIONS.find((option) => option.value === since)!.ms;
  const errors = useMemo(
    () => (current ? mergeErrors(current.errors, live.errors, current.readAt - windowMs) : undefined),
    [current, live.errors, windowMs],
  );
  const settled = result?.key === key;
  return {
    errors,
    capped: (current?.errors.length ?? 0) >= AGENT_PAGE,
    arrivals: live.arrivals,
    readAt: current?.readAt,
    error: settled ? result.error : undefined,
    loading: !settled,
    refresh,
  };
}
