/**
 * Terminal safety: log text may colour a pane but never drive the terminal.
 */
/* eslint-disable no-control-regex -- the point of these tests is control characters */
import { describe, expect, it } from 'vitest';
import { DISPLAY_LIMIT, sanitizeForTerminal } from '../../../shared/terminal-safety';

const ESC = '\x1b';
const BEL = '\x07';
const ST = `${ESC}\\`;

/**
 * What a terminal may receive from us: printable text, TAB, SGR sequences and OSC 8 links to
 * http(s), nothing else. Returns the first offending piece, or undefined.
 */
function firstUnsafe(output: string): string | undefined {
  let rest = output;
  while (rest.length) {
    const sgr = /^\x1b\[[0-9;:]*m/.exec(rest);
    const link = /^\x1b\]8;[A-Za-z0-9=:_.-]*;(https?:\/\/[\x21-\x7e]+)?\x1b\\/.exec(rest);
    const token = sgr ?? link;
    if (token) {
      rest = rest.slice(token[0].length);
      continue;
    }
    const code = rest.charCodeAt(0);
    if ((code < 0x20 && code !== 0x09) || (code >= 0x7f && code <= 0x9f)) return rest.slice(0, 12);
    rest = rest.slice(1);
  }
  return undefined;
}

describe('sanitizeForTerminal', () => {
  it('passes plain text, tabs, emoji and U+FFFD through unchanged', () => {
    for (const text of ['GET /health 200 3ms', 'a\tb', 'deploy ✅ 🚀 done', 'bad byte: \ufffd\ufffd', '']) {
      expect(sanitizeForTerminal(text)).toBe(text);
    }
  });

  it('keeps SGR colours (16, 256 and true colour) and ends a coloured line with a reset', () => {
    expect(sanitizeForTerminal(`${ESC}[31mred${ESC}[0m`)).toBe(`${ESC}[31mred${ESC}[0m${ESC}[0m`);
    expect(sanitizeForTerminal(`${ESC}[1;38;5;208mamber`)).toBe(`${ESC}[1;38;5;208mamber${ESC}[0m`);
    expect(sanitizeForTerminal(`${ESC}[38;2;255;0;0mrgb`)).toBe(`${ESC}[38;2;255;0;0mrgb${ESC}[0m`);
    expect(sanitizeForTerminal(`${ESC}[38:2::1:2:3mcolon`)).toBe(`${ESC}[38:2::1:2:3mcolon${ESC}[0m`);
    expect(sanitizeForTerminal(`${ESC}[mreset`)).toBe(`${ESC}[mreset${ESC}[0m`);
  });

  it('takes out conceal (SGR 8), which would hide text from the operator, but not a colour 8', () => {
    expect(sanitizeForTerminal(`${ESC}[8msecret`)).toBe('secret');
    expect(sanitizeForTerminal(`${ESC}[1;8;31msecret`)).toBe(`${ESC}[1;31msecret${ESC}[0m`);
    expect(sanitizeForTerminal(`${ESC}[38;5;8mgrey`)).toBe(`${ESC}[38;5;8mgrey${ESC}[0m`);
    expect(sanitizeForTerminal(`${ESC}[38;2;8;8;8;8mx`)).toBe(`${ESC}[38;2;8;8;8mx${ESC}[0m`);
  });

  it('shows OSC 52 (clipboard) instead of obeying it', () => {
    const out = sanitizeForTerminal(`before${ESC}]52;c;aGFja2Vk${BEL}after`);
    expect(out).toBe('before␛]52;c;aGFja2Vk␇after');
    expect(firstUnsafe(out)).toBeUndefined();
    expect(sanitizeForTerminal(`${ESC}]52;c;aGFja2Vk${ST}`)).toBe('␛]52;c;aGFja2Vk␛\\');
  });

  it('shows title changes and every other OSC', () => {
    expect(sanitizeForTerminal(`${ESC}]0;pwned${BEL}`)).toBe('␛]0;pwned␇');
    expect(sanitizeForTerminal(`${ESC}]2;pwned${ST}`)).toBe('␛]2;pwned␛\\');
    expect(sanitizeForTerminal(`${ESC}]4;1;rgb:ff/00/00${BEL}`)).toBe('␛]4;1;rgb:ff/00/00␇');
    expect(sanitizeForTerminal(`${ESC}]1337;File=x${BEL}`)).toBe('␛]1337;File=x␇');
  });

  it('keeps OSC 8 links to http(s) and shows links to anything else', () => {
    const web = `${ESC}]8;;https://example.com/a?b=1${BEL}docs${ESC}]8;;${BEL}`;
    expect(sanitizeForTerminal(web)).toBe(`${ESC}]8;;https://example.com/a?b=1${ST}docs${ESC}]8;;${ST}`);
    const withId = `${ESC}]8;id=x1;http://example.com${ST}docs${ESC}]8;;${ST}`;
    expect(sanitizeForTerminal(withId)).toBe(withId);

    for (const uri of ['file:///etc/passwd', 'javascript:alert(1)', 'ssh://host', 'https://user:pw@example.com/']) {
      const out = sanitizeForTerminal(`${ESC}]8;;${uri}${BEL}click${ESC}]8;;${BEL}`);
      expect(out).toBe(`␛]8;;${uri}␇click␛]8;;␇`);
      expect(firstUnsafe(out)).toBeUndefined();
    }
  });

  it('closes a link the line left open', () => {
    expect(sanitizeForTerminal(`${ESC}]8;;https://example.com${BEL}open`)).toBe(
      `${ESC}]8;;https://example.com${ST}open${ESC}]8;;${ST}`,
    );
  });

  it('shows cursor moves, erases, modes and other CSI sequences', () => {
    expect(sanitizeForTerminal(`${ESC}[2J${ESC}[H${ESC}[10;20Hx`)).toBe('␛[2J␛[H␛[10;20Hx');
    expect(sanitizeForTerminal(`${ESC}[?25l${ESC}[?1049h${ESC}[1A${ESC}[K`)).toBe('␛[?25l␛[?1049h␛[1A␛[K');
    expect(sanitizeForTerminal(`${ESC}[>4;2m`)).toBe('␛[>4;2m'); // XTMODKEYS looks like SGR but is not
    expect(sanitizeForTerminal(`${ESC}[6n`)).toBe('␛[6n'); // a status report would answer on stdin
  });

  it('shows DCS, SOS, PM, APC and bare ESC sequences', () => {
    expect(sanitizeForTerminal(`${ESC}P+q544e${ST}`)).toBe('␛P+q544e␛\\');
    expect(sanitizeForTerminal(`${ESC}Xsos${ST}${ESC}^pm${ST}${ESC}_apc${ST}`)).toBe('␛Xsos␛\\␛^pm␛\\␛_apc␛\\');
    expect(sanitizeForTerminal(`${ESC}7${ESC}8${ESC}c${ESC}(0`)).toBe('␛7␛8␛c␛(0');
    expect(sanitizeForTerminal(`trailing ${ESC}`)).toBe('trailing ␛');
    expect(sanitizeForTerminal(`${ESC}[31`)).toBe('␛[31'); // cut short
  });

  it('shows C0 controls as Control Pictures, DEL, C1 and bidi overrides as codes', () => {
    expect(sanitizeForTerminal('a\x00b')).toBe('a␀b');
    expect(sanitizeForTerminal('bell\x07 bs\x08 cr\r lf\n ff\x0c')).toBe('bell␇ bs␈ cr␍ lf␊ ff␌');
    expect(sanitizeForTerminal('del\x7f')).toBe('del␡');
    expect(sanitizeForTerminal('csi\x9b2J osc\x9d0;t\x9c')).toBe('csi⟨9B⟩2J osc⟨9D⟩0;t⟨9C⟩');
    expect(sanitizeForTerminal('user\u202Egnp.exe')).toBe('user⟨U+202E⟩gnp.exe');
  });

  it('turns a lone surrogate into U+FFFD and keeps pairs', () => {
    expect(sanitizeForTerminal('a\ud800b')).toBe('a\ufffdb');
    expect(sanitizeForTerminal('a\udc00b')).toBe('a\ufffdb');
    expect(sanitizeForTerminal('\x00😀')).toBe('␀😀');
  });

  it('cuts a long line at the display limit with a visible marker', () => {
    const line = 'x'.repeat(10 * 1024 * 1024);
    const out = sanitizeForTerminal(line);
    expect(out.startsWith('x'.repeat(DISPLAY_LIMIT))).toBe(true);
    expect(out.slice(DISPLAY_LIMIT)).toContain(
      `${(10 * 1024 * 1024 - DISPLAY_LIMIT).toLocaleString('en-US')} more characters not shown`,
    );
    expect(out.length).toBeLessThan(DISPLAY_LIMIT + 200);
    expect(firstUnsafe(out)).toBeUndefined();

    expect(sanitizeForTerminal('abcdef', { maxLength: 4 })).toMatch(/^abcd\x1b\[0m.* 2 more characters/);
    // A surrogate pair is never split.
    expect(sanitizeForTerminal('abc😀def', { maxLength: 4 }).startsWith('abc\x1b')).toBe(true);
  });

  it('is fast on a 10 MB hostile line', () => {
    const hostile = `${ESC}[2J\x00${ESC}]52;c;x${BEL}`.repeat(600_000);
    const started = performance.now();
    const out = sanitizeForTerminal(hostile);
    expect(performance.now() - started).toBeLessThan(200);
    expect(firstUnsafe(out)).toBeUndefined();
  });

  it('never lets a control through, whatever the input (fuzz)', () => {
    const pieces = [
      ESC,
      '[',
      ']',
      '8',
      ';',
      '52',
      'm',
      BEL,
      ST,
      '\x9b',
      '\x9c',
      '\x00',
      '\r',
      '\n',
      '?',
      'P',
      'https://a.b',
      'file:/x',
      '2',
      'J',
      'a',
      '😀',
      '\ud800',
    ];
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 5000; round++) {
      let text = '';
      const length = 1 + Math.floor(random() * 30);
      for (let i = 0; i < length; i++) text += pieces[Math.floor(random() * pieces.length)];
      const out = sanitizeForTerminal(text);
      expect(firstUnsafe(out), JSON.stringify(text)).toBeUndefined();
      // Sanitizing is idempotent: what it lets through it lets through again unchanged.
      expect(sanitizeForTerminal(out).replace(/(\x1b\[0m)+$/, ''), JSON.stringify(text)).toBe(
        out.replace(/(\x1b\[0m)+$/, ''),
      );
    }
  });
});
