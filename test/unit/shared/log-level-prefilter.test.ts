/**
 * detectLogLevel skips the patterns a line's head cannot match (first characters, and one quick
 * pattern for separators, brackets and upper-case words). This checks that the skipping never changes an answer: every line
 * of a generated corpus gets the same level as the plain chain of patterns gives.
 */
import { describe, expect, it } from 'vitest';
import { detectLogLevel, LEVEL_PATTERNS } from '../../../shared/log-level';

// The chain as it ran before the quick gate: the same patterns, each tried in turn.
const { WORDS, KEY_VALUE, BRACKETED, GLOG, RUBY, UPPER, LEADING_WORD, TRACEBACK } = LEVEL_PATTERNS;

function chain(line: string): string | null {
  // eslint-disable-next-line no-control-regex
  const text = line.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').trimStart();
  if (!text || text.startsWith('{')) return detectLogLevel(line); // JSON: not what the head check changes
  const head = text.slice(0, 120);
  const glog = GLOG.exec(head) ?? RUBY.exec(head);
  if (glog) return WORDS[glog[1]!.toLowerCase()] ?? null;
  const keyValue = KEY_VALUE.exec(head);
  if (keyValue && WORDS[keyValue[1]!.toLowerCase()]) return WORDS[keyValue[1]!.toLowerCase()]!;
  const bracketed = BRACKETED.exec(head);
  if (bracketed) return WORDS[bracketed[1]!.toLowerCase()] ?? null;
  const leading = LEADING_WORD.exec(head);
  if (leading) return WORDS[leading[1]!.toLowerCase()] ?? null;
  if (TRACEBACK.test(head)) return 'error';
  const upper = UPPER.exec(head);
  if (upper) return WORDS[upper[1]!.toLowerCase()] ?? null;
  return null;
}

const TOKENS = [
  'E0101',
  'W1231',
  'I0000',
  'F9999',
  'D,',
  'E,',
  'I, [2024-05-01T10:00:00.123 #1]',
  'E0101 10:00:00.000000',
  'level=warn',
  'lvl: info',
  '"severity":"ERROR"',
  'log.level=debug',
  'levelname = critical',
  'level=bogus',
  '[error]',
  '<warn>',
  '( info )',
  '[ notice ]',
  '[x]',
  '(',
  '<',
  '=',
  ':',
  '|',
  '-',
  ',',
  'Error:',
  'error!',
  'fatal -',
  'panic:',
  'Warning:',
  'warn -',
  'Traceback (most recent call last):',
  'Exception in thread ',
  'UnhandledPromiseRejection',
  'Uncaught ',
  'ERROR',
  'ERR',
  'WARN',
  'INFO',
  'LOG',
  'DEBUG',
  'TRACE',
  'VERBOSE',
  'SEVERE',
  'NOTICE',
  'ERRORS',
  'OK',
  'GET',
  'HTTP/1.1',
  '200',
  'errors',
  'info',
  'hello',
  'world',
  '10:00:00',
  '2024-05-01T10:00:00Z',
  'user=alice',
  'e',
  'W',
  'I',
  'Ep',
  'pw',
  ' ',
  '  ',
  '\t',
  '\u001b[31mERROR\u001b[0m',
  'é',
  '→',
];

/** A small deterministic generator (xorshift), so a failure names a line that repeats. */
function lines(count: number): string[] {
  let seed = 0x2545f491;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x100000000;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const parts: string[] = [];
    const n = 1 + Math.floor(next() * 6);
    for (let j = 0; j < n; j++) parts.push(TOKENS[Math.floor(next() * TOKENS.length)]!);
    out.push(parts.join(next() < 0.7 ? ' ' : ''));
  }
  return out;
}

describe('detectLogLevel head check', () => {
  it('gives every line of a generated corpus the level the plain chain gives', () => {
    const corpus = lines(50_000);
    const differ = corpus.filter((line) => detectLogLevel(line) !== chain(line));
    expect(differ.slice(0, 5)).toEqual([]);
    // The corpus reaches every pattern.
    const levels = new Set(corpus.map((line) => detectLogLevel(line)));
    expect([...levels].sort()).toEqual(['debug', 'error', 'info', 'warn', null].sort());
  });
});
