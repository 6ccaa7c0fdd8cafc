/**
 * The bundle writer and reader on real files: a bundle of several files — one a 200 MB NDJSON
 * body streamed from an AsyncIterable — written with bounded memory, listed by the system's own
 * tar, opened and verified by the reader, and read back line by line. Cancel and abort leave no
 * `.part` and no spool file behind.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openBundle } from '../../../node/bundle/bundle-reader';
import { BundleWriter } from '../../../node/bundle/bundle-writer';
import { sampleRss } from './bundle-support';
import { logLine, manifestFor, ndjsonLines } from './format-fixtures';

const MB = 1024 * 1024;
/** The bound the 200 MB body must stay under: it never sits in memory whole (or in half). */
const RSS_GROWTH_BOUND = 100 * MB;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cr-bundle-format-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('a bundle written and read back', () => {
  it('round-trips several files, one a 200 MB streamed NDJSON body, with RSS growth under 100 MB', { timeout: 240_000 }, async () => {
    const file = join(dir, 'round-trip.tar.gz');
    const context = `${JSON.stringify({ target: 'format-test', containers: ['api', 'db'], note: 'José — “résumé” ✓ 🚀' }, null, 2)}\n`;
    const artifact = randomBytes(300 * 1024);
    const events = Array.from({ length: 50 }, (_, i) => logLine(i)).join('');
    const big = { lines: 0, bytes: 0 };

    global.gc?.();
    const rss = sampleRss(25);
    const writer = await BundleWriter.open(file, { mtime: new Date('2026-11-26T12:00:00Z') });
    const written = [
      { ...(await writer.addFile('context.json', context, { contentType: 'application/json' })), section: 'context' as const, contentType: 'application/json' },
      { ...(await writer.addFile('logs/api.ndjson', ndjsonLines(200 * MB, big), { contentType: 'application/x-ndjson' })), section: 'logs' as const, contentType: 'application/x-ndjson' },
      { ...(await writer.addFile('runs/run-1/events.ndjson', (async function* () { yield events; })(), { contentType: 'application/x-ndjson' })), section: 'runs' as const, contentType: 'application/x-ndjson' },
      { ...(await writer.addFile('runs/run-1/artifacts/screen.png', artifact, { contentType: 'image/png' })), section: 'runs' as const, contentType: 'image/png' },
    ];
    expect(writer.compressedBytes).toBeGreaterThan(0);
    const result = await writer.finish(manifestFor(written));
    const memory = rss.stop();
    console.log(`200 MB body: RSS ${(memory.startBytes / MB).toFixed(0)} MB at the start, peak growth ${(memory.growthBytes / MB).toFixed(1)} MB (bound ${RSS_GROWTH_BOUND / MB} MB)`);
    expect(memory.growthBytes).toBeLessThan(RSS_GROWTH_BOUND);

    // What the writer measured is what went in.
    expect(big.bytes).toBeGreaterThanOrEqual(200 * MB);
    expect(written[0]).toMatchObject({ path: 'context.json', bytes: Buffer.byteLength(context), sha256: sha256(context), lines: context.split('\n').length - 1 });
    expect(written[1]).toMatchObject({ path: 'logs/api.ndjson', bytes: big.bytes, lines: big.lines });
    expect(written[2]).toMatchObject({ bytes: Buffer.byteLength(events), sha256: sha256(events), lines: 50 });
    expect(written[3]).toMatchObject({ bytes: artifact.length, sha256: sha256(artifact), lines: null });

    // The file is in place, whole, with nothing left beside it.
    expect(result.path).toBe(file);
    expect(result.bytes).toBe(statSync(file).size);
    expect(result.sha256).toBe(sha256(readFileSync(file)));
    expect(readdirSync(dir)).toEqual(['round-trip.tar.gz']);

    // Any tar reads it: manifest last.
    const listing = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n');
    expect(listing).toEqual(['context.json', 'logs/api.ndjson', 'runs/run-1/events.ndjson', 'runs/run-1/artifacts/screen.png', 'manifest.json']);

    const opened = await openBundle(file, join(dir, 'open'));
    expect(opened.kind).toBe('control-room');
    expect(opened.paths()).toEqual(listing);
    expect(opened.manifest?.files.map((f) => [f.path, f.bytes, f.sha256])).toEqual(written.map((f) => [f.path, f.bytes, f.sha256]));
    expect(await opened.readText('context.json')).toBe(context);
    expect(await opened.readJson('context.json')).toMatchObject({ note: 'José — “résumé” ✓ 🚀' });
    expect((await opened.readBytes('runs/run-1/artifacts/screen.png')).equals(artifact)).toBe(true);

    let count = 0;
    let last = '';
    for await (const line of opened.lines('logs/api.ndjson')) {
      if (count < 3) expect(line).toBe(logLine(count).trimEnd());
      last = line;
      count++;
    }
    expect(count).toBe(big.lines);
    expect(last).toBe(logLine(big.lines - 1).trimEnd());
    await expect(opened.readText('logs/missing.ndjson')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('keeps names longer than a tar header holds, and non-ASCII names, and refuses the same name twice', async () => {
    const file = join(dir, 'names.tar.gz');
    const long = `runs/${'run-0123456789abcdef'.repeat(6)}/artifacts/${'screenshot-of-the-failing-step'.repeat(3)}.png`;
    const accented = 'runs/run-1/artifacts/résumé ✓.txt';
    expect(long.length).toBeGreaterThan(200);
    const writer = await BundleWriter.open(file);
    const a = await writer.addFile(long, randomBytes(1000), { contentType: 'image/png' });
    const b = await writer.addFile(accented, 'ok\n', { contentType: 'text/plain' });
    await expect(writer.addFile(accented, 'again\n', { contentType: 'text/plain' })).rejects.toThrow(/already holds/);
    await expect(writer.addFile('manifest.json', '{}', { contentType: 'application/json' })).rejects.toThrow(/written by finish/);
    await writer.finish(manifestFor([{ ...a, section: 'runs', contentType: 'image/png' }, { ...b, section: 'runs', contentType: 'text/plain' }]));
    const opened = await openBundle(file, join(dir, 'open'));
    expect(opened.paths()).toEqual([long, accented, 'manifest.json']);
    expect(await opened.readText(accented)).toBe('ok\n');
  });

  it('lines() stops with the abort reason when its signal fires', async () => {
    const file = join(dir, 'lines.tar.gz');
    const writer = await BundleWriter.open(file);
    const body = Array.from({ length: 1_000 }, (_, i) => logLine(i)).join('');
    const logs = await writer.addFile('logs/api.ndjson', body, { contentType: 'application/x-ndjson' });
    await writer.finish(manifestFor([{ ...logs, section: 'logs', contentType: 'application/x-ndjson' }]));
    const opened = await openBundle(file, join(dir, 'open'));
    const stop = new AbortController();
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const line of opened.lines('logs/api.ndjson', stop.signal)) {
          seen.push(line);
          if (seen.length === 10) stop.abort(new Error('The log view was closed.'));
        }
      })(),
    ).rejects.toThrow('The log view was closed.');
    expect(seen).toHaveLength(10);
  });
});

describe('a bundle that is not finished', () => {
  it('a canceled addFile rejects with the reason, and abort() leaves no .part and no spool file', async () => {
    const file = join(dir, 'canceled.tar.gz');
    const writer = await BundleWriter.open(file);
    await writer.addFile('context.json', '{}\n', { contentType: 'application/json' });
    const cancel = new AbortController();
    const counted = { lines: 0, bytes: 0 };
    const watcher = setInterval(() => {
      if (counted.bytes > 20 * MB) cancel.abort(new Error('The export was canceled.'));
    }, 5);
    try {
      await expect(writer.addFile('logs/api.ndjson', ndjsonLines(200 * MB, counted), { contentType: 'application/x-ndjson', signal: cancel.signal })).rejects.toThrow(
        'The export was canceled.',
      );
    } finally {
      clearInterval(watcher);
    }
    expect(counted.bytes).toBeLessThan(200 * MB);
    await writer.abort();
    expect(readdirSync(dir)).toEqual([]);
    // Nothing more goes into an aborted bundle.
    await expect(writer.addFile('late.json', '{}', { contentType: 'application/json' })).rejects.toThrow(/aborted/);
  });

  it('a signal that fires while the body is streamed into the archive stops it too', async () => {
    const file = join(dir, 'canceled-late.tar.gz');
    const writer = await BundleWriter.open(file);
    const cancel = new AbortController();
    // A 64 MiB Buffer goes straight into its entry, a slice at a time: abort between slices.
    const body = Buffer.alloc(64 * MB, 'x');
    const adding = writer.addFile('logs/buffer.ndjson', body, { contentType: 'text/plain', signal: cancel.signal });
    const waitForBytes = async () => {
      while (writer.compressedBytes === 0) await new Promise((resolve) => setImmediate(resolve));
    };
    await waitForBytes();
    cancel.abort(new Error('The export was canceled.'));
    await expect(adding).rejects.toThrow('The export was canceled.');
    await writer.abort();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('abort() while a file is being added ends that addFile and removes the .part', async () => {
    const file = join(dir, 'aborted.tar.gz');
    const writer = await BundleWriter.open(file);
    const counted = { lines: 0, bytes: 0 };
    const adding = writer.addFile('logs/api.ndjson', ndjsonLines(5 * MB, counted), { contentType: 'application/x-ndjson' });
    while (counted.bytes < MB) await new Promise((resolve) => setImmediate(resolve));
    await writer.abort();
    await expect(adding).rejects.toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('abort() while a spooled file is still being written behind the caller removes its spool and the .part', async () => {
    const file = join(dir, 'behind.tar.gz');
    const writer = await BundleWriter.open(file);
    // Resolves once measured; its 40 MB are then compressed into the archive in the background.
    const written = await writer.addFile('logs/api.ndjson', ndjsonLines(40 * MB), { contentType: 'application/x-ndjson' });
    expect(written.bytes).toBeGreaterThanOrEqual(40 * MB);
    // Its spool is still there: the archive has not taken it all in yet.
    expect(readdirSync(dir).filter((name) => name.startsWith('.spool-'))).toHaveLength(1);
    await writer.abort();
    expect(readdirSync(dir)).toEqual([]);
    await expect(writer.finish(manifestFor([]))).rejects.toThrow(/aborted/);
  });

  it('a body that fails midway fails addFile, and the writer can still be aborted cleanly', async () => {
    const file = join(dir, 'failed.tar.gz');
    const writer = await BundleWriter.open(file);
    async function* failing() {
      yield 'first line\n'.repeat(1_000_000);
      throw new Error('The log cache could not be read.');
    }
    await expect(writer.addFile('logs/api.ndjson', failing(), { contentType: 'application/x-ndjson' })).rejects.toThrow('The log cache could not be read.');
    await writer.abort();
    expect(readdirSync(dir)).toEqual([]);
  });
});

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
