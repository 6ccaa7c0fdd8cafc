/**
 * The desktop entry (bundled to dist/main/electron.cjs, package.json "main").
 *
 * Thin on purpose: Electron cannot run in CI, so everything with logic lives in modules that
 * tests run under plain Node — the services, `main/api.ts`, the IPC handlers and the app
 * protocol (`main/transport/`). This file only wires them to Electron's lifecycle, in order:
 * scheme and guards before `ready`, then services → API → IPC → protocol → window.
 */
// First: the native modules built for Electron must be what the services below require.
import './use-native-builds';
import { app, dialog, ipcMain, BrowserWindow } from 'electron';
import { join } from 'node:path';
import { createApi } from '../api';
import { createServices, type Services } from '../services';
import { KeytarBackend } from '../services/credentials/keytar-backend';
import { openDataDir } from '../services/data-dir';
import { isTrustedFrame } from '../transport/app-protocol';
import { registerIpcHandlers } from '../transport/ipc-handlers';
import { APP_VERSION } from '../version';
import { denyAllPermissions, installWebContentsGuards } from './guards';
import { createDesktopPlatform, type DesktopPlatform } from './platform';
import { registerAppScheme, serveAppScheme } from './protocol';
import { createMainWindow } from './window';

// The bundle lives in dist/main/; the renderer and preload builds sit beside it.
const DIST_DIR = join(__dirname, '..');
const RENDERER_DIR = join(DIST_DIR, 'renderer');
const PRELOAD_PATH = join(DIST_DIR, 'preload', 'preload.cjs');

let services: Services | undefined;
let platform: DesktopPlatform | undefined;
let mainWindow: BrowserWindow | undefined;

function openWindow(): void {
  mainWindow = createMainWindow({ preloadPath: PRELOAD_PATH });
  mainWindow.on('closed', () => (mainWindow = undefined));
}

async function start(): Promise<void> {
  // The data directory browser mode and opsctl use too (a store left in Electron's userData by
  // earlier builds is moved there once); CONTROL_ROOM_DATA_DIR still points elsewhere.
  const dataDir = openDataDir();
  services = createServices({ dataDir, credentials: new KeytarBackend() });
  platform = createDesktopPlatform();
  const api = createApi(services, { version: APP_VERSION, mode: 'electron' }, console.error, {
    platform,
    onNavigate: (listener) => platform!.onNavigate(listener),
  });
  denyAllPermissions();
  registerIpcHandlers(ipcMain, api, { isTrustedSender: isTrustedFrame });
  serveAppScheme(RENDERER_DIR);
  openWindow();
}

// Under plain Node, require('electron') is the path of the binary, not the API.
if (!app) {
  console.error('dist/main/electron.cjs runs inside Electron: start Control Room with `npm start`.');
  process.exitCode = 1;
} else if (!app.requestSingleInstanceLock()) {
  // A second launch focuses the running window (below): two processes on one SQLite file and
  // one set of IPC handlers would only confuse each other.
  app.quit();
} else {
  // Every renderer sandboxed, whatever a future window's preferences say.
  app.enableSandbox();
  registerAppScheme();
  installWebContentsGuards();

  app.on('second-instance', () => {
    if (!services) return; // still starting: the window is on its way
    if (!mainWindow) return openWindow();
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  // macOS keeps apps alive with no window and reopens one from the dock.
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (services && BrowserWindow.getAllWindows().length === 0) openWindow();
  });
  app.on('will-quit', () => {
    // Unfinished saves leave no half file behind (their .part files are removed).
    void platform?.close();
    platform = undefined;
    services?.close();
    services = undefined;
  });

  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      // Start-up failures (a newer database, a broken native module) are sentences meant for
      // the user: show one and quit rather than leave a window that cannot work.
      const message = error instanceof Error ? error.message : String(error);
      console.error(`Control Room could not start: ${message}`);
      dialog.showErrorBox('Control Room could not start', message);
      services?.close(); // app.exit skips will-quit
      services = undefined;
      app.exit(1);
    });
}
