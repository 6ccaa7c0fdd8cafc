/**
 * Host probes: the probes an ops-API target's agent runs itself, shown beside the local ones.
 *
 * For each ops-api target the agent's `/api/ops/probes` is polled (and, while someone watches the
 * target's events, a `probe` event brings the next copy at once). Each host probe gets a synthetic
 * id here, stable for its target and agent probe id, and its new results — those that started
 * after the newest copy — are copied into the app's own probe store through ProbesService, the
 * same path local results take: their history is then read, charted and alerted on like a local
 * probe's, and stays readable when the agent cannot be reached.
 *
 * The last definitions seen per target are kept in the settings table, so a host's probes are
 * still listed (going stale by their own SLA) after a restart while the host is away.
 */
import { createHash } from 'node:crypto';
import { systemClock, type Clock, type Timer } from '../../../node/clock';
import type { ArtifactData } from '../../../node/probes/probe-kind';
import type { ProbeStats, RecordInput } from '../../../node/probes/store/probe-store';
import { ApiError } from '../../../shared/errors';
import { HostProbe, type OpsEvent } from '../../../shared/model/ops';
import { Probe, type ProbeResult, type ProbeSummary } from '../../../shared/model/probe';
import type { TargetOfKind } from '../../../shared/model/target';
import type { OpsApiService } from '../ops-api/ops-api-service';
import type { SettingsStore } from '../settings/settings-store';
import type { TargetsService } from '../targets/targets-service';
import type { HostProbeSource, ProbesService } from './probes-service';
import { probeStatus } from './probes-status';

type OpsApiTarget = TargetOfKind<'ops-api'>;

export interface HostProbesOptions {
  /** How often each ops-api target's probes are read; default a minute. */
  pollMs?: number;
  /** Results copied per probe and sync at most (the rest follow on the next). */
  maxCopy?: number;
  /** The newest results of a sync whose artifacts are copied too. */
  artifactResults?: number;
}

export interface HostProbesDeps {
  probes: ProbesService;
  targets: TargetsService;
  opsApi: OpsApiService;
  settings: SettingsStore;
  clock?: Clock;
  options?: HostProbesOptions;
}

interface Entry {
  id: string;
  targetId: string;
  targetName: string;
  host: string;
  remote: HostProbe;
  /** The definition as a saved probe of this app, under the synthetic id. */
  probe: Probe;
  /** The last poll of its target reached the agent: its status is the agent's. */
  reachable: boolean;
}

const SETTINGS_PREFIX = 'host-probes.';

/** The synthetic id of an agent's probe: stable, and in the app's probe id alphabet. */
export function hostProbeId(targetId: string, agentProbeId: string): string {
  return `host-${createHash('sha256').update(`${targetId}\0${agentProbeId}`).digest('hex').slice(0, 32)}`;
}

export class HostProbes implements HostProbeSource {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly syncing = new Map<string, Promise<void>>();
  /** A target whose sync was asked for while one ran: it runs once more after. */
  private readonly again = new Set<string>();
  private timer: Timer | undefined;
  private offEvents: (() => void) | undefined;
  private offTargets: (() => void) | undefined;
  /** Ops-API targets already read once: a target added since is read at once, not at the next poll. */
  private readonly seenTargets = new Set<string>();
  private disposed = false;

  constructor(private readonly deps: HostProbesDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  start(): void {
    this.restore();
    this.deps.probes.attachHostProbes(this);
    this.offEvents = this.deps.opsApi.onEvent((targetId, event) => this.onEvent(targetId, event));
    for (const target of this.opsTargets()) this.seenTargets.add(target.id);
    this.offTargets = this.deps.targets.onChanged((targets) => {
      for (const target of targets) {
        if (target.kind !== 'ops-api' || this.seenTargets.has(target.id)) continue;
        this.seenTargets.add(target.id);
        void this.sync(target.id);
      }
    });
    void this.syncAll();
    this.schedule();
  }

  dispose(): void {
    this.disposed = true;
    this.clock.clearTimeout(this.timer);
    this.offEvents?.();
    this.offTargets?.();
    this.deps.probes.attachHostProbes(null);
  }

  has(probeId: string): boolean {
    return this.entries.has(probeId);
  }

  summaries(): ProbeSummary[] {
    const targets = new Set(this.opsTargets().map((t) => t.id));
    const stats = this.deps.probes.store.summaries(this.clock.now());
    return [...this.entries.values()].filter((e) => targets.has(e.targetId)).map((e) => this.summaryOf(e, stats.get(e.id)));
  }

  /**
   * Asks the host's agent to run one of its probes now (its admin scope: a read-only token is
   * refused with a sentence saying so); the result arrives as any other, by event or poll.
   */
  async runRemote(probeId: string): Promise<{ started: number }> {
    const entry = this.entries.get(probeId);
    const target = entry && this.opsTargets().find((t) => t.id === entry.targetId);
    if (!entry || !target) throw new ApiError('not-found', 'That host probe is no longer listed by its agent — refresh the list.');
    const reply = await this.deps.opsApi.clientFor(target).runProbes({ probeId: entry.remote.probe.id });
    // No events link may be open for this target: read it again once the run has had time to end.
    this.clock.setTimeout(() => void this.sync(target.id), Math.min(60_000, (entry.probe.timeoutSeconds + 1) * 1000)).unref();
    return reply;
  }

  /** Reads every ops-api target's probes and copies their new results; resolves when all are done. */
  async syncAll(): Promise<void> {
    await Promise.all(this.opsTargets().map((target) => this.sync(target.id)));
  }

  /** One target's probes and new results; a sync asked for while one runs follows it once. */
  sync(targetId: string): Promise<void> {
    const running = this.syncing.get(targetId);
    if (running) {
      this.again.add(targetId);
      return running;
    }
    const run = (async () => {
      try {
        do {
          this.again.delete(targetId);
          const target = this.opsTargets().find((t) => t.id === targetId);
          if (!target || this.disposed) return;
          await this.syncTarget(target);
        } while (this.again.has(targetId) && !this.disposed);
      } finally {
        this.syncing.delete(targetId);
      }
    })();
    this.syncing.set(targetId, run);
    return run;
  }

  private async syncTarget(target: OpsApiTarget): Promise<void> {
    const client = this.deps.opsApi.clientFor(target);
    let listed: HostProbe[];
    try {
      listed = (await client.probes()).probes;
    } catch {
      // Unreachable, refused or no probes endpoint (an older agent): the copies stand, their
      // status now judged here from the newest copy.
      for (const entry of this.entries.values()) if (entry.targetId === target.id) entry.reachable = false;
      return;
    }
    if (this.disposed) return;
    const host = hostOf(target.settings.baseUrl);
    const ids = new Set<string>();
    for (const remote of listed) {
      const id = hostProbeId(target.id, remote.probe.id);
      const probe = this.probeOf(id, target, remote);
      if (!probe) continue;
      ids.add(id);
      this.entries.set(id, { id, targetId: target.id, targetName: target.name, host, remote, probe, reachable: true });
    }
    // Probes gone from the host's configuration leave the list; their copies age out with retention.
    for (const [id, entry] of this.entries) if (entry.targetId === target.id && !ids.has(id)) this.entries.delete(id);
    this.persist(target.id);
    for (const id of ids) {
      if (this.disposed) return;
      await this.copyResults(this.entries.get(id)!, client).catch(() => undefined);
    }
  }

  /** Copies the results that started after the newest copy, oldest first. */
  private async copyResults(entry: Entry, client: ReturnType<OpsApiService['clientFor']>): Promise<void> {
    const newest = this.deps.probes.store.lastResult(entry.id);
    const cursor = newest ? Date.parse(newest.startedAt) : -Infinity;
    const maxCopy = this.deps.options?.maxCopy ?? 2_000;
    const fresh: ProbeResult[] = [];
    let before: number | undefined;
    for (;;) {
      const page = (await client.probeResults(entry.remote.probe.id, { before, limit: 200 })).results;
      const newer = page.filter((r) => Date.parse(r.startedAt) > cursor);
      fresh.push(...newer);
      if (newer.length < page.length || page.length < 200 || fresh.length >= maxCopy) break;
      before = page.at(-1)!.id;
    }
    if (!fresh.length || this.disposed) return;
    const ordered = fresh.slice(0, maxCopy).reverse();
    const withArtifacts = new Set(ordered.slice(-(this.deps.options?.artifactResults ?? 10)).map((r) => r.id));
    const items: RecordInput[] = [];
    for (const remote of ordered) {
      const artifacts: ArtifactData[] = [];
      if (withArtifacts.has(remote.id)) {
        for (const ref of remote.artifacts) {
          try {
            const { contentType, data } = await client.probeArtifact(entry.remote.probe.id, remote.id, ref.id);
            artifacts.push({ name: ref.name, contentType: ref.contentType || contentType, data, truncated: ref.truncated });
          } catch {
            // Pruned on the host meanwhile: the result is copied without it.
          }
        }
      }
      const { id: _id, artifacts: _refs, ...result } = remote;
      items.push({ runId: null, result: { ...result, probeId: entry.id }, artifacts });
    }
    if (this.disposed || !this.entries.has(entry.id)) return;
    this.deps.probes.recordCopied(entry.probe, items, () => this.summaryOf(entry, undefined));
  }

  private onEvent(targetId: string, event: OpsEvent): void {
    if (event.type !== 'probe' || this.disposed) return;
    const entry = this.entries.get(hostProbeId(targetId, event.probeId));
    if (entry) entry.remote = { ...entry.remote, status: event.status, running: event.status === 'running' };
    // A finished run: copy it now rather than at the next poll.
    if (event.lastResult || !entry) void this.sync(targetId);
  }

  private summaryOf(entry: Entry, stats: ProbeStats | undefined): ProbeSummary {
    const store = this.deps.probes.store;
    const lastResult = stats ? stats.lastResult : store.lastResult(entry.id);
    const now = this.clock.now();
    const latency = stats ?? { ...store.summaryStats(entry.id, now), lastSuccessAt: store.lastSuccessAt(entry.id), lastFailureAt: store.lastFailureAt(entry.id) };
    const running = entry.reachable && entry.remote.running;
    return {
      probe: entry.probe,
      // The agent's word while it answers; the copies' when it does not (stale after the SLA).
      status: entry.reachable ? entry.remote.status : probeStatus({ probe: entry.probe, last: lastResult, running: false, retrying: false, now }),
      running,
      lastResult,
      lastSuccessAt: latency.lastSuccessAt,
      lastFailureAt: latency.lastFailureAt,
      uptime24h: latency.uptime24h,
      uptime30d: latency.uptime30d,
      recentDurations: latency.recentDurations,
      blockedBy: null,
      maintenance: false,
      origin: { kind: 'host', targetId: entry.targetId, targetName: entry.targetName, host: entry.host },
      counterpart: null,
    };
  }

  /** The host's definition as a saved probe of this app; null when this app cannot read it (a newer agent's kind). */
  private probeOf(id: string, target: OpsApiTarget, remote: HostProbe): Probe | null {
    const at = new Date(this.clock.now()).toISOString();
    const previous = this.entries.get(id)?.probe;
    const { secrets, ...definition } = remote.probe;
    const parsed = Probe.safeParse({
      ...definition,
      id,
      secrets: Object.fromEntries(Object.entries(secrets).map(([slot, s]) => [slot, { ref: `${target.name}: ${slot} (on the host)`, present: s.present }])),
      createdAt: previous?.createdAt ?? at,
      updatedAt: previous?.updatedAt ?? at,
    });
    return parsed.success ? parsed.data : null;
  }

  private persist(targetId: string): void {
    const remote = [...this.entries.values()].filter((e) => e.targetId === targetId).map((e) => e.remote.probe);
    try {
      this.deps.settings.set(SETTINGS_PREFIX + targetId, remote.length ? remote : null);
    } catch {
      // Too many to keep (over the setting cap): they are listed again at the next poll.
    }
  }

  /** The definitions last seen, until the hosts answer: their copies' status, going stale. */
  private restore(): void {
    for (const target of this.opsTargets()) {
      const saved = this.deps.settings.get(SETTINGS_PREFIX + target.id);
      if (!Array.isArray(saved)) continue;
      for (const raw of saved) {
        const parsed = HostProbe.shape.probe.safeParse(raw);
        if (!parsed.success) continue;
        const remote: HostProbe = {
          probe: parsed.data,
          status: 'never',
          running: false,
          lastResult: null,
          lastSuccessAt: null,
          lastFailureAt: null,
          uptime24h: null,
          uptime30d: null,
          recentDurations: [],
        };
        const id = hostProbeId(target.id, parsed.data.id);
        const probe = this.probeOf(id, target, remote);
        if (probe) this.entries.set(id, { id, targetId: target.id, targetName: target.name, host: hostOf(target.settings.baseUrl), remote, probe, reachable: false });
      }
    }
  }

  private schedule(): void {
    if (this.disposed) return;
    this.timer = this.clock.setTimeout(() => {
      void this.syncAll().finally(() => this.schedule());
    }, this.deps.options?.pollMs ?? 60_000);
  }

  private opsTargets(): OpsApiTarget[] {
    return this.deps.targets.list().filter((t): t is OpsApiTarget => t.kind === 'ops-api');
  }
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}
