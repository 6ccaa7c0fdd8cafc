/**
 * The diff's message normaliser and error-line test: variable parts (times, UUIDs, hex ids,
 * quoted values, numbers) become placeholders so one kind of error is one group, while the words
 * that say what went wrong stay.
 */
import { describe, expect, it } from 'vitest';
import { isErrorLine, normaliseMessage } from '../../../main/services/bundles/diff-messages';

describe('normaliseMessage', () => {
  it('replaces numbers, so the same error with other counts is one group', () => {
    expect(normaliseMessage('timeout after 3012 ms (attempt 2 of 3)')).toBe(
      'timeout after <n> ms (attempt <n> of <n>)',
    );
    expect(normaliseMessage('timeout after 2987 ms (attempt 1 of 3)')).toBe(
      'timeout after <n> ms (attempt <n> of <n>)',
    );
    expect(normaliseMessage('took 1.25s')).toBe('took <n>s');
  });

  it('replaces ISO and log-style timestamps as one placeholder, not as numbers', () => {
    expect(normaliseMessage('job failed at 2026-11-26T15:04:05.123Z')).toBe('job failed at <ts>');
    expect(normaliseMessage('job failed at 2026-11-26T15:04:05+01:00')).toBe('job failed at <ts>');
    expect(normaliseMessage('2026-11-26 15:04:05,981 ERROR boom')).toBe('<ts> ERROR boom');
    expect(normaliseMessage('since 2026-11-26, retry at 15:04:05')).toBe('since <ts>, retry at <ts>');
  });

  it('replaces UUIDs, 0x values and long hex ids (commit SHAs, container ids)', () => {
    expect(normaliseMessage('order 9b2f6c1e-7d4a-4c3b-9e8f-0a1b2c3d4e5f not found')).toBe('order <uuid> not found');
    expect(normaliseMessage('segfault at 0x7ffd1a2b')).toBe('segfault at <hex>');
    expect(normaliseMessage('container 3f9a2c7b81d4 exited, build a1b2c3d4e5f60718293a4b5c6d7e8f9012345678')).toBe(
      'container <hex> exited, build <hex>',
    );
  });

  it('replaces an IPv4 address with its port as one value', () => {
    expect(normaliseMessage('connect ECONNREFUSED 10.0.0.7:5432')).toBe('connect ECONNREFUSED <ip>');
    expect(normaliseMessage('from 192.168.1.20 in 0.5s')).toBe('from <ip> in <n>s');
  });

  it('keeps hex-looking words without digits, and turns all-digit runs into numbers', () => {
    expect(normaliseMessage('deadbeef cafe 12345678')).toBe('deadbeef cafe <n>');
  });

  it('replaces quoted values, but not the apostrophe in a word', () => {
    expect(normaliseMessage("user \"alice@example.com\" can't log in to 'billing'")).toBe(
      "user <str> can't log in to <str>",
    );
    expect(normaliseMessage('unknown column `total_cents`')).toBe('unknown column <str>');
  });

  it('collapses whitespace and cuts a very long message', () => {
    expect(normaliseMessage('  connection   refused\n\tretrying ')).toBe('connection refused retrying');
    const long = normaliseMessage(`Error: ${'x'.repeat(1_000)}`);
    expect(long).toHaveLength(301);
    expect(long.endsWith('…')).toBe(true);
  });

  it('gives the same group for two lines that differ only in their variable parts', () => {
    const one = normaliseMessage(
      'ERROR payment 4f1c2a9e-0b7d-4e8a-9c3f-1d2e3f4a5b6c failed: "card_declined" after 3 tries',
    );
    const two = normaliseMessage(
      'ERROR payment 0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d failed: "insufficient_funds" after 1 tries',
    );
    expect(one).toBe(two);
    expect(one).toBe('ERROR payment <uuid> failed: <str> after <n> tries');
  });
});

describe('isErrorLine', () => {
  it('counts error and fatal levels whatever the text', () => {
    expect(isErrorLine('error', 'something odd')).toBe(true);
    expect(isErrorLine('fatal', 'bye')).toBe(true);
    expect(isErrorLine('ERROR', 'bye')).toBe(true);
  });

  it('counts lines whose text says error or fatal as a word', () => {
    expect(isErrorLine(null, 'Error: connect ECONNREFUSED')).toBe(true);
    expect(isErrorLine(null, 'level=error msg="db down"')).toBe(true);
    expect(isErrorLine('info', 'FATAL: out of memory')).toBe(true);
  });

  it('leaves out lines that only contain the letters inside another word', () => {
    expect(isErrorLine(null, 'served 0 errors today')).toBe(false);
    expect(isErrorLine('info', 'terrorist-detection module loaded')).toBe(false);
    expect(isErrorLine('warn', 'slow query')).toBe(false);
  });
});
