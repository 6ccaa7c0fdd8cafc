/**
 * The agent as a real process: `node --import tsx agent/main.ts` exactly as `npm run agent` runs
 * it, and the esbuild bundle scripts/build.mjs ships (dist/agent/agent.cjs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpsContext } from '../../../shared/model/ops';
import { buildAgentServer } from '../../../agent/build.mjs';
import { REPO_ROOT } from '../../support/app';
import { stopProcess } from '../../support/keyring';

const SECRET = 'process-env-secret-4242';
let dir: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cr-agent-cli-'));
});

afterAll(async () => {
  await Promise.all(children.map((c) => stopProcess(c)));
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: Record<string, string> = {}, script = ['--import', 'tsx', 'agent/main.ts']) {
  const child = spawn(process.execPath, [...script, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH!, HOME: dir, AGENT_DATA_DIR: join(dir, 'data'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (c: Buffer) => (out.stdout += c));
  child.stderr!.on('data', (c: Buffer) => (out.stderr += c));
  const done = new Promise<Run>((resolve) => child.once('exit', (code) => resolve({ code, ...out })));
  return { child, out, done };
}

const run = (args: string[], env: Record<string, string> = {}, script?: string[]) => start(args, env, script).done;

function oneLine(text: string): string {
  const lines = text.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('agent CLI: configuration errors are one line and exit code 2', () => {
  it('a value of the wrong type in the file', async () => {
    writeFileSync(join(dir, 'bad-type.json'), JSON.stringify({ port: 'eighty' }));
    const result = await run(['--config', join(dir, 'bad-type.json')]);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toMatch(/^agent: Invalid agent configuration: port: .*number/i);
    expect(result.stdout).toBe('');
  });

  it('an unknown key (a typo would otherwise silently leave a section unconfigured)', async () => {
    writeFileSync(join(dir, 'typo.json'), JSON.stringify({ migration: { command: 'true' } }));
    const result = await run([], { CONTROL_ROOM_AGENT_CONFIG: join(dir, 'typo.json') });
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toBe('agent: Invalid agent configuration: unknown key "migration" at the top level (see agent/README.md).');
  });

  it('a missing or unparsable file, and a bad environment variable', async () => {
    const missing = await run(['--config', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(oneLine(missing.stderr)).toMatch(/nope\.json could not be read \(ENOENT\)/);
    writeFileSync(join(dir, 'broken.json'), '{ "port": ');
    const broken = await run(['--config', join(dir, 'broken.json')]);
    expect(broken.code).toBe(2);
    expect(oneLine(broken.stderr)).toMatch(/broken\.json is not a JSON object/);
    const env = await run([], { AGENT_PORT: 'lots' });
    expect(env.code).toBe(2);
    expect(oneLine(env.stderr)).toBe('agent: Invalid agent configuration: AGENT_PORT=lots is not a number.');
  });

  it('bad usage is exit code 2 too; --help is 0', async () => {
    const noScope = await run(['token', 'create']);
    expect(noScope.code).toBe(2);
    expect(oneLine(noScope.stderr)).toMatch(/--scope read or --scope admin/);
    expect((await run(['frobnicate'])).code).toBe(2);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/token create --scope read\|admin/);
  });
});

describe('agent CLI: tokens', () => {
  it('creates (printed once), lists (never the value) and revokes tokens', async () => {
    const created = await run(['token', 'create', '--scope', 'admin', '--label', 'ci']);
    expect(created.code).toBe(0);
    const token = JSON.parse(created.stdout) as { id: string; scope: string; label: string; token: string };
    expect(token).toMatchObject({ scope: 'admin', label: 'ci', token: expect.stringMatching(/^cra_[\w-]{43}$/) });
    expect(created.stderr).toMatch(/shown only this once/);
    const plain = await run(['token', 'create', '--scope', 'read', '--plain']);
    expect(plain.stdout).toMatch(/^cra_[\w-]{43}\n$/);

    const listed = await run(['token', 'list']);
    expect(listed.code).toBe(0);
    const tokens = JSON.parse(listed.stdout) as { id: string; scope: string }[];
    expect(tokens.map((t) => t.scope).sort()).toEqual(['admin', 'read']);
    expect(listed.stdout).not.toContain('cra_');

    expect((await run(['token', 'revoke', token.id])).code).toBe(0);
    const again = await run(['token', 'revoke', token.id]);
    expect(again.code).toBe(4);
    expect(oneLine(again.stderr)).toBe(`There is no active token ${token.id}.`);
  });
});

describe('agent CLI: serving', () => {
  it('listens on loopback, answers with a token, redacts its own secret env values in bundles, and stops on SIGTERM', async () => {
    const admin = JSON.parse((await run(['token', 'create', '--scope', 'admin'])).stdout).token as string;
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ port: 0, docker: { socket: join(dir, 'no.sock') }, migrations: { command: `echo "secret is ${SECRET}"` } }));
    const agent = start(['--config', join(dir, 'agent.json')], { PAYMENTS_API_KEY: SECRET });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(agent.out.stdout);
        if (match) {
          clearInterval(timer);
          resolve(match[1]!);
        }
      }, 50);
      void agent.done.then((r) => reject(new Error(`the agent exited: ${r.stderr}`)));
    });
    const headers = { authorization: `Bearer ${admin}` };
    const context = OpsContext.parse(await (await fetch(`${url}/api/ops/context`, { headers })).json());
    expect(context.host.ok).toBe(true);
    // The section shows the command output to a token holder...
    expect(context.migrations.ok && context.migrations.data.output).toContain(SECRET);
    // ...but a bundle, made to be shared, never carries it.
    const bundle = gunzipSync(Buffer.from(await (await fetch(`${url}/api/ops/support-bundle`, { headers })).arrayBuffer())).toString('utf8');
    expect(bundle).toContain('secret is [redacted]');
    expect(bundle).not.toContain(SECRET);
    expect(bundle).not.toContain(admin);
    expect((await fetch(`${url}/api/ops/context`)).status).toBe(401);

    agent.child.kill('SIGTERM');
    const exit = await agent.done;
    expect(exit.code).toBe(0);
    expect(exit.stderr).toMatch(/Stopping \(SIGTERM\)/);
  });

  it('reports a port in use in one line, exit code 1', async () => {
    const blocker = start(['--config', join(dir, 'agent.json')]);
    const url = await new Promise<string>((resolve) => {
      const timer = setInterval(() => {
        const match = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(blocker.out.stdout);
        if (match) {
          clearInterval(timer);
          resolve(match[2]!);
        }
      }, 50);
    });
    const second = await run([], { AGENT_PORT: url, AGENT_DATA_DIR: join(dir, 'data2') });
    expect(second.code).toBe(1);
    expect(oneLine(second.stderr)).toMatch(new RegExp(`Port ${url} on 127\\.0\\.0\\.1 is already in use`));
    await stopProcess(blocker.child);
  });

  it('the bundle scripts/build.mjs ships (agent.cjs) runs the same CLI', async () => {
    // Built under node_modules/.cache so its external packages resolve from the repository.
    const outRoot = join(REPO_ROOT, 'node_modules', '.cache', `agent-cli-test-${process.pid}`);
    mkdirSync(outRoot, { recursive: true });
    try {
      const file = await buildAgentServer({ outRoot, root: REPO_ROOT });
      const created = await run(['token', 'create', '--scope', 'read', '--plain'], {}, [file]);
      expect(created.code).toBe(0);
      expect(created.stdout).toMatch(/^cra_/);
      const bad = await run([], { AGENT_PORT: '-1' }, [file]);
      expect(bad.code).toBe(2);
      expect(oneLine(bad.stderr)).toMatch(/Invalid agent configuration: port/);
    } finally {
      rmSync(outRoot, { recursive: true, force: true });
    }
  });
});
