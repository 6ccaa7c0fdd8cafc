/**
 * Makes log text safe to hand to a terminal emulator (xterm.js): it may colour, never drive.
 *
 * A container's output is written by whoever controls the container, so a log line must not be
 * able to set the clipboard (OSC 52), point a link at `file://` (OSC 8), retitle the window,
 * move the cursor to overwrite earlier lines, or switch terminal modes. What is kept: SGR
 * colour and style sequences (`ESC [ … m`, without "conceal") and OSC 8 links to http(s) URLs,
 * both re-emitted in a canonical form. Everything else is shown instead of obeyed: ESC becomes
 * "␛" (so `ESC [2J` reads "␛[2J"), other C0 controls their Control Pictures ("␀", "␇", "␍"),
 * DEL "␡", C1 controls and bidirectional overrides a bracketed code. An operator sees that
 * something odd was there; nothing is silently deleted. TAB stays a tab. U+FFFD (invalid UTF-8,
 * decoded in main) is ordinary text; a lone UTF-16 surrogate becomes one.
 *
 * Very long lines are cut for display at `maxLength` characters with a visible marker; the
 * full text stays in the store and the cache for downloads.
 *
 * Pure, no DOM or Node: main can use it too (bundles, `opsctl logs` to a TTY).
 */

/** Characters of a message shown in a pane; the rest is cut with a marker. */
export const DISPLAY_LIMIT = 16 * 1024;

/** OSC 8 URIs longer than this are shown, not linked. */
const MAX_LINK_LENGTH = 2048;
/** An SGR sequence longer than this is not a colour anyone meant. */
const MAX_SGR_LENGTH = 96;

/** Anything the scanner would change: controls, bidi overrides, lone surrogates (pairs are fine). */
const NEEDS_WORK =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const ESC = 0x1b;
const BEL = 0x07;
const ST_C1 = 0x9c;
const SHOWN_ESC = '\u241b'; // ␛

export interface SanitizeOptions {
  /** Characters kept before the cut marker; `DISPLAY_LIMIT` unless given. */
  maxLength?: number;
}

export function sanitizeForTerminal(text: string, options: SanitizeOptions = {}): string {
  const maxLength = options.maxLength ?? DISPLAY_LIMIT;
  let input = text;
  let cut = 0;
  if (input.length > maxLength) {
    let end = maxLength;
    // Never split a surrogate pair: half of one would turn into U+FFFD.
    if (end > 0 && isHighSurrogate(input.charCodeAt(end - 1))) end--;
    cut = input.length - end;
    input = input.slice(0, end);
  }
  const safe = NEEDS_WORK.test(input) ? neutralize(input) : input;
  return cut ? safe + cutMarker(cut) : safe;
}

/** The marker after a cut line: dim and inverted, after a reset so no colour hides it. */
export function cutMarker(hidden: number): string {
  return `\x1b[0m\x1b[2;7m … ${groupDigits(hidden)} more characters not shown (download to see the whole line) \x1b[0m`;
}

function neutralize(input: string): string {
  const parts: string[] = [];
  let plainFrom = 0;
  let styled = false;
  let linkOpen = false;
  const flush = (to: number) => {
    if (to > plainFrom) parts.push(input.slice(plainFrom, to));
  };
  let i = 0;
  while (i < input.length) {
    const code = input.charCodeAt(i);
    if (code >= 0x20 && code < 0x7f) {
      i++;
      continue;
    }
    if (code === ESC) {
      const next = input.charCodeAt(i + 1);
      if (next === 0x5b /* [ */) {
        const sgr = readSgr(input, i);
        if (sgr) {
          flush(i);
          if (sgr.emit) {
            parts.push(sgr.emit);
            styled = true;
          }
          i = plainFrom = sgr.end;
          continue;
        }
      } else if (next === 0x5d /* ] */) {
        const link = readOsc8(input, i);
        // A closer without a kept opener is shown, like the link it would close.
        if (link && (link.uri !== '' || linkOpen)) {
          flush(i);
          if (linkOpen) parts.push('\x1b]8;;\x1b\\');
          linkOpen = link.uri !== '';
          if (linkOpen) parts.push(`\x1b]8;${link.params};${link.uri}\x1b\\`);
          i = plainFrom = link.end;
          continue;
        }
      }
      flush(i);
      parts.push(SHOWN_ESC);
      i = plainFrom = i + 1;
      continue;
    }
    const shown = shownControl(code, input, i);
    if (shown === undefined) {
      i++;
      continue;
    }
    flush(i);
    parts.push(shown);
    i = plainFrom = i + 1;
  }
  flush(input.length);
  if (linkOpen) parts.push('\x1b]8;;\x1b\\');
  if (styled) parts.push('\x1b[0m');
  return parts.join('');
}

/** What to show for a character that must not reach the terminal as is; undefined to keep it. */
function shownControl(code: number, input: string, at: number): string | undefined {
  if (code === 0x09) return undefined;
  if (code < 0x20) return String.fromCharCode(0x2400 + code); // ␀ … ␟
  if (code === 0x7f) return '\u2421'; // ␡
  if (code >= 0x80 && code <= 0x9f) return `\u27e8${hex(code)}\u27e9`; // ⟨9B⟩
  if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) return `\u27e8U+${hex(code)}\u27e9`;
  if (isHighSurrogate(code)) return isLowSurrogate(input.charCodeAt(at + 1)) ? undefined : '\ufffd';
  if (isLowSurrogate(code)) return isHighSurrogate(input.charCodeAt(at - 1)) ? undefined : '\ufffd';
  return undefined;
}

/**
 * A complete `ESC [ params m` at `start` with only digits, `;` and `:` as parameters: what to
 * emit instead (conceal, which would hide text from the operator, is taken out) and where it
 * ends. Undefined for anything else (cursor moves, modes, private sequences).
 */
function readSgr(input: string, start: number): { emit: string; end: number } | undefined {
  let i = start + 2;
  const limit = Math.min(input.length, start + MAX_SGR_LENGTH);
  while (i < limit) {
    const code = input.charCodeAt(i);
    if ((code >= 0x30 && code <= 0x39) || code === 0x3b || code === 0x3a) {
      i++;
      continue;
    }
    if (code !== 0x6d /* m */) return undefined;
    const params = input.slice(start + 2, i);
    const kept = withoutConceal(params);
    return { emit: kept === undefined ? '' : `\x1b[${kept}m`, end: i + 1 };
  }
  return undefined;
}

/** The SGR parameters without `8` (conceal); undefined when nothing is left of a non-empty list. */
function withoutConceal(params: string): string | undefined {
  if (!/(^|;)0*8(;|$)/.test(params)) return params;
  const list = params.split(';');
  const kept: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const param = list[i]!;
    const value = Number(param);
    // 38/48/58 take their colour as the following parameters (5;n or 2;r;g;b): copy them whole.
    if ((value === 38 || value === 48 || value === 58) && !param.includes(':')) {
      const mode = Number(list[i + 1]);
      const take = mode === 5 ? 2 : mode === 2 ? 4 : 0;
      kept.push(...list.slice(i, i + 1 + take));
      i += take;
      continue;
    }
    if (value === 8 && param !== '') continue;
    kept.push(param);
  }
  return kept.length ? kept.join(';') : undefined;
}

/**
 * An OSC 8 hyperlink at `start` whose URI is http(s) (or empty: the closer), terminated by
 * BEL, `ESC \` or C1 ST. Undefined for every other OSC, which is then shown, not obeyed.
 */
function readOsc8(input: string, start: number): { params: string; uri: string; end: number } | undefined {
  if (input.charCodeAt(start + 2) !== 0x38 /* 8 */ || input.charCodeAt(start + 3) !== 0x3b /* ; */) return undefined;
  const bodyStart = start + 4;
  const limit = Math.min(input.length, bodyStart + MAX_LINK_LENGTH + 256);
  for (let i = bodyStart; i < limit; i++) {
    const code = input.charCodeAt(i);
    let end: number;
    if (code === BEL || code === ST_C1) end = i + 1;
    else if (code === ESC && input.charCodeAt(i + 1) === 0x5c /* \ */) end = i + 2;
    else if (code < 0x20 || code === 0x7f) return undefined;
    else continue;
    const body = input.slice(bodyStart, i);
    const split = body.indexOf(';');
    if (split < 0) return undefined;
    const params = body.slice(0, split);
    const uri = body.slice(split + 1);
    // Link parameters are `id=…` pairs; anything stranger is not worth passing through.
    if (!/^[A-Za-z0-9=:_.-]*$/.test(params)) return undefined;
    if (uri === '') return { params: '', uri, end };
    return isWebLink(uri) ? { params, uri, end } : undefined;
  }
  return undefined;
}

function isWebLink(uri: string): boolean {
  if (uri.length > MAX_LINK_LENGTH || !/^https?:\/\/[\x21-\x7e]+$/i.test(uri)) return false;
  try {
    const url = new URL(uri);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
  } catch {
    return false;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function hex(code: number): string {
  return code
    .toString(16)
    .toUpperCase()
    .padStart(code > 0xff ? 4 : 2, '0');
}

function groupDigits(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
