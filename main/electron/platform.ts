/**
 * The `platform:*` channels in the desktop app: the system browser, clipboard and file dialogs.
 *
 * The window itself may do none of this (guards.ts refuses `window.open` and every permission),
 * so the page asks main over the contract, and main does it with Electron's own APIs. Thin on
 * purpose: the link check is `externalUrl` (shared/model/platform.ts, tested in Node) and the
 * chunked file work is `FileTransfers` (plain Node); only the Electron calls live here.
 */
import { app, BrowserWindow, clipboard, dialog, Notification, shell, type FileFilter as ElectronFileFilter } from 'electron';
import { join } from 'node:path';
import { ApiError } from '../../shared/errors';
import { EXTERNAL_URL_ERROR, externalUrl, type FileFilter } from '../../shared/model/platform';
import { probeRoute } from '../../shared/model/channels';
import type { PlatformService } from '../api';
import { FileTransfers } from './file-transfers';

export interface DesktopPlatform extends PlatformService {
  /** At quit: aborts unfinished saves, closes open files. */
  close(): Promise<void>;
  /** Where a clicked notification sends the window (the `platform:navigate` stream). */
  onNavigate(listener: (event: { route: string }) => void): () => void;
}

export function createDesktopPlatform(options: { log?: (message: string) => void } = {}): DesktopPlatform {
  const transfers = new FileTransfers({ log: options.log });
  const navigateListeners = new Set<(event: { route: string }) => void>();
  // Shown notifications are kept until closed or clicked: one only referenced by the OS is
  // garbage-collected in Electron, and its click handler with it.
  const shown = new Set<Notification>();

  /** Dialogs are modal to the window the user is looking at, when there is one. */
  function parent(): BrowserWindow | undefined {
    return BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0] ?? undefined;
  }

  return {
    async 'platform:openExternal'({ url }) {
      // The contract already refused anything else; checked again because this is the line
      // after which the OS launches whatever handles the scheme.
      const checked = externalUrl(url);
      if (!checked) throw new ApiError('invalid-request', EXTERNAL_URL_ERROR);
      try {
        await shell.openExternal(checked);
      } catch (error) {
        throw new ApiError('internal', `The system could not open the link: ${messageOf(error)}`);
      }
      return { ok: true as const };
    },

    'platform:copyText'({ text }) {
      clipboard.writeText(text);
      return { ok: true as const };
    },

    async 'platform:saveBegin'({ suggestedName, filters }) {
      transfers.ensureRoom();
      const window = parent();
      const dialogOptions = {
        defaultPath: join(app.getPath('downloads'), suggestedName),
        filters: electronFilters(filters),
        properties: ['createDirectory', 'showOverwriteConfirmation'] as (
          'createDirectory' | 'showOverwriteConfirmation'
        )[],
      };
      const { canceled, filePath } = window
        ? await dialog.showSaveDialog(window, dialogOptions)
        : await dialog.showSaveDialog(dialogOptions);
      if (canceled || !filePath) return { canceled: true as const };
      return { saveId: await transfers.beginSave(filePath) };
    },

    async 'platform:saveWrite'({ saveId, data, encoding }) {
      return { bytes: await transfers.write(saveId, Buffer.from(data, encoding ?? 'utf8')) };
    },

    'platform:saveEnd'({ saveId, abort }) {
      return transfers.endSave(saveId, abort ?? false);
    },

    async 'platform:openFile'({ filters }) {
      transfers.ensureRoom();
      const window = parent();
      const dialogOptions = {
        filters: electronFilters(filters),
        properties: ['openFile'] as 'openFile'[],
      };
      const { canceled, filePaths } = window
        ? await dialog.showOpenDialog(window, dialogOptions)
        : await dialog.showOpenDialog(dialogOptions);
      const path = filePaths[0];
      if (canceled || !path) return { canceled: true as const };
      return transfers.openRead(path);
    },

    async 'platform:readFile'({ fileId, offset, length }) {
      const { data, eof } = await transfers.read(fileId, offset, length);
      return { data: data.toString('base64'), bytes: data.length, eof };
    },

    async 'platform:closeFile'({ fileId }) {
      await transfers.closeRead(fileId);
      return { ok: true as const };
    },

    'platform:notify'({ title, body, probeId }) {
      if (!Notification.isSupported()) {
        throw new ApiError('internal', 'This system shows no desktop notifications — use another alert channel.');
      }
      const notification = new Notification({ title, body });
      shown.add(notification);
      notification.on('click', () => {
        shown.delete(notification);
        const window = parent();
        if (window) {
          if (window.isMinimized()) window.restore();
          window.show();
          window.focus();
        }
        if (probeId) for (const listener of navigateListeners) listener({ route: probeRoute(probeId) });
      });
      notification.on('close', () => shown.delete(notification));
      notification.show();
      return { ok: true as const };
    },

    onNavigate(listener) {
      navigateListeners.add(listener);
      return () => navigateListeners.delete(listener);
    },

    close: () => transfers.closeAll(),
  };
}

function electronFilters(filters: FileFilter[] | undefined): ElectronFileFilter[] | undefined {
  return filters?.map(({ name, extensions }) => ({ name, extensions: [...extensions] }));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
