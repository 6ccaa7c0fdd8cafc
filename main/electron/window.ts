/**
 * The main window: a sandboxed renderer that reaches main only through the preload bridge.
 *
 * - contextIsolation: the page and preload live in separate JavaScript worlds; the page sees
 *   only what `contextBridge` exposes (`window.controlRoom`).
 * - sandbox, no nodeIntegration: the renderer process gets no Node, so a script injected into
 *   the page gets nothing more than a web page would.
 * - webSecurity: same-origin policy on (it is the default; stated so nobody turns it off).
 * Navigation, window.open, webviews and permissions are refused app-wide in `guards.ts`.
 */
import { BrowserWindow } from 'electron';
import { APP_ENTRY_URL } from '../transport/app-protocol';

export interface MainWindowOptions {
  /** Absolute path of the bundled preload (dist/preload/preload.cjs). */
  preloadPath: string;
}

export function createMainWindow({ preloadPath }: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    title: 'Control Room',
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 560,
    // Shown once painted, so the user never sees a white flash before the UI.
    show: false,
    backgroundColor: '#111418',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  window.loadURL(APP_ENTRY_URL).catch((error: unknown) => {
    console.error(
      `control-room: the window could not load ${APP_ENTRY_URL}: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  return window;
}
