/**
 * Naming what a response holds: a file extension for a content type, an image's type from its
 * first bytes, and a value at a simple JSON path (`candidates[0].content.parts[0].inlineData.data`).
 */

const EXTENSIONS: [RegExp, string][] = [
  [/json/, 'json'],
  [/html/, 'html'],
  [/xml/, 'xml'],
  [/^text\/csv/, 'csv'],
  [/^text\/markdown/, 'md'],
  [/^text\//, 'txt'],
  [/^image\/png/, 'png'],
  [/^image\/jpe?g/, 'jpg'],
  [/^image\/gif/, 'gif'],
  [/^image\/webp/, 'webp'],
  [/^image\/svg/, 'svg'],
  [/^application\/pdf/, 'pdf'],
  [/^application\/(x-)?yaml/, 'yaml'],
];

/** `json` for `application/json; charset=utf-8`, `bin` for what is not recognised. */
export function extensionFor(contentType: string): string {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return EXTENSIONS.find(([pattern]) => pattern.test(type))?.[1] ?? 'bin';
}

/** An image's MIME type from its magic bytes, or null when it is none of the common ones. */
export function sniffImageType(data: Buffer): string | null {
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return null;
}

/** `a.b[0].c` (an optional leading `$.` allowed) as keys and indexes; null when it is not one. */
export function parseJsonPath(path: string): (string | number)[] | null {
  const text = path.trim().replace(/^\$\.?/, '');
  const steps: (string | number)[] = [];
  const pattern = /([^.[\]]+)|\[(\d+)\]|(\.)/gy;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < text.length && (match = pattern.exec(text)) !== null) {
    if (match[1] !== undefined) steps.push(match[1]);
    else if (match[2] !== undefined) steps.push(Number(match[2]));
  }
  return pattern.lastIndex === text.length && steps.length > 0 ? steps : null;
}

/** The value at `steps` in `root`, or undefined when the path leads nowhere. */
export function valueAt(root: unknown, steps: readonly (string | number)[]): unknown {
  let current: unknown = root;
  for (const step of steps) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}
