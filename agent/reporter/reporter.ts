/**
 * The browser reporter: catches what a page's users would otherwise only see in
 * their console (console.error, uncaught errors, unhandled promise rejections) and sends it to
 * the ops agent's beacon with the build hash, route, browser and the app's WebSocket state.
 *
 * Small on purpose (under 2 KB gzipped): it is loaded on every page view. It never throws into
 * the page, calls the page's own console.error, and leaves window.onerror to the page (it listens
 * with addEventListener, which neither replaces nor is replaced by an onerror handler).
 *
 * Repeats are folded: the first occurrence of an error is sent at once; identical ones (same
 * kind, message and stack) within `windowMs` are only counted, and sent as one beacon with that
 * count when the window closes or the page is hidden. At most `maxPerMinute` beacons leave a page.
 *
 * Type-checked without the DOM library (the repository's Node tsconfig), so the few browser APIs
 * it touches are declared below.
 */

export interface ReporterOptions {
  /** The agent's beacon URL, e.g. https://shop.example/api/ops/frontend-log. */
  endpoint: string;
  buildHash?: string | null;
  /** The agent's public ingest key, when it has one. */
  key?: string | null;
  /** The state of the app's own WebSocket ("open", "reconnecting" ...), read when an error is sent. */
  wsState?: () => string;
  windowMs?: number;
  maxPerMinute?: number;
}

interface Beacon {
  build_hash: string | null;
  route: string;
  message: string;
  stack: string | null;
  browser: string;
  ws_state: string | null;
  kind: string;
  count: number;
}

interface Pending {
  beacon: Beacon;
  /** Repeats seen since the last send. */
  extra: number;
}

interface ErrorLike {
  message?: unknown;
  stack?: unknown;
  name?: unknown;
}

interface Page {
  location: { pathname: string; hash: string };
  navigator: { userAgent: string; sendBeacon?: (url: string, data: string) => boolean };
  console: { error: (...args: unknown[]) => void };
  document: { visibilityState: string };
  addEventListener(type: string, listener: (event: PageEvent) => void, capture?: boolean): void;
  removeEventListener(type: string, listener: (event: PageEvent) => void, capture?: boolean): void;
  fetch?: (url: string, init: object) => Promise<unknown>;
  setTimeout(fn: () => void, ms: number): number;
}

interface PageEvent {
  type?: string;
  message?: string;
  error?: unknown;
  reason?: unknown;
  filename?: string;
  lineno?: number;
  colno?: number;
}

const page = globalThis as unknown as Page;
let uninstallCurrent: () => void = () => undefined;
const cut = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text);

/** Starts reporting; returns a function that undoes it. A second install replaces the first. */
export function install(options: ReporterOptions): () => void {
  uninstallCurrent();
  const windowMs = options.windowMs ?? 10_000;
  const maxPerMinute = options.maxPerMinute ?? 30;
  const url = options.key ? `${options.endpoint}${options.endpoint.includes('?') ? '&' : '?'}key=${encodeURIComponent(options.key)}` : options.endpoint;
  const pending = new Map<string, Pending>();
  let sentAt: number[] = [];
  let busy = false;

  const send = (beacon: Beacon) => {
    const now = Date.now();
    sentAt = sentAt.filter((t) => now - t < 60_000);
    if (sentAt.length >= maxPerMinute) return;
    sentAt.push(now);
    const body = JSON.stringify(beacon);
    // sendBeacon survives the page unloading; it refuses when its queue is full, then fetch with keepalive.
    if (!page.navigator.sendBeacon?.(url, body)) {
      page.fetch?.(url, { method: 'POST', body, keepalive: true, mode: 'no-cors', headers: { 'content-type': 'text/plain' } })?.catch(() => 0);
    }
  };

  const flush = (key: string) => {
    const entry = pending.get(key);
    pending.delete(key);
    if (entry && entry.extra) send({ ...entry.beacon, count: entry.extra });
  };

  const report = (kind: string, text: string, error?: unknown) => {
    // Our own sending can log errors (a blocked request): never report those, never loop.
    if (busy) return;
    busy = true;
    try {
      const message = cut(text, 8_000);
      const raw = (error as ErrorLike | undefined)?.stack;
      const stack = typeof raw === 'string' ? cut(raw, 30_000) : null;
      const key = `${kind}\n${message}\n${stack}`;
      const seen = pending.get(key);
      if (seen) {
        seen.extra++;
        return;
      }
      const { pathname, hash } = page.location;
      const beacon: Beacon = {
        build_hash: options.buildHash ?? null,
        // Hash routers keep the route after '#/'; query strings are left out (ids, tokens).
        route: cut(pathname + (hash.startsWith('#/') ? hash.split('?')[0]! : ''), 2_000),
        message,
        stack,
        browser: cut(page.navigator.userAgent, 500),
        ws_state: options.wsState ? cut(String(options.wsState()), 60) : null,
        kind,
        count: 1,
      };
      if (pending.size < 100) {
        pending.set(key, { beacon, extra: 0 });
        page.setTimeout(() => flush(key), windowMs);
      }
      send(beacon);
    } catch {
      // A reporter must never break the page it reports on.
    } finally {
      busy = false;
    }
  };

  const originalError = page.console.error;
  page.console.error = function (...args: unknown[]) {
    report(
      'console.error',
      args.map(describe).join(' '),
      args.find((a) => a && typeof a === 'object' && 'stack' in a),
    );
    return originalError.apply(this, args);
  };
  const onError = (event: PageEvent) =>
    report('onerror', event.error ? describe(event.error) : event.message || `Error in ${event.filename}:${event.lineno}:${event.colno}`, event.error);
  const onRejection = (event: PageEvent) => report('unhandledrejection', describe(event.reason), event.reason);
  // Folded repeats are sent before the page goes away, while sendBeacon still can.
  const onHide = (event: PageEvent) => {
    if (event.type === 'pagehide' || page.document.visibilityState === 'hidden') for (const key of [...pending.keys()]) flush(key);
  };
  page.addEventListener('error', onError);
  page.addEventListener('unhandledrejection', onRejection);
  page.addEventListener('visibilitychange', onHide);
  page.addEventListener('pagehide', onHide);

  uninstallCurrent = () => {
    if (page.console.error !== originalError) page.console.error = originalError;
    page.removeEventListener('error', onError);
    page.removeEventListener('unhandledrejection', onRejection);
    page.removeEventListener('visibilitychange', onHide);
    page.removeEventListener('pagehide', onHide);
    uninstallCurrent = () => undefined;
  };
  return () => uninstallCurrent();
}

/** Errors as `Name: message` (what the console shows), other values as text or JSON. */
function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'message' in value) {
    const { name, message } = value as ErrorLike;
    return name && name !== 'Error' ? `${name}: ${message}` : String(message);
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
