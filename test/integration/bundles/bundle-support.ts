/**
 * Shared by the big bundle tests (planted secrets, 1 GB export, open/refuse) and opsctl's bundle
 * tests: unpack a bundle with plain tar + gzip (not the app's reader, so the bytes checked are
 * the bytes a recipient gets), every form a secret can take, opsctl with a captured terminal,
 * an export driven to its end, and RSS sampling; the app's services beside an ops-API target on
 * the real agent, and the shop's `api` container on podman for the diff tests.
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type { Io } from '../../../main/cli/opsctl';
import { createServices, type Services } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import { BundleManifest, type BundleRequestInput, type ExportProgress } from '../../../shared/model/bundle';
import type { ProbeDraftInput } from '../../../shared/model/probe';
import type { Target } from '../../../shared/model/target';
import type { DockerFixture } from '../../support/docker-fixture';
import { startKeyring, waitFor, type Keyring } from '../../support/keyring';
import { composeLabels } from '../../support/podman';
import { startAgentFixture, type AgentFixture, type FixtureOptions } from '../agent/agent-fixture';

/** Every member of a `.tar.gz`, by path, decompressed from the outer gzip. */
export async function unpackBundle(file: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    stream.on('end', () => {
      if (header.type === 'file') files.set(header.name, Buffer.concat(chunks));
      next();
    });
    stream.resume();
  });
  await pipeline(createReadStream(file), createGunzip(), extract);
  return files;
}

/** The manifest of a bundle file, every other member streamed past (for bundles of gigabytes). */
export async function manifestStreamed(file: string): Promise<BundleManifest> {
  let manifest: Buffer | undefined;
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    if (header.name === 'manifest.json') stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    stream.on('end', () => {
      if (header.name === 'manifest.json') manifest = Buffer.concat(chunks);
      next();
    });
    stream.resume();
  });
  await pipeline(createReadStream(file), createGunzip(), extract);
  if (!manifest) throw new Error(`${file} has no manifest.json`);
  return BundleManifest.parse(JSON.parse(manifest.toString('utf8')));
}

/** The manifest of an unpacked bundle, checked against the model. */
export function manifestOf(files: Map<string, Buffer>): BundleManifest {
  const raw = files.get('manifest.json');
  if (!raw) throw new Error(`the bundle has no manifest.json (it has ${[...files.keys()].join(', ')})`);
  return BundleManifest.parse(JSON.parse(raw.toString('utf8')));
}

/**
 * Each member's bytes as a recipient can read them: gzip members (the embedded agent bundle)
 * decompressed too, so a secret cannot hide inside a second layer of compression.
 */
export function readableBytes(files: Map<string, Buffer>): Map<string, Buffer> {
  const readable = new Map<string, Buffer>();
  for (const [path, bytes] of files) {
    readable.set(path, bytes);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) readable.set(`${path} (gunzipped)`, gunzipSync(bytes));
  }
  return readable;
}

/** How often `needle` occurs in `haystack` (byte-wise, non-overlapping). */
export function occurrences(haystack: Buffer, needle: string): number {
  const pattern = Buffer.from(needle, 'utf8');
  let count = 0;
  for (let at = haystack.indexOf(pattern); at !== -1; at = haystack.indexOf(pattern, at + pattern.length)) count++;
  return count;
}

/**
 * The forms a secret is searched for in the bundle: as it is, base64 (standard and url-safe,
 * with and without padding), URL-encoded (encodeURIComponent) and form-encoded.
 */
export function secretForms(value: string): string[] {
  const base64 = Buffer.from(value, 'utf8').toString('base64');
  const base64url = Buffer.from(value, 'utf8').toString('base64url');
  return [...new Set([value, base64, base64.replace(/=+$/, ''), base64url, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)])];
}

/** The forms a test prints into logs: as it is, base64 and URL-encoded (each distinct). */
export function printedForms(value: string): { form: string; text: string }[] {
  const forms = [
    { form: 'raw', text: value },
    { form: 'base64', text: Buffer.from(value, 'utf8').toString('base64') },
    { form: 'url', text: encodeURIComponent(value) },
  ];
  return forms.filter((f, i) => forms.findIndex((g) => g.text === f.text) === i);
}

/** opsctl in this process with its output captured, on the app data directory `dataDir`. */
export function captureOpsctl(dataDir: string, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const bytes: Buffer[] = [];
  const io: Io = {
    out: (t) => out.push(t),
    outBytes: (b) => bytes.push(Buffer.from(b)),
    err: (t) => err.push(t),
    stdoutIsTty: false,
    stderrIsTty: false,
    env: { ...process.env, CONTROL_ROOM_DATA_DIR: dataDir, ...env },
    stop: new AbortController().signal,
  };
  return { io, out, err, bytes, json: <T>() => JSON.parse(out.join('\n')) as T, stdout: () => Buffer.concat(bytes) };
}

/** Starts an export and waits for it to settle; the bundle file's full path when done. */
export async function exportSettled(services: Services, request: BundleRequestInput): Promise<{ progress: ExportProgress; file: string }> {
  const started = services.bundles.startExport(request);
  const progress = await services.bundles.exportSettled(started.exportId);
  if (progress.state !== 'done' || !progress.bundle) throw new Error(`the export ended ${progress.state}: ${progress.message}`);
  return { progress, file: `${services.bundles.folder}/${progress.bundle.id}` };
}

/** Samples this process's RSS every `everyMs` until stopped; the peak growth over the start. */
export function sampleRss(everyMs = 25): { stop(): { startBytes: number; peakBytes: number; growthBytes: number } } {
  const startBytes = process.memoryUsage.rss();
  let peakBytes = startBytes;
  const timer = setInterval(() => {
    peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
      return { startBytes, peakBytes, growthBytes: peakBytes - startBytes };
    },
  };
}

/** The gzip magic bytes: what a `.tar.gz` or `.json.gz` starts with. */
export function isGzip(bytes: Buffer): boolean {
  return bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function readJsonFile<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** The app's services on a temp data dir with the real keychain, and an ops-API target on the real agent. */
export interface OpsApiServices {
  keyring: Keyring;
  agent: AgentFixture;
  services: Services;
  target: Target;
  /** Closes the services, stops the agent and the keychain, removes the data dir. */
  dispose(): Promise<void>;
}

export async function startOpsApiServices(options: {
  /** The temp data dir's name starts with it. */
  dirPrefix: string;
  target: { name: string; environment: Target['environment'] };
  agent?: FixtureOptions;
}): Promise<OpsApiServices> {
  const [keyring, agent] = await Promise.all([startKeyring(), startAgentFixture(options.agent)]);
  keyring.useInThisProcess();
  const dataDir = mkdtempSync(join(tmpdir(), options.dirPrefix));
  const services = createServices({ dataDir, credentials: new KeytarBackend(`control-room-test-${process.pid}`), probes: { background: false } });
  const dispose = async () => {
    services.close();
    await agent.stop();
    await keyring.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const target = await services.targets.create({ ...options.target, kind: 'ops-api', settings: { baseUrl: agent.url }, secrets: { apiToken: agent.admin } });
    return { keyring, agent, services, target, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** The shop's compose service `api`: its container's name on the podman of the diff tests. */
export const SHOP_API_CONTAINER = 'shop-api-1';

/**
 * Runs the compose service `api` of the project `shop` from `localhost/shop/backend:<version>`,
 * `sh -c` running `lines` and then idling until stopped, and waits for `ready` in its logs.
 * Its hostname is fixed: podman would otherwise put the new container's id in its environment.
 */
export async function runShopApi(
  fx: DockerFixture,
  version: 'v1' | 'v2',
  options: { lines: readonly string[]; ready: string; env?: Record<string, string> },
): Promise<void> {
  const script = ['trap "exit 0" TERM', ...options.lines, 'while true; do sleep 1; done'].join('; ');
  const labels = Object.entries(composeLabels('shop', 'api')).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  await fx.podman.cli(['run', '-d', '--name', SHOP_API_CONTAINER, '--hostname', 'api', ...labels, ...env, `localhost/shop/backend:${version}`, 'sh', '-c', script]);
  await waitFor(
    async () => (await fx.podman.cli(['logs', SHOP_API_CONTAINER])).includes(options.ready),
    15_000,
    `${SHOP_API_CONTAINER} never logged "${options.ready}" (${version})`,
  );
}

/** An export of the last hour of a target, driven to its end: the new bundle's id and file. */
export async function exportLastHour(services: Services, targetId: string): Promise<{ id: string; file: string }> {
  const { progress, file } = await exportSettled(services, { targetId, window: { mode: 'last', minutes: 60 } });
  return { id: progress.bundle!.id, file };
}

/** A GitHub probe whose token is `token` (kept in the keychain), pointed at a closed port so it never runs. */
export async function createGithubTokenProbe(services: Services, token: string): Promise<void> {
  await services.probes.create({
    name: 'GitHub token',
    scope: 'github',
    kind: 'github',
    settings: { baseUrl: 'http://127.0.0.1:9', check: 'token' },
    conditions: [{ expression: '[STATUS] == 200', severity: 'fail' }],
    secrets: { token },
  } as ProbeDraftInput);
}
