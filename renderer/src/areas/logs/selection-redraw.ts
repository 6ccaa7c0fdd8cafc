/**
 * Stops xterm from redrawing a whole pane for a selection that does not exist.
 *
 * xterm 6 asks its renderer to redraw the selection after every scroll of the buffer, and the
 * DOM renderer answers with a full redraw of every row (xtermjs/xterm.js#4633, open). While
 * lines stream in, that is one full redraw per animation frame, and it goes around synchronized
 * output (DEC 2026), so terminal-feed.ts's bursts could not hold it: in a 100,000-line burst most
 * of the pane's time went to these redraws and the layouts after them.
 *
 * When there was no selection and there still is none, nothing about the selection changed: the
 * call is skipped. The rows themselves are still redrawn by xterm's normal refresh, which does
 * honour synchronized output. Any other call (a selection made, moved or cleared) goes through.
 *
 * This reaches into xterm's internals (`_core._renderService`); if a future xterm moves them, the
 * shim does nothing and xterm behaves as shipped.
 */
import type { Terminal } from '@xterm/xterm';

type Point = [number, number] | undefined;

interface RenderServiceLike {
  handleSelectionChanged(start: Point, end: Point, columnSelectMode: boolean): void;
}

/** Call after `terminal.open()`. Returns false when xterm's internals were not where expected. */
export function skipEmptySelectionRedraws(terminal: Terminal): boolean {
  const core = (terminal as unknown as { _core?: { _renderService?: Partial<RenderServiceLike> } })._core;
  const service = core?._renderService;
  if (!service || typeof service.handleSelectionChanged !== 'function') return false;
  const original = service.handleSelectionChanged.bind(service);
  let shown = false;
  service.handleSelectionChanged = (start, end, columnSelectMode) => {
    const selected = start !== undefined && end !== undefined;
    if (!selected && !shown) return;
    shown = selected;
    original(start, end, columnSelectMode);
  };
  return true;
}
