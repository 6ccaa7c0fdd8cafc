/**
 * A Docker engine reached either through a local socket or through an SSH tunnel, with one
 * connection state either way. Callers use `docker` after `ready()`.
 */
import Docker from 'dockerode';
import type { ConnectionState } from '../../../shared/model/connection';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { SshTunnel, type SshTunnelOptions } from './ssh-tunnel';

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
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private probing = false;

  constructor(
    socketPath: string,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {
    // An empty path leaves the choice to docker-modem, which reads DOCKER_HOST.
    this.docker = socketPath ? new Docker({ socketPath }) : new Docker();
  }

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
    clearTimeout(this.timer);
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
      const timer = setTimeout(() => {
        off();
        const s = this.current;
        reject(new Error(`The local Docker engine did not answer within ${Math.round(timeoutMs / 1000)} s${s.status === 'reconnecting' ? ` (${s.reason})` : ''} — is Docker running?`));
      }, timeoutMs);
      const off = this.onState((state) => {
        if (state.status === 'connected') {
          clearTimeout(timer);
          off();
          resolve();
        } else if (state.status === 'reconnecting') {
          // An attempt failed: answer now; callers are told again when it comes back.
          clearTimeout(timer);
          off();
          reject(new Error(`The local Docker engine is not answering (${state.reason}) — Control Room keeps retrying.`));
        }
      });
    });
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.setState({ status: 'idle' });
  }

  private async probe(_reason?: string) {
    this.probing = true;
    if (this.current.status !== 'reconnecting') this.setState({ status: 'connecting' });
    try {
      await this.docker.ping();
      if (this.closed) return;
      this.attempt = 0;
      this.setState({ status: 'connected', since: new Date().toISOString() });
    } catch (error) {
      if (this.closed) return;
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
      this.setState({ status: 'reconnecting', at: new Date(Date.now() + delay).toISOString(), attempt: this.attempt, reason });
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.probe();
      }, delay);
    } finally {
      this.probing = false;
    }
  }

  private setState(state: ConnectionState) {
    this.current = state;
    for (const listener of this.listeners) listener(state);
  }
}
