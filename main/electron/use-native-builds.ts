/**
 * Imported first by the desktop entry, for its effect: from a source checkout, better-sqlite3 and
 * keytar resolve to the copies `npm start` built for this Electron (native-modules.ts). The
 * bundle keeps import order, so this runs before the services' modules require either.
 */
import { app } from 'electron';
import { electronNativeDir, preferNativeModules } from './native-modules';

if (app && !app.isPackaged && process.versions.electron) {
  const dir = electronNativeDir(app.getAppPath(), process.versions.electron);
  if (dir) preferNativeModules(dir);
}
