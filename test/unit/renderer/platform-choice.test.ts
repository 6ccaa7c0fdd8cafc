/**
 * The renderer picks its Platform where it picks its transport (open-api.ts hands `window` to
 * `choosePlatform`): `window.controlRoom` (the Electron preload) means the channel-backed one,
 * whose calls go to main; without it, the browser's own web APIs. Also: text is cut into chunks
 * without splitting a character.
 */
import { describe, expect, it } from 'vitest';
import { choosePlatform } from '../../../renderer/src/platform/choose-platform';
import { splitText, type Platform } from '../../../renderer/src/platform/platform';
import { createClient, type RawTransport, type Reply } from '../../../shared/transport';

/** A preload bridge that answers every request with `ok` and records it. */
function recordingBridge(): RawTransport & { calls: [string, unknown][] } {
  const calls: [string, unknown][] = [];
  return {
    calls,
    invoke: async (channel, payload): Promise<Reply> => {
      calls.push([channel, payload]);
      return { ok: true, value: { ok: true } };
    },
    subscribe: async () => ({ ok: true, value: () => undefined }),
  };
}

describe('choosing the platform', () => {
  it('is channel-backed when window.controlRoom exists: copies and links go to main', async () => {
    const bridge = recordingBridge();
    const browser = () => {
      throw new Error('the browser platform was chosen in the desktop app');
    };
    const platform = choosePlatform({ controlRoom: bridge }, createClient(bridge), browser);
    expect(platform.kind).toBe('desktop');

    await platform.copyText('3f2c1e9');
    await platform.openExternal('https://example.com/docs');
    expect(bridge.calls).toEqual([
      ['platform:copyText', { text: '3f2c1e9' }],
      ['platform:openExternal', { url: 'https://example.com/docs' }],
    ]);
  });

  it('uses the page’s own web APIs without a preload bridge, and sends main nothing', async () => {
    const host = recordingBridge();
    const copied: string[] = [];
    const own: Platform = {
      kind: 'browser',
      openExternal: async () => undefined,
      copyText: async (text) => void copied.push(text),
      saveFile: async () => undefined,
      openFile: async () => undefined,
      notify: async () => undefined,
      requestNotifications: async () => 'granted',
    };
    const platform = choosePlatform({}, createClient(host), () => own);
    expect(platform).toBe(own);
    await platform.copyText('3f2c1e9');
    expect(copied).toEqual(['3f2c1e9']);
    expect(host.calls).toEqual([]);
  });
});

describe('splitting text into chunks', () => {
  it('keeps every piece within the size and the whole text intact', () => {
    const text = 'abcdefghij'.repeat(10);
    const pieces = splitText(text, 16);
    expect(pieces.every((piece) => piece.length <= 16)).toBe(true);
    expect(pieces.join('')).toBe(text);
    expect(splitText('', 16)).toEqual([]);
  });

  it('never cuts a surrogate pair (an emoji) in two', () => {
    const text = 'ab🚀cd🚀🚀e'.repeat(50);
    for (const size of [2, 3, 4, 5, 7]) {
      const pieces = splitText(text, size);
      expect(pieces.join('')).toBe(text);
      for (const piece of pieces) {
        expect(piece.length).toBeGreaterThan(0);
        expect(piece.length).toBeLessThanOrEqual(size);
        // Encoding each piece alone gives the same bytes as encoding the whole.
        expect(new TextDecoder().decode(new TextEncoder().encode(piece))).toBe(piece);
      }
    }
  });
});
