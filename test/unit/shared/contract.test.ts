/**
 * The contract's schemas: what a target draft may be, and the messages a form shows when it is
 * not; what a target and an audit entry look like on their way out; a target's one-line description.
 */
import { describe, expect, it } from 'vitest';
import { channels, CHANNEL_NAMES, isChannel, isStream, STREAM_NAMES, streams } from '../../../shared/contract';
import { fieldErrorsOf } from '../../../shared/errors';
import { AuditEntry, auditDetailText, auditSummary } from '../../../shared/model/audit';
import {
  DEFAULT_SETTINGS,
  describeTarget,
  SECRET_SLOTS,
  Target,
  TargetDraft,
  TARGET_KINDS,
} from '../../../shared/model/target';

const opsApi = {
  name: 'Shop prod',
  environment: 'prod',
  kind: 'ops-api',
  settings: { baseUrl: 'https://ops.example.com' },
  secrets: { apiToken: 'tok-123' },
};
const dockerSsh = {
  name: 'db1 staging',
  environment: 'staging',
  kind: 'docker-ssh',
  settings: { host: 'db1.example.com', port: 2222, username: 'deploy', socketPath: '/var/run/docker.sock' },
  secrets: { privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\n…', passphrase: null },
};
const dockerLocal = { name: 'Laptop', environment: 'dev', kind: 'docker-local', settings: { socketPath: '' } };

/** The field errors a form would show for `draft`; {} when it is valid. */
function errorsOf(draft: unknown): Record<string, string> {
  const result = TargetDraft.safeParse(draft);
  return result.success ? {} : fieldErrorsOf(result.error);
}

const withSettings = (
  base: typeof opsApi | typeof dockerSsh | typeof dockerLocal,
  settings: Record<string, unknown>,
) => ({
  ...base,
  settings: { ...base.settings, ...settings },
});

describe('TargetDraft', () => {
  it.each([
    ['ops-api', opsApi],
    [
      'ops-api over plain http on a port, no secrets',
      { ...opsApi, settings: { baseUrl: 'http://10.0.0.5:8080/ops' }, secrets: undefined },
    ],
    ['docker-ssh', dockerSsh],
    [
      'docker-ssh to an IPv4 address, no secrets',
      { ...withSettings(dockerSsh, { host: '192.168.1.20', port: 22 }), secrets: {} },
    ],
    ['docker-ssh to an IPv6 address', withSettings(dockerSsh, { host: 'fe80::1' })],
    ['docker-local with the default socket', dockerLocal],
    [
      'docker-local with a chosen socket',
      withSettings(dockerLocal, { socketPath: '/run/user/1000/podman/podman.sock' }),
    ],
  ])('accepts a good %s draft', (_what, draft) => {
    expect(errorsOf(draft)).toEqual({});
  });

  it('accepts the defaults for each kind once they are filled in', () => {
    const filled = {
      'ops-api': { baseUrl: 'https://ops.example.com' },
      'docker-ssh': { ...DEFAULT_SETTINGS['docker-ssh'], host: 'h', username: 'u' },
      'docker-local': DEFAULT_SETTINGS['docker-local'],
    };
    for (const kind of TARGET_KINDS) {
      expect(errorsOf({ name: `a ${kind}`, environment: 'dev', kind, settings: filled[kind] }), kind).toEqual({});
    }
  });

  it('trims the name and the settings', () => {
    const parsed = TargetDraft.parse({
      ...opsApi,
      name: '  Shop prod  ',
      settings: { baseUrl: ' https://ops.example.com ' },
    });
    expect(parsed.name).toBe('Shop prod');
    expect(parsed.settings).toEqual({ baseUrl: 'https://ops.example.com' });
  });

  describe('rejects bad drafts with a message that says what to do', () => {
    it.each([
      ['an empty name', { ...opsApi, name: '' }, { name: 'Give the target a name.' }],
      ['a name of only spaces', { ...opsApi, name: '   ' }, { name: 'Give the target a name.' }],
      ['a 65-character name', { ...opsApi, name: 'n'.repeat(65) }, { name: 'Keep the name under 64 characters.' }],
      [
        'a name with a slash',
        { ...opsApi, name: 'shop/prod' },
        { name: 'Use letters, digits, spaces, dots, dashes or underscores.' },
      ],
      [
        'a name starting with a dash',
        { ...opsApi, name: '-shop' },
        { name: 'Use letters, digits, spaces, dots, dashes or underscores.' },
      ],
      [
        'an unknown environment',
        { ...opsApi, environment: 'qa' },
        { environment: expect.stringContaining('"prod"|"staging"|"dev"') },
      ],
      [
        'an unknown kind',
        { ...opsApi, kind: 'kubernetes' },
        { kind: expect.stringContaining("'ops-api' | 'docker-ssh' | 'docker-local'") },
      ],
      [
        'a base URL that is not a URL',
        withSettings(opsApi, { baseUrl: 'ops.example.com' }),
        { 'settings.baseUrl': 'Enter the base URL, like https://ops.example.com.' },
      ],
      [
        'a base URL with another scheme',
        withSettings(opsApi, { baseUrl: 'ftp://ops.example.com' }),
        { 'settings.baseUrl': 'Enter the base URL, like https://ops.example.com.' },
      ],
      [
        'a javascript: base URL',
        withSettings(opsApi, { baseUrl: 'javascript:alert(1)' }),
        { 'settings.baseUrl': 'Enter the base URL, like https://ops.example.com.' },
      ],
      [
        'a base URL carrying a password',
        withSettings(opsApi, { baseUrl: 'https://admin:hunter2@ops.example.com' }),
        { 'settings.baseUrl': 'Leave the user name and password out of the URL — the token goes in "API token".' },
      ],
      [
        'a base URL carrying a user name',
        withSettings(opsApi, { baseUrl: 'https://admin@ops.example.com' }),
        { 'settings.baseUrl': 'Leave the user name and password out of the URL — the token goes in "API token".' },
      ],
      ['port 0', withSettings(dockerSsh, { port: 0 }), { 'settings.port': 'Ports run 1–65535.' }],
      ['port 70000', withSettings(dockerSsh, { port: 70000 }), { 'settings.port': 'Ports run 1–65535.' }],
      [
        'a fractional port',
        withSettings(dockerSsh, { port: 22.5 }),
        { 'settings.port': 'The port is a whole number.' },
      ],
      [
        'a port as text',
        withSettings(dockerSsh, { port: '22' }),
        { 'settings.port': expect.stringContaining('expected number') },
      ],
      [
        'user@host in the host',
        withSettings(dockerSsh, { host: 'deploy@db1.example.com' }),
        { 'settings.host': 'Enter a host name or IP address, without user@ or a port.' },
      ],
      [
        'host:port in the host',
        withSettings(dockerSsh, { host: 'db1.example.com:2222' }),
        { 'settings.host': 'Enter a host name or IP address, without user@ or a port.' },
      ],
      [
        '[IPv6]:port in the host',
        withSettings(dockerSsh, { host: '[fe80::1]:2222' }),
        { 'settings.host': 'Enter a host name or IP address, without user@ or a port.' },
      ],
      [
        'an ssh:// URL in the host',
        withSettings(dockerSsh, { host: 'ssh://db1.example.com' }),
        { 'settings.host': 'Enter a host name or IP address, without user@ or a port.' },
      ],
      ['an empty host', withSettings(dockerSsh, { host: '' }), { 'settings.host': 'Enter the host name or address.' }],
      [
        'an empty user name',
        withSettings(dockerSsh, { username: '' }),
        { 'settings.username': 'Enter the SSH user name.' },
      ],
      [
        'user@ in the user name',
        withSettings(dockerSsh, { username: 'deploy@db1' }),
        { 'settings.username': 'Use the plain user name, like deploy.' },
      ],
      [
        'a relative socket path over SSH',
        withSettings(dockerSsh, { socketPath: 'docker.sock' }),
        { 'settings.socketPath': 'Use an absolute path, like /var/run/docker.sock.' },
      ],
      [
        'a relative local socket path',
        withSettings(dockerLocal, { socketPath: 'run/docker.sock' }),
        { 'settings.socketPath': 'Use an absolute path, like /var/run/docker.sock.' },
      ],
      [
        'an empty secret (which would mean "keep")',
        { ...opsApi, secrets: { apiToken: '' } },
        { 'secrets.apiToken': 'Leave it empty to keep the current value.' },
      ],
      [
        'a secret over 64 KB',
        { ...opsApi, secrets: { apiToken: 'x'.repeat(65_537) } },
        { 'secrets.apiToken': 'A secret is at most 64 KB.' },
      ],
    ])('%s', (_what, draft, expected) => {
      expect(errorsOf(draft)).toEqual(expected);
    });

    it('reports every wrong field at once', () => {
      expect(
        errorsOf({ ...dockerSsh, name: '', settings: { host: 'deploy@db1', port: 0, username: '', socketPath: 'x' } }),
      ).toEqual({
        name: 'Give the target a name.',
        'settings.host': 'Enter a host name or IP address, without user@ or a port.',
        'settings.port': 'Ports run 1–65535.',
        'settings.username': 'Enter the SSH user name.',
        'settings.socketPath': 'Use an absolute path, like /var/run/docker.sock.',
      });
    });
  });

  describe('strict objects: a key the contract does not name is refused, not ignored', () => {
    it.each([
      ['secrets.password on ops-api', { ...opsApi, secrets: { password: 'hunter2' } }, 'secrets', 'password'],
      ['an ops-api token slot on docker-ssh', { ...dockerSsh, secrets: { apiToken: 'tok' } }, 'secrets', 'apiToken'],
      ['any secret on docker-local', { ...dockerLocal, secrets: { privateKey: 'k' } }, 'secrets', 'privateKey'],
      ['a token smuggled into settings', withSettings(opsApi, { token: 'tok' }), 'settings', 'token'],
      ['another kind’s settings', withSettings(opsApi, { host: 'db1' }), 'settings', 'host'],
      ['an unknown top-level key', { ...opsApi, id: 'chosen-by-client' }, '(request)', 'id'],
    ])('%s', (_what, draft, field, key) => {
      expect(errorsOf(draft)).toEqual({ [field]: `Unrecognized key: "${key}"` });
    });

    it('each kind offers exactly its own secret slots', () => {
      for (const kind of TARGET_KINDS) {
        const variant = TargetDraft.options.find((o) => o.shape.kind.value === kind)!;
        const secrets = variant.shape.secrets.unwrap();
        expect(Object.keys(secrets.shape).sort(), kind).toEqual([...SECRET_SLOTS[kind]].sort());
      }
    });
  });
});

describe('Target (what the renderer receives)', () => {
  const target = {
    id: '6f1e2b7c-0000-4000-8000-000000000001',
    name: 'Shop prod',
    environment: 'prod',
    kind: 'ops-api',
    settings: { baseUrl: 'https://ops.example.com' },
    secrets: { apiToken: { ref: 'target/6f1e2b7c-0000-4000-8000-000000000001/apiToken', present: true } },
    hostKey: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
  };

  it('accepts a secret as { ref, present }', () => {
    expect(Target.safeParse(target).success).toBe(true);
  });

  it('cannot carry a secret value, in a slot or beside it', () => {
    const inSlot = { ...target, secrets: { apiToken: { ...target.secrets.apiToken, value: 'tok-123' } } };
    expect(Target.safeParse(inSlot).success).toBe(false);
    expect(Target.safeParse({ ...target, apiToken: 'tok-123' }).success).toBe(false);
    expect(Target.safeParse({ ...target, secrets: { apiToken: 'tok-123' } }).success).toBe(false);
  });

  const sshTarget = {
    ...target,
    kind: 'docker-ssh',
    settings: { host: 'db1.example.com', port: 22, username: 'deploy', socketPath: '/var/run/docker.sock' },
    secrets: {},
    hostKey: { fingerprint: 'SHA256:abc', pinnedAt: '2025-01-01T00:00:00.000Z' },
  };

  it('is one shape per kind: the settings must be that kind’s, and only an SSH target has a host key', () => {
    expect(Target.safeParse(sshTarget).success).toBe(true);
    expect(Target.safeParse({ ...sshTarget, hostKey: null }).success).toBe(true);
    // Another kind's settings, even valid ones, are refused.
    expect(Target.safeParse({ ...target, settings: sshTarget.settings }).success).toBe(false);
    expect(Target.safeParse({ ...sshTarget, settings: target.settings }).success).toBe(false);
    expect(Target.safeParse({ ...target, kind: 'docker-local', settings: { socketPath: '' } }).success).toBe(true);
    expect(Target.safeParse({ ...target, hostKey: sshTarget.hostKey }).success).toBe(false);
    expect(Target.safeParse({ ...target, kind: 'kubernetes' }).success).toBe(false);
  });

  it('keeps its strictness on the way out: a field the contract does not name is refused, in settings too', () => {
    expect(Target.safeParse({ ...sshTarget, settings: { ...sshTarget.settings, password: 'hunter2' } }).success).toBe(
      false,
    );
    expect(Target.safeParse({ ...sshTarget, privateKey: '-----BEGIN' }).success).toBe(false);
    const response = channels['targets:list'].response;
    expect(response.safeParse([target, sshTarget]).success).toBe(true);
    expect(
      response.safeParse([target, { ...sshTarget, settings: { ...sshTarget.settings, token: 'x' } }]).success,
    ).toBe(false);
  });
});

describe('describeTarget: a target in one line, the same everywhere', () => {
  it.each([
    [
      'an ops API by its base URL',
      { kind: 'ops-api', settings: { baseUrl: 'https://ops.example.com/x' } },
      'https://ops.example.com/x',
    ],
    [
      'an SSH host as user@host:port',
      {
        kind: 'docker-ssh',
        settings: { host: 'db1.example.com', port: 2222, username: 'deploy', socketPath: '/run/d.sock' },
      },
      'deploy@db1.example.com:2222',
    ],
    [
      'an IPv6 SSH host in brackets, so the port stands apart',
      {
        kind: 'docker-ssh',
        settings: { host: 'fd00::5', port: 22, username: 'ops', socketPath: '/var/run/docker.sock' },
      },
      'ops@[fd00::5]:22',
    ],
    [
      'a local socket by its path',
      { kind: 'docker-local', settings: { socketPath: '/run/user/1000/podman.sock' } },
      '/run/user/1000/podman.sock',
    ],
    [
      'a local engine with no path by what it falls back to',
      { kind: 'docker-local', settings: { socketPath: '' } },
      'DOCKER_HOST or /var/run/docker.sock',
    ],
  ] as const)('%s', (_name, endpoint, expected) => {
    expect(describeTarget(endpoint)).toBe(expected);
  });

  it('describes a draft the same way as the saved target', () => {
    const draft = TargetDraft.parse(dockerSsh);
    expect(describeTarget(draft)).toBe('deploy@db1.example.com:2222');
  });
});

describe('AuditEntry (the audit log on its way out)', () => {
  const entry = {
    id: 3,
    at: '2025-01-01T00:00:00.000Z',
    subjectKind: 'container',
    subject: 'backend-1',
    action: 'restart',
    outcome: 'ok',
    detail: { message: 'restarted' },
    target: { id: 't1', name: 'Shop prod', environment: 'prod' },
  } as const;

  it('takes any kind of subject, with or without a target, and a JSON object as detail', () => {
    expect(AuditEntry.parse(entry)).toEqual(entry);
    const run = {
      ...entry,
      subjectKind: 'runbook-run',
      subject: '17',
      action: 'cancel',
      outcome: 'canceled',
      target: null,
    };
    expect(AuditEntry.parse(run)).toEqual(run);
    expect(AuditEntry.safeParse({ ...entry, subjectKind: 'volume' }).success).toBe(false);
    expect(AuditEntry.safeParse({ ...entry, outcome: 'maybe' }).success).toBe(false);
    expect(AuditEntry.safeParse({ ...entry, detail: 'restarted' }).success).toBe(false);
    expect(AuditEntry.safeParse({ ...entry, target: { id: 't1', name: 'x', environment: 'qa' } }).success).toBe(false);
    expect(streams['audit:recorded'].event.parse(run)).toEqual(run);
  });

  it('reads naturally: "restart backend-1", other subjects by their kind, detail in one line', () => {
    expect(auditSummary(entry)).toBe('restart backend-1');
    expect(auditSummary({ subjectKind: 'runbook-run', subject: '17', action: 'cancel' })).toBe('cancel runbook run 17');
    expect(auditSummary({ subjectKind: 'bundle', subject: 'prod.zip', action: 'export' })).toBe(
      'export bundle prod.zip',
    );
    expect(auditDetailText({ message: 'restarted' })).toBe('restarted');
    expect(auditDetailText({ statusCode: 500, message: 'no such image', tags: ['a'] })).toBe(
      'no such image · statusCode: 500 · tags: ["a"]',
    );
    expect(auditDetailText({})).toBe('');
  });
});

describe('the channel map', () => {
  it('names every channel and stream domain:verb', () => {
    for (const name of [...CHANNEL_NAMES, ...STREAM_NAMES]) expect(name).toMatch(/^[a-z]+:[a-z][a-zA-Z-]*$/);
    expect(CHANNEL_NAMES).toEqual(
      expect.arrayContaining(['targets:list', 'targets:get', 'targets:create', 'targets:update', 'targets:delete']),
    );
  });

  it('recognises its own names only, not inherited object properties', () => {
    expect(isChannel('targets:list')).toBe(true);
    expect(isStream('targets:changed')).toBe(true);
    for (const name of [
      'constructor',
      'toString',
      '__proto__',
      'hasOwnProperty',
      'targets:changed',
      42,
      null,
      undefined,
    ]) {
      expect(isChannel(name), String(name)).toBe(false);
    }
    expect(isStream('targets:list')).toBe(false);
    expect(isStream('constructor')).toBe(false);
  });

  it('gives every request and stream a schema that refuses what is not an object', () => {
    for (const name of CHANNEL_NAMES) {
      for (const payload of [undefined, null, 7, 'x', []])
        expect(channels[name].request.safeParse(payload).success, name).toBe(false);
    }
    for (const name of STREAM_NAMES) expect(streams[name].params.safeParse(null).success, name).toBe(false);
  });
});
