/**
 * A file read in chunks for a client that downloads it piece by piece over the API (a support
 * bundle, a run's artifact): each call returns the bytes from an offset as base64, and whether
 * they reach the file's end.
 */
import { fstatSync, readSync } from 'node:fs';

export interface Base64Chunk {
  base64: string;
  /** How many bytes the chunk holds (the next offset is `offset + bytes`). */
  bytes: number;
  /** Whether the chunk reaches the end of the file. */
  eof: boolean;
}

/** At most `maxBytes` of the open file `fd` from `offset` (none past its end), as base64. */
export function readBase64Chunk(fd: number, offset: number, maxBytes: number): Base64Chunk {
  const size = fstatSync(fd).size;
  const bytes = readAt(fd, offset, Math.max(0, Math.min(maxBytes, size - offset)));
  return { base64: bytes.toString('base64'), bytes: bytes.length, eof: offset + bytes.length >= size };
}

/** `length` bytes of the open file `fd` from `offset`, or fewer where the file ends sooner. */
export function readAt(fd: number, offset: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let read = 0;
  while (read < length) {
    const n = readSync(fd, buffer, read, length - read, offset + read);
    if (n === 0) break;
    read += n;
  }
  return buffer.subarray(0, read);
}
