/**
 * The bundles folder: what is in it (bundle files with a few facts from their manifest, read
 * once per file version), reading a file in chunks for "Save as", and safe unique names for new
 * files (exports, imports, re-redactions).
 */
import { closeSync, createReadStream, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip, gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { ApiError } from '../../../shared/errors';
import { BundleId, BundleManifest, type BundleFile } from '../../../shared/model/bundle';
import { MANIFEST_PATH } from '../../../node/bundle/bundle-writer';
import { readAt, readBase64Chunk, type Base64Chunk } from '../../../node/file-chunk';

export const READ_CHUNK_BYTES = 512 * 1024;
/** An agent bundle's facts are read from the whole JSON: it is small. Bigger ones list without them. */
const AGENT_PEEK_MAX_BYTES = 64 * 1024 * 1024;
/** Unknown Control Room bundles up to this size are read at once when listed (the whole tar is inflated). */
const SYNC_PEEK_MAX_BYTES = 2 * 1024 * 1024;
/** The facts of listed files, kept across restarts so a big bundle's manifest is read once. */
const INDEX_FILE = '.index.json';

interface Listed {
  mtimeMs: number;
  size: number;
  file: BundleFile;
}

export class BundleFolder {
  private readonly listed = new Map<string, Listed>();

  constructor(readonly path: string) {
    try {
      const saved = JSON.parse(readFileSync(join(path, INDEX_FILE), 'utf8')) as Record<string, Listed>;
      for (const [name, entry] of Object.entries(saved)) this.listed.set(name, entry);
    } catch {
      // No index yet (or a damaged one): files are read again as they are listed.
    }
  }

  private saveIndex(): void {
    if (!existsSync(this.path)) return;
    try {
      writeFileSync(join(this.path, INDEX_FILE), JSON.stringify(Object.fromEntries(this.listed)));
    } catch {
      // Only a cache: the next list reads the files again.
    }
  }

  ensure(): void {
    mkdirSync(this.path, { recursive: true });
  }

  /** A bundle id checked to be a plain file name of the folder. */
  fileOf(id: string): string {
    const parsed = BundleId.safeParse(id);
    if (!parsed.success || id.startsWith('.')) throw new ApiError('invalid-request', `"${id}" is not a bundle file name.`);
    return join(this.path, id);
  }

  /** The file of an existing bundle; not-found with the next step otherwise. */
  existing(id: string): string {
    const file = this.fileOf(id);
    if (!existsSync(file)) throw new ApiError('not-found', `There is no bundle ${id} in the bundles folder — refresh the list.`);
    return file;
  }

  /**
   * Newest first. Synchronous (the API lists often): a file this folder wrote or has seen is
   * known from its cache; a small unknown one is read at once; a big unknown one is listed from
   * the file system first and its manifest read in the background for the next list.
   */
  list(): BundleFile[] {
    if (!existsSync(this.path)) return [];
    const names = readdirSync(this.path).filter((name) => !name.startsWith('.') && BundleId.safeParse(name).success);
    const files: BundleFile[] = [];
    for (const name of names) {
      try {
        files.push(this.info(name));
      } catch {
        // A file being written or unreadable is left out of the list, not an error for all of it.
      }
    }
    let forgot = false;
    for (const name of this.listed.keys()) {
      if (names.includes(name)) continue;
      this.listed.delete(name);
      forgot = true;
    }
    if (forgot) this.saveIndex();
    return files.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : a.id.localeCompare(b.id)));
  }

  /** One file's facts, cached per modification time and size. */
  info(name: string): BundleFile {
    const file = this.fileOf(name);
    const stat = statSync(file);
    const known = this.listed.get(name);
    if (known && known.mtimeMs === stat.mtimeMs && known.size === stat.size) return known.file;
    if (name.endsWith('.json.gz')) return this.remember(name, agentInfo(file, name, stat.size, stat.mtime));
    if (stat.size <= SYNC_PEEK_MAX_BYTES) return this.remember(name, controlRoomInfo(name, stat.size, stat.mtime, manifestInTar(gunzipSync(readWhole(file)))));
    const guess = controlRoomInfo(name, stat.size, stat.mtime, null);
    void peekManifest(file)
      .then((manifest) => {
        const now = statSync(file);
        if (now.mtimeMs !== stat.mtimeMs) return;
        this.listed.set(name, { mtimeMs: now.mtimeMs, size: now.size, file: controlRoomInfo(name, now.size, now.mtime, manifest) });
        this.saveIndex();
      })
      .catch(() => undefined);
    return guess;
  }

  /** Primes the cache with a manifest already in hand (the file was just written). */
  known(name: string, manifest: BundleManifest | null): BundleFile {
    const file = this.fileOf(name);
    const stat = statSync(file);
    const info = name.endsWith('.json.gz') ? agentInfo(file, name, stat.size, stat.mtime) : controlRoomInfo(name, stat.size, stat.mtime, manifest);
    return this.remember(name, info);
  }

  private remember(name: string, info: BundleFile): BundleFile {
    const stat = statSync(this.fileOf(name));
    this.listed.set(name, { mtimeMs: stat.mtimeMs, size: stat.size, file: info });
    this.saveIndex();
    return info;
  }

  forget(name: string): void {
    if (this.listed.delete(name)) this.saveIndex();
  }

  /** `<base>.<ext>`, or `<base>-2.<ext>`… when taken. */
  uniqueName(base: string, ext: 'tar.gz' | 'json.gz'): string {
    const clean = safeBase(base);
    for (let n = 1; ; n++) {
      const name = n === 1 ? `${clean}.${ext}` : `${clean}-${n}.${ext}`;
      if (!existsSync(join(this.path, name)) && !existsSync(join(this.path, `${name}.part`))) return name;
    }
  }

  /** At most 512 KiB from `offset`, as base64. */
  read(id: string, offset: number): Base64Chunk {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new ApiError('invalid-request', 'Read a bundle from a whole number of bytes, 0 or more.');
    const file = this.existing(id);
    const fd = openSync(file, 'r');
    try {
      return readBase64Chunk(fd, offset, READ_CHUNK_BYTES);
    } finally {
      closeSync(fd);
    }
  }
}

/** A name fit for the folder: letters, digits, dot, dash, underscore. */
export function safeBase(base: string): string {
  return base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '').slice(0, 150) || 'bundle';
}

/** The manifest of a Control Room bundle, read from the archive without keeping anything else. */
export function peekManifest(file: string): Promise<BundleManifest | null> {
  return new Promise((resolve, reject) => {
    const source = createReadStream(file);
    const gunzip = createGunzip();
    const extract = tar.extract();
    let manifest: BundleManifest | null = null;
    const fail = (error: Error) => {
      source.destroy();
      reject(error);
    };
    source.on('error', fail);
    gunzip.on('error', fail);
    extract.on('error', fail);
    extract.on('entry', (header, stream, next) => {
      if (header.name !== MANIFEST_PATH) {
        stream.on('end', next);
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      stream.on('end', () => {
        try {
          manifest = BundleManifest.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          manifest = null;
        }
        next();
      });
    });
    extract.on('finish', () => resolve(manifest));
    source.pipe(gunzip).pipe(extract);
  });
}

/** `manifest.json` of an uncompressed tar, found by walking its headers. */
export function manifestInTar(tarBytes: Buffer): BundleManifest | null {
  let offset = 0;
  while (offset + 512 <= tarBytes.length) {
    const header = tarBytes.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(header.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
    const start = offset + 512;
    if (name === MANIFEST_PATH) {
      try {
        return BundleManifest.parse(JSON.parse(tarBytes.subarray(start, start + size).toString('utf8')));
      } catch {
        return null;
      }
    }
    offset = start + Math.ceil(size / 512) * 512;
  }
  return null;
}

function controlRoomInfo(name: string, bytes: number, mtime: Date, manifest: BundleManifest | null): BundleFile {
  return {
    id: name,
    bytes,
    created: manifest?.created ?? mtime.toISOString(),
    kind: 'control-room',
    targetName: manifest?.target.name ?? null,
    environment: manifest?.target.environment ?? null,
    window: manifest?.window.description ?? null,
  };
}

function agentInfo(file: string, name: string, bytes: number, mtime: Date): BundleFile {
  let created = mtime.toISOString();
  let targetName: string | null = null;
  if (bytes <= AGENT_PEEK_MAX_BYTES) {
    try {
      const parsed = JSON.parse(gunzipSync(readWhole(file)).toString('utf8')) as { generatedAt?: unknown; agent?: { host?: unknown } };
      if (typeof parsed.generatedAt === 'string') created = parsed.generatedAt;
      if (typeof parsed.agent?.host === 'string') targetName = parsed.agent.host;
    } catch {
      // Listed with what the file system says; opening it says what is wrong.
    }
  }
  return { id: name, bytes, created, kind: 'agent', targetName, environment: null, window: null };
}

function readWhole(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    return readAt(fd, 0, fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
}
