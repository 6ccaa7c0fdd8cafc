/**
 * backoffDelay: exponential growth from initialMs, capped at maxMs, with "equal jitter": the
 * delay lies in [ceiling / 2, ceiling] where ceiling = min(maxMs, initialMs * 2^attempt).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, backoffDelay } from '../../../shared/backoff';

const top = () => 1;
const bottom = () => 0;

describe('backoffDelay', () => {
  it('doubles the ceiling with each attempt', () => {
    const opts = { initialMs: 100, maxMs: 1_000_000, random: top };
    expect([0, 1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, opts))).toEqual([100, 200, 400, 800, 1600, 3200]);
  });

  it('keeps the fixed half when the random part is zero', () => {
    const opts = { initialMs: 100, maxMs: 1_000_000, random: bottom };
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, opts))).toEqual([50, 100, 200, 400]);
  });

  it('scales the random half linearly', () => {
    expect(backoffDelay(2, { initialMs: 1_000, maxMs: 60_000, random: () => 0.5 })).toBe(3_000);
    expect(backoffDelay(2, { initialMs: 1_000, maxMs: 60_000, random: () => 0.25 })).toBe(2_500);
  });

  it('never goes above maxMs, however many attempts', () => {
    const opts = { initialMs: 1_000, maxMs: 30_000, random: top };
    expect(backoffDelay(4, opts)).toBe(16_000);
    expect(backoffDelay(5, opts)).toBe(30_000);
    expect(backoffDelay(50, opts)).toBe(30_000);
    // 2 ** 2000 is Infinity: still capped, still a number.
    expect(backoffDelay(2_000, opts)).toBe(30_000);
    expect(backoffDelay(2_000, { ...opts, random: bottom })).toBe(15_000);
  });

  it('treats a negative attempt as the first', () => {
    expect(backoffDelay(-3, { initialMs: 1_000, maxMs: 30_000, random: top })).toBe(1_000);
  });

  it('stays within [ceiling / 2, ceiling] with the real random source, and actually varies', () => {
    const seen = new Set<number>();
    for (let attempt = 0; attempt < 8; attempt++) {
      const ceiling = Math.min(DEFAULT_BACKOFF.maxMs, DEFAULT_BACKOFF.initialMs * 2 ** attempt);
      for (let i = 0; i < 200; i++) {
        const delay = backoffDelay(attempt, DEFAULT_BACKOFF);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(Number.isInteger(delay)).toBe(true);
        if (attempt === 7) seen.add(delay);
      }
    }
    // Many clients dropped by one outage must not all come back at once.
    expect(seen.size).toBeGreaterThan(50);
  });

  it('defaults to 1 s growing to 30 s', () => {
    expect(DEFAULT_BACKOFF).toEqual({ initialMs: 1_000, maxMs: 30_000 });
    expect(backoffDelay(0, { ...DEFAULT_BACKOFF, random: top })).toBe(1_000);
    expect(backoffDelay(10, { ...DEFAULT_BACKOFF, random: top })).toBe(30_000);
  });
});
