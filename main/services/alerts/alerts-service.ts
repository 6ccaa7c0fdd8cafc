/**
 * Alert decisions: when a probe's results (or their absence) become a message, and to whom.
 *
 * Each probe has a standing kept here — consecutive failures and successes, whether it is firing
 * (N failures in a row) or stale (no result within its SLA window) — and what its recipients
 * were last told (`ok` or `alert`, persisted so a restart neither repeats nor forgets an alert).
 * Whenever the two differ, or a reminder falls due, a message is owed, and one decision is made
 * and recorded: muted (a maintenance window), held (a parent it depends on is failing),
 * throttled (a message about it went out within the cooldown), or sent. An owed message that was
 * held back stays owed: a clock tick (and a parent's recovery, at once) looks again, so when the
 * window ends, the parent recovers or the cooldown passes, the current state is told once.
 * Because only a change from what was told is sent, a flapping probe sends at most one message
 * per cooldown.
 *
 * Deliveries run in the background through the channels; the decision is recorded first and
 * updated with each channel's outcome (a delivery that finally failed stays in the history).
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../../shared/errors';
import type { AlertMessage } from '../../../shared/model/alert-message';
import {
  DEFAULT_ALERT_SETTINGS,
  MaintenanceDraft,
  type AlertDecision,
  type AlertDelivery,
  type AlertDependency,
  type AlertKind,
  type AlertRule,
  type AlertRuleSettings,
  type AlertRules,
  type AlertSettings,
  type AlertSubject,
  type MaintenanceDraftInput,
  type MaintenanceWindow,
} from '../../../shared/model/alerts';
import type { Probe, ProbeResult, ProbeSummary } from '../../../shared/model/probe';
import { isoNow, systemClock, type Clock, type Timer } from '../../../node/clock';
import type { Db } from '../store/database';
import type { ProbeAlerting } from '../probes/probes-service';
import { alertMessage } from './alert-message-builder';
import { windowActive } from './alert-maintenance';
import {
  AlertStore,
  sameSubject,
  type NewDecision,
  type StoredDependency,
  type StoredMaintenance,
  type ToldState,
} from './alert-store';

/** What one delivery came to (the channels service's outcome). */
export interface DeliveryOutcome {
  channelId: string;
  ok: boolean;
  attempts: number;
  error: string | null;
  status?: number | null;
}

/** The channels boundary: the real ChannelsService, or a recording one in unit tests. */
export interface AlertChannels {
  list(): { id: string; name: string; kind: string }[];
  deliver(channelId: string, message: AlertMessage, signal?: AbortSignal): Promise<DeliveryOutcome>;
}

/** What alerting needs of the probes service. */
export interface AlertProbes {
  list(): ProbeSummary[];
  attachAlerting(alerting: ProbeAlerting | null): void;
  /**
   * Sends every probe's row again: a dependency or a maintenance window changes what rows say
   * ("blocked by", "maintenance") without any probe running.
   */
  republish?(): void;
}

export interface AlertsServiceOptions {
  /** How often owed messages, reminders and staleness are looked at (default 15 s). */
  tickMs?: number;
}

/** Where a message's target comes from: the targets service (`get` throws for an unknown id). */
export interface AlertTargets {
  get(id: string): { name: string; environment: string };
}

export interface AlertsServiceDeps {
  db: Db;
  probes: AlertProbes;
  channels: AlertChannels;
  /** Names the target a docker/ssh/ops-API or host probe ran against in its messages; none: `target: null`. */
  targets?: AlertTargets;
  clock?: Clock;
  options?: AlertsServiceOptions;
}

/** A probe's standing as alerting sees it. */
interface Standing extends ToldState {
  /** A result (or staleness) was seen since start: until then nothing is decided for it. */
  known: boolean;
  fails: number;
  oks: number;
  firing: boolean;
  stale: boolean;
  last: ProbeResult | null;
  /** The last held-back decision recorded (kind, decision, reason), so a tick does not repeat it. */
  lastGate: string | null;
  /** When its current run of failures began (clock ms), null while it succeeds. */
  failingSince: number | null;
  /** When its own results last came in (clock ms). */
  lastResultAt: number | null;
  /** Since when its alert waits for a parent that has not reported since the failures began (see `awaitedParent`). */
  graceSince: number | null;
}

const MINUTE = 60_000;

export class AlertsService implements ProbeAlerting {
  private readonly store: AlertStore;
  private readonly probes: AlertProbes;
  private readonly channels: AlertChannels;
  private readonly clock: Clock;
  private readonly tickMs: number;
  private readonly standings = new Map<string, Standing>();
  private readonly known = new Map<string, Probe>();
  /** Host probes' targets (from the probes list): probe id → the ops-API target whose agent runs it. */
  private readonly hostTargets = new Map<string, string>();
  private readonly targets: AlertTargets | null;
  /** Held, muted and throttled decisions not yet written: one transaction per turn of the event loop. */
  private pending: NewDecision[] = [];
  private flushing: NodeJS.Immediate | null = null;
  /** Dependants whose alert waits for a parent's next result (their grace). */
  private readonly waiting = new Set<string>();
  private rules = new Map<string, AlertRuleSettings>();
  private dependencies: StoredDependency[] = [];
  private windows: StoredMaintenance[] = [];
  private readonly listeners = new Set<(decision: AlertDecision) => void>();
  private readonly deliveries = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  private timer: Timer | undefined;
  private disposed = false;

  constructor({ db, probes, channels, targets, clock = systemClock, options = {} }: AlertsServiceDeps) {
    this.store = new AlertStore(db);
    this.probes = probes;
    this.channels = channels;
    this.targets = targets ?? null;
    this.clock = clock;
    this.tickMs = options.tickMs ?? 15_000;
    this.reload();
    for (const [probeId, told] of this.store.toldStates()) this.standings.set(probeId, { ...fresh(), ...told });
  }

  start(): void {
    this.probes.attachAlerting(this);
    this.refreshProbes();
    this.timer = this.clock.setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
  }

  dispose(): void {
    this.flush();
    this.disposed = true;
    this.clock.clearInterval(this.timer);
    this.probes.attachAlerting(null);
    this.shutdown.abort(new ApiError('internal', 'Control Room is closing.'));
    this.listeners.clear();
  }

  /** Resolves once every delivery started so far has finished (tests, and a clean shutdown). */
  async settled(): Promise<void> {
    this.flush();
    while (this.deliveries.size) await Promise.all([...this.deliveries]);
  }

  // ---- what the probes service asks -------------------------------------------------------

  inMaintenance(probe: Probe): boolean {
    return this.maintenanceOf(probe) !== null;
  }

  blockedBy(probe: Probe): string | null {
    for (const dependency of this.dependencies) {
      if (!covers(dependency.dependant, probe)) continue;
      if (this.parentFailing(dependency.parent, probe.id)) return this.nameOf(dependency.parent);
    }
    return null;
  }

  onResult(probe: Probe, result: ProbeResult): void {
    if (this.disposed || result.interrupted) return;
    this.known.set(probe.id, probe);
    const standing = this.standing(probe.id);
    const wasFailing = failing(standing);
    const settings = this.settingsOf(probe);
    standing.known = true;
    standing.last = result;
    standing.stale = false;
    standing.lastResultAt = this.clock.now();
    if (result.status === 'fail') {
      if (standing.fails === 0) standing.failingSince = standing.lastResultAt;
      standing.fails++;
      standing.oks = 0;
      if (standing.fails >= settings.failuresToAlert) standing.firing = true;
    } else {
      standing.oks++;
      standing.fails = 0;
      standing.failingSince = null;
      if (standing.firing && standing.oks >= settings.successesToResolve) standing.firing = false;
    }
    this.decide(probe, standing, 'result');
    // A parent that just recovered lets its dependants' held alerts out, once each, now.
    if (wasFailing && !failing(standing)) this.recheckDependants(probe);
    // Dependants waiting for a parent's next result: this may be it (a failure holds them, a success lets them out).
    // Only a parent's result: others' results in a storm would re-decide every waiting dependant each time.
    else if (this.waiting.size && this.dependencies.some((d) => covers(d.parent, probe))) {
      for (const id of [...this.waiting]) this.recheck(id);
    }
  }

  // ---- rules, dependencies, maintenance -----------------------------------------------------

  listRules(): AlertRules {
    return { defaults: DEFAULT_ALERT_SETTINGS, rules: this.store.rules() };
  }

  setRule(subject: AlertSubject, settings: AlertRuleSettings): AlertRule {
    this.assertSubject(subject);
    const at = isoNow(this.clock);
    // Settings given as undefined fall through like the ones left out.
    const own = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as AlertRuleSettings;
    this.store.putRule(subject, own, at);
    this.reload();
    return { subject, settings: own, updatedAt: at };
  }

  deleteRule(subject: AlertSubject): { ok: true } {
    this.store.deleteRule(subject);
    this.reload();
    return { ok: true };
  }

  /** The settings that apply to a probe: its rule, then its scope's, then the defaults, field by field. */
  settingsOf(probe: Pick<Probe, 'id' | 'scope'>): AlertSettings {
    return {
      ...DEFAULT_ALERT_SETTINGS,
      ...this.rules.get(`scope:${probe.scope}`),
      ...this.rules.get(`probe:${probe.id}`),
    };
  }

  listDependencies(): AlertDependency[] {
    return this.dependencies.map((d) => ({ ...d, parentName: this.nameOf(d.parent) }));
  }

  setDependency(dependant: AlertSubject, parent: AlertSubject): AlertDependency {
    this.assertSubject(dependant);
    this.assertSubject(parent);
    if (sameSubject(dependant, parent))
      throw new ApiError('invalid-request', 'A probe or scope cannot depend on itself — pick another parent.');
    if (this.reaches(parent, dependant)) {
      throw new ApiError(
        'invalid-request',
        `${this.nameOf(parent)} already depends on ${this.nameOf(dependant)}, so this would be a loop — pick another parent.`,
      );
    }
    const stored = this.store.putDependency(dependant, parent, isoNow(this.clock));
    this.reload();
    this.probes.republish?.();
    return { ...stored, parentName: this.nameOf(parent) };
  }

  deleteDependency(id: string): { id: string } {
    if (!this.store.deleteDependency(id))
      throw new ApiError('not-found', 'That dependency no longer exists — reload the list.');
    this.reload();
    this.probes.republish?.();
    // Alerts it was holding are owed now.
    this.tick();
    return { id };
  }

  listMaintenance(): MaintenanceWindow[] {
    const now = this.clock.now();
    return this.windows
      .filter((w) => w.schedule.kind === 'recurring' || Date.parse(w.schedule.endsAt) > now)
      .map((w) => ({ ...w, active: windowActive(w.schedule, now) }));
  }

  addMaintenance(input: MaintenanceDraftInput): MaintenanceWindow {
    const draft = MaintenanceDraft.parse(input);
    if (draft.subject.kind !== 'all') this.assertSubject(draft.subject);
    const now = this.clock.now();
    const window: StoredMaintenance = {
      id: randomUUID(),
      subject: draft.subject,
      reason: draft.reason,
      schedule:
        draft.window.kind === 'now'
          ? {
              kind: 'once',
              startsAt: new Date(now).toISOString(),
              endsAt: new Date(now + draft.window.durationMinutes * MINUTE).toISOString(),
            }
          : {
              kind: 'recurring',
              days: draft.window.days,
              start: draft.window.start,
              durationMinutes: draft.window.durationMinutes,
            },
      createdAt: new Date(now).toISOString(),
    };
    this.store.putMaintenance(window);
    this.reload();
    this.probes.republish?.();
    return { ...window, active: windowActive(window.schedule, now) };
  }

  endMaintenance(id: string): { id: string } {
    if (!this.store.deleteMaintenance(id))
      throw new ApiError('not-found', 'That maintenance window has already ended — reload the list.');
    this.reload();
    this.probes.republish?.();
    // Alerts muted by it and still owed go out now rather than at the next tick.
    this.tick();
    return { id };
  }

  history(query: {
    probeId?: string | undefined;
    limit?: number | undefined;
    before?: number | undefined;
  }): AlertDecision[] {
    this.flush();
    return this.store.history(query);
  }

  onDecided(listener: (decision: AlertDecision) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- deciding ----------------------------------------------------------------------------

  /** Staleness, owed messages and reminders, for every probe. */
  private tick(): void {
    if (this.disposed) return;
    const summaries = this.refreshProbes();
    const now = this.clock.now();
    for (const summary of summaries) {
      const standing = this.standing(summary.probe.id);
      const stale = summary.status === 'stale';
      if (stale && !standing.stale) standing.known = true;
      standing.stale = stale;
      this.decide(summary.probe, standing, 'tick');
    }
    // One-off windows that are over are forgotten.
    for (const w of this.windows) {
      if (w.schedule.kind === 'once' && Date.parse(w.schedule.endsAt) <= now - MINUTE)
        this.store.deleteMaintenance(w.id);
    }
    if (this.windows.some((w) => w.schedule.kind === 'once' && Date.parse(w.schedule.endsAt) <= now - MINUTE))
      this.reload();
  }

  private decide(probe: Probe, standing: Standing, cause: 'result' | 'tick' | 'parent'): void {
    if (!standing.known || probe.paused) return;
    const settings = this.settingsOf(probe);
    const now = this.clock.now();
    const staleAlert = standing.stale && settings.alertOnStale;
    const desired = standing.firing || staleAlert ? 'alert' : 'ok';
    let kind: AlertKind | null = null;
    if (desired !== standing.told) kind = desired === 'ok' ? 'resolved' : standing.firing ? 'alert' : 'stale';
    else if (
      desired === 'alert' &&
      settings.reminderMinutes > 0 &&
      standing.lastToldAt !== null &&
      now - standing.lastToldAt >= Math.max(settings.reminderMinutes, settings.cooldownMinutes) * MINUTE
    ) {
      kind = 'reminder';
    }
    if (!kind) {
      standing.lastGate = null;
      this.endGrace(probe.id, standing);
      return;
    }
    const reason = this.reasonFor(kind, probe, standing, settings, cause);
    const window = this.maintenanceOf(probe);
    const blocker = kind === 'resolved' ? null : this.blockedBy(probe);
    const sinceSent = standing.lastSentAt === null ? Infinity : now - standing.lastSentAt;
    if (window)
      return this.holdBack(
        probe,
        standing,
        kind,
        'muted',
        `muted by maintenance${window.reason ? ` (${window.reason})` : ''}`,
      );
    if (blocker) return this.holdBack(probe, standing, kind, 'held', `blocked by ${blocker}`);
    const awaited = kind === 'alert' ? this.awaitedParent(probe, standing, now) : null;
    if (awaited) {
      return this.holdBack(
        probe,
        standing,
        kind,
        'held',
        `waiting up to ${awaited.waitSeconds} s for ${awaited.name}, which it depends on, to report`,
      );
    }
    this.endGrace(probe.id, standing);
    if (sinceSent < settings.cooldownMinutes * MINUTE) {
      const wait = Math.ceil((settings.cooldownMinutes * MINUTE - sinceSent) / 1000);
      return this.holdBack(
        probe,
        standing,
        kind,
        'throttled',
        `cooldown: a message about it went out ${Math.round(sinceSent / 1000)} s ago; the next may go in ${wait} s`,
      );
    }
    this.send(probe, standing, kind, reason, settings);
  }

  private holdBack(
    probe: Probe,
    standing: Standing,
    kind: AlertKind,
    decision: 'muted' | 'held' | 'throttled',
    reason: string,
  ): void {
    // The cooldown's countdown changes every tick; the gate is the same while its kind and cause are.
    const gate = `${kind}|${decision}|${decision === 'throttled' ? '' : reason}`;
    if (standing.lastGate === gate) return;
    standing.lastGate = gate;
    this.pending.push({
      at: this.clock.now(),
      probeId: probe.id,
      probeName: probe.name,
      kind,
      decision,
      reason,
      delivering: false,
    });
    if (!this.flushing) {
      this.flushing = setImmediate(() => this.flush());
      this.flushing.unref();
    }
  }

  /** Writes the held-back decisions gathered this turn in one transaction, then tells the listeners. */
  private flush(): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = null;
    if (!this.pending.length || this.disposed) return;
    const batch = this.pending;
    this.pending = [];
    for (const decision of this.store.addDecisions(batch)) this.emit(decision);
  }

  private send(probe: Probe, standing: Standing, kind: AlertKind, reason: string, settings: AlertSettings): void {
    // Decisions held back earlier this turn come first in the history.
    this.flush();
    const now = this.clock.now();
    const all = this.channels.list();
    const ids = settings.channelIds ?? all.map((c) => c.id);
    const names = new Map(all.map((c) => [c.id, c.name]));
    standing.told = kind === 'resolved' ? 'ok' : 'alert';
    standing.lastSentAt = now;
    standing.lastToldAt = kind === 'resolved' ? null : now;
    standing.lastGate = null;
    this.store.putTold(probe.id, {
      told: standing.told,
      lastSentAt: standing.lastSentAt,
      lastToldAt: standing.lastToldAt,
    });
    const decision = this.store.addDecision({
      at: now,
      probeId: probe.id,
      probeName: probe.name,
      kind,
      decision: 'sent',
      reason: ids.length ? reason : `${reason}; no channel is set up, so nobody was told`,
      delivering: ids.length > 0,
    });
    this.emit(decision);
    if (!ids.length) return;
    const message = alertMessage(kind, probe, standing.last, reason, now, this.targetOf(probe));
    const signal = this.shutdown.signal;
    const work = Promise.all(
      ids.map(async (channelId): Promise<AlertDelivery> => {
        try {
          const outcome = await this.channels.deliver(channelId, message, signal);
          return {
            channelId,
            channelName: names.get(channelId) ?? null,
            ok: outcome.ok,
            attempts: outcome.attempts,
            error: outcome.error,
            status: outcome.status ?? null,
          };
        } catch (error) {
          const text = error instanceof Error ? error.message : String(error);
          return {
            channelId,
            channelName: names.get(channelId) ?? null,
            ok: false,
            attempts: 1,
            error: text,
            status: null,
          };
        }
      }),
    ).then((outcomes) => {
      const finished = this.store.finishDeliveries(decision.id, outcomes);
      if (finished) this.emit(finished);
    });
    const tracked = work.catch(() => undefined).finally(() => this.deliveries.delete(tracked));
    this.deliveries.add(tracked);
  }

  private reasonFor(
    kind: AlertKind,
    probe: Probe,
    standing: Standing,
    settings: AlertSettings,
    cause: 'result' | 'tick' | 'parent',
  ): string {
    const after = cause === 'parent' ? ', now that what it depends on has recovered' : '';
    switch (kind) {
      case 'alert':
        return `${plural(Math.max(standing.fails, settings.failuresToAlert), 'failure')} in a row (alerting after ${settings.failuresToAlert})${after}`;
      case 'stale':
        return `no result within its SLA window${after}`;
      case 'resolved':
        return standing.stale || standing.firing
          ? 'no longer alerting'
          : `${plural(Math.max(standing.oks, 1), 'success', 'successes')} in a row`;
      case 'reminder': {
        const minutes =
          standing.lastToldAt === null ? 0 : Math.round((this.clock.now() - standing.lastToldAt) / MINUTE);
        return `still ${standing.firing ? 'failing' : 'stale'}, ${minutes} min after the last message`;
      }
    }
  }

  private recheck(probeId: string): void {
    const probe = this.known.get(probeId);
    if (probe) this.decide(probe, this.standing(probeId), 'tick');
    else this.waiting.delete(probeId);
  }

  /**
   * The parent a dependant's first alert waits for, or null to decide now.
   *
   * A dependant can reach its threshold before its parent's failure is recorded (they run in the
   * same round, or the parent's interval is longer): the alert would go out and the parent's
   * arrive a moment later. So while a parent (not paused) has not reported since the dependant's
   * failures began, the alert is held until that parent's next result — a failure then holds it as
   * blocked, a success lets it out at once — or for at most twice the parent's interval (looked at
   * on each tick), so a parent that never reports cannot silence it. A parent that already
   * succeeded since the failures began is not their cause, and nothing waits for it.
   */
  private awaitedParent(probe: Probe, standing: Standing, now: number): { name: string; waitSeconds: number } | null {
    if (standing.failingSince === null || !this.dependencies.length) return null;
    for (const dependency of this.dependencies) {
      if (!covers(dependency.dependant, probe)) continue;
      for (const parent of this.parentsOf(dependency.parent, probe.id)) {
        if (parent.paused) continue;
        const reported = this.standings.get(parent.id)?.lastResultAt ?? null;
        if (reported !== null && reported >= standing.failingSince) continue;
        const since = standing.graceSince ?? now;
        const limit = 2 * parent.intervalSeconds * 1000;
        if (now - since >= limit) continue;
        standing.graceSince = since;
        this.waiting.add(probe.id);
        return { name: parent.name, waitSeconds: Math.ceil((limit - (now - since)) / 1000) };
      }
    }
    return null;
  }

  private endGrace(probeId: string, standing: Standing): void {
    standing.graceSince = null;
    this.waiting.delete(probeId);
  }

  /** The probes a parent subject stands for (a scope's, without the dependant itself). */
  private parentsOf(parent: AlertSubject, selfId: string): Probe[] {
    if (parent.kind === 'probe') {
      const probe = this.known.get(parent.probeId);
      return probe ? [probe] : [];
    }
    return [...this.known.values()].filter((p) => p.scope === parent.scope && p.id !== selfId);
  }

  /** The target a probe ran against: its settings' `targetId` (docker, ssh, ops-API kinds), or the host whose agent runs it. */
  private targetOf(probe: Probe): { name: string; environment: string } | null {
    if (!this.targets) return null;
    const settings = probe.settings as { targetId?: unknown };
    let id = typeof settings.targetId === 'string' ? settings.targetId : this.hostTargets.get(probe.id);
    if (id === undefined && !this.known.has(probe.id)) {
      // A host probe seen before the list was read: read it once (sends are rare).
      this.refreshProbes();
      id = this.hostTargets.get(probe.id);
    }
    if (id === undefined) return null;
    try {
      const target = this.targets.get(id);
      return { name: target.name, environment: target.environment };
    } catch {
      // The target was removed since: the message still goes, without it.
      return null;
    }
  }

  /** After a parent recovered: each dependant with an owed alert is looked at once, now. */
  private recheckDependants(parent: Probe): void {
    for (const dependency of this.dependencies) {
      const p = dependency.parent;
      if (!(p.kind === 'probe' ? p.probeId === parent.id : p.scope === parent.scope)) continue;
      for (const probe of this.known.values()) {
        if (probe.id === parent.id || !covers(dependency.dependant, probe)) continue;
        this.decide(probe, this.standing(probe.id), 'parent');
      }
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  private parentFailing(parent: AlertSubject, selfId: string): boolean {
    if (parent.kind === 'probe') {
      const standing = this.standings.get(parent.probeId);
      return standing !== undefined && failing(standing);
    }
    for (const probe of this.known.values()) {
      if (probe.scope !== parent.scope || probe.id === selfId) continue;
      const standing = this.standings.get(probe.id);
      if (standing && failing(standing)) return true;
    }
    return false;
  }

  private maintenanceOf(probe: Pick<Probe, 'id' | 'scope'>): StoredMaintenance | null {
    if (!this.windows.length) return null;
    const now = this.clock.now();
    for (const w of this.windows) {
      const s = w.subject;
      const applies = s.kind === 'all' || (s.kind === 'probe' ? s.probeId === probe.id : s.scope === probe.scope);
      if (applies && windowActive(w.schedule, now)) return w;
    }
    return null;
  }

  /** Whether `from` depends, directly or through others, on `to` (subjects compared as written). */
  private reaches(from: AlertSubject, to: AlertSubject): boolean {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length) {
      const at = stack.pop()!;
      if (sameSubject(at, to)) return true;
      const key = JSON.stringify(at);
      if (seen.has(key)) continue;
      seen.add(key);
      for (const d of this.dependencies) if (sameSubject(d.dependant, at)) stack.push(d.parent);
      // A probe also depends on what its scope depends on.
      if (at.kind === 'probe') {
        const probe = this.known.get(at.probeId);
        if (probe)
          for (const d of this.dependencies)
            if (d.dependant.kind === 'scope' && d.dependant.scope === probe.scope) stack.push(d.parent);
      }
    }
    return false;
  }

  private nameOf(subject: AlertSubject): string {
    if (subject.kind === 'scope') return `scope ${subject.scope}`;
    return this.known.get(subject.probeId)?.name ?? subject.probeId;
  }

  private assertSubject(subject: AlertSubject): void {
    if (subject.kind !== 'probe') return;
    if (!this.known.has(subject.probeId)) this.refreshProbes();
    if (!this.known.has(subject.probeId))
      throw new ApiError('not-found', 'There is no probe with this id — reload the probes and pick one.');
  }

  private refreshProbes(): ProbeSummary[] {
    const summaries = this.probes.list();
    const ids = new Set<string>();
    this.hostTargets.clear();
    for (const s of summaries) {
      this.known.set(s.probe.id, s.probe);
      ids.add(s.probe.id);
      // Host probes (run by a host's agent) say whose host in `origin`; read loosely, as only they carry it.
      const origin = (s as { origin?: { kind: string; targetId?: string } }).origin;
      if (origin?.kind === 'host' && origin.targetId) this.hostTargets.set(s.probe.id, origin.targetId);
    }
    for (const id of [...this.known.keys()]) if (!ids.has(id)) this.known.delete(id);
    for (const id of [...this.standings.keys()]) if (!ids.has(id)) this.standings.delete(id);
    return summaries;
  }

  private standing(probeId: string): Standing {
    let standing = this.standings.get(probeId);
    if (!standing) {
      standing = fresh();
      this.standings.set(probeId, standing);
    }
    return standing;
  }

  private reload(): void {
    this.rules = new Map(
      this.store
        .rules()
        .map((r) => [
          `${r.subject.kind}:${r.subject.kind === 'probe' ? r.subject.probeId : r.subject.scope}`,
          r.settings,
        ]),
    );
    this.dependencies = this.store.dependencies();
    this.windows = this.store.maintenance();
  }

  private emit(decision: AlertDecision): void {
    for (const listener of this.listeners) {
      try {
        listener(decision);
      } catch {
        // One broken subscriber must not stop the others or the decision.
      }
    }
  }
}

function fresh(): Standing {
  return {
    known: false,
    fails: 0,
    oks: 0,
    firing: false,
    stale: false,
    last: null,
    lastGate: null,
    failingSince: null,
    lastResultAt: null,
    graceSince: null,
    told: 'ok',
    lastSentAt: null,
    lastToldAt: null,
  };
}

/**
 * A parent counts as failing while its latest result failed (from the first one, before it
 * alerts itself) and while stale; its first success lets its dependants' alerts out.
 */
function failing(standing: Standing): boolean {
  return standing.stale || standing.last?.status === 'fail';
}

function covers(subject: AlertSubject, probe: Pick<Probe, 'id' | 'scope'>): boolean {
  return subject.kind === 'probe' ? subject.probeId === probe.id : subject.scope === probe.scope;
}

/** Where no channels service is wired: nothing to send to, so a sent decision says nobody was told. */
export const NO_CHANNELS: AlertChannels = {
  list: () => [],
  deliver: (channelId) =>
    Promise.resolve({
      channelId,
      ok: false,
      attempts: 0,
      error: `There is no channel ${channelId} — add one under Alerts.`,
      status: null,
    }),
};

/** `1 failure`, `3 failures`: reasons are read by people. */
function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
