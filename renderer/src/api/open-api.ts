/**
 * How the renderer reaches main: `window.controlRoom` (Electron's preload) when present,
 * otherwise the browser-mode WebSocket host this page was served from. The `Platform` (links,
 * clipboard, files) is chosen here too, because it follows the same fact: the desktop window
 * refuses those web APIs and asks main, a browser tab uses its own.
 */
import { ApiError } from '../../../shared/errors';
import { createClient, type ControlRoomApi } from '../../../shared/transport';
import { createBrowserPlatform } from '../platform/browser-platform';
import { choosePlatform } from '../platform/choose-platform';
import type { Platform } from '../platform/platform';
import { followDesktopNotices } from '../platform/desktop-notices';
import { ALWAYS_OPEN, connectHost, type ConnectionMonitor } from './host-connection';
import { takeHostToken } from './host-token';

export type OpenedApi =
  | {
      kind: 'ready';
      api: ControlRoomApi;
      connection: ConnectionMonitor;
      platform: Platform;
      mode: 'electron' | 'browser';
    }
  /** Browser mode without a token: the page was opened some other way than the printed address. */
  | { kind: 'no-token' };

export function openApi(): OpenedApi {
  if (window.controlRoom) {
    const api = createClient(window.controlRoom);
    const platform = choosePlatform(window, api, createBrowserPlatform);
    // For the page's lifetime: the desktop alert channel's notices and where a click leads.
    followDesktopNotices(api, platform, openRoute);
    return { kind: 'ready', api, connection: ALWAYS_OPEN, platform, mode: 'electron' };
  }
  const token = takeHostToken();
  if (!token) return { kind: 'no-token' };
  const connection = connectHost(token);
  const api = createClient(connection);
  const platform = choosePlatform(window, api, createBrowserPlatform);
  followDesktopNotices(api, platform, openRoute);
  return { kind: 'ready', api, connection, platform, mode: 'browser' };
}

/** Where a clicked notification leads: a route of this page, like `#/integrations/probe/<id>`. */
function openRoute(route: string): void {
  window.location.hash = route;
}

/** Any rejection as an `ApiError`, so views can branch on `code` and show `message`. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError('internal', 'Something went wrong in this window — reload it and try again.');
}
