/**
 * The runbook screens' way to main: typed wrappers around the `runbooks:*` and `runs:*`
 * channels, and hooks over the `runs:updates` / `runs:events` streams.
 *
 * Both hooks subscribe while the connection is open and again after each reconnection; the
 * events hook resumes from the last sequence number it holds, so a viewer sees no gap and no
 * duplicate (the stream promises that for a cursor, the hook drops repeats anyway).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { RequestOf, ResponseOf } from '../../../../shared/contract';
import type { RunDetail, RunEvent, RunSummary } from '../../../../shared/model/runbook';
import type { ControlRoomApi } from '../../../../shared/transport';
import { useApi, useConnectionStatus } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { mergeRunEvents } from './command-model';

export { mergeRunEvents };

/** Every runbook and run call the renderer makes, typed from the contract. */
export interface RunbooksApi {
  listRunbooks(): Promise<ResponseOf<'runbooks:list'>>;
  getRunbook(id: string): Promise<ResponseOf<'runbooks:get'>>;
  checkRunbook(yaml: string): Promise<ResponseOf<'runbooks:check'>>;
  saveRunbook(request: RequestOf<'runbooks:save'>): Promise<ResponseOf<'runbooks:save'>>;
  deleteRunbook(id: string): Promise<ResponseOf<'runbooks:delete'>>;
  command(text: string): Promise<ResponseOf<'runbooks:command'>>;
  plan(request: RequestOf<'runbooks:plan'>): Promise<ResponseOf<'runbooks:plan'>>;
  secrets(): Promise<ResponseOf<'runbooks:secrets'>>;
  setSecret(name: string, value: string | null): Promise<ResponseOf<'runbooks:setSecret'>>;
  remediations(): Promise<ResponseOf<'runbooks:remediations'>>;
  setRemediation(request: RequestOf<'runbooks:setRemediation'>): Promise<ResponseOf<'runbooks:setRemediation'>>;
  remediate(probeId: string, dryRun?: boolean): Promise<ResponseOf<'runbooks:remediate'>>;
  startRun(request: RequestOf<'runs:start'>): Promise<ResponseOf<'runs:start'>>;
  listRuns(query?: RequestOf<'runs:list'>): Promise<ResponseOf<'runs:list'>>;
  getRun(id: string): Promise<ResponseOf<'runs:get'>>;
  runEvents(request: RequestOf<'runs:events'>): Promise<ResponseOf<'runs:events'>>;
  cancelRun(id: string): Promise<ResponseOf<'runs:cancel'>>;
  approveRun(request: RequestOf<'runs:approve'>): Promise<ResponseOf<'runs:approve'>>;
  retryRun(id: string, resume?: boolean): Promise<ResponseOf<'runs:retry'>>;
  artifact(request: RequestOf<'runs:artifact'>): Promise<ResponseOf<'runs:artifact'>>;
}

export function runbooksApi(api: ControlRoomApi): RunbooksApi {
  return {
    listRunbooks: () => api.invoke('runbooks:list', {}),
    getRunbook: (id) => api.invoke('runbooks:get', { id }),
    checkRunbook: (yaml) => api.invoke('runbooks:check', { yaml }),
    saveRunbook: (request) => api.invoke('runbooks:save', request),
    deleteRunbook: (id) => api.invoke('runbooks:delete', { id }),
    command: (text) => api.invoke('runbooks:command', { text }),
    plan: (request) => api.invoke('runbooks:plan', request),
    secrets: () => api.invoke('runbooks:secrets', {}),
    setSecret: (name, value) => api.invoke('runbooks:setSecret', { name, value }),
    remediations: () => api.invoke('runbooks:remediations', {}),
    setRemediation: (request) => api.invoke('runbooks:setRemediation', request),
    remediate: (probeId, dryRun = false) => api.invoke('runbooks:remediate', { probeId, dryRun }),
    startRun: (request) => api.invoke('runs:start', request),
    listRuns: (query = {}) => api.invoke('runs:list', query),
    getRun: (id) => api.invoke('runs:get', { id }),
    runEvents: (request) => api.invoke('runs:events', request),
    cancelRun: (id) => api.invoke('runs:cancel', { id }),
    approveRun: (request) => api.invoke('runs:approve', request),
    retryRun: (id, resume = false) => api.invoke('runs:retry', { id, resume }),
    artifact: (request) => api.invoke('runs:artifact', request),
  };
}

export function useRunbooksApi(): RunbooksApi {
  const api = useApi();
  return useMemo(() => runbooksApi(api), [api]);
}

/**
 * Calls `onUpdate` with each run's summary whenever its status, lane or step changes. The
 * latest `onUpdate` is used without resubscribing. `resubscribed` (optional) is called after
 * each (re)subscription, so a list can read again what it may have missed meanwhile.
 */
export function useRunUpdates(onUpdate: (run: RunSummary) => void, resubscribed?: () => void): void {
  const api = useApi();
  const { state: link, epoch } = useConnectionStatus();
  const latest = useRef({ onUpdate, resubscribed });
  useEffect(() => {
    latest.current = { onUpdate, resubscribed };
  });

  useEffect(() => {
    if (link !== 'open') return;
    let current = true;
    let unsubscribe: (() => void) | undefined;
    api
      .subscribe('runs:updates', {}, (update) => {
        if (current) latest.current.onUpdate(update.run);
      })
      .then((stop) => {
        if (!current) return stop();
        unsubscribe = stop;
        latest.current.resubscribed?.();
      })
      .catch(() => undefined); // Without live updates the views still show what they read; a reconnect tries again.
    return () => {
      current = false;
      unsubscribe?.();
    };
  }, [api, link, epoch]);
}

export interface RunEventsView {
  /** Every event from `after` on, in sequence order, without repeats. */
  events: RunEvent[];
  /** The highest sequence number held (or `after` when none yet). */
  lastSeq: number;
  error: string | undefined;
}

/**
 * A run's events after `after`, then live. After a reconnection it subscribes again from the
 * last sequence number it holds. `null` for `runId` holds nothing.
 */
export function useRunEvents(runId: string | null, after = 0): RunEventsView {
  const api = useApi();
  const { state: link, epoch } = useConnectionStatus();
  const [held, setHeld] = useState<{ key: string; events: RunEvent[] }>({ key: '', events: [] });
  const [error, setError] = useState<string>();
  const key = runId ? `${runId}@${after}` : '';
  // Where a renewed subscription starts: the last sequence number held for this run and cursor.
  const cursor = useRef({ key: '', seq: 0 });

  useEffect(() => {
    if (!runId || link !== 'open') return;
    let current = true;
    let unsubscribe: (() => void) | undefined;
    const from = cursor.current.key === key ? cursor.current.seq : after;
    api
      .subscribe('runs:events', { runId, after: from }, ({ events }) => {
        if (!current || events.length === 0) return;
        setHeld((state) => {
          const base = state.key === key ? state.events : [];
          const merged = mergeRunEvents(
            base,
            events.filter((event) => event.seq > after),
          );
          if (merged === base && state.key === key) return state;
          cursor.current = { key, seq: merged.at(-1)?.seq ?? after };
          return { key, events: merged };
        });
      })
      .then((stop) => {
        if (!current) return stop();
        unsubscribe = stop;
        setError(undefined);
      })
      .catch((caught: unknown) => current && setError(toApiError(caught).message));
    return () => {
      current = false;
      unsubscribe?.();
    };
  }, [api, link, epoch, runId, after, key]);

  const events = held.key === key ? held.events : [];
  return { events, lastSeq: events.at(-1)?.seq ?? after, error };
}

export type RunDetailState =
  { state: 'loading' } | { state: 'ready'; detail: RunDetail } | { state: 'failed'; message: string };

/**
 * One run's detail, read again whenever `runs:updates` reports that run (status, step, lane) and
 * after each reconnection. `reload()` reads again at once (after approving, say).
 */
export function useRunDetail(runId: string | null): { detail: RunDetailState; reload(): void } {
  const runbooks = useRunbooksApi();
  const { state: link, epoch } = useConnectionStatus();
  const [detail, setDetail] = useState<RunDetailState>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);

  useRunUpdates((run) => {
    if (run.id === runId) reload();
  }, reload);

  useEffect(() => {
    if (!runId || link !== 'open') return;
    let current = true;
    runbooks.getRun(runId).then(
      (value) => current && setDetail({ state: 'ready', detail: value }),
      (caught: unknown) => {
        if (!current) return;
        const message = toApiError(caught).message;
        // A failed re-read keeps the detail shown; only a first read shows the failure.
        setDetail((state) =>
          state.state === 'ready' && state.detail.run.id === runId ? state : { state: 'failed', message },
        );
      },
    );
    return () => {
      current = false;
    };
  }, [runbooks, runId, link, epoch, generation]);

  const shown: RunDetailState =
    detail.state === 'ready' && detail.detail.run.id !== runId ? { state: 'loading' } : detail;
  return { detail: shown, reload };
}
