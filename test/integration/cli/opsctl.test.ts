/**
 * opsctl against the real agent (with real podman containers behind it), using the app's saved
 * targets and a real keychain; against the same podman as Docker targets (the local socket, and
 * through a real sshd); and as a real process for stdout, exit codes, --follow and `opsctl agent`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build as esbuild } from 'esbuild';
import { buildAgentServer } from '../../../agent/build.mjs';
import { agentCommandLine } from '../../../main/cli/agent-process';
import { EXIT, opsctl, type Io } from '../../../main/cli/opsctl';
import { createServices } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import { channels } from '../../../shared/contract';
import { OpsContext } from '../../../shared/model/ops';
import { REPO_ROOT } from '../../support/app';
import { waitForState } from '../../support/docker-fixture';
import { startKeyring, waitFor, type Keyring } from '../../support/keyring';
import { composeLabels } from '../../support/podman';
import { freePort, startSshd, type Sshd } from '../../support/sshd';
import { startAgentFixture, type AgentFixture } from '../agent/agent-fixture';

let agent: AgentFixture;
let keyring: Keyring;
let appData: string;

beforeAll(async () => {
  [keyring, agent] = await Promise.all([
    startKeyring(),
    startAgentFixture({
      podman: true,
      before: async (podman) => {
        await podman.run('shop-backend-1', 'trap "exit 0" TERM; i=0; while true; do echo "backend line $i"; echo "warn: slow $i" >&2; i=$((i+1)); sleep 0.3; done', composeLabels('shop', 'backend'));
      },
    }),
  ]);
  keyring.useInThisProcess();
  appData = mkdtempSync(join(tmpdir(), 'cr-opsctl-'));
  // The app's own saved target, its token in the keychain, exactly as the UI would save it.
  const services = createServices({ dataDir: appData, credentials: new KeytarBackend() });
  await services.targets.create({
    name: 'prod-api',
    environment: 'prod',
    kind: 'ops-api',
    settings: { baseUrl: agent.url },
    secrets: { apiToken: agent.admin },
  });
  services.close();
  // A few log lines for the tails below to read.
  await waitFor(
    async () => ((await agent.podman!.cli(['logs', 'shop-backend-1'])).match(/backend line \d+/g) ?? []).length >= 3,
    15_000,
    'shop-backend-1 did not print 3 lines',
  );
}, 90_000);

afterAll(async () => {
  await agent?.stop();
  await keyring?.stop();
  rmSync(appData, { recursive: true, force: true });
});

function capture(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const bytes: Buffer[] = [];
  const io: Io = {
    out: (t) => out.push(t),
    outBytes: (b) => bytes.push(b),
    err: (t) => err.push(t),
    stdoutIsTty: false,
    env: { ...process.env, CONTROL_ROOM_DATA_DIR: appData, ...env },
  };
  return { io, out, err, bytes, json: () => JSON.parse(out.join('\n')) as unknown };
}

describe('opsctl with the app’s saved targets', () => {
  it('lists targets as JSON, with secrets only as present/absent', async () => {
    const c = capture();
    expect(await opsctl(['targets'], c.io)).toBe(EXIT.ok);
    const targets = c.json() as { name: string; secrets: Record<string, { present: boolean }> }[];
    expect(targets).toHaveLength(1);
    expect(targets[0]).toMatchObject({ name: 'prod-api', secrets: { apiToken: { present: true } } });
    expect(c.out.join('\n')).not.toContain(agent.admin);
  });

  it('summary: the context as JSON that parses as the ops API schema, token from the keychain', async () => {
    const c = capture();
    expect(await opsctl(['summary', '--target', 'prod-api'], c.io)).toBe(EXIT.ok);
    const context = OpsContext.parse(c.json());
    expect(context.docker.ok && context.docker.data.containers.map((x) => x.name)).toContain('shop-backend-1');
  });

  it('summary --plain is for people', async () => {
    const c = capture();
    expect(await opsctl(['summary', '--plain'], c.io)).toBe(EXIT.ok); // the only target is picked
    const text = c.out.join('\n');
    expect(text).toMatch(/Containers\n\s+shop-backend-1\s+running/);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('logs: JSON entries with stream and level, and plain text', async () => {
    const c = capture();
    expect(await opsctl(['logs', 'backend', '--tail', '6'], c.io)).toBe(EXIT.ok);
    const { entries } = c.json() as { entries: { stream: string; level: string | null; message: string }[] };
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.length).toBeLessThanOrEqual(6);
    expect(entries.some((e) => e.stream === 'stderr' && e.level === 'warn')).toBe(true);
    const plain = capture();
    expect(await opsctl(['logs', 'backend', '--tail', '4', '--plain'], plain.io)).toBe(EXIT.ok);
    expect(plain.out.join('\n')).toMatch(/backend line \d+/);
  });

  it('frontend-logs: beacons the product sent', async () => {
    expect((await agent.beacon({ route: '/checkout', message: 'TypeError: cart is undefined', build_hash: 'abc123' })).status).toBeLessThan(300);
    const c = capture();
    expect(await opsctl(['frontend-logs', '--since', '5m'], c.io)).toBe(EXIT.ok);
    const { errors } = c.json() as { errors: { route: string; message: string }[] };
    expect(errors.find((e) => e.route === '/checkout')?.message).toBe('TypeError: cart is undefined');
  });

  it('bundle --agent: the agent’s gzipped JSON, refused on a terminal', async () => {
    const c = capture();
    expect(await opsctl(['bundle', '--agent'], c.io)).toBe(EXIT.ok);
    const bundle = JSON.parse(gunzipSync(Buffer.concat(c.bytes)).toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(bundle)).toEqual(expect.arrayContaining(['context']));
    const tty = capture();
    tty.io.stdoutIsTty = true;
    expect(await opsctl(['bundle', '--agent'], tty.io)).toBe(EXIT.usage);
    expect(tty.err.join('')).toMatch(/redirect it/);
  });
});

describe('opsctl errors: one sentence on stderr, an exit code a script can test', () => {
  it('--url with OPSCTL_TOKEN works without saved targets; a bad token exits 3', async () => {
    const ok = capture({ OPSCTL_TOKEN: agent.read });
    expect(await opsctl(['summary', '--url', agent.url], ok.io)).toBe(EXIT.ok);
    const bad = capture({ OPSCTL_TOKEN: 'nope' });
    expect(await opsctl(['summary', '--url', agent.url], bad.io)).toBe(EXIT.auth);
    expect(bad.err).toHaveLength(1);
    expect(bad.err[0]).toMatch(/^opsctl: .*refused the token \(401\)/);
  });

  it('a read token cannot fetch the bundle: exit 3 with what to do', async () => {
    const c = capture({ OPSCTL_TOKEN: agent.read });
    expect(await opsctl(['bundle', '--agent', '--url', agent.url], c.io)).toBe(EXIT.auth);
    expect(c.err[0]).toMatch(/admin scope/);
  });

  it('unknown target → 4, unknown service → 4, usage → 2, unreachable → 1', async () => {
    const target = capture();
    expect(await opsctl(['summary', '--target', 'nope'], target.io)).toBe(EXIT.notFound);
    expect(target.err[0]).toMatch(/No target named "nope"/);
    const service = capture();
    expect(await opsctl(['logs', 'no-such-service'], service.io)).toBe(EXIT.notFound);
    const usage = capture();
    expect(await opsctl(['logs'], usage.io)).toBe(EXIT.usage);
    expect(await opsctl(['frobnicate'], capture().io)).toBe(EXIT.usage);
    expect(await opsctl(['targets', '--bogus'], capture().io)).toBe(EXIT.usage);
    const down = capture({ OPSCTL_TOKEN: 'x' });
    expect(await opsctl(['summary', '--url', `http://127.0.0.1:${await freePort()}`], down.io)).toBe(EXIT.failed);
    expect(down.err[0]).toMatch(/connection refused/);
  });
});

/** opsctl as `npm run opsctl` runs it; `output` grows as the process writes. */
function startOpsctl(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli/opsctl.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, CONTROL_ROOM_DATA_DIR: appData, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: [] as Buffer[], stderr: '' };
  child.stdout.on('data', (b: Buffer) => output.stdout.push(b));
  child.stderr.on('data', (b: Buffer) => (output.stderr += b));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: Buffer; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(output.stdout), stderr: output.stderr })),
  );
  return { child, output, done };
}

describe('opsctl as a process', () => {
  function run(args: string[], env: NodeJS.ProcessEnv, untilMs?: number) {
    const started = startOpsctl(args, env);
    if (untilMs) setTimeout(() => started.child.kill('SIGINT'), untilMs);
    return started.done;
  }

  it('pipes JSON to stdout and exits 0; errors exit non-zero with stderr only', async () => {
    const ok = await run(['frontend-logs', '--since', '1h', '--url', agent.url], { OPSCTL_TOKEN: agent.read });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout.toString())).toHaveProperty('errors');
    const bad = await run(['summary', '--url', agent.url], { OPSCTL_TOKEN: 'wrong' });
    expect(bad.code).toBe(EXIT.auth);
    expect(bad.stdout.length).toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  }, 30_000);

  it('writes a bundle to a redirected stdout', async () => {
    const file = join(appData, 'bundle.json.gz');
    const res = await run(['bundle', '--agent', '--out', file, '--url', agent.url], { OPSCTL_TOKEN: agent.admin });
    expect(res.code).toBe(0);
    expect(JSON.parse(gunzipSync(readFileSync(file)).toString())).toHaveProperty('context');
  }, 30_000);

  it('--follow prints new lines as they come, one JSON object per line, and stops on SIGINT', async () => {
    const opsctlProcess = startOpsctl(['logs', 'backend', '--tail', '1', '--follow', '--interval', '0.5', '--url', agent.url], { OPSCTL_TOKEN: agent.read });
    const lines = () => Buffer.concat(opsctlProcess.output.stdout).toString().split('\n').filter(Boolean);
    // The tail is one line: every further one was printed by the container after the follow began.
    await waitFor(() => lines().length > 3, 20_000, 'the follow printed no new lines');
    opsctlProcess.child.kill('SIGINT');
    const res = await opsctlProcess.done;
    expect(res.code).toBe(EXIT.ok);
    const messages = lines().map((l) => (JSON.parse(l) as { message: string }).message);
    expect(new Set(messages).size).toBe(messages.length); // nothing printed twice
  }, 30_000);

  it('opsctl agent token create makes a token the agent accepts', async () => {
    const res = await run(['agent', 'token', 'create', '--scope', 'read', '--plain'], { AGENT_DATA_DIR: agent.dataDir });
    expect(res.code).toBe(0);
    const token = res.stdout.toString().trim();
    expect((await agent.get('/api/ops/context', token)).status).toBe(200);
  }, 30_000);
});

describe('opsctl agent runs the agent as its own process', () => {
  let agentDir: string;
  beforeAll(() => {
    agentDir = mkdtempSync(join(tmpdir(), 'cr-opsctl-agent-'));
  });
  afterAll(() => rmSync(agentDir, { recursive: true, force: true }));

  it('serves until SIGTERM reaches it through opsctl, and opsctl exits with its code', async () => {
    const env = { AGENT_DATA_DIR: agentDir, AGENT_PORT: '0', AGENT_HOST: '127.0.0.1' };
    const made = startOpsctl(['agent', 'token', 'create', '--scope', 'read', '--plain'], env);
    expect((await made.done).code).toBe(0);
    const token = (await made.done).stdout.toString().trim();

    const serving = startOpsctl(['agent'], env);
    const listening = () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(Buffer.concat(serving.output.stdout).toString())?.[1];
    await waitFor(() => Boolean(listening()) || serving.child.exitCode !== null, 20_000, 'the agent did not start');
    const url = listening()!;
    expect((await fetch(`${url}/api/ops/frontend-logs?since=5m`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    serving.child.kill('SIGTERM');
    const res = await serving.done;
    expect(res.code).toBe(0); // the agent's own orderly exit, passed through
    expect(res.stderr).toContain('Stopping (SIGTERM).');
    await expect(fetch(url)).rejects.toThrow();
  }, 40_000);

  it('built, runs dist/agent/agent.cjs beside dist/cli/opsctl.cjs; from source, agent/main.ts through tsx', async () => {
    expect(agentCommandLine(join(REPO_ROOT, 'main', 'cli'))?.args.slice(-1)).toEqual([join(REPO_ROOT, 'agent', 'main.ts')]);
    // Built as scripts/build.mjs builds both, under node_modules so the bundles find their packages.
    const outRoot = join(REPO_ROOT, 'node_modules', '.cache', `opsctl-test-${process.pid}`);
    try {
      await esbuild({
        entryPoints: { opsctl: join(REPO_ROOT, 'main/cli/opsctl.ts') },
        outdir: join(outRoot, 'cli'),
        outExtension: { '.js': '.cjs' },
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        packages: 'external',
        logLevel: 'warning',
      });
      const agentBundle = await buildAgentServer({ outRoot, root: REPO_ROOT });
      expect(agentCommandLine(join(outRoot, 'cli'))).toEqual({ command: process.execPath, args: [agentBundle] });
      const res = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [join(outRoot, 'cli', 'opsctl.cjs'), 'agent', 'token', 'create', '--scope', 'read', '--plain'], {
          env: { ...process.env, AGENT_DATA_DIR: agentDir },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let stdout = '';
        child.stdout.on('data', (b: Buffer) => (stdout += b));
        child.on('exit', (code) => resolve({ code, stdout }));
      });
      expect(res.code).toBe(0);
      expect(res.stdout.trim()).toMatch(/^\S{20,}$/);
    } finally {
      rmSync(outRoot, { recursive: true, force: true });
    }
  }, 60_000);

  it('passes the agent’s exit code through', async () => {
    const res = await startOpsctl(['agent', 'token', 'revoke', 'no-such-token'], { AGENT_DATA_DIR: agentDir }).done;
    expect(res.code).toBe(4);
    expect(res.stderr.trim()).toBe('There is no active token no-such-token.');
  }, 30_000);
});

describe('opsctl with Docker targets: the local socket and through SSH', () => {
  let dockerData: string;
  let sshd: Sshd;
  const docker = (env: NodeJS.ProcessEnv = {}) => capture({ CONTROL_ROOM_DATA_DIR: dockerData, ...env });
  const RecentLogs = channels['logs:recent'].response;

  beforeAll(async () => {
    sshd = await startSshd();
    dockerData = mkdtempSync(join(tmpdir(), 'cr-opsctl-docker-'));
    // Saved as the app saves them; the SSH host key pinned as a user would after comparing it.
    const services = createServices({ dataDir: dockerData, credentials: new KeytarBackend() });
    try {
      await services.targets.create({ name: 'local-podman', environment: 'dev', kind: 'docker-local', settings: { socketPath: agent.podman!.socketPath } });
      const ssh = await services.targets.create({
        name: 'ssh-podman',
        environment: 'staging',
        kind: 'docker-ssh',
        settings: { host: '127.0.0.1', port: sshd.port, username: sshd.user, socketPath: agent.podman!.socketPath },
        secrets: { privateKey: sshd.clientPrivateKey },
      });
      services.connections.connection(ssh.id);
      await waitForState(services, ssh.id, (s) => s.status === 'untrusted-host-key');
      services.connections.trustHostKey(ssh.id, await sshd.hostKeyFingerprint());
      await waitForState(services, ssh.id, (s) => s.status === 'connected');
    } finally {
      services.close();
    }
  }, 60_000);

  afterAll(async () => {
    await sshd?.dispose();
    if (dockerData) rmSync(dockerData, { recursive: true, force: true });
  });

  it('sources: the containers with their compose service', async () => {
    const c = docker();
    expect(await opsctl(['sources', '--target', 'local-podman'], c.io)).toBe(EXIT.ok);
    const sources = channels['logs:sources'].response.parse(c.json());
    expect(sources.find((s) => s.key === 'container:shop-backend-1')).toMatchObject({ service: 'backend', project: 'shop' });
  });

  it.each(['local-podman', 'ssh-podman'])('logs of a container on %s: the contract’s entries, stdout and stderr apart', async (target) => {
    const c = docker();
    expect(await opsctl(['logs', 'shop-backend-1', '--target', target, '--tail', '6'], c.io)).toBe(EXIT.ok);
    const { entries } = RecentLogs.parse(c.json());
    expect(entries.length).toBeGreaterThan(1);
    expect(entries.length).toBeLessThanOrEqual(6);
    expect(entries.every((e) => e.container === 'shop-backend-1' && e.service === 'backend')).toBe(true);
    expect(entries.find((e) => e.stream === 'stderr')).toMatchObject({ level: 'warn', message: expect.stringMatching(/^warn: slow \d+$/) });
    expect(entries.find((e) => e.stream === 'stdout')?.message).toMatch(/^backend line \d+$/);
  });

  it('logs by compose service name, --plain and --since', async () => {
    const c = docker();
    expect(await opsctl(['logs', 'backend', '--target', 'ssh-podman', '--since', '10m', '--tail', '4', '--plain'], c.io)).toBe(EXIT.ok);
    expect(c.out.length).toBeGreaterThan(0);
    expect(c.out.every((line) => /^\d{4}-\d\d-\d\dT[\d:.]+Z [ !] (backend line|warn: slow) \d+$/.test(line))).toBe(true);
  });

  it('an unknown container is exit 4, with --follow too', async () => {
    const missing = docker();
    expect(await opsctl(['logs', 'no-such-container', '--target', 'local-podman'], missing.io)).toBe(EXIT.notFound);
    expect(missing.err).toEqual(['opsctl: local-podman has no container or compose service called "no-such-container" — opsctl sources lists them.']);
    const follow = docker();
    expect(await opsctl(['logs', 'no-such-container', '--target', 'ssh-podman', '--follow'], follow.io)).toBe(EXIT.notFound);
  });

  it('summary of a Docker target is its overview', async () => {
    const c = docker();
    expect(await opsctl(['summary', '--target', 'local-podman'], c.io)).toBe(EXIT.ok);
    const overview = channels['overview:get'].response.parse(c.json());
    expect(overview.projects.find((p) => p.project === 'shop')?.services.map((s) => s.service)).toContain('backend');
  });

  it('logs --follow prints a line the container prints after the follow started', async () => {
    await agent.podman!.run('late-printer', 'trap "exit 0" TERM; echo waiting; while [ ! -f /tmp/go ]; do sleep 0.1; done; echo "printed after the go"; while true; do sleep 1; done');
    const stop = new AbortController();
    const c = docker();
    c.io.stop = stop.signal;
    const following = opsctl(['logs', 'late-printer', '--target', 'local-podman', '--follow'], c.io);
    const messages = () => c.out.map((line) => (JSON.parse(line) as { message: string }).message);
    await waitFor(() => messages().includes('waiting'), 20_000, 'the follow did not print the tail');
    expect(messages()).not.toContain('printed after the go');
    await agent.podman!.cli(['exec', 'late-printer', 'sh', '-c', 'echo > /tmp/go']);
    await waitFor(() => messages().includes('printed after the go'), 20_000, 'the line printed after the start never came');
    stop.abort();
    expect(await following).toBe(EXIT.ok);
    expect(messages()).toEqual(['waiting', 'printed after the go']);
    expect(c.err).toEqual([]);
  }, 40_000);
});
