/**
 * The pure parts of the `ops-api` step: reading migrations output, the diff artifact, SHA
 * matching and frontend error groups.
 */
import { describe, expect, it } from 'vitest';
import { compareMigrations, diffLines, migrationEntries, migrationsDiffText } from '../../../main/services/runbooks/steps/migrations-diff';
import { groupFrontendErrors, opsApiStep, shaMatches } from '../../../main/services/runbooks/steps/ops-api-step';
import { OpsApiStepParams } from '../../../shared/model/runbook-steps';
import type { FrontendError } from '../../../shared/model/ops';

describe('migrations output', () => {
  it('keeps one entry per non-empty line, whitespace collapsed, repeats dropped', () => {
    expect(migrationEntries(' up   20240101  create users \r\n\n down 20240215 add orders\nup 20240101 create users\n')).toEqual([
      'up 20240101 create users',
      'down 20240215 add orders',
    ]);
  });

  it('tells entries only on one side apart, both ways (a status change counts)', () => {
    const here = ['up 1 users', 'up 2 orders'];
    const there = ['up 1 users', 'down 2 orders', 'down 3 coupons'];
    expect(compareMigrations(here, there)).toEqual({ same: false, onlyHere: ['up 2 orders'], onlyOther: ['down 2 orders', 'down 3 coupons'] });
    expect(compareMigrations(here, [...here].reverse())).toEqual({ same: true, onlyHere: [], onlyOther: [] });
  });

  it('diffs in the order the tools print, like diff -u', () => {
    expect(diffLines(['a', 'b', 'c', 'd'], ['a', 'c', 'x', 'd', 'e']).map((l) => `${l.mark}${l.text}`)).toEqual([' a', '-b', ' c', '+x', ' d', '+e']);
    expect(diffLines([], ['a'])).toEqual([{ mark: '+', text: 'a' }]);
  });

  it('heads the artifact with both sides and their exit codes', () => {
    expect(migrationsDiffText({ name: 'prod', entries: ['a'], exitCode: 0 }, { name: 'staging', entries: ['a', 'b'], exitCode: null })).toBe(
      '--- prod migrations (exit 0)\n+++ staging migrations (did not exit)\n a\n+b\n',
    );
  });
});

describe('SHA matching', () => {
  it('matches the same SHA, and a short SHA of 7 or more characters, in any case', () => {
    const sha = '3f9c2a1b7d4e5f60718293a4b5c6d7e8f9012345';
    expect(shaMatches(sha, sha)).toBe(true);
    expect(shaMatches(sha, '3F9C2A1')).toBe(true);
    expect(shaMatches('3f9c2a1', sha)).toBe(true);
    expect(shaMatches(sha, '3f9c2a')).toBe(false);
    expect(shaMatches(sha, '4f9c2a1')).toBe(false);
    expect(shaMatches('', sha)).toBe(false);
  });
});

describe('frontend error groups', () => {
  const error = (message: string, count: number): FrontendError => ({
    id: 1,
    receivedAt: '2024-05-01T10:00:00Z',
    buildHash: null,
    route: '/',
    message,
    stack: null,
    browser: null,
    wsState: null,
    kind: null,
    count,
  });

  it('groups by message, most frequent first, a batched error counting its count', () => {
    expect(groupFrontendErrors([error('B', 1), error('A', 2), error('B', 1), error('C', 0)])).toEqual({
      total: 5,
      groups: [
        { message: 'A', count: 2 },
        { message: 'B', count: 2 },
        { message: 'C', count: 1 },
      ],
    });
  });
});

describe('ops-api step declarations', () => {
  it('changes nothing, is safe to repeat, and says what it does', () => {
    const params = OpsApiStepParams.parse({ action: 'compare-migrations', other: 'shop-staging' });
    expect(opsApiStep.changes(params)).toBe(false);
    expect(opsApiStep.repeatable(params)).toBe(true);
    expect(opsApiStep.describe(params, null)).toBe('Compare the migrations with shop-staging');
    expect(opsApiStep.describe(OpsApiStepParams.parse({ action: 'frontend-errors' }), null)).toBe('Group the frontend errors since 1h');
  });
});
