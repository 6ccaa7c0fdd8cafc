import { describe, expect, it } from 'vitest';
import type { FrontendError } from '../../../../shared/model/ops';
import { groupErrors, mergeErrors, sortGroups } from '../../../../renderer/src/areas/ops-api/group-errors';

let nextId = 1;
function error(overrides: Partial<FrontendError>): FrontendError {
  return {
    id: nextId++,
    receivedAt: '2026-01-01T10:00:00.000Z',
    buildHash: 'b1',
    route: '/cart',
    message: 'boom',
    stack: null,
    browser: null,
    wsState: null,
    kind: 'onerror',
    count: 1,
    ...overrides,
  };
}

describe('groupErrors', () => {
  it('groups by message: folded repeats counted, routes by count, builds newest first, first/last seen, newest stack', () => {
    const errors = [
      error({
        message: 'boom',
        route: '/cart',
        count: 1,
        receivedAt: '2026-01-01T10:00:00.000Z',
        buildHash: 'old',
        stack: 'old stack',
      }),
      error({ message: 'boom', route: '/cart', count: 19, receivedAt: '2026-01-01T10:00:02.000Z', buildHash: 'new' }),
      error({
        message: 'boom',
        route: '/account',
        count: 1,
        receivedAt: '2026-01-01T10:00:01.000Z',
        buildHash: 'new',
        stack: 'new stack',
      }),
      error({
        message: 'other',
        route: '/x',
        receivedAt: '2026-01-01T10:05:00.000Z',
        buildHash: null,
        kind: 'console.error',
      }),
    ];
    const [other, boom] = groupErrors(errors);
    expect(other!.message).toBe('other');
    expect(other!.buildHashes).toEqual([]);
    expect(boom).toMatchObject({
      message: 'boom',
      count: 21,
      reports: 3,
      routes: [
        { route: '/cart', count: 20 },
        { route: '/account', count: 1 },
      ],
      buildHashes: ['new', 'old'],
      kinds: ['onerror'],
      firstSeen: '2026-01-01T10:00:00.000Z',
      lastSeen: '2026-01-01T10:00:02.000Z',
    });
    expect(boom!.latest.count).toBe(19);
    expect(boom!.latestWithStack?.stack).toBe('new stack');
    expect(sortGroups([other!, boom!], 'count').map((g) => g.message)).toEqual(['boom', 'other']);
    expect(sortGroups([boom!, other!], 'last-seen').map((g) => g.message)).toEqual(['other', 'boom']);
  });

  it('merges live errors once, leaving out those before the window', () => {
    const fetched = [error({ id: 100 }), error({ id: 101 })];
    const live = [error({ id: 101 }), error({ id: 102 }), error({ id: 103, receivedAt: '2025-12-31T00:00:00.000Z' })];
    const merged = mergeErrors(fetched, live, Date.parse('2026-01-01T09:00:00.000Z'));
    expect(merged.map((e) => e.id)).toEqual([100, 101, 102]);
  });
});
