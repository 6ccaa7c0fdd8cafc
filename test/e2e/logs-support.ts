/**
 * What the Logs end-to-end tests and the log-pipeline benchmark share: the rig (keychain, sshd
 * in front of podman, the app in browser mode, Chromium), contract calls made from the page over
 * the host's WebSocket, a docker-ssh target added and its host key trusted, and reading a pane.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { PaneInspection } from '../../renderer/src/areas/logs/pane-inspection';
import { startApp, type RunningApp } from '../support/app';
import { launchBrowser, recordPageErrors } from '../support/browser';
import { startKeyring, waitFor, type Keyring } from '../support/keyring';
import { startPodman, type Podman } from '../support/podman';
import { startSshd, type Sshd } from '../support/sshd';

export interface LogsRig {
  keyring: Keyring;
  sshd: Sshd;
  podman: Podman;
  app: RunningApp;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  pageErrors: string[];
  stop(): Promise<void>;
}

export async function startLogsRig(options: { permissions?: string[] } = {}): Promise<LogsRig> {
  const [keyring, sshd, podman] = await Promise.all([startKeyring(), startSshd(), startPodman()]);
  const app = await startApp({ ...keyring.env, SSH_AUTH_SOCK: '' });
  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  if (options.permissions) await context.grantPermissions(options.permissions, { origin: new URL(app.url).origin });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const pageErrors: string[] = [];
  recordPageErrors(page, pageErrors);
  return {
    keyring,
    sshd,
    podman,
    app,
    browser,
    context,
    page,
    pageErrors,
    stop: async () => {
      await browser.close().catch(() => undefined);
      await app.stop().catch(() => undefined);
      await Promise.all([podman.stop().catch(() => undefined), sshd.dispose().catch(() => undefined)]);
      await keyring.stop().catch(() => undefined);
    },
  };
}

/**
 * Calls a contract channel from the page, over a WebSocket to the same host with the page's
 * token: exactly what the UI's own transport sends. Written as page source (the test project
 * has no DOM types).
 */
export async function invoke<T = unknown>(page: Page, channel: string, payload: unknown): Promise<T> {
  const reply = (await page.evaluate(
    `(async ({ channel, payload }) => {
      const token = sessionStorage.getItem('control-room:host-token');
      const ws = new WebSocket('ws://' + location.host + '/ws?token=' + encodeURIComponent(token));
      await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error('socket')); });
      const reply = new Promise((resolve) => {
        ws.onmessage = (message) => {
          const frame = JSON.parse(message.data);
          if (frame.type === 'reply' && frame.id === 1) resolve(frame.reply);
        };
      });
      ws.send(JSON.stringify({ type: 'invoke', id: 1, channel, payload }));
      const result = await reply;
      ws.close();
      return result;
    })(${JSON.stringify({ channel, payload })})`,
  )) as { ok: true; value: T } | { ok: false; error: { code: string; message: string } };
  if (!reply.ok) throw new Error(`${channel}: ${reply.error.code}: ${reply.error.message}`);
  return reply.value;
}

/** Adds a docker-ssh target for the rig's sshd and podman, trusts its host key, and waits for it to connect. */
export async function addDockerTarget(
  page: Page,
  rig: Pick<LogsRig, 'sshd' | 'podman'>,
  name: string,
): Promise<string> {
  const target = await invoke<{ id: string }>(page, 'targets:create', {
    name,
    environment: 'prod',
    kind: 'docker-ssh',
    settings: { host: '127.0.0.1', port: rig.sshd.port, username: rig.sshd.user, socketPath: rig.podman.socketPath },
    secrets: { privateKey: rig.sshd.clientPrivateKey },
  });
  // The first connection stops at the host key; pin it the way the trust dialog does.
  await invoke(page, 'logs:sources', { targetId: target.id }).catch(() => undefined);
  await waitFor(
    async () => (await stateOf(page, target.id)) === 'untrusted-host-key',
    15_000,
    'the target did not ask to trust its host key',
  );
  await invoke(page, 'connections:trustHostKey', {
    targetId: target.id,
    fingerprint: await rig.sshd.hostKeyFingerprint(),
  });
  await invoke(page, 'connections:retry', { targetId: target.id }).catch(() => undefined);
  await waitFor(async () => (await stateOf(page, target.id)) === 'connected', 20_000, 'the target did not connect');
  return target.id;
}

async function stateOf(page: Page, targetId: string): Promise<string | undefined> {
  const list = await invoke<{ targetId: string; state: { status: string } }[]>(page, 'connections:list', {});
  return list.find((entry) => entry.targetId === targetId)?.state.status;
}

export function pane(page: Page, number: number): Locator {
  return page.getByTestId(`log-pane-${number}`);
}

/** The rows of a pane's terminal buffer (trailing blank rows dropped). */
export function paneText(page: Page, number: number): Promise<string[]> {
  return pane(page, number)
    .locator('.pane-terminal')
    .evaluate((element) => (element as unknown as { logPane: PaneInspection }).logPane.text());
}

export function paneStats(page: Page, number: number): Promise<ReturnType<PaneInspection['stats']>> {
  return pane(page, number)
    .locator('.pane-terminal')
    .evaluate((element) => (element as unknown as { logPane: PaneInspection }).logPane.stats());
}

/** Picks sources in a pane that asks for them, and follows them. */
export async function chooseSources(page: Page, number: number, names: string[]): Promise<void> {
  const picker = pane(page, number).locator('form.source-picker');
  await picker.waitFor();
  for (const name of names) await picker.getByRole('checkbox', { name: new RegExp(`^${name}\\b`) }).check();
  await picker.getByRole('button', { name: /^Follow/ }).click();
  await pane(page, number).locator('.pane-terminal').waitFor();
}

export function paneSelection(page: Page, number: number): Promise<string> {
  return pane(page, number)
    .locator('.pane-terminal')
    .evaluate((element) => (element as unknown as { logPane: PaneInspection }).logPane.selection());
}
