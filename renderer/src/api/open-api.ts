/**
 * How the renderer reaches main: `window.controlRoom` (Electron's preload) when present,
 * otherwise the browser-mode WebSocket host this page was served from.
 */
import { ApiError } from '../../../shared/errors';
import { createClient, type ControlRoomApi } from '../../../shared/transport';
import { ALWAYS_OPEN, connectHost, type ConnectionMonitor } from './host-connection';
import { takeHostToken } from './host-token';

export type OpenedApi =
  | { kind: 'ready'; api: ControlRoomApi; connection: ConnectionMonitor; mode: 'electron' | 'browser' }
  /** Browser mode without a token: the page was opened some other way than the printed address. */
  | { kind: 'no-token' };

export function openApi(): OpenedApi {
  if (window.controlRoom) {
    return { kind: 'ready', api: createClient(window.controlRoom), connection: ALWAYS_OPEN, mode: 'electron' };
  }
  const token = takeHostToken();
  if (!token) return { kind: 'no-token' };
  const connection = connectHost(token);
  return { kind: 'ready', api: createClient(connection), connection, mode: 'browser' };
}

/** Any rejection as an `ApiError`, so views can branch on `code` and show `message`. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError('internal', 'Something went wrong in this window — reload it and try again.');
}
