/**
 * The window's side of the desktop alert channel: every notice on `channels:desktop` is shown
 * through the Platform (main's Notification in the desktop app, the Web Notifications API in a
 * browser tab), and where the desktop app sends the window (`platform:navigate`, a clicked
 * notification) is followed, by `navigate` (the window's location in the app). DOM-free, so it
 * runs under Node.
 */
import type { ControlRoomApi } from '../../../shared/transport';
import type { Platform } from './platform';

/** Starts following; the returned function stops. */
export function followDesktopNotices(
  api: ControlRoomApi,
  platform: Platform,
  navigate: (route: string) => void,
  log: (message: string) => void = console.warn,
): () => void {
  const subscriptions = [
    api.subscribe('channels:desktop', {}, (notice) => {
      platform.notify(notice).catch((error: unknown) => log(`control-room: a notification could not be shown: ${String(error)}`));
    }),
    api.subscribe('platform:navigate', {}, ({ route }) => navigate(route)),
  ].map((subscription) =>
    subscription.catch((error: unknown) => {
      log(`control-room: desktop notifications are off in this window: ${String(error)}`);
      return () => undefined;
    }),
  );
  return () => {
    for (const subscription of subscriptions) void subscription.then((stop) => stop());
  };
}
