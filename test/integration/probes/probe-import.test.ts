/**
 * Probe import and export through the API as the app runs it: createApi over createServices with
 * a real SQLite store in a temporary folder, the real keychain (gnome-keyring on a private bus), a
 * real local HTTP server for the imported probe to call, and a fake clock.
 *
 * Planning saves nothing; applying saves the chosen drafts with their secrets in the keychain; an
 * export read back into another app's data gives the same definitions (minus ids, timestamps and
 * secret values, which never leave the keychain). Gatus alert thresholds become alert rules.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApi, type Api } from '../../../main/api';
import { createServices, type Services } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import type { ResponseOf } from '../../../shared/contract';
import type { Probe } from '../../../shared/model/probe';
import { FakeClock } from '../../support/fake-clock';
import { readWithSecretTool, startKeyring, waitFor, type Keyring } from '../../support/keyring';

const SERVICE = `control-room-test-${randomUUID()}`;
const TOKEN = 'ghp_import_7c1e9a4f2b';
const FIXTURE = readFileSync(join(__dirname, '../../fixtures/gatus/config.yaml'), 'utf8');

let keyring: Keyring;
let server: Server;
let base: string;
const seen: IncomingMessage['headers'][] = [];
const open: { services: Services; dataDir: string }[] = [];

beforeAll(async () => {
  keyring = await startKeyring();
  keyring.useInThisProcess();
  server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(req.headers.authorization === `Bearer ${TOKEN}` ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ resources: { core: { remaining: 4999 } } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 30_000);

afterEach(() => {
  for (const { services, dataDir } of open.splice(0)) {
    services.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await keyring?.stop();
});

function app(): { api: Api; services: Services } {
  const dataDir = mkdtempSync(join(tmpdir(), 'cr-import-'));
  const services = createServices({
    dataDir,
    credentials: new KeytarBackend(SERVICE),
    clock: new FakeClock(Date.parse('2026-03-01T12:00:00Z')),
  });
  open.push({ services, dataDir });
  return { api: createApi(services, { version: 'test', mode: 'browser' }, () => undefined), services };
}

async function call<T>(api: Api, channel: string, payload: unknown): Promise<T> {
  const reply = await api.invoke(channel, payload);
  if (!reply.ok) throw new Error(`${channel}: ${reply.error.message}`);
  return reply.value as T;
}

type Plan = ResponseOf<'probes:importGatus'>;
type Applied = ResponseOf<'probes:applyImport'>;

describe('Gatus import', () => {
  it('plans without saving, then saves the chosen drafts with their secrets in the keychain', async () => {
    const { api } = app();
    const plan = await call<Plan>(api, 'probes:importGatus', { text: FIXTURE });
    expect(plan.items.map((item) => item.outcome)).toEqual([
      'adapted',
      'adapted',
      'adapted',
      'adapted',
      'imported',
      'imported',
      'imported',
      'adapted',
      'skipped',
    ]);
    expect(await call<unknown[]>(api, 'probes:list', {})).toEqual([]);

    const github = plan.items.find((item) => item.name === 'github-api')!;
    const legacy = plan.items.find((item) => item.name === 'legacy-status')!;
    const website = plan.items.find((item) => item.name === 'website')!;
    // The token-bearing endpoint is pointed at the local server, so the saved probe can be run.
    const githubDraft = { ...github.draft!, settings: { ...github.draft!.settings, url: `${base}/rate_limit` } };
    const applied = await call<Applied>(api, 'probes:applyImport', {
      items: [
        { draft: githubDraft, secrets: { GITHUB_TOKEN: TOKEN } },
        { draft: legacy.draft },
        { draft: website.draft, alert: website.alert },
      ],
    });
    expect(applied.failed).toEqual([]);
    expect(applied.created.map((probe) => probe.name)).toEqual(['github-api', 'legacy-status', 'website']);
    expect(applied.missingSecrets).toEqual([]);
    expect(applied.alerts).toEqual([
      'website: alert after 3 failures, resolve after 2 successes — applied as its alert rule. Gatus sent these via slack: set up those channels under Alerts.',
    ]);

    const probes = (await call<{ probe: Probe }[]>(api, 'probes:list', {})).map((summary) => summary.probe);
    expect(probes.map((probe) => probe.name).sort()).toEqual(['github-api', 'legacy-status', 'website']);
    const saved = probes.find((probe) => probe.name === 'github-api')!;
    expect(saved.secrets).toEqual({ GITHUB_TOKEN: { ref: `probe/${saved.id}/GITHUB_TOKEN`, present: true } });
    expect(await readWithSecretTool(keyring.env, SERVICE, `probe/${saved.id}/GITHUB_TOKEN`)).toBe(TOKEN);
    expect(probes.find((probe) => probe.name === 'legacy-status')).toMatchObject({ paused: true, intervalSeconds: 10 });
    const websiteId = probes.find((probe) => probe.name === 'website')!.id;
    const { rules } = await call<ResponseOf<'alerts:rules'>>(api, 'alerts:rules', {});
    expect(rules).toMatchObject([
      { subject: { kind: 'probe', probeId: websiteId }, settings: { failuresToAlert: 3, successesToResolve: 2 } },
    ]);

    // The secret is put into the request at run time: the local server answers 200 only with it.
    await call(api, 'probes:run', { probeId: saved.id });
    await waitFor(
      async () => (await call<unknown[]>(api, 'probes:results', { probeId: saved.id })).length > 0,
      10_000,
      'the imported probe did not run',
    );
    const [result] = await call<{ status: string }[]>(api, 'probes:results', { probeId: saved.id });
    expect(result!.status).toBe('ok');
    expect(seen.at(-1)!.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('plans a second import of the same file with new names, and reports a name taken since planning', async () => {
    const { api } = app();
    const first = await call<Plan>(api, 'probes:importGatus', { text: FIXTURE });
    const postgres = first.items.find((item) => item.name === 'postgres')!;
    await call<Applied>(api, 'probes:applyImport', { items: [{ draft: postgres.draft }] });
    const second = await call<Plan>(api, 'probes:importGatus', { text: FIXTURE });
    expect(second.items.find((item) => item.name === 'postgres')).toMatchObject({
      outcome: 'adapted',
      draft: { name: 'postgres (2)' },
    });
    const again = await call<Applied>(api, 'probes:applyImport', { items: [{ draft: postgres.draft }] });
    expect(again.created).toEqual([]);
    expect(again.failed).toEqual([{ name: 'postgres', message: expect.stringMatching(/already exists/) }]);
  });

  it('says where a file is not YAML, and saves nothing', async () => {
    const { api } = app();
    const reply = await api.invoke('probes:importGatus', { text: 'endpoints:\n  - name: a\n   url: [' });
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'invalid-request', message: expect.stringMatching(/^The file is not valid YAML \(line \d+\)/) },
    });
  });
});

describe('Control Room YAML', () => {
  it('round-trips: export, import into another app, equal minus ids, timestamps and secret values', async () => {
    const one = app();
    const plan = await call<Plan>(one.api, 'probes:importGatus', { text: FIXTURE });
    const kept = plan.items.filter((item) => item.draft);
    await call<Applied>(one.api, 'probes:applyImport', {
      items: kept.map((item) => ({
        draft: item.draft,
        secrets: Object.fromEntries(item.secrets.map((slot) => [slot, `value-of-${slot}`])),
      })),
    });
    const exported = await call<{ text: string; count: number }>(one.api, 'probes:exportYaml', {});
    expect(exported.count).toBe(kept.length);
    expect(exported.text).toContain('GITHUB_TOKEN');
    expect(exported.text).not.toContain('value-of-');

    const two = app();
    const back = await call<Plan>(two.api, 'probes:importYaml', { text: exported.text });
    expect(back.items.every((item) => item.outcome === 'imported')).toBe(true);
    const appliedBack = await call<Applied>(two.api, 'probes:applyImport', {
      items: back.items.map((item) => ({ draft: item.draft })),
    });
    // Secret values stayed behind: the summary says which the user still has to fill.
    expect(appliedBack.missingSecrets.sort()).toEqual(['github-api: GITHUB_TOKEN', 'orders-api: ORDERS_API_KEY']);

    const definitions = async (api: Api) =>
      (await call<{ probe: Probe }[]>(api, 'probes:list', {})).map(({ probe }) => {
        const { id: _id, createdAt: _c, updatedAt: _u, secrets, ...rest } = probe;
        return { ...rest, slots: Object.keys(secrets) };
      });
    expect(await definitions(two.api)).toEqual(await definitions(one.api));

    // One probe chosen; a name taken in the target app is adapted, never overwritten.
    const [first] = await call<{ probe: Probe }[]>(one.api, 'probes:list', {});
    const single = await call<{ text: string; count: number }>(one.api, 'probes:exportYaml', {
      ids: [first!.probe.id],
    });
    expect(single.count).toBe(1);
    const clash = await call<Plan>(two.api, 'probes:importYaml', { text: single.text });
    expect(clash.items).toMatchObject([{ outcome: 'adapted', draft: { name: `${first!.probe.name} (2)` } }]);
  });
});
