/**
 * Error lines as a diff groups them: which lines count as errors, and one normalised form per
 * message so that "timeout after 3012 ms for order 7f3a…" and "timeout after 2987 ms for order
 * 91bc…" are one group. Without it every line with a time, an id or a number in it would be a
 * "new message" after every deploy.
 */

/** Longest normalised message kept: a group name is read by a person, not a whole stack trace. */
const MAX_MESSAGE = 300;

/**
 * The order matters: timestamps before numbers (or "2026-11-26" becomes "<n>-<n>-<n>"), UUIDs and
 * quoted values before hex ids (a UUID is hex with dashes; a quoted value may hold anything).
 */
const PLACEHOLDERS: [RegExp, string][] = [
  // ISO 8601 and the common "2026-11-26 15:04:05,123" forms, with an optional zone.
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\b/g, '<ts>'],
  [/\b\d{4}-\d{2}-\d{2}\b/g, '<ts>'],
  [/\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, '<ts>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  // A quote opens only after a non-word character, so the apostrophe in "can't" is not one.
  [/(?<!\w)(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`\n]*`)/g, '<str>'],
  // An IPv4 address (and port) is one value, not four numbers.
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b/g, '<ip>'],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  // A run of 8 or more hex characters with a digit and a letter: commit SHAs, request and container ids.
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>'],
  [/\d+(?:\.\d+)?/g, '<n>'],
];

/** A message with its variable parts replaced by placeholders, whitespace collapsed. */
export function normaliseMessage(message: string): string {
  let out = message;
  for (const [pattern, placeholder] of PLACEHOLDERS) out = out.replace(pattern, placeholder);
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > MAX_MESSAGE ? `${out.slice(0, MAX_MESSAGE)}…` : out;
}

const ERROR_LEVELS = new Set(['error', 'fatal', 'critical', 'panic']);
const ERROR_WORD = /\b(?:error|fatal)\b/i;

/** An error-level line: its level says so, or its text does (most containers log plain text). */
export function isErrorLine(level: string | null | undefined, message: string): boolean {
  if (level && ERROR_LEVELS.has(level.toLowerCase())) return true;
  return ERROR_WORD.test(message);
}
