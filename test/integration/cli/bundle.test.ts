/**
 * `opsctl bundle` against the app's saved targets: a local Docker target on real podman and an
 * ops API target on the real agent, with the real keychain. opsctl runs in this process through
 * createApi like the other opsctl tests, and once as a process with stdout redirected to a file.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, opsctl } from '../../../main/cli/opsctl';
import { createServices } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import { channels } from '../../../shared/contract';
import { REPO_ROOT } from '../../support/app';
import { startKeyring, waitFor, type Keyring } from '../../support/keyring';
import { composeLabels, startPodman, type Podman } from '../../support/podman';
import { startAgentFixture, type AgentFixture } from '../agent/agent-fixture';
import { captureOpsctl, isGzip, manifestOf, unpackBundle } from '../bundles/bundle-support';

let keyring: Keyring;
let podman: Podman;
let agent: AgentFixture;
let appData: string;
let work: string;

beforeAll(async () => {
  [keyring, podman, agent] = await Promise.all([startKeyring(), startPodman(), startAgentFixture()]);
  keyring.useInThisProcess();
  await podman.run('shop-backend-1', 'trap "exit 0" TERM; i=0; while true; do echo "backend line $i"; echo "error: boom $i" >&2; i=$((i+1)); sleep 0.3; done', composeLabels('shop', 'backend'));
  appData = mkdtempSync(join(tmpdir(), 'cr-opsctl-bundle-'));
  work = mkdtempSync(join(tmpdir(), 'cr-opsctl-bundle-files-'));
  const services = createServices({ dataDir: appData, credentials: new KeytarBackend(), probes: { background: false } });
  try {
    await services.targets.create({ name: 'local-podman', environment: 'dev', kind: 'docker-local', settings: { socketPath: podman.socketPath } });
    await services.targets.create({ name: 'prod-api', environment: 'prod', kind: 'ops-api', settings: { baseUrl: agent.url }, secrets: { apiToken: agent.admin } });
  } finally {
    services.close();
  }
  await waitFor(async () => ((await podman.cli(['logs', 'shop-backend-1'])).match(/backend line \d+/g) ?? []).length >= 3, 15_000, 'shop-backend-1 printed no lines');
}, 90_000);

afterAll(async () => {
  await Promise.all([podman?.stop(), agent?.stop()]);
  await keyring?.stop();
  for (const dir of [appData, work]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const run = async (args: string[], tweak: (c: ReturnType<typeof captureOpsctl>) => void = () => undefined) => {
  const c = captureOpsctl(appData);
  tweak(c);
  const code = await opsctl(args, c.io);
  return { code, ...c };
};

/** A bundle written by opsctl to `name` in the work folder; its path. */
async function bundleFile(name: string, args: string[]): Promise<string> {
  const file = join(work, name);
  const res = await run(['bundle', ...args, '--out', file]);
  expect(res.err.join('\n'), res.err.join('\n')).toMatch(/^Wrote \d+ bytes to /);
  expect(res.code).toBe(EXIT.ok);
  return file;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const bundlesFolder = () => (existsSync(join(appData, 'bundles')) ? readdirSync(join(appData, 'bundles')).filter((f) => f.endsWith('.gz')) : []);

describe('opsctl bundle: the app’s bundle for every target kind', () => {
  it('a Docker target: a .tar.gz on stdout with the window, its logs and the section left out', async () => {
    const res = await run(['bundle', '--target', 'local-podman', '--since', '30m', '--exclude', 'audit,alerts']);
    expect(res.err).toEqual([]);
    expect(res.code).toBe(EXIT.ok);
    const stdout = res.stdout();
    expect(isGzip(stdout)).toBe(true);
    const file = join(work, 'stdout.tar.gz');
    writeFileSync(file, stdout);
    const files = await unpackBundle(file);
    const manifest = manifestOf(files);
    expect(manifest.target).toMatchObject({ name: 'local-podman', kind: 'docker-local', environment: 'dev' });
    expect(Date.parse(manifest.window.to) - Date.parse(manifest.window.from)).toBe(30 * 60_000);
    expect(manifest.sections.find((s) => s.id === 'audit')).toMatchObject({ included: false, files: 0 });
    expect(manifest.sections.find((s) => s.id === 'alerts')).toMatchObject({ included: false, files: 0 });
    const logs = manifest.files.filter((f) => f.section === 'logs');
    expect(logs.length).toBeGreaterThan(0);
    const text = logs.map((f) => files.get(f.path)!.toString('utf8')).join('');
    expect(text).toMatch(/backend line \d+/);
    for (const f of manifest.files) expect(createHash('sha256').update(files.get(f.path)!).digest('hex')).toBe(f.sha256);
  }, 60_000);

  it('an ops API target: --around with --minutes, --out FILE, the agent’s bundle embedded', async () => {
    const at = new Date(Date.now() - 5 * 60_000).toISOString();
    const file = await bundleFile('prod.tar.gz', ['--target', 'prod-api', '--around', at, '--minutes', '10']);
    const files = await unpackBundle(file);
    const manifest = manifestOf(files);
    expect(manifest.target).toMatchObject({ name: 'prod-api', kind: 'ops-api' });
    expect(Date.parse(manifest.window.from)).toBe(Date.parse(at) - 10 * 60_000);
    expect(Date.parse(manifest.window.to)).toBe(Date.parse(at) + 10 * 60_000);
    expect(manifest.files.map((f) => f.path)).toEqual(expect.arrayContaining(['context.json', 'agent-bundle.json.gz']));
    expect(isGzip(files.get('agent-bundle.json.gz')!)).toBe(true);
  }, 60_000);

  it('--since-deploy: from the newest compose container start', async () => {
    const file = await bundleFile('since-deploy.tar.gz', ['--target', 'local-podman', '--since-deploy', '--exclude', 'logs']);
    const manifest = manifestOf(await unpackBundle(file));
    expect(manifest.window.description).toMatch(/^since the last deploy \(/);
    // podman prints `2026-01-02 03:04:05.123456789 +0000 UTC`.
    const [, day, time] = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)/.exec(await podman.cli(['inspect', '--format', '{{.State.StartedAt}}', 'shop-backend-1']))!;
    expect(Math.abs(Date.parse(manifest.window.from) - Date.parse(`${day}T${time}Z`))).toBeLessThan(2_000);
  }, 60_000);

  it('progress goes to stderr when a person watches it', async () => {
    const res = await run(['bundle', '--target', 'local-podman', '--exclude', 'logs', '--out', join(work, 'watched.tar.gz')], (c) => (c.io.stderrIsTty = true));
    expect(res.code).toBe(EXIT.ok);
    const progress = res.err.filter((line) => /^\d{1,3}% /.test(line));
    expect(progress.length).toBeGreaterThan(0);
    expect(res.err.at(-1)).toMatch(/^Wrote \d+ bytes to .*watched\.tar\.gz/);
  }, 60_000);

  it('refuses a terminal for stdout, and wrong windows or sections, each with one sentence and exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['bundle', '--target', 'local-podman'], /^opsctl: The bundle is binary: redirect it/],
      [['bundle', '--target', 'local-podman', '--since', '5x', '--out', 'x'], /^opsctl: --since takes a duration from 1m to 30d/],
      [['bundle', '--target', 'local-podman', '--since', '1h', '--since-deploy', '--out', 'x'], /^opsctl: Choose one window: --since, --around or --since-deploy\.$/],
      [['bundle', '--target', 'local-podman', '--minutes', '5', '--out', 'x'], /^opsctl: --minutes goes with --around TIME\.$/],
      [['bundle', '--target', 'local-podman', '--exclude', 'logs,bogus', '--out', 'x'], /^opsctl: --exclude takes sections \(.*\); not bogus\.$/],
      [['bundle', 'diff', 'only-one.tar.gz'], /^opsctl: Name two bundle files: opsctl bundle diff A B\.$/],
      [['bundle', 'frobnicate'], /^opsctl: Unknown bundle command "frobnicate"/],
    ];
    for (const [args, sentence] of cases) {
      const res = await run(args, (c) => (c.io.stdoutIsTty = true));
      expect(res.code, args.join(' ')).toBe(EXIT.usage);
      expect(res.err, args.join(' ')).toHaveLength(1);
      expect(res.err[0]).toMatch(sentence);
    }
    const missing = await run(['bundle', '--target', 'nope', '--out', join(work, 'nope.tar.gz')]);
    expect(missing.code).toBe(EXIT.notFound);
    expect(missing.err).toEqual(['opsctl: No target named "nope" — opsctl targets lists them.']);
  });

  it('--agent: the agent’s own bundle of an ops API target; refused for a Docker target', async () => {
    const res = await run(['bundle', '--agent', '--target', 'prod-api']);
    expect(res.code).toBe(EXIT.ok);
    expect(isGzip(res.stdout())).toBe(true);
    const docker = await run(['bundle', '--agent', '--target', 'local-podman']);
    expect(docker.code).toBe(EXIT.usage);
    expect(docker.err).toEqual(['opsctl: local-podman is a Docker target; --agent needs an ops API target.']);
  }, 30_000);
});

describe('opsctl bundle diff and redact: files on disk', () => {
  let before: string;
  let after: string;
  beforeAll(async () => {
    before = await bundleFile('before.tar.gz', ['--target', 'local-podman', '--since', '10m']);
    await podman.run('shop-worker-1', 'trap "exit 0" TERM; echo "worker up"; while true; do sleep 1; done', composeLabels('shop', 'worker'));
    after = await bundleFile('after.tar.gz', ['--target', 'local-podman', '--since', '10m']);
  }, 90_000);

  it('diff: the contract’s JSON, the new container in it; the uploaded copies are gone again', async () => {
    const kept = bundlesFolder();
    const res = await run(['bundle', 'diff', before, after]);
    expect(res.err).toEqual([]);
    expect(res.code).toBe(EXIT.ok);
    const diff = channels['bundles:diff'].response.parse(res.json());
    expect(diff.containers.added).toContain('shop-worker-1');
    expect(diff.same).toBe(false);
    expect(bundlesFolder().sort()).toEqual(kept.sort());
  }, 60_000);

  it('diff --plain: a summary for people; a bundle against itself is "Nothing changed."', async () => {
    const res = await run(['bundle', 'diff', before, after, '--plain']);
    expect(res.code).toBe(EXIT.ok);
    expect(res.out[0]).toMatch(/ → /);
    expect(res.out).toContain('Container added: shop-worker-1');
    const same = await run(['bundle', 'diff', before, before, '--plain']);
    expect(same.code).toBe(EXIT.ok);
    expect(same.out.at(-1)).toBe('Nothing changed.');
  }, 60_000);

  it('diff of a file that is not a bundle, or not there: one sentence, nothing kept', async () => {
    const kept = bundlesFolder();
    const junk = join(work, 'junk.tar.gz');
    writeFileSync(junk, 'not a bundle at all');
    const res = await run(['bundle', 'diff', before, junk]);
    expect(res.code).toBe(EXIT.failed);
    expect(res.err).toHaveLength(1);
    expect(res.err[0]).toMatch(/^opsctl: The file .* is not a Control Room or agent bundle/);
    const gone = await run(['bundle', 'diff', before, join(work, 'missing.tar.gz')]);
    expect(gone.code).toBe(EXIT.notFound);
    expect(gone.err).toEqual([`opsctl: There is no file ${join(work, 'missing.tar.gz')}.`]);
    expect(bundlesFolder().sort()).toEqual(kept.sort());
  }, 30_000);

  it('redact IN OUT: a new bundle that says where it came from; IN untouched; OUT = IN refused', async () => {
    const inSha = sha256(before);
    const out = join(work, 'before-clean.tar.gz');
    const res = await run(['bundle', 'redact', before, out]);
    expect(res.err).toEqual([]);
    expect(res.code).toBe(EXIT.ok);
    expect(res.json<{ file: string; bytes: number }>()).toEqual({ file: out, bytes: readFileSync(out).length });
    expect(sha256(before)).toBe(inSha);
    const original = manifestOf(await unpackBundle(before));
    const redacted = manifestOf(await unpackBundle(out));
    expect(redacted.redactedFrom).toEqual({ created: original.created, sha256: inSha });
    expect(redacted.target).toEqual(original.target);

    const same = await run(['bundle', 'redact', before, join(work, '.', 'before.tar.gz')]);
    expect(same.code).toBe(EXIT.usage);
    expect(same.err).toEqual(['opsctl: OUT is IN: re-redacting writes a new file and never overwrites the original; name another OUT.']);
    expect(sha256(before)).toBe(inSha);
  }, 60_000);
});

describe('opsctl bundle as a process', () => {
  it('writes the .tar.gz to a redirected stdout and exits 0, stderr quiet', async () => {
    const file = join(work, 'redirected.tar.gz');
    const fd = openSync(file, 'w');
    const res = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli/opsctl.ts', 'bundle', '--target', 'local-podman', '--since', '15m'], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...keyring.env, CONTROL_ROOM_DATA_DIR: appData },
        stdio: ['ignore', fd, 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (b: Buffer) => (stderr += b));
      child.on('exit', (code) => resolve({ code, stderr }));
    });
    closeSync(fd);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const manifest = manifestOf(await unpackBundle(file));
    expect(manifest.target.name).toBe('local-podman');
  }, 60_000);
});
