/**
 * opsctl against the real agent (with real podman containers behind it), using the app's saved
 * targets and a real keychain, and as a real process for stdout, exit codes and --follow.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, opsctl, type Io } from '../../../main/cli/opsctl';
import { createServices } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import { OpsContext } from '../../../shared/model/ops';
import { REPO_ROOT } from '../../support/app';
import { startKeyring, type Keyring } from '../../support/keyring';
import { composeLabels } from '../../support/podman';
import { freePort } from '../../support/sshd';
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
  await new Promise((r) => setTimeout(r, 1_200)); // a few log lines
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

  it('bundle: gzipped JSON, refused on a terminal', async () => {
    const c = capture();
    expect(await opsctl(['bundle'], c.io)).toBe(EXIT.ok);
    const bundle = JSON.parse(gunzipSync(Buffer.concat(c.bytes)).toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(bundle)).toEqual(expect.arrayContaining(['context']));
    const tty = capture();
    tty.io.stdoutIsTty = true;
    expect(await opsctl(['bundle'], tty.io)).toBe(EXIT.usage);
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
    expect(await opsctl(['bundle', '--url', agent.url], c.io)).toBe(EXIT.auth);
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
    const down = capture({ OPSCTL_TOKEN: 'x' });
    expect(await opsctl(['summary', '--url', `http://127.0.0.1:${await freePort()}`], down.io)).toBe(EXIT.failed);
    expect(down.err[0]).toMatch(/connection refused/);
  });
});

describe('opsctl as a process', () => {
  function run(args: string[], env: NodeJS.ProcessEnv, untilMs?: number): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli/opsctl.ts', ...args], {
        cwd: REPO_ROOT,
        env: { ...process.env, CONTROL_ROOM_DATA_DIR: appData, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => (stderr += b));
      if (untilMs) setTimeout(() => child.kill('SIGINT'), untilMs);
      child.on('exit', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
    });
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
    const res = await run(['bundle', '--out', file, '--url', agent.url], { OPSCTL_TOKEN: agent.admin });
    expect(res.code).toBe(0);
    expect(JSON.parse(gunzipSync(readFileSync(file)).toString())).toHaveProperty('context');
  }, 30_000);

  it('--follow prints new lines as they come, one JSON object per line', async () => {
    const res = await run(['logs', 'backend', '--tail', '1', '--follow', '--interval', '0.5', '--url', agent.url], { OPSCTL_TOKEN: agent.read }, 4_000);
    const lines = res.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as { message: string; ts: string });
    expect(lines.length).toBeGreaterThan(3);
    const messages = lines.map((l) => l.message);
    expect(new Set(messages).size).toBe(messages.length); // nothing printed twice
  }, 30_000);

  it('opsctl agent token create makes a token the agent accepts', async () => {
    const res = await run(['agent', 'token', 'create', '--scope', 'read', '--plain'], { AGENT_DATA_DIR: agent.dataDir });
    expect(res.code).toBe(0);
    const token = res.stdout.toString().trim();
    expect((await agent.get('/api/ops/context', token)).status).toBe(200);
  }, 30_000);
});
