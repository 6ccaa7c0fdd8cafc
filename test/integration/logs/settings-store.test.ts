import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApi } from '../../../main/api';
import { createServices, type Services } from '../../../main/services';
import { MemoryCredentialBackend } from '../../../main/services/credentials/credential-backend';

let dir: string;
let services: Services;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cr-settings-'));
  services = createServices({ dataDir: dir, credentials: new MemoryCredentialBackend() });
});

afterEach(() => {
  services.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('settings through the contract', () => {
  it('stores JSON values by key, survives a restart, and clears with null', async () => {
    const api = createApi(services, { version: 'test', mode: 'browser' });
    const layout = { panes: [{ sources: ['container:web-1'], split: 'h' }], wrap: true };
    expect(await api.invoke('settings:get', { key: 'logs.layout:t1' })).toEqual({ ok: true, value: { value: null } });
    expect(await api.invoke('settings:set', { key: 'logs.layout:t1', value: layout })).toEqual({
      ok: true,
      value: { ok: true },
    });
    services.close();
    services = createServices({ dataDir: dir, credentials: new MemoryCredentialBackend() });
    const reopened = createApi(services, { version: 'test', mode: 'browser' });
    expect(await reopened.invoke('settings:get', { key: 'logs.layout:t1' })).toEqual({
      ok: true,
      value: { value: layout },
    });
    await reopened.invoke('settings:set', { key: 'logs.layout:t1', value: null });
    expect(await reopened.invoke('settings:get', { key: 'logs.layout:t1' })).toEqual({
      ok: true,
      value: { value: null },
    });
  });

  it('refuses a value over 64 KB with a clear error, and a bad key', async () => {
    const api = createApi(services, { version: 'test', mode: 'browser' });
    const reply = await api.invoke('settings:set', { key: 'big', value: 'x'.repeat(70_000) });
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'invalid-request', message: expect.stringMatching(/at most 64 KB/) },
    });
    expect(await api.invoke('settings:get', { key: 'big' })).toEqual({ ok: true, value: { value: null } });
    expect(
      await api.invoke('settings:set', { key: 'x'.repeat(65_530).length > 0 ? 'Bad Key' : 'k', value: 1 }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
  });

  it('accepts a value of exactly 64 KB', () => {
    const value = 'y'.repeat(64 * 1024 - 2); // plus the two quotes
    services.settings.set('edge', value);
    expect(services.settings.get('edge')).toBe(value);
  });
});
