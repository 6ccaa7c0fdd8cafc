/**
 * Keychain secrets a container prints never reach the page: the real app in browser mode, real
 * Chromium, a real keychain holding a docker-ssh target's key passphrase (its client key is
 * encrypted with it) and an ops-API token, sshd on loopback in front of podman.
 *
 * The container prints the passphrase and the token as they are, base64- and URL-encoded. Every
 * WebSocket frame the page receives holds no form of either, the pane header says how many were
 * masked, the marker is drawn in the terminal (screenshot), and both downloads (the shown lines
 * and a range from the cache) hold none.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASKED_SECRET, MASKED_SECRET_HELP } from '../../shared/log-mask';
import { SCREENSHOTS } from '../support/browser';
import { waitFor } from '../support/keyring';
import { BUSYBOX_IMAGE, composeLabels } from '../support/podman';
import { occurrences, printedForms, secretForms } from '../integration/bundles/bundle-support';
import { chooseSources, invoke, pane, paneText, startLogsRig, type LogsRig } from './logs-support';

const exec = promisify(execFile);
const nonce = randomBytes(6).toString('hex');
const PASSPHRASE = `ssh pass/${nonce}+phrase`;
const OPS_TOKEN = `cra_${randomBytes(32).toString('base64url')}`;
const planted: Record<string, string> = { passphrase: PASSPHRASE, 'ops-token': OPS_TOKEN };
const PLANTED_LINES = Object.entries(planted).flatMap(([name, value]) =>
  printedForms(value).map(({ form, text }) => `planted ${name} ${form}: ${text}`),
);

let rig: LogsRig;
/** Every WebSocket frame the page received, from its first navigation on. */
const received: string[] = [];

function leaks(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const found: string[] = [];
  for (const [name, value] of Object.entries(planted)) {
    for (const form of [...secretForms(value), JSON.stringify(value).slice(1, -1)]) {
      const n = occurrences(bytes, form);
      if (n) found.push(`${name} (${JSON.stringify(form.slice(0, 40))}) ×${n}`);
    }
  }
  return found;
}

beforeAll(async () => {
  rig = await startLogsRig();
  const { podman, sshd, page } = rig;
  page.on('websocket', (ws) => {
    ws.on('framereceived', ({ payload }) => received.push(typeof payload === 'string' ? payload : payload.toString('utf8')));
  });
  // The lines in a file copied in (no secret on a command line), printed once at start.
  const plantFile = join(sshd.dir, 'plant.txt');
  writeFileSync(plantFile, `${PLANTED_LINES.join('\n')}\nplanted-end\n`);
  await podman.cli(['create', '--name', 'vault-app-1', ...Object.entries(composeLabels('vault', 'app')).flatMap(([k, v]) => ['--label', `${k}=${v}`]), BUSYBOX_IMAGE, 'sh', '-c', 'trap "exit 0" TERM; cat /plant.txt; while true; do sleep 1; done']);
  await podman.cli(['cp', plantFile, 'vault-app-1:/plant.txt']);
  await podman.cli(['start', 'vault-app-1']);
  await waitFor(async () => (await podman.cli(['logs', 'vault-app-1'])).includes('planted-end'), 15_000, 'vault-app-1 did not print its lines');
}, 120_000);

afterAll(async () => {
  await rig?.stop();
});

/** A docker-ssh target whose client key is encrypted with PASSPHRASE (both in the keychain), trusted and connected. */
async function addTargetWithPassphrase(): Promise<string> {
  const { page, sshd, podman } = rig;
  const keyPath = join(sshd.dir, 'client_with_passphrase');
  copyFileSync(sshd.clientKeyPath, keyPath);
  chmodSync(keyPath, 0o600);
  await exec('ssh-keygen', ['-q', '-p', '-P', '', '-N', PASSPHRASE, '-f', keyPath]);
  const target = await invoke<{ id: string }>(page, 'targets:create', {
    name: 'vault-prod',
    environment: 'prod',
    kind: 'docker-ssh',
    settings: { host: '127.0.0.1', port: sshd.port, username: sshd.user, socketPath: podman.socketPath },
    secrets: { privateKey: readFileSync(keyPath, 'utf8'), passphrase: PASSPHRASE },
  });
  const state = async () =>
    (await invoke<{ targetId: string; state: { status: string } }[]>(page, 'connections:list', {})).find((e) => e.targetId === target.id)?.state.status;
  await invoke(page, 'logs:sources', { targetId: target.id }).catch(() => undefined);
  await waitFor(async () => (await state()) === 'untrusted-host-key', 15_000, 'the target did not ask to trust its host key');
  await invoke(page, 'connections:trustHostKey', { targetId: target.id, fingerprint: await sshd.hostKeyFingerprint() });
  await invoke(page, 'connections:retry', { targetId: target.id }).catch(() => undefined);
  await waitFor(async () => (await state()) === 'connected', 20_000, 'the target did not connect');
  return target.id;
}

describe('keychain secrets in the Logs pane', () => {
  it('shows the marker and the count, and no frame the page receives carries a secret', async () => {
    const { page } = rig;
    await page.goto(rig.app.url);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const targetId = await addTargetWithPassphrase();
    // An ops-API target whose token is in the keychain (nothing needs to answer at its address).
    await invoke(page, 'targets:create', { name: 'vault-api', environment: 'prod', kind: 'ops-api', settings: { baseUrl: 'https://vault.example.com' }, secrets: { apiToken: OPS_TOKEN } });

    await page.keyboard.press('Control+2');
    await page.getByRole('heading', { name: 'Logs', level: 1 }).waitFor();
    await page.getByRole('combobox', { name: 'Target' }).selectOption(targetId);
    await chooseSources(page, 1, ['vault-app-1']);
    await expect.poll(async () => (await paneText(page, 1)).some((row) => row.includes('planted-end')), { timeout: 20_000 }).toBe(true);

    const rows = (await paneText(page, 1)).filter((row) => row.includes('planted '));
    expect(rows).toHaveLength(PLANTED_LINES.length);
    for (const row of rows) expect(row).toMatch(/vault-app-1 │ planted [a-z-]+ [a-z0-9]+: \[masked secret\]$/);
    const badge = pane(page, 1).locator('.badge-masked');
    await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe(`${PLANTED_LINES.length} secrets masked`);
    expect(await badge.getAttribute('title')).toBe(MASKED_SECRET_HELP);

    await page.screenshot({ path: join(SCREENSHOTS, 'logs-secrets.png') });
    expect(received.some((frame) => frame.includes(MASKED_SECRET))).toBe(true);
    expect(leaks(received.join('\n'))).toEqual([]);
    expect(rig.pageErrors).toEqual([]);
  });

  it('downloads the shown lines and a cached range with the marker and without a secret', async () => {
    const { page } = rig;
    await pane(page, 1).getByRole('button', { name: 'More' }).click();
    const [shown] = await Promise.all([page.waitForEvent('download'), pane(page, 1).getByRole('button', { name: 'Download shown lines' }).click()]);
    const shownText = readFileSync((await shown.path())!, 'utf8');
    expect(shownText.split(MASKED_SECRET).length - 1).toBe(PLANTED_LINES.length);
    expect(leaks(shownText)).toEqual([]);

    await pane(page, 1).getByRole('button', { name: 'More' }).click();
    const menu = pane(page, 1).getByRole('dialog', { name: 'More pane tools' });
    const local = (ms: number) => {
      const d = new Date(ms);
      const p = (v: number) => String(v).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
    };
    await menu.getByLabel('From', { exact: true }).fill(local(Date.now() - 10 * 60_000));
    await menu.getByLabel('To', { exact: true }).fill(local(Date.now() + 60_000));
    const [range] = await Promise.all([page.waitForEvent('download'), menu.getByRole('button', { name: 'Download range' }).click()]);
    const cached = readFileSync((await range.path())!, 'utf8');
    expect(cached.split(MASKED_SECRET).length - 1).toBe(PLANTED_LINES.length);
    expect(leaks(cached)).toEqual([]);
    expect(leaks(received.join('\n'))).toEqual([]);
  });
});
