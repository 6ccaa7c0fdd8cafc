/**
 * Secrets never reach the renderer: every WebSocket frame the page receives is recorded while a
 * target with secrets is created, edited with new secret values, and listed again after a
 * reload; none may carry a secret value (plain, or base64-encoded).
 */
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../support/app';
import { launchBrowser } from '../support/browser';
import { readWithSecretTool, startKeyring, waitFor, type Keyring } from '../support/keyring';

const NAME = 'frames-prod';
const secret = (label: string) => `${label}-${randomBytes(18).toString('hex')}`;
const KEY_V1 = `-----BEGIN OPENSSH PRIVATE KEY-----\n${secret('key-one')}\n-----END OPENSSH PRIVATE KEY-----\n`;
const PASSPHRASE_V1 = secret('pass-one');
const KEY_V2 = `-----BEGIN OPENSSH PRIVATE KEY-----\n${secret('key-two')}\n-----END OPENSSH PRIVATE KEY-----\n`;
const PASSPHRASE_V2 = secret('pass-two');
const TOKEN = secret('token');
const SECRETS = [KEY_V1, PASSPHRASE_V1, KEY_V2, PASSPHRASE_V2, TOKEN];

/** What must not appear: each whole secret, its distinctive random part, and their base64. */
function needles(): string[] {
  const out = new Set<string>();
  for (const value of SECRETS) {
    const core = /[a-z]+-[a-z]+-[0-9a-f]{36}|[a-z]+-[0-9a-f]{36}/.exec(value)![0];
    for (const text of [value, core, core.slice(-24)]) {
      out.add(text);
      out.add(Buffer.from(text).toString('base64').slice(0, 24));
      out.add(JSON.stringify(text).slice(1, -1)); // as it would sit inside a JSON string
    }
  }
  return [...out];
}

let keyring: Keyring;
let app: RunningApp;
let browser: Browser;
let page: Page;
const received: string[] = [];
const sent: string[] = [];

beforeAll(async () => {
  keyring = await startKeyring();
  app = await startApp(keyring.env);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(10_000);
  // Registered before the first navigation, so every socket of the page (and of the reload) is seen.
  page.on('websocket', (ws) => {
    ws.on('framereceived', ({ payload }) =>
      received.push(typeof payload === 'string' ? payload : payload.toString('utf8')),
    );
    ws.on('framesent', ({ payload }) => sent.push(typeof payload === 'string' ? payload : payload.toString('utf8')));
  });
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await keyring?.stop();
});

async function keychainHolds(account: string, expected: string) {
  await waitFor(
    async () => (await readWithSecretTool(keyring.env, 'control-room', account)) === expected,
    5_000,
    `${account} stored`,
  );
}

describe('secrets on the wire', () => {
  it('never sends a secret value to the page while targets are created, edited and listed', async () => {
    await page.goto(app.url);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.keyboard.press('Control+6');
    await page.getByText('No targets yet — add the prod host or ops API you want to watch.').waitFor();

    // Create: a docker-ssh target with a key and a passphrase, and an ops-api target with a token.
    await page.getByRole('button', { name: 'Add target' }).click();
    let dialog = page.getByRole('dialog', { name: 'Add target' });
    await dialog.getByLabel('Name', { exact: true }).fill(NAME);
    await dialog.getByLabel('Kind').selectOption('docker-ssh');
    await dialog.getByLabel('User').fill('deploy');
    await dialog.getByLabel('Host', { exact: true }).fill('prod-1.example.com');
    await dialog.getByLabel('SSH private key', { exact: true }).fill(KEY_V1);
    await dialog.getByLabel('Key passphrase', { exact: true }).fill(PASSPHRASE_V1);
    await dialog.getByRole('button', { name: 'Add target' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.getByRole('row').filter({ has: page.getByText(NAME, { exact: true }) });
    await row.getByText('Key passphrase: secret set').waitFor();
    const id = (await row.getAttribute('data-testid'))!.replace('target-row-', '');

    await page.getByRole('button', { name: 'Add target' }).click();
    dialog = page.getByRole('dialog', { name: 'Add target' });
    await dialog.getByLabel('Name', { exact: true }).fill('frames-staging');
    await dialog.getByRole('radio', { name: 'Staging' }).check();
    await dialog.getByLabel('Kind').selectOption('ops-api');
    await dialog.getByLabel('Base URL').fill('https://ops.example.com');
    await dialog.getByLabel('API token', { exact: true }).fill(TOKEN);
    await dialog.getByRole('button', { name: 'Add target' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('API token: secret set').waitFor();

    // Edit: new values for both secrets.
    await page.getByRole('button', { name: `Edit ${NAME}` }).click();
    dialog = page.getByRole('dialog', { name: `Edit ${NAME}` });
    await dialog.getByLabel('SSH private key', { exact: true }).fill(KEY_V2);
    await dialog.getByLabel('Key passphrase', { exact: true }).fill(PASSPHRASE_V2);
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // The keychain really holds the new values, so they did go through main.
    await keychainHolds(`target/${id}/privateKey`, KEY_V2);
    await keychainHolds(`target/${id}/passphrase`, PASSPHRASE_V2);

    // List: a fresh page load lists every target over a new socket; open the edit form too.
    const socketsBefore = received.length;
    await page.reload();
    await page.getByText('SSH private key: secret set').waitFor();
    expect(received.length).toBeGreaterThan(socketsBefore);
    await page.getByRole('button', { name: `Edit ${NAME}` }).click();
    await page.getByRole('dialog', { name: `Edit ${NAME}` }).waitFor();
    await page.keyboard.press('Escape');

    // The recording is real: secrets were sent, and replies describing them were received.
    expect(sent.some((frame) => frame.includes(JSON.stringify(KEY_V1)))).toBe(true);
    expect(sent.some((frame) => frame.includes(PASSPHRASE_V2))).toBe(true);
    expect(received.length).toBeGreaterThanOrEqual(8);
    const described = received.filter(
      (frame) => frame.includes(`target/${id}/privateKey`) && frame.includes('"present":true'),
    );
    expect(described.length).toBeGreaterThanOrEqual(3);
    expect(received.some((frame) => frame.includes('"type":"event"'))).toBe(true);

    const leaks = needles().flatMap((needle) =>
      received.filter((frame) => frame.includes(needle)).map((frame) => `${needle} in ${frame.slice(0, 200)}`),
    );
    expect(leaks).toEqual([]);
  });
});
