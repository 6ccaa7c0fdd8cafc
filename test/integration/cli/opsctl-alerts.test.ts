/**
 * `opsctl alerts channels | test CHANNEL` with the app's saved channels: the app's data
 * directory, the real keychain (the webhook's URL and token read from it), a real local HTTP
 * server receiving the test message, and opsctl in-process through createApi like the other
 * commands. Exit 0 when delivered, 1 when not, the sentence on stderr.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, opsctl, type Io } from '../../../main/cli/opsctl';
import { createServices } from '../../../main/services';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import { ChannelDraft, type Channel } from '../../../shared/model/channels';
import { startKeyring, type Keyring } from '../../support/keyring';

const TOKEN = 'opsctl-hook-token-4e1f9b';

let keyring: Keyring;
let appData: string;
let server: Server;
const received: { path: string; auth: string | undefined; body: { kind?: string; summary?: string } }[] = [];

beforeAll(async () => {
  keyring = await startKeyring();
  keyring.useInThisProcess();
  server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', auth: req.headers.authorization, body: JSON.parse(text) as { kind?: string } });
      if (req.url === '/gone') res.writeHead(404).end('no such hook');
      else res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  appData = mkdtempSync(join(tmpdir(), 'cr-opsctl-alerts-'));
  // The app's own saved channels, secrets in the keychain, as the Alerts screen saves them.
  const services = createServices({ dataDir: appData, credentials: new KeytarBackend(), probes: { background: false } });
  await services.channels.create(ChannelDraft.parse({ name: 'Ops hook', kind: 'webhook', settings: {}, secrets: { url: `${base}/hook`, token: TOKEN } }));
  await services.channels.create(ChannelDraft.parse({ name: 'Old hook', kind: 'webhook', settings: {}, secrets: { url: `${base}/gone` } }));
  services.close();
}, 30_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  if (appData) rmSync(appData, { recursive: true, force: true });
  await keyring?.stop();
});

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (t) => out.push(t),
    outBytes: () => undefined,
    err: (t) => err.push(t),
    stdoutIsTty: false,
    env: { ...process.env, CONTROL_ROOM_DATA_DIR: appData },
    stop: new AbortController().signal,
  };
  const code = await opsctl(args, io);
  return { code, out, err, json: <T>() => JSON.parse(out.join('\n')) as T };
}

describe('opsctl alerts', () => {
  it('channels: the saved channels as JSON with secrets only as present/absent; --plain as lines', async () => {
    const { code, json, out } = await run(['alerts', 'channels']);
    expect(code).toBe(EXIT.ok);
    const channels = json<Channel[]>();
    expect(channels.map((c) => [c.name, c.kind, c.secrets.token?.present])).toEqual([
      ['Old hook', 'webhook', false],
      ['Ops hook', 'webhook', true],
    ]);
    expect(out.join('\n')).not.toContain(TOKEN);

    const plain = await run(['alerts', 'channels', '--plain']);
    expect(plain.out).toEqual([`Old hook\twebhook\ton\t${channels[0]!.id}`, `Ops hook\twebhook\ton\t${channels[1]!.id}`]);
  });

  it('test: delivers the test message by name (any case), exit 0, the sentence on stderr', async () => {
    received.length = 0;
    const { code, json, err } = await run(['alerts', 'test', 'ops HOOK']);
    expect(code).toBe(EXIT.ok);
    expect(json()).toMatchObject({ ok: true, attempts: 1, status: 200, error: null });
    expect(err).toEqual(['Delivered the test message to Ops hook (webhook) in 1 attempt.']);
    expect(received).toEqual([{ path: '/hook', auth: `Bearer ${TOKEN}`, body: expect.objectContaining({ kind: 'test', summary: 'Test message from Control Room to "Ops hook"' }) }]);
  });

  it('test: a channel that refuses exits 1 with why on stderr; by id works too', async () => {
    const channels = (await run(['alerts', 'channels'])).json<Channel[]>();
    const { code, err } = await run(['alerts', 'test', channels[0]!.id]);
    expect(code).toBe(EXIT.failed);
    expect(err).toEqual([
      "The test message to Old hook (webhook) was not delivered: The server answered 404 Not Found: no such hook (after 1 attempt) — check the channel's settings and send a test.",
    ]);
  });

  it('test: an unknown channel exits 4 and a missing name is a usage error', async () => {
    expect(await run(['alerts', 'test', 'nope'])).toMatchObject({
      code: EXIT.notFound,
      err: ['opsctl: No alert channel named "nope" — opsctl alerts channels lists them.'],
    });
    expect(await run(['alerts', 'test'])).toMatchObject({ code: EXIT.usage, err: ['opsctl: Name the channel: opsctl alerts test <name or id>.'] });
  });
});
