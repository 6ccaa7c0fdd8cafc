/**
 * Targets end to end: `npm start`'s browser mode in real Chromium, secrets in a real keychain.
 *
 * One app and one page for the whole file; the tests run in order and build on each other
 * (add → list → edit → delete → locked keychain → lost connection).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Locator, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../support/app';
import { launchBrowser, openPage, SCREENSHOTS } from '../support/browser';
import { readWithSecretTool, startKeyring, waitFor, type Keyring } from '../support/keyring';

const SERVICE = 'control-room';
const PROD = 'shop-prod';
const STAGING = 'shop-staging';
const nonce = randomBytes(6).toString('hex');
// Multi-line on purpose: the key must reach the keychain byte for byte, line breaks included.
const PRIVATE_KEY = [
  '-----BEGIN OPENSSH PRIVATE KEY-----',
  `b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW${nonce}`,
  'QyNTUxOQAAACDk3mFZvHkq0n6ZlqFvXq2s9Yq6y0d1Xy2m3n4b5c6d7eAAAAJgAAAAAAAAAA',
  '-----END OPENSSH PRIVATE KEY-----',
  '',
].join('\n');
const API_TOKEN = `tok_${nonce}_${randomBytes(12).toString('hex')}`;
const PROD_RED = 'rgb(242, 85, 80)';

let keyring: Keyring;
let app: RunningApp;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  keyring = await startKeyring();
  app = await startApp(keyring.env);
  browser = await launchBrowser();
  page = await openPage(browser, { width: 1280, height: 800 }, pageErrors);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await keyring?.stop();
});

function row(name: string): Locator {
  return page.getByRole('row').filter({ has: page.getByText(name, { exact: true }) });
}

/** A computed style property, read in the page. */
function cssOf(locator: Locator, property: string): Promise<string> {
  return locator.evaluate(
    (el, name) => el.ownerDocument.defaultView!.getComputedStyle(el).getPropertyValue(name),
    property,
  );
}

async function targetId(name: string): Promise<string> {
  const testId = await row(name).getAttribute('data-testid');
  const id = testId?.replace(/^target-row-/, '');
  expect(id).toMatch(/^[a-z0-9-]+$/);
  return id!;
}

async function keychainHolds(account: string, expected: string | null) {
  // secret-tool prints the secret as stored; compare exactly.
  await waitFor(
    async () => (await readWithSecretTool(keyring.env, SERVICE, account)) === expected,
    5_000,
    `keychain entry ${account} as expected`,
  );
}

describe('Targets in browser mode', () => {
  it('opens from the printed address, hides the token and shows the empty state', async () => {
    await page.goto(app.url);
    await expect.poll(() => page.url()).not.toContain('token=');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByText('Add your first target to see its containers and deploy info here').waitFor();
    await page.getByRole('status', { name: 'Keychain ready' }).waitFor();

    // Ctrl+6 is Targets.
    await page.keyboard.press('Control+6');
    await page.getByRole('heading', { name: 'Targets', level: 1 }).waitFor();
    await page.getByText('No targets yet — add the prod host or ops API you want to watch.').waitFor();

    // A reload keeps working: the token was kept for this tab.
    await page.reload();
    await page.getByText('No targets yet — add the prod host or ops API you want to watch.').waitFor();
  });

  it('without the printed address, says which address to open', async () => {
    const origin = app.url.replace(/#.*/, '');
    const tab = await browser.newPage();
    tab.setDefaultTimeout(10_000);
    try {
      await tab.goto(origin);
      await tab.getByRole('heading', { name: 'Open Control Room from the address it printed' }).waitFor();
      expect(await tab.getByRole('alert').textContent()).toContain('npm start');

      // A token from another launch: it cannot connect, and says why.
      const stale = await browser.newPage();
      try {
        await stale.goto(`${origin}#token=from-an-earlier-launch`);
        await stale.getByRole('heading', { name: 'Can’t reach Control Room' }).waitFor();
      } finally {
        await stale.close();
      }

      // Pasting the right address into the same tab (only the fragment changes) connects.
      await tab.goto(app.url);
      await tab.getByRole('heading', { name: 'Overview' }).waitFor();
    } finally {
      await tab.close();
    }
  });

  it('adds a prod docker-ssh target whose private key goes to the keychain', async () => {
    await page.getByRole('button', { name: 'Add target' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add target' });
    await dialog.waitFor();
    await dialog.getByLabel('Name', { exact: true }).fill(PROD);
    await dialog.getByRole('radio', { name: 'Prod' }).check();
    await dialog.getByLabel('Kind').selectOption('docker-ssh');
    expect(await dialog.getByLabel('Port').inputValue()).toBe('22');
    expect(await dialog.getByLabel('Docker socket on the host').inputValue()).toBe('/var/run/docker.sock');
    await dialog.getByLabel('Host', { exact: true }).fill('10.20.30.40');
    await dialog.getByLabel('Port').fill('2222');
    await dialog.getByLabel('User').fill('deploy');
    expect(await dialog.getByLabel('SSH private key', { exact: true }).getAttribute('autocomplete')).toBe('off');
    await dialog.getByLabel('SSH private key', { exact: true }).fill(PRIVATE_KEY);
    await dialog.getByRole('button', { name: 'Add target' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const prodRow = row(PROD);
    await prodRow.waitFor();
    expect(await prodRow.textContent()).toContain('deploy@10.20.30.40:2222');
    await prodRow.getByText('SSH private key: secret set').waitFor();
    await prodRow.getByText('Key passphrase: no secret').waitFor();

    // Prod is unmistakable: a red badge and a red edge on the row.
    const badge = prodRow.locator('.env-badge');
    expect((await badge.textContent())?.toLowerCase()).toBe('prod');
    expect(await cssOf(badge, 'background-color')).toBe(PROD_RED);
    expect(await cssOf(prodRow.locator('td').first(), 'box-shadow')).toContain(PROD_RED);

    const id = await targetId(PROD);
    await keychainHolds(`target/${id}/privateKey`, PRIVATE_KEY);
    expect(await readWithSecretTool(keyring.env, SERVICE, `target/${id}/passphrase`)).toBeNull();
  });

  it('adds a staging ops-api target with a token, listed beside the prod one', async () => {
    await page.getByRole('button', { name: 'Add target' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add target' });
    await dialog.getByLabel('Name', { exact: true }).fill(STAGING);
    await dialog.getByRole('radio', { name: 'Staging' }).check();
    await dialog.getByLabel('Kind').selectOption('ops-api');
    await dialog.getByLabel('Base URL').fill('https://ops.staging.example.com');
    await dialog.getByLabel('API token', { exact: true }).fill(API_TOKEN);
    await dialog.getByLabel('API token', { exact: true }).press('Enter');
    await dialog.waitFor({ state: 'hidden' });

    const stagingRow = row(STAGING);
    await stagingRow.waitFor();
    await stagingRow.getByText('API token: secret set').waitFor();
    expect(await stagingRow.textContent()).toContain('https://ops.staging.example.com');
    expect(await cssOf(stagingRow.locator('.env-badge'), 'background-color')).not.toBe(PROD_RED);
    await keychainHolds(`target/${await targetId(STAGING)}/apiToken`, API_TOKEN);

    expect(await page.getByRole('row').count()).toBe(3); // header + two targets
    await page.mouse.move(900, 700);
    await page.screenshot({ path: join(SCREENSHOTS, 'targets.png') });

    // The overview lists both, prod marked there too.
    await page.keyboard.press('Control+1');
    const prodTab = page.getByRole('tab', { name: new RegExp(PROD) });
    await prodTab.waitFor();
    await page.getByRole('tab', { name: new RegExp(STAGING) }).waitFor();
    expect(await cssOf(prodTab.locator('.env-badge'), 'background-color')).toBe(PROD_RED);
    await page.keyboard.press('Control+6');
    await row(PROD).waitFor();
  });

  it('edits a target: bad input is explained on its field, nothing typed is lost, the secret is kept', async () => {
    const id = await targetId(PROD);
    await page.getByRole('button', { name: `Edit ${PROD}` }).click();
    const dialog = page.getByRole('dialog', { name: `Edit ${PROD}` });
    await dialog.waitFor();
    const key = dialog.getByLabel('SSH private key', { exact: true });
    expect(await key.inputValue()).toBe('');
    expect(await key.getAttribute('placeholder')).toBe('•••••• set — leave empty to keep');
    expect(await dialog.getByRole('checkbox', { name: 'Clear SSH private key' }).isChecked()).toBe(false);

    // Client-side: the same schema as main.
    await dialog.getByLabel('User').fill('ops');
    await dialog.getByLabel('Port').fill('70000');
    await dialog.getByLabel('Port').press('Enter');
    await dialog.getByText('Ports run 1–65535.').waitFor();
    expect(await dialog.getByLabel('Port').getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.getByLabel('Port').inputValue()).toBe('70000');
    expect(await dialog.getByLabel('User').inputValue()).toBe('ops');
    expect(await dialog.getByLabel('Host', { exact: true }).inputValue()).toBe('10.20.30.40');
    await page.screenshot({ path: join(SCREENSHOTS, 'targets-form.png') });

    // Server-side: a taken name comes back as a field error.
    await dialog.getByLabel('Port').fill('2200');
    await dialog.getByLabel('Name', { exact: true }).fill(STAGING);
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.getByText('This name is taken.').waitFor();
    expect(await dialog.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.getByLabel('Port').inputValue()).toBe('2200');

    await dialog.getByLabel('Name', { exact: true }).fill(PROD);
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('ops@10.20.30.40:2200').waitFor();
    await row(PROD).getByText('SSH private key: secret set').waitFor();
    await keychainHolds(`target/${id}/privateKey`, PRIVATE_KEY);
  });

  it('closes a dialog with Esc without saving', async () => {
    await page.getByRole('button', { name: `Edit ${STAGING}` }).click();
    const dialog = page.getByRole('dialog', { name: `Edit ${STAGING}` });
    await dialog.getByLabel('Base URL').fill('https://changed.example.com');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await row(STAGING).textContent()).toContain('https://ops.staging.example.com');
  });

  it('clears a secret from the keychain when asked to', async () => {
    const id = await targetId(STAGING);
    await page.getByRole('button', { name: `Edit ${STAGING}` }).click();
    const dialog = page.getByRole('dialog', { name: `Edit ${STAGING}` });
    await dialog.getByRole('checkbox', { name: 'Clear API token' }).check();
    expect(await dialog.getByLabel('API token', { exact: true }).isDisabled()).toBe(true);
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await row(STAGING).getByText('API token: no secret').waitFor();
    await keychainHolds(`target/${id}/apiToken`, null);

    // And sets it again.
    await page.getByRole('button', { name: `Edit ${STAGING}` }).click();
    expect(await dialog.getByRole('checkbox', { name: 'Clear API token' }).count()).toBe(0);
    await dialog.getByLabel('API token', { exact: true }).fill(`${API_TOKEN}-2`);
    await dialog.getByLabel('API token', { exact: true }).press('Enter');
    await row(STAGING).getByText('API token: secret set').waitFor();
    await keychainHolds(`target/${id}/apiToken`, `${API_TOKEN}-2`);
  });

  it('deletes a prod target only once its name is typed, and its secret leaves the keychain', async () => {
    const id = await targetId(PROD);
    await page.getByRole('button', { name: `Delete ${PROD}` }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${PROD}?` });
    await dialog.waitFor();
    const confirm = dialog.getByRole('button', { name: 'Delete target' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(`Type ${PROD} to confirm`).fill('shop-pro');
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(`Type ${PROD} to confirm`).fill(PROD);
    expect(await confirm.isEnabled()).toBe(true);
    await confirm.click();
    await dialog.waitFor({ state: 'hidden' });
    await row(PROD).waitFor({ state: 'detached' });
    await keychainHolds(`target/${id}/privateKey`, null);

    // A staging target needs no typing.
    const stagingId = await targetId(STAGING);
    await page.getByRole('button', { name: `Delete ${STAGING}` }).click();
    const stagingDialog = page.getByRole('dialog', { name: `Delete ${STAGING}?` });
    expect(await stagingDialog.getByRole('textbox').count()).toBe(0);
    await stagingDialog.getByRole('button', { name: 'Delete target' }).click();
    await page.getByText('No targets yet — add the prod host or ops API you want to watch.').waitFor();
    await keychainHolds(`target/${stagingId}/apiToken`, null);
  });

  it('says the keychain is locked, in the form, and keeps everything typed', async () => {
    await keyring.lock();
    await page.getByRole('button', { name: 'Add target' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add target' });
    await dialog.getByLabel('Name', { exact: true }).fill('locked-prod');
    await dialog.getByLabel('Kind').selectOption('docker-ssh');
    await dialog.getByLabel('Host', { exact: true }).fill('prod-1.example.com');
    await dialog.getByLabel('User').fill('deploy');
    await dialog.getByLabel('SSH private key', { exact: true }).fill(PRIVATE_KEY);
    await dialog.getByRole('button', { name: 'Add target' }).click();

    await dialog
      .getByRole('alert')
      .filter({ hasText: 'The system keychain is locked — unlock it and try again.' })
      .waitFor();
    expect(await dialog.getByLabel('Name', { exact: true }).inputValue()).toBe('locked-prod');
    expect(await dialog.getByLabel('Host', { exact: true }).inputValue()).toBe('prod-1.example.com');
    expect(await dialog.getByLabel('User').inputValue()).toBe('deploy');
    expect(await dialog.getByLabel('SSH private key', { exact: true }).inputValue()).toBe(PRIVATE_KEY);
    expect(await dialog.getByRole('radio', { name: 'Prod' }).isChecked()).toBe(true);
    expect(await dialog.getByRole('button', { name: 'Add target' }).isEnabled()).toBe(true);

    // The header learns it too.
    await page.getByRole('status', { name: 'Keychain unavailable' }).waitFor();

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('No targets yet — add the prod host or ops API you want to watch.').waitFor();
  });

  it('survives a dropped socket: a request in flight fails clearly, then it reconnects and stays live', async () => {
    // A second tab whose WebSocket the test can cut (Playwright relays it to the real host).
    const tab = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    tab.setDefaultTimeout(10_000);
    const sockets: WebSocketRoute[] = [];
    let cutOnCreate = true;
    await tab.routeWebSocket(/\/ws\?token=/, (ws) => {
      sockets.push(ws);
      const server = ws.connectToServer();
      ws.onMessage((message) => {
        if (cutOnCreate && String(message).includes('"targets:create"')) {
          cutOnCreate = false;
          void ws.close({ code: 1001, reason: 'test cut' });
        } else {
          server.send(message);
        }
      });
    });
    try {
      await tab.goto(app.url);
      await tab.getByRole('heading', { name: 'Overview' }).waitFor();
      await tab.keyboard.press('Control+6');
      await tab.getByRole('button', { name: 'Add target' }).click();
      const dialog = tab.getByRole('dialog', { name: 'Add target' });
      await dialog.getByLabel('Name', { exact: true }).fill('cut-short');
      await dialog.getByLabel('Kind').selectOption('docker-local');
      await dialog.getByRole('button', { name: 'Add target' }).click();
      await dialog.getByText('Lost the connection to Control Room before it answered').waitFor();
      expect(await dialog.getByLabel('Name', { exact: true }).inputValue()).toBe('cut-short');

      // It reconnects by itself, and the list subscription is renewed on the new socket.
      await tab.getByText('Lost the connection to Control Room — reconnecting…').waitFor({ state: 'detached' });
      expect(sockets.length).toBe(2);
      await dialog.getByRole('button', { name: 'Add target' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await row('cut-short').waitFor(); // the first page sees it through its own stream
      await tab.getByRole('row').filter({ hasText: 'cut-short' }).waitFor();

      // A change made elsewhere reaches the reconnected tab live.
      await page.getByRole('button', { name: 'Delete cut-short' }).click();
      const confirm = page.getByRole('dialog', { name: 'Delete cut-short?' });
      await confirm.getByLabel('Type cut-short to confirm').fill('cut-short'); // new targets default to prod
      await confirm.getByRole('button', { name: 'Delete target' }).click();
      await tab.getByText('No targets yet — add the prod host or ops API you want to watch.').waitFor();
    } finally {
      await tab.close();
    }
  });

  it('shows that the connection is lost when Control Room stops', async () => {
    await app.stop();
    await page.getByText('Lost the connection to Control Room — reconnecting…').waitFor();
    expect(pageErrors.filter((message) => !/WebSocket|ERR_CONNECTION_REFUSED/.test(message))).toEqual([]);
  });
});
