/**
 * The Docker Overview end to end: the real app in browser mode, real Chromium, a real keychain,
 * a real sshd on loopback in front of podman's Docker API with compose-labelled containers.
 *
 * One app and one page for the whole file; the tests run in order and build on each other
 * (add → trust → overview → restart → audit → stop/start → sshd down and back).
 */
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../support/app';
import { animationsSettled, launchBrowser, openPage, SCREENSHOTS } from '../support/browser';
import { startKeyring, type Keyring } from '../support/keyring';
import { composeLabels, startPodman, type Podman } from '../support/podman';
import { startSshd, type Sshd } from '../support/sshd';

const TARGET = 'shop-prod';

let keyring: Keyring;
let sshd: Sshd;
let podman: Podman;
let app: RunningApp;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  [keyring, sshd, podman] = await Promise.all([startKeyring(), startSshd(), startPodman()]);
  // `trap` lets sh (PID 1 in the container) stop on SIGTERM at once, so restarts are quick.
  await Promise.all([
    podman.run(
      'shop-backend-1',
      'trap "exit 0" TERM; i=0; while true; do echo "backend $i"; i=$((i+1)); sleep 0.5; done',
      composeLabels('shop', 'backend'),
    ),
    podman.run(
      'shop-frontend-1',
      'trap "exit 0" TERM; while true; do echo frontend; sleep 1; done',
      composeLabels('shop', 'frontend'),
    ),
    podman.run('adhoc-worker', 'trap "exit 0" TERM; while true; do sleep 1; done'),
  ]);
  // No ssh-agent: the key from the keychain is the only way in.
  app = await startApp({ ...keyring.env, SSH_AUTH_SOCK: '' });
  browser = await launchBrowser();
  page = await openPage(browser, { width: 1280, height: 800 }, pageErrors, 15_000);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await Promise.all([podman?.stop(), sshd?.dispose()]);
  await keyring?.stop();
});

function project(name: string): Locator {
  return page.getByRole('region', { name: `Project ${name}` });
}

function containerRow(name: string): Locator {
  return page.getByTestId(`container-${name}`);
}

function headerChip(): Locator {
  return page.locator('.target-header').getByTestId('connection-state');
}

/** `42s`, `3m 05s`, `2h 01m` as seconds. */
function seconds(uptime: string): number {
  const match = /^(?:(\d+)h )?(?:(\d+)m )?(\d+)s$/.exec(uptime.trim()) ?? /^(\d+)h (\d+)m$/.exec(uptime.trim());
  if (!match) throw new Error(`not an uptime: ${uptime}`);
  const [, h = '0', m = '0', s = '0'] = match;
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

async function startedAt(name: string): Promise<string> {
  return podman.cli(['inspect', '--format', '{{.State.StartedAt}}', name]);
}

describe('Docker Overview over SSH', () => {
  it('adds a prod docker-ssh target whose key goes to the keychain', async () => {
    await page.goto(app.url);
    await page.getByText('Add your first target to see its containers and deploy info here').waitFor();
    await page.keyboard.press('Control+6');
    await page.getByRole('button', { name: 'Add target' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add target' });
    await dialog.getByLabel('Name', { exact: true }).fill(TARGET);
    await dialog.getByRole('radio', { name: 'Prod' }).check();
    await dialog.getByLabel('Kind').selectOption('docker-ssh');
    await dialog.getByLabel('User').fill(sshd.user);
    await dialog.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await dialog.getByLabel('Port').fill(String(sshd.port));
    await dialog.getByLabel('Docker socket on the host').fill(podman.socketPath);
    await dialog.getByLabel('SSH private key', { exact: true }).fill(sshd.clientPrivateKey);
    await dialog.getByRole('button', { name: 'Add target' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const row = page.getByRole('row').filter({ hasText: TARGET });
    await row.getByText('SSH private key: secret set').waitFor();
    // Nothing has connected yet: the list says so rather than guessing.
    expect(await row.getByTestId('connection-state').getAttribute('data-status')).toBe('idle');
    await row.getByText('Not connected').waitFor();
  });

  it('stops at the host key: shows the server’s fingerprint and trusts it only on the click', async () => {
    await page.keyboard.press('Control+1');
    const dialog = page.getByRole('dialog', { name: `Trust the host key of ${TARGET}?` });
    await dialog.waitFor();
    const expected = await sshd.hostKeyFingerprint();
    expect((await dialog.getByTestId('host-key-fingerprint').textContent())?.trim()).toBe(expected);
    expect(await dialog.textContent()).toContain('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub');
    expect(await dialog.textContent()).toContain(`root@127.0.0.1:${sshd.port}`);
    // Nothing was sent: no authentication before the key is trusted.
    expect(sshd.log()).not.toMatch(/Accepted publickey|userauth-request/);
    await page.mouse.move(1200, 780);
    // The page prefers reduced motion (every test page does), which the renderer honours: the
    // dialog has no opening animation to wait for, and nothing else on the page moves.
    expect(await page.evaluate("getComputedStyle(document.querySelector('dialog[open]')).animationName")).toBe('none');
    expect(await page.evaluate('document.getAnimations().length')).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'overview-trust.png') });

    // Cancel (Esc) trusts nothing; the Overview keeps asking, and the chip says why.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('heading', { name: `Trust ${TARGET}’s host key to connect` }).waitFor();
    expect(await headerChip().getAttribute('data-status')).toBe('untrusted-host-key');
    expect(sshd.log()).not.toMatch(/Accepted publickey/);

    await page.getByRole('button', { name: 'Review the host key…' }).click();
    await dialog.waitFor();
    // Enter on the focused button is Cancel, not Trust: a stray key press trusts nothing.
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    expect(await headerChip().getAttribute('data-status')).toBe('untrusted-host-key');

    await page.getByRole('button', { name: 'Review the host key…' }).click();
    // The fingerprint copies exactly, to compare it elsewhere, and the button says so.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(app.url).origin });
    await dialog.getByRole('button', { name: 'Copy the fingerprint' }).click();
    await dialog.getByText('Copied').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(expected);
    await dialog.getByRole('button', { name: 'Trust and connect' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => headerChip().getAttribute('data-status'), { timeout: 15_000 }).toBe('connected');
    expect(sshd.log()).toMatch(/Accepted publickey for root/);
  });

  it('shows the engine and the containers grouped by compose project and service', async () => {
    const shop = project('shop');
    await shop.waitFor();
    const backend = shop.getByTestId('container-shop-backend-1');
    const frontend = shop.getByTestId('container-shop-frontend-1');
    await backend.waitFor();
    expect(await backend.locator('.cell-service').textContent()).toBe('backend');
    expect(await frontend.locator('.cell-service').textContent()).toBe('frontend');
    expect(await backend.textContent()).toContain('running');
    expect(await backend.textContent()).toContain('busybox');

    const other = page.getByRole('region', { name: 'Other containers' });
    await other.getByTestId('container-adhoc-worker').waitFor();
    expect(await other.getByRole('row').count()).toBe(2); // header + adhoc-worker
    expect(await shop.getByTestId('container-adhoc-worker').count()).toBe(0);

    const engine = page.locator('.engine-strip');
    expect(await engine.textContent()).toMatch(/Engine\s*\d+\.\d+/);
    expect(await engine.textContent()).toContain('Running3 of 3');

    // Running containers offer Restart and Stop, not Start.
    expect(await backend.getByRole('button', { name: 'Restart shop-backend-1', exact: true }).count()).toBe(1);
    expect(await backend.getByRole('button', { name: 'Stop shop-backend-1', exact: true }).count()).toBe(1);
    expect(await backend.getByRole('button', { name: 'Start shop-backend-1', exact: true }).count()).toBe(0);

    // Uptime ticks from startedAt; a fresh read (r) brings CPU and memory readings.
    const uptime = backend.getByTestId('uptime');
    const first = seconds((await uptime.textContent())!);
    await expect.poll(async () => seconds((await uptime.textContent())!), { timeout: 5_000 }).toBeGreaterThan(first);
    await page.locator('body').press('r');
    await page.getByRole('button', { name: 'Refreshing…' }).waitFor();
    await page.getByRole('button', { name: 'Refresh', exact: true }).waitFor({ timeout: 30_000 });
    await expect
      .poll(async () => (await backend.locator('.cell-memory').textContent())?.trim(), { timeout: 10_000 })
      .toMatch(/\d+(\.\d)? (B|KiB|MiB)/);
    await expect
      .poll(async () => (await backend.locator('.cell-cpu').textContent())?.trim(), { timeout: 10_000 })
      .toMatch(/%/);

    await page.mouse.move(1200, 780);
    await page.screenshot({ path: join(SCREENSHOTS, 'overview-docker.png') });
  });

  it('restarts a prod container only once its name is typed, and shows it restarted', async () => {
    const backend = containerRow('shop-backend-1');
    // Let the uptime grow, so a reset is unmistakable.
    await expect
      .poll(async () => seconds((await backend.getByTestId('uptime').textContent())!), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(4);
    const before = await startedAt('shop-backend-1');

    await backend.getByRole('button', { name: 'Restart shop-backend-1', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Restart shop-backend-1?' });
    await dialog.waitFor();
    const confirm = dialog.getByRole('button', { name: 'Restart', exact: true });
    const typed = dialog.getByLabel('Type shop-backend-1 to confirm');
    expect(await confirm.isDisabled()).toBe(true);
    await typed.fill('shop-backend');
    expect(await confirm.isDisabled()).toBe(true);
    await typed.fill('shop-backend-1 ');
    expect(await confirm.isDisabled()).toBe(true);
    await typed.fill('shop-backend-1');
    expect(await confirm.isEnabled()).toBe(true);
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'overview-confirm.png') });
    await typed.press('Enter');

    await page.getByRole('status').filter({ hasText: 'shop-backend-1 restarted.' }).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    expect(await startedAt('shop-backend-1')).not.toBe(before);
    // Docker's events bring the new start time: the uptime starts again from zero.
    await expect
      .poll(async () => seconds((await backend.getByTestId('uptime').textContent())!), { timeout: 10_000 })
      .toBeLessThan(4);
    expect(await backend.textContent()).toContain('running');
  });

  it('lists the restart in the audit log, live', async () => {
    await page.getByRole('tab', { name: /Audit log/ }).click();
    const log = page.getByRole('table', { name: 'Audit log' });
    const entry = log.getByRole('row').filter({ hasText: 'shop-backend-1' });
    await entry.waitFor();
    expect(await entry.textContent()).toMatch(/restart/i);
    expect(await entry.textContent()).toContain('ok');
    expect(await entry.textContent()).toContain('restarted');
    await page.mouse.move(1200, 780);
    await page.screenshot({ path: join(SCREENSHOTS, 'overview-audit.png') });
    await page.getByRole('tab', { name: /Containers/ }).click();
  });

  it('stops and starts the ungrouped container: Start appears only once it is stopped', async () => {
    const worker = containerRow('adhoc-worker');
    await worker.getByRole('button', { name: 'Stop adhoc-worker', exact: true }).click();
    const stop = page.getByRole('dialog', { name: 'Stop adhoc-worker?' });
    await stop.getByLabel('Type adhoc-worker to confirm').fill('adhoc-worker');
    await stop.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'adhoc-worker stopped.' }).waitFor();
    await worker.getByRole('button', { name: 'Start adhoc-worker', exact: true }).waitFor();
    expect(await worker.getByRole('button', { name: 'Restart adhoc-worker', exact: true }).count()).toBe(0);
    expect(await worker.textContent()).toContain('exited');
    await page.locator('.engine-strip').getByText('2 of 3').waitFor();

    await worker.getByRole('button', { name: 'Start adhoc-worker', exact: true }).click();
    const start = page.getByRole('dialog', { name: 'Start adhoc-worker?' });
    await start.getByLabel('Type adhoc-worker to confirm').fill('adhoc-worker');
    await start.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'adhoc-worker started.' }).waitFor();
    await worker.getByRole('button', { name: 'Stop adhoc-worker', exact: true }).waitFor();
  });

  it('shows reconnecting when sshd goes away, and connected again once it is back', async () => {
    await sshd.stop();
    await expect.poll(() => headerChip().getAttribute('data-status'), { timeout: 20_000 }).toBe('reconnecting');
    await headerChip()
      .getByText(/Reconnecting/)
      .waitFor();
    // The last overview stays on screen, marked as such.
    await page.getByText(/Showing the state as of/).waitFor();
    await containerRow('shop-backend-1').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'overview-reconnecting.png') });
    // The Targets list shows it too.
    await page.keyboard.press('Control+6');
    const row = page.getByRole('row').filter({ hasText: TARGET });
    expect(await row.getByTestId('connection-state').getAttribute('data-status')).toMatch(/reconnecting|connecting/);
    await row.getByRole('button', { name: `Retry connecting to ${TARGET}` }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'targets-reconnecting.png') });
    await page.keyboard.press('Control+1');

    await sshd.start();
    await expect.poll(() => headerChip().getAttribute('data-status'), { timeout: 45_000 }).toBe('connected');
    await page.getByText(/Showing the state as of/).waitFor({ state: 'detached', timeout: 15_000 });
    await containerRow('shop-backend-1').getByTestId('uptime').waitFor();
  });

  it('refuses a changed host key, says why with both fingerprints, and re-trusts only after forget + compare', async () => {
    const old = await sshd.hostKeyFingerprint();
    await sshd.stop();
    await sshd.rotateHostKey();
    await sshd.start();
    const offered = await sshd.hostKeyFingerprint();
    expect(offered).not.toBe(old);

    const panel = page.getByRole('region', { name: `${TARGET}’s host key has changed` });
    await panel.waitFor({ timeout: 45_000 });
    expect(await headerChip().getAttribute('data-status')).toBe('failed');
    const reason = await panel.getByRole('alert').textContent();
    expect(reason).toContain(old);
    expect(reason).toContain(offered);
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'overview-mismatch.png') });

    // Forgetting is behind a confirmation, and leads to the trust dialog for the new key.
    await panel.getByRole('button', { name: 'Forget the old key…' }).click();
    const confirm = page.getByRole('dialog', { name: `Forget the pinned key of ${TARGET}?` });
    await confirm.getByRole('button', { name: 'Forget the old key' }).click();
    const trust = page.getByRole('dialog', { name: `Trust the host key of ${TARGET}?` });
    await trust.waitFor();
    expect((await trust.getByTestId('host-key-fingerprint').textContent())?.trim()).toBe(offered);
    await trust.getByRole('button', { name: 'Trust and connect' }).click();
    await trust.waitFor({ state: 'hidden' });
    await expect.poll(() => headerChip().getAttribute('data-status'), { timeout: 15_000 }).toBe('connected');
    // The overview from before the key change is marked until the new connection's arrives.
    await page.getByText(/Showing the state as of/).waitFor({ state: 'detached', timeout: 20_000 });
    await containerRow('shop-backend-1').getByTestId('uptime').waitFor();
  });

  it('on a staging target, asks for a plain confirmation that Enter accepts', async () => {
    await page.keyboard.press('Control+6');
    await page.getByRole('button', { name: `Edit ${TARGET}` }).click();
    const edit = page.getByRole('dialog', { name: `Edit ${TARGET}` });
    await edit.getByRole('radio', { name: 'Staging' }).check();
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'hidden' });
    await page.keyboard.press('Control+1');
    // The edit made a new connection; the overview follows it.
    await expect.poll(() => headerChip().getAttribute('data-status'), { timeout: 15_000 }).toBe('connected');
    await page.getByText(/Showing the state as of/).waitFor({ state: 'detached', timeout: 20_000 });

    const frontend = containerRow('shop-frontend-1');
    await frontend.getByRole('button', { name: 'Restart shop-frontend-1', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Restart shop-frontend-1?' });
    await dialog.waitFor();
    expect(await dialog.getByRole('textbox').count()).toBe(0);
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'shop-frontend-1 restarted.' }).waitFor();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('remembers the chosen target and logged no errors in the page', async () => {
    await page.reload();
    await page.getByRole('tab', { name: new RegExp(TARGET), selected: true }).waitFor();
    await project('shop').waitFor();
    expect(pageErrors.filter((message) => !/WebSocket|ERR_CONNECTION_REFUSED/.test(message))).toEqual([]);
  });
});
