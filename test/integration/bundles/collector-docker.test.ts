/**
 * The collector on a real docker-ssh target (sshd in front of podman, a real keychain): the
 * exported .tar.gz opens, its manifest lists every file with the right sha256, each section is
 * there (or a note says why not), caps keep the newest lines and say so, progress arrives, a
 * cancel leaves no file, and a target that cannot be reached still gets a bundle from the cache.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportProgress } from '../../../shared/model/bundle';
import type { LogEntry } from '../../../shared/model/logs';
import { readRecentLogs } from '../../../main/services/logs/recent-logs';
import { startDockerFixture, waitForState, type DockerFixture } from '../../support/docker-fixture';
import { waitFor } from '../../support/keyring';
import { BUSYBOX_IMAGE, composeLabels } from '../../support/podman';
import { manifestOf, unpackBundle } from './bundle-support';

const ENV_TOKEN = `env-${Math.random().toString(36).slice(2)}-secret`;
let fx: DockerFixture;
let targetId: string;

function lines(source: string, count: number, fromMs: number, stepMs: number, text = 'cached line'): LogEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    ts: new Date(fromMs + i * stepMs).toISOString(),
    target: targetId,
    service: 'backend',
    container: source,
    stream: 'stdout' as const,
    level: i % 10 === 0 ? ('error' as const) : null,
    message: `${text} ${i}`,
  }));
}

async function exportAndWait(request: Parameters<DockerFixture['services']['bundles']['startExport']>[0]): Promise<ExportProgress> {
  const started = fx.services.bundles.startExport(request);
  return fx.services.bundles.exportSettled(started.exportId);
}

beforeAll(async () => {
  fx = await startDockerFixture();
  const target = await fx.services.targets.create({
    name: 'shop-prod',
    environment: 'prod',
    kind: 'docker-ssh',
    settings: { host: '127.0.0.1', port: fx.sshd.port, username: 'root', socketPath: fx.podman.socketPath },
    secrets: { privateKey: fx.sshd.clientPrivateKey },
  });
  targetId = target.id;
  // Connections are made on first use.
  fx.services.connections.connection(targetId).ready().catch(() => undefined);
  await waitForState(fx.services, targetId, (s) => s.status === 'untrusted-host-key');
  fx.services.connections.trustHostKey(targetId, await fx.sshd.hostKeyFingerprint());
  await waitForState(fx.services, targetId, (s) => s.status === 'connected');
  // A container with a secret in its environment that it also prints.
  const labels = Object.entries(composeLabels('shop', 'worker')).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  await fx.podman.cli(['run', '-d', '--name', 'shop-worker-1', '-e', `API_TOKEN=${ENV_TOKEN}`, ...labels, BUSYBOX_IMAGE, 'sh', '-c', 'trap "exit 0" TERM; echo "token is $API_TOKEN"; while true; do sleep 1; done']);
  const now = Date.now();
  // An hour of cached lines in the window, and some from yesterday that must stay out.
  fx.services.logs.cache.insert(lines('shop-backend-1', 3_000, now - 50 * 60_000, 1_000));
  fx.services.logs.cache.insert(lines('shop-backend-1', 100, now - 26 * 3_600_000, 1_000, 'yesterday'));
}, 90_000);

afterAll(async () => {
  await fx?.dispose();
});

describe('a docker-ssh bundle', () => {
  it('opens, lists every file with its sha256, and holds each section or says why not', async () => {
    const events: ExportProgress[] = [];
    const off = fx.services.bundles.onProgress((progress) => events.push(progress));
    const done = await exportAndWait({ targetId, window: { mode: 'last', minutes: 60 } });
    off();
    expect(done.state, done.message).toBe('done');
    expect(done.bundle?.id).toMatch(/^shop-prod-\d{8}-\d{6}\.tar\.gz$/);
    expect(events.some((e) => e.state === 'running' && e.section === 'logs')).toBe(true);
    expect(events.at(-1)?.state).toBe('done');

    const files = await unpackBundle(join(fx.services.bundles.folder, done.bundle!.id));
    const manifest = manifestOf(files);
    expect(manifest.target).toMatchObject({ id: targetId, name: 'shop-prod', kind: 'docker-ssh', environment: 'prod' });
    for (const file of manifest.files) {
      const bytes = files.get(file.path);
      expect(bytes, file.path).toBeDefined();
      expect(createHash('sha256').update(bytes!).digest('hex'), file.path).toBe(file.sha256);
      expect(bytes!.length).toBe(file.bytes);
    }
    const paths = manifest.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['app.json', 'context.json', 'logs/shop-backend-1.ndjson', 'probes.json', 'alerts.json', 'audit.json']));

    const context = JSON.parse(files.get('context.json')!.toString()) as { kind: string; containers: { name: string; imageTags: string[]; imageId: string; labels: Record<string, string>; env: string[] }[] };
    expect(context.kind).toBe('docker');
    const backend = context.containers.find((c) => c.name === 'shop-backend-1')!;
    expect(backend.imageTags).toContain('localhost/local/busybox:latest');
    expect(backend.imageId).not.toBe('');
    expect(backend.labels['com.docker.compose.service']).toBe('backend');
    expect(backend.env.some((pair) => pair.startsWith('PATH='))).toBe(true);

    const logLines = files.get('logs/shop-backend-1.ndjson')!.toString().trim().split('\n').map((line) => JSON.parse(line) as LogEntry);
    const cached = logLines.filter((entry) => entry.message.startsWith('cached line'));
    expect(cached).toHaveLength(3_000);
    expect(logLines.some((entry) => entry.message.startsWith('yesterday'))).toBe(false);
    // The fresh tail from the running container is merged in, in time order.
    expect(logLines.some((entry) => entry.message.startsWith('backend line'))).toBe(true);
    const times = logLines.map((entry) => Date.parse(entry.ts));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    expect(manifest.notes).toEqual(
      expect.arrayContaining([
        { section: 'agent-bundle', message: 'Only ops API targets have an agent bundle.' },
        { section: 'frontend-errors', message: 'Only ops API targets report frontend errors.' },
      ]),
    );
    expect(manifest.cut).toEqual([]);
    // The worker's environment secret is masked in its context and in its printed line.
    for (const [path, bytes] of files) expect(bytes.includes(ENV_TOKEN), path).toBe(false);
    expect(files.get('logs/shop-worker-1.ndjson')!.toString()).toContain('token is ');
    expect(manifest.redaction.counts.filter((c) => c.file === 'logs/shop-worker-1.ndjson' || c.file === 'context.json').length).toBeGreaterThan(0);
    const audit = fx.services.audit.list({ targetId, subjectKind: 'bundle' });
    expect(audit[0]).toMatchObject({ action: 'export', outcome: 'ok', detail: { file: done.bundle!.id } });
    expect(fx.services.bundles.list().map((b) => b.id)).toContain(done.bundle!.id);
  }, 60_000);

  it('keeps the newest lines within the caps and says what was cut', async () => {
    const done = await exportAndWait({ targetId, window: { mode: 'last', minutes: 60 }, exclude: ['context'], limits: { logLinesPerSource: 500 } });
    expect(done.state, done.message).toBe('done');
    const files = await unpackBundle(join(fx.services.bundles.folder, done.bundle!.id));
    const manifest = manifestOf(files);
    const logLines = files.get('logs/shop-backend-1.ndjson')!.toString().trim().split('\n').map((line) => JSON.parse(line) as LogEntry);
    expect(logLines).toHaveLength(500);
    const newestCached = logLines.filter((entry) => entry.message.startsWith('cached line'));
    // The fresh tail is newer than every cached line: it is kept first, then the newest cached lines.
    if (newestCached.length) expect(newestCached.at(-1)!.message).toBe('cached line 2999');
    const cut = manifest.cut.find((c) => c.file === 'logs/shop-backend-1.ndjson');
    expect(cut).toMatchObject({ keptLines: 500 });
    expect(cut!.droppedLines).toBeGreaterThanOrEqual(2_500);
    expect(cut!.reason).toMatch(/500 lines per source: the newest lines are kept/);
    expect(manifest.notes).toContainEqual({ section: 'context', message: 'Left out when the bundle was made.' });
    expect(manifest.files.some((f) => f.path === 'context.json')).toBe(false);
  }, 60_000);

  it('merges the fresh tail with the cache without repeating a line', async () => {
    // The cache already holds what the container printed so far (as a follow would have written it).
    const recent = () => readRecentLogs(fx.services, { targetId, sources: ['container:shop-frontend-1'], since: new Date(Date.now() - 3_600_000).toISOString() });
    // It prints "frontend" once a second: identical messages, told apart by their times.
    await waitFor(async () => (await recent()).entries.length >= 3, 15_000, 'shop-frontend-1 printed fewer than 3 lines');
    const { entries } = await recent();
    fx.services.logs.cache.insert(entries);
    const done = await exportAndWait({ targetId, window: { mode: 'last', minutes: 60 }, exclude: ['context', 'probes', 'alerts', 'runs', 'audit'] });
    expect(done.state, done.message).toBe('done');
    const files = await unpackBundle(join(fx.services.bundles.folder, done.bundle!.id));
    const kept = files.get('logs/shop-frontend-1.ndjson')!.toString().trim().split('\n').map((line) => JSON.parse(line) as LogEntry);
    const keys = kept.map((entry) => `${entry.ts} ${entry.stream} ${entry.message}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const entry of entries) expect(keys).toContain(`${entry.ts} ${entry.stream} ${entry.message}`);
    // And the tail adds what the cache does not have yet (the container prints every second).
    expect(kept.length).toBeGreaterThanOrEqual(entries.length);
  }, 60_000);

  it('estimates each section before collecting', async () => {
    const estimate = await fx.services.bundles.estimate({ targetId, window: { mode: 'last', minutes: 60 }, limits: { logLinesPerSource: 1_000 } });
    const logs = estimate.sections.find((s) => s.id === 'logs')!;
    // The backend's 3,000 cached lines, and the frontend's few the merge test cached.
    const cached = fx.services.logs.cache.sourcesOfTarget(targetId).reduce((n, { source }) => n + fx.services.logs.cache.windowTotals(targetId, source, Date.now() - 3_600_000, Date.now()).lines, 0);
    expect(logs.lines).toBe(cached);
    expect(cached).toBeGreaterThanOrEqual(3_000);
    expect(logs.bytes).toBeGreaterThan(3_000 * 20);
    expect(logs.overCapBytes).toBeGreaterThan(0);
    expect(estimate.sections.find((s) => s.id === 'agent-bundle')).toMatchObject({ available: false, note: 'Only ops API targets have an agent bundle.' });
    expect(estimate.window.description).toBe('the last hour');
    // Since the last deploy: the newest start among the compose containers (the worker, started last).
    const worker = JSON.parse(await fx.podman.cli(['inspect', 'shop-worker-1'])) as { State: { StartedAt: string } }[];
    const sinceDeploy = await fx.services.bundles.estimate({ targetId, window: { mode: 'since-deploy' } });
    expect(sinceDeploy.window.description).toMatch(/^since the last deploy \(the newest compose container start, /);
    expect(Math.abs(Date.parse(sinceDeploy.window.from) - Date.parse(worker[0]!.State.StartedAt))).toBeLessThan(1_000);
  });

  it('keeps to the total budget: the newest lines that fit, and a note of the rest', async () => {
    fx.services.logs.cache.insert(lines('shop-backend-1', 20_000, Date.now() - 40 * 60_000, 100, 'x'.repeat(200)));
    const done = await exportAndWait({ targetId, window: { mode: 'last', minutes: 60 }, limits: { totalBytes: 1024 * 1024, logLinesPerSource: 1_000_000, logBytesPerSource: 1024 ** 3 } });
    expect(done.state, done.message).toBe('done');
    const files = await unpackBundle(join(fx.services.bundles.folder, done.bundle!.id));
    const manifest = manifestOf(files);
    const total = manifest.files.reduce((sum, file) => sum + file.bytes, 0);
    expect(total).toBeLessThanOrEqual(1024 * 1024);
    // The logs leave room for the sections after them.
    expect(manifest.files.map((f) => f.path)).toEqual(expect.arrayContaining(['probes.json', 'alerts.json', 'audit.json']));
    expect(manifest.cut.map((c) => c.file)).toEqual(['logs/shop-backend-1.ndjson']);
    const cut = manifest.cut.find((c) => c.file === 'logs/shop-backend-1.ndjson');
    expect(cut?.reason).toBe("Over the bundle's total budget: the newest lines that fit are kept.");
    const kept = files.get('logs/shop-backend-1.ndjson')!.toString().trim().split('\n');
    expect(kept.length).toBe(cut!.keptLines);
    const last = JSON.parse(kept.at(-1)!) as LogEntry;
    expect(Date.now() - Date.parse(last.ts)).toBeLessThan(5 * 60_000);
  }, 60_000);

  it('cancel midway leaves no file', async () => {
    const before = readdirSync(fx.services.bundles.folder).filter((name) => !name.startsWith('.'));
    const started = fx.services.bundles.startExport({ targetId, window: { mode: 'last', minutes: 60 } });
    const off = fx.services.bundles.onProgress((progress) => {
      if (progress.exportId === started.exportId && progress.section === 'logs') fx.services.bundles.cancelExport(started.exportId);
    });
    const settled = await fx.services.bundles.exportSettled(started.exportId);
    off();
    expect(settled.state).toBe('canceled');
    expect(settled.bundle).toBeNull();
    expect(readdirSync(fx.services.bundles.folder).filter((name) => !name.startsWith('.'))).toEqual(before);
  }, 60_000);
});

describe('an unreachable docker target', () => {
  it('still gets a bundle from the cache, with a note', async () => {
    const down = await fx.services.targets.create({
      name: 'gone-host',
      environment: 'staging',
      kind: 'docker-ssh',
      // Nothing listens on port 1.
      settings: { host: '127.0.0.1', port: 1, username: 'root', socketPath: fx.podman.socketPath },
      secrets: { privateKey: fx.sshd.clientPrivateKey },
    });
    const now = Date.now();
    fx.services.logs.cache.insert(
      Array.from({ length: 20 }, (_, i) => ({ ts: new Date(now - 600_000 + i * 1_000).toISOString(), target: down.id, service: 'api', container: 'gone-api-1', stream: 'stderr' as const, level: 'error' as const, message: `offline line ${i}` })),
    );
    const done = await exportAndWait({ targetId: down.id, window: { mode: 'since-deploy' } });
    expect(done.state, done.message).toBe('done');
    const files = await unpackBundle(join(fx.services.bundles.folder, done.bundle!.id));
    const manifest = manifestOf(files);
    // No deploy time to be had: the last hour, and the manifest says why.
    expect(manifest.window.description).toBe('the last hour (no deploy time found)');
    expect(manifest.notes).toContainEqual({ section: 'context', message: expect.stringMatching(/^The last deploy's time could not be found \(.+\), so the bundle covers the last hour\.$/) });
    expect(files.get('logs/gone-api-1.ndjson')!.toString().trim().split('\n')).toHaveLength(20);
    expect(manifest.notes.some((n) => n.section === 'context' && /^Could not be collected: gone-host .* is not reachable/.test(n.message))).toBe(true);
    expect(manifest.notes.find((n) => n.section === 'logs')?.message).toMatch(/gone-host could not be reached for a fresh tail .*; the lines are from the log cache only\./);
  }, 60_000);
});
