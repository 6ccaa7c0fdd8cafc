/**
 * The read-only xterm terminal that the log pane (pane-session.ts) and the run viewer
 * (areas/runbooks/run-terminal-session.ts) both draw into: its options, addons and shims, the
 * renderer choice, the search decorations and the reading keys. Each session keeps what is its
 * own (what it feeds, what it publishes, what a link or Ctrl/Cmd+End does).
 */
import { Terminal, type IDisposable, type ITerminalOptions, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon, type ISearchOptions } from '@xterm/addon-search';
import { WebglAddon } from '@xterm/addon-webgl';
import { sliceParsing } from './parse-slicer';
import { skipEmptySelectionRedraws } from './selection-redraw';
import controlPicturesUrl from './fonts/control-pictures.woff2?url';

/** The terminal's colours. */
export const THEME: ITheme = {
  background: '#0b0f14',
  foreground: '#d5dce5',
  cursor: '#0b0f14',
  cursorAccent: '#0b0f14',
  selectionBackground: '#2c4a75',
  selectionInactiveBackground: '#24364f',
  scrollbarSliderBackground: 'rgba(139, 151, 166, 0.22)',
  scrollbarSliderHoverBackground: 'rgba(139, 151, 166, 0.36)',
  scrollbarSliderActiveBackground: 'rgba(139, 151, 166, 0.5)',
  black: '#1a212a',
  red: '#f25550',
  green: '#3fb68b',
  yellow: '#e7a740',
  blue: '#6ea8fe',
  magenta: '#c792ea',
  cyan: '#4db6c8',
  white: '#d5dce5',
  brightBlack: '#5e6a79',
  brightRed: '#ff7b72',
  brightGreen: '#56d4a4',
  brightYellow: '#f3cf8f',
  brightBlue: '#9cc2ff',
  brightMagenta: '#ddb6f2',
  brightCyan: '#7fd6e3',
  brightWhite: '#f2f5f9',
};

/**
 * The last family only has the Control Pictures (␛ ␀ ␇ …) that terminal-safety shows in place
 * of control characters; common monospace fonts (DejaVu, Consolas) lack them.
 */
export const TERMINAL_FONT_FAMILY =
  "ui-monospace, 'SF Mono', SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace, 'Control Room Symbols'";

/** A terminal nobody types into, opened in `host`, with the addons both sessions use. */
export interface ReadOnlyTerminal {
  terminal: Terminal;
  fit: FitAddon;
  searchAddon: SearchAddon;
  /** The parse slicer: dispose it with the terminal. */
  disposables: IDisposable[];
}

/**
 * Opens a read-only terminal in `host`: no stdin, no cursor, the theme and fonts, the fit and
 * search addons, the selection-redraw shim and the parse slicer. `extra` adds a session's own
 * options (scrollback, a link handler); `isDisposed` stops the late font refresh after disposal.
 */
export function openReadOnlyTerminal(
  host: HTMLElement,
  extra: ITerminalOptions & { scrollback: number },
  isDisposed: () => boolean,
): ReadOnlyTerminal {
  const terminal = new Terminal({
    allowProposedApi: true, // the search addon's match decorations
    disableStdin: true,
    cursorBlink: false,
    cursorInactiveStyle: 'none',
    fontFamily: TERMINAL_FONT_FAMILY,
    fontSize: 12,
    lineHeight: 1.2,
    theme: THEME,
    minimumContrastRatio: 1,
    scrollOnUserInput: false,
    smoothScrollDuration: 0,
    logLevel: 'off',
    ...extra,
  });
  const fit = new FitAddon();
  const searchAddon = new SearchAddon({ highlightLimit: 2000 });
  terminal.loadAddon(fit);
  terminal.loadAddon(searchAddon);
  terminal.open(host);
  skipEmptySelectionRedraws(terminal);
  terminal.write('\x1b[?25l'); // no cursor: nobody types here
  void loadControlPictures().then(() => {
    if (isDisposed()) return;
    // Glyphs drawn before the font arrived were drawn as boxes.
    terminal.clearTextureAtlas();
    terminal.refresh(0, terminal.rows - 1);
  });
  return { terminal, fit, searchAddon, disposables: [sliceParsing(terminal)] };
}

/**
 * Loads the WebGL renderer where it helps, or leaves xterm's DOM renderer: WebGL draws fastest on
 * a GPU; on a software rasterizer (SwiftShader, llvmpipe: no GPU, or a blocklisted driver) every
 * frame's commit waits on the CPU for hundreds of milliseconds with a busy terminal, and the DOM
 * renderer is faster. `localStorage['control-room.logs.renderer']` ('webgl' or 'dom') overrides
 * the choice, for a driver that misdraws or to compare the two. `onContextLoss` runs when the GPU
 * goes away (xterm falls back to its DOM renderer; the addon is already disposed).
 */
export function loadWebglRenderer(terminal: Terminal, onContextLoss: () => void): WebglAddon | undefined {
  const choice = readRendererChoice();
  if (choice === 'dom' || (choice !== 'webgl' && softwareWebgl())) return undefined;
  try {
    const webgl = new WebglAddon();
    webgl.onContextLoss(() => {
      webgl.dispose();
      onContextLoss();
    });
    terminal.loadAddon(webgl);
    return webgl;
  } catch {
    return undefined; // xterm's DOM renderer draws instead
  }
}

export interface TerminalSearchOptions {
  regex: boolean;
  caseSensitive: boolean;
}

const MATCH_DECORATIONS: ISearchOptions['decorations'] = {
  matchBackground: '#3a3320',
  matchBorder: '#6b5a2a',
  matchOverviewRuler: '#e7a740',
  activeMatchBackground: '#8a6a1f',
  activeMatchBorder: '#e7a740',
  activeMatchColorOverviewRuler: '#f3cf8f',
};

/** Finds the next (or previous) match of a non-empty `term`; false when none, or while a regular expression is unfinished. */
export function findInTerminal(
  searchAddon: SearchAddon,
  term: string,
  options: TerminalSearchOptions,
  backwards: boolean,
): boolean {
  const searchOptions: ISearchOptions = {
    regex: options.regex,
    caseSensitive: options.caseSensitive,
    decorations: MATCH_DECORATIONS,
  };
  try {
    return backwards ? searchAddon.findPrevious(term, searchOptions) : searchAddon.findNext(term, searchOptions);
  } catch {
    return false; // an unfinished regular expression while typing
  }
}

/**
 * The terminal's own keys: Ctrl/Cmd+C copies a selection, the reading keys scroll. `end` is what
 * End does (`withModifier`: Ctrl/Cmd+End). Everything else belongs to the page (Ctrl+F opens
 * the search there, Esc goes back): nobody types into the terminal.
 */
export function readOnlyKeyHandler(
  terminal: Terminal,
  copyText: (text: string) => Promise<void>,
  end: (withModifier: boolean) => void = () => terminal.scrollToBottom(),
): (event: KeyboardEvent) => boolean {
  return (event) => {
    const mod = event.ctrlKey || event.metaKey;
    if (event.type !== 'keydown' || event.altKey) return false;
    if (mod && event.key.toLowerCase() === 'c' && terminal.hasSelection()) {
      copyText(terminal.getSelection()).catch(() => undefined);
      return false;
    }
    const scroll: Record<string, () => void> = {
      PageUp: () => terminal.scrollPages(-1),
      PageDown: () => terminal.scrollPages(1),
      ArrowUp: () => terminal.scrollLines(-1),
      ArrowDown: () => terminal.scrollLines(1),
      Home: () => terminal.scrollToTop(),
      End: () => end(mod),
    };
    const action = scroll[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
    return false;
  };
}

/** The terminal's rows as text, without the empty rows at the end (for the E2E tests). */
export function terminalText(terminal: Terminal): string[] {
  const buffer = terminal.buffer.active;
  const rows: string[] = [];
  for (let i = 0; i < buffer.length; i++) rows.push(buffer.getLine(i)?.translateToString(true) ?? '');
  while (rows.length && rows[rows.length - 1] === '') rows.pop();
  return rows;
}

export function readRendererChoice(): string | null {
  try {
    return window.localStorage.getItem('control-room.logs.renderer');
  } catch {
    return null;
  }
}

let software: boolean | undefined;

/** Whether WebGL here is a software rasterizer (or missing); asked once per page. */
export function softwareWebgl(): boolean {
  if (software !== undefined) return software;
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return (software = true);
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    software = /swiftshader|llvmpipe|softpipe|software/i.test(renderer);
  } catch {
    software = true;
  }
  return software;
}

let controlPictures: Promise<void> | undefined;

/** The Control Pictures font (fonts/OFL.txt), loaded once per page; a failure leaves boxes, nothing worse. */
export function loadControlPictures(): Promise<void> {
  controlPictures ??= (async () => {
    const face = new FontFace('Control Room Symbols', `url(${controlPicturesUrl})`, { unicodeRange: 'U+2400-2426' });
    document.fonts.add(face);
    await face.load();
  })().catch(() => undefined);
  return controlPictures;
}
