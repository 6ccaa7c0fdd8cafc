/**
 * What the bundle format tests share: a manifest for files a writer wrote, NDJSON log lines
 * generated a chunk at a time (so the test itself holds no section in memory), and raw tar.gz
 * files built with tar-stream for the refusals a real writer would never produce.
 */
import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type { WrittenFile } from '../../../node/bundle/bundle-writer';
import type { BundleManifest, BundleSectionId } from '../../../shared/model/bundle';

export function manifestFor(files: (WrittenFile & { section: BundleSectionId; contentType: string })[]): BundleManifest {
  return {
    format: 'control-room-bundle',
    formatVersion: 1,
    created: '2026-11-26T12:00:00.000Z',
    app: { version: '0.1.0', platform: 'linux', arch: 'x64' },
    target: { id: 'tgt-format', name: 'format-test', environment: 'staging', kind: 'docker-local' },
    window: { from: '2026-11-26T11:00:00.000Z', to: '2026-11-26T12:00:00.000Z', description: 'the last hour' },
    sections: [],
    files: files.map(({ path, section, bytes, sha256, contentType, lines }) => ({ path, section, bytes, sha256, contentType, lines })),
    notes: [],
    cut: [],
    redaction: { rules: [], counts: [], total: 0 },
    redactedFrom: null,
  };
}

/** One log line like a real one: a JSON entry with a varying message, ~150 bytes. */
export function logLine(i: number): string {
  return `${JSON.stringify({ ts: new Date(Date.UTC(2026, 10, 26, 11) + i).toISOString(), source: 'api', stream: i % 9 === 0 ? 'stderr' : 'stdout', level: i % 9 === 0 ? 'error' : 'info', message: `request ${i} GET /api/orders/${(i * 7919) % 100_003} took ${(i * 31) % 997} ms` })}\n`;
}

/** NDJSON log lines until about `bytes` have been yielded, ~64 KiB per chunk. */
export async function* ndjsonLines(bytes: number, counted: { lines: number; bytes: number } = { lines: 0, bytes: 0 }): AsyncIterable<string> {
  let i = 0;
  while (counted.bytes < bytes) {
    let chunk = '';
    while (chunk.length < 64 * 1024) chunk += logLine(i++);
    counted.lines = i;
    counted.bytes += Buffer.byteLength(chunk);
    yield chunk;
    // A real source waits on I/O between chunks; this lets timers (the RSS sampler) run too.
    if (i % 8_192 < 500) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A `.tar.gz` with exactly these entries, as tar-stream writes them (no checks of ours). */
export async function rawTarGz(file: string, entries: { name: string; body?: string; type?: 'file' | 'symlink' | 'link' | 'directory'; linkname?: string }[]): Promise<void> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    if (type === 'file') pack.entry({ name: entry.name }, entry.body ?? '');
    else pack.entry({ name: entry.name, type, linkname: entry.linkname ?? '' });
  }
  pack.finalize();
  await ended;
  await writeFile(file, gzipSync(Buffer.concat(chunks)));
}
