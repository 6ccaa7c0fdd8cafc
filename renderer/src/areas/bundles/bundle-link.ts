/**
 * Links into the new-bundle page from elsewhere in the app: `#/bundles/new?target=<id>&mode=…`.
 *
 * The Overview, Logs, a probe's drill-down and a run's viewer each offer "Support bundle" with
 * the target and the time window they are about already chosen; the page reads the query back
 * (bundles-route.ts). The window travels as the contract's BundleWindow fields (`mode`, `at`,
 * `minutes`), so what the page reads is what a bundles:preview request takes.
 */
import type { BundleWindow } from '../../../../shared/model/bundle';

/** What the link prefills: a target (or none, to choose on the page) and a window. */
export interface BundleLink {
  targetId?: string | undefined;
  window: BundleWindow;
}

/** Spelled out rather than built with routes.ts's hrefOf, which reads `window` (this module is pure). */
const NEW_BUNDLE_ROUTE = '#/bundles/new';
const MINUTE = 60_000;
/** The longest "around" the contract takes: ± a day. */
const MAX_AROUND_MINUTES = 60 * 24;
const DEFAULT_AROUND_MINUTES = 15;

/** The last N minutes (default: the last hour). */
export function lastMinutes(minutes = 60): BundleWindow {
  return { mode: 'last', minutes };
}

/** N minutes either side of one moment: an incident, a probe's failure. */
export function aroundTime(at: string | number | Date, minutes = DEFAULT_AROUND_MINUTES): BundleWindow {
  return { mode: 'around', at: new Date(at).toISOString(), minutes: clampMinutes(minutes) };
}

/**
 * A stretch of time (a run's start to end, a range of log lines) as "around" its middle, wide
 * enough to hold all of it plus a margin either side — what led up to it and what followed
 * usually matter as much as the stretch itself.
 */
export function aroundRange(from: string | number | Date, to: string | number | Date, marginMinutes = 5): BundleWindow {
  const start = new Date(from).getTime();
  const end = Math.max(start, new Date(to).getTime());
  const halfSpan = (end - start) / 2;
  return {
    mode: 'around',
    at: new Date(start + halfSpan).toISOString(),
    minutes: clampMinutes(Math.ceil(halfSpan / MINUTE) + marginMinutes),
  };
}

function clampMinutes(minutes: number): number {
  return Math.min(MAX_AROUND_MINUTES, Math.max(1, Math.ceil(minutes)));
}

/** The hash of the new-bundle page with this target and window filled in. */
export function bundleHref({ targetId, window }: BundleLink): string {
  const query = new URLSearchParams();
  if (targetId) query.set('target', targetId);
  query.set('mode', window.mode);
  if (window.mode === 'around') query.set('at', window.at);
  if (window.mode !== 'since-deploy') query.set('minutes', String(window.minutes));
  return `${NEW_BUNDLE_ROUTE}?${query.toString()}`;
}
