/**
 * The bundles service around its folder, with real parts (services on a temp dir, the real
 * keychain, an ops-API target on the real agent): the preview's dry pass, list / read / delete,
 * import (a good file kept, a truncated one refused and removed), open with its view, logs page
 * by page with filters, re-redaction into a new file with the original untouched, and a diff.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../../main/services';
import { BundleFolder } from '../../../main/services/bundles/bundle-folder';
import type { BundleFile, ExportProgress } from '../../../shared/model/bundle';
import type { Target } from '../../../shared/model/target';
import type { AgentFixture } from '../agent/agent-fixture';
import { manifestOf, startOpsApiServices, unpackBundle, type OpsApiServices } from './bundle-support';

const CODENAME = 'bluebird-7781';
let rig: OpsApiServices;
let agent: AgentFixture;
let services: Services;
let target: Target;
let first: BundleFile;

async function exportBundle(): Promise<ExportProgress> {
  const started = services.bundles.startExport({ targetId: target.id, window: { mode: 'last', minutes: 60 }, exclude: ['agent-bundle'] });
  return services.bundles.exportSettled(started.exportId);
}

/** Uploads bytes as the renderer does: begin, 100 KiB base64 chunks, end. */
async function upload(name: string, bytes: Buffer): Promise<BundleFile | null> {
  const { uploadId } = services.bundles.importBegin(name);
  for (let at = 0; at < bytes.length; at += 100 * 1024) services.bundles.importWrite(uploadId, bytes.subarray(at, at + 100 * 1024).toString('base64'));
  return services.bundles.importEnd(uploadId, false);
}

beforeAll(async () => {
  rig = await startOpsApiServices({ dirPrefix: 'cr-bundle-svc-', target: { name: 'svc-api', environment: 'staging' } });
  ({ agent, services, target } = rig);
  const now = Date.now();
  services.logs.cache.insert(
    Array.from({ length: 1_200 }, (_, i) => ({
      ts: new Date(now - 1_200_000 + i * 1_000).toISOString(),
      target: target.id,
      service: i % 2 ? 'web' : 'worker',
      container: i % 2 ? 'web' : 'worker',
      stream: 'stdout' as const,
      level: i % 100 === 0 ? ('error' as const) : ('info' as const),
      message: i % 300 === 0 ? `project ${CODENAME} checkpoint ${i}` : `line ${i}`,
    })),
  );
  const done = await exportBundle();
  expect(done.state, done.message).toBe('done');
  first = done.bundle!;
}, 60_000);

afterAll(async () => {
  await rig?.dispose();
});

describe('the bundles folder', () => {
  it('lists the export with facts from its manifest, reads it in chunks, and deletes', async () => {
    expect(services.bundles.list()).toContainEqual(expect.objectContaining({ id: first.id, kind: 'control-room', targetName: 'svc-api', environment: 'staging', window: 'the last hour' }));
    const file = join(services.bundles.folder, first.id);
    const chunks: Buffer[] = [];
    for (let offset = 0, eof = false; !eof; ) {
      const read = services.bundles.read(first.id, offset);
      chunks.push(Buffer.from(read.base64, 'base64'));
      offset += read.bytes;
      eof = read.eof;
    }
    expect(Buffer.concat(chunks).equals(readFileSync(file))).toBe(true);

    const extra = await exportBundle();
    expect(services.bundles.delete(extra.bundle!.id)).toEqual({ id: extra.bundle!.id });
    expect(existsSync(join(services.bundles.folder, extra.bundle!.id))).toBe(false);
    expect(() => services.bundles.delete('../etc.tar.gz')).toThrow(/not a bundle file name/);
    // After a restart the folder's index still knows each file's facts.
    const again = new BundleFolder(services.bundles.folder).list();
    expect(again.map((b) => b.id)).not.toContain(extra.bundle!.id);
    expect(again).toContainEqual(expect.objectContaining({ id: first.id, targetName: 'svc-api', window: 'the last hour' }));
  }, 30_000);

  it('imports a good file under a new name and refuses a truncated one, keeping nothing of it', async () => {
    const bytes = readFileSync(join(services.bundles.folder, first.id));
    const imported = await upload('from-a-colleague.tar.gz', bytes);
    expect(imported).toMatchObject({ id: 'from-a-colleague.tar.gz', kind: 'control-room', targetName: 'svc-api' });
    const again = await upload('from-a-colleague.tar.gz', bytes);
    expect(again?.id).toBe('from-a-colleague-2.tar.gz');

    const before = readdirSync(services.bundles.folder).filter((name) => !name.startsWith('.')).sort();
    await expect(upload('broken.tar.gz', bytes.subarray(0, Math.floor(bytes.length / 2)))).rejects.toThrow(/cut short \(truncated\)|damaged/);
    expect(readdirSync(services.bundles.folder).filter((name) => !name.startsWith('.')).sort()).toEqual(before);
    expect(() => services.bundles.importBegin('notes.txt')).toThrow(/not a bundle file/);
  });

  it('imports and opens an agent bundle (.json.gz)', async () => {
    // The agent's own bundle, as its /api/ops/support-bundle serves it.
    const response = await agent.get('/api/ops/support-bundle', agent.admin);
    expect(response.status).toBe(200);
    const agentBundle = Buffer.from(await response.arrayBuffer());
    const header = JSON.parse(gunzipSync(agentBundle).toString()) as { generatedAt: string; agent: { host: string } };
    const imported = await upload('edge.json.gz', agentBundle);
    expect(imported).toMatchObject({ id: 'edge.json.gz', kind: 'agent', created: header.generatedAt, targetName: header.agent.host });
    const view = await services.bundles.open('edge.json.gz');
    expect(view).toMatchObject({ kind: 'agent', manifest: null, created: header.generatedAt, targetName: header.agent.host });
    expect(view.context).toHaveProperty('generatedAt');
    expect(services.bundles.list().map((b) => b.id)).toContain('edge.json.gz');
  });
});

describe('opening a bundle', () => {
  it('gives the view with its sections and log sources with line counts', async () => {
    const view = await services.bundles.open(first.id);
    expect(view.kind).toBe('control-room');
    expect(view.targetName).toBe('svc-api');
    expect(view.manifest?.target.id).toBe(target.id);
    expect(view.logSources).toEqual([
      { source: 'web', lines: 600 },
      { source: 'worker', lines: 600 },
    ]);
    expect(view.context).toMatchObject({ kind: 'ops-api' });
    expect(view.audit).toMatchObject({ entries: expect.any(Array) });
  });

  it('pages through logs with text and level filters', async () => {
    const all = await services.bundles.logs(first.id, { source: 'worker', offset: 0, limit: 100 });
    expect(all.total).toBe(600);
    expect(all.entries).toHaveLength(100);
    const next = await services.bundles.logs(first.id, { source: 'worker', offset: 100, limit: 100 });
    expect(next.entries[0]!.message).not.toBe(all.entries[0]!.message);
    expect(Date.parse(next.entries[0]!.ts)).toBeGreaterThan(Date.parse(all.entries[99]!.ts));
    const errors = await services.bundles.logs(first.id, { level: 'error' });
    expect(errors.total).toBe(12);
    expect(errors.entries.every((entry) => entry.level === 'error')).toBe(true);
    const found = await services.bundles.logs(first.id, { text: CODENAME.toUpperCase() });
    expect(found.total).toBe(4);
  });
});

describe('preview and re-redaction', () => {
  it('counts and samples what a custom rule would redact, writing nothing', async () => {
    const rule = await services.bundles.rules.create({ kind: 'literal', name: 'Project codename', value: CODENAME, enabled: true });
    const before = readdirSync(services.bundles.folder).sort();
    const preview = await services.bundles.preview({ targetId: target.id, window: { mode: 'last', minutes: 60 }, exclude: ['agent-bundle'] });
    expect(readdirSync(services.bundles.folder).sort()).toEqual(before);
    const counted = preview.counts.filter((count) => count.rule === 'Project codename');
    expect(counted.reduce((sum, count) => sum + count.count, 0)).toBe(4);
    expect(preview.samples.find((sample) => sample.rule === 'Project codename')?.line).not.toContain(CODENAME);
    expect(preview.estimate.sections.find((section) => section.id === 'logs')?.lines).toBe(1_200);
    await services.bundles.rules.delete(rule.id);
  });

  it('re-redacts into a new file with today’s rules and leaves the original as it was', async () => {
    const original = join(services.bundles.folder, first.id);
    const originalHash = createHash('sha256').update(readFileSync(original)).digest('hex');
    expect((await unpackBundle(original)).get('logs/worker.ndjson')!.toString()).toContain(CODENAME);
    const rule = await services.bundles.rules.create({ kind: 'literal', name: 'Project codename', value: CODENAME, enabled: true });
    const redacted = await services.bundles.redact(first.id);
    expect(redacted.id).toBe(first.id.replace(/\.tar\.gz$/, '-redacted-1.tar.gz'));
    expect(createHash('sha256').update(readFileSync(original)).digest('hex')).toBe(originalHash);

    const files = await unpackBundle(join(services.bundles.folder, redacted.id));
    const manifest = manifestOf(files);
    for (const [path, bytes] of files) expect(bytes.includes(CODENAME), path).toBe(false);
    expect(manifest.redactedFrom).toEqual({ created: manifestOf(await unpackBundle(original)).created, sha256: originalHash });
    expect(manifest.redaction.counts.filter((c) => c.rule === 'Project codename').reduce((sum, c) => sum + c.count, 0)).toBe(4);
    for (const file of manifest.files) expect(createHash('sha256').update(files.get(file.path)!).digest('hex'), file.path).toBe(file.sha256);
    // It opens like any bundle; a second re-redaction takes the next number.
    expect((await services.bundles.open(redacted.id)).logSources).toHaveLength(2);
    expect((await services.bundles.redact(first.id)).id).toBe(first.id.replace(/\.tar\.gz$/, '-redacted-2.tar.gz'));
    await services.bundles.rules.delete(rule.id);
  }, 30_000);

  it('diffs two bundles of the target', async () => {
    const second = await exportBundle();
    const diff = await services.bundles.diff(first.id, second.bundle!.id);
    expect(diff.a.id).toBe(first.id);
    expect(diff.b.id).toBe(second.bundle!.id);
  }, 30_000);
});
