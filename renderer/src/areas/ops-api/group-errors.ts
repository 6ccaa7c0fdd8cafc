/**
 * Browser errors grouped by message, the way an operator triages them: how often, where, in
 * which builds, since when, and the newest stack to read.
 *
 * Plain functions over `FrontendError`s (no React, no DOM), so the grouping is tested in Node.
 */
import type { FrontendError } from '../../../../shared/model/ops';

export interface RouteCount {
  route: string;
  count: number;
}

export interface ErrorGroup {
  message: string;
  /** Errors in the group, counting the repeats the reporter folded (`count`). */
  count: number;
  /** Beacons received (rows): fewer than `count` when repeats were folded. */
  reports: number;
  /** Affected routes, most errors first. */
  routes: RouteCount[];
  /** Build hashes, newest first. */
  buildHashes: string[];
  /** Which hooks caught it: console.error, onerror, unhandledrejection. */
  kinds: string[];
  firstSeen: string;
  lastSeen: string;
  /** The newest report. */
  latest: FrontendError;
  /** The newest report that carries a stack, if any does. */
  latestWithStack: FrontendError | undefined;
  /** The highest id in the group: changes whenever a new report joins it. */
  newestId: number;
}

export type GroupSort = 'last-seen' | 'count';

/** Newest first by time received, then by id (ids grow with time on one agent). */
function newer(a: FrontendError, b: FrontendError): number {
  return Date.parse(b.receivedAt) - Date.parse(a.receivedAt) || b.id - a.id;
}

export function groupErrors(errors: readonly FrontendError[]): ErrorGroup[] {
  const byMessage = new Map<string, FrontendError[]>();
  for (const error of errors) {
    const list = byMessage.get(error.message);
    if (list) list.push(error);
    else byMessage.set(error.message, [error]);
  }
  const groups: ErrorGroup[] = [];
  for (const [message, list] of byMessage) {
    list.sort(newer);
    const routes = new Map<string, number>();
    const builds: string[] = [];
    const kinds: string[] = [];
    let count = 0;
    for (const error of list) {
      const weight = Math.max(1, error.count);
      count += weight;
      routes.set(error.route, (routes.get(error.route) ?? 0) + weight);
      if (error.buildHash && !builds.includes(error.buildHash)) builds.push(error.buildHash);
      if (error.kind && !kinds.includes(error.kind)) kinds.push(error.kind);
    }
    const latest = list[0]!;
    groups.push({
      message,
      count,
      reports: list.length,
      routes: [...routes]
        .map(([route, n]) => ({ route, count: n }))
        .sort((a, b) => b.count - a.count || a.route.localeCompare(b.route)),
      buildHashes: builds,
      kinds,
      firstSeen: list[list.length - 1]!.receivedAt,
      lastSeen: latest.receivedAt,
      latest,
      latestWithStack: list.find((error) => error.stack),
      newestId: Math.max(...list.map((error) => error.id)),
    });
  }
  return sortGroups(groups, 'last-seen');
}

export function sortGroups(groups: ErrorGroup[], by: GroupSort): ErrorGroup[] {
  const byLastSeen = (a: ErrorGroup, b: ErrorGroup) =>
    Date.parse(b.lastSeen) - Date.parse(a.lastSeen) || b.newestId - a.newestId;
  return [...groups].sort(by === 'count' ? (a, b) => b.count - a.count || byLastSeen(a, b) : byLastSeen);
}

/**
 * Errors fetched for a window plus those that arrived live since, each once (by id). Live ones
 * older than the window's start are left out, so a narrow window stays narrow.
 */
export function mergeErrors(
  fetched: readonly FrontendError[],
  live: readonly FrontendError[],
  sinceMs: number,
): FrontendError[] {
  const seen = new Set(fetched.map((error) => error.id));
  const merged = [...fetched];
  for (const error of live) {
    if (seen.has(error.id) || Date.parse(error.receivedAt) < sinceMs) continue;
    seen.add(error.id);
    merged.push(error);
  }
  return merged;
}
