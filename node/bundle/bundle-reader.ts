/**
 * Opens a bundle file: Control Room's `.tar.gz` (manifest checked, every file's sha256 verified)
 * or the agent's `.json.gz`. A corrupt or truncated file is refused with one sentence (an
 * ApiError `invalid-request`), never half-read.
 *
 * What a file is comes from its bytes, not its name: gzip magic first, then the decompressed
 * stream's first block — `ustar` at offset 257 is a tar (a Control Room bundle), anything else
 * must be the agent's gzipped JSON (`format: 'control-room-agent-bundle'`).
 *
 * A `.tar.gz` is unpacked once into `extractDir` so sections can be read at random (logs page by
 * page) without holding the archive in memory. Only plain files under safe relative names are
 * unpacked; an absolute path, a `..` or a link refuses the whole bundle. When opening fails,
 * `extractDir` is removed again.
 *
 * An agent bundle is one JSON document; it is shown under the same names a Control Room bundle
 * uses, so the rest of the app reads both alike (see agentFiles in agent-bundle-files.ts).
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { BundleManifest } from '../../shared/model/bundle';
import { ApiError } from '../../shared/errors';
import { abortReason } from '../abort';
import { AGENT_BUNDLE_FORMAT, agentFiles, type AgentFile } from './agent-bundle-files';
import { MANIFEST_PATH } from './bundle-writer';

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

const GZIP_MAGIC = [0x1f, 0x8b];
const TAR_MAGIC_OFFSET = 257;
/** An agent bundle is read whole; it holds a few thousand lines per service, far below this. */
const AGENT_BUNDLE_MAX_BYTES = 512 * 1024 * 1024;

export const bundleRefusals = {
  truncated: (name: string) => `The file ${name} is cut short (truncated) — copy or download it again.`,
  notBundle: (name: string) => `The file ${name} is not a Control Room or agent bundle (.tar.gz or .json.gz).`,
  noManifest: (name: string) => `The file ${name} has no manifest.json, so it is not a Control Room bundle — export it again from Control Room.`,
  damaged: (name: string, file: string) => `The bundle ${name} is damaged: ${file} does not match its manifest — ask for it again.`,
  corrupt: (name: string) => `The bundle ${name} is damaged: its compressed data does not check out — ask for it again.`,
  unsafe: (name: string, entry: string) =>
    `The bundle ${name} holds an unsafe entry "${entry}" (an absolute path, a ".." or a link), so it was not opened.`,
  unreadableManifest: (name: string) =>
    `The bundle ${name} has a manifest.json this version of Control Room cannot read — update the app or ask for a new bundle.`,
};

export async function openBundle(file: string, extractDir: string): Promise<OpenedBundle> {
  const name = basename(file);
  const head = await readHead(file, name);
  if (head.length < 2 || head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1]) {
    throw new ApiError('invalid-request', bundleRefusals.notBundle(name));
  }
  const first = await peekDecompressed(file, name, TAR_MAGIC_OFFSET + 5);
  if (first.subarray(TAR_MAGIC_OFFSET, TAR_MAGIC_OFFSET + 5).toString('latin1') === 'ustar') {
    return openControlRoomBundle(file, name, extractDir);
  }
  return openAgentBundle(file, name);
}

async function readHead(file: string, name: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ApiError('not-found', `The file ${name} does not exist.`);
    throw error;
  }
  try {
    const buffer = Buffer.alloc(2);
    const { bytesRead } = await handle.read(buffer, 0, 2, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The first `want` decompressed bytes (fewer when the content is shorter). */
async function peekDecompressed(file: string, name: string, want: number): Promise<Buffer> {
  const source = createReadStream(file);
  const gunzip = source.pipe(createGunzip());
  source.on('error', (error) => gunzip.destroy(error));
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of gunzip) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= want) break;
    }
  } catch (error) {
    // A file too short to show its first block is truncated whatever it was meant to be.
    throw refusalFor(error, name);
  } finally {
    source.destroy();
    gunzip.destroy();
  }
  return Buffer.concat(chunks, length);
}

/** Maps a gzip or tar failure to the sentence a person reads. */
function refusalFor(error: unknown, name: string): Error {
  if (error instanceof ApiError) return error;
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === 'Z_BUF_ERROR' || /unexpected end of (file|data)/i.test(message ?? '')) {
    return new ApiError('invalid-request', bundleRefusals.truncated(name));
  }
  if (code === 'Z_DATA_ERROR' || /invalid tar header|checksum/i.test(message ?? '')) {
    return new ApiError('invalid-request', bundleRefusals.corrupt(name));
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** A tar entry name that stays inside the extract folder: relative, no `..`, no empty parts. */
export function isSafeEntryName(entry: string): boolean {
  if (entry.length === 0 || entry.length > 1000) return false;
  if (entry.startsWith('/') || entry.includes('\\') || entry.includes('\0') || /^[a-zA-Z]:/.test(entry)) return false;
  return entry.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

interface Extracted {
  bytes: number;
  sha256: string;
}

async function extractAll(file: string, name: string, extractDir: string): Promise<Map<string, Extracted>> {
  const source = createReadStream(file, { highWaterMark: 1024 * 1024 });
  const gunzip = createGunzip();
  const extract = tar.extract();
  source.on('error', (error) => gunzip.destroy(error));
  gunzip.on('error', (error) => extract.destroy(error));
  source.pipe(gunzip).pipe(extract);
  const found = new Map<string, Extracted>();
  try {
    for await (const entry of extract) {
      const { name: entryName, type } = entry.header;
      if (type === 'directory') {
        if (!isSafeEntryName(entryName.replace(/\/$/, ''))) throw new ApiError('invalid-request', bundleRefusals.unsafe(name, entryName));
        entry.resume();
        continue;
      }
      if (type !== 'file' || !isSafeEntryName(entryName)) throw new ApiError('invalid-request', bundleRefusals.unsafe(name, entryName));
      if (found.has(entryName)) throw new ApiError('invalid-request', bundleRefusals.damaged(name, entryName));
      const target = join(extractDir, entryName);
      await mkdir(dirname(target), { recursive: true });
      const hash = createHash('sha256');
      let bytes = 0;
      const out = createWriteStream(target);
      for await (const piece of entry) {
        const chunk = piece as Buffer;
        hash.update(chunk);
        bytes += chunk.length;
        if (!out.write(chunk)) await once(out, 'drain');
      }
      out.end();
      await finished(out);
      found.set(entryName, { bytes, sha256: hash.digest('hex') });
    }
  } catch (error) {
    throw refusalFor(error, name);
  } finally {
    source.destroy();
    gunzip.destroy();
    extract.destroy();
  }
  return found;
}

async function openControlRoomBundle(file: string, name: string, extractDir: string): Promise<OpenedBundle> {
  await mkdir(extractDir, { recursive: true });
  try {
    const found = await extractAll(file, name, extractDir);
    if (!found.has(MANIFEST_PATH)) throw new ApiError('invalid-request', bundleRefusals.noManifest(name));
    let manifestJson: unknown;
    try {
      manifestJson = JSON.parse(await readFile(join(extractDir, MANIFEST_PATH), 'utf8'));
    } catch {
      throw new ApiError('invalid-request', bundleRefusals.damaged(name, MANIFEST_PATH));
    }
    const parsed = BundleManifest.safeParse(manifestJson);
    if (!parsed.success) throw new ApiError('invalid-request', bundleRefusals.unreadableManifest(name));
    const manifest = parsed.data;
    const listed = new Set<string>();
    for (const entry of manifest.files) {
      const actual = found.get(entry.path);
      if (!actual || actual.bytes !== entry.bytes || actual.sha256 !== entry.sha256) {
        throw new ApiError('invalid-request', bundleRefusals.damaged(name, entry.path));
      }
      listed.add(entry.path);
    }
    // A file the manifest does not list was added after the export: not what the sender sent.
    for (const path of found.keys()) {
      if (path !== MANIFEST_PATH && !listed.has(path)) throw new ApiError('invalid-request', bundleRefusals.damaged(name, path));
    }
    return extractedBundle(name, extractDir, [...found.keys()], manifest);
  } catch (error) {
    await rm(extractDir, { recursive: true, force: true });
    throw error;
  }
}

function extractedBundle(name: string, extractDir: string, paths: string[], manifest: BundleManifest): OpenedBundle {
  const known = new Set(paths);
  const locate = (path: string) => {
    if (!known.has(path)) throw new ApiError('not-found', `The bundle ${name} has no file ${path}.`);
    return join(extractDir, path);
  };
  return {
    kind: 'control-room',
    manifest,
    agent: null,
    paths: () => [...paths],
    readText: async (path) => readFile(locate(path), 'utf8'),
    readJson: async (path) => JSON.parse(await readFile(locate(path), 'utf8')) as unknown,
    readBytes: async (path) => readFile(locate(path)),
    lines: (path, signal) => fileLines(locate(path), signal),
  };
}

async function* fileLines(path: string, signal: AbortSignal | undefined): AsyncIterable<string> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  const reader = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of reader) {
      if (signal?.aborted) throw abortReason(signal);
      yield line;
    }
  } finally {
    reader.close();
    stream.destroy();
  }
}

async function openAgentBundle(file: string, name: string): Promise<OpenedBundle> {
  const source = createReadStream(file);
  const gunzip = source.pipe(createGunzip());
  source.on('error', (error) => gunzip.destroy(error));
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of gunzip) {
      length += (chunk as Buffer).length;
      if (length > AGENT_BUNDLE_MAX_BYTES) throw new ApiError('invalid-request', bundleRefusals.notBundle(name));
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    throw refusalFor(error, name);
  } finally {
    source.destroy();
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(chunks, length).toString('utf8'));
  } catch {
    throw new ApiError('invalid-request', bundleRefusals.notBundle(name));
  }
  if (typeof json !== 'object' || json === null || (json as { format?: unknown }).format !== AGENT_BUNDLE_FORMAT) {
    throw new ApiError('invalid-request', bundleRefusals.notBundle(name));
  }
  const agent = json as Record<string, unknown>;
  const files = agentFiles(agent);
  const locate = (path: string): AgentFile => {
    const found = files.get(path);
    if (!found) throw new ApiError('not-found', `The bundle ${name} has no file ${path}.`);
    return found;
  };
  return {
    kind: 'agent',
    manifest: null,
    agent,
    paths: () => [...files.keys()],
    readText: async (path) => locate(path).text(),
    readJson: async (path) => JSON.parse(locate(path).text()) as unknown,
    readBytes: async (path) => Buffer.from(locate(path).text(), 'utf8'),
    lines: (path, signal) => agentLines(locate(path), signal),
  };
}

async function* agentLines(file: AgentFile, signal: AbortSignal | undefined): AsyncIterable<string> {
  for (const line of file.lines()) {
    if (signal?.aborted) throw abortReason(signal);
    yield line;
  }
}
