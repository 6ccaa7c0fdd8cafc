/**
 * Hash routing: `#/targets`, `#/targets/new`. The areas are fixed, so no router library.
 */
import { useSyncExternalStore } from 'react';

export const AREAS = [
  { id: 'overview', label: 'Overview' },
  { id: 'logs', label: 'Logs' },
  { id: 'integrations', label: 'Integrations' },
  { id: 'runbooks', label: 'Runbooks' },
  { id: 'bundles', label: 'Bundles' },
  { id: 'targets', label: 'Targets' },
] as const;

export type AreaId = (typeof AREAS)[number]['id'];

export interface Route {
  area: AreaId;
  /** What follows the area, e.g. `new` in `#/targets/new`. */
  rest: string;
}

function isArea(value: string): value is AreaId {
  return AREAS.some((area) => area.id === value);
}

function readHash(): string {
  return window.location.hash;
}

function subscribe(onChange: () => void) {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function parseRoute(hash: string): Route {
  const [area = '', ...rest] = hash.replace(/^#\/?/, '').split('/');
  return isArea(area) ? { area, rest: rest.join('/') } : { area: 'overview', rest: '' };
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, readHash);
  return parseRoute(hash);
}

export function hrefOf(area: AreaId, rest = ''): string {
  return `#/${area}${rest ? `/${rest}` : ''}`;
}

/** Goes to an area; `replace` keeps the history entry (for closing a dialog, say). */
export function navigate(area: AreaId, rest = '', { replace = false } = {}) {
  const href = hrefOf(area, rest);
  if (replace) {
    window.history.replaceState(window.history.state, '', href);
    // replaceState fires no hashchange; tell the subscribers ourselves.
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = href;
  }
}
