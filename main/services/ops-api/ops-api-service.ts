/**
 * ops-api targets: their context, frontend errors and logs on request, and one shared live
 * events stream per target while anyone watches it. The events link's state is published like
 * a Docker connection's, so the UI shows it the same way.
 *
 * A watched target's link outlives its socket: its listeners belong to the link, and a renewal
 * (the target's address or token was edited) swaps only the socket underneath, so every
 * unsubscribe handed out before still ends the link once its last listener leaves. Edits to
 * other targets, or to this one's name, leave the link alone (a changed token is noticed by
 * reading it again, since the target list only says that a token is present); a deleted
 * target's link stops.
 */
import { createHash } from 'node:crypto';
import { ApiError } from '../../../shared/errors';
import type { ConnectionState, TargetConnectionState } from '../../../shared/model/connection';
import type { OpsEvent } from '../../../shared/model/ops';
import type { Target, TargetOfKind } from '../../../shared/model/target';
import { AbortedError } from '../../../node/abort';
import { systemClock, type Clock } from '../../../node/clock';
import type { BackoffOptions } from '../../../shared/backoff';
import type { TargetsService } from '../targets/targets-service';
import { OpsApiClient } from './ops-api-client';

type OpsApiTarget = TargetOfKind<'ops-api'>;

export interface OpsApiServiceOptions {
  timeoutMs?: number;
  backoff?: BackoffOptions;
}

interface EventsLink {
  readonly listeners: Set<(event: OpsEvent) => void>;
  /** Closes the current socket (replaced on renewal). */
  close: () => void;
  /** The target's settings the socket was opened with. */
  settingsKey: string;
  /**
   * A hash of the token the socket last authenticated with (null: none), to notice a new one;
   * undefined until the socket has read it (it then reads the current one anyway).
   */
  tokenHash: string | null | undefined;
  /** Counts token checks, so only the latest one's answer is acted on. */
  checks: number;
  /** Counts sockets, so a superseded socket's late token read is not taken for the current one's. */
  sockets: number;
}

export class OpsApiService {
  private readonly links = new Map<string, EventsLink>();
  private readonly states = new Map<string, ConnectionState>();
  private readonly stateListeners = new Set<(update: TargetConnectionState) => void>();
  /** Hear every watched target's events without keeping a link open (host probes copy results on them). */
  private readonly eventTaps = new Set<(targetId: string, event: OpsEvent) => void>();
  private offTargets: (() => void) | undefined;
  /** Aborted on dispose: every request of every client this service made stops with it. */
  private readonly lifetime = new AbortController();

  constructor(
    private readonly targets: TargetsService,
    private readonly options: OpsApiServiceOptions = {},
    private readonly clock: Clock = systemClock,
  ) {}

  /** Follows target edits, renewing or stopping the links of the targets concerned. */
  start(): void {
    this.offTargets ??= this.targets.onChanged((list) => this.reconcile(list));
  }

  /** Stops following targets, closes every events link and aborts the requests in flight. */
  dispose(): void {
    this.offTargets?.();
    this.offTargets = undefined;
    this.lifetime.abort(new AbortedError('The ops API service was closed.'));
    for (const link of this.links.values()) link.close();
    this.links.clear();
  }

  client(targetId: string): OpsApiClient {
    return this.clientFor(this.opsTarget(targetId));
  }

  clientFor(target: OpsApiTarget, token: () => Promise<string | null> = () => this.targets.readSecret(target.id, 'apiToken')): OpsApiClient {
    const { baseUrl } = target.settings;
    return new OpsApiClient({
      baseUrl,
      token,
      clock: this.clock,
      signal: this.lifetime.signal,
      ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}),
      ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
    });
  }

  /** Live events of one target; several watchers share one WebSocket. Returns the unsubscribe. */
  watchEvents(targetId: string, ...listeners: ((event: OpsEvent) => void)[]): () => void {
    let link = this.links.get(targetId);
    if (!link) {
      const target = this.opsTarget(targetId);
      link = { listeners: new Set(), close: () => undefined, settingsKey: settingsKeyOf(target), tokenHash: undefined, checks: 0, sockets: 0 };
      this.links.set(targetId, link);
      this.open(target, link);
    }
    for (const listener of listeners) link.listeners.add(listener);
    const current = link;
    return () => {
      for (const listener of listeners) current.listeners.delete(listener);
      if (current.listeners.size === 0 && this.links.get(targetId) === current) {
        current.close();
        this.links.delete(targetId);
        this.publish(targetId, { status: 'idle' });
      }
    };
  }

  state(targetId: string): ConnectionState {
    return this.states.get(targetId) ?? { status: 'idle' };
  }

  allStates(): TargetConnectionState[] {
    return [...this.states].map(([targetId, state]) => ({ targetId, state }));
  }

  onState(listener: (update: TargetConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Every event of every watched target; opens no link of its own. Returns the unsubscribe. */
  onEvent(listener: (targetId: string, event: OpsEvent) => void): () => void {
    this.eventTaps.add(listener);
    return () => this.eventTaps.delete(listener);
  }

  /** How many events links are open: tests check that unsubscribing ended them. */
  get linkCount(): number {
    return this.links.size;
  }

  private opsTarget(targetId: string): OpsApiTarget {
    const target = this.targets.get(targetId);
    if (target.kind !== 'ops-api') throw new ApiError('invalid-request', `${target.name} is a Docker target; it has no ops API.`);
    return target;
  }

  /** Opens (or reopens) `link`'s socket with `target`'s current settings and token. */
  private open(target: OpsApiTarget, link: EventsLink) {
    link.close();
    const socket = ++link.sockets;
    const client = this.clientFor(target, async () => {
      const token = await this.targets.readSecret(target.id, 'apiToken');
      if (link.sockets === socket) link.tokenHash = hashOf(token);
      return token;
    });
    link.settingsKey = settingsKeyOf(target);
    link.tokenHash = undefined;
    link.checks++;
    link.close = client.events(
      (event) => {
        link.listeners.forEach((listener) => listener(event));
        this.eventTaps.forEach((tap) => tap(target.id, event));
      },
      (state) => {
        if (this.links.get(target.id) === link) this.publish(target.id, state);
      },
    );
  }

  private reconcile(list: Target[]) {
    const byId = new Map(list.map((t) => [t.id, t]));
    for (const [targetId, link] of [...this.links]) {
      const target = byId.get(targetId);
      if (target?.kind !== 'ops-api') {
        // Deleted (or no longer an ops API): the link ends; its unsubscribes become no-ops.
        link.close();
        this.links.delete(targetId);
        this.publish(targetId, { status: 'idle' });
      } else if (settingsKeyOf(target) !== link.settingsKey) {
        this.open(target, link);
      } else {
        // The change may have been a new token under the same slot: the list cannot say, the keychain can.
        void this.renewIfTokenChanged(target, link);
      }
    }
  }

  /** A target changed but not this link's settings: renew only if its token is a different one now. */
  private async renewIfTokenChanged(target: OpsApiTarget, link: EventsLink) {
    const check = ++link.checks;
    let token: string | null;
    try {
      token = await this.targets.readSecret(target.id, 'apiToken');
    } catch {
      return; // the keychain is unavailable: the link's next reconnect reports it
    }
    if (this.links.get(target.id) !== link || link.checks !== check || link.tokenHash === undefined) return;
    if (hashOf(token) !== link.tokenHash) this.open(target, link);
  }

  private publish(targetId: string, state: ConnectionState) {
    this.states.set(targetId, state);
    for (const listener of this.stateListeners) listener({ targetId, state });
  }
}

function settingsKeyOf(target: Target): string {
  const secrets = Object.entries(target.secrets).map(([slot, s]) => `${slot}:${s.present}`);
  return JSON.stringify([target.kind, target.settings, secrets]);
}

function hashOf(token: string | null): string | null {
  return token === null ? null : createHash('sha256').update(token).digest('hex');
}
