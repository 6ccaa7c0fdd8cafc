/**
 * A result's artifacts, read from main in base64 chunks (`probes:artifact`, at most 512 KiB a
 * read): whole for viewing (up to a limit), or streamed chunk by chunk into a file the user picks.
 */
import type { ControlRoomApi } from '../../../../shared/transport';
import type { ArtifactRef } from '../../../../shared/model/probe';
import type { Platform, SavedFile } from '../../platform/platform';

/** What the viewer reads at most; a larger artifact is shown up to here and saved whole. */
export const VIEW_LIMIT = 2 * 1024 * 1024;

export function decodeBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) binary += String.fromCharCode(...bytes.subarray(i, i + step));
  return btoa(binary);
}

/** Calls `onChunk` with each piece in order, from the start, until the end or `limit` bytes. */
async function readChunks(
  api: ControlRoomApi,
  resultId: number,
  artifactId: string,
  onChunk: (bytes: Uint8Array) => Promise<void> | void,
  limit = Number.POSITIVE_INFINITY,
): Promise<{ contentType: string; name: string; complete: boolean }> {
  let offset = 0;
  for (;;) {
    const chunk = await api.invoke('probes:artifact', { resultId, artifactId, offset });
    const bytes = decodeBase64(chunk.base64);
    await onChunk(bytes);
    offset += bytes.length;
    if (chunk.eof || bytes.length === 0) return { contentType: chunk.contentType, name: chunk.name, complete: true };
    if (offset >= limit) return { contentType: chunk.contentType, name: chunk.name, complete: false };
  }
}

export type ArtifactContent =
  | { kind: 'image'; url: string; complete: boolean }
  | { kind: 'json'; text: string; complete: boolean }
  | { kind: 'text'; text: string; complete: boolean }
  | { kind: 'binary'; bytes: number; complete: boolean };

export function isImage(contentType: string): boolean {
  return /^image\/(png|jpe?g|gif|webp|bmp|avif)\b/i.test(contentType);
}

function isJson(contentType: string, name: string): boolean {
  return /\bjson\b/i.test(contentType) || /\.json$/i.test(name);
}

function isText(contentType: string, name: string): boolean {
  return (
    /^text\/|xml|yaml|javascript|x-pem|x-x509|dns/i.test(contentType) ||
    /\.(txt|log|pem|crt|ya?ml|xml|html?|csv)$/i.test(name)
  );
}

export async function readForView(
  api: ControlRoomApi,
  resultId: number,
  artifact: ArtifactRef,
): Promise<ArtifactContent> {
  const parts: Uint8Array[] = [];
  const read = await readChunks(api, resultId, artifact.id, (bytes) => void parts.push(bytes), VIEW_LIMIT);
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  const contentType = read.contentType || artifact.contentType;
  if (isImage(contentType)) {
    // A data: URL (the CSP allows img-src data:); the type is one of the image types above.
    return {
      kind: 'image',
      url: `data:${contentType.split(';')[0]};base64,${encodeBase64(bytes)}`,
      complete: read.complete,
    };
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (isJson(contentType, artifact.name)) {
    try {
      return { kind: 'json', text: JSON.stringify(JSON.parse(text), null, 2), complete: read.complete };
    } catch {
      // Not JSON after all (or cut short): shown as it is.
      return { kind: 'text', text, complete: read.complete };
    }
  }
  if (isText(contentType, artifact.name) || !looksBinary(text.slice(0, 4096))) {
    return { kind: 'text', text, complete: read.complete };
  }
  return { kind: 'binary', bytes: total, complete: read.complete };
}

/** Control characters other than tab, line breaks and form feed: not text. */
function looksBinary(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0c && code !== 0x0d) return true;
  }
  return false;
}

/** A file name the save dialog accepts, from the artifact's name and the probe's. */
export function artifactFileName(probeName: string, resultId: number, artifact: ArtifactRef): string {
  const clean = (text: string) =>
    text
      .replace(/[^A-Za-z0-9._+-]+/g, '-')
      .replace(/^[-.]+|-+$/g, '')
      .slice(0, 80);
  return `${clean(probeName) || 'probe'}_${resultId}_${clean(artifact.name) || 'artifact'}`;
}

/** Streams the artifact into a file the user picks; undefined when they canceled. */
export async function saveArtifact(
  api: ControlRoomApi,
  platform: Platform,
  resultId: number,
  artifact: ArtifactRef,
  suggestedName: string,
): Promise<SavedFile | undefined> {
  const sink = await platform.saveFile({ suggestedName, mimeType: artifact.contentType || 'application/octet-stream' });
  if (!sink) return undefined;
  try {
    await readChunks(api, resultId, artifact.id, (bytes) => sink.write(bytes));
    return await sink.close();
  } catch (error) {
    await sink.abort().catch(() => undefined);
    throw error;
  }
}
