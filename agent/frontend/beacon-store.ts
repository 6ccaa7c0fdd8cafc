/**
 * Browser errors from the beacon, kept as a ring buffer per route in SQLite: the last `perRoute`
 * errors of each route, and at most `maxRoutes` routes (browsers choose routes, so an attacker
 * could otherwise invent a million of them). Trimming happens in the same transaction as the
 * insert, so the table never holds more than perRoute × maxRoutes rows.
 *
 * In memory there is only one small record per route (its row count and newest id), which is
 * what keeps the agent's memory flat under a flood of beacons.
 */
import type { FrontendBeacon, FrontendError, FrontendSection } from '../../shared/model/ops';
import type { Db } from '../store';
import type { z } from 'zod';

type FrontendSummary = z.infer<typeof FrontendSection>;

interface RouteState {
  count: number;
  newestId: number;
}

interface Row {
  id: number;
  received_at: string;
  build_hash: string | null;
  route: string;
  message: string;
  stack: string | null;
  browser: string | null;
  ws_state: string | null;
  kind: string | null;
  count: number;
}

export interface ListQuery {
  sinceMs: number | null;
  route: string | null;
  limit: number;
}

export class BeaconStore {
  private readonly routes = new Map<string, RouteState>();
  private readonly insertTx: (beacon: FrontendBeacon, route: string, receivedAt: string) => number;
  private readonly sumSince;
  private readonly lastRow;
  private readonly lastBuild;

  constructor(
    private readonly db: Db,
    private readonly perRoute: number,
    private readonly maxRoutes: number,
  ) {
    for (const row of db.prepare('SELECT route, count(*) AS count, max(id) AS newestId FROM frontend_errors GROUP BY route').all() as ({
      route: string;
    } & RouteState)[]) {
      this.routes.set(row.route, { count: row.count, newestId: row.newestId });
    }
    const insert = db.prepare(
      'INSERT INTO frontend_errors (received_at, build_hash, route, message, stack, browser, ws_state, kind, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const trim = db.prepare('DELETE FROM frontend_errors WHERE id IN (SELECT id FROM frontend_errors WHERE route = ? ORDER BY id LIMIT ?)');
    const dropRoute = db.prepare('DELETE FROM frontend_errors WHERE route = ?');
    this.insertTx = db.transaction((beacon: FrontendBeacon, route: string, receivedAt: string) => {
      let state = this.routes.get(route);
      if (!state && this.routes.size >= this.maxRoutes) {
        const evicted = this.leastRecentRoute();
        dropRoute.run(evicted);
        this.routes.delete(evicted);
      }
      const id = Number(
        insert.run(
          receivedAt,
          beacon.build_hash ?? null,
          route,
          beacon.message,
          beacon.stack ?? null,
          beacon.browser ?? null,
          beacon.ws_state ?? null,
          beacon.kind ?? null,
          beacon.count ?? 1,
        ).lastInsertRowid,
      );
      if (!state) this.routes.set(route, (state = { count: 0, newestId: id }));
      state.count++;
      state.newestId = id;
      if (state.count > this.perRoute) {
        trim.run(route, state.count - this.perRoute);
        state.count = this.perRoute;
      }
      return id;
    });
    this.sumSince = db.prepare<[string], { total: number | null }>('SELECT sum(count) AS total FROM frontend_errors WHERE received_at >= ?');
    this.lastRow = db.prepare<[], { received_at: string }>('SELECT received_at FROM frontend_errors ORDER BY id DESC LIMIT 1');
    this.lastBuild = db.prepare<[], { build_hash: string }>('SELECT build_hash FROM frontend_errors WHERE build_hash IS NOT NULL ORDER BY id DESC LIMIT 1');
  }

  insert(beacon: FrontendBeacon, receivedAt = new Date()): FrontendError {
    const route = normaliseRoute(beacon.route);
    const at = receivedAt.toISOString();
    const id = this.insertTx(beacon, route, at);
    return {
      id,
      receivedAt: at,
      buildHash: beacon.build_hash ?? null,
      route,
      message: beacon.message,
      stack: beacon.stack ?? null,
      browser: beacon.browser ?? null,
      wsState: beacon.ws_state ?? null,
      kind: beacon.kind ?? null,
      count: beacon.count ?? 1,
    };
  }

  /** Newest first. */
  list(query: ListQuery): FrontendError[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.sinceMs !== null) {
      where.push('received_at >= ?');
      params.push(new Date(query.sinceMs).toISOString());
    }
    if (query.route !== null) {
      where.push('route = ?');
      params.push(query.route);
    }
    params.push(query.limit);
    const rows = this.db
      .prepare(`SELECT * FROM frontend_errors ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`)
      .all(...params) as Row[];
    return rows.map(toError);
  }

  /** Errors received since then, counting folded repeats. */
  countSince(sinceMs: number): number {
    return this.sumSince.get(new Date(sinceMs).toISOString())?.total ?? 0;
  }

  summary(now = Date.now()): FrontendSummary {
    return {
      lastBuildHash: this.lastBuild.get()?.build_hash ?? null,
      errorsLastHour: this.countSince(now - 3_600_000),
      errorsLastDay: this.countSince(now - 86_400_000),
      lastErrorAt: this.lastRow.get()?.received_at ?? null,
    };
  }

  /** The most rows the table can hold: the bound the bench checks memory and disk against. */
  get capacity(): number {
    return this.perRoute * this.maxRoutes;
  }

  private leastRecentRoute(): string {
    let oldest: [string, number] | undefined;
    for (const [route, state] of this.routes) if (!oldest || state.newestId < oldest[1]) oldest = [route, state.newestId];
    return oldest![0];
  }
}

/** A route is a path: query strings and fragments carry ids and tokens, and would make every visit its own route. */
export function normaliseRoute(route: string): string {
  const path = route.split(/[?]/, 1)[0]!.trim();
  // Hash routers (`/#/orders/7`) keep their route in the fragment: keep the part before its own query.
  return path || '/';
}

function toError(row: Row): FrontendError {
  return {
    id: row.id,
    receivedAt: row.received_at,
    buildHash: row.build_hash,
    route: row.route,
    message: row.message,
    stack: row.stack,
    browser: row.browser,
    wsState: row.ws_state,
    kind: row.kind,
    count: row.count,
  };
}
