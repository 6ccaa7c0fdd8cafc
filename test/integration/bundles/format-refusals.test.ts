/**
 * Files the reader refuses, each with its one sentence (ApiError invalid-request), and never a
 * half-read bundle: cut in half, a byte flipped in the compressed stream, a member changed after
 * the export (sha256 mismatch), unsafe entries (`..`, absolute paths, links), no manifest, not a
 * bundle at all. And the agent's `.json.gz`, which opens under Control Room's file names.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SupportBundle } from '../../../agent/bundle';
import { openBundle } from '../../../node/bundle/bundle-reader';
import { BundleWriter } from '../../../node/bundle/bundle-writer';
import { logLine, manifestFor, rawTarGz } from './format-fixtures';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cr-bundle-refuse-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A real bundle of a context and ~2 MB of log lines. */
async function goodBundle(name = 'good.tar.gz'): Promise<string> {
  const file = join(dir, name);
  const writer = await BundleWriter.open(file);
  const context = await writer.addFile('context.json', '{"target":"format-test"}\n', { contentType: 'application/json' });
  const lines = Array.from({ length: 14_000 }, (_, i) => logLine(i)).join('');
  const logs = await writer.addFile('logs/api.ndjson', lines, { contentType: 'application/x-ndjson' });
  await writer.finish(
    manifestFor([
      { ...context, section: 'context', contentType: 'application/json' },
      { ...logs, section: 'logs', contentType: 'application/x-ndjson' },
    ]),
  );
  return file;
}

async function refusal(file: string, extractDir = join(dir, 'open')): Promise<{ code: string; message: string }> {
  const error = await openBundle(file, extractDir).then(
    () => null,
    (e: unknown) => e as { code: string; message: string },
  );
  if (!error) throw new Error(`${file} opened, but it should have been refused`);
  // Refused means nothing half-unpacked is left behind.
  expect(existsSync(extractDir)).toBe(false);
  return { code: error.code, message: error.message };
}

describe('files the reader refuses', () => {
  it('opens the good bundle these cases start from', async () => {
    const opened = await openBundle(await goodBundle(), join(dir, 'open'));
    expect(opened.paths()).toEqual(['context.json', 'logs/api.ndjson', 'manifest.json']);
  });

  it('a bundle cut in half is "cut short (truncated)"', async () => {
    const file = await goodBundle('cut.tar.gz');
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect(await refusal(file)).toEqual({
      code: 'invalid-request',
      message: 'The file cut.tar.gz is cut short (truncated) — copy or download it again.',
    });
  });

  it('a bundle cut inside its first block is truncated too', async () => {
    const file = await goodBundle('stub.tar.gz');
    writeFileSync(file, readFileSync(file).subarray(0, 40));
    expect((await refusal(file)).message).toBe('The file stub.tar.gz is cut short (truncated) — copy or download it again.');
  });

  it('a byte flipped inside the compressed stream is refused as damaged', async () => {
    const file = await goodBundle('flipped.tar.gz');
    const bytes = readFileSync(file);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = bytes[at]! ^ 0xff;
    writeFileSync(file, bytes);
    const { code, message } = await refusal(file);
    expect(code).toBe('invalid-request');
    // Either gzip's CRC/data check or the manifest's sha256 catches it, depending on the byte.
    expect(message).toMatch(/^The bundle flipped\.tar\.gz is damaged: (its compressed data does not check out|\S+ does not match its manifest) — ask for it again\.$/);
  });

  it('a member changed after the export (gzip intact) does not match its manifest', async () => {
    const file = await goodBundle('edited.tar.gz');
    const tarBytes = gunzipSync(readFileSync(file));
    // Change one character of a log line inside the tar: same size, different sha256.
    const at = tarBytes.indexOf('request 7000 ');
    expect(at).toBeGreaterThan(0);
    tarBytes[at] = 'R'.charCodeAt(0);
    writeFileSync(file, gzipSync(tarBytes));
    expect(await refusal(file)).toEqual({
      code: 'invalid-request',
      message: 'The bundle edited.tar.gz is damaged: logs/api.ndjson does not match its manifest — ask for it again.',
    });
  });

  it('a file the manifest does not list is refused', async () => {
    const file = join(dir, 'extra.tar.gz');
    const manifest = manifestFor([]);
    await rawTarGz(file, [
      { name: 'notes.txt', body: 'added later\n' },
      { name: 'manifest.json', body: JSON.stringify(manifest) },
    ]);
    expect((await refusal(file)).message).toBe('The bundle extra.tar.gz is damaged: notes.txt does not match its manifest — ask for it again.');
  });

  it.each([
    ['a ".." path', '../escaped.txt', 'file'],
    ['a nested ".." path', 'logs/../../escaped.txt', 'file'],
    ['an absolute path', '/tmp/cr-bundle-escaped.txt', 'file'],
    ['a symlink', 'logs/api.ndjson', 'symlink'],
    ['a hard link', 'logs/api.ndjson', 'link'],
  ] as const)('%s is refused and nothing is written outside the folder', async (_case, entry, type) => {
    const file = join(dir, 'unsafe.tar.gz');
    await rawTarGz(file, [
      { name: 'context.json', body: '{}\n' },
      type === 'file' ? { name: entry, body: 'escaped\n' } : { name: entry, type, linkname: '/etc/passwd' },
      { name: 'manifest.json', body: JSON.stringify(manifestFor([])) },
    ]);
    const extractDir = join(dir, 'nested', 'open');
    expect(await refusal(file, extractDir)).toEqual({
      code: 'invalid-request',
      message: `The bundle unsafe.tar.gz holds an unsafe entry "${entry}" (an absolute path, a ".." or a link), so it was not opened.`,
    });
    expect(existsSync(join(dir, 'escaped.txt'))).toBe(false);
    expect(existsSync(join(dir, 'nested', 'escaped.txt'))).toBe(false);
    expect(existsSync('/tmp/cr-bundle-escaped.txt')).toBe(false);
  });

  it('a tar.gz with no manifest.json says so', async () => {
    const file = join(dir, 'plain.tar.gz');
    await rawTarGz(file, [{ name: 'notes.txt', body: 'just a tarball\n' }]);
    expect((await refusal(file)).message).toBe('The file plain.tar.gz has no manifest.json, so it is not a Control Room bundle — export it again from Control Room.');
  });

  it('a manifest of another format is refused', async () => {
    const file = join(dir, 'future.tar.gz');
    await rawTarGz(file, [{ name: 'manifest.json', body: JSON.stringify({ ...manifestFor([]), formatVersion: 99 }) }]);
    expect((await refusal(file)).message).toBe(
      'The bundle future.tar.gz has a manifest.json this version of Control Room cannot read — update the app or ask for a new bundle.',
    );
  });

  it.each([
    ['plain text', 'notes.tar.gz', Buffer.from('not gzip at all\n')],
    ['an empty file', 'empty.json.gz', Buffer.alloc(0)],
    ['gzipped JSON of something else', 'other.json.gz', gzipSync(JSON.stringify({ format: 'something-else', logs: {} }))],
    ['gzipped text', 'text.json.gz', gzipSync('hello\n')],
  ])('%s is "not a Control Room or agent bundle"', async (_case, name, bytes) => {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    expect(await refusal(file)).toEqual({
      code: 'invalid-request',
      message: `The file ${name} is not a Control Room or agent bundle (.tar.gz or .json.gz).`,
    });
  });

  it('a truncated agent bundle is "cut short" too', async () => {
    const file = join(dir, 'agent-cut.json.gz');
    const bytes = gzipSync(JSON.stringify(agentBundle()));
    writeFileSync(file, bytes.subarray(0, bytes.length - 30));
    expect((await refusal(file)).message).toBe('The file agent-cut.json.gz is cut short (truncated) — copy or download it again.');
  });

  it('a missing file is not-found', async () => {
    await expect(openBundle(join(dir, 'nowhere.tar.gz'), join(dir, 'open'))).rejects.toMatchObject({
      code: 'not-found',
      message: 'The file nowhere.tar.gz does not exist.',
    });
  });
});

describe("the agent's bundle", () => {
  it('opens under the names a Control Room bundle uses', async () => {
    const file = join(dir, 'support-bundle-host-2026-11-26.json.gz');
    const bundle = agentBundle();
    writeFileSync(file, gzipSync(JSON.stringify(bundle)));
    const opened = await openBundle(file, join(dir, 'open'));
    expect(opened.kind).toBe('agent');
    expect(opened.manifest).toBeNull();
    expect(opened.agent).toMatchObject({ format: 'control-room-agent-bundle', agent: { host: 'shop-host' } });
    // A service whose logs could not be read has no file; its error stays in the JSON.
    expect(opened.paths()).toEqual(['context.json', 'logs/api.ndjson', 'logs/web.ndjson', 'frontend-errors.json']);
    expect(await opened.readJson('context.json')).toEqual(bundle.context);
    expect(await opened.readJson('frontend-errors.json')).toEqual(bundle.frontendErrors);
    const lines: string[] = [];
    for await (const line of opened.lines('logs/api.ndjson')) lines.push(line);
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual((bundle.logs.api as { entries: unknown[] }).entries);
    expect(await opened.readText('logs/web.ndjson')).toBe(`${JSON.stringify((bundle.logs.web as { entries: unknown[] }).entries[0])}\n`);
    await expect(opened.readText('logs/db.ndjson')).rejects.toMatchObject({ code: 'not-found' });
    // Nothing is unpacked for an agent bundle.
    expect(readdirSync(dir)).toEqual(['support-bundle-host-2026-11-26.json.gz']);
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toMatch(/^[a-f0-9]{64}$/);
  });
});

/** The agent's bundle as agent/bundle.ts builds it (its SupportBundle type checks the shape). */
function agentBundle(): SupportBundle {
  const entry = (service: string, i: number, level: 'info' | 'error') => ({
    ts: `2026-11-26T11:0${i}:00.000Z`,
    service,
    stream: level === 'error' ? ('stderr' as const) : ('stdout' as const),
    level,
    message: `${service} line ${i}`,
  });
  return {
    format: 'control-room-agent-bundle',
    version: 1,
    generatedAt: '2026-11-26T12:00:00.000Z',
    agent: { version: '0.1.0', host: 'shop-host' },
    context: { generatedAt: '2026-11-26T12:00:00.000Z', host: { hostname: 'shop-host' } } as unknown as SupportBundle['context'],
    logs: {
      api: { entries: [entry('api', 1, 'info'), entry('api', 2, 'error')] },
      db: { error: 'The container db is not running.' },
      web: { entries: [entry('web', 3, 'info')] },
    },
    frontendErrors: [{ message: 'TypeError: x is undefined', count: 3 }] as unknown as SupportBundle['frontendErrors'],
    redactions: 2,
  } as SupportBundle;
}
