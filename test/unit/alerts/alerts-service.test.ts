/**
 * AlertsService's decisions on a fake clock: results are handed in as ProbesService hands them
 * (onResult), the probe list is a plain array, deliveries go to a recording channel (the channel
 * boundary), and rules, windows and history live in a real SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertMessage } from '../../../shared/model/alert-message';
import type { Probe, ProbeResult, ProbeSummary } from '../../../shared/model/probe';
import { AlertsService, type AlertChannels } from '../../../main/services/alerts/alerts-service';
import { openDatabase, type Db } from '../../../main/services/store/database';
import { MemoryCredentialBackend } from '../../../main/services/credentials/credential-backend';
import { TargetsService } from '../../../main/services/targets/targets-service';
import { FakeClock } from '../../support/fake-clock';

const MIN = 60_000;

function probe(id: string, scope = 'web'): Probe {
  return {
    id,
    name: `probe ${id}`,
    scope,
    provider: null,
    check: '',
    conditions: [],
    intervalSeconds: 10,
    timeoutSeconds: 5,
    retries: 0,
    cheap: false,
    paused: false,
    slaSeconds: null,
    kind: 'tcp',
    settings: { host: '127.0.0.1', port: 1 },
    secrets: {},
    createdAt: '2024-05-01T00:00:00.000Z',
    updatedAt: '2024-05-01T00:00:00.000Z',
  };
}

class Recorder implements AlertChannels {
  sent: { channelId: string; message: AlertMessage }[] = [];
  fail = false;
  list() {
    return [{ id: 'hook', name: 'Hook', kind: 'webhook' }];
  }
  deliver(channelId: string, message: AlertMessage) {
    this.sent.push({ channelId, message });
    return Promise.resolve(
      this.fail
        ? { channelId, ok: false, attempts: 3, error: 'The server answered 500 three times.', status: 500 }
        : { channelId, ok: true, attempts: 1, error: null, status: 200 },
    );
  }
}

let dir: string;
let db: Db;
let clock: FakeClock;
let channels: Recorder;
let probes: Probe[];
let alerts: AlertsService;
let resultId = 0;

function summaries(): ProbeSummary[] {
  return probes.map((p) => ({
    probe: p,
    status: 'ok',
    running: false,
    lastResult: null,
    lastSuccessAt: null,
    lastFailureAt: null,
    uptime24h: null,
    uptime30d: null,
    recentDurations: [],
    blockedBy: null,
    maintenance: false,
    origin: { kind: 'local' },
    counterpart: null,
  }));
}

function report(p: Probe, status: 'ok' | 'fail', extra: Partial<ProbeResult> = {}): void {
  const at = new Date(clock.now()).toISOString();
  alerts.onResult(p, {
    id: ++resultId,
    probeId: p.id,
    status,
    trigger: 'scheduler',
    startedAt: at,
    finishedAt: at,
    durationMs: 5,
    error: status === 'fail' ? 'Connection refused.' : null,
    attempts: 1,
    conditions:
      status === 'fail'
        ? [{ expression: '[CONNECTED] == true', severity: 'fail', passed: false, observed: 'false', reason: null }]
        : [],
    metadata: {},
    artifacts: [],
    maintenance: false,
    interrupted: false,
    ...extra,
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alerts-'));
  db = openDatabase(join(dir, 'db.sqlite'));
  clock = new FakeClock();
  channels = new Recorder();
  probes = [probe('a')];
  alerts = new AlertsService({
    db,
    probes: { list: summaries, attachAlerting: () => undefined },
    channels,
    clock,
    options: { tickMs: 10_000 },
  });
  alerts.start();
});

afterEach(() => {
  alerts.dispose();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('thresholds', () => {
  it('alerts once after 3 failures and resolves after 2 successes', async () => {
    const a = probes[0]!;
    report(a, 'fail');
    report(a, 'fail');
    expect(channels.sent).toHaveLength(0);
    report(a, 'fail');
    report(a, 'fail');
    await alerts.settled();
    expect(channels.sent.map((s) => s.message.kind)).toEqual(['alert']);
    expect(channels.sent[0]!.message.failedConditions).toEqual([
      { expression: '[CONNECTED] == true', observed: 'false' },
    ]);
    clock.advance(6 * MIN);
    report(a, 'ok');
    expect(channels.sent).toHaveLength(1);
    report(a, 'ok');
    await alerts.settled();
    expect(channels.sent.map((s) => s.message.kind)).toEqual(['alert', 'resolved']);
  });

  it('ignores interrupted results, and a probe rule wins over its scope rule', async () => {
    const a = probes[0]!;
    alerts.setRule({ kind: 'scope', scope: 'web' }, { failuresToAlert: 5, successesToResolve: 4 });
    alerts.setRule({ kind: 'probe', probeId: 'a' }, { failuresToAlert: 1 });
    expect(alerts.settingsOf(a)).toMatchObject({ failuresToAlert: 1, successesToResolve: 4, cooldownMinutes: 5 });
    report(a, 'fail', { interrupted: true });
    expect(channels.sent).toHaveLength(0);
    report(a, 'fail');
    await alerts.settled();
    expect(channels.sent).toHaveLength(1);
  });
});

describe('flapping and reminders', () => {
  it('a probe alternating ok/fail every run for 10 minutes sends at most one message per cooldown', async () => {
    const a = probes[0]!;
    alerts.setRule({ kind: 'probe', probeId: 'a' }, { failuresToAlert: 1, successesToResolve: 1 });
    for (let run = 0; run < 60; run++) {
      report(a, run % 2 === 0 ? 'fail' : 'ok');
      clock.advance(10_000);
    }
    await alerts.settled();
    // 10 minutes with a 5-minute cooldown: the first message and at most one per cooldown after it.
    expect(channels.sent.length).toBeGreaterThanOrEqual(1);
    expect(channels.sent.length).toBeLessThanOrEqual(3);
    const sentAt = alerts
      .history({ limit: 1000 })
      .filter((d) => d.decision === 'sent')
      .map((d) => Date.parse(d.at));
    for (let i = 1; i < sentAt.length; i++) expect(sentAt[i - 1]! - sentAt[i]!).toBeGreaterThanOrEqual(5 * MIN);
    expect(alerts.history({ limit: 1000 }).some((d) => d.decision === 'throttled')).toBe(true);
  });

  it('reminds every 60 minutes while it stays failing', async () => {
    const a = probes[0]!;
    for (let i = 0; i < 3; i++) report(a, 'fail');
    clock.advance(59 * MIN);
    expect(channels.sent).toHaveLength(1);
    clock.advance(2 * MIN);
    await alerts.settled();
    expect(channels.sent.map((s) => s.message.kind)).toEqual(['alert', 'reminder']);
  });
});

describe('staleness', () => {
  it('alerts once when the probes list reports a probe stale', async () => {
    const list = summaries;
    let stale = false;
    alerts.dispose();
    alerts = new AlertsService({
      db,
      probes: {
        list: () => list().map((s) => ({ ...s, status: stale ? 'stale' : 'ok' })),
        attachAlerting: () => undefined,
      },
      channels,
      clock,
      options: { tickMs: 10_000 },
    });
    alerts.start();
    stale = true;
    clock.advance(30_000);
    await alerts.settled();
    expect(channels.sent.map((s) => s.message.kind)).toEqual(['stale']);
  });
});

describe('dependencies', () => {
  it('parent down: one alert, 20 dependants held as blocked; parent up: each still failing alerts once', async () => {
    const parent = probe('net', 'network');
    const dependants = Array.from({ length: 20 }, (_, i) => probe(`d${i}`, 'apis'));
    probes = [parent, ...dependants];
    alerts.setDependency({ kind: 'scope', scope: 'apis' }, { kind: 'probe', probeId: 'net' });
    for (let round = 0; round < 3; round++) {
      report(parent, 'fail');
      for (const d of dependants) report(d, 'fail');
      clock.advance(10_000);
    }
    await alerts.settled();
    expect(channels.sent.map((s) => s.message.probe?.id)).toEqual(['net']);
    const held = alerts.history({ limit: 1000 }).filter((d) => d.decision === 'held');
    expect(held).toHaveLength(20);
    expect(held.every((d) => d.reason === 'blocked by probe net')).toBe(true);
    expect(alerts.blockedBy(dependants[0]!)).toBe('probe net');

    report(parent, 'ok');
    await alerts.settled();
    expect(channels.sent.filter((s) => s.message.probe?.id !== 'net')).toHaveLength(20);
    expect(new Set(channels.sent.filter((s) => s.message.kind === 'alert').map((s) => s.message.probe?.id)).size).toBe(
      21,
    );
    expect(alerts.blockedBy(dependants[0]!)).toBeNull();
    report(dependants[0]!, 'fail');
    await alerts.settled();
    expect(channels.sent.filter((s) => s.message.probe?.id === 'd0')).toHaveLength(1);
  });

  it('refuses a loop', () => {
    probes = [probe('x'), probe('y')];
    alerts.setDependency({ kind: 'probe', probeId: 'x' }, { kind: 'probe', probeId: 'y' });
    expect(() => alerts.setDependency({ kind: 'probe', probeId: 'y' }, { kind: 'probe', probeId: 'x' })).toThrow(
      /loop/,
    );
  });
});

describe('maintenance', () => {
  it('mutes alerts during a window and tells the current state once it ends', async () => {
    const a = probes[0]!;
    const window = alerts.addMaintenance({
      subject: { kind: 'scope', scope: 'web' },
      reason: 'upgrade',
      window: { kind: 'now', durationMinutes: 60 },
    });
    expect(alerts.inMaintenance(a)).toBe(true);
    for (let i = 0; i < 3; i++) report(a, 'fail');
    expect(channels.sent).toHaveLength(0);
    expect(alerts.history({ probeId: 'a' })[0]).toMatchObject({
      decision: 'muted',
      kind: 'alert',
      reason: 'muted by maintenance (upgrade)',
    });
    expect(alerts.listMaintenance()).toMatchObject([{ id: window.id, active: true }]);
    clock.advance(61 * MIN);
    await alerts.settled();
    expect(alerts.inMaintenance(a)).toBe(false);
    expect(channels.sent.map((s) => s.message.kind)).toEqual(['alert']);
  });

  it('a recurring window applies on its days from its local start time', () => {
    const a = probes[0]!;
    const now = new Date(clock.now());
    const hhmm = `${String(now.getHours()).padStart(2, '0')}:${String(now.getMinutes()).padStart(2, '0')}`;
    alerts.addMaintenance({
      subject: { kind: 'all' },
      window: { kind: 'recurring', days: [now.getDay()], start: hhmm, durationMinutes: 30 },
    });
    expect(alerts.inMaintenance(a)).toBe(true);
    clock.advance(31 * MIN);
    expect(alerts.inMaintenance(a)).toBe(false);
    clock.advance(7 * 24 * 60 * MIN - 31 * MIN);
    expect(alerts.inMaintenance(a)).toBe(true);
  });
});

describe('history', () => {
  it('records sent decisions with each delivery outcome, failed ones included, newest first', async () => {
    const a = probes[0]!;
    channels.fail = true;
    const events: string[] = [];
    alerts.onDecided((d) => events.push(`${d.decision}:${d.delivering}`));
    for (let i = 0; i < 3; i++) report(a, 'fail');
    await alerts.settled();
    const [entry] = alerts.history({ probeId: 'a' });
    expect(entry).toMatchObject({ kind: 'alert', decision: 'sent', delivering: false, probeName: 'probe a' });
    expect(entry!.deliveries).toEqual([
      {
        channelId: 'hook',
        channelName: 'Hook',
        ok: false,
        attempts: 3,
        error: 'The server answered 500 three times.',
        status: 500,
      },
    ]);
    expect(events).toEqual(['sent:true', 'sent:false']);
    expect(alerts.history({ probeId: 'other' })).toEqual([]);
  });
});

describe('a dependant failing before its parent reports', () => {
  let parent: Probe;
  let dependant: Probe;

  beforeEach(() => {
    parent = probe('net', 'network');
    dependant = probe('d', 'apis');
    probes = [parent, dependant];
    alerts.setDependency({ kind: 'probe', probeId: 'd' }, { kind: 'probe', probeId: 'net' });
    alerts.setRule({ kind: 'probe', probeId: 'd' }, { failuresToAlert: 1 });
  });

  it("waits for the parent's next result: a failure holds it as blocked, one alert in all until the parent recovers", async () => {
    report(dependant, 'fail');
    expect(alerts.history({ probeId: 'd' })[0]).toMatchObject({
      decision: 'held',
      kind: 'alert',
      reason: 'waiting up to 20 s for probe net, which it depends on, to report',
    });
    clock.advance(1_000);
    for (let i = 0; i < 3; i++) report(parent, 'fail');
    await alerts.settled();
    expect(channels.sent.map((s) => s.message.probe?.id)).toEqual(['net']);
    expect(alerts.history({ probeId: 'd' })[0]).toMatchObject({ decision: 'held', reason: 'blocked by probe net' });
    // Past the grace: the parent's failure holds it, not the wait.
    clock.advance(60_000);
    expect(channels.sent).toHaveLength(1);

    report(parent, 'ok');
    await alerts.settled();
    expect(channels.sent.map((s) => s.message.probe?.id)).toEqual(['net', 'd']);
  });

  it('sends at once when the parent reports a success', async () => {
    report(dependant, 'fail');
    clock.advance(3_000);
    report(parent, 'ok');
    await alerts.settled();
    expect(channels.sent.map((s) => s.message.probe?.id)).toEqual(['d']);
    expect(alerts.history({ probeId: 'd' }).map((d) => d.decision)).toEqual(['sent', 'held']);
  });

  it("sends at the first tick after twice the parent's interval when the parent never reports", async () => {
    report(dependant, 'fail');
    clock.advance(10_000);
    expect(channels.sent).toHaveLength(0);
    clock.advance(10_000);
    await alerts.settled();
    expect(channels.sent.map((s) => s.message.probe?.id)).toEqual(['d']);
  });

  it('a round where 100 dependants fail before the parent: each waits once, then is blocked once, and none is sent', async () => {
    const many = Array.from({ length: 100 }, (_, i) => probe(`m${i}`, 'apis'));
    probes = [parent, ...many];
    alerts.setDependency({ kind: 'scope', scope: 'apis' }, { kind: 'probe', probeId: 'net' });
    alerts.setRule({ kind: 'scope', scope: 'apis' }, { failuresToAlert: 1 });
    for (const m of many) report(m, 'fail');
    report(parent, 'fail');
    await alerts.settled();
    const reasons = alerts
      .history({ limit: 1000 })
      .filter((d) => d.probeId.startsWith('m'))
      .map((d) => `${d.decision}: ${d.reason}`);
    expect(
      reasons.filter((r) => r === 'held: waiting up to 20 s for probe net, which it depends on, to report'),
    ).toHaveLength(100);
    expect(reasons.filter((r) => r === 'held: blocked by probe net')).toHaveLength(100);
    expect(reasons).toHaveLength(200);
    expect(channels.sent).toHaveLength(0);
  });

  it('does not wait for a parent that succeeded after the failures began', async () => {
    alerts.setRule({ kind: 'probe', probeId: 'd' }, { failuresToAlert: 2 });
    report(dependant, 'fail');
    clock.advance(1_000);
    report(parent, 'ok');
    clock.advance(1_000);
    report(dependant, 'fail');
    await alerts.settled();
    expect(channels.sent.map((s) => s.message.probe?.id)).toEqual(['d']);
    expect(alerts.history({ probeId: 'd' }).map((d) => d.decision)).toEqual(['sent']);
  });
});

describe('targets in messages', () => {
  it('names the target of a docker probe and the host of a host probe; none for a plain tcp probe', async () => {
    const targets = new TargetsService(db, new MemoryCredentialBackend(), clock);
    const docker = await targets.create({
      name: 'shop-docker',
      environment: 'staging',
      kind: 'docker-local',
      settings: { socketPath: '' },
      secrets: {},
    });
    const host = await targets.create({
      name: 'shop-prod',
      environment: 'prod',
      kind: 'ops-api',
      settings: { baseUrl: 'http://127.0.0.1:1' },
      secrets: {},
    });
    const container: Probe = { ...probe('c'), kind: 'docker', settings: { targetId: docker.id, container: 'web' } };
    const onHost = probe('h');
    const plain = probe('a');
    probes = [container, onHost, plain];
    alerts.dispose();
    alerts = new AlertsService({
      db,
      probes: {
        list: () =>
          summaries().map((s) =>
            s.probe.id === 'h'
              ? { ...s, origin: { kind: 'host' as const, targetId: host.id, targetName: host.name, host: '127.0.0.1' } }
              : s,
          ),
        attachAlerting: () => undefined,
      },
      channels,
      targets,
      clock,
      options: { tickMs: 10_000 },
    });
    alerts.start();
    alerts.setRule({ kind: 'scope', scope: 'web' }, { failuresToAlert: 1 });
    for (const p of probes) report(p, 'fail');
    await alerts.settled();
    const targetOf = new Map(channels.sent.map((s) => [s.message.probe?.id, s.message.target]));
    expect(Object.fromEntries(targetOf)).toEqual({
      c: { name: 'shop-docker', environment: 'staging' },
      h: { name: 'shop-prod', environment: 'prod' },
      a: null,
    });
  });
});
