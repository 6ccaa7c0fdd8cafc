/**
 * The Electron IPC transport: three `ipcMain.handle` handlers in front of `main/api.ts`.
 *
 * This module never imports Electron, so it runs under plain Node in tests with a stand-in for
 * `ipcMain`; `main/electron/main.ts` hands it the real one. Every handler:
 * - checks the sender first: only a frame showing the app's own origin may reach the API, so a
 *   page that somehow got loaded in a window (a bug, a redirect) cannot drive the services;
 * - treats every argument as `unknown` (the API validates payloads against the contract; here
 *   we guard the channel name and the subscription id);
 * - resolves with a `Reply` envelope and never throws, because a rejected `invoke` reaches the
 *   renderer as an unhelpful "Error invoking remote method" string.
 *
 * Subscriptions are kept per sending webContents and ended when its page goes away: on a
 * cross-document navigation of its main frame (a reload starts a fresh page whose preload knows
 * none of the old ids) and when the webContents is destroyed.
 */
import type { ApiErrorBody } from '../../shared/errors';
import type { Reply } from '../../shared/transport';
import type { Api } from '../api';
import { IPC_CHANNELS } from '../../shared/ipc-channels';
import { MAX_SUBSCRIPTIONS_PER_PAGE, TOO_MANY_SUBSCRIPTIONS_MESSAGE } from './subscription-limits';

export { MAX_SUBSCRIPTIONS_PER_PAGE } from './subscription-limits';

/** What the handlers need from Electron's `WebContents` (the event's `sender`). */
export interface SenderLike {
  send(channel: string, ...args: unknown[]): void;
  once(event: 'destroyed', listener: () => void): unknown;
  on(
    event: 'did-start-navigation',
    listener: (details: { isMainFrame: boolean; isSameDocument: boolean }) => void,
  ): unknown;
  isDestroyed?(): boolean;
}

/** What the handlers need from Electron's `IpcMainInvokeEvent`. */
export interface IpcEventLike {
  /** Null when the frame navigated away or was destroyed before the message was handled. */
  readonly senderFrame: { readonly url: string } | null | undefined;
  readonly sender: SenderLike;
}

/** What the handlers need from Electron's `ipcMain`. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface IpcHandlerOptions {
  /** True only for a frame showing the app's own pages (see `isAppUrl` in app-protocol.ts). */
  isTrustedSender(frame: { url: string } | null | undefined): boolean;
  /** Where refusals and delivery failures are reported; defaults to stderr. */
  log?: (message: string) => void;
}

export const REFUSED_SENDER_MESSAGE = 'Refused a request from a page that is not Control Room.';

type Handler = (event: IpcEventLike, ...args: unknown[]) => Promise<Reply> | Reply;

interface PageSubscriptions {
  byId: Map<number, () => void>;
}

/** Registers the handlers; the returned function removes them and ends every subscription. */
export function registerIpcHandlers(ipcMain: IpcMainLike, api: Api, options: IpcHandlerOptions): () => void {
  const log = options.log ?? ((message: string) => console.error(message));
  const pages = new Map<SenderLike, PageSubscriptions>();
  /** Subscriptions being set up, per page: they count against the cap already. */
  const starting = new Map<SenderLike, number>();

  const handlers: Record<Exclude<keyof typeof IPC_CHANNELS, 'event'>, Handler> = {
    invoke: (_event, channel, payload) => {
      if (typeof channel !== 'string') return failure('unknown-channel', 'A request arrived without a channel name.');
      return api.invoke(channel, payload);
    },

    subscribe: async (event, stream, params, subscriptionId) => {
      if (!isSubscriptionId(subscriptionId))
        return failure('invalid-request', 'A subscription needs a whole-number id.');
      if (typeof stream !== 'string')
        return failure('unknown-channel', 'A subscription arrived without a stream name.');
      const sender = event.sender;
      const existing = pages.get(sender);
      const inFlight = starting.get(sender) ?? 0;
      const live = existing?.byId.size ?? 0;
      if (!existing?.byId.has(subscriptionId) && live + inFlight >= MAX_SUBSCRIPTIONS_PER_PAGE) {
        return failure('invalid-request', TOO_MANY_SUBSCRIPTIONS_MESSAGE);
      }
      starting.set(sender, inFlight + 1);
      let reply: Reply<() => void>;
      try {
        reply = await api.subscribe(stream, params, (payload) => deliver(sender, subscriptionId, payload));
      } finally {
        const left = (starting.get(sender) ?? 1) - 1;
        if (left > 0) starting.set(sender, left);
        else starting.delete(sender);
      }
      if (!reply.ok) return reply;
      if (sender.isDestroyed?.()) {
        // The window closed while the subscription was being set up: nobody is left to listen.
        end(reply.value);
        return { ok: true, value: null };
      }
      const page = track(sender);
      const previous = page.byId.get(subscriptionId);
      page.byId.set(subscriptionId, reply.value);
      if (previous) end(previous);
      // The unsubscribe function stays in main: functions cannot cross IPC, preload builds its own.
      return { ok: true, value: null };
    },

    unsubscribe: (event, subscriptionId) => {
      if (!isSubscriptionId(subscriptionId))
        return failure('invalid-request', 'A subscription needs a whole-number id.');
      const page = pages.get(event.sender);
      const unsubscribe = page?.byId.get(subscriptionId);
      page?.byId.delete(subscriptionId);
      if (unsubscribe) end(unsubscribe);
      // Ending an unknown (already ended) subscription is not an error: unsubscribe is idempotent.
      return { ok: true, value: null };
    },
  };

  for (const [name, handler] of Object.entries(handlers)) {
    ipcMain.handle(IPC_CHANNELS[name as keyof typeof handlers], guarded(handler));
  }

  /** The sender check and the never-throw rule, in one place for every handler. */
  function guarded(handler: Handler) {
    return async (event: IpcEventLike, ...args: unknown[]): Promise<Reply> => {
      try {
        if (!trusted(event)) {
          log(`control-room: refused an IPC request from ${describeFrame(event)}`);
          return failure('invalid-request', REFUSED_SENDER_MESSAGE);
        }
        return await handler(event, ...args);
      } catch (error) {
        log(
          `control-room: IPC handler failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        return failure('internal', 'Something went wrong inside Control Room — the details are in its log; try again.');
      }
    };
  }

  function trusted(event: IpcEventLike): boolean {
    try {
      return options.isTrustedSender(event?.senderFrame) === true;
    } catch {
      return false;
    }
  }

  /** First subscription from a page: watch for the page going away. */
  function track(sender: SenderLike): PageSubscriptions {
    let page = pages.get(sender);
    if (page) return page;
    const created: PageSubscriptions = { byId: new Map() };
    page = created;
    pages.set(sender, created);
    sender.once('destroyed', () => {
      endAll(created);
      pages.delete(sender);
    });
    sender.on('did-start-navigation', (details) => {
      if (details.isMainFrame && !details.isSameDocument) endAll(created);
    });
    return created;
  }

  function deliver(sender: SenderLike, subscriptionId: number, payload: unknown) {
    if (sender.isDestroyed?.()) return;
    try {
      sender.send(IPC_CHANNELS.event, subscriptionId, payload);
    } catch (error) {
      log(`control-room: could not deliver an event: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  function endAll(page: PageSubscriptions) {
    const all = [...page.byId.values()];
    page.byId.clear();
    for (const unsubscribe of all) end(unsubscribe);
  }

  /** One failing unsubscribe must not keep the others alive. */
  function end(unsubscribe: () => void) {
    try {
      unsubscribe();
    } catch (error) {
      log(`control-room: ending a subscription failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  return () => {
    for (const name of Object.keys(handlers)) ipcMain.removeHandler(IPC_CHANNELS[name as keyof typeof handlers]);
    for (const page of pages.values()) endAll(page);
    pages.clear();
  };
}

function isSubscriptionId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function failure(code: ApiErrorBody['code'], message: string): Reply<never> {
  return { ok: false, error: { code, message } };
}

function describeFrame(event: IpcEventLike): string {
  try {
    const url = event?.senderFrame?.url;
    return typeof url === 'string' ? JSON.stringify(url.slice(0, 200)) : 'a frame that no longer exists';
  } catch {
    return 'an unknown frame';
  }
}
