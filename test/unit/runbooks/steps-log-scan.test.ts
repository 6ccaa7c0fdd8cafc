/**
 * The `log-scan` step's reading of its parameters: patterns with `(?i)`, times, and `max` as a
 * template may fill it.
 */
import { describe, expect, it } from 'vitest';
import { StepFailure } from '../../../main/services/runbooks/step-kind';
import { logScanStep, scanMax, scanPattern, scanTime } from '../../../main/services/runbooks/steps/log-scan-step';
import { LogScanStepParams } from '../../../shared/model/runbook-steps';

describe('log-scan parameters', () => {
  it('reads a leading (?i) as the i flag', () => {
    expect(scanPattern('(?i)\\berror\\b')).toEqual(/\berror\b/i);
    expect(scanPattern('ERROR|FATAL')).toEqual(/ERROR|FATAL/);
    expect(scanPattern('(?i)error').test('An Error here')).toBe(true);
    expect(scanPattern('error').test('An Error here')).toBe(false);
  });

  it('turns a pattern JavaScript cannot read into a StepFailure', () => {
    expect(() => scanPattern('[unclosed')).toThrow(StepFailure);
    expect(() => scanPattern('[unclosed')).toThrow(/^The pattern \[unclosed is not a regular expression \(/);
  });

  it('reads a duration back from now, or an ISO time', () => {
    const now = Date.parse('2024-05-01T10:30:00Z');
    expect(scanTime('15m', 'since', now)).toBe(Date.parse('2024-05-01T10:15:00Z'));
    expect(scanTime('2h', 'since', now)).toBe(Date.parse('2024-05-01T08:30:00Z'));
    expect(scanTime('2024-05-01T10:02:03.456Z', 'since', now)).toBe(Date.parse('2024-05-01T10:02:03.456Z'));
    expect(() => scanTime('soon', 'until', now)).toThrow('until: soon is not a time — write a duration such as 15m or an ISO time.');
  });

  it('reads max as a number, a filled template, or nothing', () => {
    expect(scanMax(undefined)).toBeNull();
    expect(scanMax('')).toBeNull();
    expect(scanMax(0)).toBe(0);
    expect(scanMax('25')).toBe(25);
    expect(() => scanMax('lots')).toThrow('max: lots is not a number of lines.');
  });

  it('changes nothing, is safe to repeat, and says what it counts', () => {
    const params = LogScanStepParams.parse({ pattern: '(?i)error', since: '15m', sources: ['api', ''], max: 0 });
    expect(logScanStep.changes(params)).toBe(false);
    expect(logScanStep.repeatable(params)).toBe(true);
    expect(logScanStep.describe(params, null)).toBe('Count lines matching (?i)error in the logs of api since 15m; at most 0 allowed');
  });
});
