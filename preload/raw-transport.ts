/**
 * `window.controlRoom` over Electron IPC: the contract's channels and streams, nothing more.
 *
 * Takes an `ipcRenderer`-like object so it runs in Node tests; `index.ts` hands it the real one.
 * A channel or stream the contract does not declare is refused here, with the same error reply
 * main would give, without touching IPC — the bridge cannot be used as a generic pipe into main
 * even by a script that has taken over the page. Payloads are still validated in main: this
 * check narrows what can be sent, it does not vouch for what is sent.
 */
import { CHANNEL_NAMES, STREAM_NAMES } from '../shared/contract';
import type { ApiErrorBody } from '../shared/errors';
import type { RawTransport, Reply } from '../shared/transport';
import { IPC_CHANNELS } from '../shared/ipc-channels';

/** What the transport needs from Electron's `ipcRenderer`. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

const KNOWN_CHANNELS: ReadonlySet<string> = new Set(CHANNEL_NAMES);
const KNOWN_STREAMS: ReadonlySet<string> = new Set(STREAM_NAMES);

export function createRawTransport(ipc: IpcRendererLike): RawTransport {
  const listeners = new Map<number, (event: unknown) => void>();
  let nextId = 1;

  // One listener for every stream; each event names the subscription it belongs to.
  ipc.on(IPC_CHANNELS.event, (_event, subscriptionId, payload) => {
    if (typeof subscriptionId === 'number') listeners.get(subscriptionId)?.(payload);
  });

  async function call(channel: string, ...args: unknown[]): Promise<Reply> {
    try {
      const reply = await ipc.invoke(channel, ...args);
      if (isReply(reply)) return reply;
      return failure('internal', 'Control Room sent an answer this window does not understand — restart it.');
    } catch (error) {
      // Typically a payload IPC cannot copy (a function, a DOM node) or main not answering.
      const detail = error instanceof Error ? error.message : String(error);
      return failure('internal', `The request could not reach Control Room (${detail}).`);
    }
  }

  return {
    async invoke(channel, payload) {
      if (typeof channel !== 'string' || !KNOWN_CHANNELS.has(channel)) {
        return failure('unknown-channel', `There is no request called "${String(channel).slice(0, 64)}".`);
      }
      return call(IPC_CHANNELS.invoke, channel, payload);
    },

    async subscribe(stream, params, onEvent) {
      if (typeof stream !== 'string' || !KNOWN_STREAMS.has(stream)) {
        return failure('unknown-channel', `There is no event stream called "${String(stream).slice(0, 64)}".`);
      }
      if (typeof onEvent !== 'function')
        return failure('invalid-request', 'A subscription needs a function to call with its events.');
      const id = nextId++;
      // Listen before asking, so an event sent right after main subscribes is not lost.
      listeners.set(id, onEvent);
      const reply = await call(IPC_CHANNELS.subscribe, stream, params, id);
      if (!reply.ok) {
        listeners.delete(id);
        return reply;
      }
      const unsubscribe = () => {
        if (!listeners.delete(id)) return; // already ended: calling twice is harmless
        // Fire and forget: if main is gone or the window is closing, its subscriptions end with
        // the page anyway, and `call` never rejects.
        void call(IPC_CHANNELS.unsubscribe, id);
      };
      return { ok: true, value: unsubscribe };
    },
  };
}

function isReply(value: unknown): value is Reply {
  if (typeof value !== 'object' || value === null) return false;
  const reply = value as { ok?: unknown; error?: unknown };
  if (reply.ok === true) return true;
  if (reply.ok !== false || typeof reply.error !== 'object' || reply.error === null) return false;
  const error = reply.error as { code?: unknown; message?: unknown };
  return typeof error.code === 'string' && typeof error.message === 'string';
}

function failure(code: ApiErrorBody['code'], message: string): Reply<never> {
  return { ok: false, error: { code, message } };
}
