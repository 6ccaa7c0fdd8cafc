/**
 * A target's panes: its saved layout (or one empty pane), what can be followed on it, and the
 * splitters between panes.
 *
 * Panes are rendered flat, keyed by id, and placed by the rectangles the layout tree gives
 * them, so splitting or closing a pane never remounts the others (their terminals, buffers and
 * follows carry on). The layout is saved per target, a moment after each change.
 */
import {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type Dispatch,
  type PointerEvent as ReactPointerEvent,
  type SetStateAction,
} from 'react';
import type { LogSourceOption } from '../../../../shared/model/logs';
import type { Target } from '../../../../shared/model/target';
import { useApi, useConnectionStatus } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { WarningIcon } from '../../components/icons';
import {
  closePane,
  countPanes,
  MAX_PANES,
  readLayout,
  resizeSplit,
  settingKey,
  singlePane,
  splitPane,
  toSaved,
  updatePane,
  type Direction,
  type LayoutNode,
  type PaneNode,
} from './layout';
import { LogPane } from './log-pane';
import type { PaneConfig } from './pane-config';

type SourcesState =
  { state: 'loading' } | { state: 'ready'; options: LogSourceOption[] } | { state: 'failed'; message: string };

export function LogsWorkspace({ target }: { target: Target }) {
  const api = useApi();
  const { state: link, epoch } = useConnectionStatus();
  const [layout, setLayout] = useState<LayoutNode>();
  const [sources, setSources] = useState<SourcesState>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  // The saved layout, once per target.
  useEffect(() => {
    let current = true;
    api.invoke('settings:get', { key: settingKey(target.id) }).then(
      ({ value }) => current && setLayout(readLayout(value) ?? singlePane()),
      () => current && setLayout((existing) => existing ?? singlePane()),
    );
    return () => {
      current = false;
    };
  }, [api, target.id]);

  // What can be followed: again after a reconnection or a retry.
  useEffect(() => {
    if (link !== 'open') return;
    let current = true;
    api.invoke('logs:sources', { targetId: target.id }).then(
      (options) => current && setSources({ state: 'ready', options }),
      (error: unknown) => current && setSources({ state: 'failed', message: toApiError(error).message }),
    );
    return () => {
      current = false;
    };
  }, [api, target.id, link, epoch, attempt]);

  // Save a moment after the last change (typing in a filter changes it often).
  const saved = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!layout) return;
    const value = toSaved(layout);
    const text = JSON.stringify(value);
    if (saved.current === undefined) {
      saved.current = text; // what was just read back
      return;
    }
    if (text === saved.current) return;
    const timer = setTimeout(() => {
      saved.current = text;
      api.invoke('settings:set', { key: settingKey(target.id), value }).catch(() => undefined);
    }, 400);
    return () => clearTimeout(timer);
  }, [api, layout, target.id]);

  const onConfig = useCallback(
    (paneId: string, update: (config: PaneConfig) => PaneConfig) =>
      setLayout((root) => (root ? updatePane(root, paneId, update) : root)),
    [],
  );

  if (!layout) return <p className="loading logs-loading">Loading the panes…</p>;

  return (
    <div className="logs-workspace">
      {sources.state === 'failed' ? (
        <div className="logs-banner" role="alert">
          <WarningIcon size={15} />
          <span>
            Can’t list what {target.name} can follow: {sources.message}
          </span>
          <button type="button" className="button button-small" onClick={() => setAttempt((n) => n + 1)}>
            Retry
          </button>
        </div>
      ) : null}
      <PaneGrid
        target={target}
        layout={layout}
        options={sources.state === 'ready' ? sources.options : undefined}
        linkDown={link !== 'open'}
        setLayout={setLayout}
        onConfig={onConfig}
      />
    </div>
  );
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Splitter {
  split: string;
  direction: Direction;
  /** Between child `index` and `index + 1`. */
  index: number;
  sizes: number[];
  /** The whole split's rectangle, and where along it this boundary sits (0–1). */
  area: Rect;
  at: number;
}

function place(node: LayoutNode, area: Rect, panes: { pane: PaneNode; rect: Rect }[], splitters: Splitter[]) {
  if (node.kind === 'pane') {
    panes.push({ pane: node, rect: area });
    return;
  }
  let offset = 0;
  node.children.forEach((child, index) => {
    const size = node.sizes[index] ?? 1 / node.children.length;
    const rect =
      node.direction === 'row'
        ? { x: area.x + offset * area.w, y: area.y, w: size * area.w, h: area.h }
        : { x: area.x, y: area.y + offset * area.h, w: area.w, h: size * area.h };
    place(child, rect, panes, splitters);
    offset += size;
    if (index < node.children.length - 1) {
      splitters.push({ split: node.id, direction: node.direction, index, sizes: node.sizes, area, at: offset });
    }
  });
}

const MIN_SHARE = 0.08;

function PaneGrid({
  target,
  layout,
  options,
  linkDown,
  setLayout,
  onConfig,
}: {
  target: Target;
  layout: LayoutNode;
  options: LogSourceOption[] | undefined;
  linkDown: boolean;
  setLayout: Dispatch<SetStateAction<LayoutNode | undefined>>;
  onConfig(paneId: string, update: (config: PaneConfig) => PaneConfig): void;
}) {
  const gridRef = useRef<HTMLDivElement>(null);
  const { panes, splitters } = useMemo(() => {
    const placed: { pane: PaneNode; rect: Rect }[] = [];
    const bars: Splitter[] = [];
    place(layout, { x: 0, y: 0, w: 1, h: 1 }, placed, bars);
    return { panes: placed, splitters: bars };
  }, [layout]);
  const count = countPanes(layout);
  // Stable order (by id) so React never re-creates a pane when the layout moves it.
  const ordered = useMemo(() => [...panes].sort((a, b) => (a.pane.id < b.pane.id ? -1 : 1)), [panes]);
  const numbers = new Map(panes.map(({ pane }, index) => [pane.id, index + 1]));

  const drag = (splitter: Splitter, event: ReactPointerEvent<HTMLDivElement>) => {
    const grid = gridRef.current;
    if (!grid) return;
    event.preventDefault();
    const handle = event.currentTarget;
    handle.setPointerCapture(event.pointerId);
    const box = grid.getBoundingClientRect();
    const horizontal = splitter.direction === 'row';
    const span = horizontal ? splitter.area.w * box.width : splitter.area.h * box.height;
    const start = horizontal ? event.clientX : event.clientY;
    const before = splitter.sizes[splitter.index]!;
    const after = splitter.sizes[splitter.index + 1]!;
    const move = (moveEvent: PointerEvent) => {
      const delta = ((horizontal ? moveEvent.clientX : moveEvent.clientY) - start) / span;
      const shift = Math.max(MIN_SHARE - before, Math.min(after - MIN_SHARE, delta));
      const sizes = [...splitter.sizes];
      sizes[splitter.index] = before + shift;
      sizes[splitter.index + 1] = after - shift;
      setLayout((root) => (root ? resizeSplit(root, splitter.split, sizes) : root));
    };
    const up = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
      handle.removeEventListener('pointercancel', up);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
    handle.addEventListener('pointercancel', up);
  };

  const nudge = (splitter: Splitter, step: number) => {
    const sizes = [...splitter.sizes];
    const shift = Math.max(MIN_SHARE - sizes[splitter.index]!, Math.min(sizes[splitter.index + 1]! - MIN_SHARE, step));
    sizes[splitter.index] = sizes[splitter.index]! + shift;
    sizes[splitter.index + 1] = sizes[splitter.index + 1]! - shift;
    setLayout((root) => (root ? resizeSplit(root, splitter.split, sizes) : root));
  };

  return (
    <div className="pane-grid" ref={gridRef}>
      {ordered.map(({ pane, rect }) => (
        <div key={pane.id} className="pane-slot" style={slotStyle(rect)}>
          <LogPane
            target={target}
            pane={pane}
            number={numbers.get(pane.id) ?? 0}
            options={options}
            canSplit={count < MAX_PANES}
            canClose={count > 1}
            linkDown={linkDown}
            onConfig={(update) => onConfig(pane.id, update)}
            onSplit={(direction) => setLayout((root) => (root ? splitPane(root, pane.id, direction).root : root))}
            onClose={() => setLayout((root) => (root ? closePane(root, pane.id) : root))}
          />
        </div>
      ))}
      {splitters.map((splitter) => (
        <div
          key={`${splitter.split}-${splitter.index}`}
          className={`splitter splitter-${splitter.direction}`}
          style={splitterStyle(splitter)}
          role="separator"
          aria-orientation={splitter.direction === 'row' ? 'vertical' : 'horizontal'}
          aria-label="Resize panes"
          aria-valuenow={Math.round(splitter.at * 100)}
          tabIndex={0}
          onPointerDown={(event) => drag(splitter, event)}
          onKeyDown={(event) => {
            const back = splitter.direction === 'row' ? 'ArrowLeft' : 'ArrowUp';
            const forward = splitter.direction === 'row' ? 'ArrowRight' : 'ArrowDown';
            if (event.key !== back && event.key !== forward) return;
            event.preventDefault();
            nudge(splitter, event.key === forward ? 0.02 : -0.02);
          }}
        />
      ))}
    </div>
  );
}

const percent = (value: number) => `${(value * 100).toFixed(4)}%`;

function slotStyle(rect: Rect) {
  return { left: percent(rect.x), top: percent(rect.y), width: percent(rect.w), height: percent(rect.h) };
}

function splitterStyle(splitter: Splitter) {
  const { area, at } = splitter;
  return splitter.direction === 'row'
    ? { left: percent(area.x + at * area.w), top: percent(area.y), height: percent(area.h) }
    : { top: percent(area.y + at * area.h), left: percent(area.x), width: percent(area.w) };
}
