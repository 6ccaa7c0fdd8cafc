/**
 * Links into the new-bundle page (renderer/src/areas/bundles/bundle-link.ts): the windows the
 * entry points choose, the hash they build, and the page's own route parser reading it back.
 */
import { describe, expect, it } from 'vitest';
import { BundleWindow } from '../../../../shared/model/bundle';
import { aroundRange, aroundTime, bundleHref, lastMinutes } from '../../../../renderer/src/areas/bundles/bundle-link';
import { parseBundlesRoute } from '../../../../renderer/src/areas/bundles/bundles-route';

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
});

describe('the new-bundle page reading a link (bundles-route.ts)', () => {
  it('reads back every window bundleHref writes, with the target', () => {
    const windows: BundleWindow[] = [
      lastMinutes(),
      lastMinutes(5),
      aroundTime('2026-05-01T08:00:00.000Z', 45),
      aroundRange('2026-05-01T08:00:00.000Z', '2026-05-01T09:30:00.000Z'),
      { mode: 'since-deploy' },
    ];
    for (const window of windows) {
      const href = bundleHref({ targetId: 't1', window });
      expect(parseBundlesRoute(restOf(href))).toEqual({ view: 'new', targetId: 't1', window });
    }
  });

  it('reads a link without a target as "choose one"', () => {
    expect(parseBundlesRoute(restOf(bundleHref({ window: aroundTime('2026-05-01T08:00:00.000Z') })))).toEqual({
      view: 'new',
      targetId: '',
      window: { mode: 'around', at: '2026-05-01T08:00:00.000Z', minutes: 15 },
    });
  });

  it('keeps a target id that needed escaping', () => {
    const href = bundleHref({ targetId: 'a b&c', window: lastMinutes() });
    expect(parseBundlesRoute(restOf(href))).toMatchObject({ view: 'new', targetId: 'a b&c' });
  });
});
