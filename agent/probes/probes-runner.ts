/**
 * The host's own probes: the agent runs the probes of its configuration with the app's engine,
 * scheduler and kinds, and keeps their results in its store with the same retention rules.
 *
 * What the host lends a run differs from the app: `docker` is the agent's own engine (whatever
 * target id the probe names), secrets come from the environment or files named in the
 * configuration, read at run time, and ssh and ops-api are refused (the configuration already
 * refuses those kinds; a run that still asks gets the same sentence).
 *
 * Each status change goes to `onStatus`, which the server publishes on the events stream.
 */
import { join } from 'node:path';
import type Docker from 'dockerode';
import { systemClock, type Clock } from '../../node/clock';
import { PROBE_KIND_MODULES, type ProbeKindRegistry } from '../../node/probes/kinds';
import { resultOf, runProbe, type EngineOutcome, type ProbeCapabilities } from '../../node/probes/probe-engine';
import { ProbeScheduler } from '../../node/probes/probe-scheduler';
import type { PlaceholderValues } from '../../node/probes/probe-kind';
import { ProbeStore } from '../../node/probes/store/probe-store';
import type { BackoffOptions } from '../../shared/backoff';
import type { HistoryRange, ProbeResult, ProbeSelection, ProbeStatus, ProbeTrigger } from '../../shared/model/probe';
import type { HostProbe } from '../../shared/model/ops';
import { probeSecretSlots, readSecretSource, secretPresent, type AgentProbe } from './probes-config';

/** Where the agent keeps artifact files, beside its database. */
export const AGENT_PROBE_ARTIFACTS_DIR = 'probe-artifacts';

export interface AgentProbesDeps {
  probes: readonly AgentProbe[];
  dataDir: string;
  db: ConstructorParameters<typeof ProbeStore>[0];
  /** The agent's own engine (its request client, with the configured timeout). */
  docker: Docker;
  env: NodeJS.ProcessEnv;
  clock?: Clock;
  kinds?: ProbeKindRegistry;
  backoff?: BackoffOptions;
  /** A probe's status changed: the server publishes it on the events stream. */
  onStatus?: (probeId: string, status: ProbeStatus, previous: ProbeStatus | null, lastResult: ProbeResult | null) => void;
}

export class AgentProbes {
  readonly store: ProbeStore;
  private readonly byId = new Map<string, AgentProbe>();
  private readonly scheduler: ProbeScheduler;
  private readonly clock: Clock;
  private readonly previousValues = new Map<string, PlaceholderValues>();
  private readonly retrying = new Set<string>();
  /** Each probe's last published status, so only changes go out. */
  private readonly published = new Map<string, ProbeStatus>();
  private disposed = false;

  constructor(private readonly deps: AgentProbesDeps) {
    this.clock = deps.clock ?? systemClock;
    for (const probe of deps.probes) this.byId.set(probe.id, probe);
    this.store = new ProbeStore(deps.db, join(deps.dataDir, AGENT_PROBE_ARTIFACTS_DIR), this.clock);
    this.scheduler = new ProbeScheduler({ clock: this.clock, run: (id, trigger, signal) => this.execute(id, trigger, signal) });
    this.scheduler.onChange((id, state) => {
      if (state !== 'queued') this.statusMaybeChanged(id);
    });
    this.scheduler.set(deps.probes.map((p) => ({ id: p.id, intervalMs: p.intervalSeconds * 1000, paused: p.paused, group: p.scope })));
  }

  /** Starts the schedule (and pruning); cheap probes run at once so the host has a baseline. */
  start(): void {
    // Probes removed from the configuration keep their history until retention drops it.
    this.store.start();
    for (const probe of this.deps.probes) this.published.set(probe.id, this.status(probe));
    this.scheduler.start();
    const cheap = this.deps.probes.filter((p) => p.cheap && !p.paused).map((p) => p.id);
    if (cheap.length) void this.scheduler.runNow(cheap, 'auto_boot');
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.scheduler.dispose();
    this.store.dispose();
  }

  get size(): number {
    return this.byId.size;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  list(): HostProbe[] {
    const stats = this.store.summaries(this.clock.now());
    return this.deps.probes.map((probe) => {
      const s = stats.get(probe.id);
      const { secrets, ...definition } = probe;
      const slots = probeSecretSlots(probe.kind, probe.settings);
      return {
        probe: {
          ...definition,
          settings: probe.settings as Record<string, unknown>,
          secrets: Object.fromEntries(slots.map((slot) => [slot, { present: secretPresent(secrets[slot]!, this.deps.env) }])),
        },
        status: this.status(probe, s?.lastResult ?? null),
        running: this.scheduler.isRunning(probe.id),
        lastResult: s?.lastResult ?? null,
        lastSuccessAt: s?.lastSuccessAt ?? null,
        lastFailureAt: s?.lastFailureAt ?? null,
        uptime24h: s?.uptime24h ?? null,
        uptime30d: s?.uptime30d ?? null,
        recentDurations: s?.recentDurations ?? [],
      };
    });
  }

  results(probeId: string, options: { before?: number | undefined; limit?: number | undefined }): ProbeResult[] {
    return this.store.results(probeId, options);
  }

  history(probeId: string, range: HistoryRange): ReturnType<ProbeStore['history']> {
    return this.store.history(probeId, range, this.clock.now());
  }

  /** One artifact's bytes whole; null when the result is not this probe's or has no such artifact. */
  async artifact(probeId: string, resultId: number, artifactId: string): Promise<{ contentType: string; name: string; data: Buffer } | null> {
    const result = this.store.result(resultId);
    if (!result || result.probeId !== probeId || !result.artifacts.some((a) => a.id === artifactId)) return null;
    const parts: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const chunk = await this.store.readArtifact(resultId, artifactId, offset);
      const data = Buffer.from(chunk.base64, 'base64');
      parts.push(data);
      offset += data.length;
      if (chunk.eof || !data.length) return { contentType: chunk.contentType, name: chunk.name, data: Buffer.concat(parts) };
    }
  }

  /** Starts the selected probes; one named by id runs even when paused, a scope or provider skips paused ones. */
  runNow(selection: ProbeSelection, trigger: ProbeTrigger): { started: number } {
    const ids = selection.probeId
      ? [selection.probeId].filter((id) => this.byId.has(id))
      : this.deps.probes
          .filter((p) => !p.paused)
          .filter((p) => !selection.scope || p.scope === selection.scope)
          .filter((p) => !selection.provider || p.provider === selection.provider)
          .map((p) => p.id);
    if (ids.length) void this.scheduler.runNow(ids, trigger);
    return { started: ids.length };
  }

  private async execute(id: string, trigger: ProbeTrigger, signal: AbortSignal): Promise<void> {
    const probe = this.byId.get(id);
    if (!probe || this.disposed) return;
    const kinds = this.deps.kinds ?? PROBE_KIND_MODULES;
    const compares = kinds[probe.kind]?.comparesWithPrevious === true;
    const runId = this.store.beginRun(id, trigger, this.clock.now());
    let outcome: EngineOutcome;
    try {
      outcome = await runProbe(probe, {
        kinds,
        capabilities: this.capabilities(probe),
        clock: this.clock,
        signal,
        previousValues: compares ? this.store.previousValues(id) : (this.previousValues.get(id) ?? null),
        ...(this.deps.backoff ? { backoff: this.deps.backoff } : {}),
        onRetry: () => {
          if (this.retrying.has(id)) return;
          this.retrying.add(id);
          this.statusMaybeChanged(id);
        },
      });
    } finally {
      this.retrying.delete(id);
    }
    // Stopping: the begun run stays begun, and the next start records it as interrupted.
    if (this.disposed) return;
    const result = resultOf(id, trigger, outcome);
    if (compares) {
      this.store.recordResult(runId, result, outcome.artifacts, outcome.values);
    } else {
      this.store.recordResult(runId, result, outcome.artifacts);
      this.previousValues.set(id, outcome.values);
    }
  }

  private capabilities(probe: AgentProbe): ProbeCapabilities {
    const refuse = (kind: string) => async (): Promise<never> => {
      throw new Error(`An ${kind} probe runs from Control Room, not from the agent.`);
    };
    return {
      secret: async (slot) => {
        const source = probe.secrets[slot];
        if (!source) throw new Error(`The probe's secret ${slot} has no source in the agent's configuration — add "secrets": { "${slot}": "env:VARIABLE" } and restart the agent.`);
        return readSecretSource(source, this.deps.env);
      },
      docker: async () => this.deps.docker,
      sshExec: refuse('ssh'),
      opsContext: refuse('ops-api'),
    };
  }

  /** How the probe stands now (the app's rules: running, paused, retrying, stale after its SLA). */
  private status(probe: AgentProbe, last: ProbeResult | null = this.store.lastResult(probe.id)): ProbeStatus {
    if (this.retrying.has(probe.id)) return 'pending';
    if (this.scheduler.isRunning(probe.id)) return 'running';
    if (probe.paused) return 'paused';
    if (!last) return 'never';
    const sla = (probe.slaSeconds ?? 2 * probe.intervalSeconds) * 1000;
    if (this.clock.now() - Date.parse(last.finishedAt) > sla) return 'stale';
    return last.status;
  }

  private statusMaybeChanged(id: string): void {
    const probe = this.byId.get(id);
    if (!probe || this.disposed) return;
    const last = this.store.lastResult(id);
    const status = this.status(probe, last);
    const previous = this.published.get(id) ?? null;
    // A finished run is news even when the verdict repeats: its result is new.
    if (status === previous && status !== 'ok' && status !== 'warn' && status !== 'fail') return;
    this.published.set(id, status);
    this.deps.onStatus?.(id, status, previous, last);
  }
}
