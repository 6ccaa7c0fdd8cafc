/**
 * `opsctl runbooks | run | runs` with the app's saved targets: docker-ssh targets reaching a real
 * podman through a real sshd (host keys pinned, keys in the real keychain), YAML runbooks in the
 * data directory's folder, and opsctl both in-process (through createApi, like the other command
 * tests) and as its own process (`npm run opsctl` through tsx) for stdout, stderr, exit codes and
 * Ctrl+C.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, opsctl, type Io } from '../../../main/cli/opsctl';
import { createServices } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import type { RunDetail, RunEvent, RunSummary, RunbookSummary } from '../../../shared/model/runbook';
import { REPO_ROOT } from '../../support/app';
import { waitForState } from '../../support/docker-fixture';
import { startKeyring, waitFor, type Keyring } from '../../support/keyring';
import { composeLabels, startPodman, type Podman } from '../../support/podman';
import { startSshd, type Sshd } from '../../support/sshd';

let keyring: Keyring;
let sshd: Sshd;
let podman: Podman;
let appData: string;
/** Where the runbooks' ssh steps write on the "host" (this machine, through sshd). */
let hostDir: string;

const IDLE = 'trap "exit 0" TERM; while true; do sleep 1; done';

beforeAll(async () => {
  [keyring, sshd, podman] = await Promise.all([startKeyring(), startSshd(), startPodman()]);
  keyring.useInThisProcess();
  await podman.run('shop-backend-1', IDLE, composeLabels('shop', 'backend'));
  appData = mkdtempSync(join(tmpdir(), 'cr-opsctl-runbooks-'));
  hostDir = mkdtempSync(join(tmpdir(), 'cr-opsctl-host-'));
  // The app's saved targets, as the UI saves them, with their host keys pinned.
  const services = createServices({
    dataDir: appData,
    credentials: new KeytarBackend(),
    probes: { background: false },
  });
  try {
    for (const [name, environment] of [
      ['staging', 'staging'],
      ['prod', 'prod'],
    ] as const) {
      const target = await services.targets.create({
        name,
        environment,
        kind: 'docker-ssh',
        settings: { host: '127.0.0.1', port: sshd.port, username: sshd.user, socketPath: podman.socketPath },
        secrets: { privateKey: sshd.clientPrivateKey },
      });
      services.connections.connection(target.id);
      await waitForState(services, target.id, (s) => s.status === 'untrusted-host-key');
      services.connections.trustHostKey(target.id, await sshd.hostKeyFingerprint());
    }
  } finally {
    services.close();
  }
  const folder = join(appData, 'runbooks');
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    join(folder, 'greet.yaml'),
    `id: greet
title: Greet from the host
kind: check
risk: read-only
inputs:
  - name: greeting
    required: true
    pattern: '[a-z]+'
phases:
  action:
    - id: say
      kind: ssh
      with:
        command: 'echo "{{ inputs.greeting }} one"; echo "{{ inputs.greeting }} two"'
  summarize:
    - id: summary
      kind: summary
      with: { template: 'Said {{ steps.say.lines }} lines.' }
`,
  );
  writeFileSync(
    join(folder, 'fail.yaml'),
    `id: fail
title: Fails on the host
kind: check
risk: read-only
phases:
  action:
    - id: exit
      kind: ssh
      with: { command: 'echo about to fail; exit 3' }
`,
  );
  writeFileSync(
    join(folder, 'mark.yaml'),
    `id: mark
title: Mark a file on the host
kind: change
risk: changes-prod
inputs:
  - name: file
    required: true
phases:
  preflight:
    - id: current
      kind: docker
      with: { action: inspect, service: backend }
  action:
    - id: append
      kind: ssh
      with: { command: 'echo changed >> {{ inputs.file }}' }
`,
  );
  writeFileSync(
    join(folder, 'slow.yaml'),
    `id: slow
title: A long change
kind: change
risk: changes-prod
inputs:
  - name: file
    required: true
phases:
  action:
    - id: sleep
      kind: ssh
      with: { command: 'echo started >> {{ inputs.file }}; sleep 30' }
`,
  );
  writeFileSync(
    join(folder, 'broken.yaml'),
    'id: broken\ntitle: Broken\nkind: check\nrisk: sometimes\nphases:\n  action:\n    - id: x\n      kind: teleport\n',
  );
}, 90_000);

afterAll(async () => {
  await Promise.all([podman?.stop(), sshd?.dispose()]);
  await keyring?.stop();
  for (const dir of [appData, hostDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

function capture(extra: Partial<Io> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (t) => out.push(t),
    outBytes: () => undefined,
    err: (t) => err.push(t),
    stdoutIsTty: false,
    env: { ...process.env, CONTROL_ROOM_DATA_DIR: appData },
    stop: new AbortController().signal,
    ...extra,
  };
  return { io, out, err, json: <T>() => JSON.parse(out.join('\n')) as T };
}

async function run(args: string[], extra: Partial<Io> = {}) {
  const c = capture(extra);
  const code = await opsctl(args, c.io);
  return { code, ...c };
}

/** opsctl as its own process, as `npm run opsctl` runs it. */
function startOpsctl(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli/opsctl.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...keyring.env, CONTROL_ROOM_DATA_DIR: appData },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (b: Buffer) => (output.stdout += b));
  child.stderr.on('data', (b: Buffer) => (output.stderr += b));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout: output.stdout, stderr: output.stderr })),
  );
  return { child, output, done };
}

function startedRunId(stderr: string): string {
  const id = /started (run-[a-z0-9-]+)/.exec(stderr)?.[1];
  if (!id) throw new Error(`no run id in: ${stderr}`);
  return id;
}

async function detail(runId: string): Promise<RunDetail> {
  const shown = await run(['runs', 'show', runId]);
  expect(shown.code).toBe(EXIT.ok);
  return shown.json<RunDetail>();
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

describe('opsctl runbooks list', () => {
  it("lists built-ins and the folder's files; a file that does not load carries its line-numbered errors", async () => {
    const { code, json } = await run(['runbooks', 'list']);
    expect(code).toBe(EXIT.ok);
    const runbooks = json<RunbookSummary[]>();
    const ids = runbooks.map((r) => r.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'deploy',
        'healthcheck',
        'incident',
        'schema-sync',
        'spec',
        'greet',
        'mark',
        'slow',
        'fail',
      ]),
    );
    expect(runbooks.find((r) => r.id === 'deploy')).toMatchObject({ source: 'built-in', file: null, errors: [] });
    expect(runbooks.find((r) => r.id === 'greet')).toMatchObject({
      source: 'file',
      file: 'greet.yaml',
      errors: [],
      risk: 'read-only',
    });
    const broken = runbooks.find((r) => r.file === 'broken.yaml')!;
    expect(broken.errors.length).toBeGreaterThanOrEqual(1);
    expect(broken.errors.map((e) => e.line)).toContain(4); // risk: sometimes

    const plain = await run(['runbooks', 'list', '--plain']);
    expect(plain.code).toBe(EXIT.ok);
    expect(plain.out.find((l) => l.startsWith('greet '))).toMatch(
      /^greet\s+read-only\s+greet\.yaml\s+Greet from the host$/,
    );
    expect(plain.out.some((l) => /^ {2}broken\.yaml:4(:\d+)? /.test(l))).toBe(true);
  });
});

describe('opsctl run', () => {
  it("as a process: streams the run's events as NDJSON, every sequence number once, and exits 0 when it succeeded", async () => {
    const res = await startOpsctl(['run', 'greet', '--target', 'staging', '--input', 'greeting=hello']).done;
    expect(res.stderr).toMatch(/^opsctl: started run-[a-z0-9-]+ \(Greet from the host on staging\)\.$/m);
    expect(res.code).toBe(0);
    const events = res.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as RunEvent & { runId: string });
    const runId = startedRunId(res.stderr);
    expect(events.every((e) => e.runId === runId)).toBe(true);
    expect(events.map((e) => e.seq)).toEqual(events.map((_e, i) => i + 1));
    expect(events.filter((e) => e.level === 'output' && e.step === 'say').map((e) => e.message)).toEqual([
      'hello one',
      'hello two',
    ]);
    expect(events.find((e) => e.level === 'output')).toMatchObject({ phase: 'action', step: 'say' });
    expect(res.stderr).toMatch(new RegExp(`opsctl: ${runId} succeeded`));

    const shown = await detail(runId);
    expect(shown.run).toMatchObject({
      status: 'succeeded',
      origin: 'opsctl',
      targetName: 'staging',
      inputs: { greeting: 'hello' },
      lastSeq: events.length,
    });
    expect(shown.summary).toContain('Said 2 lines.');
  }, 60_000);

  it('--plain prints "time level [phase/step] message"', async () => {
    const { code, out } = await run(['run', 'greet', '--target', 'staging', '--input', 'greeting=plain', '--plain']);
    expect(code).toBe(EXIT.ok);
    expect(out).toContainEqual(
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z output {1}\[action\/say\] plain one$/),
    );
    expect(out.every((l) => /^\S+ (debug|info|warn|error|output) ?( \[[a-z-]+(\/[a-z0-9-]+)?\])? /.test(l))).toBe(true);
  }, 30_000);

  it("exits 1 when the run failed, with the failed step's sentence on stderr", async () => {
    const { code, err, out } = await run(['run', 'fail', '--target', 'staging']);
    expect(code).toBe(EXIT.failed);
    expect(out.map((l) => JSON.parse(l) as RunEvent).some((e) => e.message === 'about to fail')).toBe(true);
    expect(err.at(-1)).toMatch(/^opsctl: run-\S+ failed/);
  }, 30_000);

  it('refuses a plan with problems before starting anything (exit 2), and names an unknown runbook or target (exit 4)', async () => {
    const before = (await run(['runs', 'list', '--runbook', 'greet'])).json<RunSummary[]>().length;
    const bad = await run(['run', 'greet', '--target', 'staging', '--input', 'greeting=NOT OK']);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.err).toHaveLength(1);
    expect(bad.err[0]).toMatch(/greeting/);
    const missing = await run(['run', 'greet', '--target', 'staging']);
    expect(missing.code).toBe(EXIT.usage);
    expect((await run(['runs', 'list', '--runbook', 'greet'])).json<RunSummary[]>()).toHaveLength(before);

    const noTarget = await run(['run', 'greet', '--input', 'greeting=hi']);
    expect(noTarget.code).toBe(EXIT.usage);
    expect(noTarget.err).toEqual([
      'opsctl: Choose a target to run greet on with --target NAME (opsctl targets lists them).',
    ]);

    const unknown = await run(['run', 'teleport', '--target', 'staging']);
    expect(unknown.code).toBe(EXIT.notFound);
    expect(unknown.err).toEqual(['opsctl: No runbook called "teleport" — opsctl runbooks list lists them.']);
    expect((await run(['run', 'greet', '--target', 'mars', '--input', 'greeting=hi'])).code).toBe(EXIT.notFound);
    expect((await run(['run', 'greet', '--target', 'staging', '--input', 'greeting'])).code).toBe(EXIT.usage);
    const broken = await run(['run', 'broken', '--target', 'staging']);
    expect(broken.code).toBe(EXIT.failed);
    expect(broken.err[0]).toMatch(/^opsctl: broken\.yaml line \d+: .* — fix the file first\.$/);
  }, 30_000);

  it('--dry-run on prod: preflight for real, the action described, no approval, nothing changed', async () => {
    const file = join(hostDir, 'dry.txt');
    const { code, out } = await run(['run', 'mark', '--target', 'prod', '--input', `file=${file}`, '--dry-run']);
    expect(code).toBe(EXIT.ok);
    const events = out.map((l) => JSON.parse(l) as RunEvent);
    expect(events.some((e) => e.step === 'append' && /^Would: /.test(e.message))).toBe(true);
    expect(existsSync(file)).toBe(false);
  }, 30_000);
});

describe('opsctl run on prod: approvals', () => {
  it('without a terminal or --approve: stops at the gate, prints the evidence and its hash, and cancels with nothing changed', async () => {
    const file = join(hostDir, 'gate.txt');
    const { code, err } = await run(['run', 'mark', '--target', 'prod', '--input', `file=${file}`]);
    expect(code).toBe(EXIT.failed);
    expect(err).toContain('Evidence:');
    expect(err.some((l) => /shop-backend-1/.test(l) || /backend/.test(l))).toBe(true);
    const hash = /^Evidence hash: ([a-f0-9]{64})$/m.exec(err.join('\n'))?.[1];
    expect(hash).toBeDefined();
    expect(err.join('\n')).toContain(`--approve prod --evidence ${hash}`);
    expect(lines(file)).toEqual([]);
    const runId = startedRunId(err.join('\n'));
    expect((await detail(runId)).run.status).toBe('canceled');
  }, 30_000);

  it('--approve NAME --evidence HASH approves exactly that evidence; the action runs once', async () => {
    const file = join(hostDir, 'approved.txt');
    const first = await run(['run', 'mark', '--target', 'prod', '--input', `file=${file}`]);
    const hash = /^Evidence hash: ([a-f0-9]{64})$/m.exec(first.err.join('\n'))![1]!;

    const approved = await run([
      'run',
      'mark',
      '--target',
      'prod',
      '--input',
      `file=${file}`,
      '--approve',
      'prod',
      '--evidence',
      hash,
    ]);
    expect(approved.err.join('\n')).toMatch(/approved \(evidence [a-f0-9]{12}\)/);
    expect(approved.code).toBe(EXIT.ok);
    expect(lines(file)).toEqual(['changed']);
    const shown = await detail(startedRunId(approved.err.join('\n')));
    expect(shown.approval).toMatchObject({ approvedBy: expect.any(String), evidence: { hash } });
  }, 60_000);

  it('refuses other evidence than the one named, and a wrong typed name: canceled, nothing changed', async () => {
    const file = join(hostDir, 'refused.txt');
    const otherHash = 'a'.repeat(64);
    const stale = await run([
      'run',
      'mark',
      '--target',
      'prod',
      '--input',
      `file=${file}`,
      '--approve',
      'prod',
      '--evidence',
      otherHash,
    ]);
    expect(stale.code).toBe(EXIT.failed);
    expect(stale.err.join('\n')).toMatch(/is not the one approved \(aaaaaaaaaaaa\); nothing was changed/);
    expect((await detail(startedRunId(stale.err.join('\n')))).run.status).toBe('canceled');

    const wrongName = await run(['run', 'mark', '--target', 'prod', '--input', `file=${file}`, '--approve', 'staging']);
    expect(wrongName.code).toBe(EXIT.failed);
    expect(wrongName.err.join('\n')).toMatch(/Type prod to approve this run/);
    expect(lines(file)).toEqual([]);
  }, 60_000);

  it("at a terminal: shows the evidence and asks for the target's name", async () => {
    const file = join(hostDir, 'typed.txt');
    const questions: string[] = [];
    const { code, err } = await run(['run', 'mark', '--target', 'prod', '--input', `file=${file}`], {
      prompt: (question) => {
        questions.push(question);
        return Promise.resolve('prod');
      },
    });
    expect(questions).toEqual(['Type prod to approve (anything else cancels the run): ']);
    expect(err).toContain('Will change:');
    expect(code).toBe(EXIT.ok);
    expect(lines(file)).toEqual(['changed']);
  }, 30_000);
});

describe('opsctl run at a real terminal', () => {
  it("asks for the target's name on the terminal (a pty from script(1)) and runs once it is typed", async () => {
    const file = join(hostDir, 'pty.txt');
    const command = [
      process.execPath,
      '--import',
      'tsx',
      'main/cli/opsctl.ts',
      'run',
      'mark',
      '--target',
      'prod',
      '--input',
      `file=${file}`,
    ].join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...keyring.env, CONTROL_ROOM_DATA_DIR: appData },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.on('data', (b: Buffer) => (screen += b));
    child.stderr.on('data', (b: Buffer) => (screen += b));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(
      () => screen.includes('Type prod to approve (anything else cancels the run): '),
      60_000,
      'the question never reached the terminal',
    );
    expect(screen).toContain('Evidence hash: ');
    expect(lines(file)).toEqual([]);
    child.stdin.write('prod\r');
    expect(await exited).toBe(0);
    expect(screen).toMatch(/approved \(evidence [a-f0-9]{12}\)/);
    expect(lines(file)).toEqual(['changed']);
  }, 90_000);
});

describe('opsctl run on prod: a stale approval', () => {
  it('at a terminal: a container restarted while the question was open asks again, showing what changed', async () => {
    const file = join(hostDir, 'stale.txt');
    const questions: string[] = [];
    const { code, err } = await run(['run', 'mark', '--target', 'prod', '--input', `file=${file}`], {
      prompt: async (question) => {
        questions.push(question);
        // While the first question is open, someone restarts the backend: the preflight fact
        // "backend started at" the evidence holds is no longer true.
        if (questions.length === 1) await podman.cli(['restart', '-t', '0', 'shop-backend-1']);
        return 'prod';
      },
    });
    expect(questions).toHaveLength(2);
    const text = err.join('\n');
    expect(text).toMatch(/Changed since the last approval:\n {2}backend started at: \S+ → \S+/);
    const hashes = [...text.matchAll(/^Evidence hash: ([a-f0-9]{64})$/gm)].map((m) => m[1]);
    expect(hashes).toHaveLength(2);
    expect(hashes[0]).not.toBe(hashes[1]);
    expect(code).toBe(EXIT.ok);
    expect(lines(file)).toEqual(['changed']); // the action ran once, after the second approval
  }, 60_000);
});

describe('opsctl runs', () => {
  it('list filters by runbook, target and status; --plain a line each; show --events every event', async () => {
    const all = await run(['runs', 'list', '--runbook', 'greet']);
    expect(all.code).toBe(EXIT.ok);
    const greets = all.json<RunSummary[]>();
    expect(greets.length).toBeGreaterThanOrEqual(2);
    expect(greets.every((r) => r.runbookId === 'greet' && r.origin === 'opsctl')).toBe(true);
    const canceled = (await run(['runs', 'list', '--target', 'prod', '--status', 'canceled'])).json<RunSummary[]>();
    expect(canceled.length).toBeGreaterThanOrEqual(1);
    expect(canceled.every((r) => r.targetName === 'prod' && r.status === 'canceled')).toBe(true);
    expect((await run(['runs', 'list', '--limit', '1'])).json<RunSummary[]>()).toHaveLength(1);
    expect((await run(['runs', 'list', '--status', 'sideways'])).code).toBe(EXIT.usage);

    const plain = await run(['runs', 'list', '--runbook', 'greet', '--plain']);
    expect(plain.out[0]).toMatch(/^run-\S+ {2}succeeded\s+greet\s+staging\s+opsctl\s+/);

    const withEvents = await run(['runs', 'show', greets[0]!.id, '--events']);
    const shown = withEvents.json<RunDetail & { events: RunEvent[] }>();
    expect(shown.events.map((e) => e.seq)).toEqual(shown.events.map((_e, i) => i + 1));
    expect(shown.events.length).toBe(shown.run.lastSeq);
    expect(shown.steps.map((s) => s.id)).toEqual(['say', 'summary']);
  });

  it('cancel and approve of an ended run say so; an unknown run is not found (exit 4)', async () => {
    const [ended] = (await run(['runs', 'list', '--status', 'succeeded', '--limit', '1'])).json<RunSummary[]>();
    const cancel = await run(['runs', 'cancel', ended!.id]);
    expect(cancel.code).toBe(EXIT.failed);
    expect(cancel.err).toHaveLength(1);
    const approve = await run(['runs', 'approve', ended!.id, '--confirm', 'staging']);
    expect(approve.code).toBe(EXIT.failed);
    expect(approve.err).toEqual([`opsctl: Run ${ended!.id} is not waiting for an approval (it is succeeded).`]);
    expect((await run(['runs', 'show', 'run-nothing-here'])).code).toBe(EXIT.notFound);
    expect((await run(['runs', 'approve', ended!.id])).code).toBe(EXIT.usage);
  });
});

describe('opsctl run as a process: the run lives in it', () => {
  it('Ctrl+C cancels the running step and exits 1 with the run canceled', async () => {
    const file = join(hostDir, 'interrupted.txt');
    const started = startOpsctl(['run', 'slow', '--target', 'staging', '--input', `file=${file}`]);
    await waitFor(() => lines(file).length === 1, 30_000, 'the slow step did not start');
    started.child.kill('SIGINT');
    const res = await started.done;
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/canceling run-/);
    const shown = await detail(startedRunId(res.stderr));
    expect(shown.run.status).toBe('canceled');
    expect(shown.steps.find((s) => s.id === 'sleep')!.state).toBe('canceled');
  }, 60_000);

  it('--refuse-if-locked: a second changing run on a target another process is changing is refused, with the reason', async () => {
    const file = join(hostDir, 'locked.txt');
    const first = startOpsctl(['run', 'slow', '--target', 'staging', '--input', `file=${file}`]);
    try {
      await waitFor(() => lines(file).length === 1, 30_000, 'the first run did not start');
      const second = await run(['run', 'slow', '--target', 'staging', '--input', `file=${file}`, '--refuse-if-locked']);
      expect(second.code).toBe(EXIT.failed);
      expect(second.err.at(-1)).toMatch(
        /refused: Run run-\S+ \(slow by .+\) is changing staging; try again when it ends\./,
      );
      expect(lines(file)).toEqual(['started']);
      // The other process's run went on undisturbed.
      const firstId = startedRunId(first.output.stderr);
      expect((await detail(firstId)).run.status).toBe('running');
      const cancel = await run(['runs', 'cancel', firstId]);
      expect(cancel.code).toBe(EXIT.failed);
      expect(cancel.err).toEqual([
        `opsctl: Run ${firstId} is running in another Control Room process (an opsctl run); cancel it there.`,
      ]);
      expect((await detail(firstId)).run.status).toBe('running');
    } finally {
      first.child.kill('SIGINT');
      await first.done;
    }
  }, 60_000);
});
