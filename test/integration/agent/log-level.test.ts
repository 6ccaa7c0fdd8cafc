/**
 * shared/log-level.ts is pure; it lives with the agent tests because the agent is its first
 * user (the Logs view will be the second).
 */
import { describe, expect, it } from 'vitest';
import { detectLogLevel } from '../../../shared/log-level';
import { parseSince } from '../../../agent/time-spec';
import { logEntries } from '../../../agent/logs/logs-service';
import { DockerLogParser, type ParsedLine } from '../../../node/docker/docker-log-parser';

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

describe('an over-long line, read by the agent and by the app', () => {
  it('comes out the same: the same kept text and the same marker', () => {
    const stamp = '2024-05-01T10:00:00.250000000Z';
    // Docker sends a line over 16 KB as 16 KB messages, each with its own timestamp prefix.
    const text = 'q'.repeat(1_200_000);
    const pieces: Buffer[] = [];
    for (let at = 0; at < text.length; at += 16_384) {
      const end = Math.min(at + 16_384, text.length);
      const payload = Buffer.from(`${stamp} ${text.slice(at, end)}${end === text.length ? '\n' : ''}`);
      const header = Buffer.alloc(8);
      header[0] = 1;
      header.writeUInt32BE(payload.length, 4);
      pieces.push(header, payload);
    }
    const tail = Buffer.from(`${stamp} after\n`);
    const header = Buffer.alloc(8);
    header[0] = 2;
    header.writeUInt32BE(tail.length, 4);
    const body = Buffer.concat([...pieces, header, tail]);

    const agent = logEntries(body, { name: 'web-1', service: 'web', tty: false }, null);
    const app: ParsedLine[] = [];
    const parser = new DockerLogParser(false, (line) => app.push(line));
    // The app reads from a socket: chunks that fall anywhere in the frames.
    for (let at = 0; at < body.length; at += 65_000) parser.push(body.subarray(at, at + 65_000));
    parser.end();

    expect(agent.map((e) => [e.ts, e.stream, e.message])).toEqual(app.map((l) => [new Date(l.tsMs!).toISOString(), l.stream, l.message]));
    const match = /^(q+)… \[(\d+) bytes cut\]$/.exec(agent[0]!.message);
    expect(match).not.toBeNull();
    // 1 MB kept, less the first timestamp prefix; every other byte is counted.
    expect(match![1]!.length).toBe((1 << 20) - stamp.length - 1);
    expect(match![1]!.length + Number(match![2])).toBe(text.length);
    expect(agent[1]).toMatchObject({ stream: 'stderr', message: 'after', service: 'web', container: 'web-1' });
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
