/**
 * The app's own origin, `app://control-room/`, and what it serves: the built renderer, with a
 * strict Content-Security-Policy, and nothing outside that folder.
 *
 * Why a custom scheme instead of `file://`: a file URL's origin is opaque and every file on disk
 * is "same-scheme", so a CSP of 'self' means little and the sender check in the IPC handlers
 * would have nothing unique to match. A privileged standard scheme gives the renderer a real
 * origin that only this handler can produce.
 *
 * Pure Node (no Electron import) so the path rules and the CSP are unit-tested;
 * `main/electron/protocol.ts` wires `loadAppResource` to `protocol.handle`.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'control-room';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the window opens. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Starts from nothing allowed and names each thing the renderer needs. `connect-src 'none'`:
 * in Electron the renderer talks only through `window.controlRoom` (IPC), never the network.
 * Keep in step with the browser-mode host's CSP (main/host/host-server.ts), which differs only
 * in allowing its own WebSocket.
 */
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  // xterm.js (the Logs panes) writes its theme and row metrics into <style> elements it creates,
  // and its DOM renderer colours true-colour cells and search matches with style attributes.
  // Styles only: every script stays 'self'.
  "style-src-elem 'self' 'unsafe-inline'",
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every response from the app scheme, errors included. */
export const APP_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': RENDERER_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * True for a URL on the app's own origin, and only that: exact scheme and host, no user info
 * or port (so `app://evil@control-room/` or `app://control-room.evil/` do not pass).
 */
export function isAppUrl(url: unknown): boolean {
  if (typeof url !== 'string') return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.hostname === APP_HOST &&
    parsed.port === '' &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/** The IPC sender check: a frame that still exists and shows one of the app's pages. */
export function isTrustedFrame(frame: { url: string } | null | undefined): boolean {
  return isAppUrl(frame?.url);
}

export type AppPath = { ok: true; file: string; relativePath: string } | { ok: false; status: 400 | 404 };

/**
 * The file under `root` an app URL names, or why there is none.
 *
 * Each path segment is decoded on its own and refused if it could step outside `root` or hide
 * something: empty, dot-leading (`.`, `..`, `.env`), or holding a slash, backslash, colon
 * (Windows drive or stream) or NUL after decoding — so `%2e%2e%2f` and `..%5c` get nowhere.
 * The joined path is then checked to lie inside `root` anyway.
 */
export function resolveAppPath(root: string, url: string): AppPath {
  if (!isAppUrl(url)) return { ok: false, status: 404 };
  const pathname = new URL(url).pathname;
  const raw = pathname === '/' || pathname === '' ? ['index.html'] : pathname.slice(1).split('/');
  const segments: string[] = [];
  for (const encoded of raw) {
    let segment: string;
    try {
      segment = decodeURIComponent(encoded);
    } catch {
      return { ok: false, status: 400 };
    }
    if (segment === '' || segment.startsWith('.') || /[/\\:\0]/.test(segment)) return { ok: false, status: 404 };
    segments.push(segment);
  }
  const base = resolve(root);
  const file = join(base, ...segments);
  if (!file.startsWith(base + sep)) return { ok: false, status: 404 };
  return { ok: true, file, relativePath: segments.join('/') };
}

export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  /** Null for HEAD and for errors with no text. */
  body: Uint8Array | string | null;
}

/** Answers one request on the app scheme from the files under `root`. */
export async function loadAppResource(root: string, url: string, method = 'GET'): Promise<AppResponse> {
  if (method !== 'GET' && method !== 'HEAD') return plain(405, 'Method not allowed');
  const target = resolveAppPath(root, url);
  if (!target.ok) return plain(target.status, target.status === 400 ? 'Bad path' : 'Not found');
  try {
    const info = await stat(target.file);
    if (!info.isFile()) return plain(404, 'Not found');
    const headers = {
      ...APP_RESPONSE_HEADERS,
      'Content-Type': CONTENT_TYPES[extname(target.file).toLowerCase()] ?? 'application/octet-stream',
    };
    return { status: 200, headers, body: method === 'HEAD' ? null : await readFile(target.file) };
  } catch {
    if (target.relativePath === 'index.html') {
      return plain(503, 'The renderer is not built yet — run `npm run build`, then start Control Room again.');
    }
    return plain(404, 'Not found');
  }
}

function plain(status: number, text: string): AppResponse {
  return { status, headers: { ...APP_RESPONSE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }, body: text };
}
