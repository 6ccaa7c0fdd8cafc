/**
 * Opening a probe's connection (plain TCP or TLS), ended at once by the run's signal.
 *
 * TLS connections are opened with `rejectUnauthorized: false` and judged afterwards (see
 * net-certificate.ts): a kind can then say what is wrong with a certificate (expired, for another
 * host) and report its expiry, instead of only "handshake failed". Nothing is written on the
 * socket before the kind has judged it, so secrets never go to a host that failed the check.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { abortReason } from '../../abort';
import { trustedCa } from './net-trust';

/** Resolves with `socket` once `event` fires; rejects with its error or the signal's reason. */
function settle<T extends Socket>(socket: T, event: 'connect' | 'secureConnect', signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      signal.removeEventListener('abort', onAbort);
      socket.off('error', onError);
      socket.off(event, onDone);
    };
    const onAbort = () => {
      cleanup();
      socket.destroy();
      reject(abortReason(signal));
    };
    const onError = (error: Error) => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onDone = () => {
      cleanup();
      resolve(socket);
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once(event, onDone);
  });
}

/** A TCP connection to `host:port`. */
export function connectTcp(host: string, port: number, signal: AbortSignal): Promise<Socket> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return settle(netConnect({ host, port }), 'connect', signal);
}

/**
 * A TLS connection to `host:port`, not yet judged: check `authorized` and the host name before
 * using it. `servername` (SNI) defaults to `host`; IP addresses are not sent as SNI (RFC 6066).
 */
export function connectTls(host: string, port: number, signal: AbortSignal, servername?: string): Promise<TLSSocket> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  const name = servername || host;
  const socket = tlsConnect({
    host,
    port,
    servername: isIP(name) ? undefined : name,
    rejectUnauthorized: false,
    ca: trustedCa(),
  });
  return settle(socket, 'secureConnect', signal);
}
