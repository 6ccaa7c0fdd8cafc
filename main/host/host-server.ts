/**
 * Browser mode: the built renderer and a WebSocket transport for `main/api.ts`, on 127.0.0.1.
 *
 * The WebSocket is gated three ways, because any web page the user visits can try to reach a
 * port on loopback: a random per-launch token (carried in the printed URL's fragment, so it is
 * never sent in an HTTP request or a Referer), an exact `Origin` match, and an exact `Host`
 * match (which stops DNS-rebinding). An oversized, binary or malformed frame closes only that
 * connection. Each connection holds at most as many live subscriptions as an Electron window
 * (`subscription-limits.ts`); past that, a subscribe frame gets an error reply.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { ClientFrame, WS_MAX_FRAME_BYTES, WS_PATH, type ServerFrame } from '../../shared/transport';
import type { Api } from '../api';
import { MAX_SUBSCRIPTIONS_PER_PAGE, TOO_MANY_SUBSCRIPTIONS_MESSAGE } from '../transport/subscription-limits';
import { serveStatic } from './static-files';

export interface HostOptions {
  api: Api;
  staticDir: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
}

export interface Host {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Close codes the browser client shows to the user. */
export const CLOSE_MALFORMED = 1008;

export async function startHost({ api, staticDir, port = 0, token = randomBytes(24).toString('base64url') }: HostOptions): Promise<Host> {
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_FRAME_BYTES });
  const expectedToken = Buffer.from(token);
  let allowedHosts: Set<string> = new Set();

  const securityHeaders = (boundPort: number): Record<string, string> => ({
    'Content-Security-Policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      // xterm.js writes <style> elements and style attributes (see RENDERER_CSP in
      // main/transport/app-protocol.ts); scripts stay 'self'.
      "style-src-elem 'self' 'unsafe-inline'",
      "style-src-attr 'unsafe-inline'",
      "img-src 'self' data:",
      "font-src 'self'",
      `connect-src ws://127.0.0.1:${boundPort} ws://localhost:${boundPort}`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });

  server.on('request', (req, res) => {
    const headers = securityHeaders(boundPort());
    if (!allowedHosts.has(req.headers.host ?? '') || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(403, headers).end();
      return;
    }
    void serveStatic(staticDir, req.url ?? '/', res, headers);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = refuse(req);
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveConnection(ws));
  });

  function refuse(req: IncomingMessage): string | undefined {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (url.pathname !== WS_PATH) return '404 Not Found';
    const given = Buffer.from(url.searchParams.get('token') ?? '');
    if (given.length !== expectedToken.length || !timingSafeEqual(given, expectedToken)) return '401 Unauthorized';
    const host = req.headers.host ?? '';
    if (!allowedHosts.has(host) || req.headers.origin !== `http://${host}`) return '403 Forbidden';
    return undefined;
  }

  function serveConnection(ws: WebSocket) {
    const subscriptions = new Map<number, () => void>();
    /** Subscribe frames still being answered: they count against the cap already. */
    let starting = 0;
    let closed = false;
    const send = (frame: ServerFrame) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };

    ws.on('message', (data: RawData, isBinary: boolean) => {
      const frame = isBinary ? undefined : decode(data);
      if (!frame) {
        ws.close(CLOSE_MALFORMED, 'malformed frame');
        return;
      }
      void handle(frame);
    });
    ws.on('close', () => {
      closed = true;
      for (const unsubscribe of subscriptions.values()) unsubscribe();
      subscriptions.clear();
    });
    ws.on('error', () => ws.terminate());

    async function handle(frame: ClientFrame) {
      switch (frame.type) {
        case 'invoke':
          send({ type: 'reply', id: frame.id, reply: await api.invoke(frame.channel, frame.payload) });
          return;
        case 'subscribe': {
          if (!subscriptions.has(frame.id) && subscriptions.size + starting >= MAX_SUBSCRIPTIONS_PER_PAGE) {
            const error = { code: 'invalid-request' as const, message: TOO_MANY_SUBSCRIPTIONS_MESSAGE };
            send({ type: 'reply', id: frame.id, reply: { ok: false, error } });
            return;
          }
          starting++;
          let reply;
          try {
            reply = await api.subscribe(frame.stream, frame.params, (event) => send({ type: 'event', id: frame.id, event }));
          } finally {
            starting--;
          }
          if (reply.ok && closed) {
            // The page went away while this was set up: nobody is left to listen.
            reply.value();
            return;
          }
          if (reply.ok) {
            subscriptions.get(frame.id)?.();
            subscriptions.set(frame.id, reply.value);
            send({ type: 'reply', id: frame.id, reply: { ok: true, value: null } });
          } else {
            send({ type: 'reply', id: frame.id, reply });
          }
          return;
        }
        case 'unsubscribe':
          subscriptions.get(frame.id)?.();
          subscriptions.delete(frame.id);
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  function boundPort() {
    return (server.address() as AddressInfo).port;
  }
  allowedHosts = new Set([`127.0.0.1:${boundPort()}`, `localhost:${boundPort()}`]);

  return {
    url: `http://127.0.0.1:${boundPort()}/#token=${token}`,
    port: boundPort(),
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function decode(data: RawData): ClientFrame | undefined {
  try {
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as Buffer).toString('utf8');
    const parsed = ClientFrame.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
