/**
 * A bundle over 1 GB of cached log lines is written with bounded memory, and an export canceled
 * midway leaves nothing behind.
 *
 * Real parts: the app's services on a temp data dir (real SQLite log cache, real keychain for the
 * export's secret lookup), the real exporter, writer and redactor. About 1 GiB of lines (four
 * sources; request logs and JSON of 250–1,300 bytes a line, as services with payloads in their
 * logs write) is inserted into the cache a batch at a time, then the whole window is exported with caps raised above it, so every byte
 * goes through redaction, tar and gzip.
 *
 * Bound: this process's RSS may grow at most 250 MB over its level when the export starts
 * (sampled every 25 ms). The export streams page by page; holding the section, or a source, in
 * memory would be a gigabyte.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, opsctl } from '../../../main/cli/opsctl';
import { createServices, type Services } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import type { BundleLimitsInput, ExportProgress } from '../../../shared/model/bundle';
import type { LogEntry } from '../../../shared/model/logs';
import type { Target } from '../../../shared/model/target';
import { startKeyring, type Keyring } from '../../support/keyring';
import { freePort } from '../../support/sshd';
import { captureOpsctl, exportSettled, manifestStreamed, sampleRss } from './bundle-support';

const TARGET_BYTES = Number(process.env.LARGE_EXPORT_BYTES ?? 1024 ** 3);
const RSS_GROWTH_BOUND = 250 * 1024 * 1024;
const BATCH = 5_000;
const SOURCES = ['shop-backend-1', 'shop-frontend-1', 'shop-worker-1', 'shop-db-1'];
const LIMITS: BundleLimitsInput = { totalBytes: 8 * 1024 ** 3, logBytesPerSource: 8 * 1024 ** 3, logLinesPerSource: 100_000_000, runBytes: 10 * 1024 * 1024 };

let keyring: Keyring;
let services: Services;
let dataDir: string;
let target: Target;
let cachedLines = 0;
let cachedBytes = 0;

/** One batch of lines (request logs and JSON with payloads), spread over the last 50 minutes. */
function batch(first: number, count: number, fromMs: number, spanMs: number, total: number): LogEntry[] {
  const entries: LogEntry[] = new Array(count);
  for (let k = 0; k < count; k++) {
    const i = first + k;
    const container = SOURCES[i % SOURCES.length]!;
    const message =
      i % 3 === 0
        ? JSON.stringify({ level: 'info', msg: 'request finished', path: `/api/orders/${(i * 7919) % 1_000_000}`, ms: (i * 31) % 900, body: 'o'.repeat(200 + ((i * 37) % 1000)) })
        : `INFO [worker-${i % 7}] processed job ${i} in ${(i * 17) % 5000} ms queue=default attempt=1 ${'x'.repeat(200 + ((i * 13) % 1000))}`;
    entries[k] = {
      ts: new Date(fromMs + Math.floor((i / total) * spanMs)).toISOString(),
      target: target.id,
      service: container.replace(/^shop-|-\d+$/g, ''),
      container,
      stream: i % 11 === 0 ? 'stderr' : 'stdout',
      level: i % 11 === 0 ? 'warn' : 'info',
      message,
    };
  }
  return entries;
}

beforeAll(async () => {
  keyring = await startKeyring();
  keyring.useInThisProcess();
  dataDir = mkdtempSync(join(tmpdir(), 'cr-bundle-large-'));
  // No trim while the test fills the cache past its default bound.
  services = createServices({ dataDir, credentials: new KeytarBackend(`control-room-test-${process.pid}`), probes: { background: false }, logs: { cache: { trimIntervalMs: 3_600_000 } } });
  await services.logs.cache.setLimits({ maxBytes: 16 * 1024 ** 3, maxAgeHours: 24 * 7 });
  // A Docker host that is not there: the bundle is the cache's (no fresh tail to wait for).
  target = await services.targets.create({ name: 'big-logs', environment: 'prod', kind: 'docker-ssh', settings: { host: '127.0.0.1', port: await freePort(), username: 'root', socketPath: '/var/run/docker.sock' } });

  const spanMs = 50 * 60_000;
  const fromMs = Date.now() - spanMs - 60_000;
  const estimatedLines = Math.ceil(TARGET_BYTES / 750);
  for (let first = 0; cachedBytes < TARGET_BYTES; first += BATCH) {
    const entries = batch(first, BATCH, fromMs, spanMs, estimatedLines);
    services.logs.cache.insert(entries);
    cachedLines += entries.length;
    for (const e of entries) cachedBytes += Buffer.byteLength(e.message);
    // Let the event loop breathe between batches (timers, the keyring's D-Bus traffic).
    if (first % (BATCH * 40) === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  services.logs.cache.flush();
}, 600_000);

afterAll(async () => {
  services?.close();
  await keyring?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const folderFiles = () => (existsSync(services.bundles.folder) ? readdirSync(services.bundles.folder).filter((f) => !f.startsWith('.')) : []);

describe('a bundle over 1 GB of cached log lines', () => {
  it(`is written with RSS growth under ${RSS_GROWTH_BOUND / 1024 / 1024} MB, every line in it`, async () => {
    expect(cachedBytes).toBeGreaterThanOrEqual(TARGET_BYTES);
    const rss = sampleRss();
    const { progress, file } = await exportSettled(services, { targetId: target.id, window: { mode: 'last', minutes: 60 }, limits: LIMITS });
    const { growthBytes, startBytes, peakBytes } = rss.stop();
    console.info(`large-export: ${cachedLines} lines, ${(cachedBytes / 1024 ** 2).toFixed(0)} MiB of messages; bundle ${((progress.bundle?.bytes ?? 0) / 1024 ** 2).toFixed(0)} MiB; RSS ${(startBytes / 1024 ** 2).toFixed(0)} → peak ${(peakBytes / 1024 ** 2).toFixed(0)} MiB (growth ${(growthBytes / 1024 ** 2).toFixed(0)} MiB)`);
    expect(growthBytes).toBeLessThan(RSS_GROWTH_BOUND);

    // Read with plain tar + gzip, skipping the log members rather than holding a gigabyte.
    const manifest = await manifestStreamed(file);
    expect(manifest.cut).toEqual([]);
    const logFiles = manifest.files.filter((f) => f.section === 'logs');
    expect(logFiles).toHaveLength(SOURCES.length);
    expect(logFiles.reduce((n, f) => n + (f.lines ?? 0), 0)).toBe(cachedLines);
    expect(logFiles.reduce((n, f) => n + f.bytes, 0)).toBeGreaterThan(cachedBytes);
    expect(existsSync(file)).toBe(true);
  }, 900_000);

  it('canceled midway (past 30%) leaves no .part and no bundle file', async () => {
    const before = folderFiles();
    const started = services.bundles.startExport({ targetId: target.id, window: { mode: 'last', minutes: 60 }, limits: LIMITS });
    let seen: ExportProgress | undefined;
    const canceled = new Promise<void>((resolve) => {
      const off = services.bundles.onProgress((progress) => {
        if (progress.exportId !== started.exportId || progress.state !== 'running' || progress.fraction <= 0.3) return;
        seen = progress;
        off();
        services.bundles.cancelExport(started.exportId);
        resolve();
      });
    });
    await canceled;
    const settled = await services.bundles.exportSettled(started.exportId);
    expect(seen!.fraction).toBeGreaterThan(0.3);
    expect(seen!.bytesWritten).toBeGreaterThan(0);
    expect(settled.state).toBe('canceled');
    expect(settled.bundle).toBeNull();
    expect(folderFiles()).toEqual(before);
    expect(folderFiles().some((f) => f.endsWith('.part'))).toBe(false);
    const partsAnywhere = readdirSync(services.bundles.folder, { recursive: true }).map(String).filter((f) => f.endsWith('.part'));
    expect(partsAnywhere).toEqual([]);
  }, 900_000);

  it('opsctl bundle: Ctrl+C past 30% cancels the export — exit 1, one sentence, no file anywhere', async () => {
    const before = folderFiles();
    const out = join(dataDir, 'opsctl-out.tar.gz');
    const ctrlC = new AbortController();
    const c = captureOpsctl(dataDir);
    c.io.stop = ctrlC.signal;
    c.io.stderrIsTty = true;
    // A person watching stderr presses Ctrl+C once the progress passes 30%.
    c.io.err = (line) => {
      c.err.push(line);
      const percent = /^(\d+)% /.exec(line);
      if (percent && Number(percent[1]) > 30) ctrlC.abort();
    };
    const code = await opsctl(['bundle', '--target', 'big-logs', '--out', out], c.io);
    expect(ctrlC.signal.aborted).toBe(true);
    expect(code).toBe(EXIT.failed);
    expect(c.err.at(-1)).toBe('opsctl: The export was canceled; no bundle was written.');
    expect(existsSync(out)).toBe(false);
    expect(folderFiles()).toEqual(before);
  }, 900_000);
});

