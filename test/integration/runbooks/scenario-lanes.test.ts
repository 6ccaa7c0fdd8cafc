/**
 * Scenario: healthcheck on staging without an approval, and read-only runs in their four lanes
 * (A–D) while a changing run holds the same target — with real parts: podman behind a real sshd,
 * the app's services on a temporary data directory, the real keychain.
 *
 * The runs' ssh steps hold until the test creates a file on the host, so which runs overlap is
 * decided by the test, not by timing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStatus, RunSummary } from '../../../shared/model/runbook';
import type { Target } from '../../../shared/model/target';
import { waitFor } from '../../support/keyring';
import { composeLabels } from '../../support/podman';
import { startScenarioRig, type ScenarioRig } from './scenario-support';

let rig: ScenarioRig;
let staging: Target;

/** An ssh command that notes it started, then holds until `gate` exists on the host. */
const HOLD = "echo started >> {{ inputs.mark }}; while [ ! -f '{{ inputs.gate }}' ]; do sleep 0.1; done; echo released";

beforeAll(async () => {
  rig = await startScenarioRig();
  await rig.podmans[0]!.run(
    'shop-backend-1',
    'trap "exit 0" TERM; while true; do sleep 1; done',
    composeLabels('shop', 'backend'),
  );
  staging = await rig.addTarget('staging', 'staging');
  for (const [id, risk] of [
    ['hold-change', 'changes-prod'],
    ['hold-read', 'read-only'],
  ] as const) {
    await rig.writeRunbook(
      `${id}.yaml`,
      `id: ${id}
title: ${id}
kind: check
risk: ${risk}
inputs:
  - { name: mark, required: true }
  - { name: gate, required: true }
phases:
  action:
    - id: hold
      kind: ssh
      with:
        command: "${HOLD}"
`,
    );
  }
}, 120_000);

afterAll(async () => {
  await rig?.dispose();
});

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

describe('scenario: healthcheck and lanes on staging', () => {
  it('healthcheck on staging runs to the end without an approval, in a read-only lane', async () => {
    const statuses: RunStatus[] = [];
    let runId = '';
    const off = rig.services.runbooks.onRunUpdate((run) => {
      if (run.id === runId) statuses.push(run.status);
    });
    try {
      const started = rig.services.runbooks.startRun(
        {
          runbookId: 'healthcheck',
          targetId: staging.id,
          inputs: { service: 'backend' },
          dryRun: false,
          whenLocked: 'queue',
        },
        'app',
      );
      runId = started.id;
      const run = await rig.services.runbooks.executor.settled(started.id);
      expect(run.status, run.statusMessage).toBe('succeeded');
      expect(run.lane).toMatch(/^[A-D]$/);
      expect(statuses).not.toContain('awaiting-approval');
      const detail = rig.services.runbooks.detail(run.id);
      expect(detail.approval).toBeNull();
      expect(detail.summary).toContain('Health of staging (staging).');
      expect(detail.summary).toMatch(/backend: running, health none, image (localhost\/)?local\/busybox:latest/);
    } finally {
      off();
    }
  }, 60_000);

  it('four read-only runs share lanes A–D while a changing run holds the target; a fifth waits for a lane', async () => {
    const dir = rig.dataDir;
    const changeMark = join(dir, 'change.txt');
    const changeGate = join(dir, 'change.gate');
    const readMark = join(dir, 'read.txt');
    const readGate = join(dir, 'read.gate');
    const start = (runbookId: string, mark: string, gate: string): RunSummary =>
      rig.services.runbooks.startRun(
        { runbookId, targetId: staging.id, inputs: { mark, gate }, dryRun: false, whenLocked: 'queue' },
        'app',
      );

    const change = start('hold-change', changeMark, changeGate);
    await waitFor(() => lines(changeMark).length === 1, 30_000, 'the changing run did not start');
    expect(rig.services.runbooks.store.locks().map((l) => l.runId)).toEqual([change.id]);

    const reads = Array.from({ length: 5 }, () => start('hold-read', readMark, readGate));
    await waitFor(() => lines(readMark).length === 4, 30_000, 'four read-only runs did not start');
    const now = reads.map((r) => rig.services.runbooks.store.getRun(r.id));
    const running = now.filter((r) => r.status === 'running');
    expect(running).toHaveLength(4);
    expect(running.map((r) => r.lane).sort()).toEqual(['A', 'B', 'C', 'D']);
    const fifth = now.find((r) => r.status === 'queued')!;
    expect(fifth.statusMessage).toBe('Waiting for a free lane (4 read-only runs are running).');
    // The changing run is still running and still holds the target: read-only runs never waited for it.
    expect(rig.services.runbooks.store.getRun(change.id).status).toBe('running');

    writeFileSync(readGate, '');
    const ended = await Promise.all(reads.map((r) => rig.services.runbooks.executor.settled(r.id)));
    expect(ended.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const fifthEnded = ended.find((r) => r.id === fifth.id)!;
    expect(fifthEnded.lane).toMatch(/^[A-D]$/);
    expect(lines(readMark)).toHaveLength(5);
    expect(rig.services.runbooks.store.getRun(change.id).status).toBe('running');

    writeFileSync(changeGate, '');
    const changed = await rig.services.runbooks.executor.settled(change.id);
    expect(changed.status).toBe('succeeded');
    expect(changed.lane).toBeNull();
    expect(rig.services.runbooks.store.locks()).toEqual([]);
  }, 120_000);

  it('a second changing run on the target waits in the queue and runs after the first; refused when asked to', async () => {
    const dir = rig.dataDir;
    const mark = join(dir, 'queue.txt');
    const gate = join(dir, 'queue.gate');
    const start = (whenLocked: 'queue' | 'refuse') =>
      rig.services.runbooks.startRun(
        { runbookId: 'hold-change', targetId: staging.id, inputs: { mark, gate }, dryRun: false, whenLocked },
        'app',
      );
    const first = start('queue');
    await waitFor(() => lines(mark).length === 1, 30_000, 'the first run did not start');
    const second = start('queue');
    expect(second.status).toBe('queued');
    expect(second.statusMessage).toBe(`Waiting for run ${first.id} on staging.`);
    const refused = start('refuse');
    expect(refused.status).toBe('refused');
    expect(refused.statusMessage).toMatch(
      new RegExp(`^Run ${first.id} \\(hold-change by .+\\) is changing staging; try again when it ends\\.$`),
    );
    expect(lines(mark)).toHaveLength(1);

    writeFileSync(gate, '');
    const [firstEnded, secondEnded] = await Promise.all(
      [first.id, second.id].map((id) => rig.services.runbooks.executor.settled(id)),
    );
    expect(firstEnded!.status).toBe('succeeded');
    expect(secondEnded!.status).toBe('succeeded');
    expect(Date.parse(secondEnded!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(firstEnded!.endedAt!));
    expect(lines(mark)).toHaveLength(2);
  }, 120_000);
});
