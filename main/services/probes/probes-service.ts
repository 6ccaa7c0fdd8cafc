/**
 * Integration probes in the app: saved probes with their secrets in the keychain, runs now and on
 * schedule, results and history from the probe store, live updates for the Integrations screen.
 *
 * Saving follows the targets' order so nothing is half-done when the keychain or the disk fails:
 * secrets are written first and the row after (new secrets are removed again if the row fails);
 * delete removes the secrets first and the row after. Secret values are read from the keychain
 * only when a run needs them, inside the engine, which redacts them from all it returns.
 *
 * A run is recorded in two steps, `beginRun` before the check and `recordResult` after it, so an
 * app that stops mid-run leaves a begun run that the next start marks as interrupted: never a
 * half-written result. Once disposed, runs still finishing are dropped for that reason.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ApiError, fieldErrorsOf } from '../../../shared/errors';
import {
  ProbeDraft,
  type HistoryBucket,
  type HistoryRange,
  type Probe,
  type ProbeDraftInput,
  type ProbePreset,
  type ProbeResult,
  type ProbeRetention,
  type ProbeSelection,
  type ProbeSummary,
  type ProbeTrigger,
  type ProbeUpdate,
} from '../../../shared/model/probe';
import { conditionErrors } from '../../../shared/probe-conditions';
import { isoNow, systemClock, type Clock } from '../../../node/clock';
import { resultOf, runProbe, type EngineOutcome, type ProbeCapabilities as EngineCapabilities } from '../../../node/probes/probe-engine';
import { PROBE_KIND_MODULES, type ProbeKindRegistry } from '../../../node/probes/kinds';
import type { PlaceholderValues } from '../../../node/probes/probe-kind';
import { ProbeScheduler, type ScheduledProbe } from '../../../node/probes/probe-scheduler';
import type { CredentialBackend } from '../credentials/credential-backend';
import type { Db } from '../store/database';
import type { TargetsService } from '../targets/targets-service';
import type { ProbeCapabilities } from './probe-capabilities';
import { probePresets } from './probe-presets';
import { ProbeStore, type ProbeStats, type RecordInput } from '../../../node/probes/store/probe-store';
import { ProbeDefinitions, probeSecretRef, secretSlotsOf } from './probes-definitions';
import { probeStatus } from './probes-status';

/** Where a run's artifacts go, under the data directory. */
export const PROBE_ARTIFACTS_DIR = 'probe-artifacts';

export const SECRET_LOCKED_MESSAGE = "The keychain is locked, so the probe's secret is unavailable — unlock it and run again.";

export interface ProbesServiceOptions {
  /**
   * False for a one-off process (opsctl): no schedule, no start-up runs, and in-flight runs of a
   * running app are not marked interrupted. Runs asked for (`runNow`) still run.
   */
  background?: boolean;
  /** Runs in flight at once, all probes together (default 8). */
  concurrency?: number;
  kinds?: ProbeKindRegistry;
  /** Docker, SSH and ops-API access through the app's connections; refused with a clear error when absent. */
  capabilities?: ProbeCapabilities;
  /** Engine options for tests: exact retry waits. */
  backoff?: { initialMs: number; maxMs: number; random?: () => number };
}

export interface ProbesServiceDeps {
  db: Db;
  dataDir: string;
  credentials: CredentialBackend;
  targets: TargetsService;
  clock?: Clock;
  options?: ProbesServiceOptions;
}

type Listener = (update: ProbeUpdate) => void;

/** What alerting (main/services/alerts) tells the probes and is told by them; set with `attachAlerting`. */
export interface ProbeAlerting {
  /** Asked as a result is recorded, so results taken in a maintenance window say so. */
  inMaintenance(probe: Probe): boolean;
  /** The failing parent holding the probe's alerts, for its row; null when none. */
  blockedBy(probe: Probe): string | null;
  /** Each result once recorded (interrupted ones too: alerting ignores those itself). */
  onResult(probe: Probe, result: ProbeResult): void;
}

/** Probes that run elsewhere (a host's agent) and whose results are copied here: main/services/probes/host-probes.ts. */
export interface HostProbeSource {
  has(probeId: string): boolean;
  /** Their rows, from the copies in this store; `origin` says whose host. */
  summaries(): ProbeSummary[];
}

/** A run starting, with when it was due: their difference is its lateness. */
export interface RunStart {
  probeId: string;
  dueAt: number;
  startedAt: number;
  trigger: ProbeTrigger;
}

/** Which target kinds each target-bound probe kind runs on, and how to say so when it does not. */
const TARGET_KINDS: Partial<Record<Probe['kind'], { kinds: readonly string[]; need: string }>> = {
  docker: { kinds: ['docker-local', 'docker-ssh'], need: 'a Docker target (local or over SSH)' },
  ssh: { kinds: ['docker-ssh'], need: 'a Docker-over-SSH target' },
  'ops-api': { kinds: ['ops-api'], need: 'an ops API target' },
};

export class ProbesService {
  readonly store: ProbeStore;
  private readonly definitions: ProbeDefinitions;
  private readonly scheduler: ProbeScheduler;
  private readonly clock: Clock;
  private readonly credentials: CredentialBackend;
  private readonly targets: TargetsService;
  private readonly options: ProbesServiceOptions;
  private readonly listeners = new Set<Listener>();
  private readonly startListeners = new Set<(start: RunStart) => void>();
  /**
   * What each probe's last run in this process saw. Kinds that compare with it ("restarts since the
   * last run") have theirs kept in the store instead, so a restart (or a run by opsctl) keeps them.
   */
  private readonly previousValues = new Map<string, PlaceholderValues>();
  /** Probes failing and waiting out a retry's backoff. */
  private readonly retrying = new Set<string>();
  /** The saved probes as last scheduled, so a run does not read its definition back from SQLite. */
  private readonly scheduled = new Map<string, Probe>();
  private readonly shutdown = new AbortController();
  private disposed = false;
  private alerting: ProbeAlerting | null = null;
  private hostProbes: HostProbeSource | null = null;

  constructor({ db, dataDir, credentials, targets, clock = systemClock, options = {} }: ProbesServiceDeps) {
    this.clock = clock;
    this.credentials = credentials;
    this.targets = targets;
    this.options = options;
    this.definitions = new ProbeDefinitions(db);
    this.store = new ProbeStore(db, join(dataDir, PROBE_ARTIFACTS_DIR), clock);
    this.scheduler = new ProbeScheduler({
      clock,
      concurrency: options.concurrency ?? 8,
      run: (id, trigger, signal) => this.execute(id, trigger, signal),
      onStart: (probeId, dueAt, startedAt, trigger) => {
        for (const listener of this.startListeners) listener({ probeId, dueAt, startedAt, trigger });
      },
    });
    // Published as the scheduler's state changes, so `running` in the summary is already true as a
    // run starts and already false as it ends (its result recorded just before).
    this.scheduler.onChange((id, state) => {
      if (state !== 'queued') this.publish(id);
    });
  }

  start(): void {
    // Without a background, runs asked for still go through the scheduler (its bound, no
    // overlap), but nothing is scheduled: the scheduler is given the probes and not started.
    this.reschedule();
    if (this.options.background === false) return;
    // The store's start turns runs a previous process left begun into interrupted results (the
    // app stopped under them) and starts pruning: the app's business, not a one-off process's,
    // which must not mark the running app's runs as interrupted.
    this.store.start();
    this.scheduler.start();
    const cheap = this.definitions.list().filter((probe) => probe.cheap && !probe.paused);
    if (cheap.length) this.scheduler.runNow(cheap.map((probe) => probe.id), 'auto_boot');
  }

  dispose(): void {
    this.disposed = true;
    this.shutdown.abort(new ApiError('internal', 'Control Room is closing.'));
    void this.scheduler.dispose();
    this.store.dispose();
    this.listeners.clear();
    this.startListeners.clear();
  }

  list(): ProbeSummary[] {
    const probes = this.definitions.list();
    const stats = this.store.summaries(this.clock.now());
    // Host probes' rows carry the agent's status; what alerting holds or mutes is this app's own.
    const hosts = (this.hostProbes?.summaries() ?? []).map((summary) => ({
      ...summary,
      blockedBy: this.alerting?.blockedBy(summary.probe) ?? null,
      maintenance: this.alerting?.inMaintenance(summary.probe) ?? false,
    }));
    return withCounterparts([...probes.map((probe) => this.summaryOf(probe, stats.get(probe.id))), ...hosts]);
  }

  /** Host probes (their copies in this store) join the list, results and history; see host-probes.ts. */
  attachHostProbes(source: HostProbeSource | null): void {
    this.hostProbes = source;
  }

  /**
   * Results of a probe that ran elsewhere, copied into this store the way a local run's are
   * recorded — so alerting sees them too — and its row sent to the listeners.
   */
  recordCopied(probe: Probe, items: readonly RecordInput[], summary: () => ProbeSummary): ProbeResult[] {
    const recorded = this.store.recordResults(items);
    for (const result of recorded) {
      try {
        this.alerting?.onResult(probe, result);
      } catch {
        // Alerting records its own failures; a result is stored whatever it does with it.
      }
    }
    if (recorded.length && this.listeners.size) this.emit({ type: 'summary', summary: summary() });
    return recorded;
  }

  get(id: string): Probe {
    return this.definitions.get(id);
  }

  async create(input: ProbeDraftInput): Promise<Probe> {
    const draft = parseDraft(input);
    this.validate(draft);
    this.definitions.assertNameFree(draft.name);
    const id = randomUUID();
    const written = await this.writeSecrets(id, draft);
    try {
      this.definitions.insert(id, draft, isoNow(this.clock), written.set);
    } catch (error) {
      await this.forgetSecrets(id, written.set).catch(() => undefined);
      throw error;
    }
    return this.saved(id);
  }

  async update(id: string, input: ProbeDraftInput): Promise<Probe> {
    const before = this.definitions.get(id);
    const draft = parseDraft(input);
    this.validate(draft);
    this.definitions.assertNameFree(draft.name, id);
    const written = await this.writeSecrets(id, draft);
    // Slots the probe no longer uses (its kind changed, a {{secret.X}} was removed) are cleared.
    const slots = secretSlotsOf(draft.kind, draft.settings);
    const dropped = Object.entries(before.secrets)
      .filter(([slot, status]) => status.present && !slots.includes(slot))
      .map(([slot]) => slot);
    await this.forgetSecrets(id, dropped);
    this.definitions.update(id, draft, isoNow(this.clock), written.set, [...written.cleared, ...dropped]);
    return this.saved(id);
  }

  async delete(id: string): Promise<{ id: string }> {
    const probe = this.definitions.get(id);
    // Keychain first: if it refuses, the probe stays whole and the user can retry.
    await this.forgetSecrets(id, Object.keys(probe.secrets));
    this.definitions.delete(id);
    this.previousValues.delete(id);
    this.reschedule();
    this.store.deleteProbe(id);
    this.emit({ type: 'removed', probeId: id });
    return { id };
  }

  /**
   * Starts the selected probes in the background; resolves with how many were started. One probe
   * named by id runs even when paused; a scope, a provider or everything skips paused probes.
   */
  runNow(selection: ProbeSelection, trigger: ProbeTrigger): { started: number } {
    let probes: Probe[];
    if (selection.probeId) {
      probes = [this.definitions.get(selection.probeId)];
    } else {
      probes = this.definitions
        .list()
        .filter((p) => !p.paused)
        .filter((p) => !selection.scope || p.scope === selection.scope)
        .filter((p) => !selection.provider || p.provider === selection.provider);
    }
    // A probe already queued or running is joined, not run twice: it still counts, as its result
    // is the one asked for.
    void this.scheduler.runNow(
      probes.map((p) => p.id),
      trigger,
    );
    return { started: probes.length };
  }

  /**
   * Runs a draft once without saving it; the result is not stored (its id is 0). Secrets come from
   * the draft, or for slots it leaves unchanged, from the saved probe `id`.
   */
  async test(input: ProbeDraftInput, id?: string): Promise<ProbeResult> {
    const draft = parseDraft(input);
    this.validate(draft);
    const saved = id ? this.definitions.get(id) : undefined;
    const given = draft.secrets ?? {};
    const secret = async (slot: string): Promise<string> => {
      const value = given[slot];
      if (typeof value === 'string') return value;
      if (value === undefined && saved) return this.readSecret(saved.id, slot);
      throw new ApiError('invalid-request', `The probe's secret ${slot} is not set — enter it and test again.`);
    };
    const outcome = await runProbe(draft, {
      kinds: this.options.kinds ?? PROBE_KIND_MODULES,
      capabilities: this.capabilities(secret),
      clock: this.clock,
      signal: this.shutdown.signal,
      previousValues: saved ? this.previousOf(saved) : null,
      ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
    });
    return unsavedResult(saved?.id ?? 'test', outcome);
  }

  results(probeId: string, options: { before?: number | undefined; limit?: number | undefined }): ProbeResult[] {
    if (!this.hostProbes?.has(probeId)) this.definitions.get(probeId);
    return this.store.results(probeId, options);
  }

  history(
    probeId: string,
    range: HistoryRange,
  ): { buckets: HistoryBucket[]; uptime: number | null; p50Ms: number | null; p95Ms: number | null } {
    if (!this.hostProbes?.has(probeId)) this.definitions.get(probeId);
    return this.store.history(probeId, range, this.clock.now());
  }

  async readArtifact(request: {
    resultId: number;
    artifactId: string;
    offset?: number | undefined;
  }): Promise<{ contentType: string; name: string; base64: string; bytes: number; eof: boolean }> {
    return this.store.readArtifact(request.resultId, request.artifactId, request.offset);
  }

  presets(): ProbePreset[] {
    return probePresets();
  }

  retention(): ProbeRetention {
    return this.store.retention();
  }

  setRetention(retention: ProbeRetention): ProbeRetention {
    return this.store.setRetention(retention);
  }

  onUpdate(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Alerting is made after the probes (it reads them), so it attaches itself here. */
  attachAlerting(alerting: ProbeAlerting | null): void {
    this.alerting = alerting;
  }

  /** Called as each run starts with its due time: for the scheduler benchmark's lateness figures. */
  onRunStart(listener: (start: RunStart) => void): () => void {
    this.startListeners.add(listener);
    return () => this.startListeners.delete(listener);
  }

  /** One scheduled or asked-for run, from begun to recorded. */
  private async execute(id: string, trigger: ProbeTrigger, signal: AbortSignal): Promise<void> {
    const probe = this.scheduled.get(id);
    if (!probe || this.disposed) return;
    const runId = this.store.beginRun(id, trigger, this.clock.now());
    let outcome: EngineOutcome;
    try {
      outcome = await runProbe(probe, {
        kinds: this.options.kinds ?? PROBE_KIND_MODULES,
        capabilities: this.capabilities((slot) => this.readSecret(id, slot)),
        clock: this.clock,
        // The scheduler aborts this signal when it is disposed (the app closing) or the probe removed.
        signal,
        previousValues: this.previousOf(probe),
        ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
        onRetry: () => {
          if (this.retrying.has(id)) return;
          this.retrying.add(id);
          this.publish(id);
        },
      });
    } finally {
      this.retrying.delete(id);
    }
    // Closing: the begun run stays begun, and the next start records it as interrupted.
    if (this.disposed) return;
    // Deleted while it ran: there is nothing to record it against.
    if (!this.scheduled.has(id)) return;
    const result = { ...resultOf(id, trigger, outcome), maintenance: this.alerting?.inMaintenance(probe) ?? false };
    let recorded: ProbeResult;
    if (this.comparesWithPrevious(probe)) {
      recorded = this.store.recordResult(runId, result, outcome.artifacts, outcome.values);
    } else {
      recorded = this.store.recordResult(runId, result, outcome.artifacts);
      this.previousValues.set(id, outcome.values);
    }
    try {
      this.alerting?.onResult(probe, recorded);
    } catch {
      // Alerting records its own failures; a result is stored whatever it does with it.
    }
  }

  private comparesWithPrevious(probe: Probe): boolean {
    return (this.options.kinds ?? PROBE_KIND_MODULES)[probe.kind]?.comparesWithPrevious === true;
  }

  /** What the probe's last run saw: kept in the store for kinds that compare with it, else in memory. */
  private previousOf(probe: Probe): PlaceholderValues | null {
    if (this.comparesWithPrevious(probe)) return this.store.previousValues(probe.id);
    return this.previousValues.get(probe.id) ?? null;
  }

  /** The keychain's value for one of a saved probe's slots, or one sentence saying why there is none. */
  private async readSecret(probeId: string, slot: string): Promise<string> {
    let value: string | null;
    try {
      value = await this.credentials.get(probeSecretRef(probeId, slot));
    } catch (error) {
      if (error instanceof ApiError && error.code === 'keychain-locked') throw new ApiError('keychain-locked', SECRET_LOCKED_MESSAGE);
      throw error;
    }
    if (value === null) throw new ApiError('invalid-request', `The probe's secret ${slot} is not set — set it in the probe's settings and run again.`);
    return value;
  }

  private capabilities(secret: (slot: string) => Promise<string>): EngineCapabilities {
    const given = this.options.capabilities;
    const missing = (): never => {
      throw new ApiError('internal', 'Probes on targets are not available in this build yet — use an http, tls, tcp or dns probe for now.');
    };
    return {
      secret,
      docker: given ? (targetId, signal) => given.docker(targetId, signal) : async () => missing(),
      sshExec: given ? (...args) => given.sshExec(...args) : async () => missing(),
      opsContext: given ? (...args) => given.opsContext(...args) : async () => missing(),
    };
  }

  /** Field errors for conditions that do not parse and targets that do not fit; throws when any. */
  private validate(draft: ProbeDraft): void {
    const fields: Record<string, string> = { ...conditionErrors(draft.conditions) };
    const binding = TARGET_KINDS[draft.kind];
    if (binding && 'targetId' in draft.settings) {
      const targetId = draft.settings.targetId;
      const target = this.targets.list().find((t) => t.id === targetId);
      if (!target) fields['settings.targetId'] = 'There is no saved target with this id — pick one of the saved targets.';
      else if (!binding.kinds.includes(target.kind)) fields['settings.targetId'] = `${target.name} is not ${binding.need} — pick ${binding.need}.`;
    }
    if (Object.keys(fields).length) {
      const first = Object.values(fields)[0]!;
      throw new ApiError('invalid-request', `The probe cannot be saved: ${first.replace(/\.$/, '')} — fix it and try again.`, fields);
    }
  }

  private async writeSecrets(id: string, draft: ProbeDraft): Promise<{ set: string[]; cleared: string[] }> {
    const slots = secretSlotsOf(draft.kind, draft.settings);
    const set: string[] = [];
    const cleared: string[] = [];
    try {
      for (const [slot, value] of Object.entries(draft.secrets ?? {})) {
        // A value for a slot the probe does not use would sit in the keychain unseen.
        if (value === undefined || !slots.includes(slot)) continue;
        if (value === null) {
          await this.credentials.delete(probeSecretRef(id, slot));
          cleared.push(slot);
        } else {
          await this.credentials.set(probeSecretRef(id, slot), value);
          set.push(slot);
        }
      }
    } catch (error) {
      // A partial write would leave a half-configured probe: undo what this call wrote.
      await this.forgetSecrets(id, set).catch(() => undefined);
      throw error;
    }
    return { set, cleared };
  }

  private async forgetSecrets(id: string, slots: readonly string[]): Promise<void> {
    for (const slot of slots) await this.credentials.delete(probeSecretRef(id, slot));
  }

  /** After a save: reschedule, tell the listeners, return the probe as saved. */
  private saved(id: string): Probe {
    this.reschedule();
    this.publish(id);
    return this.definitions.get(id);
  }

  private reschedule(): void {
    if (this.disposed) return;
    const probes = this.definitions.list();
    this.scheduled.clear();
    for (const probe of probes) this.scheduled.set(probe.id, probe);
    this.scheduler.set(
      probes.map(
        (probe): ScheduledProbe => ({ id: probe.id, intervalMs: probe.intervalSeconds * 1000, paused: probe.paused, group: probe.scope }),
      ),
    );
  }

  /** Sends every local probe's row again (alerting calls it when a dependency or a window changes). */
  republish(): void {
    if (!this.listeners.size || this.disposed) return;
    for (const probe of this.definitions.list()) this.publish(probe.id);
  }

  /** Sends one probe's summary to the listeners (nothing is read when there are none). */
  private publish(id: string): void {
    if (!this.listeners.size || this.disposed) return;
    const probe = this.definitions.find(id);
    if (!probe) return;
    const stats = this.store.summaryStats(id, this.clock.now());
    this.emit({
      type: 'summary',
      summary: this.summaryOf(probe, {
        lastResult: this.store.lastResult(id),
        lastSuccessAt: this.store.lastSuccessAt(id),
        lastFailureAt: this.store.lastFailureAt(id),
        uptime24h: stats.uptime24h,
        uptime30d: stats.uptime30d,
        recentDurations: stats.recentDurations,
      }),
    });
  }

  private emit(update: ProbeUpdate): void {
    for (const listener of this.listeners) {
      try {
        listener(update);
      } catch {
        // One broken subscriber must not stop the others or the run that published.
      }
    }
  }

  private summaryOf(probe: Probe, stats: ProbeStats | undefined): ProbeSummary {
    const running = this.scheduler.isRunning(probe.id);
    const lastResult = stats?.lastResult ?? null;
    return {
      probe,
      status: probeStatus({ probe, last: lastResult, running, retrying: this.retrying.has(probe.id), now: this.clock.now() }),
      running,
      lastResult,
      lastSuccessAt: stats?.lastSuccessAt ?? null,
      lastFailureAt: stats?.lastFailureAt ?? null,
      uptime24h: stats?.uptime24h ?? null,
      uptime30d: stats?.uptime30d ?? null,
      recentDurations: stats?.recentDurations ?? [],
      blockedBy: this.alerting?.blockedBy(probe) ?? null,
      maintenance: this.alerting?.inMaintenance(probe) ?? false,
      origin: { kind: 'local' },
      counterpart: null,
    };
  }
}

/** A local probe and a host probe with the same check name point at each other, for side-by-side. */
function withCounterparts(summaries: ProbeSummary[]): ProbeSummary[] {
  const byCheck = new Map<string, { local?: string; host?: string }>();
  for (const s of summaries) {
    if (!s.probe.check) continue;
    const pair = byCheck.get(s.probe.check) ?? {};
    pair[s.origin.kind] ??= s.probe.id;
    byCheck.set(s.probe.check, pair);
  }
  return summaries.map((s) => {
    const pair = s.probe.check ? byCheck.get(s.probe.check) : undefined;
    const other = pair?.[s.origin.kind === 'local' ? 'host' : 'local'] ?? null;
    return other ? { ...s, counterpart: other } : s;
  });
}

function parseDraft(input: ProbeDraftInput): ProbeDraft {
  const parsed = ProbeDraft.safeParse(input);
  if (!parsed.success) {
    const fields = fieldErrorsOf(parsed.error);
    throw new ApiError('invalid-request', `The probe cannot be saved: ${Object.values(fields)[0]!.replace(/\.$/, '')} — fix it and try again.`, fields);
  }
  return parsed.data;
}

/** What `test` returns: a result shaped like a stored one, never stored (id 0). */
function unsavedResult(probeId: string, outcome: EngineOutcome): ProbeResult {
  return {
    ...resultOf(probeId, 'test', outcome),
    id: 0,
    // A test keeps nothing; the artifacts are listed so the editor can say what a run would store.
    artifacts: outcome.artifacts.map((artifact, index) => ({
      id: `test-${index}`,
      name: artifact.name,
      contentType: artifact.contentType,
      bytes: artifact.data.length,
      truncated: artifact.truncated,
    })),
  };
}
