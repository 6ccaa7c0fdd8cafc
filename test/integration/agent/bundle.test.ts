import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpsContext, OpsLogEntry } from '../../../shared/model/ops';
import { BUSYBOX_IMAGE, composeLabels } from '../../support/podman';
import { waitFor } from '../../support/keyring';
import { beaconBody, startAgentFixture, type AgentFixture } from './agent-fixture';

const IDLE = 'trap "exit 0" TERM; while true; do sleep 1 & wait; done';
const DB_PASSWORD = 'hunter2-db-password';
const URL_PASSWORD = 'pg-url-password-77';
const AGENT_SECRET = 'agent-env-secret-value-9876';
const FAKE_TOKEN = `cra_${'Q'.repeat(43)}`;
/** 24 characters, printed after 4,084 others: the bundle's 4,096-character cut falls in its middle. */
const PASSPHRASE = 'tr0ub4dor-and-3-staples!';
/** An agent token printed after 4,080 characters: its first 16 would sit before the cut. */
const STRADDLING_TOKEN = `cra_${'R'.repeat(43)}`;
/** Dots: not a base64url character, so the token stands on its own, as in a real log line. */
const dots = (n: number) => '.'.repeat(n);
let fx: AgentFixture;

beforeAll(async () => {
  fx = await startAgentFixture({
    podman: true,
    env: { PATH: process.env.PATH, SHOP_API_TOKEN: AGENT_SECRET, STRIPE_SECRET_KEY: 'sk_live_abcdef123456', PLAIN_SETTING: 'visible-value-123', FEATURE_AUTH: 'true' },
    // Fails with its last line: the agent's own secret starting 290 characters in, across the 300-character cut.
    config: () => ({ migrations: { command: `echo "${dots(290)}$SHOP_API_TOKEN and the rest"; exit 3` } }),
    before: async (podman) => {
      await Promise.all([
        podman.cli([
          'run', '-d', '--name', 'shop-api-1', '-e', `DATABASE_PASSWORD=${DB_PASSWORD}`, '-e', `DATABASE_URL=postgres://app:${URL_PASSWORD}@db/shop`,
          ...Object.entries(composeLabels('shop', 'api')).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
          BUSYBOX_IMAGE, 'sh', '-c', `echo "connecting with password $DATABASE_PASSWORD"; echo "pool uses ${URL_PASSWORD}"; echo "Authorization: Bearer ${FAKE_TOKEN}" >&2; ${IDLE}`,
        ]),
        podman.run('shop-web-1', `echo "web up, sk_live_abcdef123456 loaded"; ${IDLE}`, composeLabels('shop', 'web')),
        podman.cli([
          'run', '-d', '--name', 'shop-worker-1', '-e', `WORKER_PASSPHRASE=${PASSPHRASE}`,
          ...Object.entries(composeLabels('shop', 'worker')).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
          BUSYBOX_IMAGE, 'sh', '-c',
          // A pause after each line: conmon reads 8 KB at a time, and a line it reads in two pieces
          // comes back from podman 4.3's tail without its first piece.
          [
            `echo "${dots(4084)}$WORKER_PASSPHRASE and more"`,
            `echo "${dots(4080)}${STRADDLING_TOKEN} and more"`,
            `echo "${dots(4090)}$WORKER_PASSPHRASE: its marker would straddle the cut"`,
            'echo "worker done"',
            IDLE,
          ].join('; sleep 0.2; '),
        ]),
      ]);
    },
  });
  await waitFor(async () => (await (await fx.get('/api/ops/logs?service=api')).text()).includes('Bearer'), 15_000, 'the api container printed nothing');
  await waitFor(async () => (await (await fx.get('/api/ops/logs?service=worker')).text()).includes('worker done'), 15_000, 'the worker printed nothing');
});

afterAll(async () => {
  await fx?.stop();
});

describe('GET /api/ops/support-bundle', () => {
  it('is a gzip attachment of JSON with the context, each service\'s logs and the browser errors, secrets redacted', async () => {
    await fx.beacon(beaconBody({ route: '/leak', message: `fetch failed with token ${fx.admin} and ${fx.read}`, stack: `at ${AGENT_SECRET}` }));
    await fx.beacon(beaconBody({ route: '/fine', message: 'visible-value-123 is not a secret' }));
    const response = await fx.get('/api/ops/support-bundle', fx.admin);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/gzip');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="support-bundle-[\w.-]+-\d{4}-\d{2}-\d{2}T[\d-]+Z\.json\.gz"$/);
    const gz = Buffer.from(await response.arrayBuffer());
    expect(gz.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const text = gunzipSync(gz).toString('utf8');
    const bundle = JSON.parse(text) as Record<string, unknown> & { logs: Record<string, { entries?: unknown[]; error?: string }>; frontendErrors: { route: string; message: string }[]; redactions: number };

    expect(bundle.format).toBe('control-room-agent-bundle');
    OpsContext.parse(bundle.context);
    expect(Object.keys(bundle.logs).sort()).toEqual(['api', 'web', 'worker']);
    for (const entry of bundle.logs.api!.entries!) OpsLogEntry.parse(entry);
    expect(bundle.frontendErrors.map((e) => e.route).sort()).toEqual(['/fine', '/leak']);

    // Nothing secret survives, wherever it was: a beacon, a container's log, the agent's own env.
    for (const secret of [fx.admin, fx.read, FAKE_TOKEN, DB_PASSWORD, URL_PASSWORD, AGENT_SECRET, 'sk_live_abcdef123456']) expect(text).not.toContain(secret);
    // A password inside a URL is a secret whatever the variable is called.
    expect(text).toContain('pool uses [redacted]');
    expect(text).toContain('connecting with password [redacted]');
    expect(text).toContain('Authorization: Bearer [redacted]');
    expect(text).toContain('web up, [redacted] loaded');
    expect(bundle.frontendErrors.find((e) => e.route === '/leak')!.message).toBe('fetch failed with token [redacted] and [redacted]');
    // Ordinary values stay readable, including short flags under secret-looking names.
    expect(text).toContain('visible-value-123 is not a secret');
    expect(bundle.redactions).toBeGreaterThanOrEqual(6);
    expect(response.headers.get('x-redactions')).toBe(String(bundle.redactions));
  });

  it('redacts a long line before cutting it: no secret that straddles the cut leaves its first characters', async () => {
    const response = await fx.get('/api/ops/support-bundle', fx.admin);
    expect(response.status).toBe(200);
    const text = gunzipSync(Buffer.from(await response.arrayBuffer())).toString('utf8');
    const bundle = JSON.parse(text) as { logs: Record<string, { entries: { message: string }[] }>; context: { migrations: { ok: boolean; error?: string } } };

    // Cut first, 12 characters of the passphrase and 16 of the token would be in the bundle.
    expect(text).not.toContain(PASSPHRASE.slice(0, 8));
    expect(text).not.toContain(STRADDLING_TOKEN.slice(0, 12));
    expect(text).not.toContain(AGENT_SECRET.slice(0, 8));
    // Redacted first, the secret is a 10-character marker that fits before the cut; a marker the
    // cut would split is left out whole.
    expect(bundle.logs.worker!.entries.map((e) => e.message)).toEqual([
      `${dots(4084)}[redacted] a…`,
      `${dots(4080)}[redacted] and m…`,
      `${dots(4090)}…`,
      'worker done',
    ]);
    // The failing migrations command's last line, in the context: redacted, then cut at 300.
    expect(bundle.context.migrations).toEqual({ ok: false, error: `The migrations command exited with code 3: ${dots(290)}[redacted]…` });
  });

  it('needs the admin scope', async () => {
    const response = await fx.get('/api/ops/support-bundle', fx.read);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ statusCode: 403, error: expect.stringMatching(/admin scope/) });
  });
});
