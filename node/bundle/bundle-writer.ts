/**
 * Writes a support bundle: a gzipped tar streamed to `<path>.part` and renamed to `path` only when
 * finished (after an fsync), so a canceled or failed export leaves no partial file.
 *
 * Files are streamed in (a chunk at a time, never a whole section in memory); each one's size,
 * sha256 and line count are measured on the way through for the manifest, which is written last
 * (readers find it by name). A tar header carries the entry's size before its bytes, so a body
 * whose size is not known yet (an AsyncIterable) is spooled first (see body-spool.ts) and then
 * streamed into its entry; Buffers and strings go in directly.
 *
 * Backpressure runs end to end: the tar entry's write waits for the pack, the pack for gzip, gzip
 * for the file, so a 1 GB section holds a few chunks in memory at a time.
 */
import { createHash, type Hash } from 'node:crypto';
import { close, createWriteStream, fsync, open } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { Transform, type TransformCallback, type Writable } from 'node:stream';
import { dirname } from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';
import tar from 'tar-stream';
import { abortReason } from '../abort';
import type { BundleManifest } from '../../shared/model/bundle';
import { BodyMeter, spoolBody, type SpooledBody } from './body-spool';

export interface WrittenFile {
  path: string;
  bytes: number;
  sha256: string;
  /** Newlines counted (NDJSON and text); null for binary content types. */
  lines: number | null;
}

export type FileBody = Buffer | string | AsyncIterable<Buffer | string>;

const openAsync = promisify(open);
const fsyncAsync = promisify(fsync);
const closeAsync = promisify(close);

export const MANIFEST_PATH = 'manifest.json';

/** Content types whose newlines are counted: NDJSON, JSON and text. */
export function countsLines(contentType: string): boolean {
  return /^text\/|ndjson|json/.test(contentType);
}

/** Counts and hashes the compressed bytes on their way to the file. */
class CompressedMeter extends Transform {
  bytes = 0;
  readonly hash: Hash = createHash('sha256');

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    callback(null, chunk);
  }
}

/**
 * Writes `chunk` into a tar entry, waiting for it to drain when it is full; a sink closed
 * meanwhile (the writer aborted) ends the wait with an error instead of leaving it hanging.
 */
function writeWithBackpressure(sink: Writable, chunk: Buffer): Promise<void> {
  if (sink.write(chunk)) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: Error) => {
      sink.off('drain', onDrain);
      sink.off('close', onClose);
      sink.off('error', settle);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => settle();
    const onClose = () => settle(new Error('The bundle was aborted while a file was being written.'));
    sink.on('drain', onDrain);
    sink.on('close', onClose);
    sink.on('error', settle);
  });
}

export class BundleWriter {
  private readonly pack = tar.pack();
  private readonly gzip: Gzip = createGzip();
  private readonly meter = new CompressedMeter();
  /** Settles when the compressed stream has reached the file (or failed on the way). */
  private readonly flushed: Promise<void>;
  private readonly file: Writable;
  private readonly paths = new Set<string>();
  private failure: Error | null = null;
  private closed = false;
  private busy = false;
  /**
   * A spooled file being streamed into the archive behind the caller: its compression (on
   * zlib's thread) overlaps with collecting the next file, as in a plain gzip pipe. Never
   * rejects; a failure is kept in `failure` for the next call.
   */
  private behind: Promise<void> = Promise.resolve();
  private state: 'open' | 'finished' | 'aborted' = 'open';

  private constructor(
    readonly path: string,
    private readonly partPath: string,
    /** A plain descriptor, not a FileHandle: a FileHandle's close() waits for its streams to close. */
    private readonly fd: number,
    private readonly mtime: Date,
  ) {
    const file = createWriteStream('', { fd, autoClose: false, highWaterMark: 1024 * 1024 });
    this.file = file;
    this.pack.pipe(this.gzip);
    this.gzip.pipe(this.meter).pipe(file);
    const fail = (error: Error) => {
      this.failure ??= error;
    };
    this.pack.on('error', fail);
    this.gzip.on('error', fail);
    this.meter.on('error', fail);
    file.on('error', fail);
    // 'finish', not 'close': the handle stays open (autoClose off) for the fsync in finish().
    this.flushed = new Promise<void>((resolve, reject) => {
      file.once('finish', resolve);
      file.once('close', () => reject(new Error('The bundle was aborted.')));
      this.gzip.once('error', reject);
      this.meter.once('error', reject);
      file.once('error', reject);
    });
    this.flushed.catch(fail);
  }

  /**
   * Opens `<path>.part` for writing (an older `.part` of the same name is replaced). `mtime` is
   * every entry's time in the tar (the export's created time); the epoch by default.
   */
  static async open(path: string, options: { mtime?: Date } = {}): Promise<BundleWriter> {
    const partPath = `${path}.part`;
    const fd = await openAsync(partPath, 'w');
    return new BundleWriter(path, partPath, fd, options.mtime ?? new Date(0));
  }

  /** Bytes written to the compressed file so far. */
  get compressedBytes(): number {
    return this.meter.bytes;
  }

  /**
   * Adds one file; resolves once it is measured. A Buffer or string is in the archive by then;
   * a spooled body is streamed in behind the caller (finish() and the next addFile wait for it).
   * `signal` aborts mid-file.
   */
  async addFile(path: string, body: FileBody, options: { contentType: string; signal?: AbortSignal }): Promise<WrittenFile> {
    this.assertWritable();
    if (path === MANIFEST_PATH) throw new Error(`${MANIFEST_PATH} is written by finish(), not added as a file.`);
    if (this.paths.has(path)) throw new Error(`The bundle already holds ${path}; each file is added once.`);
    this.paths.add(path);
    this.busy = true;
    let spooled: SpooledBody | null = null;
    try {
      const countLines = countsLines(options.contentType);
      if (Buffer.isBuffer(body) || typeof body === 'string') {
        const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
        const meter = new BodyMeter(countLines);
        meter.update(bytes);
        if (options.signal?.aborted) throw abortReason(options.signal);
        await this.settleBehind();
        await this.writeEntry(path, bytes.length, oneChunk(bytes), options.signal);
        return { path, ...meter.result() };
      }
      spooled = await spoolBody(body, { dir: this.spoolDir(), countLines, signal: options.signal });
      // One spooled file at most is written behind the caller: a second waits for the first.
      await this.settleBehind();
      const entry = spooled;
      spooled = null;
      this.behind = this.writeEntry(path, entry.bytes, entry.chunks(), options.signal)
        .finally(() => entry.dispose())
        .catch((error: unknown) => {
          this.failure ??= error instanceof Error ? error : new Error(String(error));
        });
      return { path, bytes: entry.bytes, sha256: entry.sha256, lines: entry.lines };
    } finally {
      this.busy = false;
      await spooled?.dispose();
    }
  }

  /** Writes `manifest.json`, ends the archive and renames the file into place. */
  async finish(manifest: BundleManifest): Promise<{ path: string; bytes: number; sha256: string }> {
    this.assertWritable();
    this.busy = true;
    try {
      await this.settleBehind();
      const json = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
      await this.writeEntry(MANIFEST_PATH, json.length, oneChunk(json), undefined);
      this.pack.finalize();
      await this.flushed;
      if (this.failure) throw this.failure;
      // The bytes reach the disk before the name does: a crash never leaves a complete-looking
      // bundle with missing contents.
      await fsyncAsync(this.fd);
      this.closed = true;
      await closeAsync(this.fd);
      await rename(this.partPath, this.path);
      this.state = 'finished';
      return { path: this.path, bytes: this.meter.bytes, sha256: this.meter.hash.digest('hex') };
    } catch (error) {
      await this.abort();
      throw error;
    } finally {
      this.busy = false;
    }
  }

  /** Stops and removes the partial file. Safe to call more than once, and after a failure. */
  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    // Destroyed without an error: the entries and pipes close quietly instead of emitting one.
    this.pack.destroy();
    this.gzip.destroy();
    this.meter.destroy();
    this.file.destroy();
    // The file written behind stops at its next chunk and removes its spool.
    await this.behind;
    await this.flushed.catch(() => undefined);
    if (!this.closed) {
      this.closed = true;
      await closeAsync(this.fd).catch(() => undefined);
    }
    await rm(this.partPath, { force: true });
  }

  private async settleBehind(): Promise<void> {
    await this.behind;
    if (this.failure) throw this.failure;
    if (this.state !== 'open') throw new Error(`The bundle ${this.path} is ${this.state}; nothing more can be written to it.`);
  }

  private assertWritable(): void {
    if (this.state !== 'open') throw new Error(`The bundle ${this.path} is ${this.state}; nothing more can be written to it.`);
    if (this.busy) throw new Error('One file is added at a time: wait for the previous addFile to resolve.');
    if (this.failure) throw this.failure;
  }

  /** Spool files go next to the bundle, on the same disk, where the export has room. */
  private spoolDir(): string {
    return dirname(this.partPath);
  }

  private async writeEntry(name: string, size: number, chunks: AsyncIterable<Buffer>, signal: AbortSignal | undefined): Promise<void> {
    const sink = this.pack.entry({ name, size, mode: 0o644, mtime: this.mtime }) as unknown as Writable;
    const done = new Promise<void>((resolve, reject) => {
      sink.once('finish', () => resolve());
      // Kept for the entry's life: a tar entry destroyed with an error and no listener would throw.
      sink.on('error', (error: Error) => {
        this.failure ??= error;
        reject(error);
      });
      sink.once('close', () => resolve());
    });
    done.catch(() => undefined);
    for await (const chunk of chunks) {
      if (this.state !== 'open') throw new Error(`The bundle ${this.path} was ${this.state} while ${name} was being written.`);
      if (signal?.aborted) {
        const reason = abortReason(signal);
        // The archive is now mid-entry: only abort() is left.
        this.failure ??= reason;
        sink.destroy(reason);
        throw reason;
      }
      if (this.failure) throw this.failure;
      await writeWithBackpressure(sink, chunk);
    }
    sink.end();
    await done;
    if (this.failure) throw this.failure;
  }
}

async function* oneChunk(bytes: Buffer): AsyncIterable<Buffer> {
  // Large buffers go in as slices so the pack's queue never holds more than one of them.
  const slice = 1024 * 1024;
  for (let offset = 0; offset < bytes.length; offset += slice) yield bytes.subarray(offset, offset + slice);
}
