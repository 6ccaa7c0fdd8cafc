/**
 * Integrations end to end, second file: the History settings (retention) and the Gemini image
 * preset's artifact. The real app in browser mode, real Chromium, a real keychain; the Gemini
 * API is played by a local HTTP server started here (a STAND-IN for
 * generativelanguage.googleapis.com, not Google's service) that answers `generateContent` with
 * a real PNG in `candidates[0].content.parts[0].inlineData`, as the image models do.
 *
 * One app and one page; the tests run in order: retention changed (with its validation
 * messages), kept across a reload and an app restart → a Gemini image probe added from its
 * preset, pointed at the stand-in, Run now → ok → the image shown and saved byte for byte, the
 * API key nowhere in the page.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../support/app';
import { animationsSettled, launchBrowser, openPage, SCREENSHOTS } from '../support/browser';
import { startKeyring, type Keyring } from '../support/keyring';

const PROBE = 'Gemini image (AI Studio)';
/** A made-up key; a real one would look like this (39 characters, AIza…). */
const API_KEY = 'AIzaSyStandIn-7hQ2vK9xL4mN8pR3tW6yB1cD5e';

// ---- a real PNG, made here: 24×16 RGB, a green check-ish diagonal on white ----------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}
function makePng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = Buffer.alloc(height * (1 + width * 3), 0xff);
  for (let y = 0; y < height; y++) {
    rows[y * (1 + width * 3)] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const on = Math.abs(y - (height - 1 - Math.abs(x - width / 3))) < 1.5;
      if (!on) continue;
      const at = y * (1 + width * 3) + 1 + x * 3;
      rows[at] = 0x2e;
      rows[at + 1] = 0xa0;
      rows[at + 2] = 0x43;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
const PNG = makePng(24, 16);

// ---- the Gemini API stand-in --------------------------------------------------------------

interface SeenRequest {
  method: string;
  path: string;
  apiKey: string | undefined;
  body: unknown;
}
const seen: SeenRequest[] = [];
let standIn: Server;
let standInUrl: string;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (part: string) => (text += part));
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

let keyring: Keyring;
let dataDir: string;
let app: RunningApp;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  standIn = createServer((request, response) => {
    void readBody(request).then((text) => {
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      const header = request.headers['x-goog-api-key'];
      seen.push({
        method: request.method ?? '',
        path: request.url ?? '',
        apiKey: typeof header === 'string' ? header : undefined,
        body,
      });
      if (request.method !== 'POST' || !/:generateContent$/.test(request.url ?? '')) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { code: 404, message: 'not a generateContent call' } }));
        return;
      }
      if (header !== API_KEY) {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({ error: { code: 400, message: 'API key not valid.', status: 'INVALID_ARGUMENT' } }),
        );
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(
        JSON.stringify({
          candidates: [
            {
              content: {
                role: 'model',
                parts: [
                  { inlineData: { mimeType: 'image/png', data: PNG.toString('base64') } },
                  // A hostile echo of the key: the stored response must not keep it.
                  { text: `made for key ${API_KEY}` },
                ],
              },
              finishReason: 'STOP',
            },
          ],
          modelVersion: 'gemini-2.5-flash-image',
        }),
      );
    });
  });
  await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve));
  standInUrl = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}/v1beta/models/gemini-2.5-flash-image:generateContent`;
  keyring = await startKeyring();
  dataDir = mkdtempSync(join(tmpdir(), 'cr-integrations-history-'));
  app = await startApp(keyring.env, { dataDir });
  browser = await launchBrowser();
  page = await openPage(browser, { width: 1360, height: 900 }, pageErrors, 15_000);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await keyring?.stop();
  if (standIn?.listening) await new Promise((resolve) => standIn.close(resolve));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function openIntegrations() {
  await page.goto(app.url);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await page.keyboard.press('Control+3');
  await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
}

async function openHistorySettings() {
  await page.getByRole('button', { name: 'History settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'History settings' });
  await dialog.getByTestId('retention-now').waitFor();
  return dialog;
}

describe('Integrations: history settings and the Gemini image', () => {
  it('History settings says what is in use, refuses bad values on their fields, and saves', async () => {
    await openIntegrations();
    const dialog = await openHistorySettings();
    // The defaults: raw results 30 days, aggregates a year.
    expect(await dialog.getByTestId('retention-now').textContent()).toBe(
      'In use now Raw results 30 days, aggregates 1 year, at most 1,024 MB on disk. (the defaults)',
    );
    const raw = dialog.getByLabel('Keep raw results (days)');
    const aggregates = dialog.getByLabel('Keep aggregates (days)');
    const size = dialog.getByLabel('At most (MB on disk)');
    expect(await raw.inputValue()).toBe('30');
    expect(await aggregates.inputValue()).toBe('365');
    expect(await size.inputValue()).toBe('1024');
    // Nothing changed yet: nothing to save.
    expect(await dialog.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);

    await raw.fill('0');
    await aggregates.fill('10');
    await size.fill('lots');
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    const errorOf = async (label: string) =>
      (await dialog
        .locator('.field.has-error', { has: page.getByLabel(label) })
        .locator('.field-error')
        .textContent())!;
    await dialog.locator('.field.has-error').first().waitFor();
    expect(await errorOf('Keep raw results (days)')).toBe('Between 1 and 3,650 days.');
    expect(await errorOf('At most (MB on disk)')).toBe('Enter a whole number of MB.');
    expect(await raw.getAttribute('aria-invalid')).toBe('true');
    // The first field in error has the focus.
    await expect.poll(() => raw.evaluate((el) => el.matches(':focus'))).toBe(true);

    // Aggregates shorter than raw results would leave a hole in the charts.
    await raw.fill('14');
    await size.fill('5');
    await aggregates.fill('7');
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await dialog.locator('.field.has-error', { has: page.getByLabel('Keep aggregates (days)') }).waitFor();
    expect(await errorOf('Keep aggregates (days)')).toBe('Keep aggregates at least as long as raw results (14 days).');
    expect(await errorOf('At most (MB on disk)')).toBe('Between 10 and 1,000,000 MB.');
    await animationsSettled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'integrations-history-settings.png') });

    await aggregates.fill('180');
    await size.fill('500');
    expect(await dialog.locator('.field.has-error').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page
      .getByRole('status')
      .filter({ hasText: 'History settings saved. Raw results 14 days, aggregates 180 days, at most 500 MB on disk.' })
      .waitFor();
  });

  it('the settings are kept across a reload and an app restart', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
    let dialog = await openHistorySettings();
    expect(await dialog.getByLabel('Keep raw results (days)').inputValue()).toBe('14');
    expect(await dialog.getByLabel('Keep aggregates (days)').inputValue()).toBe('180');
    expect(await dialog.getByLabel('At most (MB on disk)').inputValue()).toBe('500');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await app.stop();
    app = await startApp(keyring.env, { dataDir });
    await openIntegrations();
    dialog = await openHistorySettings();
    expect(await dialog.getByTestId('retention-now').textContent()).toBe(
      'In use now Raw results 14 days, aggregates 180 days, at most 500 MB on disk.',
    );
    expect(await dialog.getByLabel('Keep raw results (days)').inputValue()).toBe('14');
    // Back to the defaults in one press; Esc leaves what is in use alone.
    await dialog.getByRole('button', { name: 'Use defaults' }).click();
    expect(await dialog.getByLabel('Keep raw results (days)').inputValue()).toBe('30');
    expect(await dialog.getByLabel('Keep aggregates (days)').inputValue()).toBe('365');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    dialog = await openHistorySettings();
    expect(await dialog.getByLabel('Keep raw results (days)').inputValue()).toBe('14');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('a Gemini image probe, pointed at the stand-in, keeps the image: shown as an image, saved byte for byte, the key nowhere', async () => {
    await page.getByTestId('preset-gemini-ai-studio-image').click();
    const editor = page.getByRole('dialog', { name: `Add probe: ${PROBE}` });
    await editor.waitFor();
    const url = editor.getByRole('textbox', { name: 'URL', exact: true });
    expect(await url.inputValue()).toBe(
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash-image:generateContent',
    );
    await url.fill(standInUrl);
    await editor.getByLabel('API key').fill(API_KEY);
    await editor.getByRole('button', { name: 'Add probe' }).click();
    await editor.waitFor({ state: 'hidden' });

    const added = page.locator('.probe-row', { hasText: PROBE });
    await added.waitFor();
    const probeId = (await added.getAttribute('data-probe-id'))!;
    const row = page.getByTestId(`probe-row-${probeId}`);
    await row.getByRole('button', { name: `Run ${PROBE} now` }).click();
    await expect.poll(() => row.locator('.probe-status').getAttribute('data-status'), { timeout: 20_000 }).toBe('ok');

    // The stand-in saw one generateContent call with the key in its header and the preset's prompt.
    const calls = seen.filter((request) => request.path.endsWith(':generateContent'));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.method).toBe('POST');
    expect(calls[0]!.apiKey).toBe(API_KEY);
    expect(JSON.stringify(calls[0]!.body)).toContain('"responseModalities":["IMAGE"]');

    await row.getByRole('link', { name: PROBE }).click();
    const drill = page.getByTestId('probe-page');
    await drill.getByRole('heading', { name: PROBE }).waitFor();
    const newest = drill.getByTestId('result').first();
    expect(await newest.locator('.probe-status').first().getAttribute('data-status')).toBe('ok');
    expect(await newest.locator('.condition-outcome.is-failed').count()).toBe(0);

    // The artifacts: the response and the image.
    const artifacts = newest.getByTestId('artifact');
    const names = await artifacts.locator('.artifact-name').allTextContents();
    expect(names).toContain('image.png');
    const image = artifacts.filter({ has: page.locator('.artifact-name', { hasText: /^image\.png$/ }) });
    expect(await image.locator('.artifact-meta').first().textContent()).toContain('image/png');

    // Viewed: a real <img> that decoded (a broken image has naturalWidth 0).
    await image.getByRole('button', { name: 'View image.png' }).click();
    const img = image.locator('figure.artifact-image img');
    await img.waitFor();
    await expect
      .poll(
        () =>
          img.evaluate((el) => {
            const image = el as unknown as { complete: boolean; naturalWidth: number };
            return image.complete ? image.naturalWidth : 0;
          }),
        { timeout: 10_000 },
      )
      .toBe(24);
    expect(await img.evaluate((el) => (el as unknown as { naturalHeight: number }).naturalHeight)).toBe(16);

    // Saved through the platform's save: the same bytes the stand-in sent.
    const download = page.waitForEvent('download');
    await image.getByRole('button', { name: 'Save image.png' }).click();
    const file = await download;
    const savedPath = join(dataDir, 'saved-image.png');
    await file.saveAs(savedPath);
    expect(readFileSync(savedPath).equals(PNG)).toBe(true);

    // The response kept beside it has the image's JSON, with the echoed key redacted.
    const response = artifacts.filter({ hasNot: page.locator('.artifact-name', { hasText: /^image\.png$/ }) }).first();
    await response.getByRole('button', { name: /^View / }).click();
    const text = response.locator('pre.artifact-text');
    await text.waitFor();
    expect(await text.textContent()).toContain('"mimeType": "image/png"');
    expect(await text.textContent()).toContain('"text": "made for key [redacted]"');

    // The key is nowhere in the page: not in its text, not in its markup, not in an artifact's name.
    const html = await page.content();
    const pageText = await page.locator('body').innerText();
    expect(html).not.toContain(API_KEY);
    expect(pageText).not.toContain(API_KEY);
    expect(names.join('\n')).not.toContain(API_KEY);
    // Nor a long piece of it (a cut that left its start behind).
    expect(html).not.toContain(API_KEY.slice(0, 20));

    await animationsSettled(page);
    await image.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'integrations-gemini-image.png') });
    // While the app restarted the page's reconnect attempts were refused; nothing else went wrong.
    expect(
      pageErrors.filter((error) => !/WebSocket connection to .* failed: .*ERR_CONNECTION_REFUSED/.test(error)),
    ).toEqual([]);
  });
});
