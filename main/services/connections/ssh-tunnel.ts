/**
 * One SSH connection to a Docker host, shared by every request to that host.
 *
 * Each HTTP connection dockerode opens becomes a channel forwarded to the remote Docker socket
 * (`openssh_forwardOutStreamLocal`), so a whole Overview costs one handshake, not one per
 * request. The host key is checked against the pin before any authentication: an unknown key
 * stops at "untrusted" until the user trusts it, a changed key fails with both fingerprints.
 * Dropped connections are noticed by keepalives and re-dialled with backoff and jitter; there
 * is never more than one live client per tunnel.
 */
import { Agent, type AgentOptions } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { inspect } from 'node:util';
import type { Duplex } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { ApiError } from '../../../shared/errors';
import type { ConnectionState } from '../../../shared/model/connection';
import { isoNow, systemClock, type Clock, type Timer } from '../../../node/clock';
import { abortReason } from '../../../node/abort';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../../../shared/backoff';
import { fingerprintOf } from './host-key';

export interface SshCredentials {
  /** Path of the user's ssh-agent socket (SSH_AUTH_SOCK), tried first when present. */
  agent?: string;
  privateKey?: string;
  passphrase?: string;
}

export interface SshTunnelOptions {
  /** The target's name, used in messages. */
  label: string;
  host: string;
  port: number;
  username: string;
  socketPath: string;
  pinnedFingerprint?: string | undefined;
  credentials: () => Promise<SshCredentials>;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  readyTimeoutMs?: number;
  backoff?: BackoffOptions;
  clock?: Clock;
}

type Listener = (state: ConnectionState) => void;

export interface SshExecOptions {
  signal?: AbortSignal | undefined;
  /** Bytes of output kept; the rest is read and dropped so the command is never blocked. */
  outputCap: number;
  /** Every piece of output as it arrives, cap or not (a runbook's ssh step streams its lines). */
  onOutput?: ((text: string, stream: 'stdout' | 'stderr') => void) | undefined;
}

/** A command's end: its exit code (null when a signal ended it) and its output, interleaved. */
export interface SshExecOutcome {
  exitCode: number | null;
  exitSignal: string | null;
  output: string;
  truncated: boolean;
}

export class SshTunnel {
  readonly agent: Agent;
  private client: Client | undefined;
  private generation = 0;
  private attempt = 0;
  private retryTimer: Timer | undefined;
  private closed = false;
  private current: ConnectionState = { status: 'idle' };
  private readonly listeners = new Set<Listener>();
  private pin: string | undefined;
  /** Channels of the current client; destroyed with it so no HTTP request waits on a dead link. */
  private readonly channels = new Set<Duplex>();
  /** True while credentials are being read for a dial that has no client yet. */
  private dialing = false;

  constructor(private readonly options: SshTunnelOptions) {
    this.pin = options.pinnedFingerprint;
    this.agent = new ForwardingAgent(this, { keepAlive: true, maxSockets: 32 });
  }

  get state(): ConnectionState {
    return this.current;
  }

  onState(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts connecting unless already connected or connecting. */
  start(): void {
    this.closed = false;
    if (this.client || this.retryTimer || this.dialing) return;
    void this.dial();
  }

  /** Trusts `fingerprint` (it must be the one offered) and connects. */
  trust(fingerprint: string): void {
    this.pin = fingerprint;
    this.attempt = 0;
    this.reconnectNow();
  }

  /** Drops the current attempt or connection and dials again at once. */
  reconnectNow(): void {
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.dropClient();
    this.closed = false;
    void this.dial();
  }

  close(): void {
    this.closed = true;
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.dropClient();
    this.agent.destroy();
    this.setState({ status: 'idle' });
  }

  /** Resolves once connected; rejects as soon as the tunnel needs the user (trust, auth, key change). */
  ready(timeoutMs = 15_000): Promise<void> {
    if (this.current.status === 'connected') return Promise.resolve();
    const blocked = this.blockedReason();
    if (blocked) return Promise.reject(new Error(blocked));
    // Already known to be down: say so now rather than after the timeout.
    if (this.current.status === 'reconnecting') {
      return Promise.reject(
        new Error(
          `${this.options.label} (${this.where()}) is not reachable (${this.current.reason}) — Control Room keeps retrying.`,
        ),
      );
    }
    this.start();
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        off();
        reject(
          new Error(`Could not reach ${this.where()} within ${Math.round(timeoutMs / 1000)} s — ${this.describe()}`),
        );
      }, timeoutMs);
      const off = this.onState(() => {
        if (this.current.status === 'connected') {
          this.clock.clearTimeout(timer);
          off();
          resolve();
        } else if (this.current.status === 'idle') {
          // Closed while waiting: no timer may outlive the tunnel.
          this.clock.clearTimeout(timer);
          off();
          reject(new Error(`The SSH connection to ${this.where()} was closed.`));
        } else if (this.current.status === 'reconnecting') {
          // An attempt failed: answer now; callers are told again when it comes back.
          this.clock.clearTimeout(timer);
          off();
          reject(
            new Error(
              `${this.options.label} (${this.where()}) is not reachable (${this.current.reason}) — Control Room keeps retrying.`,
            ),
          );
        } else {
          const reason = this.blockedReason();
          if (reason) {
            this.clock.clearTimeout(timer);
            off();
            reject(new Error(reason));
          }
        }
      });
    });
  }

  /** A channel to the remote Docker socket, for one HTTP connection. */
  async openChannel(): Promise<Duplex> {
    await this.ready();
    const client = this.client;
    if (!client) throw new Error(`The SSH connection to ${this.where()} closed — it is reconnecting.`);
    return new Promise((resolve, reject) => {
      client.openssh_forwardOutStreamLocal(this.options.socketPath, (error, stream) => {
        if (error) {
          reject(
            new Error(
              `${this.where()} refused to forward to ${this.options.socketPath} (${error.message}) — check the Docker socket path and that the SSH server allows stream-local forwarding.`,
            ),
          );
        } else {
          this.channels.add(stream);
          stream.once('close', () => this.channels.delete(stream));
          resolve(stream);
        }
      });
    });
  }

  /**
   * Runs `command` on the host over this connection (no new handshake), stdout and stderr
   * interleaved as they arrive. Abort asks the server to SIGKILL the command's process group and
   * closes the channel, so the caller is free at once. OpenSSH refuses that signal for root
   * logins (it needs privilege separation), and a command without a terminal is not hung up
   * when its channel closes: there a command that never touches its output runs to its end.
   */
  async exec(command: string, { signal, outputCap, onOutput }: SshExecOptions): Promise<SshExecOutcome> {
    if (signal?.aborted) throw abortReason(signal);
    await this.ready();
    if (signal?.aborted) throw abortReason(signal);
    const client = this.client;
    if (!client) throw new Error(`The SSH connection to ${this.where()} closed — it is reconnecting.`);
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | null, outcome?: SshExecOutcome) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(outcome!);
      };
      let channel: ClientChannel | undefined;
      const onAbort = () => {
        finish(abortReason(signal!));
        // Outside any stream handler: ssh2 misbehaves when a channel is torn down from its own events.
        setImmediate(() => {
          if (!channel) return;
          channel.signal('KILL'); // sshd does not end a terminal-less command when its channel closes
          channel.close();
        });
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      client.exec(command, (error, stream) => {
        if (error) {
          finish(
            new Error(
              `${this.where()} refused to run the command (${error.message}) — check that ${this.options.username} may run commands over SSH there.`,
            ),
          );
          return;
        }
        channel = stream;
        this.channels.add(stream);
        if (settled) {
          // Aborted while the channel was opening.
          onAbort();
          return;
        }
        const chunks: Buffer[] = [];
        let kept = 0;
        let truncated = false;
        const take = (chunk: Buffer) => {
          const room = outputCap - kept;
          if (chunk.length > room) truncated = true;
          if (room <= 0) return;
          const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
          chunks.push(part);
          kept += part.length;
        };
        let exitCode: number | null = null;
        let exitSignal: string | null = null;
        // One decoder per stream: a chunk may end inside a character that the next one completes.
        const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
        const tell = (which: 'stdout' | 'stderr', text: string) => {
          if (text) onOutput?.(text, which);
        };
        stream.on('data', (chunk: Buffer) => {
          take(chunk);
          if (onOutput) tell('stdout', decoders.stdout.write(chunk));
        });
        stream.stderr.on('data', (chunk: Buffer) => {
          take(chunk);
          if (onOutput) tell('stderr', decoders.stderr.write(chunk));
        });
        stream.on('exit', (code: number | null, name?: string) => {
          exitCode = typeof code === 'number' ? code : null;
          exitSignal = name ?? null;
        });
        // End our side once theirs has ended; deferred, never from inside the stream's own handlers.
        stream.once('end', () => setImmediate(() => stream.end()));
        stream.once('error', (err: Error) =>
          finish(new Error(`The command on ${this.where()} failed: ${err.message} — try again.`)),
        );
        stream.once('close', () => {
          this.channels.delete(stream);
          if (onOutput) {
            tell('stdout', decoders.stdout.end());
            tell('stderr', decoders.stderr.end());
          }
          const bytes = Buffer.concat(chunks);
          // A cut can split a character: the decoder holds back its start instead of mangling it.
          const output = truncated ? new StringDecoder('utf8').write(bytes) : bytes.toString('utf8');
          finish(null, { exitCode, exitSignal, output, truncated });
        });
      });
    });
  }

  private where(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  private describe(): string {
    const s = this.current;
    if (s.status === 'reconnecting') return `last error: ${s.reason}`;
    if (s.status === 'failed') return s.reason;
    return 'still trying';
  }

  private blockedReason(): string | undefined {
    const s = this.current;
    if (s.status === 'failed') return s.reason;
    if (s.status === 'untrusted-host-key') {
      return `${this.options.label}'s SSH host key ${s.fingerprint} is not trusted yet — compare it with the server's and trust it in Control Room.`;
    }
    return undefined;
  }

  private setState(state: ConnectionState) {
    this.current = state;
    for (const listener of this.listeners) listener(state);
  }

  private dropClient() {
    const client = this.client;
    this.client = undefined;
    this.generation++;
    this.dialing = false;
    this.destroyChannels();
    if (client) {
      client.removeAllListeners();
      client.on('error', () => undefined); // late errors from a dropped client are expected
      client.end();
      client.destroy();
    }
  }

  /**
   * A keepalive timeout closes the client but not always its channels; a pooled HTTP socket on
   * such a channel would hang the next request forever.
   */
  private destroyChannels() {
    const error = new Error(`The SSH connection to ${this.where()} was lost.`);
    for (const channel of this.channels) channel.destroy(error);
    this.channels.clear();
  }

  private async dial() {
    const generation = ++this.generation;
    this.setState({ status: 'connecting' });
    let credentials: SshCredentials;
    this.dialing = true;
    try {
      credentials = await this.options.credentials();
    } catch (error) {
      if (generation !== this.generation) return;
      this.dialing = false;
      // Keychain trouble arrives as an ApiError; anything else is missing configuration.
      this.setState({
        status: 'failed',
        code: error instanceof ApiError ? 'keychain' : 'config',
        reason: messageOf(error),
      });
      return;
    }
    if (generation !== this.generation || this.closed) return;
    this.dialing = false;

    const client = new Client();
    this.client = client;
    let verdict: { kind: 'unknown' | 'mismatch'; offered: string } | undefined;
    let lastError: (Error & { level?: string }) | undefined;

    const config: ConnectConfig = {
      host: this.options.host,
      port: this.options.port,
      username: this.options.username,
      readyTimeout: this.options.readyTimeoutMs ?? 10_000,
      keepaliveInterval: this.options.keepaliveIntervalMs ?? 4_000,
      keepaliveCountMax: this.options.keepaliveCountMax ?? 2,
      hostVerifier: (key: Buffer) => {
        const offered = fingerprintOf(key);
        if (!this.pin) verdict = { kind: 'unknown', offered };
        else if (this.pin !== offered) verdict = { kind: 'mismatch', offered };
        // Returning false ends the handshake before any authentication is attempted.
        return verdict === undefined;
      },
    };
    if (credentials.agent) config.agent = credentials.agent;
    if (credentials.privateKey) config.privateKey = credentials.privateKey;
    if (credentials.passphrase) config.passphrase = credentials.passphrase;

    client.on('ready', () => {
      if (generation !== this.generation) return;
      this.attempt = 0;
      this.setState({ status: 'connected', since: isoNow(this.clock) });
    });
    client.on('error', (error: Error & { level?: string }) => {
      lastError = error;
    });
    client.on('close', () => {
      if (generation !== this.generation) return;
      this.client = undefined;
      this.destroyChannels();
      if (this.closed) return;
      if (verdict?.kind === 'unknown') {
        this.setState({ status: 'untrusted-host-key', fingerprint: verdict.offered, host: this.where() });
      } else if (verdict?.kind === 'mismatch') {
        this.setState({
          status: 'failed',
          code: 'host-key-mismatch',
          reason: `The SSH host key of ${this.where()} has changed: Control Room trusted ${this.pin} but the server now offers ${verdict.offered}. Nothing was sent. If the server was reinstalled, confirm the new fingerprint with its administrator and trust it again; otherwise someone may be intercepting the connection.`,
        });
      } else if (lastError?.level === 'client-authentication') {
        this.setState({
          status: 'failed',
          code: 'auth',
          reason: `${this.where()} refused the SSH key for user ${this.options.username} — check the user name and the private key (or your ssh-agent's keys), then retry.`,
        });
      } else if (lastError && /privateKey|Cannot parse|passphrase|Unsupported key/i.test(lastError.message)) {
        this.setState({
          status: 'failed',
          code: 'config',
          reason: `The private key could not be used: ${lastError.message} — check the key and its passphrase.`,
        });
      } else {
        this.scheduleReconnect(lastError ? messageOf(lastError) : 'the connection closed');
      }
    });

    try {
      client.connect(config);
    } catch (error) {
      // ssh2 throws synchronously for unusable configuration (a malformed key, say).
      this.client = undefined;
      this.setState({
        status: 'failed',
        code: 'config',
        reason: `The SSH settings could not be used: ${messageOf(error)}.`,
      });
    }
  }

  private scheduleReconnect(reason: string) {
    const delay = backoffDelay(this.attempt++, this.options.backoff ?? DEFAULT_BACKOFF);
    const at = new Date(this.clock.now() + delay).toISOString();
    this.setState({ status: 'reconnecting', at, attempt: this.attempt, reason });
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.closed) void this.dial();
    }, delay);
  }

  private get clock(): Clock {
    return this.options.clock ?? systemClock;
  }
}

/** An http.Agent whose sockets are SSH channels to the remote Docker socket. */
class ForwardingAgent extends Agent {
  constructor(
    private readonly tunnel: SshTunnel,
    options: AgentOptions,
  ) {
    super(options);
  }

  /**
   * docker-modem formats every request's options with `util.inspect(…, { depth: null,
   * showHidden: true })` even when its debug log is off: without this, each Docker request walked
   * the whole SSH client (hundreds of milliseconds with the event loop blocked).
   */
  [inspect.custom](): string {
    return 'ForwardingAgent (Docker over SSH)';
  }

  // Node's Agent accepts an asynchronous createConnection through its callback argument.
  override createConnection(_options: unknown, callback?: (error: Error | null, socket: Duplex) => void): undefined {
    this.tunnel.openChannel().then(
      (stream) => callback?.(null, asSocket(stream)),
      (error: Error) => callback?.(error, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

function noop() {}

/** http expects a net.Socket; a channel lacks its tuning knobs, which mean nothing here. */
function asSocket(stream: Duplex): Duplex {
  const socket = stream as Duplex & Record<string, unknown>;
  socket.setKeepAlive = noop;
  socket.setNoDelay = noop;
  socket.setTimeout = noop;
  socket.ref = noop;
  socket.unref = noop;
  return socket;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'ENOTFOUND') return 'host name not found';
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'host unreachable';
    return error.message;
  }
  return String(error);
}
