import type { RawTransport } from '../../../shared/transport';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode, where the WebSocket client is used. */
    controlRoom?: RawTransport;
  }
}

export {};
