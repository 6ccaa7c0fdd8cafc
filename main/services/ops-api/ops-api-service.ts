/**
 * ops-api targets: their context, frontend errors and logs on request, and one shared live
 * events stream per target while anyone watches it. The events link's state is published like
 * a Docker connection's, so the UI shows it the same way.
 */
import { ApiError } from '../../../shared/errors';
import type { ConnectionState, TargetConnectionState } from '../../../shared/model/connection';
import type { OpsEvent } from '../../../shared/model/ops';
import type { Target, TargetOfKind } from '../../../shared/model/target';
import type { BackoffOptions } from '../connections/backoff';
import type { TargetsService } from '../targets/targets-service';
import { OpsApiClient } from './ops-api-client';

interface EventsWatch {
  listeners: Set<(event: OpsEvent) => void>;
  stop: () => void;
}

export class OpsApiService {
  private readonly watches = new Map<string, EventsWatch>();
  private readonly states = new Map<string, ConnectionState>();
  private readonly stateListeners = new Set<(update: TargetConnectionState) => void>();

  constructor(
    private readonly targets: TargetsService,
    private readonly options: { timeoutMs?: number; backoff?: BackoffOptions } = {},
  ) {
    targets.onChanged((list) => {
      // An edited or deleted target's stream restarts with the new settings (or stops).
      const byId = new Map(list.map((t) => [t.id, t]));
      for (const [targetId, watch] of [...this.watches]) {
        const target = byId.get(targetId);
        watch.stop();
        this.watches.delete(targetId);
        if (target?.kind === 'ops-api' && watch.listeners.size) this.watchEvents(targetId, ...watch.listeners);
        else this.publish(targetId, { status: 'idle' });
      }
    });
  }

  client(targetId: string): OpsApiClient {
    const target = this.targets.get(targetId);
    if (target.kind !== 'ops-api') throw new ApiError('invalid-request', `${target.name} is a Docker target; it has no ops API.`);
    return this.clientFor(target);
  }

  clientFor(target: TargetOfKind<'ops-api'>): OpsApiClient {
    const { baseUrl } = target.settings;
    return new OpsApiClient({
      baseUrl,
      token: () => this.targets.readSecret(target.id, 'apiToken'),
      ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}),
      ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
    });
  }

  /** Live events of one target; several watchers share one WebSocket. */
  watchEvents(targetId: string, ...listeners: ((event: OpsEvent) => void)[]): () => void {
    let watch = this.watches.get(targetId);
    if (!watch) {
      const created: EventsWatch = { listeners: new Set(), stop: () => undefined };
      created.stop = this.client(targetId).events(
        (event) => created.listeners.forEach((listener) => listener(event)),
        (state) => this.publish(targetId, state),
      );
      this.watches.set(targetId, created);
      watch = created;
    }
    for (const listener of listeners) watch.listeners.add(listener);
    const current = watch;
    return () => {
      for (const listener of listeners) current.listeners.delete(listener);
      if (current.listeners.size === 0 && this.watches.get(targetId) === current) {
        current.stop();
        this.watches.delete(targetId);
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

  closeAll(): void {
    for (const watch of this.watches.values()) watch.stop();
    this.watches.clear();
  }

  private publish(targetId: string, state: ConnectionState) {
    this.states.set(targetId, state);
    for (const listener of this.stateListeners) listener({ targetId, state });
  }
}
