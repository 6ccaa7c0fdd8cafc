/** Which tar entry names the reader unpacks: relative names that stay inside the extract folder. */
import { describe, expect, it } from 'vitest';
import { isSafeEntryName } from '../../../node/bundle/bundle-reader';

describe('isSafeEntryName', () => {
  it.each(['manifest.json', 'context.json', 'logs/api.ndjson', 'runs/run-1/artifacts/screen.png', 'logs/..hidden', 'logs/a..b.ndjson'])('accepts %s', (name) => {
    expect(isSafeEntryName(name)).toBe(true);
  });

  it.each([
    ['', 'empty'],
    ['/etc/passwd', 'absolute'],
    ['../x', 'parent'],
    ['logs/../../x', 'parent inside'],
    ['logs/..', 'parent at the end'],
    ['./x', 'dot'],
    ['logs//x', 'empty part'],
    ['logs/', 'trailing slash'],
    ['logs\\..\\x', 'backslash'],
    ['C:/Windows/x', 'drive letter'],
    ['a\0b', 'NUL'],
    ['x'.repeat(1001), 'too long'],
  ])('refuses %j (%s)', (name) => {
    expect(isSafeEntryName(name)).toBe(false);
  });
});
