/**
 * What bundles redact from the keychain, with the real keychain (gnome-keyring on a private bus)
 * and the app's real services on a temporary data dir: keychainSecrets() returns every value the
 * targets, probes, alert channels and runbook secrets hold; the custom rules keep a literal's
 * value in the keychain only; a redactor fed with both leaves none of them in a text. Locking the
 * keychain makes both refuse with the keychain's error — last in the file, because the lock
 * stays for every test after it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../main/services';
import { BundleRedactor, KEYCHAIN_RULE } from '../../../main/services/bundles/bundle-redaction';
import { keychainSecretRefs, keychainSecrets } from '../../../main/services/credentials/known-secrets';
import { redactionRuleRef } from '../../../main/services/bundles/redaction-rules';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import { REDACTED } from '../../../node/redact/redactor';
import { ApiError } from '../../../shared/errors';
import { ChannelDraft } from '../../../shared/model/channels';
import { FakeClock } from '../../support/fake-clock';
import { readWithSecretTool, startKeyring, type Keyring } from '../../support/keyring';
import { createGithubTokenProbe } from './bundle-support';

const nonce = randomBytes(6).toString('hex');
const SERVICE = `control-room-test-redaction-${nonce}`;

const PRIVATE_KEY = `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0${nonce}\n-----END OPENSSH PRIVATE KEY-----\n`;
const PASSPHRASE = `ssh pass/${nonce}+phrase`;
const OPS_TOKEN = `cra_${randomBytes(32).toString('base64url')}`;
const PROBE_TOKEN = `probe-key-${nonce}/+x`;
const WEBHOOK_URL = `https://hooks.example.com/services/${nonce}/T0P?sig=${nonce}Z`;
const WEBHOOK_TOKEN = `hook-token-${nonce}`;
const RUNBOOK_SECRET = `vercel_${nonce}_tok`;
const LITERAL = `CUSTOMER-${nonce}`;

let keyring: Keyring;
let dataDir: string;
let services: Services;

beforeAll(async () => {
  keyring = await startKeyring();
  keyring.useInThisProcess();
  dataDir = mkdtempSync(join(tmpdir(), 'cr-redaction-secrets-'));
  services = createServices({ dataDir, credentials: new KeytarBackend(SERVICE), clock: new FakeClock(), probes: { background: false } });

  await services.targets.create({
    name: 'edge-ssh',
    environment: 'prod',
    kind: 'docker-ssh',
    settings: { host: '127.0.0.1', port: 2222, username: 'deploy', socketPath: '/run/podman/podman.sock' },
    secrets: { privateKey: PRIVATE_KEY, passphrase: PASSPHRASE },
  });
  await services.targets.create({ name: 'shop-api', environment: 'staging', kind: 'ops-api', settings: { baseUrl: 'https://shop.example.com' }, secrets: { apiToken: OPS_TOKEN } });
  // Holds no secret: contributes nothing.
  await services.targets.create({ name: 'laptop', environment: 'dev', kind: 'docker-local', settings: { socketPath: '/var/run/docker.sock' } });
  await createGithubTokenProbe(services, PROBE_TOKEN);
  await services.channels.create(ChannelDraft.parse({ name: 'ops webhook', kind: 'webhook', settings: {}, secrets: { url: WEBHOOK_URL, token: WEBHOOK_TOKEN } }));
  await services.runbooks.secrets.set('vercel-token', RUNBOOK_SECRET);
}, 60_000);

afterAll(async () => {
  services?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  await keyring?.stop();
});

describe('keychainSecrets', () => {
  it('returns every secret value of the targets, probes, channels and runbook secrets', async () => {
    const values = await keychainSecrets(services);
    expect([...values].sort()).toEqual([PRIVATE_KEY, PASSPHRASE, OPS_TOKEN, PROBE_TOKEN, WEBHOOK_URL, WEBHOOK_TOKEN, RUNBOOK_SECRET].sort());
    expect(keychainSecretRefs(services)).toHaveLength(7);
  });

  it('feeds a redactor that leaves none of them, nor their encoded forms, in a text', async () => {
    const secrets = await keychainSecrets(services);
    const redactor = new BundleRedactor({ secrets, rules: await services.bundles.rules.resolved() });
    const forms = (value: string) => [value, Buffer.from(value).toString('base64'), Buffer.from(value).toString('base64url'), encodeURIComponent(value)];
    const planted = [PASSPHRASE, OPS_TOKEN, PROBE_TOKEN, WEBHOOK_URL, WEBHOOK_TOKEN, RUNBOOK_SECRET].flatMap(forms);
    const text = planted.map((form, i) => `line ${i}: ${form}`).join('\n');
    const out = redactor.text('logs/app.ndjson', `${text}\n${PRIVATE_KEY}`);
    for (const form of planted) expect(out, form).not.toContain(form);
    expect(out).not.toContain(nonce);
    expect(redactor.counts()).toEqual([{ rule: KEYCHAIN_RULE, file: 'logs/app.ndjson', count: planted.length + 1 }]);
  });
});

describe('RedactionRules', () => {
  it('keeps a literal value in the keychain only; the list gives its length, never the value', async () => {
    const rules = services.bundles.rules;
    const literal = await rules.create({ kind: 'literal', name: 'customer id', value: LITERAL, enabled: true });
    expect(literal).toEqual({ id: expect.stringMatching(/^rule-[a-f0-9]{16}$/), kind: 'literal', name: 'customer id', valueLength: LITERAL.length, enabled: true });
    expect(await readWithSecretTool(keyring.env, SERVICE, redactionRuleRef(literal.id))).toBe(LITERAL);
    const row = services.db.prepare('SELECT * FROM redaction_rules WHERE id = ?').get(literal.id);
    expect(JSON.stringify(row)).not.toContain(LITERAL);
    expect(JSON.stringify(rules.list())).not.toContain(LITERAL);

    const regex = await rules.create({ kind: 'regex', name: 'order key', pattern: 'order-key: (?<mask>\\w+)', enabled: true });
    const path = await rules.create({ kind: 'json-path', name: 'config key', path: '$.config.apiKey', enabled: false });
    expect(rules.list().map((rule) => rule.name)).toEqual(['customer id', 'order key', 'config key']);
    // Disabled rules are not handed to redactors.
    expect(await rules.resolved()).toEqual([
      { kind: 'literal', name: 'customer id', value: LITERAL },
      { kind: 'regex', name: 'order key', pattern: 'order-key: (?<mask>\\w+)' },
    ]);

    const redactor = new BundleRedactor({ secrets: [], rules: await rules.resolved() });
    expect(redactor.text('audit.json', `refund ${LITERAL} order-key: abc123`)).toBe(`refund ${REDACTED} order-key: ${REDACTED}`);

    // A literal turned into a regex leaves nothing behind in the keychain.
    const updated = await rules.update(literal.id, { kind: 'regex', name: 'customer id', pattern: 'CUSTOMER-\\w+', enabled: true });
    expect(updated).toEqual({ id: literal.id, kind: 'regex', name: 'customer id', pattern: 'CUSTOMER-\\w+', enabled: true });
    expect(await readWithSecretTool(keyring.env, SERVICE, redactionRuleRef(literal.id))).toBeNull();

    await rules.delete(regex.id);
    await rules.delete(path.id);
    await rules.delete(literal.id);
    expect(rules.list()).toEqual([]);
  });

  it('refuses an invalid regex, a bad JSON path and a taken name with one sentence each', async () => {
    const rules = services.bundles.rules;
    const refusal = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ApiError);
      return (error as ApiError).message;
    };
    expect(await refusal(rules.create({ kind: 'regex', name: 'broken', pattern: '(?<mask>[a-z', enabled: true }))).toMatch(
      /^The pattern is not a valid regular expression \(.+\) — fix it and save again\.$/,
    );
    expect(await refusal(rules.create({ kind: 'json-path', name: 'bad path', path: 'config.apiKey', enabled: true }))).toMatch(/does not start with \$/);
    expect(await refusal(rules.create({ kind: 'regex', name: 'JWT', pattern: 'x+', enabled: true }))).toBe('"JWT" is the name of a built-in rule — pick another name.');
    await rules.create({ kind: 'regex', name: 'tickets', pattern: 'TKT-\\d+', enabled: true });
    expect(await refusal(rules.create({ kind: 'regex', name: 'Tickets', pattern: 'x+', enabled: true }))).toBe(
      'A redaction rule named "Tickets" already exists — pick another name.',
    );
    expect(await refusal(rules.delete('rule-missing'))).toMatch(/no longer exists/);
    expect(rules.list().map((rule) => rule.name)).toEqual(['tickets']);
  });
});

describe('a locked keychain', () => {
  it('makes keychainSecrets and literal rules refuse with its error, and changes nothing', async () => {
    const rules = services.bundles.rules;
    const before = rules.list();
    await keyring.lock();
    const error = await keychainSecrets(services).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('keychain-locked');
    expect((error as ApiError).message).toBe('The system keychain is locked — unlock it and try again.');
    await expect(rules.create({ kind: 'literal', name: 'locked literal', value: LITERAL, enabled: true })).rejects.toMatchObject({ code: 'keychain-locked' });
    expect(rules.list()).toEqual(before);
  });
});
