/**
 * The desktop app's `Platform`: every request goes to main over the `platform:*` channels.
 *
 * The Electron window refuses these web APIs itself (main/electron/guards.ts); main does them
 * with the system's browser, clipboard and dialogs (main/electron/platform.ts). Saves and reads
 * cross in chunks of at most 512 KiB, so a file of any size never makes one huge IPC message.
 */
import { PLATFORM_CHUNK_BYTES, PLATFORM_CHUNK_CHARS } from '../../../shared/model/platform';
import type { ControlRoomApi } from '../../../shared/transport';
import { splitText, type PickedFile, type Platform, type SaveSink, type SavedFile } from './platform';

export function createChannelPlatform(api: ControlRoomApi): Platform {
  return {
    kind: 'desktop',

    async openExternal(url) {
      await api.invoke('platform:openExternal', { url });
    },

    async copyText(text) {
      await api.invoke('platform:copyText', { text });
    },

    async saveFile({ suggestedName, filters }) {
      const begun = await api.invoke('platform:saveBegin', { suggestedName, ...(filters ? { filters } : {}) });
      if ('canceled' in begun) return undefined;
      return channelSink(api, begun.saveId);
    },

    async openFile(options = {}) {
      const opened = await api.invoke('platform:openFile', options.filters ? { filters: options.filters } : {});
      if ('canceled' in opened) return undefined;
      const { fileId, name, size } = opened;
      const file: PickedFile = {
        name,
        size,
        async read(offset, length) {
          const parts: Uint8Array[] = [];
          let done = 0;
          while (done < length) {
            const chunk = await api.invoke('platform:readFile', {
              fileId,
              offset: offset + done,
              length: Math.min(PLATFORM_CHUNK_BYTES, length - done),
            });
            parts.push(fromBase64(chunk.data));
            done += chunk.bytes;
            if (chunk.eof || chunk.bytes === 0) break;
          }
          return concat(parts, done);
        },
        async close() {
          await api.invoke('platform:closeFile', { fileId });
        },
      };
      return file;
    },

    async notify(notice) {
      await api.invoke('platform:notify', notice);
    },

    // Main shows the notification itself; the window needs no permission for it.
    requestNotifications: async () => 'granted',
  };
}

function channelSink(api: ControlRoomApi, saveId: string): SaveSink {
  return {
    async write(chunk) {
      if (typeof chunk === 'string') {
        for (const data of splitText(chunk, PLATFORM_CHUNK_CHARS))
          await api.invoke('platform:saveWrite', { saveId, data });
        return;
      }
      for (let offset = 0; offset < chunk.length; offset += PLATFORM_CHUNK_BYTES) {
        const data = toBase64(chunk.subarray(offset, offset + PLATFORM_CHUNK_BYTES));
        await api.invoke('platform:saveWrite', { saveId, data, encoding: 'base64' });
      }
    },
    async close(): Promise<SavedFile> {
      const ended = await api.invoke('platform:saveEnd', { saveId });
      if ('aborted' in ended) throw new Error('The save was aborted.');
      return ended;
    },
    async abort() {
      await api.invoke('platform:saveEnd', { saveId, abort: true });
    },
  };
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  // In slices: String.fromCharCode(...all) would overflow the call stack on a large chunk.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const all = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}
