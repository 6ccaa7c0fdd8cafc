/**
 * The API over the real services (SQLite in a temporary folder, secrets in memory): every
 * payload is validated, every failure is a typed reply, never an exception, and no reply
 * carries a secret value.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApi, type Api } from '../../../main/api';
import { createServices, type Services } from '../../../main/services';
import { MemoryCredentialBackend, type CredentialBackend } from '../../../main/services/credentials/credential-backend';
import { keychainError } from '../../../main/services/credentials/keychain-errors';
import { CHANNEL_NAMES } from '../../../shared/contract';
import type { Reply } from '../../../shared/transport';

const INTERNAL = 'Something went wrong inside Control Room — the details are in its log; try again.';
const TOKEN = 'sk-live-VERY-SECRET-0123456789';

let dataDir: string;
let credentials: MemoryCredentialBackend;
let services: Services;
let logged: string[];
let api: Api;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cr-api-'));
  credentials = new MemoryCredentialBackend();
  services = createServices({ dataDir, credentials });
  logged = [];
  api = createApi(services, { version: '9.9.9-test', mode: 'browser' }, (message) => logged.push(message));
});

afterEach(() => {
  if (services.db.open) services.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const opsApiDraft = (name: string, secrets?: { apiToken?: string | null }) => ({
  name,
  environment: 'prod',
  kind: 'ops-api',
  settings: { baseUrl: 'https://ops.example.com' },
  ...(secrets ? { secrets } : {}),
});

/** The value of a successful reply; fails the test with the error otherwise. */
function valueOf<T = Record<string, unknown>>(reply: Reply): T {
  if (!reply.ok) throw new Error(`expected success, got ${JSON.stringify(reply.error)}`);
  return reply.value as T;
}

async function createTarget(name: string, secrets?: { apiToken?: string | null }) {
  return valueOf<{ id: string; name: string }>(await api.invoke('targets:create', opsApiDraft(name, secrets)));
}

describe('createApi', () => {
  it('answers app:info with the version, mode and data folder', async () => {
    expect(await api.invoke('app:info', {})).toEqual({
      ok: true,
      value: { version: '9.9.9-test', mode: 'browser', dataDir, platform: process.platform },
    });
  });

  describe('invalid payloads get invalid-request with field errors, never an exception', () => {
    it('points at the fields to fix in a target draft', async () => {
      const reply = await api.invoke('targets:create', {
        name: '',
        environment: 'prod',
        kind: 'docker-ssh',
        settings: { host: 'deploy@db1', port: 70000, username: 'deploy', socketPath: 'docker.sock' },
      });
      expect(reply).toEqual({
        ok: false,
        error: {
          code: 'invalid-request',
          message: 'The request for targets:create is not valid — fix the marked fields and try again.',
          fieldErrors: {
            name: 'Give the target a name.',
            'settings.host': 'Enter a host name or IP address, without user@ or a port.',
            'settings.port': 'Ports run 1–65535.',
            'settings.socketPath': 'Use an absolute path, like /var/run/docker.sock.',
          },
        },
      });
      expect(services.targets.list()).toEqual([]);
    });

    it('rejects an id that is not an id, and an update without its draft', async () => {
      const bad = await api.invoke('targets:get', { id: '../../etc/passwd' });
      expect(bad).toMatchObject({
        ok: false,
        error: { code: 'invalid-request', fieldErrors: { id: 'Not a target id.' } },
      });

      const noDraft = await api.invoke('targets:update', { id: 'abc' });
      expect(noDraft).toMatchObject({
        ok: false,
        error: { code: 'invalid-request', fieldErrors: { draft: expect.any(String) } },
      });
    });

    it('rejects unknown keys, even on requests that take none', async () => {
      const reply = await api.invoke('targets:list', { everything: true });
      expect(reply).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
      if (!reply.ok) expect(Object.keys(reply.error.fieldErrors ?? {})).not.toHaveLength(0);
    });

    it.each([
      ['undefined', undefined],
      ['null', null],
      ['a number', 42],
      ['a string', 'targets'],
      ['an array', [1, 2]],
      ['a function', () => 1],
    ])('every channel answers %s with invalid-request', async (_what, payload) => {
      for (const channel of CHANNEL_NAMES) {
        const reply = await api.invoke(channel, payload);
        expect(reply, channel).toMatchObject({
          ok: false,
          error: { code: 'invalid-request', fieldErrors: expect.any(Object) },
        });
        if (!reply.ok) expect(Object.keys(reply.error.fieldErrors!), channel).not.toHaveLength(0);
      }
      expect(logged).toEqual([]);
    });
  });

  describe('unknown channels', () => {
    it.each([['targets:nuke'], ['constructor'], ['__proto__'], ['hasOwnProperty'], ['']])(
      '"%s" is unknown-channel',
      async (name) => {
        expect(await api.invoke(name, {})).toEqual({
          ok: false,
          error: { code: 'unknown-channel', message: `There is no request called "${name}".` },
        });
      },
    );

    it('a channel that is not a string is unknown too, and a long name is cut short', async () => {
      expect(await api.invoke(42, {})).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
      expect(await api.invoke({ toString: () => 'targets:list' }, {})).toMatchObject({
        ok: false,
        error: { code: 'unknown-channel' },
      });
      const reply = await api.invoke('x'.repeat(10_000), {});
      expect(reply).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
      if (!reply.ok) expect(reply.error.message.length).toBeLessThan(120);
    });

    it('an unknown event stream is refused the same way', async () => {
      expect(await api.subscribe('targets:exploded', {}, () => undefined)).toEqual({
        ok: false,
        error: { code: 'unknown-channel', message: 'There is no event stream called "targets:exploded".' },
      });
      expect(await api.subscribe('targets:changed', { extra: 1 }, () => undefined)).toMatchObject({
        ok: false,
        error: { code: 'invalid-request' },
      });
    });
  });

  it('get, update and delete of a target that does not exist are not-found', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const notFound = {
      ok: false,
      error: {
        code: 'not-found',
        message: 'That target no longer exists — it may have been deleted in another window.',
      },
    };
    expect(await api.invoke('targets:get', { id })).toEqual(notFound);
    expect(await api.invoke('targets:update', { id, draft: opsApiDraft('Ghost') })).toEqual(notFound);
    expect(await api.invoke('targets:delete', { id })).toEqual(notFound);
    expect(services.targets.list()).toEqual([]);
  });

  describe('names are unique, ignoring case', () => {
    it('a create with a taken name is a conflict pointing at the name field', async () => {
      await createTarget('Shop prod');
      expect(await api.invoke('targets:create', opsApiDraft('SHOP PROD', { apiToken: TOKEN }))).toEqual({
        ok: false,
        error: {
          code: 'conflict',
          message: 'A target named "SHOP PROD" already exists — pick another name.',
          fieldErrors: { name: 'This name is taken.' },
        },
      });
      expect(services.targets.list()).toHaveLength(1);
      // The refused draft's secret went nowhere.
      expect([...credentials.values.values()]).not.toContain(TOKEN);
    });

    it('renaming onto another target’s name is a conflict; changing the case of its own name is not', async () => {
      await createTarget('Shop prod');
      const other = await createTarget('Shop staging');
      expect(await api.invoke('targets:update', { id: other.id, draft: opsApiDraft('shop Prod') })).toMatchObject({
        ok: false,
        error: { code: 'conflict', fieldErrors: { name: 'This name is taken.' } },
      });
      const renamed = valueOf(await api.invoke('targets:update', { id: other.id, draft: opsApiDraft('SHOP STAGING') }));
      expect(renamed.name).toBe('SHOP STAGING');
    });
  });

  describe('secrets never travel in a reply', () => {
    it('create, get, list, update and the change event carry { ref, present } only', async () => {
      const events: unknown[] = [];
      const sub = await api.subscribe('targets:changed', {}, (event) => events.push(event));
      expect(sub.ok).toBe(true);

      const replies: Reply[] = [];
      replies.push(await api.invoke('targets:create', opsApiDraft('Shop', { apiToken: TOKEN })));
      const { id } = valueOf<{ id: string }>(replies[0]!);
      replies.push(await api.invoke('targets:get', { id }));
      replies.push(await api.invoke('targets:list', {}));
      replies.push(await api.invoke('targets:update', { id, draft: opsApiDraft('Shop', { apiToken: `${TOKEN}-2` }) }));
      replies.push(await api.invoke('targets:update', { id, draft: opsApiDraft('Shop renamed') }));

      // The secrets really are stored, in the backend only.
      expect(credentials.values.get(`target/${id}/apiToken`)).toBe(`${TOKEN}-2`);
      for (const reply of replies) expect(reply.ok).toBe(true);
      expect(valueOf(replies[1]!).secrets).toEqual({ apiToken: { ref: `target/${id}/apiToken`, present: true } });
      expect(events).toHaveLength(3);
      const wire = JSON.stringify({ replies, events });
      expect(wire).not.toContain(TOKEN);
      expect(wire).not.toContain('VERY-SECRET');

      if (sub.ok) sub.value();
      await api.invoke('targets:delete', { id });
      expect(events).toHaveLength(3);
    });

    it('a field the contract does not declare is never passed on (a service that leaks gets an internal error)', async () => {
      const { id } = await createTarget('Leaky', { apiToken: TOKEN });
      const leaky: Services = {
        ...services,
        targets: Object.assign(Object.create(services.targets) as Services['targets'], {
          get: (targetId: string) => ({ ...services.targets.get(targetId), apiToken: TOKEN }),
        }),
      };
      const leakyApi = createApi(leaky, { version: 't', mode: 'browser' }, (message) => logged.push(message));

      const reply = await leakyApi.invoke('targets:get', { id });

      expect(reply).toEqual({ ok: false, error: { code: 'internal', message: INTERNAL } });
      expect(JSON.stringify(reply)).not.toContain(TOKEN);
      expect(logged).toHaveLength(1);
    });
  });

  it('an unexpected failure inside becomes code internal with a generic sentence, and is logged', async () => {
    await createTarget('Before the crash');
    services.db.close();

    for (const [channel, payload] of [
      ['targets:list', {}],
      ['targets:create', opsApiDraft('After the crash', { apiToken: TOKEN })],
    ] as const) {
      const reply = await api.invoke(channel, payload);
      expect(reply).toEqual({ ok: false, error: { code: 'internal', message: INTERNAL } });
    }

    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatch(/^control-room: unexpected error: .*database connection is not open/);
    // The log gets the stack, so the cause can be found.
    expect(logged[0]).toMatch(/\n\s+at /);
    expect(logged.join('\n')).not.toContain(TOKEN);
  });

  describe('credentials:status', () => {
    it('says available when the backend can be used', async () => {
      expect(await api.invoke('credentials:status', {})).toEqual({ ok: true, value: { available: true } });
    });

    it('says what to do when it cannot', async () => {
      class LockedKeychain extends MemoryCredentialBackend implements CredentialBackend {
        override async check() {
          throw keychainError(new Error('Cannot create an item in a locked collection'));
        }
      }
      const lockedApi = createApi(
        { ...services, credentials: new LockedKeychain() },
        { version: 't', mode: 'browser' },
      );
      expect(await lockedApi.invoke('credentials:status', {})).toEqual({
        ok: true,
        value: { available: false, message: 'The system keychain is locked — unlock it and try again.' },
      });
    });
  });
});
