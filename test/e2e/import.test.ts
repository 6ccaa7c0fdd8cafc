/**
 * Import end to end: the app started with a HOME that holds a ~/.ssh/config and a Docker context
 * the test wrote, real Chromium, a real keychain. Nothing is imported until picked; a picked key
 * file goes to the keychain only when asked.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../support/app';
import { animationsSettled, launchBrowser, openPage, SCREENSHOTS } from '../support/browser';
import { readWithSecretTool, startKeyring, waitFor, type Keyring } from '../support/keyring';

const KEY_FILE_TEXT = '-----BEGIN OPENSSH PRIVATE KEY-----\nimport-test-key\n-----END OPENSSH PRIVATE KEY-----\n';

let keyring: Keyring;
let home: string;
let app: RunningApp;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

function writeHome(dir: string) {
  mkdirSync(join(dir, '.ssh'), { recursive: true });
  writeFileSync(join(dir, '.ssh', 'id_shop'), KEY_FILE_TEXT, { mode: 0o600 });
  writeFileSync(
    join(dir, '.ssh', 'config'),
    [
      'Host *',
      '  ServerAliveInterval 30',
      '',
      'Host shop-prod',
      '  HostName 10.20.30.40',
      '  User deploy',
      '  Port 2201',
      '  IdentityFile ~/.ssh/id_shop',
      '',
      'Host shop-staging',
      '  HostName staging.example.com',
      '  User ops',
      '',
      'Host behind-bastion',
      '  HostName 10.9.9.9',
      '  ProxyJump bastion.example.com',
      '',
      'Host templated',
      '  HostName %h.internal',
      '',
    ].join('\n'),
  );
  const context = join(dir, '.docker', 'contexts', 'meta', 'a1b2c3');
  mkdirSync(context, { recursive: true });
  writeFileSync(
    join(context, 'meta.json'),
    JSON.stringify({
      Name: 'laptop-podman',
      Metadata: {},
      Endpoints: { docker: { Host: 'unix:///run/user/1000/podman/podman.sock' } },
    }),
  );
}

beforeAll(async () => {
  keyring = await startKeyring();
  home = mkdtempSync(join(tmpdir(), 'cr-home-'));
  writeHome(home);
  app = await startApp({ ...keyring.env, HOME: home });
  browser = await launchBrowser();
  page = await openPage(browser, { width: 1280, height: 800 }, pageErrors);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await keyring?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

function candidate(key: string): Locator {
  return page.getByTestId(`import-${key}`);
}

describe('Import targets', () => {
  it('lists what ~/.ssh/config and Docker contexts hold, nothing picked, the unsupported ones disabled', async () => {
    await page.goto(app.url);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.keyboard.press('Control+6');
    await page.getByRole('button', { name: 'Import…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import targets' });
    await dialog.waitFor();
    await candidate('ssh-config:shop-prod').waitFor();

    const list = dialog.getByRole('list', { name: 'Found targets' });
    expect(await list.getByRole('listitem').count()).toBe(5); // four hosts (not the * pattern) and one context
    for (const checkbox of await dialog.getByRole('checkbox', { name: /^Import / }).all()) {
      expect(await checkbox.isChecked()).toBe(false);
    }
    expect(await dialog.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true);

    const prod = candidate('ssh-config:shop-prod');
    expect(await prod.textContent()).toContain('deploy@10.20.30.40:2201');
    expect(await prod.textContent()).toContain(join(home, '.ssh', 'id_shop'));
    expect(await prod.getByLabel('Environment for shop-prod').inputValue()).toBe('prod');
    expect(await candidate('ssh-config:shop-staging').getByLabel('Environment for shop-staging').inputValue()).toBe(
      'staging',
    );

    const bastion = candidate('ssh-config:behind-bastion');
    expect(await bastion.getByRole('checkbox', { name: 'Import behind-bastion' }).isDisabled()).toBe(true);
    expect(await bastion.textContent()).toContain('jump host');

    const context = candidate('docker-context:laptop-podman');
    expect(await context.textContent()).toContain('/run/user/1000/podman/podman.sock');
    expect(await context.textContent()).toContain('Docker context');
  });

  it('imports the picked rows, with the key file copied into the keychain only where asked', async () => {
    const dialog = page.getByRole('dialog', { name: 'Import targets' });
    const prod = candidate('ssh-config:shop-prod');
    await prod.getByRole('checkbox', { name: 'Import shop-prod' }).check();
    await prod.getByRole('checkbox', { name: 'Copy key file into the keychain' }).check();
    const context = candidate('docker-context:laptop-podman');
    await context.getByRole('checkbox', { name: 'Import laptop-podman' }).check();
    await context.getByLabel('Environment for laptop-podman').selectOption('staging');
    // One that main refuses as written: the row says why, the others still go in.
    await candidate('ssh-config:templated').getByRole('checkbox', { name: 'Import templated' }).check();
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'import.png') });

    await dialog.getByRole('button', { name: 'Import 3 targets' }).click();
    await prod.getByText('Added').waitFor();
    await context.getByText('Added').waitFor();
    await candidate('ssh-config:templated').getByRole('alert').waitFor();
    expect(await candidate('ssh-config:templated').getByRole('alert').textContent()).toContain(
      'cannot be imported as it is written',
    );
    await dialog.getByText('Added 2 targets').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'import-result.png') });

    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const prodRow = page.getByRole('row').filter({ hasText: 'shop-prod' });
    await prodRow.waitFor();
    expect(await prodRow.textContent()).toContain('deploy@10.20.30.40:2201');
    await prodRow.getByText('SSH private key: secret set').waitFor();
    expect(await prodRow.locator('.env-badge').textContent()).toBe('prod');
    const contextRow = page.getByRole('row').filter({ hasText: 'laptop-podman' });
    expect(await contextRow.locator('.env-badge').textContent()).toBe('staging');
    expect(await page.getByRole('row').count()).toBe(3); // header + the two imported
    await page.mouse.move(1200, 780);
    await page.screenshot({ path: join(SCREENSHOTS, 'import-targets.png') });

    const id = (await prodRow.getAttribute('data-testid'))!.replace(/^target-row-/, '');
    await waitFor(
      async () => (await readWithSecretTool(keyring.env, 'control-room', `target/${id}/privateKey`)) === KEY_FILE_TEXT,
      5_000,
      'the key file in the keychain',
    );
  });

  it('marks what is already added when scanned again', async () => {
    await page.getByRole('button', { name: 'Import…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import targets' });
    const prod = candidate('ssh-config:shop-prod');
    await prod.getByText('already added').waitFor();
    expect(await prod.getByRole('checkbox', { name: 'Import shop-prod' }).isDisabled()).toBe(true);
    expect(
      await candidate('ssh-config:shop-staging').getByRole('checkbox', { name: 'Import shop-staging' }).isEnabled(),
    ).toBe(true);
    // Esc closes it, importing nothing.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.getByRole('row').count()).toBe(3);
  });

  it('says so when there is nothing to import', async () => {
    rmSync(join(home, '.ssh'), { recursive: true, force: true });
    rmSync(join(home, '.docker'), { recursive: true, force: true });
    await page.getByRole('button', { name: 'Import…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import targets' });
    await dialog.getByText('Nothing found in ~/.ssh/config or Docker contexts.').waitFor();
    expect(await dialog.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(pageErrors.filter((message) => !/WebSocket|ERR_CONNECTION_REFUSED/.test(message))).toEqual([]);
  });
});
