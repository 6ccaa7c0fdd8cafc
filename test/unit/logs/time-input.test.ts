import { describe, expect, it } from 'vitest';
import { parseTimeInput } from '../../../main/services/logs/time-input';
import { ApiError } from '../../../shared/errors';

describe('parseTimeInput', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  it('reads durations back from now and ISO times', () => {
    expect(parseTimeInput('5m', 'since', now)).toBe(now - 300_000);
    expect(parseTimeInput('2h', 'since', now)).toBe(now - 7_200_000);
    expect(parseTimeInput('1d', 'since', now)).toBe(now - 86_400_000);
    expect(parseTimeInput('2024-05-01T10:00:00.250Z', 'from', now)).toBe(Date.parse('2024-05-01T10:00:00.250Z'));
  });
  it('names the field when it cannot read the time', () => {
    expect(() => parseTimeInput('yesterday', 'from', now)).toThrow(ApiError);
    try {
      parseTimeInput('2024-13-45', 'to', now);
    } catch (error) {
      expect((error as ApiError).fieldErrors).toHaveProperty('to');
    }
  });
});
