/**
 * Writes a support bundle: a gzipped tar streamed to `<path>.part` and renamed to `path` only when
 * finished, so a canceled or failed export leaves no partial file. NOT BUILT YET.
 *
 * Files are streamed in (a chunk at a time, never a whole section in memory); each one's size,
 * sha256 and line count are measured on the way through for the manifest, which is written last
 * (readers find it by name).
 */
import type { BundleManifest } from '../../shared/model/bundle';

export interface WrittenFile {
  path: string;
  bytes: number;
  sha256: string;
  /** Newlines counted (NDJSON and text); null for binary content types. */
  lines: number | null;
}

export type FileBody = Buffer | string | AsyncIterable<Buffer | string>;

const NOT_BUILT = 'The bundle writer is not built yet.';

export class BundleWriter {
  private constructor(readonly path: string) {}

  /** Opens `<path>.part` for writing. */
  static open(path: string): Promise<BundleWriter> {
    return Promise.reject(new Error(`${NOT_BUILT} (${path})`));
  }

  /** Bytes written to the compressed file so far. */
  get compressedBytes(): number {
    return 0;
  }

  /** Adds one file; resolves once it is in the archive. `signal` aborts mid-file. */
  addFile(_path: string, _body: FileBody, _options: { contentType: string; signal?: AbortSignal }): Promise<WrittenFile> {
    return Promise.reject(new Error(NOT_BUILT));
  }

  /** Writes `manifest.json`, ends the archive and renames the file into place. */
  finish(_manifest: BundleManifest): Promise<{ path: string; bytes: number; sha256: string }> {
    return Promise.reject(new Error(NOT_BUILT));
  }

  /** Stops and removes the partial file. */
  abort(): Promise<void> {
    return Promise.resolve();
  }
}
