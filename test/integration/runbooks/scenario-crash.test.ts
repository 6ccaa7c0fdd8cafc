/**
 * Scenario: `kill -9` mid-step. The app's browser-mode host runs as a real process (its entry,
 * main/host/main.ts, through tsx, so the test holds the PID of the process that owns the run —
 * `npm start` would put scripts/start.mjs in between), on a data directory with a docker-ssh
 * staging target (real sshd, real podman, the real keychain). A YAML runbook's ssh step appends a
 * line to a file on the host and then sleeps; the host is killed while it sleeps and started
 * again on the same data directory.
 *
 * Expected: the run is interrupted with every event written before the kill still there, the
 * target's lock released with an audit entry, and nothing run again — the file keeps one line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../shared/model/audit';
import type { RunDetail, RunEvent, RunSummary } from '../../../shared/model/runbook';
import type { Target } from '../../../shared/model/target';
import type { Reply, ServerFrame } from '../../../shared/transport';
import { REPO_ROOT } from '../../support/app';
import { stopProcess, waitFor } from '../../support/keyring';
import { startScenarioRig, type ScenarioRig } from './scenario-support';

let rig: ScenarioRig;
let staging: Target;
let markFile: string;
const hosts: ChildProcess[] = [];

interface RunningHost {
  child: ChildProcess;
  url: URL;
  token: string;
}

/** The browser-mode host on the rig's data directory; resolves once it printed its address. */
async function startHost(): Promise<RunningHost> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/host/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...rig.keyring.env,
      CONTROL_ROOM_DATA_DIR: rig.dataDir,
      CONTROL_ROOM_PORT: '0',
      DISPLAY: '',
      WAYLAND_DISPLAY: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  hosts.push(child);
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output += b));
  child.stderr!.on('data', (b: Buffer) => (output += b));
  await waitFor(
    () => /http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+/.test(output) || child.exitCode !== null,
    60_000,
    'the host printed no address',
  );
  const match = /(http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)/.exec(output);
  if (!match) throw new Error(`the host exited:\n${output}`);
  const url = new URL(match[1]!);
  return { child, url, token: new URLSearchParams(url.hash.slice(1)).get('token')! };
}

/** One request over the host's WebSocket, as the page makes it. */
async function invoke<T>(host: RunningHost, channel: string, payload: unknown): Promise<T> {
  const ws = new WebSocket(`ws://${host.url.host}/ws?token=${encodeURIComponent(host.token)}`, {
    origin: host.url.origin,
  });
  try {
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const answered = new Promise<Reply>((resolve) =>
      ws.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString()) as ServerFrame;
        if (frame.type === 'reply' && frame.id === 1) resolve(frame.reply);
      }),
    );
    ws.send(JSON.stringify({ type: 'invoke', id: 1, channel, payload }));
    const reply = await answered;
    if (!reply.ok) throw new Error(`${channel}: ${reply.error.message}`);
    return reply.value as T;
  } finally {
    ws.close();
  }
}

function markLines(): string[] {
  return existsSync(markFile) ? readFileSync(markFile, 'utf8').split('\n').filter(Boolean) : [];
}

beforeAll(async () => {
  rig = await startScenarioRig();
  staging = await rig.addTarget('staging', 'staging');
  markFile = join(rig.dataDir, 'host-marks.txt');
  await rig.writeRunbook(
    'long-change.yaml',
    `id: long-change
title: A long change
kind: change
risk: changes-prod
inputs:
  - name: mark
    required: true
phases:
  action:
    - id: work
      kind: ssh
      with:
        command: 'echo ran >> {{ inputs.mark }}; echo working; sleep 60'
    - id: after
      kind: ssh
      with:
        command: 'echo after >> {{ inputs.mark }}'
`,
  );
  await rig.writeRunbook(
    'quick-change.yaml',
    `id: quick-change
title: A quick change
kind: change
risk: changes-prod
inputs:
  - name: mark
    required: true
phases:
  action:
    - id: work
      kind: ssh
      with:
        command: 'echo quick >> {{ inputs.mark }}'
`,
  );
  // The host process owns the data directory from here on.
  rig.services.close();
}, 120_000);

afterAll(async () => {
  for (const child of hosts) await stopProcess(child);
  await rig?.dispose();
});

describe('scenario: kill -9 mid-step', () => {
  it('the next start marks the run interrupted with its events, releases the lock with an audit entry, and runs nothing again', async () => {
    const first = await startHost();
    const started = await invoke<RunSummary>(first, 'runs:start', {
      runbookId: 'long-change',
      targetId: staging.id,
      inputs: { mark: markFile },
    });
    expect(started.origin).toBe('app');
    // Mid-step: the command's first line reached the host and its output reached the run's events.
    await waitFor(() => markLines().length === 1, 30_000, 'the ssh step did not start');
    let before: RunEvent[] = [];
    await waitFor(
      async () => {
        before = (await invoke<{ events: RunEvent[] }>(first, 'runs:events', { id: started.id, after: 0 })).events;
        return before.some((e) => e.level === 'output' && e.message === 'working');
      },
      30_000,
      "the step's output never reached the events",
    );
    const held = await invoke<RunDetail>(first, 'runs:get', { id: started.id });
    expect(held.run.status).toBe('running');
    expect(held.steps.find((s) => s.id === 'work')!.state).toBe('running');

    first.child.kill('SIGKILL');
    await new Promise((resolve) =>
      first.child.exitCode !== null || first.child.signalCode ? resolve(null) : first.child.once('exit', resolve),
    );
    expect(first.child.signalCode).toBe('SIGKILL');

    const second = await startHost();
    const after = await invoke<RunDetail>(second, 'runs:get', { id: started.id });
    expect(after.run.status).toBe('interrupted');
    expect(after.run.statusMessage).toMatch(/Control Room stopped while this run was running; nothing was resumed\./);
    expect(after.run.endedAt).not.toBeNull();
    expect(after.steps.find((s) => s.id === 'work')!.state).toBe('failed');
    expect(after.steps.find((s) => s.id === 'after')!.state).toBe('skipped');

    // Every event written before the kill is still there, unchanged, in order, with no gap.
    const events = (await invoke<{ events: RunEvent[] }>(second, 'runs:events', { id: started.id, after: 0 })).events;
    expect(events.slice(0, before.length)).toEqual(before);
    expect(events.map((e) => e.seq)).toEqual(events.map((_e, i) => i + 1));
    expect(
      events.slice(before.length).every((e) => e.level === 'error' || e.level === 'info' || e.level === 'warn'),
    ).toBe(true);

    // The lock was released, with an audit entry saying why.
    const audit = await invoke<AuditEntry[]>(second, 'audit:list', { targetId: staging.id });
    const release = audit.find((e) => e.action === 'release-lock' && e.subject === started.id);
    expect(release).toMatchObject({ subjectKind: 'runbook-run', outcome: 'ok' });
    expect(JSON.stringify(release!.detail)).toContain('Released after Control Room stopped mid-run');

    // Nothing runs again by itself: a new changing run on the target gets the lock at once, the
    // interrupted run's events do not grow, and its command ran exactly once.
    const next = await invoke<RunSummary>(second, 'runs:start', {
      runbookId: 'quick-change',
      targetId: staging.id,
      inputs: { mark: join(rig.dataDir, 'quick-marks.txt') },
      whenLocked: 'refuse',
    });
    await waitFor(
      async () => (await invoke<RunDetail>(second, 'runs:get', { id: next.id })).run.status === 'succeeded',
      30_000,
      'the next run did not finish',
    );
    const lastSeq = (await invoke<RunDetail>(second, 'runs:get', { id: started.id })).run.lastSeq;
    expect(lastSeq).toBe(events.length);
    expect(markLines()).toEqual(['ran']);
  }, 180_000);
});
