/**
 * bundle-export: a support bundle of ~500 MB of cached log lines (four sources of one target, in
 * the app's real SQLite log cache) exported through the real exporter — services.bundles
 * .startExport, collected page by page from the cache, every line redacted, written as NDJSON
 * into a tar.gz by the bundle writer (spooled, sha256 and lines measured, fsynced, renamed) —
 * against a plain baseline producing the same log bytes: the same rows read from the same cache
 * with the same pages (pageForward, 2,000 lines), one JSON line each, piped through
 * zlib.createGzip (default level, as the writer's) into a file.
 *
 * Rounds alternate which side goes first so machine noise hits both alike; ratio = baseline time /
 * our time (the median of the rounds' ratios), goal ≥ 0.8: ours may cost at most 1.25× plain
 * gzip streaming of the same bytes. The target is a Docker host on a closed loopback port, so the
 * export takes its lines from the cache (with a note) instead of waiting on a fresh tail.
 *
 * This process's RSS is sampled every 50 ms during each export; the peak growth over its level at
 * the export's start is printed (goal < 150 MB, exit 1 if over — the exporter must stream).
 *
 * BENCH_MB (default 500) shrinks the log volume for quick runs; BENCH_ROUNDS (default 3).
 * Last line: `bundle-export ratio=<baseline time / ours> goal=0.8`.
 */
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { createServices, type Services } from '../../main/services';
import { MemoryCredentialBackend } from '../../main/services/credentials/credential-backend';
import type { LogCursor } from '../../main/services/logs/log-cache';
import type { BundleLimitsInput, BundleManifest } from '../../shared/model/bundle';
import type { LogEntry } from '../../shared/model/logs';
import type { Target } from '../../shared/model/target';
import { manifestStreamed } from '../integration/bundles/bundle-support';
import { median } from './bench-support';

const GOAL = 0.8;
const RSS_GOAL_MB = 150;
const MB = 1024 * 1024;
const TARGET_BYTES = Number(process.env.BENCH_MB ?? 500) * MB;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH = 5_000;
const PAGE_LINES = 2_000;
const SOURCES = ['shop-backend-1', 'shop-frontend-1', 'shop-worker-1', 'shop-db-1'];
const LIMITS: BundleLimitsInput = { totalBytes: 10 * 1024 ** 3, logBytesPerSource: 10 * 1024 ** 3, logLinesPerSource: 100_000_000, runBytes: 10 * MB };
const LEVELS = [null, 'info', 'info', 'debug', 'warn', 'error'] as const;

/** Lines like real ones (as test/bench/log-cache.bench.ts): request logs and JSON, 60–250 bytes. */
function batch(target: Target, first: number, count: number, fromMs: number, spanMs: number, total: number): LogEntry[] {
  let x = first + 7;
  const rand = () => (x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const entries: LogEntry[] = new Array(count);
  for (let k = 0; k < count; k++) {
    const i = first + k;
    const container = SOURCES[i % SOURCES.length]!;
    const level = LEVELS[Math.floor(rand() * LEVELS.length)]!;
    const message =
      i % 3 === 0
        ? JSON.stringify({ level: level ?? 'info', msg: 'request finished', path: `/api/orders/${Math.floor(rand() * 1e6)}`, ms: Math.floor(rand() * 900) })
        : `${level?.toUpperCase() ?? 'INFO'} [worker-${i % 7}] processed job ${i} in ${Math.floor(rand() * 5000)} ms` +
          (i % 10 === 1 ? ` for José — “résumé” ✓ 🚀` : ` queue=default attempt=1 ${'x'.repeat(Math.floor(rand() * 120))}`);
    entries[k] = {
      ts: new Date(fromMs + Math.floor(Math.min(1, i / total) * spanMs)).toISOString(),
      target: target.id,
      service: container.replace(/^shop-|-\d+$/g, ''),
      container,
      stream: i % 11 === 0 ? 'stderr' : 'stdout',
      level,
      message,
    };
  }
  return entries;
}

async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Samples RSS every 50 ms; the peak growth over the level at the start. */
function sampleRss(): () => number {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage.rss()) - start;
  };
}

interface Timed {
  seconds: number;
  bytes: number;
}

/** One export through the real exporter; `check` reads the bundle's manifest back (untimed). */
async function ours(services: Services, target: Target, check?: (manifest: BundleManifest) => void): Promise<Timed & { rssGrowth: number }> {
  const stopRss = sampleRss();
  const started = process.hrtime.bigint();
  const { exportId } = services.bundles.startExport({ targetId: target.id, window: { mode: 'last', minutes: 60 }, limits: LIMITS });
  const done = await services.bundles.exportSettled(exportId);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rssGrowth = stopRss();
  if (done.state !== 'done' || !done.bundle) throw new Error(`The export ended ${done.state}: ${done.message}`);
  const file = join(services.bundles.folder, done.bundle.id);
  const bytes = statSync(file).size;
  if (check) check(await manifestStreamed(file));
  services.bundles.delete(done.bundle.id);
  return { seconds, bytes, rssGrowth };
}

/** The same rows, the same pages, one JSON line each, through zlib.createGzip into a file. */
async function baseline(services: Services, target: Target, dir: string, window: { fromMs: number; toMs: number }): Promise<Timed & { lines: number }> {
  const file = join(dir, 'baseline.ndjson.gz');
  const started = process.hrtime.bigint();
  const gzip = createGzip();
  const out = createWriteStream(file);
  gzip.pipe(out);
  let lines = 0;
  for (const source of SOURCES) {
    // From the window's start: no caps to price, every line is kept.
    let position: { start: LogCursor } | { after: LogCursor } | null = { start: { ts: window.fromMs, id: 0 } };
    while (position) {
      const page = services.logs.cache.pageForward(target.id, source, position, window.toMs, PAGE_LINES);
      if (!page.length) break;
      let chunk = '';
      for (const { entry } of page) chunk += `${JSON.stringify(entry)}\n`;
      lines += page.length;
      if (!gzip.write(chunk)) await once(gzip, 'drain');
      position = page.length < PAGE_LINES ? null : { after: page[page.length - 1]!.cursor };
    }
  }
  gzip.end();
  await once(out, 'close');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const bytes = statSync(file).size;
  rmSync(file, { force: true });
  return { seconds, bytes, lines };
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'cr-bench-bundle-export-'));
  const services = createServices({
    dataDir: join(root, 'data'),
    credentials: new MemoryCredentialBackend(),
    probes: { background: false },
    logs: { cache: { trimIntervalMs: 3_600_000 } },
  });
  try {
    await services.logs.cache.setLimits({ maxBytes: 16 * 1024 ** 3, maxAgeHours: 24 * 7 });
    const target = await services.targets.create({
      name: 'bench-logs',
      environment: 'prod',
      kind: 'docker-ssh',
      settings: { host: '127.0.0.1', port: await closedPort(), username: 'root', socketPath: '/var/run/docker.sock' },
    });

    // ---- fill the cache --------------------------------------------------------------------
    const spanMs = 50 * 60_000;
    const fromMs = Date.now() - spanMs - 60_000;
    // ~107 bytes a message on average: the lines spread over the whole span (the last ones clamped).
    const estimatedLines = Math.ceil(TARGET_BYTES / 107);
    let cachedBytes = 0;
    let cachedLines = 0;
    const fillStarted = process.hrtime.bigint();
    for (let first = 0; cachedBytes < TARGET_BYTES; first += BATCH) {
      const entries = batch(target, first, BATCH, fromMs, spanMs, estimatedLines);
      services.logs.cache.insert(entries);
      cachedLines += entries.length;
      for (const entry of entries) cachedBytes += Buffer.byteLength(entry.message);
    }
    services.logs.cache.flush();
    console.log(
      `filled the log cache: ${cachedLines.toLocaleString('en-US')} lines, ${(cachedBytes / MB).toFixed(0)} MB of messages, ` +
        `${SOURCES.length} sources, in ${(Number(process.hrtime.bigint() - fillStarted) / 1e9).toFixed(1)} s`,
    );
    const window = { fromMs: fromMs - 60_000, toMs: Date.now() + 60_000 };

    // ---- rounds: ours vs baseline, alternating ---------------------------------------------
    // One unmeasured pass each first: SQLite's pages and the JIT warm for both alike.
    await ours(services, target, (manifest) => {
      // Every cached line is in the bundle, nothing cut: both sides carry the same lines.
      const logs = manifest.files.filter((file) => file.section === 'logs');
      const lines = logs.reduce((sum, file) => sum + (file.lines ?? 0), 0);
      if (lines !== cachedLines || manifest.cut.length) throw new Error(`The bundle holds ${lines} of ${cachedLines} lines (${manifest.cut.length} cut).`);
    });
    await baseline(services, target, root, window);
    const ratios: number[] = [];
    const oursSeconds: number[] = [];
    const plainSeconds: number[] = [];
    let peakGrowth = 0;
    for (let round = 0; round < ROUNDS; round++) {
      let mine: Awaited<ReturnType<typeof ours>>;
      let plain: Awaited<ReturnType<typeof baseline>>;
      if (round % 2 === 0) {
        mine = await ours(services, target);
        plain = await baseline(services, target, root, window);
      } else {
        plain = await baseline(services, target, root, window);
        mine = await ours(services, target);
      }
      if (plain.lines !== cachedLines) throw new Error(`The baseline read ${plain.lines} lines of ${cachedLines}.`);
      peakGrowth = Math.max(peakGrowth, mine.rssGrowth);
      ratios.push(plain.seconds / mine.seconds);
      oursSeconds.push(mine.seconds);
      plainSeconds.push(plain.seconds);
      console.log(
        `round ${round + 1}: ours ${mine.seconds.toFixed(2)} s (${(mine.bytes / MB).toFixed(1)} MB .tar.gz, RSS growth ${(mine.rssGrowth / MB).toFixed(0)} MB), ` +
          `gzip ${plain.seconds.toFixed(2)} s (${(plain.bytes / MB).toFixed(1)} MB .ndjson.gz), ratio ${(plain.seconds / mine.seconds).toFixed(2)}`,
      );
    }
    const ratio = median(ratios);
    const mbps = (seconds: number) => (cachedBytes / MB / seconds).toFixed(0);
    console.log(
      `${(cachedBytes / MB).toFixed(0)} MB of cached messages, ${ROUNDS} rounds: ours ${median(oursSeconds).toFixed(2)} s (${mbps(median(oursSeconds))} MB/s), ` +
        `plain gzip ${median(plainSeconds).toFixed(2)} s (${mbps(median(plainSeconds))} MB/s) (medians); median per-round ratio ${ratio.toFixed(2)}`,
    );
    console.log(`peak RSS growth during an export: ${(peakGrowth / MB).toFixed(0)} MB (goal < ${RSS_GOAL_MB} MB, sampled every 50 ms)`);
    const rssMissed = peakGrowth >= RSS_GOAL_MB * MB;
    if (rssMissed) console.log(`peak RSS growth misses the goal of ${RSS_GOAL_MB} MB`);
    console.log(`bundle-export ratio=${ratio.toFixed(2)} goal=${GOAL}`);
    process.exitCode = ratio < GOAL || rssMissed ? 1 : 0;
  } finally {
    services.close();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
