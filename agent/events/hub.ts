/**
 * Fans OpsEvents out to WebSocket clients. Each event is serialised once; a client whose socket
 * has more than `maxBufferedBytes` waiting is closed (1013, "try again later") rather than
 * buffered without bound, since one stalled laptop must not grow the agent's memory. Clients
 * reconnect and read the current state from `/context`.
 */
import type { WebSocket } from 'ws';
import type { OpsEvent } from '../../shared/model/ops';

export interface HubOptions {
  heartbeatMs: number;
  maxBufferedBytes: number;
}

interface Client {
  socket: WebSocket;
  alive: boolean;
}

export class EventHub {
  private readonly clients = new Set<Client>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly listeners = new Set<(count: number) => void>();
  dropped = 0;

  constructor(private readonly options: HubOptions) {
    // Pings find connections that died without a close (a laptop lid shut) and keep proxies from idling them out.
    this.heartbeat = setInterval(() => this.ping(), options.heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Called with the number of clients whenever it changes: the Docker events stream runs only while someone listens. */
  onClientCount(listener: (count: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  add(socket: WebSocket): void {
    const client: Client = { socket, alive: true };
    this.clients.add(client);
    socket.on('pong', () => (client.alive = true));
    socket.on('close', () => this.remove(client));
    socket.on('error', () => this.remove(client));
    // Clients do not talk; anything they send is ignored rather than buffered.
    socket.on('message', () => undefined);
    this.changed();
  }

  publish(event: OpsEvent): void {
    if (!this.clients.size) return;
    const data = JSON.stringify(event);
    for (const client of this.clients) {
      if (client.socket.readyState !== client.socket.OPEN) continue;
      if (client.socket.bufferedAmount > this.options.maxBufferedBytes) {
        this.dropped++;
        client.socket.close(1013, 'Too far behind: reconnect and read /api/ops/context.');
        // A client that does not even read the close frame is cut off.
        setTimeout(() => client.socket.terminate(), 2_000).unref();
        this.remove(client);
        continue;
      }
      client.socket.send(data);
    }
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.socket.close(1001, 'The agent is stopping.');
    this.clients.clear();
    this.changed();
  }

  private remove(client: Client): void {
    if (this.clients.delete(client)) this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) listener(this.clients.size);
  }

  private ping(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.socket.terminate();
        this.remove(client);
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }
}
