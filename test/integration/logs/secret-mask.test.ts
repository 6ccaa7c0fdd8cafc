/**
 * Keychain secrets printed by a container never reach the pane, the cache or a read-back. Real
 * parts throughout: the app's services on a temporary data dir with the real keychain; a
 * docker-ssh target through a real sshd in front of podman, its client key encrypted with a
 * PASSPHRASE kept in the keychain; an ops-api target on the real agent (in front of the same
 * podman) with its token in the keychain.
 *
 * The container prints whatever file the test drops into its /in folder, in order: the
 * passphrase and the token as they are, base64- and URL-encoded, a 1 MB line with the passphrase
 * at its end, and later a value that becomes a secret only after its lines were cached. Every
 * event a follow emits, the SQLite cache file's bytes (.db and -wal, after a flush) and every
 * query hold no form of any secret, and each source's masked count is the number of planted
 * lines it showed.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../../../main/api';
import { createServices, type Services } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import { logScanStep } from '../../../main/services/runbooks/steps/log-scan-step';
import { DATABASE_FILE } from '../../../main/services/store/database';
import { systemClock } from '../../../node/clock';
import { LogScanStepParams } from '../../../shared/model/runbook-steps';
import { MASKED_SECRET } from '../../../shared/log-mask';
import type { LogEntry, LogFollowEvent } from '../../../shared/model/logs';
import type { Target } from '../../../shared/model/target';
import { waitForState } from '../../support/docker-fixture';
import { startKeyring, waitFor, type Keyring } from '../../support/keyring';
import { composeLabels, type Podman } from '../../support/podman';
import { startSshd, type Sshd } from '../../support/sshd';
import { startAgentFixture, type AgentFixture } from '../agent/agent-fixture';
import { stepHarness } from '../runbooks/steps-remote-context';
import { occurrences, printedForms, secretForms } from '../bundles/bundle-support';
import { apiFor, follow, type Follow } from './follow-helper';

const exec = promisify(execFile);
const nonce = randomBytes(6).toString('hex');
/** Characters that base64 and URL encoding both change. */
const PASSPHRASE = `ssh pass/${nonce}+phrase`;
/** A value that is not a secret yet when it is printed and cached. */
const LATE_SECRET = `late-secret/${nonce}+x`;
const CONTAINER = 'vault-app-1';
const LONG_LINE_BYTES = 1_000_000;
const FILLER = 'y'.repeat(LONG_LINE_BYTES - PASSPHRASE.length);

let keyring: Keyring;
let sshd: Sshd;
let agent: AgentFixture;
let podman: Podman;
let services: Services;
let api: Api;
let dataDir: string;
let sshTarget: Target;
let opsTarget: Target;
/** The keychain values planted: the ops token is the agent's, known once it runs. */
let planted: Record<string, string>;
let drops = 0;

/** `planted <name> <form>: <text>`: one form of one value per line. */
function plantedLines(names: string[]): string[] {
  return names.flatMap((name) => printedForms(planted[name]!).map(({ form, text }) => `planted ${name} ${form}: ${text}`));
}

/** Makes the container print `text` (a file dropped into /in, moved into place whole). */
async function print(text: string): Promise<void> {
  const file = join(sshd.dir, `drop-${drops}`);
  writeFileSync(file, text);
  await podman.cli(['cp', file, `${CONTAINER}:/in/.${drops}`]);
  await podman.cli(['exec', CONTAINER, 'busybox', 'mv', `/in/.${drops}`, `/in/${drops}`]);
  drops++;
}

/** Every form of every value in `values` found in `text`, as `name (form) ×n`. */
function leaks(text: string | Buffer, values: Record<string, string>): string[] {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const found: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    for (const form of [...secretForms(value), JSON.stringify(value).slice(1, -1)]) {
      const n = occurrences(bytes, form);
      if (n) found.push(`${name} (${JSON.stringify(form.slice(0, 40))}) ×${n}`);
    }
  }
  return found;
}

function eventLeaks(events: LogFollowEvent[]): string[] {
  return leaks(events.map((event) => JSON.stringify(event)).join('\n'), planted);
}

/** The last masked total the pane was sent for `source`. */
function maskedTotal(f: Follow, source: string): number {
  const totals = f.events.flatMap((e) => (e.type === 'masked' && e.source === source ? [e.total] : []));
  return totals.at(-1) ?? 0;
}

async function waitForMasked(f: Follow, source: string, total: number): Promise<void> {
  await waitFor(() => maskedTotal(f, source) >= total, 10_000, `the masked count of ${source} never reached ${total}`);
  expect(maskedTotal(f, source)).toBe(total);
}

/**
 * Lines printed from now on reach the follow: its Docker stream is open. (podman sends a followed
 * response's headers with its first line, so a follow with nothing to replay would never say so.)
 */
function waitForLive(f: Follow, source: string): Promise<void> {
  return waitFor(() => f.states(source).includes('live'), 20_000, `${source} never went live`);
}

beforeAll(async () => {
  [keyring, sshd, agent] = await Promise.all([
    startKeyring(),
    startSshd(),
    startAgentFixture({
      podman: true,
      before: async (p) => {
        // Prints each file dropped into /in, in order; "ready" once /in exists.
        await p.run(
          CONTAINER,
          'trap "exit 0" TERM; mkdir -p /in; echo ready; i=0; while true; do if [ -f /in/$i ]; then cat /in/$i; i=$((i+1)); else sleep 0.1; fi; done',
          composeLabels('vault', 'app'),
        );
      },
    }),
  ]);
  keyring.useInThisProcess();
  podman = agent.podman!;
  planted = { passphrase: PASSPHRASE, 'ops-token': agent.read };
  await waitFor(async () => (await podman.cli(['logs', CONTAINER])).includes('ready'), 15_000, `${CONTAINER} did not start`);

  // The SSH client key, encrypted with the passphrase (sshd trusts its public half as before).
  const keyPath = join(sshd.dir, 'client_with_passphrase');
  copyFileSync(sshd.clientKeyPath, keyPath);
  chmodSync(keyPath, 0o600);
  await exec('ssh-keygen', ['-q', '-p', '-P', '', '-N', PASSPHRASE, '-f', keyPath]);

  dataDir = mkdtempSync(join(tmpdir(), 'cr-logs-mask-'));
  services = createServices({
    dataDir,
    credentials: new KeytarBackend(`control-room-test-logmask-${nonce}`),
    probes: { background: false },
    logs: { opsPollMs: 300 },
  });
  api = apiFor(services);
  sshTarget = await services.targets.create({
    name: 'vault-ssh',
    environment: 'staging',
    kind: 'docker-ssh',
    settings: { host: '127.0.0.1', port: sshd.port, username: sshd.user, socketPath: podman.socketPath },
    secrets: { privateKey: readFileSync(keyPath, 'utf8'), passphrase: PASSPHRASE },
  });
  services.connections.connection(sshTarget.id);
  await waitForState(services, sshTarget.id, (s) => s.status === 'untrusted-host-key');
  services.connections.trustHostKey(sshTarget.id, await sshd.hostKeyFingerprint());
  await waitForState(services, sshTarget.id, (s) => s.status === 'connected');
  opsTarget = await services.targets.create({ name: 'vault-api', environment: 'prod', kind: 'ops-api', settings: { baseUrl: agent.url }, secrets: { apiToken: agent.read } });
  await services.secretMask.whenSettled();

  await print(`${plantedLines(Object.keys(planted)).join('\n')}\nplanted-end\n`);
  // A line of 1 MB with the passphrase at its very end. Podman's plain (not followed) log read, the
  // agent's, glues the line before a long one onto it: "before-long" takes that, not a planted line.
  await print(`before-long\n${FILLER}${PASSPHRASE}\nlong-end\n`);
  await waitFor(async () => (await podman.cli(['logs', '--tail', '1', CONTAINER])).includes('long-end'), 15_000, `${CONTAINER} did not print the 1 MB line`);
}, 120_000);

afterAll(async () => {
  services?.close();
  await Promise.all([sshd?.dispose(), agent?.stop()]);
  await keyring?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('keychain secrets in followed logs', () => {
  const plantedCount = () => plantedLines(Object.keys(planted)).length;

  it('through the SSH tunnel: no event carries a secret, each planted line shows the marker, and the count is right', async () => {
    const source = `container:${CONTAINER}`;
    const f = await follow(api, { targetId: sshTarget.id, sources: [source], since: '10m' });
    try {
      await f.waitForLines((lines) => lines.some((l) => l.message === 'planted-end'), 'the planted lines never came through the tunnel');
      const shown = f.lines.filter((l) => l.message.startsWith('planted ') && l.message !== 'planted-end');
      expect(shown).toHaveLength(plantedCount());
      for (const line of shown) expect(line.message).toMatch(/^planted [a-z-]+ [a-z0-9]+: \[masked secret\]$/);
      await f.waitForLines((lines) => lines.some((l) => l.message === 'long-end'), 'the 1 MB line never came', 30_000);
      const long = f.lines.find((l) => l.message.startsWith('yyyy'))!;
      expect(long.message).toBe(`${FILLER}${MASKED_SECRET}`);
      await waitForMasked(f, source, plantedCount() + 1);
      expect(eventLeaks(f.events)).toEqual([]);
    } finally {
      f.stop();
    }
  }, 90_000);

  it('through the ops API: the agent serves the token in its logs, and no event of the follow carries it', async () => {
    // The agent itself serves the lines unmasked: what the app must not pass on.
    const raw = await (await agent.get(`/api/ops/logs?service=app&since=10m`)).text();
    expect(leaks(raw, { 'ops-token': agent.read }).length).toBeGreaterThan(0);

    const source = 'service:app';
    // `since`, not a tail: podman counts a tail in stored 8 KB pieces, and the 1 MB line is 123 of them.
    const f = await follow(api, { targetId: opsTarget.id, sources: [source], since: '10m' });
    try {
      await f.waitForLines((lines) => lines.some((l) => l.message === 'planted-end'), 'the planted lines never came through the ops API');
      const shown = f.lines.filter((l) => l.message.startsWith('planted ') && l.message !== 'planted-end');
      expect(shown).toHaveLength(plantedCount());
      expect(shown.every((l) => l.message.endsWith(MASKED_SECRET))).toBe(true);
      // The 1 MB line comes too (the agent hands podman's stored pieces on as they are): the count
      // is every marker shown.
      await f.waitForLines((lines) => lines.some((l) => l.message === 'long-end'), 'the 1 MB line never came through the ops API', 30_000);
      const markers = f.lines.reduce((n, l) => n + l.message.split(MASKED_SECRET).length - 1, 0);
      expect(markers).toBeGreaterThanOrEqual(plantedCount());
      await waitForMasked(f, source, markers);
      expect(eventLeaks(f.events)).toEqual([]);
    } finally {
      f.stop();
    }
  }, 90_000);

  it('the cache file (.db and -wal) and every query hold no form of a secret', async () => {
    services.logs.cache.flush();
    const db = join(dataDir, DATABASE_FILE);
    for (const file of [db, `${db}-wal`]) {
      if (existsSync(file)) expect(leaks(readFileSync(file), planted), file).toEqual([]);
    }
    // The cache does hold the masked lines of both targets.
    expect(readFileSync(db).includes(Buffer.from(MASKED_SECRET)) || readFileSync(`${db}-wal`).includes(Buffer.from(MASKED_SECRET))).toBe(true);
    for (const target of [sshTarget, opsTarget]) {
      const reply = await api.invoke('logs:query', { targetId: target.id });
      if (!reply.ok) throw new Error(reply.error.message);
      const entries = (reply.value as { entries: LogEntry[] }).entries;
      expect(entries.filter((e) => e.message.startsWith('planted ') && e.message.endsWith(MASKED_SECRET))).toHaveLength(plantedCount());
      expect(leaks(JSON.stringify(entries), planted)).toEqual([]);
    }
  });

  it('a secret added after its lines were cached: queries, logs:recent and a runbook log-scan return them masked', async () => {
    const source = `container:${CONTAINER}`;
    const f = await follow(api, { targetId: sshTarget.id, sources: [source], since: '10m' });
    try {
      await waitForLive(f, source);
      await print(`late one ${LATE_SECRET}\nlate two ${encodeURIComponent(LATE_SECRET)}\nlate-end\n`);
      await f.waitForLines((lines) => lines.some((l) => l.message === 'late-end'), 'the late lines never came');
      // Not a secret yet: shown and cached as printed.
      expect(f.lines.find((l) => l.message.startsWith('late one'))!.message).toBe(`late one ${LATE_SECRET}`);
    } finally {
      f.stop();
    }
    services.logs.cache.flush();
    await services.runbooks.secrets.set('late-token', LATE_SECRET);
    await services.secretMask.whenSettled();

    const query = await api.invoke('logs:query', { targetId: sshTarget.id, text: 'late' });
    if (!query.ok) throw new Error(query.error.message);
    const late = (query.value as { entries: LogEntry[] }).entries.filter((e) => e.message.startsWith('late '));
    expect(late.map((e) => e.message)).toEqual([`late one ${MASKED_SECRET}`, `late two ${MASKED_SECRET}`]);
    const recent = await api.invoke('logs:recent', { targetId: sshTarget.id, sources: [source], tail: 20 });
    if (!recent.ok) throw new Error(recent.error.message);
    const recentEntries = (recent.value as { entries: LogEntry[] }).entries;
    const recentText = JSON.stringify(recentEntries);
    expect(leaks(recentText, { ...planted, late: LATE_SECRET })).toEqual([]);
    expect(recentEntries.filter((e) => e.message.startsWith('late ')).map((e) => e.message)).toEqual([
      `late one ${MASKED_SECRET}`,
      `late two ${MASKED_SECRET}`,
    ]);
    // A runbook's log-scan step reads the cache through the same query: its samples are masked.
    const scan = await logScanStep.run(LogScanStepParams.parse({ pattern: '^late (one|two)', since: '10m', sources: [CONTAINER] }), stepHarness(services, { clock: systemClock, target: sshTarget }).context);
    expect(scan.outputs).toMatchObject({ count: 2, samples: [`${CONTAINER}: late one ${MASKED_SECRET}`, `${CONTAINER}: late two ${MASKED_SECRET}`] });

    // A follow that reads those lines again now gets them masked; the cache still holds each once
    // (its newest instant is compared masked too, or the masked lines would look new).
    const again = await follow(api, { targetId: sshTarget.id, sources: [source], since: '10m' });
    try {
      await again.waitForLines((lines) => lines.some((l) => l.message === 'late-end'), 'the late lines did not come again');
    } finally {
      again.stop();
    }
    services.logs.cache.flush();
    const after = await api.invoke('logs:query', { targetId: sshTarget.id, text: 'late' });
    if (!after.ok) throw new Error(after.error.message);
    expect((after.value as { entries: LogEntry[] }).entries.map((e) => e.message)).toEqual([
      `late one ${MASKED_SECRET}`,
      `late two ${MASKED_SECRET}`,
      'late-end',
    ]);
  }, 60_000);

  it('a secret removed from the keychain: new lines keep their text', async () => {
    await services.runbooks.secrets.set('late-token', null);
    await services.secretMask.whenSettled();
    const source = `container:${CONTAINER}`;
    const f = await follow(api, { targetId: sshTarget.id, sources: [source], since: '10m' });
    try {
      await waitForLive(f, source);
      await print(`again ${LATE_SECRET} and ${PASSPHRASE}\nagain-end\n`);
      await f.waitForLines((lines) => lines.some((l) => l.message === 'again-end'), 'the lines after the removal never came');
      expect(f.lines.find((l) => l.message.startsWith('again '))!.message).toBe(`again ${LATE_SECRET} and ${MASKED_SECRET}`);
      // The earlier lines came again (since 10m): the late ones as printed, the rest masked.
      expect(f.lines.filter((l) => l.message.startsWith('late ')).map((l) => l.message)).toEqual([`late one ${LATE_SECRET}`, `late two ${encodeURIComponent(LATE_SECRET)}`]);
      await waitForMasked(f, source, plantedCount() + 2);
    } finally {
      f.stop();
    }
  }, 60_000);
});
