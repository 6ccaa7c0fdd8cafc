/**
 * A bundle's log files read once, line by line, into what the diff needs of them: per service the
 * number of lines and of error lines, and the error messages grouped by normalised form. Logs can be gigabytes, so
 * nothing but the counts is kept, and the number of groups per service is bounded.
 */
import { isErrorLine, normaliseMessage } from './diff-messages';
import { isObject } from './diff-context';

/** Past this many distinct groups in one service, further new forms are counted but not kept. */
export const MAX_GROUPS_PER_SERVICE = 5_000;

export interface ServiceErrors {
  /** Every line of the service: a bundle with none cannot say which of another's messages are new. */
  lines: number;
  errorLines: number;
  groups: Map<string, number>;
}

export interface LogScan {
  services: Map<string, ServiceErrors>;
  /** Earliest and latest line time seen (epoch ms), for bundles without a window (the agent's). */
  firstMs: number | null;
  lastMs: number | null;
}

export function emptyLogScan(): LogScan {
  return { services: new Map(), firstMs: null, lastMs: null };
}

/** `logs/container:shop-api-1.ndjson` → `shop-api-1`: the name a line without service or container falls back to. */
export function sourceName(path: string): string {
  const file = path.replace(/^logs\//, '').replace(/\.(nd)?json$|\.log$|\.txt$/, '');
  return file.replace(/^(container|service)[:_]/, '');
}

interface ParsedLine {
  ts: string | null;
  service: string | null;
  level: string | null;
  message: string;
}

function parseLine(line: string): ParsedLine {
  if (line.startsWith('{')) {
    try {
      const entry: unknown = JSON.parse(line);
      if (isObject(entry) && typeof entry.message === 'string') {
        const service =
          typeof entry.service === 'string' && entry.service
            ? entry.service
            : typeof entry.container === 'string' && entry.container
              ? entry.container
              : null;
        return {
          ts: typeof entry.ts === 'string' ? entry.ts : null,
          service,
          level: typeof entry.level === 'string' ? entry.level : null,
          message: entry.message,
        };
      }
    } catch {
      // Not JSON after all: a plain text line.
    }
  }
  return { ts: null, service: null, level: null, message: line };
}

/** Adds one log file's lines to `scan`. */
export async function scanLogLines(path: string, lines: AsyncIterable<string>, scan: LogScan): Promise<void> {
  const fallback = sourceName(path);
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const entry = parseLine(line);
    if (entry.ts) {
      const ms = Date.parse(entry.ts);
      if (Number.isFinite(ms)) {
        if (scan.firstMs === null || ms < scan.firstMs) scan.firstMs = ms;
        if (scan.lastMs === null || ms > scan.lastMs) scan.lastMs = ms;
      }
    }
    const service = entry.service ?? fallback;
    let errors = scan.services.get(service);
    if (!errors) {
      errors = { lines: 0, errorLines: 0, groups: new Map() };
      scan.services.set(service, errors);
    }
    errors.lines++;
    if (!isErrorLine(entry.level, entry.message)) continue;
    errors.errorLines++;
    const group = normaliseMessage(entry.message);
    const count = errors.groups.get(group);
    if (count !== undefined) errors.groups.set(group, count + 1);
    else if (errors.groups.size < MAX_GROUPS_PER_SERVICE) errors.groups.set(group, 1);
  }
}
