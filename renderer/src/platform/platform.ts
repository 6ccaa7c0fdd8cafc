/**
 * What the UI asks of the machine it runs on: open a link, copy text, save and open files.
 *
 * Two implementations, chosen with the transport (api/open-api.ts): in the desktop app the
 * window may do none of these itself (no permissions, no `window.open`, no downloads), so
 * `channel-platform.ts` asks main over the `platform:*` channels; in browser mode
 * `browser-platform.ts` uses the page's own web APIs. Views only know this interface.
 */
import type { FileFilter } from '../../../shared/model/platform';
import type { DesktopNotice } from '../../../shared/model/channels';

/** Whether this window may show notifications; `unsupported`: the browser has no Notification API. */
export type NotificationAccess = 'granted' | 'denied' | 'default' | 'unsupported';

export interface Platform {
  /** `desktop`: through main (Electron); `browser`: the page's own web APIs. */
  readonly kind: 'desktop' | 'browser';
  /** Opens an http(s) link in the system browser (another tab in browser mode). */
  openExternal(url: string): Promise<void>;
  copyText(text: string): Promise<void>;
  /** Asks where to save; undefined when the user canceled. Write chunks, then close. */
  saveFile(options: SaveOptions): Promise<SaveSink | undefined>;
  /** Asks which file to open; undefined when the user canceled. */
  openFile(options?: { filters?: FileFilter[] }): Promise<PickedFile | undefined>;
  /**
   * Shows a system notification (the desktop alert channel's); clicking it brings the window
   * forward on the probe's page. Main's Notification in the desktop app, the Web Notifications
   * API in a browser tab.
   */
  notify(notice: DesktopNotice): Promise<void>;
  /**
   * Asks to show notifications. A browser only asks the user from a click (call it from the
   * handler that adds or tests a desktop channel); the desktop app needs no permission.
   */
  requestNotifications(): Promise<NotificationAccess>;
}

export interface SaveOptions {
  suggestedName: string;
  filters?: FileFilter[];
  /** The type of a browser download (`text/plain;charset=utf-8` by default). */
  mimeType?: string;
}

/** A file being saved: any number of chunks of any size, in order. */
export interface SaveSink {
  write(chunk: string | Uint8Array): Promise<void>;
  /** Finishes the file. */
  close(): Promise<SavedFile>;
  /** Throws away what was written. */
  abort(): Promise<void>;
}

export interface SavedFile {
  name: string;
  /** Where it went; the browser does not say. */
  path?: string;
  bytes: number;
}

export interface PickedFile {
  name: string;
  size: number;
  /** Up to `length` bytes from `offset` (fewer at the end of the file). */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Saves `text` as a file the user picks; undefined when they canceled. */
export async function saveText(platform: Platform, options: SaveOptions, text: string): Promise<SavedFile | undefined> {
  const sink = await platform.saveFile(options);
  if (!sink) return undefined;
  try {
    await sink.write(text);
    return await sink.close();
  } catch (error) {
    await sink.abort().catch(() => undefined);
    throw error;
  }
}

/**
 * `text` in pieces of at most `size` UTF-16 units, never cutting a surrogate pair in two (each
 * half alone would turn into U+FFFD when encoded).
 */
export function splitText(text: string, size: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + size, text.length);
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff && end - 1 > start) end -= 1;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}
