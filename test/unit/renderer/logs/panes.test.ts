/**
 * The Logs panes' pure parts: the layout tree, the time-ordering buffer, the bounded line
 * store, filters and line formatting.
 */
/* eslint-disable no-control-regex -- terminal text is full of escape sequences */
import { describe, expect, it } from 'vitest';
import {
  closePane,
  countPanes,
  MAX_PANES,
  panes,
  readLayout,
  resizeSplit,
  singlePane,
  splitPane,
  toSaved,
  updatePane,
  type LayoutNode,
} from '../../../../renderer/src/areas/logs/layout';
import { MergeBuffer } from '../../../../renderer/src/areas/logs/merge-buffer';
import { LineStore, type StoredLine } from '../../../../renderer/src/areas/logs/line-store';
import { compileFilter, defaultPaneConfig, type PaneConfig } from '../../../../renderer/src/areas/logs/pane-config';
import {
  clockTime,
  cutToWidth,
  formatLine,
  padLabels,
  plainLine,
} from '../../../../renderer/src/areas/logs/line-format';

describe('layout', () => {
  it('splits right and down, adds siblings in the same direction, and never goes past the maximum', () => {
    const first = singlePane(['container:api']);
    const split = splitPane(first, first.id, 'row');
    let root = split.root;
    const added = split.added;
    expect(countPanes(root)).toBe(2);
    expect(root.kind === 'split' && root.direction).toBe('row');
    // The new pane keeps the display options but asks for its own sources.
    const fresh = panes(root).find((pane) => pane.id === added)!;
    expect(fresh.config.sources).toEqual([]);
    ({ root } = splitPane(root, added!, 'row'));
    expect(root.kind === 'split' && root.children.length).toBe(3); // a row of three, not nested
    ({ root } = splitPane(root, first.id, 'column'));
    expect(countPanes(root)).toBe(4);
    while (countPanes(root) < MAX_PANES) root = splitPane(root, panes(root).at(-1)!.id, 'column').root;
    expect(splitPane(root, first.id, 'row').root).toBe(root);
  });

  it('closes a pane, gives its room to the others, keeps the last one', () => {
    const first = singlePane();
    let { root } = splitPane(first, first.id, 'row');
    const second = panes(root)[1]!;
    root = splitPane(root, second.id, 'column').root;
    root = closePane(root, second.id);
    expect(countPanes(root)).toBe(2);
    root = closePane(root, panes(root)[1]!.id);
    expect(root.kind).toBe('pane');
    expect(closePane(root, first.id)).toBe(root);
  });

  it('reads back what it saved, and refuses what is not a layout', () => {
    const first = singlePane(['container:api']);
    let { root } = splitPane(first, first.id, 'row');
    root = resizeSplit(root, (root as Extract<LayoutNode, { kind: 'split' }>).id, [3, 1]);
    const saved = JSON.parse(JSON.stringify(toSaved(root)));
    expect(readLayout(saved)).toEqual(root);
    expect(readLayout({ version: 99, root })).toBeUndefined();
    expect(readLayout('nonsense')).toBeUndefined();
    expect(readLayout(null)).toBeUndefined();
    // A bad field falls back to its default instead of losing the pane.
    const odd = {
      version: 1,
      root: { kind: 'pane', id: 'p', config: { sources: ['container:api'], wrap: 'yes', scrollback: -4 } },
    };
    expect(readLayout(odd)).toEqual({ kind: 'pane', id: 'p', config: { ...defaultPaneConfig(['container:api']) } });
  });

  it('keeps the tree identical when an update changes nothing', () => {
    const first = singlePane();
    const { root } = splitPane(first, first.id, 'row');
    expect(updatePane(root, first.id, (config) => config)).toBe(root);
    const updated = updatePane(root, first.id, (config) => ({ ...config, wrap: false }));
    expect(updated).not.toBe(root);
    expect(panes(updated)[0]!.config.wrap).toBe(false);
  });
});

describe('MergeBuffer', () => {
  it('holds lines for a moment, then releases them in time order (arrival order breaks ties)', () => {
    const buffer = new MergeBuffer<{ tsMs: number; name: string }>(80);
    buffer.push(
      [
        { tsMs: 300, name: 'a300' },
        { tsMs: 1000, name: 'a1000' },
      ],
      0,
    );
    buffer.push(
      [
        { tsMs: 200, name: 'b200' },
        { tsMs: 1000, name: 'b1000' },
      ],
      30,
    );
    expect(buffer.release(50)).toEqual([]);
    expect(buffer.release(85).map((l) => l.name)).toEqual(['a300', 'a1000']); // b's are not ripe yet
    expect(buffer.release(200, true).map((l) => l.name)).toEqual(['b200', 'b1000']);
    buffer.push(
      [
        { tsMs: 5, name: 'x' },
        { tsMs: 5, name: 'y' },
        { tsMs: 1, name: 'z' },
      ],
      0,
    );
    expect(buffer.release(100).map((l) => l.name)).toEqual(['z', 'x', 'y']);
    expect(buffer.nextRelease()).toBeUndefined();
  });
});

describe('LineStore', () => {
  const line = (message: string): Omit<StoredLine, 'seq'> => ({ tsMs: 0, source: 0, level: null, message });

  it('keeps the newest lines up to its capacity, numbered in arrival order', () => {
    const store = new LineStore(3);
    for (const m of ['a', 'b', 'c', 'd', 'e']) store.push(line(m));
    expect([...store.from()].map((l) => l.message)).toEqual(['c', 'd', 'e']);
    expect(store.oldest()!.seq).toBe(3);
    expect(store.indexOfSeq(4)).toBe(1);
    expect(store.indexOfSeq(2)).toBe(-1);
    store.resize(2);
    expect([...store.from()].map((l) => l.message)).toEqual(['d', 'e']);
    store.resize(5);
    store.push(line('f'));
    expect([...store.from()].map((l) => l.message)).toEqual(['d', 'e', 'f']);
    store.clear();
    expect(store.size).toBe(0);
    expect(store.upcomingSeq).toBe(7);
  });
});

describe('filters', () => {
  const config = (patch: Partial<PaneConfig>) => ({ ...defaultPaneConfig(), ...patch });

  it('passes everything when nothing is set (and costs nothing)', () => {
    expect(compileFilter(config({})).test).toBeNull();
  });

  it('includes and excludes text, case-insensitive unless the pattern has capitals', () => {
    const { test } = compileFilter(config({ include: 'payment', exclude: 'retry' }));
    expect(test!('Payment failed', 'error')).toBe(true);
    expect(test!('payment failed, retry', 'error')).toBe(false);
    expect(test!('login ok', 'info')).toBe(false);
    expect(compileFilter(config({ include: 'Payment' })).test!('payment', null)).toBe(false);
  });

  it('takes regular expressions, and says why one is not valid instead of applying it', () => {
    const { test } = compileFilter(config({ include: 'order=\\d+$', regex: true }));
    expect(test!('failed order=42', null)).toBe(true);
    expect(test!('failed order=x', null)).toBe(false);
    const broken = compileFilter(config({ include: '(unclosed', regex: true }));
    expect(broken.errors.include).toMatch(/group/i);
    expect(broken.test).toBeNull();
  });

  it('filters by level; lines without a level count as info', () => {
    const { test } = compileFilter(config({ levels: ['error', 'info'] }));
    expect(test!('x', 'error')).toBe(true);
    expect(test!('x', 'warn')).toBe(false);
    expect(test!('x', null)).toBe(true);
    expect(compileFilter(config({ levels: ['error'] })).test!('x', null)).toBe(false);
  });
});

describe('line format', () => {
  const stored = (message: string, level: StoredLine['level'] = null): StoredLine => ({
    seq: 1,
    tsMs: Date.UTC(2024, 4, 1, 10, 2, 3, 45),
    source: 1,
    level,
    message,
  });

  it('prefixes the time and the coloured source, colours levels, sanitizes the message and marks what it neutralized', () => {
    const labels = padLabels(['api', 'worker']);
    const text = formatLine(stored('boom \x1b]52;c;eA==\x07', 'error'), { timestamps: true, labels });
    expect(text).toMatch(
      /^\x1b\[2m\d{2}:\d{2}:03\.045\x1b\[0m \x1b\[38;5;72mworker │\x1b\[0m \x1b\[91mboom \x1b\[7m␛\x1b\[27m\]52;c;eA==\x1b\[7m␇\x1b\[27m\x1b\[0m\r\n$/,
    );
    expect(formatLine(stored('plain'), { timestamps: false, labels })).toBe('\x1b[38;5;72mworker │\x1b[0m plain\r\n');
    expect(plainLine(stored('whole \x1b[31mmessage'), 'worker')).toBe(
      '2024-05-01T10:02:03.045Z worker whole \x1b[31mmessage\n',
    );
  });

  it('cuts to the width when wrap is off, counting wide characters and skipping colours', () => {
    expect(cutToWidth('short', 10)).toBe('short');
    expect(cutToWidth('abcdefghijkl', 10)).toBe('abcdefghi\x1b[0m\x1b[2m…\x1b[0m');
    expect(cutToWidth('\x1b[31mabcdefghijkl', 10)).toBe('\x1b[31mabcdefghi\x1b[0m\x1b[2m…\x1b[0m');
    expect(cutToWidth('日本語日本語', 6)).toBe('日本\x1b[0m\x1b[2m…\x1b[0m');
    expect(cutToWidth('\x1b]8;;https://a.b\x1b\\linktext-long\x1b]8;;\x1b\\', 5)).toBe(
      '\x1b]8;;https://a.b\x1b\\link\x1b[0m\x1b]8;;\x1b\\\x1b[2m…\x1b[0m',
    );
  });
});

describe('clockTime', () => {
  it('reads like the Date it stands for, across seconds, minutes and days, whatever came before', () => {
    const naive = (ms: number) => {
      const d = new Date(ms);
      const two = (n: number) => String(n).padStart(2, '0');
      return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
    };
    const base = Date.UTC(2026, 10, 21, 23, 59, 58, 995);
    const times = [0, 1, 4, 5, 9, 10, 99, 100, 999, 1_000, 1_005, 61_000, 3_600_000, -5, 86_400_000].map(
      (d) => base + d,
    );
    // Out of order too: the remembered second must never leak into another second's text.
    for (const ms of [...times, ...times.reverse()]) expect(clockTime(ms)).toBe(naive(ms));
  });
});
