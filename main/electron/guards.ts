/**
 * App-wide rules for every web page Electron creates, set once before the first window.
 *
 * Hooking `web-contents-created` covers the main window and anything created later (devtools,
 * a future second window) alike, so no window can forget them:
 * - no `<webview>` can be attached (it would bring its own, weaker preferences);
 * - `window.open` and `target=_blank` are denied;
 * - navigation and redirects are allowed only within `app://control-room/`, so a link or a
 *   compromised script cannot take the window (and its preload bridge) to another page;
 * - every permission request and check is refused (camera, notifications, geolocation, …):
 *   the app needs none. Copying, opening a link in the system browser and saving files go
 *   through the `platform:*` channels instead (platform.ts), where main checks what is asked.
 */
import { app, session, type Event, type WebContents } from 'electron';
import { isAppUrl } from '../transport/app-protocol';

export function installWebContentsGuards(): void {
  app.on('web-contents-created', (_event, contents) => guard(contents));
}

/** Call after `ready`: the default session exists only then. */
export function denyAllPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

function guard(contents: WebContents): void {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  const stayHome = (event: Event, url: string) => {
    if (!isAppUrl(url)) event.preventDefault();
  };
  contents.on('will-navigate', (event) => stayHome(event, event.url));
  contents.on('will-redirect', (event) => stayHome(event, event.url));
}
