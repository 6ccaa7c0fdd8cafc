/**
 * One Docker connection per target, made on first use and kept until the target changes or is
 * deleted. Its state is published for every target, so the UI can show it wherever the target
 * appears.
 */
import { ApiError } from '../../../shared/errors';
import type { ConnectionState, TargetConnectionState } from '../../../shared/model/connection';
import type { Target } from '../../../shared/model/target';
import type { TargetsService } from '../targets/targets-service';
import { systemClock, type Clock } from '../../../node/clock';
import type { BackoffOptions } from '../../../shared/backoff';
import { LocalDockerConnection, SshDockerConnection, type DockerConnection } from './docker-connection';
import type { SshCredentials } from './ssh-tunnel';

export interface ConnectionManagerOptions {
  /** The user's ssh-agent socket (SSH_AUTH_SOCK), tried before a key from the keychain. */
  sshAgentSocket?: string | undefined;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  backoff?: BackoffOptions;
}

interface Entry {
  connection: DockerConnection;
  /** What the connection was made from; a different value means it must be remade. */
  configKey: string;
  offState: () => void;
}

type Listener = (update: TargetConnectionState) => void;

export class ConnectionManager {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<Listener>();
  private offTargets: (() => void) | undefined;

  constructor(
    private readonly targets: TargetsService,
    private readonly options: ConnectionManagerOptions = {},
    private readonly clock: Clock = systemClock,
  ) {}

  /** Follows target edits: an edited target's connection is remade, a deleted one's closed. */
  start(): void {
    this.offTargets ??= this.targets.onChanged((list) => this.reconcile(list));
  }

  /** The connection for a Docker target, started if it was not. */
  connection(targetId: string): DockerConnection {
    const target = this.targets.get(targetId);
    const configKey = configKeyOf(target);
    let entry = this.entries.get(targetId);
    if (entry && entry.configKey !== configKey) {
      this.drop(targetId);
      entry = undefined;
    }
    if (!entry) {
      const connection = this.create(target);
      entry = { connection, configKey, offState: connection.onState((state) => this.publish(targetId, state)) };
      this.entries.set(targetId, entry);
    }
    entry.connection.start();
    return entry.connection;
  }

  state(targetId: string): ConnectionState {
    return this.entries.get(targetId)?.connection.state ?? { status: 'idle' };
  }

  states(): TargetConnectionState[] {
    return [...this.entries].map(([targetId, entry]) => ({ targetId, state: entry.connection.state }));
  }

  onState(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Pins the fingerprint the server offered (and the user compared), then connects. */
  trustHostKey(targetId: string, fingerprint: string): Target {
    const state = this.state(targetId);
    if (state.status !== 'untrusted-host-key') {
      throw new ApiError('conflict', 'There is no new host key waiting to be trusted for this target — connect first.');
    }
    if (state.fingerprint !== fingerprint) {
      throw new ApiError('conflict', 'The server offered a different key than the one you trusted — compare the fingerprint again.');
    }
    const target = this.targets.pinHostKey(targetId, fingerprint); // reconcile() remakes the connection
    this.connection(targetId);
    return target;
  }

  /**
   * Forgets the pinned key after a mismatch the user has looked into; the next connection
   * stops at "untrusted" and shows the new fingerprint to compare. Nothing connects silently.
   */
  forgetHostKey(targetId: string): Target {
    const target = this.targets.forgetHostKey(targetId);
    this.connection(targetId);
    return target;
  }

  retry(targetId: string): ConnectionState {
    const connection = this.connection(targetId);
    connection.reconnectNow();
    return connection.state;
  }

  /** Stops following targets and closes every connection (their timers and sockets with them). */
  dispose(): void {
    this.offTargets?.();
    this.offTargets = undefined;
    for (const targetId of [...this.entries.keys()]) this.drop(targetId);
  }

  private create(target: Target): DockerConnection {
    if (target.kind === 'docker-local') {
      return new LocalDockerConnection(target.settings.socketPath, this.options.backoff, this.clock);
    }
    if (target.kind === 'docker-ssh') {
      return new SshDockerConnection({
        label: target.name,
        ...target.settings,
        pinnedFingerprint: target.hostKey?.fingerprint,
        credentials: () => this.sshCredentials(target),
        ...(this.options.keepaliveIntervalMs ? { keepaliveIntervalMs: this.options.keepaliveIntervalMs } : {}),
        ...(this.options.keepaliveCountMax ? { keepaliveCountMax: this.options.keepaliveCountMax } : {}),
        ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
        clock: this.clock,
      });
    }
    throw new ApiError('invalid-request', `${target.name} is an ops API target; it has no Docker connection.`);
  }

  private async sshCredentials(target: Target): Promise<SshCredentials> {
    const credentials: SshCredentials = {};
    if (this.options.sshAgentSocket) credentials.agent = this.options.sshAgentSocket;
    if (target.secrets.privateKey?.present) credentials.privateKey = (await this.targets.readSecret(target.id, 'privateKey')) ?? undefined;
    if (target.secrets.passphrase?.present) credentials.passphrase = (await this.targets.readSecret(target.id, 'passphrase')) ?? undefined;
    if (!credentials.agent && !credentials.privateKey) {
      throw new Error(`${target.name} has no SSH key: add a private key to the target, or start ssh-agent (SSH_AUTH_SOCK) with your key.`);
    }
    return credentials;
  }

  private reconcile(list: Target[]) {
    const byId = new Map(list.map((t) => [t.id, t]));
    for (const [targetId, entry] of [...this.entries]) {
      const target = byId.get(targetId);
      if (!target) {
        this.drop(targetId);
        this.publish(targetId, { status: 'idle' });
      } else if (configKeyOf(target) !== entry.configKey) {
        this.drop(targetId);
        this.connection(targetId);
      }
    }
  }

  private drop(targetId: string) {
    const entry = this.entries.get(targetId);
    if (!entry) return;
    this.entries.delete(targetId);
    entry.offState();
    entry.connection.close();
  }

  private publish(targetId: string, state: ConnectionState) {
    for (const listener of this.listeners) listener({ targetId, state });
  }
}

function configKeyOf(target: Target): string {
  const secrets = Object.entries(target.secrets).map(([slot, s]) => `${slot}:${s.present}`);
  // updatedAt changes with every edit, including a new secret value under the same slot.
  return JSON.stringify([target.kind, target.settings, target.hostKey?.fingerprint ?? null, secrets, target.updatedAt]);
}
