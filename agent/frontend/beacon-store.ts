/**
 * Browser errors from the beacon, kept as a ring buffer per route in SQLite: the last `perRoute`
 * errors of each route, and at most `maxRoutes` routes (browsers choose routes, so an attacker
 * could otherwise invent a million of them). Trimming happens in the same transaction as the
 * insert, so the table never holds more than perRoute × maxRoutes rows.
 *
 * In memory there is only one small record per route (its row count and newest id), which is
 * what keeps the agent's memory flat under a flood of beacons.
 *
 * Beacons that arrive together are written together (`add`): one transaction per event-loop turn
 * instead of one per beacon, since each commit rewrites the same few pages in the WAL. The reply
 * still waits for its commit.
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

interface Queued {
  beacon: FrontendBeacon;
  receivedAt: Date;
  resolve: (error: FrontendError) => void;
  reject: (error: unknown) => void;
}

export class BeaconStore {
  private readonly routes = new Map<string, RouteState>();
  private readonly insertOne: (beacon: FrontendBeacon, route: string, receivedAt: string) => number;
  private readonly insertMany: (batch: Queued[]) => FrontendError[];
  private queue: Queued[] = [];
  private readonly sumSince;
  private readonly lastRow;
  private readonly lastBuild;

  constructor(
    private readonly db: Db,
    private readonly perRoute: number,
    private readonly maxRoutes: number,
  ) {
    this.reloadRoutes();
    const insert = db.prepare(
      'INSERT INTO frontend_errors (received_at, build_hash, route, message, stack, browser, ws_state, kind, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const trim = db.prepare('DELETE FROM frontend_errors WHERE id IN (SELECT id FROM frontend_errors WHERE route = ? ORDER BY id LIMIT ?)');
    const dropRoute = db.prepare('DELETE FROM frontend_errors WHERE route = ?');
    this.insertOne = (beacon: FrontendBeacon, route: string, receivedAt: string) => {
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
    };
    this.insertMany = db.transaction((batch: Queued[]) => batch.map((q) => this.write(q.beacon, q.receivedAt)));
    this.sumSince = db.prepare<[string], { total: number | null }>('SELECT sum(count) AS total FROM frontend_errors WHERE received_at >= ?');
    this.lastRow = db.prepare<[], { received_at: string }>('SELECT received_at FROM frontend_errors ORDER BY id DESC LIMIT 1');
    this.lastBuild = db.prepare<[], { build_hash: string }>('SELECT build_hash FROM frontend_errors WHERE build_hash IS NOT NULL ORDER BY id DESC LIMIT 1');
  }

  /** Stores one beacon now, in its own transaction. */
  insert(beacon: FrontendBeacon, receivedAt = new Date()): FrontendError {
    try {
      return this.db.transaction(() => this.write(beacon, receivedAt))();
    } catch (error) {
      this.reloadRoutes();
      throw error;
    }
  }

  /** Stores a beacon with the others that arrive in this turn of the event loop; resolves once committed. */
  add(beacon: FrontendBeacon, receivedAt = new Date()): Promise<FrontendError> {
    return new Promise((resolve, reject) => {
      if (!this.queue.length) setImmediate(() => this.flush());
      this.queue.push({ beacon, receivedAt, resolve, reject });
    });
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    if (!batch.length) return;
    let stored: FrontendError[];
    try {
      stored = this.insertMany(batch);
    } catch (error) {
      // The transaction rolled back, so the in-memory route counts may be ahead: re-read them.
      this.reloadRoutes();
      for (const q of batch) q.reject(error);
      return;
    }
    batch.forEach((q, i) => q.resolve(stored[i]!));
  }

  private write(beacon: FrontendBeacon, receivedAt: Date): FrontendError {
    const route = normaliseRoute(beacon.route);
    const at = receivedAt.toISOString();
    const id = this.insertOne(beacon, route, at);
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

  private reloadRoutes(): void {
    this.routes.clear();
    const rows = this.db.prepare('SELECT route, count(*) AS count, max(id) AS newestId FROM frontend_errors GROUP BY route').all() as ({ route: string } & RouteState)[];
    for (const row of rows) this.routes.set(row.route, { count: row.count, newestId: row.newestId });
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
