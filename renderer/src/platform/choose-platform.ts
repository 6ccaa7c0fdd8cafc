/**
 * Which `Platform` a window gets, decided by the same fact as its transport: a preload bridge
 * (`window.controlRoom`) means the desktop app, whose window refuses the web APIs for links,
 * the clipboard and files, so the channel-backed platform asks main; otherwise the page's own.
 *
 * DOM-free (the browser platform is handed in) so the rule is tested under Node.
 */
import type { ControlRoomApi, RawTransport } from '../../../shared/transport';
import { createChannelPlatform } from './channel-platform';
import type { Platform } from './platform';

export function choosePlatform(
  scope: { controlRoom?: RawTransport },
  api: ControlRoomApi,
  browserPlatform: () => Platform,
): Platform {
  return scope.controlRoom ? createChannelPlatform(api) : browserPlatform();
}
