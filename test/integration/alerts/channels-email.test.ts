/**
 * The email channel against a real SMTP server on loopback (`smtp-server`): STARTTLS and
 * implicit TLS with a certificate made by openssl at test time, AUTH with the password kept in a
 * real keychain, and the received mail's text checked. A server that refuses the login is a
 * failed outcome with one sentence, not retried and never quoting the password.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { ChannelsService } from '../../../main/services/alerts/channels/channels-service';
import { KeytarBackend } from '../../../main/services/credentials/keytar-backend';
import { openDatabase, type Db } from '../../../main/services/store/database';
import { addTrustedCertificates } from '../../../node/probes/kinds/net-trust';
import type { AlertMessage } from '../../../shared/model/alert-message';
import { ChannelDraft, type SmtpSecurity } from '../../../shared/model/channels';
import { FakeClock } from '../../support/fake-clock';
import { startKeyring, type Keyring } from '../../support/keyring';
import { createTestCa, daysFromNow, type LeafCertificate, type TestCa } from '../../support/tls-certs';

const SERVICE = `control-room-test-${randomUUID()}`;
const USER = 'alerts@example.com';
const PASSWORD = 'smtp-pass-5e8d2c71';

interface Mail {
  auth: string | null;
  secure: boolean;
  from: string;
  to: string[];
  raw: string;
}

let keyring: Keyring;
let ca: TestCa;
let leaf: LeafCertificate;
let dataDir: string;
let db: Db;
let channels: ChannelsService;
const mails: Mail[] = [];
const servers: SMTPServer[] = [];

const message: AlertMessage = {
  kind: 'resolved',
  probe: { id: 'p-7', name: 'Gemini text', scope: 'gemini', provider: 'google', check: 'generate' },
  status: 'ok',
  summary: 'Gemini text is back',
  detail: 'Two runs in a row passed.',
  failedConditions: [],
  at: '2024-05-01T10:05:00.000Z',
  target: null,
};

beforeAll(async () => {
  keyring = await startKeyring();
  keyring.useInThisProcess();
  ca = await createTestCa();
  leaf = await ca.issue({ hosts: ['localhost', '127.0.0.1'], notBefore: daysFromNow(-1), notAfter: daysFromNow(30) });
  addTrustedCertificates(ca.cert);
  dataDir = mkdtempSync(join(tmpdir(), 'cr-channels-mail-'));
  db = openDatabase(join(dataDir, 'control-room.db'));
}, 60_000);

beforeEach(() => {
  channels = new ChannelsService(db, new KeytarBackend(SERVICE), new FakeClock(), {
    retry: { attempts: 3, timeoutMs: 10_000, backoff: { initialMs: 1_000, maxMs: 30_000, random: () => 1 } },
  });
  mails.length = 0;
});

afterAll(async () => {
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
  db?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  ca?.dispose();
  await keyring?.stop();
});

/** A real SMTP server on loopback that requires AUTH and keeps what it receives. */
async function startSmtp(options: Partial<SMTPServerOptions>): Promise<number> {
  const server = new SMTPServer({
    key: leaf.key,
    cert: leaf.cert,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === USER && auth.password === PASSWORD) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        mails.push({
          auth: typeof session.user === 'string' ? session.user : null,
          secure: session.secure,
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        callback();
      });
    },
    logger: false,
    ...options,
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.server.address() as AddressInfo).port;
}

async function emailChannel(port: number, security: SmtpSecurity, password = PASSWORD) {
  return channels.create(
    ChannelDraft.parse({
      name: `mail ${randomUUID().slice(0, 8)}`,
      kind: 'email',
      settings: { host: 'localhost', port, security, from: 'control-room@example.com', to: ['ops@example.com', 'oncall@example.com'] },
      secrets: { username: USER, password },
    }),
  );
}

function expectMailText(mail: Mail) {
  expect(mail.auth).toBe(USER);
  expect(mail.secure).toBe(true);
  expect(mail.from).toBe('control-room@example.com');
  expect(mail.to).toEqual(['ops@example.com', 'oncall@example.com']);
  expect(mail.raw).toContain('Subject: [Control Room] Resolved: Gemini text is back');
  const body = quotedPrintable(mail.raw.split(/\r?\n\r?\n/).slice(1).join('\n\n').replace(/\r\n/g, '\n'));
  expect(body).toContain('Resolved: Gemini text is back\n\nTwo runs in a row passed.\nProbe: Gemini text (gemini / google / generate) — ok\nAt: 2024-05-01T10:05:00.000Z');
  expect(mail.raw).not.toContain(PASSWORD);
}

/** The mail body as text: soft line breaks joined, `=XX` bytes decoded as UTF-8. */
function quotedPrintable(text: string): string {
  const joined = text.replace(/=\n/g, '');
  return Buffer.from(joined.replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
}

it('sends through STARTTLS with the keychain password and the text arrives', async () => {
  const port = await startSmtp({ secure: false });
  const channel = await emailChannel(port, 'starttls');
  expect(channel.secrets).toEqual({
    username: { ref: `channel/${channel.id}/username`, present: true },
    password: { ref: `channel/${channel.id}/password`, present: true },
  });
  expect(await channels.deliver(channel.id, message)).toEqual({ channelId: channel.id, ok: true, attempts: 1, status: null, error: null });
  expect(mails).toHaveLength(1);
  expectMailText(mails[0]!);
});

it('sends through implicit TLS', async () => {
  const port = await startSmtp({ secure: true });
  const channel = await emailChannel(port, 'tls');
  expect(await channels.deliver(channel.id, message)).toMatchObject({ ok: true, attempts: 1 });
  expect(mails).toHaveLength(1);
  expectMailText(mails[0]!);
});

it('a refused login fails at once with one sentence that never quotes the password', async () => {
  const port = await startSmtp({ secure: false });
  const wrong = 'wrong-pass-9a7b6c5d';
  const channel = await emailChannel(port, 'starttls', wrong);
  const outcome = await channels.deliver(channel.id, message);
  expect(outcome).toMatchObject({ ok: false, attempts: 1, status: 535 });
  expect(outcome.error).toMatch(/^The mail server answered 535: .+ \(after 1 attempt\) — check the channel's settings and send a test\.$/);
  expect(outcome.error).not.toContain(wrong);
  expect(mails).toHaveLength(0);
});

it('refuses to send the password in the clear when the server does not do STARTTLS', async () => {
  const port = await startSmtp({ secure: false, disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
  const channel = await emailChannel(port, 'starttls');
  const result = await channels.deliver(channel.id, message);
  expect(result.ok).toBe(false);
  expect(result).toMatchObject({ attempts: 1 });
  expect(result.error).toMatch(/STARTTLS/i);
  expect(mails).toHaveLength(0);
});
