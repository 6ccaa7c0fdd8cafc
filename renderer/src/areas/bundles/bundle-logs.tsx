/**
 * The Logs tab of an opened bundle: its log sources in the log pane's terminal, read page by
 * page with `bundles:logs`, with a source filter, a level filter, a text filter (server side,
 * over every line of the bundle) and the terminal's own search (Ctrl/Cmd+F).
 */
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useApi, usePlatform } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { SearchBar, SearchToolButton } from '../logs/log-pane';
import { useTerminalSearch } from '../logs/use-terminal-search';
import { BUNDLE_LOG_SCROLLBACK, BundleLogSession, type BundleLogSnapshot } from './bundle-log-session';
import { sourceName } from './bundle-view-model';

const PAGE = 5_000;
const LEVELS = ['error', 'warn', 'info', 'debug'] as const;
const NO_SNAPSHOT: BundleLogSnapshot = { lines: 0 };
const noSubscribe = () => () => undefined;

export function BundleLogs({ id, sources }: { id: string; sources: readonly { source: string; lines: number }[] }) {
  const api = useApi();
  const platform = usePlatform();
  const host = useRef<HTMLDivElement>(null);
  const [session, setSession] = useState<BundleLogSession>();
  const [source, setSource] = useState('');
  const [level, setLevel] = useState('');
  const [text, setText] = useState('');
  const [appliedText, setAppliedText] = useState('');
  const [total, setTotal] = useState<number>();
  // Which filters the last finished read was for (and its error): reading while they differ.
  const [read, setRead] = useState<{ key: string; error?: string }>({ key: '' });
  const queryKey = JSON.stringify([id, source, level, appliedText]);
  const loading = read.key !== queryKey;
  const error = loading ? undefined : read.error;

  useEffect(() => {
    const created = new BundleLogSession(host.current!, (value) => platform.copyText(value));
    setSession(created);
    return () => {
      created.dispose();
      setSession(undefined);
    };
  }, [platform]);

  // Each filter change reads from the start: pages are written as they come, up to the scrollback.
  useEffect(() => {
    if (!session) return;
    let current = true;
    session.reset(sources.map((s) => sourceName(s.source)));
    const key = JSON.stringify([id, source, level, appliedText]);
    void (async () => {
      let failure: string | undefined;
      try {
        for (let offset = 0; current && offset < BUNDLE_LOG_SCROLLBACK;) {
          const page = await api.invoke('bundles:logs', {
            id,
            ...(source ? { source } : {}),
            ...(level ? { level } : {}),
            ...(appliedText ? { text: appliedText } : {}),
            offset,
            limit: Math.min(PAGE, BUNDLE_LOG_SCROLLBACK - offset),
          });
          if (!current) return;
          session.write(page.entries);
          setTotal(page.total);
          offset += page.entries.length;
          if (page.entries.length === 0 || offset >= page.total) break;
        }
      } catch (caught) {
        failure = toApiError(caught).message;
      }
      if (current) setRead(failure === undefined ? { key } : { key, error: failure });
    })();
    return () => {
      current = false;
    };
  }, [api, id, session, sources, source, level, appliedText]);

  const snapshot = useSyncExternalStore(session?.subscribe ?? noSubscribe, session?.getSnapshot ?? (() => NO_SNAPSHOT));
  const search = useTerminalSearch(session);

  return (
    <section className="bundle-logs" aria-label="Bundle logs" onKeyDown={search.onKeyDown}>
      <div className="bundles-toolbar bundle-log-filters" role="group" aria-label="Log filters">
        <FilterSelect
          label="Source"
          what="source"
          any="All sources"
          value={source}
          onChange={setSource}
          options={sources.map((s) => ({
            value: s.source,
            label: `${sourceName(s.source)} (${s.lines.toLocaleString()})`,
          }))}
        />
        <FilterSelect
          label="Level"
          what="level"
          any="Any level"
          value={level}
          onChange={setLevel}
          options={LEVELS.map((value) => ({ value, label: value }))}
        />
        <form
          className="bundle-field"
          role="search"
          onSubmit={(event) => {
            event.preventDefault();
            setAppliedText(text.trim());
          }}
        >
          <span>Lines with</span>
          <input
            type="search"
            className="input input-small mono"
            aria-label="Filter lines by text"
            placeholder="text, Enter to filter"
            value={text}
            onChange={(event) => {
              setText(event.target.value);
              if (!event.target.value) setAppliedText('');
            }}
          />
        </form>
        <span className="muted bundle-log-count" data-testid="bundle-log-count" aria-live="polite">
          {loading
            ? 'Reading…'
            : total === undefined
              ? ''
              : `${snapshot.lines.toLocaleString()} of ${total.toLocaleString()} ${total === 1 ? 'line' : 'lines'}`}
        </span>
        <SearchToolButton search={search} />
      </div>
      {error ? (
        <p className="form-error" role="alert">
          Could not read the bundle’s logs: {error}
        </p>
      ) : null}
      <div className="pane-terminal-wrap bundle-terminal-wrap">
        {search.searching && session ? (
          <SearchBar session={session} snapshot={snapshot} inputRef={search.inputRef} onClose={search.close} />
        ) : null}
        <div className="pane-terminal bundle-terminal" ref={host} data-testid="bundle-terminal" />
      </div>
    </section>
  );
}

/** One of the filters' choices: `any` (the empty value) lets every line through. */
function FilterSelect({
  label,
  what,
  any,
  value,
  onChange,
  options,
}: {
  label: string;
  /** What it filters by, for the accessible name ("Filter by level"). */
  what: string;
  any: string;
  value: string;
  onChange(value: string): void;
  options: readonly { value: string; label: string }[];
}) {
  return (
    <label className="bundle-field">
      <span>{label}</span>
      <select
        className="input input-small select"
        aria-label={`Filter by ${what}`}
        value={value}
        onChange={(event) => onChange(event.target.value)}
      >
        <option value="">{any}</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}
