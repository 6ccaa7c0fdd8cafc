/**
 * The app scheme's rules: what counts as the app's own origin, the CSP, and that no URL can
 * read a file outside the renderer folder. Uses real files in a temporary folder with a
 * "secret" file right beside it, the thing a traversal would be after.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  APP_RESPONSE_HEADERS,
  RENDERER_CSP,
  isAppUrl,
  isTrustedFrame,
  loadAppResource,
  resolveAppPath,
} from '../../../main/transport/app-protocol';

let base: string;
let root: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'cr-app-protocol-'));
  root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Control Room</title>');
  writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(root, 'assets', 'icon.SVG'), '<svg/>');
  writeFileSync(join(root, '.env'), 'SECRET=hidden');
  writeFileSync(join(base, 'secret.txt'), 'TOP SECRET');
  writeFileSync(join(base, 'renderer-evil.txt'), 'TOP SECRET');
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('RENDERER_CSP', () => {
  const directives = RENDERER_CSP.split('; ');

  it("starts from default-src 'none' and allows no network", () => {
    expect(directives[0]).toBe("default-src 'none'");
    expect(directives).toContain("connect-src 'none'");
    expect(directives).toEqual(
      expect.arrayContaining([
        "script-src 'self'",
        "style-src 'self'",
        "style-src-elem 'self' 'unsafe-inline'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
      ]),
    );
  });

  it('allows no inline or evaluated script', () => {
    // Only styles may be inline (xterm.js writes <style> elements and style attributes); scripts may not.
    const loose = directives.filter((directive) => /unsafe-inline|unsafe-eval|wasm-unsafe-eval|\*|https?:/.test(directive));
    expect(loose).toEqual(["style-src-elem 'self' 'unsafe-inline'", "style-src-attr 'unsafe-inline'"]);
    expect(directives).toContain("script-src 'self'");
  });
});

describe('isAppUrl / isTrustedFrame', () => {
  it.each([
    APP_ENTRY_URL,
    'app://control-room/',
    'app://control-room/index.html#/targets',
    'app://control-room/a/b?x=1',
  ])('accepts %s', (url) => {
    expect(isAppUrl(url)).toBe(true);
    expect(isTrustedFrame({ url })).toBe(true);
  });

  it.each([
    'https://control-room/',
    'http://127.0.0.1:5173/',
    'file:///work/dist/renderer/index.html',
    'app://control-room.evil.example/',
    'app://evil.example/control-room/',
    'app://user@control-room/',
    'app://user:pw@control-room/',
    'app://control-room:99/',
    'app:control-room/index.html',
    'about:blank',
    'devtools://devtools/bundled/inspector.html',
    '',
    'not a url',
  ])('refuses %s', (url) => {
    expect(isAppUrl(url)).toBe(false);
    expect(isTrustedFrame({ url })).toBe(false);
  });

  it('refuses a missing frame or a non-string URL', () => {
    expect(isTrustedFrame(null)).toBe(false);
    expect(isTrustedFrame(undefined)).toBe(false);
    expect(isTrustedFrame({ url: 42 } as never)).toBe(false);
    expect(isAppUrl(undefined)).toBe(false);
  });
});

describe('resolveAppPath', () => {
  it('maps the root to index.html and paths into the folder', () => {
    expect(resolveAppPath(root, 'app://control-room/')).toEqual({
      ok: true,
      file: join(root, 'index.html'),
      relativePath: 'index.html',
    });
    expect(resolveAppPath(root, 'app://control-room/assets/index-abc.js?v=1#x')).toMatchObject({
      ok: true,
      file: join(root, 'assets', 'index-abc.js'),
    });
    expect(resolveAppPath(root, 'app://control-room/assets/my%20file.js')).toMatchObject({
      ok: true,
      file: join(root, 'assets', 'my file.js'),
    });
  });

  it.each([
    'app://control-room/..%2fsecret.txt',
    'app://control-room/assets/..%2f..%2fsecret.txt',
    'app://control-room/%2e%2e%2fsecret.txt',
    'app://control-room/..%5csecret.txt',
    'app://control-room/assets%2f..%2f..%2fsecret.txt',
    'app://control-room/%2fetc%2fpasswd',
    'app://control-room/C:%5cWindows%5cwin.ini',
    'app://control-room/index.html%00.png',
    'app://control-room/.env',
    'app://control-room/assets//index-abc.js',
    'app://control-room/index.html:stream',
    'app://evil/index.html',
  ])('refuses %s', (url) => {
    expect(resolveAppPath(root, url)).toMatchObject({ ok: false, status: 404 });
  });

  it('keeps URL-level dot segments inside the folder (the URL parser already removed them)', () => {
    for (const url of [
      'app://control-room/../secret.txt',
      'app://control-room/%2e%2e/secret.txt',
      'app://control-room/assets/../../../secret.txt',
    ]) {
      const result = resolveAppPath(root, url);
      expect(result.ok).toBe(true);
      if (result.ok) expect(result.file.startsWith(root + sep)).toBe(true);
    }
  });

  it('answers 400 to a malformed escape', () => {
    expect(resolveAppPath(root, 'app://control-room/%E0%A4%A')).toEqual({ ok: false, status: 400 });
  });
});

describe('loadAppResource', () => {
  it('serves index.html and assets with the CSP and a content type', async () => {
    const page = await loadAppResource(root, APP_ENTRY_URL);
    expect(page.status).toBe(200);
    expect(page.headers['Content-Security-Policy']).toBe(RENDERER_CSP);
    expect(page.headers['Content-Type']).toBe('text/html; charset=utf-8');
    expect(page.headers['X-Content-Type-Options']).toBe('nosniff');
    expect(Buffer.from(page.body as Uint8Array).toString()).toContain('<title>Control Room</title>');

    const script = await loadAppResource(root, 'app://control-room/assets/index-abc.js');
    expect(script.headers['Content-Type']).toBe('text/javascript; charset=utf-8');
    expect((await loadAppResource(root, 'app://control-room/assets/icon.SVG')).headers['Content-Type']).toBe(
      'image/svg+xml',
    );
  });

  it.each([
    'app://control-room/../secret.txt',
    'app://control-room/..%2fsecret.txt',
    'app://control-room/..%2frenderer-evil.txt',
    'app://control-room/%2e%2e%2fsecret.txt',
    'app://control-room/..%5csecret.txt',
    'app://control-room/.env',
    `app://control-room/${encodeURIComponent(join(tmpdir(), 'secret.txt'))}`,
  ])('never reads outside the folder or hidden files: %s', async (url) => {
    const response = await loadAppResource(root, url);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(String(response.body)).not.toMatch(/SECRET/);
    expect(response.headers['Content-Security-Policy']).toBe(RENDERER_CSP);
  });

  it('answers 404 for a folder or a missing file, 405 for other methods, no body for HEAD', async () => {
    expect((await loadAppResource(root, 'app://control-room/assets')).status).toBe(404);
    expect((await loadAppResource(root, 'app://control-room/missing.js')).status).toBe(404);
    expect((await loadAppResource(root, APP_ENTRY_URL, 'POST')).status).toBe(405);
    const head = await loadAppResource(root, APP_ENTRY_URL, 'HEAD');
    expect(head).toMatchObject({ status: 200, body: null });
  });

  it('says how to fix a missing renderer build', async () => {
    const response = await loadAppResource(join(base, 'not-built'), APP_ENTRY_URL);
    expect(response.status).toBe(503);
    expect(response.body).toMatch(/npm run build/);
  });

  it('puts the security headers on every response', () => {
    expect(Object.keys(APP_RESPONSE_HEADERS)).toEqual(
      expect.arrayContaining(['Content-Security-Policy', 'X-Content-Type-Options']),
    );
  });
});
