/**
 * What the desktop app does for the page that a web page cannot: open a link in the system
 * browser, copy text, save and open files the user picks.
 *
 * The Electron window refuses `window.open`, every permission (so `navigator.clipboard`) and
 * downloads; these are the `platform:*` channels' shapes and limits instead. Saves and reads
 * are streamed in chunks so a file of any size crosses IPC without one huge message.
 */
import { z } from 'zod';

/** The largest chunk one `platform:saveWrite` or `platform:readFile` carries. */
export const PLATFORM_CHUNK_BYTES = 512 * 1024;
/** Text is sent as UTF-8 strings of at most this many characters (≤ 512 KiB of ASCII). */
export const PLATFORM_CHUNK_CHARS = PLATFORM_CHUNK_BYTES;
/** Base64 of a 512 KiB chunk. */
const BASE64_CHUNK_CHARS = Math.ceil(PLATFORM_CHUNK_BYTES / 3) * 4;
/** Copying more than this is not a selection, it is a download. */
export const COPY_MAX_CHARS = 8_000_000;

export const EXTERNAL_URL_ERROR = 'Only http:// and https:// links can be opened in the browser.';

/**
 * The link as the system browser should get it, or undefined when it is not a plain web link.
 *
 * Only `http:` and `https:` with a host: `javascript:`, `file:`, `data:`, custom schemes (which
 * launch whatever app registered them) and URLs with credentials (`https://user:pw@host`, a
 * classic way to dress up a link as another host) are refused. The check is on the parsed URL,
 * so case, whitespace and encodings cannot smuggle another scheme past it.
 */
export function externalUrl(raw: string): string | undefined {
  if (typeof raw !== 'string' || raw.length > 2048) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (!url.hostname || url.username || url.password) return undefined;
  return url.href;
}

export const ExternalUrl = z
  .string()
  .max(2048)
  .refine((value) => externalUrl(value) !== undefined, EXTERNAL_URL_ERROR);

/** A file-type filter of the save and open dialogs: `{ name: 'Logs', extensions: ['log', 'txt'] }`. */
export const FileFilter = z.strictObject({
  name: z.string().min(1).max(64),
  extensions: z
    .array(z.string().regex(/^(\*|[A-Za-z0-9]{1,16})$/, 'An extension without the dot, or *.'))
    .min(1)
    .max(16),
});
export type FileFilter = z.infer<typeof FileFilter>;

/** A file name to suggest: no folders, nothing hidden, nothing a file system refuses. */
export const SuggestedName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^/\\:*?"<>|]+$/, 'A file name, without folders.')
  .refine((name) => ![...name].some((char) => char.charCodeAt(0) < 0x20), 'A file name without control characters.')
  .refine((name) => !name.startsWith('.'), 'A file name that does not start with a dot.');

/** Ids of saves and opened files: random, handed out by main. */
export const PlatformHandleId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'Not a file handle.');

export const ChunkEncoding = z.enum(['utf8', 'base64']);
export type ChunkEncoding = z.infer<typeof ChunkEncoding>;

export const SaveChunk = z
  .strictObject({
    saveId: PlatformHandleId,
    data: z.string().max(BASE64_CHUNK_CHARS),
    /** utf8 (the default) for text, base64 for bytes. */
    encoding: ChunkEncoding.optional(),
  })
  .refine(
    (chunk) =>
      chunk.encoding === 'base64'
        ? /^[A-Za-z0-9+/]*={0,2}$/.test(chunk.data) && chunk.data.length % 4 === 0
        : chunk.data.length <= PLATFORM_CHUNK_CHARS,
    { message: `A chunk carries at most ${PLATFORM_CHUNK_BYTES / 1024} KiB.`, path: ['data'] },
  );

export const SaveBeginResult = z.union([
  z.strictObject({ saveId: PlatformHandleId }),
  z.strictObject({ canceled: z.literal(true) }),
]);

export const SaveEndResult = z.union([
  /** The file as saved: its name, where it is, how many bytes. */
  z.strictObject({ name: z.string(), path: z.string(), bytes: z.number().int().nonnegative() }),
  z.strictObject({ aborted: z.literal(true) }),
]);

export const OpenFileResult = z.union([
  z.strictObject({ fileId: PlatformHandleId, name: z.string(), size: z.number().int().nonnegative() }),
  z.strictObject({ canceled: z.literal(true) }),
]);

export const ReadChunkRequest = z.strictObject({
  fileId: PlatformHandleId,
  offset: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  length: z.number().int().min(1).max(PLATFORM_CHUNK_BYTES),
});

/** Bytes as base64 (a chunk may end inside a UTF-8 character, so never as text). */
export const ReadChunkResult = z.strictObject({
  data: z.string(),
  bytes: z.number().int().nonnegative(),
  /** True when this chunk reaches the end of the file. */
  eof: z.boolean(),
});
