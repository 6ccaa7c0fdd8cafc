/**
 * A real DNS server for tests: Debian's dnsmasq, in the foreground on a loopback UDP port.
 *
 * It answers only from what the test gives it (no upstream, no /etc/hosts, no config file):
 * `--address` and `--host-record` A records, TXT and MX records, and NXDOMAIN for every other
 * name under the local domains. A name outside them gets REFUSED, since there is no upstream
 * to forward to.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { stopProcess } from './keyring';

export interface DnsmasqOptions {
  /** Domains answered locally: names under them that have no record are NXDOMAIN. */
  localDomains: string[];
  /** `ok.test` → `10.1.2.3`: an A record for the name (and its subdomains). */
  addresses?: Record<string, string>;
  /** `h.test` → `10.1.2.4`: an A record for exactly that name; other types of it are NOERROR, empty. */
  hostRecords?: Record<string, string>;
  txt?: Record<string, string>;
  /** `[name, exchange, preference]`. */
  mx?: [string, string, number][];
}

export interface Dnsmasq {
  port: number;
  /** `127.0.0.1:<port>`, as a dns probe's `server` setting. */
  server: string;
  /** Stops the server (by its PID); the port then answers nothing. */
  stop(): Promise<void>;
}

/** A free UDP port on loopback (dnsmasq listens on UDP and TCP; UDP is what queries use). */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** Resolves once dnsmasq prints that it started; rejects with its output when it exits first. */
function started(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/started, version/.test(output)) {
        child.stderr?.off('data', onData);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => reject(new Error(`dnsmasq exited (${code}) before starting: ${output.trim()}`));
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

export async function startDnsmasq(options: DnsmasqOptions): Promise<Dnsmasq> {
  const port = await freeUdpPort();
  const args = [
    '--no-daemon', '--conf-file=/dev/null', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces',
    '--no-resolv', '--no-hosts', '--no-poll', '--log-facility=-', '--pid-file=', '--user=',
    ...options.localDomains.map((domain) => `--local=/${domain}/`),
    ...Object.entries(options.addresses ?? {}).map(([name, address]) => `--address=/${name}/${address}`),
    ...Object.entries(options.hostRecords ?? {}).map(([name, address]) => `--host-record=${name},${address}`),
    // No shell in between: the text is passed as is, without quotes.
    ...Object.entries(options.txt ?? {}).map(([name, text]) => `--txt-record=${name},${text}`),
    ...(options.mx ?? []).map(([name, exchange, preference]) => `--mx-host=${name},${exchange},${preference}`),
  ];
  const child = spawn('/usr/sbin/dnsmasq', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  await started(child);
  // Keep reading its log so a full pipe never blocks it.
  child.stderr?.resume();
  return { port, server: `127.0.0.1:${port}`, stop: () => stopProcess(child) };
}
