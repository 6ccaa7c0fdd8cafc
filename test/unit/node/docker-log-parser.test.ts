/**
 * The Docker log stream parser on exact bytes: frames and lines cut at every possible chunk
 * boundary, UTF-8 at the byte level, the line cap, and podman's split long lines; and
 * `parseDockerLogs`, the same parser over a whole response, as the agent reads one.
 */
import { describe, expect, it } from 'vitest';
import { cutMarker, DockerLogParser, MAX_LINE_BYTES, parseDockerLogs, type ParsedLine } from '../../../node/docker/docker-log-parser';
import { wholeCharacterEnd } from '../../../node/docker/log-line-assembler';
import { parseTimestampPrefix, TimestampReader } from '../../../node/docker/log-timestamp';

function frame(stream: 1 | 2, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

type Line = Omit<ParsedLine, 'tsMs'> & { ts: string | null };

function parse(chunks: Buffer[], tty = false, max?: number): Line[] {
  const lines: Line[] = [];
  const parser = new DockerLogParser(
    tty,
    ({ tsMs, stream, message }) =>
      lines.push({ ts: tsMs === null ? null : new Date(tsMs).toISOString(), stream, message }),
    max,
  );
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return lines;
}

/** Every way of cutting `bytes` in two, plus one byte at a time. */
function cuts(bytes: Buffer): Buffer[][] {
  const all: Buffer[][] = [];
  for (let i = 0; i <= bytes.length; i++) all.push([bytes.subarray(0, i), bytes.subarray(i)]);
  all.push([...bytes].map((b) => Buffer.from([b])));
  return all;
}

const T1 = '2024-05-01T10:00:00.123456789Z';
const T2 = '2024-05-01T10:00:01Z';

describe('DockerLogParser: frames', () => {
  const bytes = Buffer.concat([
    frame(1, `${T1} out é€😀 one\n`),
    frame(2, `${T2} err two\n`),
    frame(1, `${T2} out three\n`),
  ]);

  it('separates stdout and stderr and reads both timestamp forms, however the bytes are cut', () => {
    for (const chunks of cuts(bytes)) {
      expect(parse(chunks)).toEqual([
        { ts: '2024-05-01T10:00:00.123Z', stream: 'stdout', message: 'out é€😀 one' },
        { ts: '2024-05-01T10:00:01.000Z', stream: 'stderr', message: 'err two' },
        { ts: '2024-05-01T10:00:01.000Z', stream: 'stdout', message: 'out three' },
      ]);
    }
  });

  it('joins a line Docker sent in several frames, and keeps the streams apart while it does', () => {
    const split = Buffer.concat([
      frame(1, `${T1} first half, `),
      frame(2, `${T2} an error\n`),
      frame(1, 'second half\n'),
    ]);
    for (const chunks of cuts(split)) {
      expect(parse(chunks).map((l) => [l.stream, l.message])).toEqual([
        ['stderr', 'an error'],
        ['stdout', 'first half, second half'],
      ]);
    }
  });

  it('drops the timestamp podman puts in front of each piece of a long line', () => {
    const pieces = Buffer.concat([
      frame(1, `${T2} aaaa`),
      frame(1, `${T2} bbbb`),
      frame(1, `${T2} cccc\n`),
      frame(1, `${T2} next\n`),
    ]);
    for (const chunks of cuts(pieces)) {
      expect(parse(chunks).map((l) => l.message)).toEqual(['aaaabbbbcccc', 'next']);
    }
  });

  it('keeps a continuation that does not start with a timestamp as it is', () => {
    const pieces = Buffer.concat([frame(1, `${T2} key=`), frame(1, 'value with spaces\n')]);
    expect(parse([pieces]).map((l) => l.message)).toEqual(['key=value with spaces']);
  });

  it('turns invalid UTF-8 into U+FFFD and keeps NUL bytes', () => {
    const payload = Buffer.concat([
      Buffer.from(`${T2} bad `),
      Buffer.from([0xff, 0xfe, 0x41, 0x00, 0x42, 0xc3]),
      Buffer.from('\n'),
    ]);
    for (const chunks of cuts(frame(1, payload))) {
      expect(parse(chunks)).toEqual([
        { ts: '2024-05-01T10:00:01.000Z', stream: 'stdout', message: 'bad \uFFFD\uFFFDA\u0000B\uFFFD' },
      ]);
    }
  });

  it('decodes every line as TextDecoder would, invalid sequences and a BOM included, with lines side by side in one chunk', () => {
    // Deterministic bytes from the awkward end of UTF-8: lone continuations, overlongs, surrogates, out of range.
    const awkward = [0x80, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xef, 0xbb, 0xf0, 0xf4, 0xf8, 0xff, 0x41, 0xa0, 0x9f, 0x00];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % awkward.length;
    const payloads = Array.from({ length: 400 }, (_, i) =>
      Buffer.from(Array.from({ length: 1 + (i % 13) }, () => awkward[next()]!)),
    );
    payloads.push(Buffer.from([0xef, 0xbb, 0xbf, 0x41]));
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    const bytes = Buffer.concat(payloads.map((payload) => frame(1, Buffer.concat([Buffer.from(`${T2} `), payload, Buffer.from('\n')]))));
    expect(parse([bytes]).map((line) => line.message)).toEqual(payloads.map((payload) => decoder.decode(payload)));
  });

  it('emits an unfinished last line when the stream ends', () => {
    expect(parse([frame(1, `${T2} no newline`)])).toEqual([
      { ts: '2024-05-01T10:00:01.000Z', stream: 'stdout', message: 'no newline' },
    ]);
  });

  it('keeps empty lines', () => {
    expect(parse([frame(1, `${T2} \n`), frame(1, `${T2}\n`)]).map((l) => l.message)).toEqual(['', '']);
  });

  it('treats bytes that are not frames as raw text (a TTY flag misread)', () => {
    expect(parse([Buffer.from(`${T2} plain\n${T2} text\n`)]).map((l) => l.message)).toEqual(['plain', 'text']);
  });
});

describe('DockerLogParser: TTY containers', () => {
  it('reads raw bytes as stdout and strips the \\r of \\r\\n', () => {
    const raw = Buffer.from(`${T2} hello\r\n${T2} wörld\r\n`);
    for (const chunks of cuts(raw)) {
      expect(parse(chunks, true)).toEqual([
        { ts: '2024-05-01T10:00:01.000Z', stream: 'stdout', message: 'hello' },
        { ts: '2024-05-01T10:00:01.000Z', stream: 'stdout', message: 'wörld' },
      ]);
    }
  });
});

describe('DockerLogParser: the line cap', () => {
  it('keeps the first bytes of a long line, counts the rest, and the next line still comes', () => {
    const long = 'x'.repeat(10_000);
    const lines = parse([frame(1, `${T2} ${long}\n${T2} after\n`)], false, 1_000);
    expect(lines).toHaveLength(2);
    // 1,000 bytes kept, the timestamp prefix (21 bytes) among them.
    expect(lines[0]!.message).toBe(`${'x'.repeat(979)}… [9021 bytes cut]`);
    expect(lines[1]!.message).toBe('after');
  });

  it('never cuts inside a multi-byte character', () => {
    const euros = '€'.repeat(100); // 3 bytes each
    const lines = parse([frame(1, `${T2} ${euros}\n`)], false, 21 + 50);
    // 50 bytes of euros = 16 whole characters and 2 bytes of a 17th, which move to the cut count.
    expect(lines[0]!.message).toBe(`${'€'.repeat(16)}… [${300 - 48} bytes cut]`);
  });

  it('handles a 10 MB line arriving in 64 KB chunks without keeping it', () => {
    const parser = new DockerLogParser(false, (line) => lines.push(line));
    const lines: ParsedLine[] = [];
    const size = 10 * 1024 * 1024;
    const header = Buffer.alloc(8);
    header[0] = 1;
    const body = Buffer.concat([Buffer.from(`${T2} `), Buffer.alloc(size, 'a'), Buffer.from('\n')]);
    header.writeUInt32BE(body.length, 4);
    const all = Buffer.concat([header, body, frame(1, `${T2} next\n`)]);
    for (let i = 0; i < all.length; i += 65_536) parser.push(all.subarray(i, i + 65_536));
    parser.end();
    expect(lines).toHaveLength(2);
    expect(lines[0]!.message.length).toBeLessThan(1024 * 1024 + 40);
    expect(lines[0]!.message).toMatch(/^a+… \[\d+ bytes cut\]$/);
    const cut = Number(/\[(\d+) bytes cut\]/.exec(lines[0]!.message)![1]);
    expect(cut + lines[0]!.message.indexOf('…') + 21).toBe(size + 21);
    expect(lines[1]!.message).toBe('next');
  });
});

describe('parseDockerLogs: a whole response at once', () => {
  const text = (lines: ParsedLine[]) => lines.map((l) => [l.stream, l.message]);

  it('splits framed stdout and stderr and reads RFC3339Nano, whole-second and offset times', () => {
    const body = Buffer.concat([
      frame(1, `${T1} hello\n`),
      frame(2, `${T2} oops\n`),
      frame(1, '2024-05-01T12:00:02+02:00 offset\n'),
    ]);
    expect(parseDockerLogs(body, false)).toEqual([
      { tsMs: Date.parse('2024-05-01T10:00:00.123Z'), stream: 'stdout', message: 'hello' },
      { tsMs: Date.parse('2024-05-01T10:00:01Z'), stream: 'stderr', message: 'oops' },
      { tsMs: Date.parse('2024-05-01T10:00:02Z'), stream: 'stdout', message: 'offset' },
    ]);
  });

  it('joins a line cut across two frames, keeps a TTY stream whole, and reads unframed bytes as text', () => {
    expect(text(parseDockerLogs(Buffer.concat([frame(1, `${T2} first ha`), frame(1, 'lf\n')]), false))).toEqual([
      ['stdout', 'first half'],
    ]);
    expect(text(parseDockerLogs(Buffer.from(`${T2} one\r\n${T2} two\r\n`), true))).toEqual([
      ['stdout', 'one'],
      ['stdout', 'two'],
    ]);
    expect(text(parseDockerLogs(Buffer.from(`${T2} raw\n`), false))).toEqual([['stdout', 'raw']]);
    expect(parseDockerLogs(Buffer.alloc(0), false)).toEqual([]);
  });

  it('cuts at the same cap with the same marker as the streaming parser', () => {
    const body = frame(1, `${T2} ${'y'.repeat(MAX_LINE_BYTES + 5_000)}\n`);
    const [line] = parseDockerLogs(body, false);
    expect(line!.message).toBe(`${'y'.repeat(MAX_LINE_BYTES - 21)}${cutMarker(5_021)}`);
    expect(cutMarker(5_021)).toBe('… [5021 bytes cut]');
    const streamed: ParsedLine[] = [];
    const parser = new DockerLogParser(false, (l) => streamed.push(l));
    for (let i = 0; i < body.length; i += 4_096) parser.push(body.subarray(i, i + 4_096));
    parser.end();
    expect(streamed).toEqual([line]);
  });
});

describe('timestamps and UTF-8 boundaries', () => {
  it('reads RFC3339Nano, whole seconds and offsets, and refuses what is not a stamp', () => {
    expect(parseTimestampPrefix(Buffer.from(`${T1} x`))).toEqual({
      ts: '2024-05-01T10:00:00.123Z',
      length: T1.length + 1,
    });
    expect(parseTimestampPrefix(Buffer.from('2024-05-01T12:00:00+02:00 x')).ts).toBe('2024-05-01T10:00:00.000Z');
    expect(parseTimestampPrefix(Buffer.from('hello world, this is not a time')).length).toBe(0);
    expect(parseTimestampPrefix(Buffer.from('2024-05-01 10:00:00 x')).length).toBe(0);
  });

  it('reads a burst of stamps from its remembered second exactly as the full parse does', () => {
    const reader = new TimestampReader();
    const stamps = [
      '2024-05-01T10:00:00.123456789Z',
      '2024-05-01T10:00:00.9Z',
      '2024-05-01T10:00:00.05Z',
      '2024-05-01T10:00:00Z',
      '2024-05-01T10:00:01.000000001Z',
      '2024-05-01T23:59:59.999Z',
      '2024-05-02T00:00:00.001Z',
      '2024-05-02T00:00:00.001+02:00',
      '2024-05-02T00:00:00.1234567890Z',
      '2024-05-02T00:00:00.Z',
      '2024-02-30T10:00:00Z',
      '2024-05-02T24:00:00Z',
      '0001-01-01T00:00:00Z',
      '2024-05-02 00:00:00Z',
      '2024-05-02T00:00:00Zx',
    ];
    for (const stamp of stamps) {
      for (const bytes of [Buffer.from(`${stamp} message`), Buffer.from(stamp)]) {
        const expected = parseTimestampPrefix(bytes);
        const length = reader.read(bytes);
        expect({ stamp, length }).toEqual({ stamp, length: expected.length });
        if (length) expect(new Date(reader.ms).toISOString()).toBe(expected.ts);
      }
    }
  });

  it('finds the end of the last whole character', () => {
    expect(wholeCharacterEnd(Buffer.from('ab'))).toBe(2);
    expect(wholeCharacterEnd(Buffer.from('a€').subarray(0, 3))).toBe(1);
    expect(wholeCharacterEnd(Buffer.from('a😀').subarray(0, 4))).toBe(1);
    expect(wholeCharacterEnd(Buffer.from('a😀'))).toBe(5);
    expect(wholeCharacterEnd(Buffer.from([0x41, 0x80, 0x80, 0x80, 0x80]))).toBe(5);
  });
});
