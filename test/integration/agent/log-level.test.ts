/**
 * shared/log-level.ts is pure; it lives with the agent tests because the agent is its first
 * user (the Logs view will be the second).
 */
import { describe, expect, it } from 'vitest';
import { detectLogLevel } from '../../../shared/log-level';
import { parseLogLines, demultiplex } from '../../../agent/logs/demux';
import { parseSince } from '../../../agent/time-spec';

describe('detectLogLevel', () => {
  it.each([
    ['{"level":"error","msg":"x"}', 'error'],
    ['{"level":50,"msg":"pino"}', 'error'],
    ['{"level":30,"msg":"pino"}', 'info'],
    ['{"severity":"WARNING","message":"gcp"}', 'warn'],
    ['{"log.level":"debug"}', 'debug'],
    ['{"log":{"level":"warn"}}', 'warn'],
    ['{"levelname":"CRITICAL"}', 'error'],
    ['time=2024-05-01T10:00:00Z level=info msg="listening"', 'info'],
    ['lvl=dbug msg=x', null],
    ['lvl=warn msg=x', 'warn'],
    ['2024/05/01 10:00:00 [error] 12#12: *3 open() failed', 'error'],
    ['[warn] disk almost full', 'warn'],
    ['<debug> trace output', 'debug'],
    ['E0101 10:00:00.000000       1 main.go:12] glog failure', 'error'],
    ['W0101 10:00:00.000000       1 main.go:12] glog warning', 'warn'],
    ['I0101 10:00:00.000000       1 main.go:12] glog info', 'info'],
    ['E, [2024-05-01T10:00:00.123 #1] ERROR -- : ruby', 'error'],
    ['2024-05-01 10:00:00.000  INFO 1 --- [main] o.s.b.StartupInfoLogger : Started', 'info'],
    ['2024-05-01 10:00:00 UTC [1] LOG:  database system is ready', 'info'],
    ['2024-05-01 10:00:00 UTC [1] FATAL:  password authentication failed', 'error'],
    ['ERROR:root:something broke', 'error'],
    ['WARNING: low memory', 'warn'],
    ['Error: ENOENT: no such file', 'error'],
    ['error: connection refused', 'error'],
    ['Traceback (most recent call last):', 'error'],
    ['\u001b[31mERROR\u001b[0m colourful', 'error'],
    ['0 errors found, all good', null],
    ['the error rate is fine', null],
    ['GET /health 200', null],
    ['', null],
    ['{"status":200,"path":"/"}', null],
  ])('%j → %s', (line, level) => {
    expect(detectLogLevel(line)).toBe(level);
  });
});

describe('Docker log stream parsing', () => {
  const frame = (stream: 1 | 2, text: string) => {
    const payload = Buffer.from(text, 'utf8');
    const header = Buffer.alloc(8);
    header[0] = stream;
    header.writeUInt32BE(payload.length, 4);
    return Buffer.concat([header, payload]);
  };

  it('splits 8-byte framed stdout and stderr and reads RFC3339Nano and whole-second times', () => {
    const body = Buffer.concat([
      frame(1, '2024-05-01T10:00:00.123456789Z hello\n'),
      frame(2, '2024-05-01T10:00:01Z oops\n'),
      frame(1, '2024-05-01T12:00:02+02:00 offset\n'),
    ]);
    expect(parseLogLines(body, false)).toEqual([
      { ts: '2024-05-01T10:00:00.123Z', stream: 'stdout', text: 'hello' },
      { ts: '2024-05-01T10:00:01.000Z', stream: 'stderr', text: 'oops' },
      { ts: '2024-05-01T10:00:02.000Z', stream: 'stdout', text: 'offset' },
    ]);
  });

  it('joins a line Docker cut across two frames, and keeps a TTY stream whole', () => {
    const split = Buffer.concat([frame(1, '2024-05-01T10:00:00Z first ha'), frame(1, 'lf\n')]);
    expect(parseLogLines(split, false).map((l) => l.text)).toEqual(['first half']);
    const tty = Buffer.from('2024-05-01T10:00:00Z one\r\n2024-05-01T10:00:00Z two\r\n');
    expect(demultiplex(tty, true)).toHaveLength(1);
    expect(parseLogLines(tty, true).map((l) => [l.stream, l.text])).toEqual([
      ['stdout', 'one'],
      ['stdout', 'two'],
    ]);
  });

  it('treats unframed bytes as text even when the TTY flag was not set', () => {
    expect(parseLogLines(Buffer.from('2024-05-01T10:00:00Z raw\n'), false).map((l) => l.text)).toEqual(['raw']);
  });
});

describe('parseSince', () => {
  const now = Date.parse('2024-05-01T10:00:00Z');
  it('reads durations, ISO dates and Unix seconds; refuses the rest', () => {
    expect(parseSince('5m', now)).toBe(now - 300_000);
    expect(parseSince('2h', now)).toBe(now - 7_200_000);
    expect(parseSince('1d', now)).toBe(now - 86_400_000);
    expect(parseSince('30s', now)).toBe(now - 30_000);
    expect(parseSince('2024-05-01T09:00:00Z', now)).toBe(now - 3_600_000);
    expect(parseSince('1714554000', now)).toBe(now - 3_600_000);
    expect(parseSince('yesterday', now)).toBeNull();
    expect(parseSince('5 parsecs', now)).toBeNull();
  });
});
