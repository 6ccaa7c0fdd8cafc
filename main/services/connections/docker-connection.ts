/**
 * A Docker engine reached either through a local socket or through an SSH tunnel, with one
 * connection state either way. Callers use `docker` after `ready()`.
 */
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import Docker from 'dockerode';
import type { ConnectionState } from '../../../shared/model/connection';
import { isoNow, systemClock, type Clock, type Timer } from '../../../node/clock';
import { ping } from '../docker/abortable';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../../../shared/backoff';
import { SshTunnel, type SshExecOptions, type SshExecOutcome, type SshTunnelOptions } from './ssh-tunnel';

export interface DockerConnection {
  readonly docker: Docker;
  readonly state: ConnectionState;
  onState(listener: (state: ConnectionState) => void): () => void;
  start(): void;
  ready(timeoutMs?: number): Promise<void>;
  /** Drop whatever is happening and try again now (the user pressed Retry). */
  reconnectNow(): void;
  /** Something using the connection saw it fail (an events stream ended, say): check it. */
  suspect(reason: string): void;
  /**
   * A fresh connection to the engine for one long request read by hand (a followed log), or
   * undefined where only dockerode knows the way (an engine named by DOCKER_HOST).
   */
  openStream?(): Promise<Duplex>;
  close(): void;
}

export class SshDockerConnection implements DockerConnection {
  readonly tunnel: SshTunnel;
  readonly docker: Docker;

  constructor(options: SshTunnelOptions) {
    this.tunnel = new SshTunnel(options);
    // Host and port are placeholders: every socket comes from the tunnel's agent.
    this.docker = new Docker({ protocol: 'http', host: 'docker.invalid', port: 80, agent: this.tunnel.agent } as Docker.DockerOptions);
  }

  get state() {
    return this.tunnel.state;
  }
  onState(listener: (state: ConnectionState) => void) {
    return this.tunnel.onState(listener);
  }
  start() {
    this.tunnel.start();
  }
  ready(timeoutMs?: number) {
    return this.tunnel.ready(timeoutMs);
  }
  reconnectNow() {
    this.tunnel.reconnectNow();
  }
  suspect() {
    // The SSH keepalive is the judge here: it notices a dead link within 15 s by itself.
  }
  trust(fingerprint: string) {
    this.tunnel.trust(fingerprint);
  }
  /** A channel forwarded to the remote Docker socket, as each of dockerode's requests gets. */
  openStream(): Promise<Duplex> {
    return this.tunnel.openChannel();
  }
  /** A command on the host itself, over the same SSH connection the Docker requests use. */
  exec(command: string, options: SshExecOptions): Promise<SshExecOutcome> {
    return this.tunnel.exec(command, options);
  }
  close() {
    this.tunnel.close();
  }
}

/** The local engine: `/var/run/docker.sock`, `DOCKER_HOST`, or the socket the target names. */
export class LocalDockerConnection implements DockerConnection {
  readonly docker: Docker;
  private current: ConnectionState = { status: 'idle' };
  private readonly listeners = new Set<(state: ConnectionState) => void>();
  private attempt = 0;
  private timer: Timer | undefined;
  private closed = false;
  private probing = false;
  /** The ping in flight, aborted when the connection closes or a new attempt replaces it. */
  private probeAbort: AbortController | undefined;

  constructor(
    socketPath: string,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
    private readonly clock: Clock = systemClock,
  ) {
    // An empty path leaves the choice to docker-modem, which reads DOCKER_HOST.
    this.docker = socketPath ? new Docker({ socketPath }) : new Docker();
    if (socketPath) this.openStream = () => openUnixSocket(socketPath);
  }

  readonly openStream?: () => Promise<Duplex>;

  get state() {
    return this.current;
  }

  onState(listener: (state: ConnectionState) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start() {
    this.closed = false;
    if (this.current.status === 'connected' || this.probing || this.timer) return;
    void this.probe();
  }

  reconnectNow() {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.attempt = 0;
    this.closed = false;
    void this.probe();
  }

  suspect(reason: string) {
    if (this.current.status !== 'connected') return;
    this.setState({ status: 'connecting' });
    void this.probe(reason);
  }

  ready(timeoutMs = 15_000): Promise<void> {
    if (this.current.status === 'connected') return Promise.resolve();
    // Already known to be down: say so now rather than after the timeout.
    if (this.current.status === 'reconnecting') {
      return Promise.reject(new Error(`The local Docker engine is not answering (${this.current.reason}) — Control Room keeps retrying.`));
    }
    this.start();
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        off();
        const s = this.current;
        reject(new Error(`The local Docker engine did not answer within ${Math.round(timeoutMs / 1000)} s${s.status === 'reconnecting' ? ` (${s.reason})` : ''} — is Docker running?`));
      }, timeoutMs);
      const off = this.onState((state) => {
        if (state.status === 'connected') {
          this.clock.clearTimeout(timer);
          off();
          resolve();
        } else if (state.status === 'reconnecting') {
          // An attempt failed: answer now; callers are told again when it comes back.
          this.clock.clearTimeout(timer);
          off();
          reject(new Error(`The local Docker engine is not answering (${state.reason}) — Control Room keeps retrying.`));
        } else if (state.status === 'idle') {
          // Closed while waiting: no timer may outlive the connection.
          this.clock.clearTimeout(timer);
          off();
          reject(new Error('The connection to the local Docker engine was closed.'));
        }
      });
    });
  }

  close() {
    this.closed = true;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.probeAbort?.abort(new Error('The Docker connection was closed.'));
    this.setState({ status: 'idle' });
  }

  private async probe(_reason?: string) {
    this.probing = true;
    this.probeAbort?.abort(new Error('A newer attempt replaced this one.'));
    const abort = new AbortController();
    this.probeAbort = abort;
    if (this.current.status !== 'reconnecting') this.setState({ status: 'connecting' });
    try {
      await ping(this.docker, abort.signal);
      if (this.closed || abort.signal.aborted) return;
      this.attempt = 0;
      this.setState({ status: 'connected', since: isoNow(this.clock) });
    } catch (error) {
      if (this.closed || abort.signal.aborted) return;
      const delay = backoffDelay(this.attempt++, this.backoff);
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        code === 'ENOENT'
          ? 'no Docker socket there'
          : code === 'EACCES'
            ? 'permission denied on the Docker socket (add your user to the docker group)'
            : code === 'ECONNREFUSED'
              ? 'the Docker engine refused the connection'
              : error instanceof Error
                ? error.message
                : String(error);
      this.setState({ status: 'reconnecting', at: new Date(this.clock.now() + delay).toISOString(), attempt: this.attempt, reason });
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        void this.probe();
      }, delay);
    } finally {
      if (this.probeAbort === abort) {
        this.probing = false;
        this.probeAbort = undefined;
      }
    }
  }

  private setState(state: ConnectionState) {
    this.current = state;
    for (const listener of this.listeners) listener(state);
  }
}

function openUnixSocket(path: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
