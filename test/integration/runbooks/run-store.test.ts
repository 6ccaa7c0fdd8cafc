/**
 * The run store on a real SQLite file (the app's migrations): runs, steps, batched events and
 * their reads, a restart without a clean close, history filters and paging, artifacts on disk,
 * target locks, and the coalesced run updates. Time is a fake clock, so the batch timer fires
 * when the test moves it on.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ARTIFACT_READ_BYTES,
  FLUSH_RETRY_MS,
  RUN_ARTIFACTS_DIR,
  SEQ_UPDATE_MS,
  type NewStep,
} from '../../../main/services/runbooks/run-store';
import { ApiError } from '../../../shared/errors';
import type { RunSummary } from '../../../shared/model/runbook';
import { DEPLOY, HEALTH, newRun, openFixture, outputLine, T0, type StoreFixture } from './run-store-support';

let fx: StoreFixture;

beforeEach(() => {
  fx = openFixture({ flushMs: 50, batchSize: 2_000 });
});

afterEach(() => {
  fx.close();
});

const storedEvents = (runId: string) =>
  fx.db.prepare('SELECT count(*) FROM run_events WHERE run_id = ?').pluck().get(runId) as number;

function thrown(action: () => unknown): ApiError {
  try {
    action();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
}

const STEPS: NewStep[] = [
  { index: 0, phase: 'preflight', id: 'inspect', kind: 'docker', description: 'Inspect backend', changes: false, repeatable: true },
  { index: 1, phase: 'action', id: 'recreate', kind: 'docker', description: 'Recreate backend with v1.4.2', changes: true, repeatable: true },
  { index: 2, phase: 'verify', id: 'health', kind: 'probe', description: 'Probe backend', changes: false, repeatable: true, state: 'skipped' },
];

describe('runs', () => {
  it('creates a queued run that keeps its runbook, target and inputs, and updates it', () => {
    const created = fx.store.createRun(newRun());
    expect(created.id).toMatch(/^run-[a-z0-9]+-[a-z0-9]+$/);
    expect(created).toMatchObject({
      runbookId: 'deploy-backend',
      runbookTitle: 'Deploy backend',
      risk: 'changes-prod',
      targetId: 'shop-prod',
      targetName: 'Shop prod',
      environment: 'prod',
      status: 'queued',
      dryRun: false,
      statusMessage: '',
      startedBy: 'ana',
      origin: 'app',
      lane: null,
      inputs: { tag: 'v1.4.2' },
      retryOf: null,
      createdAt: new Date(T0).toISOString(),
      startedAt: null,
      endedAt: null,
      durationMs: null,
      lastSeq: 0,
    });
    expect(fx.store.definitionOf(created.id)).toEqual(DEPLOY);
    expect(fx.store.approvalOf(created.id)).toBeNull();
    expect(fx.store.summaryOf(created.id)).toBeNull();

    const running = fx.store.updateRun(created.id, { status: 'running', startedAt: '2026-11-26T10:00:01.000Z' });
    expect(running).toMatchObject({ status: 'running', durationMs: null });
    const approval = {
      evidence: { facts: [{ key: 'ops:sha', label: 'Deployed SHA', value: 'abc' }], changes: ['Recreate backend'], hash: 'f'.repeat(64), takenAt: '2026-11-26T10:00:02.000Z' },
      requestedAt: '2026-11-26T10:00:02.000Z',
      expiresAt: '2026-11-26T10:30:02.000Z',
      confirmText: 'Shop prod',
      changed: [],
      approvedBy: null,
      approvedAt: null,
    };
    fx.store.updateRun(created.id, { status: 'awaiting-approval', statusMessage: 'Waiting for an approval.', approval });
    expect(fx.store.approvalOf(created.id)).toEqual(approval);
    const ended = fx.store.updateRun(created.id, {
      status: 'succeeded',
      endedAt: '2026-11-26T10:00:04.500Z',
      summary: 'Recreated backend with v1.4.2.',
      approval: null,
    });
    expect(ended).toMatchObject({ status: 'succeeded', statusMessage: 'Waiting for an approval.', durationMs: 3_500 });
    expect(fx.store.summaryOf(created.id)).toBe('Recreated backend with v1.4.2.');
    expect(fx.store.approvalOf(created.id)).toBeNull();
    expect(fx.store.getRun(created.id)).toEqual(ended);
  });

  it('answers an unknown run with one not-found sentence', () => {
    for (const action of [
      () => fx.store.getRun('run-nope'),
      () => fx.store.updateRun('run-nope', { status: 'failed' }),
      () => fx.store.definitionOf('run-nope'),
      () => fx.store.approvalOf('run-nope'),
      () => fx.store.append('run-nope', outputLine(1)),
      () => fx.store.readArtifact('run-nope', 'art-0001'),
    ]) {
      const error = thrown(action);
      expect(error.code).toBe('not-found');
      expect(error.message).toBe('There is no run run-nope — it may have been deleted.');
    }
  });

  it('lists runs newest first by runbook, target and status, pages with before, and finds the active ones', () => {
    const made: RunSummary[] = [];
    for (let i = 0; i < 12; i++) {
      fx.clock.advance(1_000);
      const health = i % 3 === 0;
      made.push(
        fx.store.createRun(
          newRun(
            health
              ? { runbook: HEALTH, risk: 'read-only', target: { id: i % 2 ? 'shop-staging' : 'shop-prod', name: 'x', environment: 'staging' } }
              : { target: { id: i % 2 ? 'shop-staging' : 'shop-prod', name: 'x', environment: 'staging' } },
          ),
        ),
      );
    }
    fx.store.updateRun(made[1]!.id, { status: 'failed' });
    fx.store.updateRun(made[2]!.id, { status: 'running' });
    fx.store.updateRun(made[4]!.id, { status: 'awaiting-approval' });
    fx.store.updateRun(made[5]!.id, { status: 'succeeded' });
    const ids = (runs: RunSummary[]) => runs.map((r) => r.id);
    const newestFirst = [...made].reverse();

    expect(ids(fx.store.listRuns({}))).toEqual(ids(newestFirst));
    expect(ids(fx.store.listRuns({ runbookId: 'healthcheck' }))).toEqual(ids(newestFirst.filter((_, k) => (11 - k) % 3 === 0)));
    expect(ids(fx.store.listRuns({ targetId: 'shop-staging' }))).toEqual(ids(newestFirst.filter((r) => r.targetId === 'shop-staging')));
    expect(ids(fx.store.listRuns({ status: 'failed' }))).toEqual([made[1]!.id]);
    expect(ids(fx.store.listRuns({ runbookId: 'deploy-backend', targetId: 'shop-prod' }))).toEqual(
      ids(newestFirst.filter((r) => r.runbookId === 'deploy-backend' && r.targetId === 'shop-prod')),
    );

    const first = fx.store.listRuns({ limit: 5 });
    const second = fx.store.listRuns({ limit: 5, before: first.at(-1)!.id });
    const third = fx.store.listRuns({ limit: 5, before: second.at(-1)!.id });
    expect([...ids(first), ...ids(second), ...ids(third)]).toEqual(ids(newestFirst));
    expect(third).toHaveLength(2);
    expect(fx.store.listRuns({ before: made[0]!.id })).toEqual([]);

    const active = fx.store.activeRuns();
    expect(new Set(active.map((r) => r.status))).toEqual(new Set(['queued', 'running', 'awaiting-approval']));
    expect(active).toHaveLength(10);
    expect(ids(active)).toEqual(ids(made.filter((_, k) => k !== 1 && k !== 5)));
  });

  it('gives the default page of 200 runs', () => {
    for (let i = 0; i < 205; i++) fx.store.createRun(newRun());
    expect(fx.store.listRuns({})).toHaveLength(200);
    expect(fx.store.listRuns({ limit: 1000 })).toHaveLength(205);
  });
});

describe('steps', () => {
  it('keeps each step with its state, times, message and outputs', () => {
    const run = fx.store.createRun(newRun());
    fx.store.setSteps(run.id, STEPS);
    expect(fx.store.steps(run.id).map((s) => [s.index, s.id, s.state, s.changes, s.durationMs])).toEqual([
      [0, 'inspect', 'pending', false, null],
      [1, 'recreate', 'pending', true, null],
      [2, 'health', 'skipped', false, null],
    ]);
    fx.store.updateStep(run.id, 0, { state: 'running', startedAt: '2026-11-26T10:00:00.000Z' });
    const done = fx.store.updateStep(run.id, 0, {
      state: 'succeeded',
      endedAt: '2026-11-26T10:00:01.250Z',
      message: 'backend runs shop/backend:v1.4.1',
      outputs: { tag: 'v1.4.1', health: 'healthy' },
    });
    expect(done).toEqual({
      index: 0,
      phase: 'preflight',
      id: 'inspect',
      kind: 'docker',
      description: 'Inspect backend',
      state: 'succeeded',
      changes: false,
      repeatable: true,
      startedAt: '2026-11-26T10:00:00.000Z',
      endedAt: '2026-11-26T10:00:01.250Z',
      durationMs: 1_250,
      message: 'backend runs shop/backend:v1.4.1',
    });
    fx.store.updateStep(run.id, 1, { description: 'Recreate backend with v1.4.3', outputs: { image: 'shop/backend:v1.4.3' } });
    expect(fx.store.steps(run.id)[1]!.description).toBe('Recreate backend with v1.4.3');
    expect(fx.store.stepOutputs(run.id)).toEqual({
      inspect: { tag: 'v1.4.1', health: 'healthy' },
      recreate: { image: 'shop/backend:v1.4.3' },
    });

    // A retry sets the steps again: the old ones are gone.
    fx.store.setSteps(run.id, STEPS.slice(0, 1));
    expect(fx.store.steps(run.id)).toHaveLength(1);
    expect(fx.store.stepOutputs(run.id)).toEqual({});

    const missing = thrown(() => fx.store.updateStep(run.id, 7, { state: 'failed' }));
    expect(missing.code).toBe('not-found');
    expect(missing.message).toBe(`Run ${run.id} has no step 7; its steps are set when it starts.`);
  });
});

describe('events', () => {
  it('writes appended events in one batch when the timer fires, numbered from 1 without gaps', () => {
    const run = fx.store.createRun(newRun());
    const other = fx.store.createRun(newRun());
    for (let i = 1; i <= 300; i++) {
      expect(fx.store.append(run.id, outputLine(i))).toBe(i);
      if (i % 3 === 0) expect(fx.store.append(other.id, { level: 'info', phase: null, step: null, message: `other ${i}`, data: { i } })).toBe(i / 3);
    }
    expect(storedEvents(run.id)).toBe(0);
    expect(fx.clock.pending).toBe(1);
    fx.clock.advance(49);
    expect(storedEvents(run.id)).toBe(0);
    fx.clock.advance(1);
    expect(storedEvents(run.id)).toBe(300);
    expect(storedEvents(other.id)).toBe(100);
    expect(fx.clock.pending).toBe(0);
    expect(fx.db.prepare('SELECT last_seq FROM runs WHERE id = ?').pluck().get(run.id)).toBe(300);

    const all = fx.store.eventsAfter(run.id, 0, 1_000);
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 300 }, (_, k) => k + 1));
    expect(all[0]).toEqual({ seq: 1, at: new Date(T0).toISOString(), ...outputLine(1), data: null });
    expect(fx.store.eventsAfter(run.id, 295).map((e) => e.seq)).toEqual([296, 297, 298, 299, 300]);
    expect(fx.store.eventsAfter(run.id, 10, 3).map((e) => e.seq)).toEqual([11, 12, 13]);
    expect(fx.store.eventsAfter(other.id, 99)).toEqual([
      { seq: 100, at: new Date(T0).toISOString(), level: 'info', phase: null, step: null, message: 'other 300', data: { i: 300 } },
    ]);
  });

  it('flushes before every read and when a batch is full', () => {
    const run = fx.store.createRun(newRun());
    fx.store.append(run.id, outputLine(1));
    expect(fx.store.getRun(run.id).lastSeq).toBe(1);
    expect(storedEvents(run.id)).toBe(1);
    fx.store.append(run.id, outputLine(2));
    expect(fx.store.eventsAfter(run.id, 1)).toHaveLength(1);
    // 2,000 pending make a batch: written at once, no timer left.
    for (let i = 3; i <= 2_001; i++) fx.store.append(run.id, outputLine(i));
    expect(storedEvents(run.id)).toBe(2);
    fx.store.append(run.id, outputLine(2_002));
    expect(storedEvents(run.id)).toBe(2_002);
    expect(fx.clock.pending).toBe(0);
    fx.store.append(run.id, outputLine(2_003));
    expect(fx.store.listRuns({})[0]!.lastSeq).toBe(2_003);
    expect(fx.clock.pending).toBe(0);
  });

  it('keeps runs, steps and events after a crash: a second connection reads them and numbering goes on', () => {
    const run = fx.store.createRun(newRun());
    fx.store.setSteps(run.id, STEPS);
    fx.store.updateRun(run.id, { status: 'running', startedAt: new Date(T0).toISOString(), lane: null });
    fx.store.updateStep(run.id, 1, { state: 'running', outputs: { image: 'shop/backend:v1.4.2' } });
    for (let i = 1; i <= 4_321; i++) fx.store.append(run.id, outputLine(i));
    fx.store.flush();
    // No dispose, no close: the first store is left as a crash would leave it.
    const { store: after } = fx.reopen();
    expect(after.getRun(run.id)).toMatchObject({ status: 'running', lastSeq: 4_321 });
    expect(after.steps(run.id).map((s) => s.state)).toEqual(['pending', 'running', 'skipped']);
    expect(after.stepOutputs(run.id)).toEqual({ recreate: { image: 'shop/backend:v1.4.2' } });
    const events = after.eventsAfter(run.id, 0, 10_000);
    expect(events).toHaveLength(4_321);
    expect(events.every((e, k) => e.seq === k + 1 && e.message === outputLine(k + 1).message)).toBe(true);
    expect(after.activeRuns().map((r) => r.id)).toEqual([run.id]);
    expect(after.append(run.id, outputLine(4_322))).toBe(4_322);
    after.flush();
    expect(storedEvents(run.id)).toBe(4_322);
  });

  it('keeps events in memory when the disk is full, says so once, and writes them when there is room', () => {
    const logged: string[] = [];
    fx.close();
    fx = openFixture({ flushMs: 50, batchSize: 500, log: (m) => logged.push(m) });
    const run = fx.store.createRun(newRun());
    for (let i = 1; i <= 100; i++) fx.store.append(run.id, outputLine(i));
    fx.store.flush();
    // The file may not grow by a page more: SQLite answers SQLITE_FULL, as on a full disk.
    const pages = fx.db.pragma('page_count', { simple: true }) as number;
    fx.db.pragma(`max_page_count = ${pages}`);
    for (let i = 101; i <= 3_000; i++) fx.store.append(run.id, { ...outputLine(i), message: `${outputLine(i).message} ${'x'.repeat(200)}` });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^Run events could not be written \(.*full.*\); 500 are kept in memory/);
    expect(storedEvents(run.id)).toBe(100);
    // Readers still see every event, from memory.
    expect(fx.store.getRun(run.id).lastSeq).toBe(3_000);
    expect(fx.store.eventsAfter(run.id, 2_990).map((e) => e.seq)).toEqual([2_991, 2_992, 2_993, 2_994, 2_995, 2_996, 2_997, 2_998, 2_999, 3_000]);
    expect(fx.store.eventsAfter(run.id, 0, 10_000)).toHaveLength(3_000);
    fx.clock.advance(FLUSH_RETRY_MS);
    expect(logged).toHaveLength(1);

    fx.db.pragma('max_page_count = 1073741823');
    fx.clock.advance(FLUSH_RETRY_MS);
    expect(storedEvents(run.id)).toBe(3_000);
    expect(logged).toHaveLength(2);
    expect(logged[1]).toMatch(/^Run events are written again/);
    const { store: after } = fx.reopen();
    expect(after.eventsAfter(run.id, 0, 10_000).map((e) => e.seq)).toEqual(Array.from({ length: 3_000 }, (_, k) => k + 1));
    expect(after.getRun(run.id).lastSeq).toBe(3_000);
  });

  it('writes what is pending on dispose and leaves no timer', () => {
    const run = fx.store.createRun(newRun());
    for (let i = 1; i <= 10; i++) fx.store.append(run.id, outputLine(i));
    fx.store.onUpdate(() => {});
    fx.store.dispose();
    expect(storedEvents(run.id)).toBe(10);
    expect(fx.clock.pending).toBe(0);
  });
});

describe('run updates', () => {
  it('sends a summary on create, update and step changes, and coalesces event-only changes', () => {
    const updates: RunSummary[] = [];
    const stop = fx.store.onUpdate((run) => updates.push(run));
    const run = fx.store.createRun(newRun());
    fx.store.setSteps(run.id, STEPS);
    fx.store.updateRun(run.id, { status: 'running' });
    fx.store.updateStep(run.id, 0, { state: 'running' });
    expect(updates.map((u) => u.status)).toEqual(['queued', 'running', 'running']);
    updates.length = 0;

    // 20,000 events in 10 batches within 200 ms: the first batch's summary goes out at once,
    // the rest wait for one summary with the newest seq.
    for (let i = 1; i <= 20_000; i++) {
      fx.store.append(run.id, outputLine(i));
      if (i % 1_000 === 0) fx.clock.advance(10);
    }
    expect(updates.map((u) => u.lastSeq)).toEqual([2_000]);
    fx.clock.advance(SEQ_UPDATE_MS);
    expect(updates.map((u) => u.lastSeq)).toEqual([2_000, 20_000]);
    fx.clock.advance(SEQ_UPDATE_MS * 4);
    expect(updates).toHaveLength(2);

    // A status change carries the newest seq itself; no late seq-only summary follows it.
    fx.store.append(run.id, outputLine(20_001));
    fx.store.updateRun(run.id, { status: 'succeeded' });
    fx.clock.advance(SEQ_UPDATE_MS * 4);
    expect(updates.slice(2).map((u) => [u.status, u.lastSeq])).toEqual([['succeeded', 20_001]]);
    stop();
    fx.store.createRun(newRun());
    expect(updates).toHaveLength(3);
  });
});

describe('artifacts', () => {
  it('round-trips a 1.5 MB artifact read in 512 KiB chunks, and finds the newest by name', () => {
    const run = fx.store.createRun(newRun());
    const content = Buffer.alloc(1_500_000);
    for (let i = 0; i < content.length; i++) content[i] = (i * 31 + (i >> 8)) & 0xff;
    const artifact = fx.store.writeArtifact(run.id, 'recreate', 'compose-diff.txt', 'text/plain', content);
    expect(artifact).toEqual({
      id: 'art-0001',
      name: 'compose-diff.txt',
      contentType: 'text/plain',
      bytes: 1_500_000,
      step: 'recreate',
      createdAt: new Date(T0).toISOString(),
    });
    expect(readdirSync(join(fx.dir, RUN_ARTIFACTS_DIR, run.id))).toEqual(['art-0001']);

    const chunks: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const read = fx.store.readArtifact(run.id, artifact.id, offset);
      expect(read).toMatchObject({ contentType: 'text/plain', name: 'compose-diff.txt' });
      expect(read.bytes).toBeLessThanOrEqual(ARTIFACT_READ_BYTES);
      chunks.push(Buffer.from(read.base64, 'base64'));
      offset += read.bytes;
      if (read.eof) break;
    }
    expect(chunks.map((c) => c.length)).toEqual([ARTIFACT_READ_BYTES, ARTIFACT_READ_BYTES, 1_500_000 - 2 * ARTIFACT_READ_BYTES]);
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
    expect(fx.store.readArtifact(run.id, artifact.id, 1_500_000)).toMatchObject({ bytes: 0, eof: true, base64: '' });

    fx.clock.advance(1_000);
    fx.store.writeArtifact(run.id, null, 'summary.md', 'text/markdown', '# Deployed v1.4.2');
    fx.store.writeArtifact(run.id, 'recreate', 'compose-diff.txt', 'text/plain', 'second diff');
    expect(fx.store.artifactByName(run.id, 'compose-diff.txt')?.toString()).toBe('second diff');
    expect(fx.store.artifactByName(run.id, 'summary.md')?.toString()).toBe('# Deployed v1.4.2');
    expect(fx.store.artifactByName(run.id, 'nothing.txt')).toBeNull();
    expect(fx.store.artifacts(run.id).map((a) => [a.id, a.name, a.bytes])).toEqual([
      ['art-0001', 'compose-diff.txt', 1_500_000],
      ['art-0002', 'summary.md', 17],
      ['art-0003', 'compose-diff.txt', 11],
    ]);
    expect(existsSync(join(fx.dir, RUN_ARTIFACTS_DIR, run.id, 'art-0003.part'))).toBe(false);

    const unknown = thrown(() => fx.store.readArtifact(run.id, 'art-0099'));
    expect(unknown.code).toBe('not-found');
    expect(unknown.message).toBe(`Run ${run.id} has no artifact art-0099 — open the run again to see its artifacts.`);
    expect(thrown(() => fx.store.readArtifact(run.id, 'art-0001', -1)).code).toBe('invalid-request');
  });
});

describe('locks', () => {
  it('gives a target to one run at a time and releases it only for its holder', () => {
    const a = fx.store.createRun(newRun());
    const b = fx.store.createRun(newRun());
    expect(fx.store.takeLock('shop-prod', a.id)).toBe(true);
    expect(fx.store.takeLock('shop-prod', a.id)).toBe(true);
    expect(fx.store.takeLock('shop-prod', b.id)).toBe(false);
    fx.clock.advance(5);
    expect(fx.store.takeLock('shop-staging', b.id)).toBe(true);
    expect(fx.store.locks()).toEqual([
      { targetId: 'shop-prod', runId: a.id, takenAt: new Date(T0).toISOString() },
      { targetId: 'shop-staging', runId: b.id, takenAt: new Date(T0 + 5).toISOString() },
    ]);
    expect(fx.store.releaseLock('shop-prod', b.id)).toBe(false);
    expect(fx.store.releaseLock('shop-prod', a.id)).toBe(true);
    expect(fx.store.releaseLock('shop-prod', a.id)).toBe(false);
    expect(fx.store.takeLock('shop-prod', b.id)).toBe(true);
    // The file keeps them: after a crash the executor finds what to release.
    const { store: after } = fx.reopen();
    expect(after.locks().map((l) => [l.targetId, l.runId])).toEqual([
      ['shop-prod', b.id],
      ['shop-staging', b.id],
    ]);
  });
});
