/**
 * Guesses the severity of one log line, for colouring and filtering.
 *
 * Pure and without Node imports: the agent tags `/api/ops/logs` entries with it and the console's
 * Logs view runs it on lines that come without a level. It only reads structure that logging
 * libraries put there on purpose (a JSON `level` field, `level=warn`, `[error]`, glog's `E0101`,
 * an upper-case `ERROR` near the start), so "0 errors found" in prose stays unlevelled: a wrong
 * red line costs more attention than a missing colour.
 */
import type { LogLevel } from './model/ops';

const WORDS: Record<string, LogLevel> = {
  error: 'error', err: 'error', eror: 'error', fatal: 'error', critical: 'error', crit: 'error', panic: 'error',
  alert: 'error', emerg: 'error', emergency: 'error', severe: 'error', e: 'error', f: 'error', c: 'error',
  warn: 'warn', warning: 'warn', wrn: 'warn', w: 'warn',
  info: 'info', information: 'info', informational: 'info', notice: 'info', inf: 'info', log: 'info', i: 'info', n: 'info',
  debug: 'debug', dbg: 'debug', trace: 'debug', verbose: 'debug', fine: 'debug', finer: 'debug', finest: 'debug', d: 'debug', t: 'debug', v: 'debug',
};

/** Field names that structured loggers use for the level (pino, bunyan, winston, zap, logrus, ECS, GCP). */
const JSON_FIELDS = ['level', 'severity', 'lvl', 'levelname', 'log.level', 'loglevel', 'log_level', '@l', 'status'];

/** Only the start of a line carries its level; scanning all of it finds "error" in messages. */
const HEAD = 120;

const KEY_VALUE = /(?:^|[\s,{])"?(?:level|lvl|severity|log\.level|levelname|loglevel)"?\s*[=:]\s*"?([A-Za-z]+)/i;
const BRACKETED = /[[<(]\s*(error|err|fatal|critical|crit|panic|alert|emerg|warn|warning|info|notice|debug|trace|verbose)\s*[\]>)]/i;
/** glog / klog: `E0101 10:00:00.000000  1 file.go:12] message`. */
const GLOG = /^([IWEF])\d{4} \d{2}:\d{2}:\d{2}/;
/** Ruby's Logger: `E, [2024-05-01T10:00:00.123 #1] ERROR -- : message`. */
const RUBY = /^([DIWEF]), \[\d{4}-/;
/** Upper-case level words; only these count anywhere in the head of the line. */
const UPPER = /(?:^|[\s|:[\]-])(ERROR|ERR|FATAL|CRITICAL|CRIT|PANIC|EMERG|ALERT|SEVERE|WARNING|WARN|INFO|NOTICE|LOG|DEBUG|TRACE|VERBOSE)(?=$|[\s:|\]\-,])/;
/** `Error: ENOENT ...`, `error: connection refused`, `Warning: ...`, `Traceback (most recent call last):`. */
const LEADING_WORD = /^(error|fatal|panic|warning|warn)\b\s*[:!-]/i;
const TRACEBACK = /^(Traceback \(most recent call last\)|Exception in thread |Unhandled(?:Promise)?Rejection|Uncaught )/;

/** The patterns and words, for the test that checks the quick gate never changes an answer. */
export const LEVEL_PATTERNS = { WORDS, KEY_VALUE, BRACKETED, GLOG, RUBY, UPPER, LEADING_WORD, TRACEBACK } as const;

export function detectLogLevel(line: string): LogLevel | null {
  const text = stripAnsi(line).trimStart();
  if (!text) return null;
  if (text.startsWith('{')) {
    const level = fromJson(text);
    if (level !== undefined) return level;
  }
  const head = text.slice(0, HEAD);
  const first = head.charCodeAt(0);
  const second = head.charCodeAt(1);
  if ((GLOG_FIRST.includes(first) && second >= 48 && second <= 57) || (RUBY_FIRST.includes(first) && second === 44)) {
    const glog = GLOG.exec(head) ?? RUBY.exec(head);
    if (glog) return WORDS[glog[1]!.toLowerCase()] ?? null;
  }
  // Most lines carry no level: one quick pattern says whether any of the others could match
  // (each needs a separator, a bracket or an upper-case word), instead of running them all —
  // that cost main half a microsecond per line of a burst.
  const marked = MAY_HAVE_LEVEL.test(head);
  if (marked) {
    const keyValue = KEY_VALUE.exec(head);
    if (keyValue) {
      const level = WORDS[keyValue[1]!.toLowerCase()];
      if (level) return level;
    }
    const bracketed = BRACKETED.exec(head);
    if (bracketed) return WORDS[bracketed[1]!.toLowerCase()] ?? null;
  }
  if (LEADING_FIRST.includes(first | 0x20)) {
    const leading = LEADING_WORD.exec(head);
    if (leading) return WORDS[leading[1]!.toLowerCase()] ?? null;
  }
  if (TRACEBACK_FIRST.includes(first) && TRACEBACK.test(head)) return 'error';
  if (marked) {
    const upper = UPPER.exec(head);
    if (upper) return WORDS[upper[1]!.toLowerCase()] ?? null;
  }
  return null;
}

/** KEY_VALUE needs `=` or `:`, BRACKETED a bracket, UPPER three upper-case letters in a row. */
const MAY_HAVE_LEVEL = /[=:[<(]|[A-Z]{3}/;
/** The first characters the line-start patterns need. */
const GLOG_FIRST = [...'IWEF'].map((c) => c.charCodeAt(0));
const RUBY_FIRST = [...'DIWEF'].map((c) => c.charCodeAt(0));
/** e, f, p, w (the first letter folded to lower case). */
const LEADING_FIRST = [...'efpw'].map((c) => c.charCodeAt(0));
const TRACEBACK_FIRST = [...'TEU'].map((c) => c.charCodeAt(0));

/** A level from a JSON object's level field; undefined when the line is not a JSON object with one. */
function fromJson(text: string): LogLevel | null | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  for (const field of JSON_FIELDS) {
    const value = field.includes('.') ? nested(record, field.split('.')) : record[field];
    if (typeof value === 'string') {
      const level = WORDS[value.trim().toLowerCase()];
      if (level) return level;
    } else if (typeof value === 'number' && field !== 'status') {
      return fromNumber(value);
    }
  }
  return undefined;
}

/** pino and bunyan: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal. */
function fromNumber(value: number): LogLevel | null {
  if (value >= 50) return 'error';
  if (value >= 40) return 'warn';
  if (value >= 30) return 'info';
  if (value >= 10) return 'debug';
  return null;
}

function nested(record: Record<string, unknown>, path: string[]): unknown {
  let value: unknown = record[path.join('.')];
  if (value !== undefined) return value;
  value = record;
  for (const key of path) {
    if (!value || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** Colour codes would hide `ERROR` behind `\e[31m`. */
function stripAnsi(text: string): string {
  return text.includes('\u001b') ? text.replace(ANSI, '') : text;
}
