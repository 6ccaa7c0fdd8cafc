/**
 * The `app://control-room/` scheme the window loads the renderer from.
 *
 * Registered as privileged before `ready` (Electron allows that only once, before any window):
 * - standard: a real origin, so relative URLs, CSP 'self' and the IPC sender check all work;
 * - secure: a secure context, like https;
 * - supportFetchAPI + corsEnabled: Vite emits `<script type="module" crossorigin>`, which Chromium
 *   fetches in CORS mode, and it only does that for schemes it knows as CORS-enabled.
 * No service workers, no bypassing CSP. The files and headers come from
 * `main/transport/app-protocol.ts`, which refuses anything outside the renderer folder.
 */
import { protocol } from 'electron';
import { APP_SCHEME, loadAppResource } from '../transport/app-protocol';

export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
}

/** Serves `rendererDir` on the app scheme (after `ready`). */
export function serveAppScheme(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const { status, headers, body } = await loadAppResource(rendererDir, request.url, request.method);
    return new Response(body, { status, headers });
  });
}
