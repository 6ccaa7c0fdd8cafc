/**
 * Every request the agent answers goes into the audit table: when, method, path, status, which
 * token (or 'anonymous') and the client's address.
 *
 * Rows are queued and written in one transaction per tick rather than one fsync'd insert per
 * request, so a burst of browser beacons costs the audit log almost nothing. A crash loses at most
 * the last tick's rows.
 */
import type { Db } from './store';

export interface AuditRow {
  at: string;
  method: string;
  path: string;
  query: string;
  status: number;
  tokenId: string;
  ip: string;
  durationMs: number;
}

const FLUSH_MS = 250;
/** A hard cap on queued rows, so a stalled disk cannot grow memory without bound. */
const MAX_QUEUED = 50_000;
const DAY_MS = 86_400_000;

export class AuditLog {
  private queue: AuditRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly pruneTimer: NodeJS.Timeout;
  private readonly insertAll: (rows: AuditRow[]) => void;
  private dropped = 0;

  constructor(
    private readonly db: Db,
    private readonly retentionDays: number,
  ) {
    const insert = db.prepare(
      'INSERT INTO audit (at, method, path, query, status, token_id, ip, duration_ms) VALUES (@at, @method, @path, @query, @status, @tokenId, @ip, @durationMs)',
    );
    this.insertAll = db.transaction((rows: AuditRow[]) => {
      for (const row of rows) insert.run(row);
    });
    this.prune();
    this.pruneTimer = setInterval(() => this.prune(), 3_600_000);
    this.pruneTimer.unref();
  }

  record(row: AuditRow): void {
    if (this.queue.length >= MAX_QUEUED) {
      this.dropped++;
      return;
    }
    this.queue.push(row);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes what is queued now; tests call it before reading the table. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.queue.length) return;
    const rows = this.queue;
    this.queue = [];
    try {
      this.insertAll(rows);
    } catch {
      // One bad row must not cost the others: retry one by one. The audit log must not take
      // the agent down either; what still fails is counted in `droppedRows`.
      for (const row of rows) {
        try {
          this.insertAll([row]);
        } catch {
          this.dropped++;
        }
      }
    }
  }

  get droppedRows(): number {
    return this.dropped;
  }

  close(): void {
    clearInterval(this.pruneTimer);
    this.flush();
  }

  private prune(): void {
    const cutoff = new Date(Date.now() - this.retentionDays * DAY_MS).toISOString();
    this.db.prepare('DELETE FROM audit WHERE at < ?').run(cutoff);
  }
}

/** Query strings can carry `?token=` (WebSocket from a browser) or `?key=`: never store those values. */
export function redactQuery(query: string): string {
  if (!query) return '';
  const params = new URLSearchParams(query);
  for (const name of ['token', 'key']) if (params.has(name)) params.set(name, '[redacted]');
  return params.toString();
}
