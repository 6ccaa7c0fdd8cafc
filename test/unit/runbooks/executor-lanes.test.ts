import { describe, expect, it } from 'vitest';
import { READ_ONLY_LANES, ReadOnlyLanes, TargetQueues } from '../../../main/services/runbooks/executor-lanes';

describe('read-only lanes', () => {
  it('hands out A–D, queues the fifth, and gives a freed lane to the first waiting run', () => {
    const lanes = new ReadOnlyLanes();
    expect(READ_ONLY_LANES).toEqual(['A', 'B', 'C', 'D']);
    expect(['r1', 'r2', 'r3', 'r4'].map((run) => lanes.take(run))).toEqual(['A', 'B', 'C', 'D']);
    expect(lanes.take('r5')).toBeNull();
    lanes.wait('r5');
    lanes.wait('r6');
    expect(lanes.waitingCount).toBe(2);
    expect(lanes.release('r2')).toEqual({ runId: 'r5', lane: 'B' });
    expect(lanes.drop('r6')).toBe(true);
    expect(lanes.release('r1')).toBeNull();
    expect(lanes.busyCount).toBe(3);
    expect(lanes.take('r7')).toBe('A');
  });

  it('releases nothing for a run that held no lane', () => {
    const lanes = new ReadOnlyLanes();
    expect(lanes.release('nobody')).toBeNull();
  });
});

describe('target queues', () => {
  it('keeps changing runs first come first served per target', () => {
    const queues = new TargetQueues();
    queues.wait('t1', 'a');
    queues.wait('t2', 'x');
    queues.wait('t1', 'b');
    queues.wait('t1', 'c');
    expect(queues.drop('b')).toBe(true);
    expect(queues.next('t1')).toBe('a');
    expect(queues.next('t1')).toBe('c');
    expect(queues.next('t1')).toBeNull();
    expect(queues.next('t2')).toBe('x');
    expect(queues.drop('zzz')).toBe(false);
  });
});
