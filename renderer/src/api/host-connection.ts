/**
 * The browser-mode transport: `RawTransport` over the host's WebSocket (`shared/transport.ts`).
 *
 * Requests and subscriptions are numbered frames; replies and events come back with the same id.
 * When the socket drops, every request still waiting is answered with an `internal` error (the
 * host may or may not have acted on it), the connection is retried with backoff, and active
 * subscriptions are made again on the new socket. `getStatus`/`onStatus` let the UI show it.
 */
import { backoffDelay, type BackoffOptions } from '../../../shared/backoff';
import type { ErrorCode } from '../../../shared/errors';
import { WS_PATH, type ClientFrame, type RawTransport, type Reply, type ServerFrame } from '../../../shared/transport';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

export interface ConnectionStatus {
  state: ConnectionState;
  /** True once any connection succeeded: a failure before that points at the address or token. */
  everOpened: boolean;
  /** Bumped on every successful (re)connection, so views refetch what they may have missed. */
  epoch: number;
  /** Attempts that failed since the last successful connection. */
  failures: number;
}

/** What the UI needs to know about a transport's connection. Electron's is always open. */
export interface ConnectionMonitor {
  getStatus(): ConnectionStatus;
  onStatus(listener: () => void): () => void;
}

export const ALWAYS_OPEN: ConnectionMonitor = {
  getStatus: () => OPEN_STATUS,
  onStatus: () => () => undefined,
};
const OPEN_STATUS: ConnectionStatus = { state: 'open', everOpened: true, epoch: 1, failures: 0 };

export const LOST_IN_FLIGHT =
  'Lost the connection to Control Room before it answered — check the result once it reconnects, then try again.';
export const NOT_CONNECTED = 'Control Room is not connected right now — wait for it to reconnect, then try again.';

/** The host is usually the same machine or one LAN hop away: retry soon, and never wait long. */
const RECONNECT: BackoffOptions = { initialMs: 250, maxMs: 8_000 };

interface Subscription {
  stream: string;
  params: unknown;
  onEvent: (event: unknown) => void;
}

export class HostConnection implements RawTransport, ConnectionMonitor {
  private socket: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private readonly subscriptions = new Map<number, Subscription>();
  /** Invokes made before the first connection opened; sent as soon as it does. */
  private readonly queued: { frame: ClientFrame; resolve: (reply: Reply) => void }[] = [];
  /** First replies of subscriptions made while no socket was open, by subscription id. */
  private readonly unsent = new Map<number, (reply: Reply) => void>();
  private status: ConnectionStatus = { state: 'connecting', everOpened: false, epoch: 0, failures: 0 };
  private readonly listeners = new Set<() => void>();
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(private readonly url: string) {
    this.connect();
  }

  invoke(channel: string, payload: unknown): Promise<Reply> {
    return new Promise((resolve) => {
      const frame: ClientFrame = { type: 'invoke', id: this.nextId++, channel, payload };
      if (this.status.state === 'open') this.send(frame, resolve);
      else if (!this.status.everOpened) this.queued.push({ frame, resolve });
      else resolve(failure('internal', NOT_CONNECTED));
    });
  }

  subscribe(stream: string, params: unknown, onEvent: (event: unknown) => void): Promise<Reply<() => void>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const accepted = (reply: Reply) => {
        if (!reply.ok) {
          this.subscriptions.delete(id);
          resolve(reply);
          return;
        }
        resolve({ ok: true, value: () => this.unsubscribe(id) });
      };
      this.subscriptions.set(id, { stream, params, onEvent });
      // Not open yet: `resubscribeAll` sends it once the socket opens.
      if (this.status.state === 'open') this.send({ type: 'subscribe', id, stream, params }, accepted);
      else this.unsent.set(id, accepted);
    });
  }

  getStatus = (): ConnectionStatus => this.status;

  onStatus = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Closes the socket for good; waiting requests get an error. */
  dispose() {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    this.socket?.close();
    this.failWaiting(NOT_CONNECTED);
    for (const { resolve } of this.queued.splice(0)) resolve(failure('internal', NOT_CONNECTED));
    for (const resolve of this.unsent.values()) resolve(failure('internal', NOT_CONNECTED));
    this.unsent.clear();
  }

  private unsubscribe(id: number) {
    if (!this.subscriptions.delete(id)) return;
    if (this.status.state === 'open')
      this.socket?.send(JSON.stringify({ type: 'unsubscribe', id } satisfies ClientFrame));
  }

  private send(frame: ClientFrame, onReply: (reply: Reply) => void) {
    this.pending.set(frame.id, onReply);
    this.socket!.send(JSON.stringify(frame));
  }

  private connect() {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.setStatus({ state: 'open', everOpened: true, epoch: this.status.epoch + 1, failures: 0 });
      this.resubscribeAll();
      for (const { frame, resolve } of this.queued.splice(0)) this.send(frame, resolve);
    };
    socket.onmessage = (message) => this.receive(message.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.failWaiting(LOST_IN_FLIGHT);
      if (this.disposed) return;
      this.setStatus({
        ...this.status,
        state: this.status.everOpened ? 'reconnecting' : 'connecting',
        failures: this.status.failures + 1,
      });
      this.retryTimer = setTimeout(() => this.connect(), backoffDelay(this.attempt++, RECONNECT));
    };
    // An error is always followed by close, which does the work.
    socket.onerror = () => undefined;
  }

  private resubscribeAll() {
    for (const [id, { stream, params }] of this.subscriptions) {
      // A first subscription waits on its own reply; a renewed one only needs the events again.
      const first = this.unsent.get(id);
      this.unsent.delete(id);
      this.send({ type: 'subscribe', id, stream, params }, first ?? (() => undefined));
    }
  }

  private receive(data: unknown) {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(data)) as ServerFrame;
    } catch {
      return;
    }
    if (frame.type === 'reply') {
      const onReply = this.pending.get(frame.id);
      this.pending.delete(frame.id);
      onReply?.(frame.reply);
    } else if (frame.type === 'event') {
      this.subscriptions.get(frame.id)?.onEvent(frame.event);
    }
  }

  /**
   * Answers every request sent on the socket that just closed: it may or may not have been
   * acted on. A subscription that was never accepted ends with its caller's error; accepted ones
   * stay in `subscriptions` and are renewed on the next socket.
   */
  private failWaiting(message: string) {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const onReply of waiting) onReply(failure('internal', message));
  }

  private setStatus(status: ConnectionStatus) {
    this.status = status;
    for (const listener of this.listeners) listener();
  }
}

function failure(code: ErrorCode, message: string): Reply<never> {
  return { ok: false, error: { code, message } };
}

/** The WebSocket client for the browser-mode host this page was served from. */
export function connectHost(token: string): HostConnection {
  const url = `ws://${window.location.host}${WS_PATH}?token=${encodeURIComponent(token)}`;
  return new HostConnection(url);
}
