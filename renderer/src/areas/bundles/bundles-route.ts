/**
 * The Bundles area's routes, read from what follows `#/bundles`:
 * `` (the list), `rules`, `new?target=<id>&mode=last|around|since-deploy&at=<iso>&minutes=<n>`,
 * `open/<id>`, `diff/<a>/<b>`. Other areas link to `new?…` with the window prefilled.
 */
import type { BundleWindowInput } from '../../../../shared/model/bundle';

export type BundlesRoute =
  | { view: 'list' }
  | { view: 'rules' }
  | { view: 'new'; targetId: string; window: BundleWindowInput }
  | { view: 'open'; id: string }
  | { view: 'diff'; a: string; b: string };

export const DEFAULT_WINDOW: BundleWindowInput = { mode: 'last', minutes: 60 };

export function parseBundlesRoute(rest: string): BundlesRoute {
  const [path = '', query = ''] = rest.split('?', 2);
  const parts = path.split('/').filter(Boolean).map(safeDecode);
  switch (parts[0]) {
    case 'rules':
      return { view: 'rules' };
    case 'new': {
      const params = new URLSearchParams(query);
      return { view: 'new', targetId: params.get('target') ?? '', window: windowOf(params) };
    }
    case 'open':
      return parts[1] ? { view: 'open', id: parts[1] } : { view: 'list' };
    case 'diff':
      return parts[1] && parts[2] ? { view: 'diff', a: parts[1], b: parts[2] } : { view: 'list' };
    default:
      return { view: 'list' };
  }
}

/** The window the query asks for; anything missing or unreadable falls back to the last hour. */
export function windowOf(params: URLSearchParams): BundleWindowInput {
  const minutes = positiveInt(params.get('minutes'));
  // `window=` is accepted as another name for `mode=` (the first links used it).
  const mode = params.get('mode') ?? params.get('window');
  if (mode === 'since-deploy') return { mode: 'since-deploy' };
  if (mode === 'around') {
    const at = params.get('at');
    if (at && !Number.isNaN(Date.parse(at))) return { mode: 'around', at, minutes: minutes ?? 15 };
  }
  return { mode: 'last', minutes: minutes ?? 60 };
}

function positiveInt(value: string | null): number | undefined {
  if (!value || !/^\d{1,6}$/.test(value)) return undefined;
  const number = Number(value);
  return number >= 1 ? number : undefined;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** `open/<id>`, `diff/<a>/<b>`: the rest of a bundles href, ids encoded. */
export function openRest(id: string): string {
  return `open/${encodeURIComponent(id)}`;
}

export function diffRest(a: string, b: string): string {
  return `diff/${encodeURIComponent(a)}/${encodeURIComponent(b)}`;
}
