/**
 * Fast scans for what a bundle's texts and every followed log line are checked against, nearly
 * always in vain.
 *
 * `LiteralSet` finds many exact values (keychain secrets in all their forms, literal rules) in one
 * pass with Wu-Manber's algorithm: the window the length of the shortest value moves along the
 * text by a shift read from its last two characters, several characters at a time over text no
 * value starts like, and only a window that could begin a value is compared with the values
 * that start that way. A clean line costs well under one step per character, however many values
 * there are. (A combined regular expression of the escaped values did the same job several times
 * slower here with a hundred values; Aho-Corasick libraries on npm walk the text a character at
 * a time in JavaScript.)
 *
 * `TrigramFilter` answers "might any of these keywords be in the text?" case-insensitively in one
 * pass, from a table of three-character keys; it may say yes wrongly, never no wrongly.
 */

/** Distinct two-character blocks in the shift table (a collision only shortens a shift). */
const BLOCK_BITS = 12;

function block(text: string, end: number): number {
  return ((text.charCodeAt(end - 1) << 5) ^ text.charCodeAt(end)) & ((1 << BLOCK_BITS) - 1);
}

export class LiteralSet {
  /** Length of the window compared: the shortest value's, at most 8. */
  private readonly m: number;
  /**
   * Wu-Manber's shift table: how far the window may move when its last two characters are
   * this block — a block no value has near its start lets it jump m - 1 characters at once.
   */
  private readonly shift: Uint8Array;
  /** Values by their first m characters, longest first. */
  private readonly byPrefix = new Map<string, string[]>();
  readonly size: number;

  constructor(values: Iterable<string>) {
    const unique = [...new Set(values)].filter((value) => value.length > 0).sort((a, b) => b.length - a.length);
    this.size = unique.length;
    this.m = Math.min(8, ...unique.map((value) => value.length));
    const m = this.m;
    this.shift = new Uint8Array(1 << BLOCK_BITS).fill(Math.max(1, m - 1));
    for (const value of unique) {
      const prefix = value.slice(0, m);
      // A block ending at index i of the prefix: the window end is m - 1 - i characters short.
      for (let i = 1; i < m; i++) {
        const index = block(prefix, i);
        this.shift[index] = Math.min(this.shift[index]!, m - 1 - i);
      }
      const list = this.byPrefix.get(prefix);
      if (list) list.push(value);
      else this.byPrefix.set(prefix, [value]);
    }
  }

  /**
   * `text` with each occurrence replaced by `replacement(value)`: leftmost first, and at one
   * place the longest value — what a global regex of the values, longest first, would replace.
   */
  replace(text: string, replacement: (value: string) => string): string {
    const m = this.m;
    const n = text.length;
    if (this.size === 0 || n < m) return text;
    if (m === 1) return this.replaceEach(text, replacement);
    const shift = this.shift;
    let out = '';
    // Where the text after the last replacement starts.
    let kept = 0;
    // The window is text[end - m + 1 .. end].
    let end = m - 1;
    while (end < n) {
      const by = shift[block(text, end)]!;
      if (by > 0) {
        end += by;
        continue;
      }
      const start = end - m + 1;
      const candidates = start >= kept ? this.byPrefix.get(text.slice(start, end + 1)) : undefined;
      if (candidates) {
        for (const value of candidates) {
          if (text.startsWith(value, start)) {
            out += text.slice(kept, start) + replacement(value);
            kept = start + value.length;
            break;
          }
        }
      }
      end++;
    }
    return kept === 0 ? text : out + text.slice(kept);
  }

  /** One-character values (a literal rule may be that short): a plain walk. */
  private replaceEach(text: string, replacement: (value: string) => string): string {
    let out = '';
    let kept = 0;
    for (let start = 0; start < text.length; start++) {
      if (start < kept) continue;
      const candidates = this.byPrefix.get(text[start]!);
      const value = candidates?.find((candidate) => text.startsWith(candidate, start));
      if (value === undefined) continue;
      out += text.slice(kept, start) + replacement(value);
      kept = start + value.length;
    }
    return kept === 0 ? text : out + text.slice(kept);
  }
}

/**
 * Characters as 5-bit classes: letters in either case as one, the punctuation keywords use as
 * their own, anything else as 0 — so a trigram is 15 bits and its table 32 KB.
 */
const CLASS = new Uint8Array(65536);
for (let letter = 0; letter < 26; letter++) {
  CLASS[0x61 + letter] = letter + 1;
  CLASS[0x41 + letter] = letter + 1;
}
['_', '-', ':', '/', '.'].forEach((char, i) => (CLASS[char.charCodeAt(0)] = 27 + i));

export class TrigramFilter {
  private readonly trigrams = new Uint8Array(1 << 15);
  /** Wu-Manber again: 2 past a pair of classes no trigram holds, 1 past one that starts one. */
  private readonly shift = new Uint8Array(1 << 10).fill(2);

  /** `trigrams`: three-character keys, any case; a text holding none of them is clean. */
  constructor(trigrams: readonly string[]) {
    for (const trigram of trigrams) {
      const classes = [...trigram].map((char) => CLASS[char.charCodeAt(0)]!);
      if (classes.length !== 3 || classes.includes(0)) throw new Error(`"${trigram}" is not three letters or _ - : / . characters.`);
      const [a, b, c] = classes as [number, number, number];
      this.trigrams[(a << 10) | (b << 5) | c] = 1;
      this.shift[(a << 5) | b] = Math.min(this.shift[(a << 5) | b]!, 1);
      this.shift[(b << 5) | c] = 0;
    }
  }

  mayMatch(text: string): boolean {
    const n = text.length;
    const { trigrams, shift } = this;
    let end = 2;
    while (end < n) {
      const last = CLASS[text.charCodeAt(end)]!;
      const pair = (CLASS[text.charCodeAt(end - 1)]! << 5) | last;
      const by = shift[pair]!;
      if (by > 0) {
        end += by;
        continue;
      }
      if (trigrams[(CLASS[text.charCodeAt(end - 2)]! << 10) | pair] === 1) return true;
      end++;
    }
    return false;
  }
}
