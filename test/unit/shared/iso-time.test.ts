import { describe, expect, it } from 'vitest';
import { isoToMs, msToIso } from '../../../shared/iso-time';

describe('isoToMs / msToIso', () => {
  it('agrees with Date.parse and toISOString across days, years and edge times', () => {
    const samples = [
      -1,
      -86_400_001,
      0,
      1,
      999,
      86_399_999,
      86_400_000,
      Date.parse('2024-02-29T23:59:59.999Z'),
      Date.parse('1999-12-31T23:59:59.000Z'),
      Date.now(),
    ];
    for (let i = 0; i < 2_000; i++) samples.push(Math.floor(Math.random() * 4_102_444_800_000));
    for (const ms of samples) {
      const iso = new Date(ms).toISOString();
      expect(isoToMs(iso)).toBe(ms);
      expect(msToIso(ms)).toBe(iso);
    }
  });

  it('falls back to Date.parse for other shapes, and says NaN for what is not a time', () => {
    expect(isoToMs('2024-05-01T12:00:00+02:00')).toBe(Date.parse('2024-05-01T10:00:00Z'));
    expect(isoToMs('2024-05-01T10:00:00Z')).toBe(Date.parse('2024-05-01T10:00:00Z'));
    expect(isoToMs('2024-05-01T1x:00:00.000Z')).toBeNaN();
    expect(isoToMs('not a time at all, no....')).toBeNaN();
  });
});
