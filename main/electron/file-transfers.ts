/**
 * Files the page saves and reads through `platform:*`, in chunks, under random handles.
 *
 * Plain Node (no Electron), so it runs in tests as it runs in the app; `platform.ts` asks the
 * user for the path and hands it here. A save is written to a hidden `.part` file beside the
 * chosen one and renamed over it at the end: an aborted or abandoned save (the window reloaded
 * mid-way) never leaves half a file, nor truncates the file the user chose to replace. Every
 * handle is closed after a while without use and at quit, so a page that forgets one cannot
 * keep files open; their number is capped for the same reason.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ApiError } from '../../shared/errors';

export interface TransferOptions {
  /** Open saves and reads together; one more is refused. */
  maxOpen?: number;
  /** A handle unused this long is closed (a save is aborted). */
  idleMs?: number;
  log?: (message: string) => void;
}

export interface SavedFile {
  name: string;
  path: string;
  bytes: number;
}

interface Transfer {
  kind: 'save' | 'read';
  path: string;
  handle: FileHandle;
  /** The `.part` file a save writes to. */
  partPath?: string;
  bytes: number;
  size: number;
  /** Operations on one handle run one after another, in the order they arrived. */
  queue: Promise<unknown>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export const TOO_MANY_FILES = 'Too many files are being saved or read at once — finish those first.';
const GONE = 'That file is no longer open (it was finished, canceled or left unused) — start again.';

export class FileTransfers {
  private readonly transfers = new Map<string, Transfer>();
  private readonly maxOpen: number;
  private readonly idleMs: number;
  private readonly log: (message: string) => void;

  constructor(options: TransferOptions = {}) {
    this.maxOpen = options.maxOpen ?? 16;
    this.idleMs = options.idleMs ?? 10 * 60_000;
    this.log = options.log ?? ((message) => console.error(message));
  }

  /** Throws when no handle is free; asked before a dialog, so nobody picks a file in vain. */
  ensureRoom(): void {
    if (this.transfers.size >= this.maxOpen) throw new ApiError('conflict', TOO_MANY_FILES);
  }

  get openCount(): number {
    return this.transfers.size;
  }

  async beginSave(path: string): Promise<string> {
    this.ensureRoom();
    const partPath = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.part`);
    const handle = await open(partPath, 'wx').catch((error: unknown) => {
      throw fsError(`save ${basename(path)}`, error);
    });
    return this.add({ kind: 'save', path, partPath, handle, bytes: 0, size: 0 });
  }

  /** Appends `chunk`; resolves with the bytes written so far. */
  write(saveId: string, chunk: Uint8Array): Promise<number> {
    const transfer = this.get(saveId, 'save');
    return this.run(saveId, transfer, async () => {
      let offset = 0;
      while (offset < chunk.length) {
        const { bytesWritten } = await transfer.handle.write(chunk, offset, chunk.length - offset);
        offset += bytesWritten;
      }
      transfer.bytes += chunk.length;
      return transfer.bytes;
    });
  }

  /** Finishes the save (or with `abort`, deletes what was written). */
  endSave(saveId: string, abort = false): Promise<SavedFile | { aborted: true }> {
    const transfer = this.get(saveId, 'save');
    return this.run(saveId, transfer, async () => {
      this.forget(saveId);
      if (abort) {
        await this.discard(transfer);
        return { aborted: true as const };
      }
      try {
        await transfer.handle.close();
        await rename(transfer.partPath!, transfer.path);
      } catch (error) {
        await rm(transfer.partPath!, { force: true }).catch(() => undefined);
        throw fsError(`save ${basename(transfer.path)}`, error);
      }
      return { name: basename(transfer.path), path: transfer.path, bytes: transfer.bytes };
    });
  }

  async openRead(path: string): Promise<{ fileId: string; name: string; size: number }> {
    this.ensureRoom();
    const handle = await open(path, 'r').catch((error: unknown) => {
      throw fsError(`open ${basename(path)}`, error);
    });
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new ApiError('invalid-request', `${basename(path)} is not a file.`);
      const fileId = this.add({ kind: 'read', path, handle, bytes: 0, size: stat.size });
      return { fileId, name: basename(path), size: stat.size };
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error instanceof ApiError ? error : fsError(`open ${basename(path)}`, error);
    }
  }

  /** Up to `length` bytes from `offset`; `eof` once the end of the file is reached. */
  read(fileId: string, offset: number, length: number): Promise<{ data: Buffer; eof: boolean }> {
    const transfer = this.get(fileId, 'read');
    return this.run(fileId, transfer, async () => {
      const buffer = Buffer.alloc(length);
      let filled = 0;
      // A read may return less than asked before the end (pipes, network drives): keep going.
      while (filled < length) {
        const { bytesRead } = await transfer.handle.read(buffer, filled, length - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return { data: buffer.subarray(0, filled), eof: filled < length || offset + filled >= transfer.size };
    });
  }

  async closeRead(fileId: string): Promise<void> {
    const transfer = this.transfers.get(fileId);
    if (!transfer || transfer.kind !== 'read') return; // closing twice is harmless
    await this.run(fileId, transfer, async () => {
      this.forget(fileId);
      await transfer.handle.close().catch(() => undefined);
    });
  }

  /** At quit: aborts every save, closes every read. */
  async closeAll(): Promise<void> {
    const all = [...this.transfers.entries()];
    await Promise.all(all.map(([id, transfer]) => this.expire(id, transfer)));
  }

  private add(transfer: Omit<Transfer, 'queue' | 'timer'>): string {
    const id = randomBytes(16).toString('base64url');
    const full: Transfer = { ...transfer, queue: Promise.resolve(), timer: undefined };
    this.transfers.set(id, full);
    this.touch(id, full);
    return id;
  }

  private get(id: string, kind: Transfer['kind']): Transfer {
    const transfer = this.transfers.get(id);
    if (!transfer || transfer.kind !== kind) throw new ApiError('not-found', GONE);
    return transfer;
  }

  /** Queues `work` behind the handle's earlier operations; a failed write aborts the save. */
  private run<T>(id: string, transfer: Transfer, work: () => Promise<T>): Promise<T> {
    const next = transfer.queue.then(async () => {
      if (this.transfers.get(id) !== transfer) throw new ApiError('not-found', GONE);
      this.touch(id, transfer);
      try {
        return await work();
      } catch (error) {
        if (transfer.kind === 'save' && this.transfers.get(id) === transfer) await this.expire(id, transfer);
        throw error instanceof ApiError ? error : fsError(`${transfer.kind} ${basename(transfer.path)}`, error);
      }
    });
    transfer.queue = next.catch(() => undefined);
    return next;
  }

  private touch(id: string, transfer: Transfer) {
    clearTimeout(transfer.timer);
    transfer.timer = setTimeout(() => {
      this.log(`control-room: closed ${basename(transfer.path)}, unused for ${Math.round(this.idleMs / 1000)} s`);
      void this.expire(id, transfer);
    }, this.idleMs);
    // A forgotten handle must not keep the app from quitting.
    transfer.timer.unref?.();
  }

  private forget(id: string) {
    const transfer = this.transfers.get(id);
    if (transfer) clearTimeout(transfer.timer);
    this.transfers.delete(id);
  }

  private async expire(id: string, transfer: Transfer) {
    if (this.transfers.get(id) !== transfer) return;
    this.forget(id);
    if (transfer.kind === 'save') await this.discard(transfer);
    else await transfer.handle.close().catch(() => undefined);
  }

  private async discard(transfer: Transfer) {
    await transfer.handle.close().catch(() => undefined);
    await rm(transfer.partPath!, { force: true }).catch((error: unknown) =>
      this.log(`control-room: could not remove ${transfer.partPath}: ${String(error)}`),
    );
  }
}

/** A file-system failure as a sentence: what could not be done, and the usual why. */
function fsError(what: string, error: unknown): ApiError {
  const code = (error as { code?: unknown } | null)?.code;
  const reasons: Record<string, string> = {
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is used up',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the disk is read-only',
    ENOENT: 'the folder or file does not exist',
    EISDIR: 'that is a folder',
  };
  const reason =
    (typeof code === 'string' && reasons[code]) || (error instanceof Error ? error.message : String(error));
  return new ApiError('internal', `Could not ${what}: ${reason}.`);
}
