/**
 * The Bundles area's pure parts (renderer/src/areas/bundles/*), in node with no DOM: its routes
 * and the links other areas make, the window form, reading an opened bundle's loose JSON, and
 * the rule dialog's drafts.
 */
import { describe, expect, it } from 'vitest';
import { BundleWindow, RedactionRuleDraft } from '../../../../shared/model/bundle';
import { bundleHref } from '../../../../renderer/src/areas/bundles/bundle-link';
import {
  cellText,
  columnsOf,
  eventsOf,
  hasContent,
  labelOf,
  recordLists,
  runSummaryOf,
  sourceName,
} from '../../../../renderer/src/areas/bundles/bundle-view-model';
import { diffRest, openRest, parseBundlesRoute } from '../../../../renderer/src/areas/bundles/bundles-route';
import { draftOf } from '../../../../renderer/src/areas/bundles/rule-draft';
import { formOfWindow, windowOfForm } from '../../../../renderer/src/areas/bundles/window-form';

describe('bundles routes', () => {
  it('reads the list, the rules, an opened bundle and a diff', () => {
    expect(parseBundlesRoute('')).toEqual({ view: 'list' });
    expect(parseBundlesRoute('rules')).toEqual({ view: 'rules' });
    expect(parseBundlesRoute(openRest('shop-prod-20260501-100000.tar.gz'))).toEqual({
      view: 'open',
      id: 'shop-prod-20260501-100000.tar.gz',
    });
    expect(parseBundlesRoute(diffRest('a.tar.gz', 'b.json.gz'))).toEqual({
      view: 'diff',
      a: 'a.tar.gz',
      b: 'b.json.gz',
    });
    // Half a route falls back to the list rather than an empty screen.
    expect(parseBundlesRoute('open')).toEqual({ view: 'list' });
    expect(parseBundlesRoute('diff/a.tar.gz')).toEqual({ view: 'list' });
  });

  it('reads the target and window of a new-bundle link as the entry points build it', () => {
    const around = { mode: 'around', at: '2026-05-01T10:00:00.000Z', minutes: 20 } as const;
    const rest = bundleHref({ targetId: 'shop-prod', window: around }).replace(/^#\/bundles\//, '');
    expect(parseBundlesRoute(rest)).toEqual({ view: 'new', targetId: 'shop-prod', window: around });
    expect(parseBundlesRoute('new?target=t1&mode=since-deploy')).toEqual({
      view: 'new',
      targetId: 't1',
      window: { mode: 'since-deploy' },
    });
    expect(parseBundlesRoute('new?target=t1&mode=last&minutes=30')).toMatchObject({
      window: { mode: 'last', minutes: 30 },
    });
  });

  it('falls back to the last hour for a window it cannot read', () => {
    expect(parseBundlesRoute('new')).toEqual({ view: 'new', targetId: '', window: { mode: 'last', minutes: 60 } });
    expect(parseBundlesRoute('new?target=t1&mode=around&at=yesterday')).toMatchObject({
      window: { mode: 'last', minutes: 60 },
    });
    expect(parseBundlesRoute('new?target=t1&mode=last&minutes=-5')).toMatchObject({
      window: { mode: 'last', minutes: 60 },
    });
  });
});

describe('the window form', () => {
  const now = Date.UTC(2026, 4, 1, 10, 0, 0);

  it('opens on the last hour by default, and on what a link asks for', () => {
    expect(formOfWindow({ mode: 'last', minutes: 60 }, now).choice).toBe('hour');
    expect(formOfWindow({ mode: 'last', minutes: 30 }, now)).toMatchObject({ choice: 'minutes', lastMinutes: '30' });
    expect(formOfWindow({ mode: 'since-deploy' }, now).choice).toBe('since-deploy');
    const around = formOfWindow({ mode: 'around', at: '2026-05-01T09:30:00.000Z', minutes: 10 }, now);
    expect(around).toMatchObject({ choice: 'around', aroundMinutes: '10' });
    // The local date-time field holds the same instant it was given.
    expect(new Date(around.aroundAt).toISOString()).toBe('2026-05-01T09:30:00.000Z');
  });

  it('gives back requests the contract accepts, the same window a link carried', () => {
    const windows = [
      { mode: 'last', minutes: 60 },
      { mode: 'last', minutes: 5 },
      { mode: 'since-deploy' },
      { mode: 'around', at: '2026-05-01T09:30:00.000Z', minutes: 10 },
    ] as const;
    for (const window of windows) {
      const result = windowOfForm(formOfWindow(window, now));
      expect(result).toEqual({ window });
      expect(BundleWindow.safeParse(window).success).toBe(true);
    }
  });

  it('says what to fix instead of sending minutes out of range or no time', () => {
    const form = formOfWindow({ mode: 'last', minutes: 60 }, now);
    expect(windowOfForm({ ...form, choice: 'minutes', lastMinutes: '0' })).toEqual({
      error: 'Give the minutes as a whole number from 1 to 43200 (30 days).',
    });
    expect(windowOfForm({ ...form, choice: 'minutes', lastMinutes: '1.5' })).toHaveProperty('error');
    expect(windowOfForm({ ...form, choice: 'around', aroundAt: '' })).toEqual({
      error: 'Give the time the bundle should be around.',
    });
    expect(windowOfForm({ ...form, choice: 'around', aroundMinutes: '2000' })).toHaveProperty('error');
  });
});

describe("an opened bundle's sections", () => {
  it('names log sources without their kind', () => {
    expect(sourceName('container:shop-backend-1')).toBe('shop-backend-1');
    expect(sourceName('service:api')).toBe('api');
    expect(sourceName('web')).toBe('web');
  });

  it('shows a tab only for a section with something in it', () => {
    expect(hasContent(null)).toBe(false);
    expect(hasContent([])).toBe(false);
    expect(hasContent({ groups: [], raw: [] })).toBe(false);
    expect(hasContent({ groups: [{ message: 'x' }], raw: [] })).toBe(true);
    expect(hasContent({ deploy: { sha: 'abc' } })).toBe(true);
  });

  it('finds the lists in a section, array or object of arrays, and their plain columns', () => {
    const lists = recordLists({ groups: [{ message: 'TypeError', count: 3, stack: ['a'] }], raw: ['plain'], total: 4 });
    expect(lists.map((list) => list.name)).toEqual(['Groups', 'Raw']);
    expect(lists[1]!.records).toEqual([{ value: 'plain' }]);
    expect(columnsOf(lists[0]!.records, ['count', 'absent'])).toEqual(['count', 'message']);
    expect(recordLists([{ a: 1 }], 'Alerts')).toEqual([{ name: 'Alerts', records: [{ a: 1 }] }]);
    expect(recordLists('text')).toEqual([]);
  });

  it('writes cells short, and labels keys as words', () => {
    expect(cellText(null)).toBe('—');
    expect(cellText({ a: 1 })).toBe('{"a":1}');
    expect(cellText('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(cellText(145, 160, 'durationMs')).toBe('145 ms');
    expect(cellText(2350, 160, 'durationMs')).toBe('2.4 s');
    expect(cellText(2350, 160, 'count')).toBe('2350');
    // An ISO time reads as a local time, not the raw string.
    expect(cellText('2026-05-01T10:00:00.000Z')).not.toContain('T10:00:00');
    expect(labelOf('frontendErrors')).toBe('Frontend errors');
    expect(labelOf('subject_kind')).toBe('Subject kind');
  });

  it("reads a run's summary and its inline events", () => {
    const run = { run: { id: 'r1', status: 'succeeded' }, events: [{ seq: 1, message: 'hi' }] };
    expect(runSummaryOf(run)).toEqual({ id: 'r1', status: 'succeeded' });
    expect(eventsOf(run)).toEqual([{ seq: 1, message: 'hi' }]);
    expect(runSummaryOf({ id: 'r2' })).toEqual({ id: 'r2' });
    expect(eventsOf({ id: 'r2' })).toEqual([]);
  });
});

describe('the rule dialog', () => {
  const base = { name: 'Shop key', pattern: '', value: '', path: '', enabled: true };

  it('builds drafts the contract accepts', () => {
    const drafts = [
      draftOf({ ...base, kind: 'regex', pattern: 'key=(?<mask>\\w+)' }),
      draftOf({ ...base, kind: 'literal', value: 's3cr3t-value' }),
      draftOf({ ...base, kind: 'json-path', path: ' $.env.API_KEY ' }),
    ];
    for (const result of drafts) {
      expect(result).toHaveProperty('draft');
      if ('draft' in result) expect(RedactionRuleDraft.safeParse(result.draft).success).toBe(true);
    }
    expect(drafts[2]).toMatchObject({ draft: { path: '$.env.API_KEY' } });
  });

  it('says what is missing', () => {
    expect(draftOf({ ...base, kind: 'regex', name: ' ' })).toEqual({ error: 'Give the rule a name.' });
    expect(draftOf({ ...base, kind: 'regex', pattern: 'key=\\w+' })).toEqual({
      error: 'The pattern needs a named group (?<mask>…): the part to hide.',
    });
    expect(draftOf({ ...base, kind: 'literal', value: 'abc' })).toHaveProperty('error');
    expect(draftOf({ ...base, kind: 'json-path', path: '  ' })).toHaveProperty('error');
  });
});
