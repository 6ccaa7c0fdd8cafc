/**
 * One log pane's engine, outside React: its `logs:follow` subscription, the time-ordering
 * buffer, the bounded line store, the xterm terminal with its addons, and flow control.
 *
 * Lines flow: `logs:follow` event → merge buffer (several sources are ordered by time) → store →
 * (unless filtered out, paused or showing history) the terminal feed → xterm. Credit for lines
 * goes back to main with `logs:ack` as the feed grants it (see terminal-feed.ts).
 *
 * React reads a snapshot (`subscribe`/`getSnapshot`, published at most once per frame) and
 * calls the methods; the terminal is created in the element React gives it.
 */
import type { IDisposable, Terminal } from '@xterm/xterm';
import type { FitAddon } from '@xterm/addon-fit';
import type { SearchAddon } from '@xterm/addon-search';
import type { WebglAddon } from '@xterm/addon-webgl';
import type { ControlRoomApi } from '../../../../shared/transport';
import type { LogBatch, LogEntry, LogFollowEvent, SourceState } from '../../../../shared/model/logs';
import { isoToMs } from '../../../../shared/iso-time';
import { sourceKeyName } from '../../../../shared/log-source-key';
import { BoundaryDedupe } from '../../../../shared/boundary-dedupe';
import { externalUrl } from '../../../../shared/model/platform';
import { toApiError } from '../../api/open-api';
import type { Platform } from '../../platform/platform';
import { LineStore, type StoredLine } from './line-store';
import { MergeBuffer } from './merge-buffer';
import { compileFilter, type LineFilter, type PaneConfig } from './pane-config';
import { formatLine, padLabels, plainLine, type FormatOptions } from './line-format';
import { DEFAULT_FEED_OPTIONS, TerminalFeed } from './terminal-feed';
import { YIELD_SEQUENCE } from './parse-slicer';
import type { PaneInspection } from './pane-inspection';
import {
  findInTerminal,
  loadWebglRenderer,
  openReadOnlyTerminal,
  readOnlyKeyHandler,
  terminalText,
  type TerminalSearchOptions,
} from './terminal-setup';

/**
 * How long lines from several sources wait to be put in time order. Containers' streams reach
 * main on their own schedules (podman flushes each log file in turn), so two lines written a few
 * milliseconds apart can arrive more than a tenth of a second apart.
 */
const MERGE_HOLD_MS = 150;
/**
 * When a follow starts, each source attaches on its own and sends its tail: the tails can arrive
 * a second apart. Lines are held until every source has reported in (plus a moment for its
 * tail), at most this long, so the tails are merged too. The same when a source reconnects.
 */
const STARTUP_HOLD_MS = 3_000;
const TAIL_SETTLE_MS = 300;
/** Lines asked for when a pane starts following (bounded by its scrollback). */
const FOLLOW_TAIL = 1_000;
/** Lines shown from the cache when the target cannot be followed. */
const CACHED_LINES = 5_000;
/** A window of cached history shown by "jump to time" beyond the pane's own buffer. */
const HISTORY_LINES = 10_000;
/** Sources down this long (not just a container restarting) make the pane say it shows cached lines. */
const OFFLINE_AFTER_MS = 3_000;
/** How long after the user touched the pane a scroll counts as theirs (see `onScroll`). */
const TOUCH_SCROLL_MS = 1_000;
/**
 * Lines arriving change only counts the pane shows (new lines while paused, lines held): a flood
 * publishes them this often rather than every frame, which would re-render the pane each time.
 */
const COUNTS_PUBLISH_MS = 250;

export interface PaneSource {
  key: string;
  label: string;
}

export type SourceStatus = { state: SourceState | 'starting'; reason?: string };

export type PaneMode = 'live' | 'paused' | 'history';

export interface PaneSnapshot {
  mode: PaneMode;
  /** Why the pane is paused: the user pressed pause (or jumped), or scrolled up. */
  pausedBy?: 'user' | 'scroll';
  /** Lines that arrived (and pass the filters) since the pane stopped following. */
  newLines: number;
  received: number;
  stored: number;
  sources: Readonly<Record<string, SourceStatus>>;
  /** Keychain secrets main masked in each source's lines (by source key); absent while none were. */
  masked: Readonly<Record<string, number>>;
  /** The follow could not start (target unreachable, say). */
  followError?: string;
  /** Set while nothing is live: what is shown came from the cache or before the link dropped. */
  offline?: { newest?: string; fromCache: boolean };
  history?: { from: string; to?: string; count: number; truncated: boolean };
  search?: { index: number; count: number };
  hasSelection: boolean;
  filterErrors: LineFilter['errors'];
  /** A one-off message for the pane ("No lines at or after 10:02"). */
  notice?: string;
  renderer: 'webgl' | 'dom';
}

export interface SessionOptions {
  api: ControlRoomApi;
  /** Links and the clipboard: the desktop window may not use the web APIs for them itself. */
  platform: Platform;
  targetId: string;
  sources: PaneSource[];
  config: PaneConfig;
  host: HTMLElement;
}

export class PaneSession {
  private readonly api: ControlRoomApi;
  private readonly platform: Platform;
  private readonly targetId: string;
  private readonly sources: PaneSource[];
  private config: PaneConfig;
  private readonly terminal: Terminal;
  private readonly fit: FitAddon;
  private readonly searchAddon: SearchAddon;
  private webgl: WebglAddon | undefined;
  private readonly disposables: IDisposable[];
  private readonly store: LineStore;
  private readonly merge = new MergeBuffer<StoredLine>(MERGE_HOLD_MS);
  private readonly feed: TerminalFeed;
  private filter: LineFilter;
  private format: FormatOptions;
  private labels: string[];
  private readonly sourceIndex = new Map<string, number>();
  /** Container (or service) names by source index, for downloads. */
  private readonly sourceNames: string[] = [];

  private unsubscribe: (() => void) | undefined;
  private followId: string | undefined;
  private receivedSinceStart = 0;
  private ackedSinceStart = 0;
  private ackDue = 0;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  private mergeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Until when (performance.now()) merged lines are held while sources start. */
  private holdUntil = 0;
  private cacheTried = false;
  /** Since when (performance.now()) no source has been live, while that lasts. */
  private downSince: number | undefined;
  private downTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * Per source, the newest instant seen and its lines: armed after a renewed follow (reconnect)
   * or cached lines, it skips what the new tail repeats. Main's log sources use the same gate.
   */
  private readonly boundaries = new Map<number, BoundaryDedupe>();

  private mode: PaneMode = 'live';
  private pausedBy: 'user' | 'scroll' | undefined;
  private newLines = 0;
  private received = 0;
  private written = 0;
  private acked = 0;
  /** The newest stored line handed to the terminal (lines after it wait while paused). */
  private writtenSeq = 0;
  private renderedFromSeq = 1;
  private historyLines: StoredLine[] = [];
  private historyInfo: PaneSnapshot['history'];
  private statuses: Record<string, SourceStatus> = {};
  /** Masked counts: main's running total of this follow on top of what earlier follows counted. */
  private masked: Record<string, number> = {};
  private maskedBefore: Record<string, number> = {};
  private followError: string | undefined;
  private linkDown = false;
  private fromCache = false;
  private searchState: PaneSnapshot['search'];
  private notice: string | undefined;
  private renderer: 'webgl' | 'dom' = 'dom';
  private resizeTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the user last wheeled, pressed or typed in the terminal (performance.now()). */
  private touchedAt = -Infinity;
  /** xterm's scroll events, listened to only while a touch is recent: it fires one per line written. */
  private scrollWatch: IDisposable | undefined;
  private scrollWatchTimer: ReturnType<typeof setTimeout> | undefined;
  private countsTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly resizeObserver: ResizeObserver;
  private disposed = false;

  private snapshot: PaneSnapshot;
  private readonly listeners = new Set<() => void>();
  private publishQueued = false;

  constructor(options: SessionOptions) {
    this.api = options.api;
    this.platform = options.platform;
    this.targetId = options.targetId;
    this.sources = options.sources;
    this.config = options.config;
    this.labels = padLabels(this.sources.map((source) => source.label));
    this.sources.forEach((source, index) => {
      const name = sourceKeyName(source.key);
      this.sourceIndex.set(name, index);
      this.sourceNames[index] = name;
      this.statuses[source.key] = { state: 'starting' };
    });
    this.store = new LineStore(this.config.scrollback);
    this.filter = compileFilter(this.config);
    this.format = { timestamps: this.config.timestamps, labels: this.labels };

    ({
      terminal: this.terminal,
      fit: this.fit,
      searchAddon: this.searchAddon,
      disposables: this.disposables,
    } = openReadOnlyTerminal(
      options.host,
      {
        cursorStyle: 'bar',
        cursorWidth: 1,
        scrollback: this.config.scrollback,
        linkHandler: {
          // Only http(s) links survive sanitizing; open them in the system browser on Ctrl/Cmd+click.
          activate: (event, uri) => {
            if (!(event.ctrlKey || event.metaKey)) return;
            const url = externalUrl(uri);
            // Not a plain web link: nothing to open. A refusal (the OS had no browser) is not the
            // pane's business either; the link stays on screen to copy.
            if (url) this.platform.openExternal(url).catch(() => undefined);
          },
          allowNonHttpProtocols: false,
        },
      },
      () => this.disposed,
    ));
    this.loadWebgl();
    // Reading keys scroll (and so pause, like the wheel); Ctrl/Cmd+End follows again.
    this.terminal.attachCustomKeyEventHandler(
      readOnlyKeyHandler(
        this.terminal,
        (text) => this.platform.copyText(text),
        (withModifier) => (withModifier ? this.resume() : this.terminal.scrollToBottom()),
      ),
    );
    this.disposables.push(
      this.terminal.onSelectionChange(() => this.publish()),
      this.searchAddon.onDidChangeResults(({ resultIndex, resultCount }) => {
        this.searchState = { index: resultIndex, count: resultCount };
        this.publish();
      }),
    );

    this.feed = new TerminalFeed(
      this.terminal,
      {
        format: (line) => formatLine(line, this.format),
        credit: (lines) => this.credit(lines),
        written: (line) => {
          this.written++;
          if (line.seq > this.writtenSeq) this.writtenSeq = line.seq;
        },
        // A line queued behind a buffer's worth of newer ones would be evicted unseen: skipped.
        capacity: () => this.config.scrollback + this.terminal.rows,
        schedule: (frame) => requestAnimationFrame(frame),
        now: () => performance.now(),
      },
      { ...DEFAULT_FEED_OPTIONS, chunkPrefix: YIELD_SEQUENCE },
    );

    this.resizeObserver = new ResizeObserver(() => this.scheduleFit());
    this.resizeObserver.observe(options.host);
    const touched = () => {
      this.touchedAt = performance.now();
      this.watchScroll();
    };
    for (const type of ['wheel', 'pointerdown', 'keydown'] as const) {
      options.host.addEventListener(type, touched, { capture: true, passive: true });
    }
    this.fitNow();
    this.inspectable(options.host);
    this.snapshot = this.buildSnapshot();
    this.follow();
  }

  // ── React side ────────────────────────────────────────────────────────────────────────────

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): PaneSnapshot => this.snapshot;

  /** New display options; re-renders from the store when what is drawn changes. */
  setConfig(config: PaneConfig) {
    const previous = this.config;
    this.config = config;
    if (config.scrollback !== previous.scrollback) {
      this.store.resize(config.scrollback);
      this.terminal.options.scrollback = config.scrollback;
    }
    const filterChanged =
      config.include !== previous.include ||
      config.exclude !== previous.exclude ||
      config.regex !== previous.regex ||
      config.levels.join() !== previous.levels.join();
    if (filterChanged) this.filter = compileFilter(config);
    this.format = {
      timestamps: config.timestamps,
      labels: this.labels,
      cutAt: config.wrap ? undefined : this.terminal.cols,
    };
    if (
      filterChanged ||
      config.timestamps !== previous.timestamps ||
      config.wrap !== previous.wrap ||
      config.scrollback !== previous.scrollback
    ) {
      this.rerender();
    }
    this.publish();
  }

  /** The app's link to main dropped (browser mode) or came back. */
  setLinkDown(down: boolean) {
    if (this.linkDown === down) return;
    this.linkDown = down;
    this.publish();
  }

  pause(by: 'user' | 'scroll' = 'user') {
    if (this.mode !== 'live') {
      if (this.mode === 'paused' && by === 'user') this.pausedBy = 'user';
      this.publish();
      return;
    }
    this.mode = 'paused';
    this.pausedBy = by;
    this.newLines = 0;
    this.publish();
  }

  /** Back to following: draws what arrived meanwhile and scrolls to the end. */
  resume() {
    const wasHistory = this.mode === 'history';
    if (this.mode === 'live') {
      this.terminal.scrollToBottom();
      return;
    }
    this.mode = 'live';
    this.pausedBy = undefined;
    this.newLines = 0;
    this.historyLines = [];
    this.historyInfo = undefined;
    const next = this.store.indexOfSeq(this.writtenSeq + 1);
    if (wasHistory || (this.writtenSeq + 1 < this.store.upcomingSeq && next < 0)) {
      // The screen shows something else, or lines it never drew were already evicted.
      this.rerender();
    } else if (next >= 0) {
      for (const line of this.store.from(next)) if (this.passes(line)) this.feed.push(line, false);
    }
    this.feed.barrier(() => this.terminal.scrollToBottom());
    this.publish();
  }

  clear() {
    this.store.clear();
    this.historyLines = [];
    this.historyInfo = undefined;
    this.newLines = 0;
    if (this.mode === 'history') this.mode = 'live';
    this.feed.restart();
    this.terminal.clearSelection();
    this.publish();
  }

  /**
   * Scrolls to the first line at or after `ms`: from the pane's own lines when it has them,
   * otherwise from the cache (the pane then shows that stretch of history until "back to live").
   */
  async jumpTo(ms: number) {
    const oldest = this.store.oldest();
    if (this.mode !== 'history' && oldest && ms >= oldest.tsMs) {
      const target = this.findStored(ms);
      if (!target) {
        this.flash(`No lines at or after ${new Date(ms).toLocaleTimeString()} yet.`);
        return;
      }
      this.pause('user');
      this.feed.barrier(() => this.scrollToSeq(target.seq));
      return;
    }
    await this.showHistory(new Date(ms).toISOString());
  }

  /** Shows cached lines from `from` (to `to`), paused; live lines keep arriving meanwhile. */
  async showHistory(from: string, to?: string) {
    try {
      const { entries, truncated } = await this.api.invoke('logs:query', {
        targetId: this.targetId,
        sources: this.sources.map((source) => source.key),
        from,
        ...(to ? { to } : {}),
        limit: HISTORY_LINES,
      });
      if (this.disposed) return;
      if (!entries.length) {
        this.flash(`The cache has no lines from ${new Date(from).toLocaleString()} on.`);
        return;
      }
      if (this.mode === 'live') this.newLines = 0;
      this.mode = 'history';
      this.pausedBy = undefined;
      this.historyLines = entries.map((entry, i) => ({ ...this.toLine(entry), seq: -entries.length + i }));
      this.historyInfo = { from, ...(to ? { to } : {}), count: entries.length, truncated };
      this.feed.restart(this.historyLines.filter((line) => this.passes(line)));
      this.feed.barrier(() => this.terminal.scrollToTop());
      this.publish();
    } catch (error) {
      this.flash(`Could not read the cache: ${toApiError(error).message}`);
    }
  }

  search(term: string, options: TerminalSearchOptions, backwards = false): boolean {
    if (!term) {
      this.clearSearch();
      return false;
    }
    const found = findInTerminal(this.searchAddon, term, options, backwards);
    if (!found) this.searchState = { index: -1, count: 0 };
    // Looking at a match is reading, not following.
    if (found && this.mode === 'live' && this.terminal.buffer.active.viewportY < this.terminal.buffer.active.baseY)
      this.pause('scroll');
    this.publish();
    return found;
  }

  clearSearch() {
    this.searchAddon.clearDecorations();
    this.searchState = undefined;
    this.publish();
  }

  selection(): string {
    return this.terminal.getSelection();
  }

  /** The lines the pane shows (after filters), as a text file's lines. */
  visibleText(): { text: string; lines: number } {
    const source = this.mode === 'history' ? this.historyLines : this.store.from();
    const parts: string[] = [];
    for (const line of source) if (this.passes(line)) parts.push(plainLine(line, this.sourceNames[line.source] ?? '?'));
    return { text: parts.join(''), lines: parts.length };
  }

  focus() {
    this.terminal.focus();
  }

  retry() {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.followError = undefined;
    this.cacheTried = false;
    for (const source of this.sources) this.statuses[source.key] = { state: 'starting' };
    this.publish();
    this.follow();
  }

  dispose() {
    this.disposed = true;
    this.unsubscribe?.();
    this.sendAck();
    clearTimeout(this.ackTimer);
    clearTimeout(this.mergeTimer);
    clearTimeout(this.resizeTimer);
    clearTimeout(this.downTimer);
    clearTimeout(this.scrollWatchTimer);
    clearTimeout(this.countsTimer);
    this.scrollWatch?.dispose();
    this.resizeObserver.disconnect();
    this.feed.dispose();
    for (const disposable of this.disposables) disposable.dispose();
    this.webgl?.dispose();
    this.terminal.dispose();
    this.listeners.clear();
  }

  // ── following ─────────────────────────────────────────────────────────────────────────────

  private follow() {
    if (!this.sources.length) return;
    this.api
      .subscribe(
        'logs:follow',
        {
          targetId: this.targetId,
          sources: this.sources.map((source) => source.key),
          tail: Math.min(FOLLOW_TAIL, this.config.scrollback),
        },
        (event) => this.onEvent(event),
      )
      .then(
        (stop) => {
          if (this.disposed) stop();
          else this.unsubscribe = stop;
        },
        (error: unknown) => {
          if (this.disposed) return;
          this.followError = toApiError(error).message;
          for (const source of this.sources) this.statuses[source.key] = { state: 'error', reason: this.followError };
          this.publish();
          void this.loadCached();
        },
      );
  }

  private onEvent(event: LogFollowEvent) {
    if (this.disposed) return;
    switch (event.type) {
      case 'started':
        if (this.followId !== undefined) {
          // A renewed follow (the link to main came back) starts with a tail we partly have.
          this.armCatchUp();
          this.statuses = Object.fromEntries(
            this.sources.map((source) => [source.key, { state: 'starting' as const }]),
          );
        }
        if (this.followId !== undefined) this.maskedBefore = { ...this.masked };
        this.followId = event.followId;
        if (this.sources.length > 1) this.holdUntil = performance.now() + STARTUP_HOLD_MS;
        this.receivedSinceStart = 0;
        this.ackedSinceStart = 0;
        this.ackDue = 0;
        this.followError = undefined;
        this.publish();
        return;
      case 'source':
        this.onSourceState(event);
        return;
      case 'lines':
        this.receive(event);
        return;
      case 'masked':
        this.masked = { ...this.masked, [event.source]: (this.maskedBefore[event.source] ?? 0) + event.total };
        this.publish();
        return;
    }
  }

  private onSourceState(event: Extract<LogFollowEvent, { type: 'source' }>) {
    this.statuses = {
      ...this.statuses,
      [event.source]: { state: event.state, ...(event.reason ? { reason: event.reason } : {}) },
    };
    // A source coming back (a restarted container) sends its first seconds late: hold the
    // others' lines a moment so those merge in place too.
    if (event.state === 'reconnecting' && this.sources.length > 1 && !this.allDown()) {
      this.holdUntil = Math.max(this.holdUntil, performance.now() + STARTUP_HOLD_MS);
    }
    const settling = Object.values(this.statuses).some(
      (status) => status.state === 'starting' || status.state === 'reconnecting',
    );
    if (this.holdUntil && !settling) {
      // Everyone reported in: their tails follow right behind.
      this.holdUntil = Math.min(this.holdUntil, performance.now() + TAIL_SETTLE_MS);
      clearTimeout(this.mergeTimer);
      this.mergeTimer = undefined;
      this.scheduleMerge();
    }
    if (this.allDown()) {
      if (this.downSince === undefined) {
        this.downSince = performance.now();
        clearTimeout(this.downTimer);
        this.downTimer = setTimeout(() => this.publish(), OFFLINE_AFTER_MS + 50);
      }
      // Nothing shown and nothing live: show what the cache has.
      if (!this.store.size) void this.loadCached();
    } else {
      this.downSince = undefined;
    }
    this.publish();
  }

  private receive(batch: LogBatch) {
    this.receivedSinceStart += batch.lines.length;
    let skipped = 0;
    const lines: StoredLine[] = [];
    // The batch's source table, as this pane's source indexes: looked up once per batch.
    const sources = batch.sources.map((source) => this.sourceFor(source.container));
    for (const [source, tsMs, , level, message] of batch.lines) {
      // Main tags every line it can (shared/log-level.ts, the same reading); a second pass here
      // would only cost time in a burst.
      const line: StoredLine = {
        seq: 0,
        tsMs: Number.isFinite(tsMs) ? tsMs : Date.now(),
        source: sources[source]!,
        level,
        message,
      };
      if (this.isRepeat(line)) {
        skipped++;
        continue;
      }
      lines.push(line);
    }
    if (skipped) this.credit(skipped);
    if (this.fromCache) {
      this.fromCache = false;
      this.publish();
    }
    if (this.sources.length <= 1) {
      this.admit(lines);
      return;
    }
    this.merge.push(lines, performance.now());
    this.scheduleMerge();
  }

  private scheduleMerge() {
    if (this.mergeTimer !== undefined) return;
    const next = this.merge.nextRelease();
    if (next === undefined) return;
    const due = Math.max(next, this.holdUntil);
    this.mergeTimer = setTimeout(
      () => {
        this.mergeTimer = undefined;
        const now = performance.now();
        if (now < this.holdUntil) {
          this.scheduleMerge();
          return;
        }
        this.holdUntil = 0;
        this.admit(this.merge.release(now));
        this.scheduleMerge();
      },
      Math.max(0, due - performance.now()),
    );
  }

  /** A cached entry (`logs:query`) as a pane line. */
  private toLine(entry: LogEntry): StoredLine {
    const parsed = isoToMs(entry.ts);
    const tsMs = Number.isNaN(parsed) ? Date.now() : parsed;
    return { seq: 0, tsMs, source: this.sourceFor(entry.container), level: entry.level, message: entry.message };
  }

  /** The pane's index for a container (or service) name. */
  private sourceFor(name: string): number {
    let source = this.sourceIndex.get(name);
    if (source === undefined) {
      // A source the pane did not name (a renamed container): give it its own colour.
      source = this.labels.length;
      this.sourceIndex.set(name, source);
      this.sourceNames[source] = name;
      this.labels = padLabels([
        ...this.sources.map((s) => s.label),
        ...[...this.sourceIndex.keys()].slice(this.sources.length),
      ]);
      this.format = { ...this.format, labels: this.labels };
    }
    return source;
  }

  /** Whether a line repeats one already shown (a renewed follow's tail, or cached lines). */
  private isRepeat(line: StoredLine): boolean {
    let boundary = this.boundaries.get(line.source);
    // The store keeps every line, so the gate may keep them too instead of building keys.
    if (!boundary) this.boundaries.set(line.source, (boundary = new BoundaryDedupe({ keepLines: true })));
    return !boundary.accept(line.tsMs, line);
  }

  /** The lines that come next may repeat each source's newest instant: skip those. */
  private armCatchUp() {
    for (const boundary of this.boundaries.values()) boundary.arm();
  }

  /** Stores released lines and draws those the pane shows. */
  private admit(lines: StoredLine[]) {
    if (!lines.length || this.disposed) return;
    let undrawn = 0;
    for (const raw of lines) {
      const line = this.store.push(raw);
      this.received++;
      if (!this.passes(line)) {
        undrawn++;
      } else if (this.mode === 'live') {
        this.feed.push(line, true);
      } else {
        undrawn++;
        this.newLines++;
      }
    }
    if (undrawn) this.feed.creditNow(undrawn);
    this.publishCounts();
  }

  private passes(line: StoredLine): boolean {
    return !this.filter.test || this.filter.test(line.message, line.level);
  }

  /** Redraws the screen from the store (filters, timestamps or wrap changed). */
  private rerender() {
    if (this.mode === 'history') {
      this.feed.restart(this.historyLines.filter((line) => this.passes(line)));
      return;
    }
    const first = this.store.oldest()?.seq ?? this.store.upcomingSeq;
    const last = this.store.upcomingSeq - 1;
    this.renderedFromSeq = first;
    this.writtenSeq = first - 1;
    this.newLines = 0;
    this.feed.restart(this.storedRun(first, last));
  }

  /** Stored lines from `first` to `last` that pass the filter, read lazily (the store moves on meanwhile). */
  private *storedRun(first: number, last: number): Generator<StoredLine> {
    for (let seq = first; seq <= last; seq++) {
      const index = this.store.indexOfSeq(seq);
      if (index < 0) {
        // Evicted while we drew: continue from the oldest still kept.
        const oldest = this.store.oldest();
        if (!oldest || oldest.seq > last) return;
        if (oldest.seq > seq) seq = oldest.seq - 1;
        continue;
      }
      const line = this.store.at(index)!;
      if (this.passes(line)) yield line;
    }
  }

  private async loadCached() {
    if (this.store.size || this.disposed || this.cacheTried) return;
    this.cacheTried = true;
    try {
      const { entries } = await this.api.invoke('logs:query', {
        targetId: this.targetId,
        sources: this.sources.map((source) => source.key),
        limit: Math.min(CACHED_LINES, this.config.scrollback),
      });
      if (this.disposed || this.store.size || !entries.length) return;
      const lines = entries.map((entry) => this.toLine(entry)).sort((a, b) => a.tsMs - b.tsMs);
      for (const line of lines) this.isRepeat(line);
      // Live lines that follow later skip what the cache already showed.
      this.armCatchUp();
      this.fromCache = true;
      const mode = this.mode;
      this.mode = 'live';
      this.admitCached(lines);
      this.mode = mode;
    } catch {
      // No cache either (main unreachable): the pane says the follow failed.
    }
    this.publish();
  }

  private admitCached(lines: StoredLine[]) {
    for (const raw of lines) {
      const line = this.store.push(raw);
      if (this.passes(line)) this.feed.push(line, false);
    }
  }

  // ── flow control ──────────────────────────────────────────────────────────────────────────

  private credit(lines: number) {
    this.ackDue += lines;
    if (this.ackTimer === undefined) this.ackTimer = setTimeout(() => this.sendAck(), 16);
  }

  private sendAck() {
    this.ackTimer = undefined;
    if (!this.followId || this.ackDue <= 0) return;
    // Credit for lines of an earlier follow is not this follow's to spend.
    const lines = Math.min(this.ackDue, this.receivedSinceStart - this.ackedSinceStart);
    this.ackDue = 0;
    if (lines <= 0) return;
    this.ackedSinceStart += lines;
    this.acked += lines;
    this.api.invoke('logs:ack', { followId: this.followId, lines }).catch(() => undefined);
  }

  // ── terminal ──────────────────────────────────────────────────────────────────────────────

  private loadWebgl() {
    this.webgl = loadWebglRenderer(this.terminal, () => {
      // The GPU went away: xterm falls back to its DOM renderer.
      this.webgl = undefined;
      this.renderer = 'dom';
      this.publish();
    });
    this.renderer = this.webgl ? 'webgl' : 'dom';
  }

  /**
   * Scrolling up pauses the pane (so the lines being read stay put); scrolling back to the end
   * resumes it. xterm reports a scroll for every new line too, so only scrolls right after the
   * user touched the pane count.
   */
  private onScroll() {
    if (performance.now() - this.touchedAt > TOUCH_SCROLL_MS) return;
    const buffer = this.terminal.buffer.active;
    const atBottom = buffer.viewportY >= buffer.baseY;
    if (this.mode === 'live' && !atBottom) this.pause('scroll');
    else if (this.mode === 'paused' && this.pausedBy === 'scroll' && atBottom) this.resume();
  }

  /** Listens to xterm's scrolls for a moment after a touch (a flood's every line is a scroll otherwise). */
  private watchScroll() {
    this.scrollWatch ??= this.terminal.onScroll(() => this.onScroll());
    clearTimeout(this.scrollWatchTimer);
    this.scrollWatchTimer = setTimeout(() => {
      this.scrollWatch?.dispose();
      this.scrollWatch = undefined;
    }, TOUCH_SCROLL_MS + 50);
  }

  private scheduleFit() {
    clearTimeout(this.resizeTimer);
    this.resizeTimer = setTimeout(() => this.fitNow(), 50);
  }

  private fitNow() {
    if (this.disposed) return;
    const before = this.terminal.cols;
    try {
      this.fit.fit();
    } catch {
      return; // not laid out yet
    }
    if (!this.config.wrap && this.terminal.cols !== before) {
      this.format = { ...this.format, cutAt: this.terminal.cols };
      this.rerender();
    }
  }

  private findStored(ms: number): StoredLine | undefined {
    for (const line of this.store.from()) if (line.tsMs >= ms && this.passes(line)) return line;
    return undefined;
  }

  /** Scrolls so the line with `seq` is at the top, and selects it so the eye finds it. */
  private scrollToSeq(seq: number) {
    // Lines drawn after it (oldest first); the terminal's rows hold them bottom up.
    let after = 0;
    for (let s = seq + 1; s <= this.writtenSeq; s++) {
      const index = this.store.indexOfSeq(s);
      if (index >= 0 && s >= this.renderedFromSeq && this.passes(this.store.at(index)!)) after++;
    }
    const buffer = this.terminal.buffer.active;
    // Every line ends with CRLF: the last one drawn ends on the row above the cursor.
    let row = buffer.baseY + buffer.cursorY - 1;
    let starts = 0;
    for (; row >= 0; row--) {
      const line = buffer.getLine(row);
      if (line && !line.isWrapped) {
        if (starts === after) break;
        starts++;
      }
    }
    if (row < 0) {
      this.flash('That line has scrolled out of the pane; its lines are in the cache.');
      return;
    }
    this.terminal.scrollToLine(row);
    let end = row;
    while (buffer.getLine(end + 1)?.isWrapped) end++;
    this.terminal.selectLines(row, end);
  }

  private flash(message: string) {
    this.notice = message;
    this.publish();
    setTimeout(() => {
      if (this.notice !== message) return;
      this.notice = undefined;
      this.publish();
    }, 5000);
  }

  private inspectable(host: HTMLElement) {
    const inspection: PaneInspection = {
      selection: () => this.terminal.getSelection(),
      text: () => terminalText(this.terminal),
      stats: () => {
        return {
          received: this.received,
          stored: this.store.size,
          written: this.written,
          drawn: this.feed.drawn,
          skipped: this.feed.skipped,
          cols: this.terminal.cols,
          rows: this.terminal.rows,
          viewportY: this.terminal.buffer.active.viewportY,
          baseY: this.terminal.buffer.active.baseY,
          pendingLines: this.feed.pendingLines,
          acked: this.acked,
          maxFrameMs: this.feed.maxFrameMs,
          cursorX: this.terminal.buffer.active.cursorX,
          cursorY: this.terminal.buffer.active.cursorY,
          modes: { ...this.terminal.modes },
          alternateScreen: this.terminal.buffer.active.type === 'alternate',
          title: this.title,
          renderer: this.renderer,
          renders: this.renders,
        };
      },
    };
    this.disposables.push(
      this.terminal.onTitleChange((title) => (this.title = title)),
      this.terminal.onRender(() => this.renders++),
    );
    Object.defineProperty(host, 'logPane', { value: inspection, configurable: true });
  }

  private title: string | undefined;
  /** Times xterm redrew rows: what a burst costs besides parsing. */
  private renders = 0;

  // ── snapshot ──────────────────────────────────────────────────────────────────────────────

  /** Publishes the counts lines change, at most every COUNTS_PUBLISH_MS. */
  private publishCounts() {
    if (this.countsTimer !== undefined) return;
    this.countsTimer = setTimeout(() => {
      this.countsTimer = undefined;
      this.publish();
    }, COUNTS_PUBLISH_MS);
  }

  private publish() {
    if (this.publishQueued || this.disposed) return;
    this.publishQueued = true;
    requestAnimationFrame(() => {
      this.publishQueued = false;
      if (this.disposed) return;
      this.snapshot = this.buildSnapshot();
      for (const listener of this.listeners) listener();
    });
  }

  private buildSnapshot(): PaneSnapshot {
    const live = Object.values(this.statuses).some((status) => status.state === 'live');
    const longDown = this.downSince !== undefined && performance.now() - this.downSince >= OFFLINE_AFTER_MS;
    const offline = this.linkDown || this.fromCache || (!live && (this.followError !== undefined || longDown));
    return {
      mode: this.mode,
      ...(this.pausedBy ? { pausedBy: this.pausedBy } : {}),
      newLines: this.newLines,
      received: this.received,
      stored: this.store.size,
      sources: this.statuses,
      masked: this.masked,
      ...(this.followError ? { followError: this.followError } : {}),
      ...(offline ? { offline: { newest: this.newestIso(), fromCache: this.fromCache } } : {}),
      ...(this.historyInfo ? { history: this.historyInfo } : {}),
      ...(this.searchState ? { search: this.searchState } : {}),
      hasSelection: this.terminal.hasSelection(),
      filterErrors: this.filter.errors,
      ...(this.notice ? { notice: this.notice } : {}),
      renderer: this.renderer,
    };
  }

  private newestIso(): string | undefined {
    const newest = this.store.newest();
    return newest ? new Date(newest.tsMs).toISOString() : undefined;
  }

  private allDown(): boolean {
    const states = Object.values(this.statuses);
    return states.length > 0 && states.every((status) => status.state === 'reconnecting' || status.state === 'error');
  }
}
