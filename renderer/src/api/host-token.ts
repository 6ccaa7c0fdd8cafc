/**
 * The browser-mode access token: read once from the address `npm start` printed
 * (`http://127.0.0.1:PORT/#token=…`), kept for this tab, and taken out of the address bar.
 *
 * The token travels in the fragment so it is never sent in an HTTP request or a Referer. It is
 * kept in sessionStorage (this tab only, gone when the tab closes) so a reload still connects,
 * and removed from the visible URL so it does not end up in screenshots or shared links.
 */

const STORAGE_KEY = 'control-room:host-token';

export function takeHostToken(): string | undefined {
  const fromHash = new URLSearchParams(window.location.hash.replace(/^#/, '')).get('token');
  if (fromHash) {
    try {
      sessionStorage.setItem(STORAGE_KEY, fromHash);
    } catch {
      // Storage can be disabled; the token still works until the next reload.
    }
    window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
    return fromHash;
  }
  try {
    return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}
