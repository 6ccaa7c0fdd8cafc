/**
 * A file body whose size is not known up front (an AsyncIterable), held until it has ended so
 * its tar header can say how long it is: the first few MB in memory, the rest spilled to a temp
 * file next to the bundle. Its size, sha256 and newlines are measured on the way in, so the
 * manifest's numbers describe exactly the bytes that were spooled and then archived.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { abortReason } from '../abort';

/** Bodies up to this size never touch the disk. */
export const SPOOL_IN_MEMORY = 4 * 1024 * 1024;
const READ_CHUNK = 1024 * 1024;
const NEWLINE = 0x0a;

/** Size, sha256 and newline count of bytes passing through. */
export class BodyMeter {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private lines = 0;

  constructor(private readonly countLines: boolean) {}

  update(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    if (!this.countLines) return;
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) this.lines++;
  }

  result(): { bytes: number; sha256: string; lines: number | null } {
    return { bytes: this.bytes, sha256: this.hash.digest('hex'), lines: this.countLines ? this.lines : null };
  }
}

export interface SpooledBody {
  bytes: number;
  sha256: string;
  lines: number | null;
  /** The spooled bytes again, in order. */
  chunks(): AsyncIterable<Buffer>;
  /** Removes the temp file, if there is one. */
  dispose(): Promise<void>;
}

export async function spoolBody(
  body: AsyncIterable<Buffer | string>,
  options: { dir: string; countLines: boolean; signal?: AbortSignal | undefined },
): Promise<SpooledBody> {
  const meter = new BodyMeter(options.countLines);
  const held: Buffer[] = [];
  let heldBytes = 0;
  let file: WriteStream | null = null;
  let filePath: string | null = null;
  const removeFile = async () => {
    if (filePath) await rm(filePath, { force: true });
  };
  try {
    for await (const piece of body) {
      if (options.signal?.aborted) throw abortReason(options.signal);
      const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
      if (chunk.length === 0) continue;
      meter.update(chunk);
      if (!file && heldBytes + chunk.length <= SPOOL_IN_MEMORY) {
        held.push(chunk);
        heldBytes += chunk.length;
        continue;
      }
      if (!file) {
        filePath = join(options.dir, `.spool-${randomBytes(6).toString('hex')}.tmp`);
        file = createWriteStream(filePath, { highWaterMark: READ_CHUNK });
        file.on('error', () => undefined);
        for (const earlier of held) await write(file, earlier);
        held.length = 0;
      }
      await write(file, chunk);
    }
    if (options.signal?.aborted) throw abortReason(options.signal);
    if (file) {
      file.end();
      await once(file, 'close');
    }
  } catch (error) {
    file?.destroy();
    await removeFile();
    throw error;
  }
  const spooledPath = filePath;
  return {
    ...meter.result(),
    chunks: () => (spooledPath ? createReadStream(spooledPath, { highWaterMark: READ_CHUNK }) : fromMemory(held)),
    dispose: removeFile,
  };
}

async function write(file: WriteStream, chunk: Buffer): Promise<void> {
  // once() rejects when 'error' comes first, and leaves no listener behind either way.
  if (!file.write(chunk)) await once(file, 'drain');
}

async function* fromMemory(chunks: Buffer[]): AsyncIterable<Buffer> {
  for (const chunk of chunks) yield chunk;
}
