/**
 * The History settings form model (renderer/src/areas/integrations/retention-form.ts), in node:
 * what is typed becomes a `ProbeRetention` main accepts, or one message per field.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROBE_RETENTION, ProbeRetention } from '../../../../shared/model/probe';
import {
  buildRetention,
  defaultRetentionForm,
  describeRetention,
  formatDays,
  formatMegabytes,
  retentionFormState,
  sameRetention,
} from '../../../../renderer/src/areas/integrations/retention-form';

describe('retention form', () => {
  it('starts from the issue’s defaults: raw results 30 days, aggregates a year', () => {
    expect(defaultRetentionForm()).toEqual({ rawDays: '30', aggregateDays: '365', maxMegabytes: '1024' });
    expect(describeRetention(DEFAULT_PROBE_RETENTION)).toBe(
      'Raw results 30 days, aggregates 1 year, at most 1,024 MB on disk.',
    );
  });

  it('round-trips what is in use', () => {
    const retention = { rawDays: 14, aggregateDays: 180, maxMegabytes: 500 };
    const result = buildRetention(retentionFormState(retention));
    expect(result).toEqual({ ok: true, retention });
    if (result.ok) expect(ProbeRetention.parse(result.retention)).toEqual(retention);
  });

  it('reads spaces, commas and underscores as digit groups', () => {
    const result = buildRetention({ rawDays: ' 7 ', aggregateDays: '3,650', maxMegabytes: '1 000_000' });
    expect(result).toEqual({ ok: true, retention: { rawDays: 7, aggregateDays: 3650, maxMegabytes: 1_000_000 } });
  });

  it('says what is wrong, per field', () => {
    const result = buildRetention({ rawDays: '', aggregateDays: '1.5', maxMegabytes: '-3' });
    expect(result).toEqual({
      ok: false,
      errors: {
        rawDays: 'Enter a number.',
        aggregateDays: 'Enter a whole number of days.',
        maxMegabytes: 'Enter a whole number of MB.',
      },
    });
  });

  it('holds to the schema’s bounds, saying them', () => {
    expect(buildRetention({ rawDays: '0', aggregateDays: '3651', maxMegabytes: '9' })).toEqual({
      ok: false,
      errors: {
        rawDays: 'Between 1 and 3,650 days.',
        aggregateDays: 'Between 1 and 3,650 days.',
        maxMegabytes: 'Between 10 and 1,000,000 MB.',
      },
    });
    expect(buildRetention({ rawDays: '1', aggregateDays: '3650', maxMegabytes: '10' }).ok).toBe(true);
  });

  it('refuses aggregates kept for less time than raw results', () => {
    expect(buildRetention({ rawDays: '30', aggregateDays: '29', maxMegabytes: '100' })).toEqual({
      ok: false,
      errors: { aggregateDays: 'Keep aggregates at least as long as raw results (30 days).' },
    });
    expect(buildRetention({ rawDays: '30', aggregateDays: '30', maxMegabytes: '100' }).ok).toBe(true);
  });

  it('writes days and sizes for people', () => {
    expect(formatDays(1)).toBe('1 day');
    expect(formatDays(90)).toBe('90 days');
    expect(formatDays(730)).toBe('2 years');
    expect(formatMegabytes(2000)).toBe('2 GB');
    expect(formatMegabytes(1024)).toBe('1,024 MB');
    expect(sameRetention(DEFAULT_PROBE_RETENTION, { rawDays: 30, aggregateDays: 365, maxMegabytes: 1024 })).toBe(true);
    expect(sameRetention(DEFAULT_PROBE_RETENTION, { rawDays: 31, aggregateDays: 365, maxMegabytes: 1024 })).toBe(false);
  });
});
