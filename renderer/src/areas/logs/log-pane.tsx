/**
 * One log pane: a header (its sources and their stream state, follow/pause, the tools) over an
 * xterm terminal driven by a `PaneSession`. A pane without sources asks for them.
 */
import {
  useEffect,
  useId,
  useRef,
  useState,
  useSyncExternalStore,
  type KeyboardEvent as ReactKeyboardEvent,
  type ReactNode,
  type RefObject,
} from 'react';
import { LOG_LEVELS, type LogLevel } from '../../../../shared/model/ops';
import type { LogSourceOption } from '../../../../shared/model/logs';
import { sourceKeyName } from '../../../../shared/log-source-key';
import { MASKED_SECRET_HELP } from '../../../../shared/log-mask';
import type { Target } from '../../../../shared/model/target';
import { useApi, usePlatform } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { formatAgo } from '../../components/format';
import { CopyIcon, WarningIcon } from '../../components/icons';
import { useNow } from '../../components/use-now';
import { aroundRange, aroundTime } from '../bundles/bundle-link';
import { SupportBundleLink } from '../bundles/support-bundle-link';
import { fromLocalInput, logFileName, saveLog, toLocalInput } from './download';
import { entryLine } from './line-format';
import {
  ChevronDownIcon,
  ChevronUpIcon,
  ClearIcon,
  ClockIcon,
  CloseIcon,
  DownloadIcon,
  FilterIcon,
  FollowIcon,
  HistoryIcon,
  MoreIcon,
  PauseIcon,
  SearchIcon,
  SourcesIcon,
  SplitDownIcon,
  SplitRightIcon,
  WrapIcon,
} from './logs-icons';
import type { Direction, PaneNode } from './layout';
import { MAX_SOURCES, SCROLLBACK_CHOICES, type PaneConfig } from './pane-config';
import { PaneSession, type PaneSnapshot, type SourceStatus } from './pane-session';
import { isSearchShortcut, useTerminalSearch } from './use-terminal-search';
import { SourcePicker } from './source-picker';

export interface LogPaneProps {
  target: Target;
  pane: PaneNode;
  /** 1-based, for names ("Pane 2"). */
  number: number;
  options: LogSourceOption[] | undefined;
  canSplit: boolean;
  canClose: boolean;
  linkDown: boolean;
  onConfig(update: (config: PaneConfig) => PaneConfig): void;
  onSplit(direction: Direction): void;
  onClose(): void;
}

const IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform);
const MOD = IS_MAC ? '⌘' : 'Ctrl+';
const LEVEL_LABELS: Record<LogLevel, string> = { error: 'Error', warn: 'Warn', info: 'Info', debug: 'Debug' };

export function LogPane(props: LogPaneProps) {
  const { pane, number } = props;
  const [choosing, setChoosing] = useState(false);
  const titleId = useId();
  const hasSources = pane.config.sources.length > 0;
  return (
    <section className="log-pane" aria-labelledby={titleId} data-pane={pane.id} data-testid={`log-pane-${number}`}>
      <h2 id={titleId} className="visually-hidden">
        Pane {number}:{' '}
        {hasSources ? pane.config.sources.map((key) => labelOf(key, props.options)).join(', ') : 'no sources yet'}
      </h2>
      {hasSources && !choosing ? (
        <PaneView key={pane.config.sources.join('|')} {...props} onChooseSources={() => setChoosing(true)} />
      ) : (
        <>
          <PaneFrameHeader {...props}>
            <span className="pane-title">{hasSources ? 'Change sources' : `Pane ${number}`}</span>
          </PaneFrameHeader>
          <SourcePicker
            options={props.options}
            initial={pane.config.sources}
            max={MAX_SOURCES}
            onCancel={hasSources ? () => setChoosing(false) : undefined}
            onChoose={(sources) => {
              setChoosing(false);
              props.onConfig((config) => ({ ...config, sources }));
            }}
          />
        </>
      )}
    </section>
  );
}

/** The layout buttons every pane has, whatever it shows. */
function PaneFrameHeader({
  canSplit,
  canClose,
  onSplit,
  onClose,
  number,
  children,
}: LogPaneProps & { children: ReactNode }) {
  return (
    <header className="pane-header">
      <div className="pane-header-main">{children}</div>
      <LayoutButtons canSplit={canSplit} canClose={canClose} onSplit={onSplit} onClose={onClose} number={number} />
    </header>
  );
}

function LayoutButtons({
  canSplit,
  canClose,
  onSplit,
  onClose,
  number,
}: Pick<LogPaneProps, 'canSplit' | 'canClose' | 'onSplit' | 'onClose' | 'number'>) {
  return (
    <div className="pane-tools pane-layout-tools">
      <ToolButton label={`Split pane ${number} right`} disabled={!canSplit} onClick={() => onSplit('row')}>
        <SplitRightIcon />
      </ToolButton>
      <ToolButton label={`Split pane ${number} down`} disabled={!canSplit} onClick={() => onSplit('column')}>
        <SplitDownIcon />
      </ToolButton>
      <ToolButton label={`Close pane ${number}`} disabled={!canClose} onClick={onClose}>
        <CloseIcon />
      </ToolButton>
    </div>
  );
}

/** The Search tool button over a terminal: the log pane's, the run viewer's, a bundle's Logs tab's. */
export function SearchToolButton({ search }: { search: { searching: boolean; toggle(): void } }) {
  return (
    <ToolButton
      label="Search"
      shortcut={IS_MAC ? 'Meta+F' : 'Control+F'}
      pressed={search.searching}
      onClick={search.toggle}
    >
      <SearchIcon />
    </ToolButton>
  );
}

function ToolButton({
  label,
  onClick,
  pressed,
  disabled,
  children,
  className = '',
  shortcut,
  expanded,
}: {
  label: string;
  onClick(): void;
  pressed?: boolean;
  disabled?: boolean;
  children: ReactNode;
  className?: string;
  shortcut?: string;
  expanded?: boolean;
}) {
  return (
    <button
      type="button"
      className={`tool-button ${pressed ? 'is-on' : ''} ${className}`}
      aria-label={label}
      aria-pressed={pressed}
      aria-expanded={expanded}
      aria-keyshortcuts={shortcut}
      title={label}
      disabled={disabled}
      onClick={onClick}
    >
      {children}
    </button>
  );
}

const NO_SNAPSHOT: PaneSnapshot = {
  mode: 'live',
  newLines: 0,
  received: 0,
  stored: 0,
  sources: {},
  masked: {},
  hasSelection: false,
  filterErrors: {},
  renderer: 'dom',
};
const noSubscribe = () => () => undefined;

function PaneView(props: LogPaneProps & { onChooseSources(): void }) {
  const { target, pane, options, number, onConfig, linkDown } = props;
  const api = useApi();
  const platform = usePlatform();
  const terminalRef = useRef<HTMLDivElement>(null);
  const [session, setSession] = useState<PaneSession>();
  const config = pane.config;
  const configRef = useRef(config);
  useEffect(() => {
    configRef.current = config;
  });
  const [filtering, setFiltering] = useState(false);
  const [menu, setMenu] = useState(false);

  // One session per set of sources (the component is keyed by them).
  useEffect(() => {
    const created = new PaneSession({
      api,
      platform,
      targetId: target.id,
      sources: configRef.current.sources.map((key) => ({ key, label: labelOf(key, undefined) })),
      config: configRef.current,
      host: terminalRef.current!,
    });
    setSession(created);
    return () => {
      created.dispose();
      setSession(undefined);
    };
  }, [api, platform, target.id]);

  useEffect(() => session?.setConfig(config), [session, config]);
  useEffect(() => session?.setLinkDown(linkDown), [session, linkDown]);

  const snapshot = useSyncExternalStore(session?.subscribe ?? noSubscribe, session?.getSnapshot ?? (() => NO_SNAPSHOT));
  const search = useTerminalSearch(session);
  const filtersActive =
    Boolean(config.include || config.exclude) || LOG_LEVELS.some((level) => !config.levels.includes(level));

  function onKeyDown(event: ReactKeyboardEvent<HTMLDivElement>) {
    if (isSearchShortcut(event)) {
      event.preventDefault();
      search.open();
    } else if (event.key === 'Escape' && (search.searching || menu)) {
      // Esc closes the menu first, then the search; the filters stay until their button.
      event.preventDefault();
      if (menu) {
        setMenu(false);
        session?.focus();
      } else {
        search.close();
      }
    }
  }

  const following = snapshot.mode === 'live';

  return (
    <div className="pane-body" onKeyDown={onKeyDown}>
      <header className="pane-header">
        <div className="pane-header-main">
          <SourceChips
            sources={config.sources}
            options={options}
            statuses={snapshot.sources}
            onEdit={props.onChooseSources}
          />
        </div>
        <div className="pane-status">
          {snapshot.offline ? <OfflineBadge offline={snapshot.offline} linkDown={linkDown} /> : null}
          <MaskedBadges sources={config.sources} options={options} masked={snapshot.masked} />
          {snapshot.mode === 'paused' ? (
            <span className="pane-badge badge-paused">{snapshot.pausedBy === 'scroll' ? 'Scrolled up' : 'Paused'}</span>
          ) : null}
        </div>
        <div className="pane-tools">
          <ToolButton
            label={following ? `Pause pane ${number}` : `Follow pane ${number}`}
            onClick={() => (following ? session?.pause() : session?.resume())}
            className={following ? '' : 'is-attention'}
          >
            {following ? <PauseIcon /> : <FollowIcon />}
          </ToolButton>
          <SearchToolButton search={search} />
          <ToolButton
            label="Filters"
            pressed={filtering}
            className={filtersActive ? 'has-dot' : ''}
            onClick={() => setFiltering(!filtering)}
          >
            <FilterIcon />
          </ToolButton>
          <ToolButton
            label="Timestamps"
            className="tool-toggle"
            pressed={config.timestamps}
            onClick={() => onConfig((c) => ({ ...c, timestamps: !c.timestamps }))}
          >
            <ClockIcon />
          </ToolButton>
          <ToolButton
            label="Wrap lines"
            className="tool-toggle"
            pressed={config.wrap}
            onClick={() => onConfig((c) => ({ ...c, wrap: !c.wrap }))}
          >
            <WrapIcon />
          </ToolButton>
          <ToolButton label="Clear" onClick={() => session?.clear()}>
            <ClearIcon />
          </ToolButton>
          <div className="menu-anchor">
            <ToolButton label="More" expanded={menu} pressed={menu} onClick={() => setMenu(!menu)}>
              <MoreIcon />
            </ToolButton>
            {menu && session ? (
              <PaneMenu
                session={session}
                target={target}
                config={config}
                snapshot={snapshot}
                onConfig={onConfig}
                onClose={() => setMenu(false)}
              />
            ) : null}
          </div>
        </div>
        <LayoutButtons {...props} />
      </header>

      {filtering ? <FilterBar config={config} errors={snapshot.filterErrors} onConfig={onConfig} /> : null}

      {snapshot.history ? (
        <div className="pane-banner banner-history" role="status">
          <HistoryIcon size={14} />
          <span>
            Cached lines from <strong>{new Date(snapshot.history.from).toLocaleString()}</strong> ·{' '}
            {snapshot.history.count.toLocaleString()} lines{snapshot.history.truncated ? ' (more in the cache)' : ''}
            {snapshot.newLines ? ` · ${snapshot.newLines.toLocaleString()} new live lines` : ''}
          </span>
          <SupportBundleLink
            link={{ targetId: target.id, window: historyWindow(snapshot.history) }}
            description={`Collect a support bundle of ${target.name} around these lines`}
          />
          <button type="button" className="button button-small" onClick={() => session?.resume()}>
            Back to live
          </button>
        </div>
      ) : null}
      {snapshot.followError ? (
        <div className="pane-banner banner-error" role="alert">
          <WarningIcon size={14} />
          <span>
            Can’t follow: {snapshot.followError}
            {snapshot.offline?.fromCache ? ' Showing cached lines.' : ''}
          </span>
          <button type="button" className="button button-small" onClick={() => session?.retry()}>
            Retry
          </button>
        </div>
      ) : null}
      {snapshot.notice ? (
        <div className="pane-banner banner-notice" role="status">
          {snapshot.notice}
        </div>
      ) : null}

      <div className="pane-terminal-wrap">
        {search.searching && session ? (
          <SearchBar session={session} snapshot={snapshot} inputRef={search.inputRef} onClose={search.close} />
        ) : null}
        <div className="pane-terminal" ref={terminalRef} data-renderer={snapshot.renderer} />
        {snapshot.mode === 'paused' ? (
          <button type="button" className="new-lines" onClick={() => session?.resume()}>
            <FollowIcon size={13} />
            {snapshot.newLines
              ? `${snapshot.newLines.toLocaleString()} new line${snapshot.newLines === 1 ? '' : 's'}`
              : 'Follow'}
          </button>
        ) : null}
      </div>
    </div>
  );
}

/** "3 secrets masked" per source whose lines main masked (the source named when the pane has several). */
function MaskedBadges({
  sources,
  options,
  masked,
}: {
  sources: string[];
  options: LogSourceOption[] | undefined;
  masked: PaneSnapshot['masked'];
}) {
  return sources.map((key) => {
    const count = masked[key];
    if (!count) return null;
    return (
      <span key={key} className="pane-badge badge-masked" data-masked-source={key} title={MASKED_SECRET_HELP}>
        {count} secret{count === 1 ? '' : 's'} masked{sources.length > 1 ? ` in ${labelOf(key, options)}` : ''}
      </span>
    );
  });
}

function SourceChips({
  sources,
  options,
  statuses,
  onEdit,
}: {
  sources: string[];
  options: LogSourceOption[] | undefined;
  statuses: PaneSnapshot['sources'];
  onEdit(): void;
}) {
  return (
    <div className="source-chips">
      {sources.map((key, index) => {
        const status: SourceStatus = statuses[key] ?? { state: 'starting' };
        const label = labelOf(key, options);
        const stateText = describeSource(status);
        return (
          <span
            key={key}
            className={`source-chip state-${status.state}`}
            data-source={key}
            data-state={status.state}
            title={`${label}: ${stateText}`}
          >
            <span className={`source-swatch src-color-${index % 8}`} aria-hidden="true" />
            <span className="source-label">{label}</span>
            {status.state === 'live' ? (
              <span className="visually-hidden">live</span>
            ) : (
              // The state in a word; the reason is in the title (and in full for an error).
              <span className="source-state">
                {status.state === 'error' ? `error: ${status.reason ?? 'unknown'}` : SHORT_STATES[status.state]}
              </span>
            )}
          </span>
        );
      })}
      <button
        type="button"
        className="tool-button chip-edit"
        aria-label="Change sources"
        title="Change sources"
        onClick={onEdit}
      >
        <SourcesIcon size={14} />
      </button>
    </div>
  );
}

const SHORT_STATES: Record<Exclude<SourceStatus['state'], 'live' | 'error'>, string> = {
  starting: 'starting…',
  reconnecting: 'reconnecting…',
  ended: 'ended',
};

function describeSource(status: SourceStatus): string {
  switch (status.state) {
    case 'starting':
      return 'starting…';
    case 'live':
      return 'live';
    case 'reconnecting':
      return status.reason ? `reconnecting (${status.reason})` : 'reconnecting…';
    case 'ended':
      return status.reason ? `ended (${status.reason})` : 'ended';
    case 'error':
      return `error: ${status.reason ?? 'unknown'}`;
  }
}

function OfflineBadge({ offline, linkDown }: { offline: NonNullable<PaneSnapshot['offline']>; linkDown: boolean }) {
  const now = useNow(10_000);
  const age = offline.newest ? formatAgo(offline.newest, now) : undefined;
  const why = linkDown
    ? 'Control Room is reconnecting; these are the lines received before the link dropped.'
    : offline.fromCache
      ? 'The target cannot be followed right now; these lines come from the offline cache.'
      : 'No source is live right now; these are the lines received before.';
  return (
    <span className="pane-badge badge-cached" title={why}>
      Cached{age ? ` · newest ${age}` : ''}
    </span>
  );
}

function FilterBar({
  config,
  errors,
  onConfig,
}: {
  config: PaneConfig;
  errors: PaneSnapshot['filterErrors'];
  onConfig: LogPaneProps['onConfig'];
}) {
  const [include, setInclude] = useState(config.include);
  const [exclude, setExclude] = useState(config.exclude);
  const onConfigRef = useRef(onConfig);
  const typed = useRef({ include, exclude });
  useEffect(() => {
    onConfigRef.current = onConfig;
    typed.current = { include, exclude };
  });
  // Typing re-filters after a short pause, not on every key (a re-render walks the whole buffer).
  useEffect(() => {
    const timer = setTimeout(() => apply(onConfigRef.current, { include, exclude }), 250);
    return () => clearTimeout(timer);
  }, [include, exclude]);
  // Closing the bar keeps what was typed last, however quickly it closes.
  useEffect(() => () => apply(onConfigRef.current, typed.current), []);
  const placeholder = config.regex ? 'regex' : 'text';
  return (
    <div className="filter-bar" role="group" aria-label="Filters">
      <FilterField
        label="Include"
        value={include}
        placeholder={placeholder}
        error={errors.include}
        onChange={setInclude}
      />
      <FilterField
        label="Exclude"
        value={exclude}
        placeholder={placeholder}
        error={errors.exclude}
        onChange={setExclude}
      />
      <button
        type="button"
        className={`toggle-chip mono ${config.regex ? 'is-on' : ''}`}
        aria-pressed={config.regex}
        title="Include and exclude are regular expressions"
        onClick={() => onConfig((c) => ({ ...c, regex: !c.regex }))}
      >
        .*
      </button>
      <div className="level-toggles" role="group" aria-label="Levels shown">
        {LOG_LEVELS.map((level) => {
          const on = config.levels.includes(level);
          return (
            <button
              key={level}
              type="button"
              className={`toggle-chip level-chip level-${level} ${on ? 'is-on' : ''}`}
              aria-pressed={on}
              onClick={() =>
                onConfig((c) => ({
                  ...c,
                  levels: on
                    ? c.levels.filter((l) => l !== level)
                    : LOG_LEVELS.filter((l) => l === level || c.levels.includes(l)),
                }))
              }
            >
              {LEVEL_LABELS[level]}
            </button>
          );
        })}
      </div>
      {errors.include || errors.exclude ? (
        <p className="filter-error" role="alert">
          {errors.include ? `Include: ${errors.include}` : `Exclude: ${errors.exclude}`}
        </p>
      ) : null}
    </div>
  );
}

function apply(onConfig: LogPaneProps['onConfig'], { include, exclude }: { include: string; exclude: string }) {
  onConfig((c) => (c.include === include && c.exclude === exclude ? c : { ...c, include, exclude }));
}

/** The search over a terminal's buffer; the run viewer's terminal (areas/runbooks) uses it too. */
export function SearchBar({
  session,
  snapshot,
  inputRef,
  onClose,
}: {
  session: Pick<PaneSession, 'search'>;
  snapshot: Pick<PaneSnapshot, 'search'>;
  inputRef: RefObject<HTMLInputElement | null>;
  onClose(): void;
}) {
  const [term, setTerm] = useState('');
  const [regex, setRegex] = useState(false);
  const [caseSensitive, setCaseSensitive] = useState(false);
  useEffect(() => inputRef.current?.focus(), [inputRef]);
  const find = (backwards = false, text = term, options = { regex, caseSensitive }) =>
    session.search(text, options, backwards);
  const result = snapshot.search;
  return (
    <div className="search-bar" role="search">
      <input
        ref={inputRef}
        type="search"
        className="input input-small mono"
        aria-label="Search in pane"
        placeholder="Search"
        value={term}
        onChange={(event) => {
          setTerm(event.target.value);
          find(false, event.target.value);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter') {
            event.preventDefault();
            find(event.shiftKey);
          }
        }}
      />
      <button
        type="button"
        className={`toggle-chip mono ${regex ? 'is-on' : ''}`}
        aria-pressed={regex}
        aria-label="Regular expression"
        title="Regular expression"
        onClick={() => {
          setRegex(!regex);
          find(false, term, { regex: !regex, caseSensitive });
        }}
      >
        .*
      </button>
      <button
        type="button"
        className={`toggle-chip ${caseSensitive ? 'is-on' : ''}`}
        aria-pressed={caseSensitive}
        aria-label="Match case"
        title="Match case"
        onClick={() => {
          setCaseSensitive(!caseSensitive);
          find(false, term, { regex, caseSensitive: !caseSensitive });
        }}
      >
        Aa
      </button>
      <span className="search-count" aria-live="polite">
        {term && result
          ? result.count === 0
            ? 'No results'
            : result.index >= 0
              ? `${result.index + 1} of ${result.count}`
              : `${result.count}+`
          : ''}
      </span>
      <ToolButton label="Previous match" onClick={() => find(true)}>
        <ChevronUpIcon />
      </ToolButton>
      <ToolButton label="Next match" onClick={() => find(false)}>
        <ChevronDownIcon />
      </ToolButton>
      <ToolButton label="Close search" onClick={onClose}>
        <CloseIcon />
      </ToolButton>
    </div>
  );
}

/** The less frequent tools: jump to a time, downloads, copy, scrollback. */
function PaneMenu({
  session,
  target,
  config,
  snapshot,
  onConfig,
  onClose,
}: {
  session: PaneSession;
  target: Target;
  config: PaneConfig;
  snapshot: PaneSnapshot;
  onConfig: LogPaneProps['onConfig'];
  onClose(): void;
}) {
  const api = useApi();
  const platform = usePlatform();
  const ref = useRef<HTMLDivElement>(null);
  const [jumpAt, setJumpAt] = useState(() => toLocalInput(Date.now() - 5 * 60_000));
  const [from, setFrom] = useState(() => toLocalInput(Date.now() - 60 * 60_000));
  const [to, setTo] = useState(() => toLocalInput(Date.now()));
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string>();

  // Close on a click elsewhere, or Esc wherever the focus went (a download takes it away).
  useEffect(() => {
    const onDown = (event: PointerEvent) => {
      const anchor = ref.current?.parentElement;
      if (anchor && !anchor.contains(event.target as Node)) onClose();
    };
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    document.addEventListener('pointerdown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [onClose]);

  const jump = () => {
    const ms = fromLocalInput(jumpAt);
    if (ms === undefined) return setMessage('Pick a date and time.');
    onClose();
    void session.jumpTo(ms);
  };

  const downloadVisible = async () => {
    const { text, lines } = session.visibleText();
    if (!lines) return setMessage('Nothing to download: no line is shown.');
    try {
      // Closed once saved (or canceled): the desktop app asks where first.
      await saveLog(platform, logFileName(target.name, config.sources), text);
      onClose();
    } catch (error) {
      setMessage(`Could not save the lines: ${toApiError(error).message}`);
    }
  };

  const downloadRange = async () => {
    const fromMs = fromLocalInput(from);
    const toMs = fromLocalInput(to);
    if (fromMs === undefined || toMs === undefined) return setMessage('Pick both times.');
    if (fromMs > toMs) return setMessage('The range ends before it starts.');
    setBusy(true);
    setMessage(undefined);
    try {
      const { entries, truncated } = await api.invoke('logs:query', {
        targetId: target.id,
        sources: config.sources,
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
        limit: 200_000,
      });
      if (!entries.length) {
        setMessage('The cache has no lines in that range.');
        return;
      }
      const saved = await saveLog(
        platform,
        logFileName(target.name, config.sources, new Date(fromMs)),
        entries.map(entryLine).join(''),
      );
      if (!saved) {
        setMessage('Not saved.');
        return;
      }
      const where = saved.path ? ` to ${saved.name}` : '';
      setMessage(
        truncated
          ? `Saved the first ${entries.length.toLocaleString()} lines${where}; narrow the range for the rest.`
          : `Saved ${entries.length.toLocaleString()} lines${where}.`,
      );
    } catch (error) {
      setMessage(toApiError(error).message);
    } finally {
      setBusy(false);
    }
  };

  const copy = () => {
    const text = session.selection();
    if (!text) return setMessage('Select lines in the pane first.');
    platform.copyText(text).then(
      () => onClose(),
      () => setMessage('The clipboard refused the text.'),
    );
  };

  return (
    <div className="pane-menu" ref={ref} role="dialog" aria-label="More pane tools">
      <div className="menu-section">
        <label className="menu-label" htmlFor={`${target.id}-jump`}>
          Jump to time
        </label>
        <div className="menu-row">
          <input
            id={`${target.id}-jump`}
            type="datetime-local"
            step={1}
            className="input input-small"
            value={jumpAt}
            onChange={(event) => setJumpAt(event.target.value)}
            onKeyDown={(event) => event.key === 'Enter' && jump()}
          />
          <button type="button" className="button button-small" onClick={jump}>
            Go
          </button>
        </div>
      </div>
      <div className="menu-section">
        <button type="button" className="menu-item" onClick={() => void downloadVisible()}>
          <DownloadIcon /> Download shown lines
        </button>
        <button type="button" className="menu-item" onClick={copy} disabled={!snapshot.hasSelection}>
          <CopyIcon /> Copy selection <kbd>{MOD}C</kbd>
        </button>
      </div>
      <div className="menu-section">
        <span className="menu-label">Lines from the cache</span>
        <label className="menu-row menu-range">
          <span className="muted">From</span>
          <input
            type="datetime-local"
            step={1}
            aria-label="From"
            className="input input-small"
            value={from}
            onChange={(event) => setFrom(event.target.value)}
          />
        </label>
        <label className="menu-row menu-range">
          <span className="muted">To</span>
          <input
            type="datetime-local"
            step={1}
            aria-label="To"
            className="input input-small"
            value={to}
            onChange={(event) => setTo(event.target.value)}
          />
        </label>
        <div className="menu-row">
          <button type="button" className="button button-small" disabled={busy} onClick={() => void downloadRange()}>
            <DownloadIcon /> {busy ? 'Reading…' : 'Download range'}
          </button>
          <button
            type="button"
            className="button button-small button-quiet"
            disabled={busy}
            onClick={() => {
              const fromMs = fromLocalInput(from);
              if (fromMs === undefined) return;
              const toMs = fromLocalInput(to);
              onClose();
              void session.showHistory(new Date(fromMs).toISOString(), toMs ? new Date(toMs).toISOString() : undefined);
            }}
          >
            <HistoryIcon /> Show in pane
          </button>
        </div>
      </div>
      <div className="menu-section menu-row">
        <label className="menu-label" htmlFor={`${target.id}-scrollback`}>
          Keep
        </label>
        <select
          id={`${target.id}-scrollback`}
          className="input input-small select"
          value={config.scrollback}
          onChange={(event) => onConfig((c) => ({ ...c, scrollback: Number(event.target.value) }))}
        >
          {SCROLLBACK_CHOICES.map((choice) => (
            <option key={choice} value={choice}>
              {choice.toLocaleString()} lines
            </option>
          ))}
        </select>
        <span className="muted menu-note">{snapshot.stored.toLocaleString()} held</span>
      </div>
      {message ? (
        <p className="menu-message" role="status">
          {message}
        </p>
      ) : null}
    </div>
  );
}

export function labelOf(key: string, options: LogSourceOption[] | undefined): string {
  return options?.find((option) => option.key === key)?.label ?? sourceKeyName(key);
}

/** One labelled filter input; an invalid pattern marks it and says why on hover. */
function FilterField(props: {
  label: string;
  value: string;
  placeholder: string;
  error: string | undefined;
  onChange(value: string): void;
}) {
  const id = useId();
  return (
    <label className="filter-field" htmlFor={id}>
      <span>{props.label}</span>
      <input
        id={id}
        className="input input-small mono"
        value={props.value}
        placeholder={props.placeholder}
        aria-invalid={Boolean(props.error)}
        title={props.error}
        onChange={(event) => props.onChange(event.target.value)}
      />
    </label>
  );
}

/** The bundle window of the cached stretch a pane shows: its range, or around the moment jumped to. */
function historyWindow(history: NonNullable<PaneSnapshot['history']>) {
  return history.to ? aroundRange(history.from, history.to) : aroundTime(history.from);
}
