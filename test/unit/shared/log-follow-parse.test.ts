import { describe, expect, it } from 'vitest';
import { LogFollowEvent, type LogBatch } from '../../../shared/model/logs';
import { parseLogFollowEvent } from '../../../shared/model/log-follow-parse';
import { toBatch } from '../../../main/services/logs/log-follower';

const valid = (): LogBatch =>
  toBatch([
    { ts: '2026-01-01T10:00:00.000Z', target: 't1', service: 'api', container: 'api-1', stream: 'stdout', level: 'info', message: 'hello' },
    { ts: '2026-01-01T10:00:00.001Z', target: 't1', service: null, container: 'db-1', stream: 'stderr', level: null, message: '' },
    { ts: '2026-01-01T10:00:00.002Z', target: 't1', service: 'api', container: 'api-1', stream: 'stdout', level: 'error', message: 'boom' },
  ]);

/** Each turns a valid batch into something the schema refuses (or, for the extra keys, strips). */
const mutations: [string, (batch: Record<string, unknown> & LogBatch) => void][] = [
  ['a line with four fields', (b) => void (b.lines[0] as unknown[]).pop()],
  ['a line with six fields', (b) => void (b.lines[0] as unknown[]).push('extra')],
  ['a source index past the table', (b) => void ((b.lines[1] as unknown[])[0] = 2)],
  ['a negative source index', (b) => void ((b.lines[1] as unknown[])[0] = -1)],
  ['a fractional source index', (b) => void ((b.lines[1] as unknown[])[0] = 0.5)],
  ['a time as text', (b) => void ((b.lines[0] as unknown[])[1] = '2026-01-01')],
  ['an infinite time', (b) => void ((b.lines[0] as unknown[])[1] = Infinity)],
  ['a NaN time', (b) => void ((b.lines[0] as unknown[])[1] = Number.NaN)],
  ['an unknown stream', (b) => void ((b.lines[0] as unknown[])[2] = 'stdin')],
  ['an unknown level', (b) => void ((b.lines[0] as unknown[])[3] = 'loud')],
  ['a level as undefined', (b) => void ((b.lines[0] as unknown[])[3] = undefined)],
  ['a message as a number', (b) => void ((b.lines[0] as unknown[])[4] = 42)],
  ['a line that is an object', (b) => void ((b.lines as unknown[])[0] = { 0: 0 })],
  ['no lines', (b) => void delete (b as Partial<LogBatch>).lines],
  ['sources that are not a list', (b) => void ((b as Record<string, unknown>).sources = {})],
  ['a source without a container', (b) => void delete (b.sources[0] as Partial<LogBatch['sources'][0]>).container],
  ['a source with a numeric service', (b) => void ((b.sources[0] as Record<string, unknown>).service = 1)],
  ['a source that is null', (b) => void ((b.sources as unknown[])[0] = null)],
];

describe('parseLogFollowEvent', () => {
  it('accepts what the schema accepts, with the same fields', () => {
    const batch = valid();
    const ours = parseLogFollowEvent(batch);
    const zod = LogFollowEvent.safeParse(batch);
    expect(ours.success && zod.success).toBe(true);
    expect(ours.success && ours.data).toEqual(zod.data);
  });

  it.each(mutations)('refuses %s, as the schema does', (_name, mutate) => {
    const batch = valid() as Record<string, unknown> & LogBatch;
    mutate(batch);
    expect(LogFollowEvent.safeParse(batch).success).toBe(false);
    const ours = parseLogFollowEvent(batch);
    expect(ours.success).toBe(false);
    if (!ours.success) expect(ours.error.message).toMatch(/^Not a log batch: .+\.$/);
  });

  it('drops fields the contract does not name, as the schema does', () => {
    const batch = valid() as LogBatch & { secret?: string };
    batch.secret = 'hunter2';
    (batch.sources[0] as Record<string, unknown>).token = 'hunter2';
    const ours = parseLogFollowEvent(batch);
    const zod = LogFollowEvent.safeParse(batch);
    expect(ours.success && zod.success).toBe(true);
    expect(JSON.stringify(ours.success && ours.data)).not.toContain('hunter2');
    expect(ours.success && ours.data).toEqual(zod.data);
  });

  it('leaves every other event to the schema', () => {
    expect(parseLogFollowEvent({ type: 'started', followId: 'f1' })).toEqual({ success: true, data: { type: 'started', followId: 'f1' } });
    expect(parseLogFollowEvent({ type: 'source', source: 'container:a', state: 'live' }).success).toBe(true);
    expect(parseLogFollowEvent({ type: 'source', source: 'container:a', state: 'asleep' }).success).toBe(false);
    expect(parseLogFollowEvent(null).success).toBe(false);
  });
});
