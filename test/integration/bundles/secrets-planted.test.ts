/**
 * Planted secrets never leave in a bundle. Real parts throughout: the app's services on a temp
 * data dir with the real keychain; a docker-ssh target over a real sshd in front of podman, its
 * client key encrypted with a PASSPHRASE; an ops-api target on the real agent with its token; a
 * GitHub probe with its API key and a webhook channel with its URL (both in the keychain).
 *
 * A container whose environment holds DB_PASSWORD prints, one per line: that env secret, the SSH
 * passphrase, the ops API token, the probe's key and the webhook URL — each as it is, base64- and
 * URL-encoded. The ops API target gets the same keychain values in browser-error beacons (the
 * agent's frontend errors and its own bundle carry them) and in lines of the app's log cache.
 *
 * Both bundles are unpacked with plain tar + gzip (the embedded agent bundle gunzipped too) and
 * every form of every planted value must occur ZERO times in any file's bytes. The report in the
 * manifest must count, per file, exactly the planted lines that file carries: each planted line
 * starts with a marker naming the value and holds one form of it, so a file's expected count is
 * the number of markers in it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../main/services';
import { KEYCHAIN_RULE } from '../../../main/services/bundles/bundle-redaction';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import type { BundleManifest } from '../../../shared/model/bundle';
import type { LogEntry } from '../../../shared/model/logs';
import type { Target } from '../../../shared/model/target';
import { waitForState } from '../../support/docker-fixture';
import { startKeyring, waitFor, type Keyring } from '../../support/keyring';
import { BUSYBOX_IMAGE, composeLabels, startPodman, type Podman } from '../../support/podman';
import { startSshd, type Sshd } from '../../support/sshd';
import { startAgentFixture, type AgentFixture } from '../agent/agent-fixture';
import { createGithubTokenProbe, exportSettled, manifestOf, occurrences, printedForms, readableBytes, secretForms, unpackBundle } from './bundle-support';

const exec = promisify(execFile);
const nonce = randomBytes(6).toString('hex');

/** Values with characters that base64 and URL encoding both change. */
const ENV_SECRET = `db-Pw/${nonce}+q&r!`;
const PASSPHRASE = `ssh pass/${nonce}+phrase`;
const PROBE_KEY = `probe-key-${nonce}/+x`;
const WEBHOOK_URL = `http://127.0.0.1:9/hooks/${nonce}/T0P?sig=${nonce}Z`;

let keyring: Keyring;
let sshd: Sshd;
let podman: Podman;
let agent: AgentFixture;
let services: Services;
let dataDir: string;
let sshTarget: Target;
let opsTarget: Target;
/** name → value of everything planted; the ops token is the agent's, known once it runs. */
let planted: Record<string, string>;

/** `planted <name> <form>: <text>` — one form of one value per line. */
function plantedLines(names: string[]): string[] {
  return names.flatMap((name) => printedForms(planted[name]!).map(({ form, text }) => `${marker(name, form)}${text}`));
}
const marker = (name: string, form: string) => `planted ${name} ${form}: `;

beforeAll(async () => {
  [keyring, sshd, podman, agent] = await Promise.all([startKeyring(), startSshd(), startPodman(), startAgentFixture()]);
  keyring.useInThisProcess();
  planted = { env: ENV_SECRET, passphrase: PASSPHRASE, 'ops-token': agent.admin, 'probe-key': PROBE_KEY, webhook: WEBHOOK_URL };

  // The container: DB_PASSWORD in its environment, the lines in a file copied in (so no secret
  // is on its command line), printed once at start.
  const plantFile = join(sshd.dir, 'plant.txt');
  writeFileSync(plantFile, `${plantedLines(Object.keys(planted)).join('\n')}\n`);
  const labels = Object.entries(composeLabels('vault', 'app')).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  await podman.cli(['create', '--name', 'vault-app-1', '-e', `DB_PASSWORD=${ENV_SECRET}`, ...labels, BUSYBOX_IMAGE, 'sh', '-c', 'trap "exit 0" TERM; cat /plant.txt; while true; do sleep 1; done']);
  await podman.cli(['cp', plantFile, 'vault-app-1:/plant.txt']);
  await podman.cli(['start', 'vault-app-1']);
  await waitFor(async () => (await podman.cli(['logs', 'vault-app-1'])).includes('planted webhook url'), 15_000, 'vault-app-1 did not print its lines');

  // The SSH client key, encrypted with the passphrase (the public key sshd trusts is the same).
  const keyPath = join(sshd.dir, 'client_with_passphrase');
  copyFileSync(sshd.clientKeyPath, keyPath);
  chmodSync(keyPath, 0o600);
  await exec('ssh-keygen', ['-q', '-p', '-P', '', '-N', PASSPHRASE, '-f', keyPath]);
  const encryptedKey = readFileSync(keyPath, 'utf8');
  expect(encryptedKey).toContain('BEGIN OPENSSH PRIVATE KEY');

  dataDir = mkdtempSync(join(tmpdir(), 'cr-bundle-secrets-'));
  services = createServices({ dataDir, credentials: new KeytarBackend(`control-room-test-${process.pid}`), probes: { background: false } });
  sshTarget = await services.targets.create({
    name: 'vault-ssh',
    environment: 'staging',
    kind: 'docker-ssh',
    settings: { host: '127.0.0.1', port: sshd.port, username: sshd.user, socketPath: podman.socketPath },
    secrets: { privateKey: encryptedKey, passphrase: PASSPHRASE },
  });
  services.connections.connection(sshTarget.id);
  await waitForState(services, sshTarget.id, (s) => s.status === 'untrusted-host-key');
  services.connections.trustHostKey(sshTarget.id, await sshd.hostKeyFingerprint());
  await waitForState(services, sshTarget.id, (s) => s.status === 'connected');

  opsTarget = await services.targets.create({ name: 'vault-api', environment: 'prod', kind: 'ops-api', settings: { baseUrl: agent.url }, secrets: { apiToken: agent.admin } });
  await createGithubTokenProbe(services, PROBE_KEY);
  await services.channels.create({ name: 'ops webhook', kind: 'webhook', enabled: true, settings: {}, secrets: { url: WEBHOOK_URL } });

  // The ops API side: beacons to the agent and lines in the app's log cache, keychain values only
  // (the container's env secret belongs to a Docker host the app reaches directly).
  const keychainNames = ['passphrase', 'ops-token', 'probe-key', 'webhook'];
  for (const line of plantedLines(keychainNames)) {
    expect((await agent.beacon({ route: '/checkout', message: line, build_hash: 'abc123' })).status).toBeLessThan(300);
  }
  const now = Date.now();
  const entries: LogEntry[] = plantedLines(keychainNames).map((message, i) => ({
    ts: new Date(now - 60_000 + i).toISOString(),
    target: opsTarget.id,
    service: 'api',
    container: 'api',
    stream: 'stdout',
    level: 'info',
    message,
  }));
  services.logs.cache.insert(entries);
  services.logs.cache.flush();
}, 120_000);

afterAll(async () => {
  services?.close();
  await Promise.all([podman?.stop(), sshd?.dispose(), agent?.stop()]);
  await keyring?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Every form of every planted value occurs zero times in every readable file of the bundle. */
function expectNoPlantedValue(files: Map<string, Buffer>): void {
  const leaks: string[] = [];
  for (const [path, bytes] of readableBytes(files)) {
    for (const [name, value] of Object.entries(planted)) {
      for (const form of secretForms(value)) {
        const found = occurrences(bytes, form);
        if (found) leaks.push(`${name} (${JSON.stringify(form)}) ×${found} in ${path}`);
      }
    }
  }
  expect(leaks).toEqual([]);
}

/**
 * Per file, how many planted lines it carries (each holds one secret): the counts the report
 * must give that file. The embedded agent bundle is counted in its gunzipped JSON, less the lines
 * the agent had already redacted itself (counted from the agent's own bundle, fetched directly).
 */
function plantedPerFile(files: Map<string, Buffer>, names: string[], alreadyRedactedByAgent = 0): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [path, bytes] of files) {
    const readable = path.endsWith('.gz') ? gunzipSync(bytes) : bytes;
    let count = 0;
    for (const name of names) for (const { form } of printedForms(planted[name]!)) count += occurrences(readable, marker(name, form));
    if (path === 'agent-bundle.json.gz') count -= alreadyRedactedByAgent;
    if (count > 0) counts.set(path, count);
  }
  return counts;
}

/** The report's counts for the rules that stand for planted values, per file. */
function reportedPerFile(manifest: BundleManifest, rules: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of manifest.redaction.counts) if (rules.includes(c.rule)) counts.set(c.file, (counts.get(c.file) ?? 0) + c.count);
  return counts;
}

describe('planted secrets in a bundle', () => {
  it('docker-ssh target (key with a passphrase): no planted value in any file; the report counts each planted line', async () => {
    const { file } = await exportSettled(services, { targetId: sshTarget.id, window: { mode: 'last', minutes: 60 } });
    const files = await unpackBundle(file);
    const manifest = manifestOf(files);
    expectNoPlantedValue(files);

    const logFile = manifest.files.find((f) => f.section === 'logs' && files.get(f.path)!.toString('utf8').includes('planted env raw'));
    expect(logFile, 'the bundle has the container’s log file').toBeDefined();
    // Every planted line is in the log file once, redacted.
    const names = Object.keys(planted);
    const expected = plantedPerFile(files, names);
    const plantedLineCount = names.reduce((n, name) => n + printedForms(planted[name]!).length, 0);
    expect(expected.get(logFile!.path)).toBe(plantedLineCount);
    // The env secret is also in the context (the container's Config.Env), once.
    const context = files.get('context.json')!.toString('utf8');
    expect(context).toContain('DB_PASSWORD=');
    expected.set('context.json', (expected.get('context.json') ?? 0) + 1);

    const rules = [...new Set(manifest.redaction.counts.map((c) => c.rule))];
    expect(rules).toContain(KEYCHAIN_RULE);
    expect(reportedPerFile(manifest, [KEYCHAIN_RULE, ...rules.filter((r) => /env/i.test(r))])).toEqual(expected);
    expect(manifest.redaction.total).toBe(manifest.redaction.counts.reduce((n, c) => n + c.count, 0));
  }, 120_000);

  it('ops-api target: frontend errors, cached logs and the embedded agent bundle carry no planted value; the report counts each', async () => {
    const { file } = await exportSettled(services, { targetId: opsTarget.id, window: { mode: 'last', minutes: 60 } });
    const files = await unpackBundle(file);
    const manifest = manifestOf(files);
    expect(manifest.files.map((f) => f.path)).toEqual(expect.arrayContaining(['agent-bundle.json.gz', 'frontend-errors.json']));
    expectNoPlantedValue(files);

    // What the agent had already redacted in its own bundle is not the app's to count.
    const names = ['passphrase', 'ops-token', 'probe-key', 'webhook'];
    const own = gunzipSync(await services.opsApi.client(opsTarget.id).supportBundle());
    const redactedByAgent = names.reduce((n, name) => n + printedForms(planted[name]!).reduce((m, { form }) => m + occurrences(own, `${marker(name, form)}[redacted]`), 0), 0);
    const expected = plantedPerFile(files, names, redactedByAgent);
    expect([...expected.keys()]).toEqual(expect.arrayContaining(['frontend-errors.json', 'agent-bundle.json.gz']));
    // The cached lines once each; the beacons at least once each (grouped and raw); the agent's
    // copy less the ops token, which the agent redacts itself (its own token shape).
    const lines = plantedLines(names).length;
    const logPaths = [...expected.keys()].filter((path) => path.startsWith('logs/'));
    expect(logPaths).toHaveLength(1);
    expect(expected.get(logPaths[0]!)).toBe(lines);
    expect(expected.get('frontend-errors.json')).toBeGreaterThanOrEqual(lines);
    expect(redactedByAgent).toBe(1);
    expect(expected.get('agent-bundle.json.gz')).toBe(lines - redactedByAgent);
    expect(reportedPerFile(manifest, [KEYCHAIN_RULE])).toEqual(expected);
  }, 120_000);
});
