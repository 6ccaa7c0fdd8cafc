/**
 * What a bundle does when things are not fine: an unreachable target still gets a bundle from
 * what the app cached, with a note saying what could not be collected; the agent's own bundle
 * (fetched by `opsctl bundle --agent` from a real agent) opens in the app; a corrupt file and a
 * truncated one are refused with one clear sentence each and nothing is kept.
 *
 * Real parts: the app's services on a temp data dir with the real keychain, the real agent on
 * loopback, a closed loopback port for the unreachable target, opsctl in this process.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, opsctl } from '../../../main/cli/opsctl';
import { createServices, type Services } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import type { BundleFile } from '../../../shared/model/bundle';
import type { LogEntry } from '../../../shared/model/logs';
import type { Target } from '../../../shared/model/target';
import { startKeyring, type Keyring } from '../../support/keyring';
import { freePort } from '../../support/sshd';
import { startAgentFixture, type AgentFixture } from '../agent/agent-fixture';
import { captureOpsctl, exportSettled, manifestOf, unpackBundle } from './bundle-support';

let keyring: Keyring;
let agent: AgentFixture;
let services: Services;
let dataDir: string;
let work: string;
let down: Target;
const CACHED = 40;

beforeAll(async () => {
  [keyring, agent] = await Promise.all([startKeyring(), startAgentFixture()]);
  keyring.useInThisProcess();
  dataDir = mkdtempSync(join(tmpdir(), 'cr-bundle-open-'));
  work = mkdtempSync(join(tmpdir(), 'cr-bundle-open-files-'));
  // opsctl and the test share the data dir and the keychain's default service, as the app does.
  services = createServices({ dataDir, credentials: new KeytarBackend(), probes: { background: false } });
  await services.targets.create({ name: 'prod-api', environment: 'prod', kind: 'ops-api', settings: { baseUrl: agent.url }, secrets: { apiToken: agent.admin } });
  // Nothing listens on this port: the target is down now, but its lines were cached earlier.
  down = await services.targets.create({ name: 'gone-api', environment: 'prod', kind: 'ops-api', settings: { baseUrl: `http://127.0.0.1:${await freePort()}` }, secrets: { apiToken: 'cra_not-reachable-anyway-token-000000000000000' } });
  const now = Date.now();
  const lines: LogEntry[] = Array.from({ length: CACHED }, (_, i) => ({
    ts: new Date(now - 20 * 60_000 + i * 1000).toISOString(),
    target: down.id,
    service: 'api',
    container: 'api',
    stream: i % 5 === 0 ? 'stderr' : 'stdout',
    level: i % 5 === 0 ? 'error' : 'info',
    message: `cached line ${i} before the host went away`,
  }));
  services.logs.cache.insert(lines);
  services.logs.cache.flush();
}, 60_000);

afterAll(async () => {
  services?.close();
  await agent?.stop();
  await keyring?.stop();
  for (const dir of [dataDir, work]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Uploads a file as the app's "Open bundle" does; resolves with what the app kept. */
async function importFile(name: string, bytes: Buffer): Promise<BundleFile | null> {
  const { uploadId } = services.bundles.importBegin(name);
  for (let at = 0; at < bytes.length; at += 256 * 1024) services.bundles.importWrite(uploadId, bytes.subarray(at, at + 256 * 1024).toString('base64'));
  return services.bundles.importEnd(uploadId, false);
}

const kept = () => (existsSync(services.bundles.folder) ? readdirSync(services.bundles.folder).filter((f) => f.endsWith('.gz')).sort() : []);

describe('bundles when things are not fine', () => {
  let unreachableBundle: string;

  it('an unreachable target still gets a bundle from the cache, with a note saying so', async () => {
    const { progress, file } = await exportSettled(services, { targetId: down.id, window: { mode: 'last', minutes: 60 } });
    expect(progress.state).toBe('done');
    unreachableBundle = file;
    const files = await unpackBundle(file);
    const manifest = manifestOf(files);
    expect(manifest.target.name).toBe('gone-api');
    const logs = manifest.files.filter((f) => f.section === 'logs');
    expect(logs).toHaveLength(1);
    const entries = files.get(logs[0]!.path)!.toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as LogEntry);
    expect(entries.map((e) => e.message)).toEqual(Array.from({ length: CACHED }, (_, i) => `cached line ${i} before the host went away`));
    const notes = manifest.notes.map((n) => `${n.section}: ${n.message}`);
    expect(notes.some((n) => /^logs: gone-api could not be reached/.test(n)), notes.join('\n')).toBe(true);
    expect(manifest.notes.some((n) => n.section === 'context'), notes.join('\n')).toBe(true);
    // Each note is one sentence.
    for (const note of manifest.notes) expect(note.message).toMatch(/^[^\n]+[.)?]$/);
  }, 60_000);

  it('the agent’s own bundle (opsctl bundle --agent) opens in the app', async () => {
    const file = join(work, 'agent.json.gz');
    const c = captureOpsctl(dataDir);
    expect(await opsctl(['bundle', '--agent', '--target', 'prod-api', '--out', file], c.io)).toBe(EXIT.ok);
    const bundle = await importFile('agent.json.gz', readFileSync(file));
    expect(bundle).toMatchObject({ kind: 'agent' });
    const view = await services.bundles.open(bundle!.id);
    expect(view.kind).toBe('agent');
    expect(view.manifest).toBeNull();
    expect(Number.isNaN(Date.parse(view.created))).toBe(false);
    expect(view.context).toBeTruthy();
  }, 60_000);

  it('a corrupt file is refused with one sentence, and not kept', async () => {
    const bytes = Buffer.from(readFileSync(unreachableBundle));
    // Flip bytes in the middle of the compressed data.
    for (let i = 0; i < 8; i++) bytes[Math.floor(bytes.length / 2) + i] = 0xff - (bytes[Math.floor(bytes.length / 2) + i] ?? 0);
    const before = kept();
    const refusal = await importFile('corrupt.tar.gz', bytes).catch((error: Error) => error);
    expect(refusal).toBeInstanceOf(Error);
    expect((refusal as Error).message).toMatch(/^The bundle corrupt[^ ]*\.tar\.gz is damaged: [^\n]+ — ask for it again\.$/);
    expect(kept()).toEqual(before);
  }, 30_000);

  it('a truncated file is refused with one sentence, and not kept', async () => {
    const bytes = readFileSync(unreachableBundle);
    const before = kept();
    const refusal = await importFile('cut.tar.gz', bytes.subarray(0, Math.floor(bytes.length / 2))).catch((error: Error) => error);
    expect(refusal).toBeInstanceOf(Error);
    expect((refusal as Error).message).toMatch(/^The file cut[^ ]*\.tar\.gz is cut short \(truncated\) — copy or download it again\.$/);
    expect(kept()).toEqual(before);
  }, 30_000);

  it('opsctl says the same sentence for a truncated file', async () => {
    const cut = join(work, 'cut.tar.gz');
    const { writeFileSync } = await import('node:fs');
    const bytes = readFileSync(unreachableBundle);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const c = captureOpsctl(dataDir);
    expect(await opsctl(['bundle', 'diff', unreachableBundle, cut], c.io)).toBe(EXIT.failed);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(/^opsctl: The file cut[^ ]*\.tar\.gz is cut short \(truncated\) — copy or download it again\.$/);
  }, 30_000);
});
