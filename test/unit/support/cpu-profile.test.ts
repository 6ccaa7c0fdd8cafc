/**
 * cpu-profile.ts over hand-made profiles: only samples inside the windows count, idle is left out
 * of the busy time while the collector stays in, and a sample counts once, for the innermost
 * group on its stack. (Source maps and the clock are tested against a real `node --cpu-prof` in
 * test/integration/support/cpu-profile.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { formatEntries, summarizeProfile, type CpuProfile, type FrameGroup } from '../../support/cpu-profile';

const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 9, columnNumber: 0 });

/**
 * (root) ─┬ (idle)
 *         ├ (garbage collector)
 *         └ drain ─┬ parse (zod)
 *                  └ sendFrame (ws) ─ safeParse (zod)
 */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 4] },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('(garbage collector)') },
    { id: 4, callFrame: frame('drain', 'file:///repo/main/services/logs/docker-log-source.ts'), children: [5, 6] },
    { id: 5, callFrame: frame('parse', 'file:///repo/node_modules/zod/v4/core/parse.cjs') },
    { id: 6, callFrame: frame('sendFrame', 'file:///repo/node_modules/ws/lib/sender.js'), children: [7] },
    { id: 7, callFrame: frame('safeParse', 'file:///repo/node_modules/zod/v4/classic/schemas.cjs') },
  ],
  startTime: 1_000,
  endTime: 1_070,
  // At 1000, 1010, … 1060; each stands for the 10 µs until the next.
  samples: [2, 3, 4, 5, 6, 7, 2],
  timeDeltas: [0, 10, 10, 10, 10, 10, 10],
};

const groups: FrameGroup[] = [
  { name: 'zod', matches: (f) => f.file.startsWith('zod/') },
  { name: 'send', matches: (f) => f.file === 'ws/lib/sender.js' },
  { name: 'log parsing', matches: (f) => f.file.startsWith('node/docker/') },
];

describe('summarizeProfile', () => {
  it('counts the whole profile without windows: idle out of the busy time, the collector in', () => {
    const summary = summarizeProfile(profile, { root: '/repo', groups });
    expect(summary.sampledMicros).toBe(60);
    expect(summary.busyMicros).toBe(50);
    expect(summary.self.map((entry) => entry.label)).not.toContain('(idle)');
    expect(summary.self).toContainEqual({ label: '(garbage collector)', micros: 10 });
    expect(summary.self).toContainEqual({ label: 'drain main/services/logs/docker-log-source.ts:10', micros: 10 });
    expect(summary.self).toContainEqual({ label: 'sendFrame ws/lib/sender.js:10', micros: 10 });
  });

  it('gives a sample to the innermost group on its stack, once', () => {
    const summary = summarizeProfile(profile, { root: '/repo', groups });
    // safeParse runs inside sendFrame: zod's, not the send's.
    expect(summary.groups).toEqual([
      { label: 'zod', micros: 20 },
      { label: 'send', micros: 10 },
      { label: 'log parsing', micros: 0 },
    ]);
  });

  it('counts only the samples inside the windows', () => {
    const summary = summarizeProfile(profile, {
      root: '/repo',
      groups,
      windows: [
        [1_005, 1_025],
        [1_035, 1_045],
      ],
    });
    // 1010 (collector), 1020 (drain), 1040 (sendFrame).
    expect(summary.sampledMicros).toBe(30);
    expect(summary.busyMicros).toBe(30);
    expect(summary.groups).toEqual([
      { label: 'zod', micros: 0 },
      { label: 'send', micros: 10 },
      { label: 'log parsing', micros: 0 },
    ]);
    expect(summarizeProfile(profile, { root: '/repo', windows: [[0, 999]] }).sampledMicros).toBe(0);
  });

  it('keeps the top entries asked for, busiest first', () => {
    const busy: CpuProfile = { ...profile, samples: [4, 4, 4, 5, 3, 3, 2], timeDeltas: [0, 10, 10, 10, 10, 10, 10] };
    const summary = summarizeProfile(busy, { root: '/repo', top: 2 });
    expect(summary.self).toEqual([
      { label: 'drain main/services/logs/docker-log-source.ts:10', micros: 30 },
      { label: '(garbage collector)', micros: 20 },
    ]);
  });
});

describe('formatEntries', () => {
  it('prints ms and the share of the busy time, numbered or aligned by label', () => {
    const entries = [
      { label: '(garbage collector)', micros: 689_000 },
      { label: 'insertRows main/services/logs/log-cache.ts:444', micros: 427_400 },
    ];
    expect(formatEntries(entries, 4_350_000, true)).toEqual([
      '   1.   689 ms  15.8%  (garbage collector)',
      '   2.   427 ms   9.8%  insertRows main/services/logs/log-cache.ts:444',
    ]);
    const aligned = formatEntries(entries, 4_350_000, false);
    expect(aligned[0]).toMatch(/^ {2}\(garbage collector\) +689 ms +15\.8%$/);
    expect(aligned[0]!.length).toBe(aligned[1]!.length);
  });
});
