/**
 * parseDockerTime: Docker's RFC3339Nano, podman's whole seconds, offsets, Go's zero time and
 * unix seconds all come out as one UTC ISO string with milliseconds, or null.
 */
import { describe, expect, it } from 'vitest';
import { parseDockerTime } from '../../../node/docker/docker-time';

describe('parseDockerTime', () => {
  it("cuts Docker's nanoseconds to milliseconds without rounding", () => {
    expect(parseDockerTime('2024-05-01T10:00:00.123456789Z')).toBe('2024-05-01T10:00:00.123Z');
    // 999999999 ns must not round up into the next second.
    expect(parseDockerTime('2024-05-01T10:00:00.999999999Z')).toBe('2024-05-01T10:00:00.999Z');
  });

  it('pads short fractions (RFC3339Nano drops trailing zeros)', () => {
    expect(parseDockerTime('2024-05-01T10:00:00.1Z')).toBe('2024-05-01T10:00:00.100Z');
    expect(parseDockerTime('2024-05-01T10:00:00.05Z')).toBe('2024-05-01T10:00:00.050Z');
  });

  it("reads podman's whole seconds", () => {
    expect(parseDockerTime('2024-05-01T10:00:00Z')).toBe('2024-05-01T10:00:00.000Z');
  });

  it('converts offsets with and without a colon to UTC', () => {
    expect(parseDockerTime('2024-05-01T12:00:00+02:00')).toBe('2024-05-01T10:00:00.000Z');
    expect(parseDockerTime('2024-05-01T12:00:00+0200')).toBe('2024-05-01T10:00:00.000Z');
    expect(parseDockerTime('2024-05-01T04:30:00.250-05:30')).toBe('2024-05-01T10:00:00.250Z');
    expect(parseDockerTime('2024-05-01T04:30:00.250-0530')).toBe('2024-05-01T10:00:00.250Z');
    // Crossing midnight backwards.
    expect(parseDockerTime('2024-05-01T01:00:00+02:00')).toBe('2024-04-30T23:00:00.000Z');
  });

  it('treats a time without a zone as UTC, and trims surrounding whitespace', () => {
    expect(parseDockerTime('2024-05-01T10:00:00')).toBe('2024-05-01T10:00:00.000Z');
    expect(parseDockerTime('  2024-05-01T10:00:00.5Z\n')).toBe('2024-05-01T10:00:00.500Z');
  });

  it("returns null for Go's zero time, which Docker uses for 'never'", () => {
    expect(parseDockerTime('0001-01-01T00:00:00Z')).toBeNull();
    expect(parseDockerTime('0001-01-01T00:00:00.000000000Z')).toBeNull();
  });

  it('reads unix seconds', () => {
    expect(parseDockerTime(1714557600)).toBe('2024-05-01T10:00:00.000Z');
    expect(parseDockerTime(1714557600.5)).toBe('2024-05-01T10:00:00.500Z');
  });

  it('returns null for zero or negative seconds', () => {
    expect(parseDockerTime(0)).toBeNull();
    expect(parseDockerTime(-5)).toBeNull();
  });

  it('returns null for numbers that are not a time, instead of throwing', () => {
    expect(parseDockerTime(Number.NaN)).toBeNull();
    expect(parseDockerTime(Number.POSITIVE_INFINITY)).toBeNull();
    expect(parseDockerTime(1e300)).toBeNull();
  });

  it('returns null for missing values and junk', () => {
    expect(parseDockerTime(null)).toBeNull();
    expect(parseDockerTime(undefined)).toBeNull();
    expect(parseDockerTime('')).toBeNull();
    expect(parseDockerTime('yesterday')).toBeNull();
    expect(parseDockerTime('2024-05-01')).toBeNull();
    expect(parseDockerTime('2024-05-01T10:00Z')).toBeNull();
    expect(parseDockerTime('2024-13-01T10:00:00Z')).toBeNull();
    expect(parseDockerTime('2024-05-01T25:00:00Z')).toBeNull();
    expect(parseDockerTime('2024-05-01T10:00:00+2')).toBeNull();
    expect(parseDockerTime('2024-05-01T10:00:00Z trailing')).toBeNull();
  });
});
