/**
 * SecretMask with the app's real services and the real keychain (gnome-keyring on a private
 * bus): what it masks is exactly the keychain's secrets of targets, probes, alert channels and
 * runbook secrets, in every form they are printed in; it follows secrets being set and removed;
 * values shorter than MIN_SECRET_LENGTH stay; with no secrets a batch is left as it is. A locked
 * keychain keeps the set it had — last in the file, because the lock stays.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import { MIN_SECRET_LENGTH } from '../../../node/redact/secret-forms';
import { MASKED_SECRET } from '../../../shared/log-mask';
import type { LogEntry } from '../../../shared/model/logs';
import { ChannelDraft } from '../../../shared/model/channels';
import { startKeyring, type Keyring } from '../../support/keyring';
import { createGithubTokenProbe } from '../bundles/bundle-support';

const nonce = randomBytes(6).toString('hex');
const PASSPHRASE = `ssh pass/${nonce}+phrase`;
const OPS_TOKEN = `cra_${randomBytes(32).toString('base64url')}`;
const PROBE_TOKEN = `probe-key-${nonce}/+x`;
const WEBHOOK_URL = `https://hooks.example.com/services/${nonce}/T0P?sig=${nonce}Z`;
const RUNBOOK_SECRET = `vercel "${nonce}" tok`;

let keyring: Keyring;
let dataDir: string;
let services: Services;

function entry(message: string): LogEntry {
  return { ts: new Date().toISOString(), target: 't', service: null, container: 'c', stream: 'stdout', level: null, message };
}

/** The forms a misconfigured entrypoint prints a value in. */
function printed(value: string): string[] {
  const base64 = Buffer.from(value).toString('base64');
  return [
    value,
    JSON.stringify(value).slice(1, -1),
    base64,
    base64.replace(/=+$/, ''),
    Buffer.from(value).toString('base64url'),
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
  ];
}

beforeAll(async () => {
  keyring = await startKeyring();
  keyring.useInThisProcess();
  dataDir = mkdtempSync(join(tmpdir(), 'cr-secret-mask-'));
  services = createServices({ dataDir, credentials: new KeytarBackend(`control-room-test-mask-${nonce}`), probes: { background: false } });
  await services.secretMask.whenSettled();
}, 60_000);

afterAll(async () => {
  services?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  await keyring?.stop();
});

describe('SecretMask with the real keychain', () => {
  it('masks nothing, and leaves a batch as it is, while the keychain holds no secret', () => {
    expect(services.secretMask.forms).toBe(0);
    const batch = [entry(`nothing to hide ${nonce}`), entry('')];
    const before = batch.map((e) => e.message);
    expect(services.secretMask.maskEntries(batch)).toBe(0);
    expect(batch.map((e) => e.message)).toEqual(before);
    expect(services.secretMask.maskText('plain')).toEqual({ text: 'plain', count: 0 });
  });

  it('masks every form of every secret of targets, probes, channels and runbooks, once each, and keeps the text around', async () => {
    await services.targets.create({
      name: 'edge-ssh',
      environment: 'prod',
      kind: 'docker-ssh',
      settings: { host: '127.0.0.1', port: 2222, username: 'deploy', socketPath: '/run/podman/podman.sock' },
      secrets: { privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn${nonce}\n-----END OPENSSH PRIVATE KEY-----\n`, passphrase: PASSPHRASE },
    });
    await services.targets.create({ name: 'shop-api', environment: 'staging', kind: 'ops-api', settings: { baseUrl: 'https://shop.example.com' }, secrets: { apiToken: OPS_TOKEN } });
    await createGithubTokenProbe(services, PROBE_TOKEN);
    await services.channels.create(ChannelDraft.parse({ name: 'ops webhook', kind: 'webhook', settings: {}, secrets: { url: WEBHOOK_URL } }));
    await services.runbooks.secrets.set('vercel-token', RUNBOOK_SECRET);
    await services.secretMask.whenSettled();
    expect(services.secretMask.current).toBe(true);

    for (const value of [PASSPHRASE, OPS_TOKEN, PROBE_TOKEN, WEBHOOK_URL, RUNBOOK_SECRET]) {
      const forms = [...new Set(printed(value))];
      const batch = forms.map((form) => entry(`before ${form} after`));
      expect(services.secretMask.maskEntries(batch)).toBe(forms.length);
      expect(batch.map((e) => e.message)).toEqual(forms.map(() => `before ${MASKED_SECRET} after`));
    }
    // Inside a longer base64 text: a Basic header of user:passphrase.
    const basic = `Authorization: Basic ${Buffer.from(`deploy:${PASSPHRASE}`).toString('base64')}`;
    const masked = services.secretMask.maskText(basic);
    expect(masked.count).toBe(1);
    expect(masked.text).toContain(MASKED_SECRET);
    expect(masked.text).not.toContain(Buffer.from(`deploy:${PASSPHRASE}`).toString('base64'));
    // Two secrets on one line, and a megabyte before the last.
    const long = services.secretMask.maskText(`${OPS_TOKEN} ${'x'.repeat(1_000_000)}${PASSPHRASE}`);
    expect(long.count).toBe(2);
    expect(long.text).toBe(`${MASKED_SECRET} ${'x'.repeat(1_000_000)}${MASKED_SECRET}`);
  });

  it(`leaves values shorter than ${MIN_SECRET_LENGTH} characters alone`, async () => {
    await services.runbooks.secrets.set('short-pin', 'pin42');
    await services.secretMask.whenSettled();
    expect(services.secretMask.maskText('the pin is pin42')).toEqual({ text: 'the pin is pin42', count: 0 });
  });

  it('stops masking a secret once it is removed, and a deleted target takes its secrets with it', async () => {
    const line = () => services.secretMask.maskText(`${RUNBOOK_SECRET} ${OPS_TOKEN} ${PASSPHRASE}`).text;
    expect(line()).toBe(`${MASKED_SECRET} ${MASKED_SECRET} ${MASKED_SECRET}`);
    await services.runbooks.secrets.set('vercel-token', null);
    await services.secretMask.whenSettled();
    expect(line()).toBe(`${RUNBOOK_SECRET} ${MASKED_SECRET} ${MASKED_SECRET}`);
    const shop = services.targets.list().find((t) => t.name === 'shop-api')!;
    await services.targets.delete(shop.id);
    await services.secretMask.whenSettled();
    expect(line()).toBe(`${RUNBOOK_SECRET} ${OPS_TOKEN} ${MASKED_SECRET}`);
  });

  it('keeps masking what it knew while the keychain is locked, and never throws into the caller', async () => {
    await keyring.lock();
    // A target edit asks for a new read: the keychain refuses it.
    const edge = services.targets.list().find((t) => t.name === 'edge-ssh')!;
    if (edge.kind !== 'docker-ssh') throw new Error('edge-ssh is a docker-ssh target');
    await services.targets.update(edge.id, { name: 'edge-ssh-2', environment: 'prod', kind: 'docker-ssh', settings: edge.settings });
    await services.secretMask.whenSettled();
    expect(services.secretMask.current).toBe(false);
    const batch = [entry(`leaked ${PASSPHRASE}`)];
    expect(services.secretMask.maskEntries(batch)).toBe(1);
    expect(batch[0]!.message).toBe(`leaked ${MASKED_SECRET}`);
  });
});
