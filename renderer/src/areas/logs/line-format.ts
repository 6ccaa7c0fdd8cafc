/**
 * How one stored line is drawn in a pane: `[time] source │ message`, coloured.
 *
 * The message always goes through `sanitizeForTerminal` first: nothing a container prints can
 * drive the terminal. The source prefix takes its colour from the pane's source list; the
 * message takes its level's (error red, warn yellow, info as is, debug dim). Where main masked a
 * keychain secret, the marker is drawn black on yellow so nobody takes it for the log's own text.
 */
import { MASKED_SECRET } from '../../../../shared/log-mask';
import { sanitizeForTerminal } from '../../../../shared/terminal-safety';
import type { LogLevel } from '../../../../shared/model/ops';
import type { StoredLine } from './line-store';

/**
 * Source colours, in the order sources are added to a pane, as xterm 256-colour indices (blue,
 * green, violet, cyan, orange, olive, pink, periwinkle); red and yellow stay for levels. Palette
 * colours rather than true colour: xterm's DOM renderer (used without a GPU) draws them with
 * shared classes instead of a style attribute per cell. logs.css `.src-color-N` matches them for
 * the header swatches.
 */
export const SOURCE_COLORS = [75, 72, 183, 74, 209, 144, 218, 111];

const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
const LEVEL_SGR: Record<LogLevel, string> = {
  error: '\x1b[91m', // the theme's bright red
  warn: '\x1b[33m', // the theme's yellow
  info: '',
  debug: DIM,
};
const RULE = '\u2502'; // │
/** Black on the theme's yellow, then everything off (the level's colour is set again after it). */
const MASK_SGR = '\x1b[30;43m';
/** terminal-safety's stand-ins: Control Pictures, and ⟨9B⟩ / ⟨U+202E⟩ codes. */
const NEUTRALIZED = /[\u2400-\u2426]+|\u27e8(?:[0-9A-F]{2}|U\+[0-9A-F]{4})\u27e9/g;

export interface FormatOptions {
  timestamps: boolean;
  /** Source labels by index, already padded to one width. */
  labels: readonly string[];
  /** Visible columns when wrap is off; lines are cut to fit. Undefined: wrap. */
  cutAt?: number;
}

/** Source labels padded to the longest (at most 24 columns), for aligned prefixes. */
export function padLabels(labels: readonly string[]): string[] {
  const width = Math.min(24, Math.max(0, ...labels.map((label) => label.length)));
  return labels.map((label) => (label.length > width ? `${label.slice(0, width - 1)}…` : label.padEnd(width)));
}

export function sourceSgr(index: number): string {
  return `\x1b[38;5;${SOURCE_COLORS[index % SOURCE_COLORS.length]}m`;
}

const SOURCE_SGR = SOURCE_COLORS.map((_, index) => sourceSgr(index));

/** One line as terminal text, ending in CRLF. */
export function formatLine(line: StoredLine, options: FormatOptions): string {
  const label = options.labels[line.source] ?? '?';
  const prefix =
    (options.timestamps ? `${DIM}${clockTime(line.tsMs)}${RESET} ` : '') +
    `${SOURCE_SGR[line.source % SOURCE_SGR.length]}${label} ${RULE}${RESET} `;
  const levelSgr = line.level ? LEVEL_SGR[line.level] : '';
  let message = sanitizeForTerminal(line.message);
  // What was neutralized stands out (inverse video), so nobody takes "␛[2J" for the log's own text.
  if (message !== line.message) message = message.replace(NEUTRALIZED, '\x1b[7m$&\x1b[27m');
  if (message.includes(MASKED_SECRET)) message = message.replaceAll(MASKED_SECRET, `${MASK_SGR}${MASKED_SECRET}${RESET}${levelSgr}`);
  if (options.cutAt !== undefined) {
    const room = options.cutAt - (options.timestamps ? 13 : 0) - label.length - 3;
    message = cutToWidth(message, Math.max(8, room));
  }
  return levelSgr ? `${prefix}${levelSgr}${message}${RESET}\r\n` : `${prefix}${message}\r\n`;
}

/** A stored line as a plain text file line: ISO time, source name, the whole message. */
export function plainLine(line: StoredLine, source: string): string {
  return `${new Date(line.tsMs).toISOString()} ${source} ${line.message}\n`;
}

/** A cached entry as a plain text file line, like `plainLine`. */
export function entryLine(entry: { ts: string; container: string; message: string }): string {
  return `${entry.ts} ${entry.container} ${entry.message}\n`;
}

let clockSecond = Number.NaN;
let clockPrefix = '';

/** `HH:MM:SS.mmm` in local time; the `HH:MM:SS.` of the last second is reused (a burst shares it). */
export function clockTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== clockSecond) {
    const date = new Date(second * 1000);
    clockPrefix = `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.`;
    clockSecond = second;
  }
  const milli = ms - second * 1000;
  return `${clockPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}`;
}

function two(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/**
 * Sanitized terminal text cut to `width` columns (SGR and OSC 8 take none, wide characters
 * two, a tab up to the next multiple of 8), with "…" where it was cut and any open link closed.
 */
export function cutToWidth(text: string, width: number): string {
  // eslint-disable-next-line no-control-regex
  if (text.length <= width && !/[\t\x1b\u1100-\uffff]/.test(text)) return text;
  return walkColumns(text, Infinity) <= width ? text : walkColumns(text, width - 1, true);
}

function walkColumns(text: string, limit: number): number;
function walkColumns(text: string, limit: number, cut: true): string;
function walkColumns(text: string, limit: number, cut = false): number | string {
  let columns = 0;
  let linkOpen = false;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x1b) {
      // Only what sanitizeForTerminal lets through: `ESC [ … m` and `ESC ] 8 ; … ESC \`.
      if (text.charCodeAt(i + 1) === 0x5b) {
        const end = text.indexOf('m', i);
        i = end < 0 ? text.length : end + 1;
      } else {
        linkOpen = !text.startsWith('\x1b]8;;\x1b\\', i);
        const end = text.indexOf('\x1b\\', i + 2);
        i = end < 0 ? text.length : end + 2;
      }
      continue;
    }
    const pair = code >= 0xd800 && code <= 0xdbff;
    const step = code === 0x09 ? 8 - (columns % 8) : pair || isWide(code) ? 2 : 1;
    if (cut && columns + step > limit) {
      return `${text.slice(0, i)}${RESET}${linkOpen ? '\x1b]8;;\x1b\\' : ''}${DIM}…${RESET}`;
    }
    columns += step;
    i += pair ? 2 : 1;
  }
  return cut ? text : columns;
}

/** East Asian wide and fullwidth ranges in the BMP (enough for a cut; xterm decides the drawing). */
function isWide(code: number): boolean {
  return (
    code >= 0x1100 &&
    (code <= 0x115f ||
      (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6))
  );
}
