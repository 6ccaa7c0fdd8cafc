/**
 * Reading bundles the folder holds: opened once into `<data dir>/bundles/.open/<id>/` and kept
 * while the file is unchanged; the read-only view (context, probes, runs, frontend errors,
 * alerts, audit, log sources with line counts) and the logs page by page with filters.
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleView } from '../../../shared/model/bundle';
import type { LogEntry } from '../../../shared/model/logs';
import { openBundle, type OpenedBundle } from '../../../node/bundle/bundle-reader';
import type { BundleFolder } from './bundle-folder';

export interface BundleLogFilter {
  source?: string | undefined;
  text?: string | undefined;
  level?: string | undefined;
  offset?: number | undefined;
  limit?: number | undefined;
}

const DEFAULT_LOG_LIMIT = 500;
const MAX_LOG_LIMIT = 5_000;
/** Events of a run shown inline in the view; the rest stay in the file. */
const VIEW_RUN_EVENTS = 1_000;

export class OpenBundles {
  private readonly opened = new Map<string, { mtimeMs: number; size: number; bundle: Promise<OpenedBundle> }>();

  constructor(
    private readonly folder: BundleFolder,
    private readonly openDir: string,
  ) {}

  /** The bundle opened (and checked) once per file version. */
  get(id: string): Promise<OpenedBundle> {
    const file = this.folder.existing(id);
    const stat = statSync(file);
    const known = this.opened.get(id);
    if (known && known.mtimeMs === stat.mtimeMs && known.size === stat.size) return known.bundle;
    const dir = this.dirOf(id);
    rmSync(dir, { recursive: true, force: true });
    const bundle = openBundle(file, dir);
    this.opened.set(id, { mtimeMs: stat.mtimeMs, size: stat.size, bundle });
    bundle.catch(() => {
      this.forget(id);
    });
    return bundle;
  }

  forget(id: string): void {
    this.opened.delete(id);
    rmSync(this.dirOf(id), { recursive: true, force: true });
  }

  dirOf(id: string): string {
    return join(this.openDir, id.replace(/\.(tar|json)\.gz$/, ''));
  }

  async view(id: string): Promise<BundleView> {
    const bundle = await this.get(id);
    const paths = new Set(bundle.paths());
    const json = async (path: string) => (paths.has(path) ? bundle.readJson(path) : null);
    const logSources: { source: string; lines: number }[] = [];
    for (const path of [...paths].filter(isLogPath).sort()) {
      const listed = bundle.manifest?.files.find((file) => file.path === path)?.lines;
      logSources.push({ source: sourceOf(path), lines: listed ?? (await countLines(bundle, path)) });
    }
    const runs: unknown[] = [];
    for (const path of [...paths].filter((p) => /^runs\/[^/]+\/run\.json$/.test(p)).sort()) {
      const detail = (await bundle.readJson(path)) as Record<string, unknown>;
      const eventsPath = path.replace(/run\.json$/, 'events.ndjson');
      const events: unknown[] = [];
      if (paths.has(eventsPath)) {
        for await (const line of bundle.lines(eventsPath)) {
          if (!line.trim()) continue;
          events.push(JSON.parse(line));
          if (events.length >= VIEW_RUN_EVENTS) break;
        }
      }
      runs.push({ ...detail, events });
    }
    const agent = bundle.agent as { generatedAt?: unknown; agent?: { host?: unknown } } | null;
    const agentHost = agent?.agent?.host;
    return {
      id,
      kind: bundle.kind,
      manifest: bundle.manifest,
      created: bundle.manifest?.created ?? (typeof agent?.generatedAt === 'string' ? agent.generatedAt : statSync(this.folder.existing(id)).mtime.toISOString()),
      targetName: bundle.manifest?.target.name ?? (typeof agentHost === 'string' ? agentHost : null),
      context: await json('context.json'),
      logSources,
      probes: await json('probes.json'),
      runs,
      frontendErrors: await json('frontend-errors.json'),
      alerts: await json('alerts.json'),
      audit: await json('audit.json'),
    };
  }

  /** A page of a bundle's log lines: filtered, then `offset` and `limit`; `total` counts every match. */
  async logs(id: string, filter: BundleLogFilter): Promise<{ entries: LogEntry[]; total: number }> {
    const bundle = await this.get(id);
    const offset = Math.max(0, filter.offset ?? 0);
    const limit = Math.min(MAX_LOG_LIMIT, Math.max(1, filter.limit ?? DEFAULT_LOG_LIMIT));
    const text = filter.text?.toLowerCase() || null;
    const paths = bundle
      .paths()
      .filter(isLogPath)
      .filter((path) => !filter.source || sourceOf(path) === filter.source)
      .sort();
    const targetName = bundle.manifest?.target.id ?? '';
    const entries: LogEntry[] = [];
    let total = 0;
    for (const path of paths) {
      for await (const line of bundle.lines(path)) {
        if (!line.trim()) continue;
        let entry: LogEntry;
        try {
          entry = toEntry(JSON.parse(line) as Record<string, unknown>, sourceOf(path), targetName);
        } catch {
          continue;
        }
        if (filter.level && entry.level !== filter.level) continue;
        if (text && !entry.message.toLowerCase().includes(text)) continue;
        if (total >= offset && entries.length < limit) entries.push(entry);
        total++;
      }
    }
    return { entries, total };
  }
}

function isLogPath(path: string): boolean {
  return /^logs\/[^/]+\.ndjson$/.test(path);
}

function sourceOf(path: string): string {
  return path.slice('logs/'.length, -'.ndjson'.length);
}

async function countLines(bundle: OpenedBundle, path: string): Promise<number> {
  let lines = 0;
  for await (const line of bundle.lines(path)) if (line.trim()) lines++;
  return lines;
}

/** A Control Room line is a LogEntry already; an agent's is { ts, service, stream, level, message }. */
function toEntry(raw: Record<string, unknown>, source: string, target: string): LogEntry {
  const str = (value: unknown) => (typeof value === 'string' ? value : null);
  const level = str(raw.level);
  return {
    ts: str(raw.ts) ?? '',
    target: str(raw.target) ?? target,
    service: str(raw.service),
    container: str(raw.container) ?? str(raw.service) ?? source,
    stream: raw.stream === 'stderr' ? 'stderr' : 'stdout',
    level: level === 'error' || level === 'warn' || level === 'info' || level === 'debug' ? level : null,
    message: typeof raw.message === 'string' ? raw.message : JSON.stringify(raw.message ?? ''),
  };
}
