/**
 * Opens a bundle file: Control Room's `.tar.gz` (manifest checked, every file's sha256 verified)
 * or the agent's `.json.gz`. A corrupt or truncated file is refused with one sentence (an
 * ApiError `invalid-request`), never half-read. NOT BUILT YET.
 *
 * A `.tar.gz` is unpacked once into `extractDir` so sections can be read at random (logs page by
 * page) without holding the archive in memory.
 */
import type { BundleManifest } from '../../shared/model/bundle';

export interface OpenedBundle {
  kind: 'control-room' | 'agent';
  /** Null for an agent bundle. */
  manifest: BundleManifest | null;
  /** The agent bundle's parsed JSON (kind agent); null otherwise. */
  agent: Record<string, unknown> | null;
  /** Paths inside the bundle (manifest.json included). */
  paths(): string[];
  readText(path: string): Promise<string>;
  readJson(path: string): Promise<unknown>;
  /** An NDJSON or text file line by line, streamed. */
  lines(path: string, signal?: AbortSignal): AsyncIterable<string>;
  /** The raw bytes of a file (artifacts, the embedded agent bundle). */
  readBytes(path: string): Promise<Buffer>;
}

export function openBundle(_file: string, _extractDir: string): Promise<OpenedBundle> {
  return Promise.reject(new Error('Opening bundles is not built yet.'));
}
