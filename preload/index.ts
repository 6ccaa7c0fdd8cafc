/**
 * The preload (bundled to one CommonJS file, as sandboxed preloads require): exposes exactly
 * `window.controlRoom`, a `RawTransport` for the contract's channels and streams, and nothing
 * else — no `ipcRenderer`, no generic send. The logic is in `raw-transport.ts`, tested in Node.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createRawTransport } from './raw-transport';

contextBridge.exposeInMainWorld('controlRoom', createRawTransport(ipcRenderer));
