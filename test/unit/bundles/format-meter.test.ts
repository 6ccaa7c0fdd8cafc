/** What the writer measures for the manifest: size, sha256 and newlines (text types only). */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BodyMeter, SPOOL_IN_MEMORY, spoolBody } from '../../../node/bundle/body-spool';
import { countsLines } from '../../../node/bundle/bundle-writer';

describe('countsLines', () => {
  it.each(['application/x-ndjson', 'application/json', 'text/plain', 'text/plain; charset=utf-8', 'application/ndjson'])('counts lines of %s', (type) => {
    expect(countsLines(type)).toBe(true);
  });
  it.each(['image/png', 'application/gzip', 'application/octet-stream'])('not of %s', (type) => {
    expect(countsLines(type)).toBe(false);
  });
});

describe('BodyMeter', () => {
  it('measures bytes (UTF-8), sha256 and newlines across chunk borders', () => {
    const text = 'one\ntwo ✓\n\nthree';
    const meter = new BodyMeter(true);
    for (const piece of ['one\ntw', 'o ✓\n', '\nthree']) meter.update(Buffer.from(piece));
    expect(meter.result()).toEqual({ bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex'), lines: 3 });
  });

  it('gives null lines for binary content', () => {
    const meter = new BodyMeter(false);
    meter.update(Buffer.from('a\nb\n'));
    expect(meter.result().lines).toBeNull();
  });
});

describe('spoolBody', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cr-spool-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function* pieces(count: number, size: number) {
    for (let i = 0; i < count; i++) yield Buffer.alloc(size, i % 2 ? 'a\n' : 'b\n');
  }

  async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
    const all: Buffer[] = [];
    for await (const chunk of chunks) all.push(chunk);
    return Buffer.concat(all);
  }

  it('keeps a small body in memory and writes no file', async () => {
    const spooled = await spoolBody(pieces(4, 1000), { dir, countLines: true });
    expect(readdirSync(dir)).toEqual([]);
    expect(spooled.bytes).toBe(4000);
    expect(spooled.lines).toBe(2000);
    expect((await collect(spooled.chunks())).equals(await collect(pieces(4, 1000)))).toBe(true);
  });

  it('spills a body over the in-memory size to one temp file, removed by dispose()', async () => {
    const size = 1024 * 1024;
    const count = SPOOL_IN_MEMORY / size + 3;
    const spooled = await spoolBody(pieces(count, size), { dir, countLines: false });
    expect(readdirSync(dir)).toHaveLength(1);
    expect(spooled.bytes).toBe(count * size);
    expect(spooled.lines).toBeNull();
    const back = await collect(spooled.chunks());
    expect(createHash('sha256').update(back).digest('hex')).toBe(spooled.sha256);
    await spooled.dispose();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('stops with the reason when the signal fires and leaves no temp file', async () => {
    const stop = new AbortController();
    async function* endless() {
      for (let i = 0; ; i++) {
        if (i === 8) stop.abort(new Error('The export was canceled.'));
        yield Buffer.alloc(1024 * 1024, 'x');
      }
    }
    await expect(spoolBody(endless(), { dir, countLines: true, signal: stop.signal })).rejects.toThrow('The export was canceled.');
    expect(readdirSync(dir)).toEqual([]);
  });
});
