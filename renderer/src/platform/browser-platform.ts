/**
 * Browser mode's `Platform`: the page's own web APIs, as any web app would use them.
 *
 * Links open in a new tab without a handle back to this one (noopener, noreferrer); copying
 * uses `navigator.clipboard`; a save collects its chunks and hands them to the browser as one
 * Blob download (nothing leaves the machine); opening uses an `<input type=file>`.
 */
import { EXTERNAL_URL_ERROR, externalUrl } from '../../../shared/model/platform';
import { probeRoute } from '../../../shared/model/channels';
import type { PickedFile, Platform, SavedFile } from './platform';

export function createBrowserPlatform(): Platform {
  return {
    kind: 'browser',

    async openExternal(url) {
      const checked = externalUrl(url);
      if (!checked) throw new Error(EXTERNAL_URL_ERROR);
      window.open(checked, '_blank', 'noopener,noreferrer');
    },

    async copyText(text) {
      if (!navigator.clipboard) throw new Error('This browser offers no clipboard to this page.');
      await navigator.clipboard.writeText(text).catch(() => {
        throw new Error('The browser refused the clipboard.');
      });
    },

    async saveFile({ suggestedName, mimeType = 'text/plain;charset=utf-8' }) {
      const parts: BlobPart[] = [];
      let finished = false;
      return {
        async write(chunk) {
          if (finished) throw new Error('The file is already saved.');
          // A copy: the caller may reuse its buffer once the write resolved.
          parts.push(typeof chunk === 'string' ? chunk : chunk.slice());
        },
        async close(): Promise<SavedFile> {
          if (finished) throw new Error('The file is already saved.');
          finished = true;
          const blob = new Blob(parts, { type: mimeType });
          parts.length = 0;
          download(blob, suggestedName);
          return { name: suggestedName, bytes: blob.size };
        },
        async abort() {
          finished = true;
          parts.length = 0;
        },
      };
    },

    openFile(options = {}) {
      return new Promise<PickedFile | undefined>((resolve) => {
        const input = document.createElement('input');
        input.type = 'file';
        const accept = options.filters?.flatMap((filter) => filter.extensions).filter((ext) => ext !== '*');
        if (accept?.length) input.accept = accept.map((ext) => `.${ext}`).join(',');
        input.addEventListener('change', () => {
          const file = input.files?.[0];
          resolve(file ? pickedFile(file) : undefined);
        });
        input.addEventListener('cancel', () => resolve(undefined));
        input.click();
      });
    },

    async notify({ title, body, probeId }) {
      // Without permission there is nothing to show; the Alerts page says how to allow it.
      if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
      const notification = new Notification(title, { body, tag: probeId ?? undefined });
      notification.addEventListener('click', () => {
        window.focus();
        if (probeId) window.location.hash = probeRoute(probeId);
        notification.close();
      });
    },

    async requestNotifications() {
      if (typeof Notification === 'undefined') return 'unsupported';
      if (Notification.permission !== 'default') return Notification.permission;
      return Notification.requestPermission();
    },
  };
}

function download(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The download has its own copy once it starts.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

function pickedFile(file: File): PickedFile {
  return {
    name: file.name,
    size: file.size,
    read: async (offset, length) => new Uint8Array(await file.slice(offset, offset + length).arrayBuffer()),
    close: async () => undefined,
  };
}
