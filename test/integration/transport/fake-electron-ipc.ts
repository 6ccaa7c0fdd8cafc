/**
 * Stand-ins for the parts of Electron's IPC the transport touches, faithful where it matters:
 * - `FakeIpcMain` refuses a second handler for a channel and rejects an `invoke` with no
 *   handler, as Electron does;
 * - every argument and reply is passed through `structuredClone`, as IPC serializes them, so a
 *   function or class instance that could not cross the real boundary fails here too;
 * - `FakeWebContents` throws on `send` once destroyed, like a destroyed webContents.
 */
import { EventEmitter } from 'node:events';
import type { IpcEventLike, IpcMainLike } from '../../../main/transport/ipc-handlers';
import type { IpcRendererLike } from '../../../preload/raw-transport';

type Listener = (event: IpcEventLike, ...args: unknown[]) => unknown;

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Listener>();

  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** What `ipcRenderer.invoke(channel, ...args)` does from a page showing `url`. */
  async invoke(channel: string, event: IpcEventLike, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return structuredClone(await handler(event, ...structuredClone(args)));
  }
}

export class FakeWebContents extends EventEmitter {
  /** Every message sent to the page, as [channel, ...args]. */
  readonly sent: unknown[][] = [];
  private destroyed = false;

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    const message = structuredClone([channel, ...args]);
    this.sent.push(message);
    this.emit('to-renderer', ...message);
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }

  /** A new document in the main frame (reload, navigation). */
  navigate(): void {
    this.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false });
  }
}

export function eventFrom(sender: FakeWebContents, url: string | null): IpcEventLike {
  return { senderFrame: url === null ? null : { url }, sender };
}

/** An `ipcRenderer` for a page showing `url` in `contents`, wired to `ipcMain`. */
export function fakeIpcRenderer(
  ipcMain: FakeIpcMain,
  contents: FakeWebContents,
  url: string,
): IpcRendererLike & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    invoke: (channel, ...args) => {
      calls.push(channel);
      return ipcMain.invoke(channel, eventFrom(contents, url), ...args);
    },
    on: (channel, listener) => {
      contents.on('to-renderer', (sentOn: string, ...args: unknown[]) => {
        if (sentOn === channel) listener({}, ...args);
      });
    },
  };
}
