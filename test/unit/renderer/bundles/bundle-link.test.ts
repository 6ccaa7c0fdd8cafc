/**
 * Links into the new-bundle page (renderer/src/areas/bundles/bundle-link.ts): the windows the
 * entry points choose, the hash they build, and the page reading it back.
 */
import { describe, expect, it } from 'vitest';
import { BundleWindow } from '../../../../shared/model/bundle';
import {
  aroundRange,
  aroundTime,
  bundleHref,
  lastMinutes,
  readBundleLink,
} from '../../../../renderer/src/areas/bundles/bundle-link';

/** The route's rest as routes.ts's parseRoute gives it (that module reads `window`, so not imported here). */
function restOf(hash: string): string {
  return hash.replace(/^#\/bundles\//, '');
}

describe('bundle windows', () => {
  it('defaults "last" to the hour', () => {
    expect(lastMinutes()).toEqual({ mode: 'last', minutes: 60 });
    expect(lastMinutes(15)).toEqual({ mode: 'last', minutes: 15 });
  });

  it('puts "around a time" at that time in ISO, fifteen minutes either side unless told', () => {
    expect(aroundTime('2026-05-01T10:00:00+02:00')).toEqual({
      mode: 'around',
      at: '2026-05-01T08:00:00.000Z',
      minutes: 15,
    });
    expect(aroundTime(Date.UTC(2026, 4, 1, 8), 30)).toEqual({
      mode: 'around',
      at: '2026-05-01T08:00:00.000Z',
      minutes: 30,
    });
  });

  it('centres a range and covers all of it plus the margin on each side', () => {
    const window = aroundRange('2026-05-01T10:00:00.000Z', '2026-05-01T10:20:00.000Z');
    expect(window).toEqual({ mode: 'around', at: '2026-05-01T10:10:00.000Z', minutes: 15 });
    // A run of a few seconds still gets the margin, and never zero minutes.
    expect(aroundRange('2026-05-01T10:00:00.000Z', '2026-05-01T10:00:03.000Z', 0)).toEqual({
      mode: 'around',
      at: '2026-05-01T10:00:01.500Z',
      minutes: 1,
    });
  });

  it('treats an end before the start as a moment, and caps a long range at the day the contract allows', () => {
    expect(aroundRange('2026-05-01T10:00:00.000Z', '2026-05-01T09:00:00.000Z', 5)).toEqual({
      mode: 'around',
      at: '2026-05-01T10:00:00.000Z',
      minutes: 5,
    });
    const week = aroundRange('2026-05-01T00:00:00.000Z', '2026-05-08T00:00:00.000Z');
    expect(week.mode === 'around' && week.minutes).toBe(24 * 60);
    expect(BundleWindow.safeParse(week).success).toBe(true);
  });
});

describe('bundleHref', () => {
  it('builds the new-bundle route with the target and an "around" window', () => {
    const href = bundleHref({ targetId: 'shop-prod', window: aroundTime('2026-05-01T08:00:00.000Z', 20) });
    expect(href).toBe('#/bundles/new?target=shop-prod&mode=around&at=2026-05-01T08%3A00%3A00.000Z&minutes=20');
  });

  it('leaves the target out when there is none, to be chosen on the page', () => {
    expect(bundleHref({ window: lastMinutes() })).toBe('#/bundles/new?mode=last&minutes=60');
    expect(bundleHref({ targetId: 'a', window: { mode: 'since-deploy' } })).toBe(
      '#/bundles/new?target=a&mode=since-deploy',
    );
  });

  it('escapes a target id that needs it', () => {
    const href = bundleHref({ targetId: 'a b&c', window: lastMinutes() });
    expect(readBundleLink(href).targetId).toBe('a b&c');
  });
});

describe('readBundleLink', () => {
  it('reads back every window bundleHref writes, from the route rest or the whole hash', () => {
    const windows: BundleWindow[] = [
      lastMinutes(),
      lastMinutes(5),
      aroundTime('2026-05-01T08:00:00.000Z', 45),
      { mode: 'since-deploy' },
    ];
    for (const window of windows) {
      const href = bundleHref({ targetId: 't1', window });
      expect(readBundleLink(href)).toEqual({ targetId: 't1', window });
      expect(readBundleLink(restOf(href))).toEqual({ targetId: 't1', window });
    }
  });

  it('gives the last hour and no target for a bare page', () => {
    expect(readBundleLink('new')).toEqual({ targetId: undefined, window: { mode: 'last', minutes: 60 } });
    expect(readBundleLink('new?mode=last')).toEqual({ targetId: undefined, window: { mode: 'last', minutes: 60 } });
  });

  it('falls back to the last hour for a window that does not parse, keeping the target', () => {
    for (const query of [
      'mode=around&at=yesterday&minutes=10',
      'mode=around&minutes=10',
      'mode=last&minutes=-3',
      'mode=last&minutes=ten',
      'mode=around&at=2026-05-01T08:00:00Z&minutes=99999',
      'mode=sometime',
    ]) {
      expect(readBundleLink(`new?target=t1&${query}`), query).toEqual({
        targetId: 't1',
        window: { mode: 'last', minutes: 60 },
      });
    }
  });

  it('ignores fields the mode does not take', () => {
    expect(readBundleLink('new?target=t1&mode=last&at=2026-05-01T08:00:00Z&minutes=30').window).toEqual({
      mode: 'last',
      minutes: 30,
    });
    expect(readBundleLink('new?mode=since-deploy&minutes=30').window).toEqual({ mode: 'since-deploy' });
  });

  it('gives the contract default of fifteen minutes to an "around" link without minutes', () => {
    expect(readBundleLink('new?mode=around&at=2026-05-01T08:00:00.000Z').window).toEqual({
      mode: 'around',
      at: '2026-05-01T08:00:00.000Z',
      minutes: 15,
    });
  });
});
