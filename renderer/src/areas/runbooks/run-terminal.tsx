/**
 * The run viewer's event stream: the log pane's terminal and search, fed from `runs:events`.
 *
 * Events go straight from the subscription into the terminal session (no React state per
 * event: a step may print hundreds of thousands of lines). The subscription starts after the
 * session's cursor, and again after each reconnection, so a renewed stream continues where
 * the terminal is; the session drops any repeat by sequence number.
 */
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useApi, useConnectionStatus, usePlatform } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { saveText } from '../../platform/platform';
import { SearchBar, SearchToolButton } from '../logs/log-pane';
import { DownloadIcon } from '../logs/logs-icons';
import { useTerminalSearch } from '../logs/use-terminal-search';
import { RunTerminalSession, type RunTerminalSnapshot } from './run-terminal-session';

const NO_SNAPSHOT: RunTerminalSnapshot = { lastSeq: 0, lines: 0 };
const noSubscribe = () => () => undefined;

export function RunTerminal({ runId, title }: { runId: string; title: string }) {
  const api = useApi();
  const platform = usePlatform();
  const { state: link, epoch } = useConnectionStatus();
  const host = useRef<HTMLDivElement>(null);
  const [session, setSession] = useState<RunTerminalSession>();
  const [streamError, setStreamError] = useState<string>();
  const [message, setMessage] = useState<string>();

  useEffect(() => {
    const created = new RunTerminalSession(
      host.current!,
      async (after, limit) => (await api.invoke('runs:events', { id: runId, after, limit })).events,
      (text) => platform.copyText(text),
    );
    setSession(created);
    return () => {
      created.dispose();
      setSession(undefined);
    };
  }, [api, platform, runId]);

  // Subscribe from the cursor while the link is open; again after each reconnection.
  useEffect(() => {
    if (!session || link !== 'open') return;
    let current = true;
    let unsubscribe: (() => void) | undefined;
    api
      .subscribe('runs:events', { runId, after: session.lastSeq }, ({ events }) => {
        if (current) session.receive(events);
      })
      .then(
        (stop) => {
          if (!current) return stop();
          unsubscribe = stop;
          setStreamError(undefined);
        },
        (error: unknown) => current && setStreamError(toApiError(error).message),
      );
    return () => {
      current = false;
      unsubscribe?.();
    };
  }, [api, session, runId, link, epoch]);

  const snapshot = useSyncExternalStore(session?.subscribe ?? noSubscribe, session?.getSnapshot ?? (() => NO_SNAPSHOT));
  const search = useTerminalSearch(session);

  const download = async () => {
    if (!session) return;
    setMessage(undefined);
    try {
      const saved = await saveText(
        platform,
        { suggestedName: `${runId}-events.log`, filters: [{ name: 'Log files', extensions: ['log', 'txt'] }] },
        session.text(),
      );
      if (saved) setMessage(`Saved ${saved.name}.`);
    } catch (error) {
      setMessage(`Could not save the events: ${toApiError(error).message}`);
    }
  };

  return (
    <section className="run-terminal" aria-label={`Events of ${title}`} onKeyDown={search.onKeyDown}>
      <header className="run-terminal-header">
        <h2 className="run-section-title">Events</h2>
        <span className="muted run-terminal-count" data-testid="run-event-count">
          {snapshot.lines.toLocaleString()} {snapshot.lines === 1 ? 'line' : 'lines'}
        </span>
        {streamError ? (
          <span className="run-terminal-error" role="alert">
            Can’t follow the events: {streamError}
          </span>
        ) : null}
        {message ? (
          <span className="muted" role="status">
            {message}
          </span>
        ) : null}
        <div className="run-terminal-tools">
          <SearchToolButton search={search} />
          <button
            type="button"
            className="tool-button"
            aria-label="Download events"
            title="Download events"
            onClick={() => void download()}
          >
            <DownloadIcon />
          </button>
        </div>
      </header>
      <div className="pane-terminal-wrap run-terminal-wrap">
        {search.searching && session ? (
          <SearchBar session={session} snapshot={snapshot} inputRef={search.inputRef} onClose={search.close} />
        ) : null}
        <div className="pane-terminal run-terminal-screen" ref={host} data-testid="run-terminal" />
      </div>
    </section>
  );
}
