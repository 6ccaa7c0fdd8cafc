/**
 * Import from ~/.ssh/config and Docker contexts, against real files in a fake HOME and a real
 * SQLite store: what is offered, and that only what the user picked is created, as they chose it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../main/services';
import { MemoryCredentialBackend } from '../../../main/services/credentials/credential-backend';
import type { ImportCandidate, ImportSelection } from '../../../shared/model/import';

let root: string;
let home: string;
let credentials: MemoryCredentialBackend;
let services: Services;

const SSH_CONFIG = `# written by the import test
Host web1 web1.example.com
  HostName 203.0.113.10

Host prod-api
  HostName prod-api.example.com
  Port 2222
  User ops
  IdentityFile ~/.ssh/prod_key

Host staging-box
  HostName 10.0.0.20
  IdentityFile ~/.ssh/missing_key

Host internal-db
  HostName db.internal
  ProxyJump bastion.example.com

Host *.corp.example.com !legacy.corp.example.com
  User corpuser

Host ?ackup-*
  Port 2200

Host *
  User deploy
  ServerAliveInterval 30
`;

function write(relative: string, text: string) {
  const file = join(home, relative);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Docker keeps each context in a folder named by the SHA-256 of its name. */
function writeContext(name: string, host: string) {
  const folder = createHash('sha256').update(name).digest('hex');
  write(
    `.docker/contexts/meta/${folder}/meta.json`,
    JSON.stringify({
      Name: name,
      Metadata: { Description: '' },
      Endpoints: { docker: { Host: host, SkipTLSVerify: false } },
    }),
  );
}

function writeFixture() {
  write('.ssh/config', SSH_CONFIG);
  // A real private key, made the way a user makes one.
  execFileSync(
    'ssh-keygen',
    ['-q', '-t', 'ed25519', '-N', '', '-C', 'prod@test', '-f', join(home, '.ssh', 'prod_key')],
    { stdio: 'ignore' },
  );
  writeContext('prod-docker', 'ssh://admin@prod.example.com:2222');
  writeContext('stg-ctx', 'ssh://stg.example.com');
  writeContext('desktop-linux', 'unix:///var/run/docker.sock');
  writeContext('remote-tcp', 'tcp://10.0.0.5:2376');
  write('.docker/contexts/meta/0123abcd/meta.json', '{ "Name": "broken", "Endpoints": ');
}

function byKey(candidates: ImportCandidate[], key: string): ImportCandidate {
  const found = candidates.find((c) => c.key === key);
  if (!found) throw new Error(`no candidate ${key} among ${candidates.map((c) => c.key).join(', ')}`);
  return found;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cr-import-'));
  home = join(root, 'home');
  mkdirSync(join(root, 'data'), { recursive: true });
  mkdirSync(home, { recursive: true });
  credentials = new MemoryCredentialBackend();
  services = createServices({ dataDir: join(root, 'data'), credentials, home });
});

afterEach(() => {
  services.close();
  rmSync(root, { recursive: true, force: true });
});

describe('scan', () => {
  beforeEach(writeFixture);

  it('offers each concrete ssh host and Docker context, and skips wildcard-only hosts', async () => {
    const { candidates } = await services.imports.scan();
    expect(candidates.map((c) => c.key).sort()).toEqual(
      [
        'docker-context:desktop-linux',
        'docker-context:prod-docker',
        'docker-context:remote-tcp',
        'docker-context:stg-ctx',
        'ssh-config:internal-db',
        'ssh-config:prod-api',
        'ssh-config:staging-box',
        'ssh-config:web1',
        'ssh-config:web1.example.com',
      ].sort(),
    );
    expect(candidates.some((c) => /[*?!]/.test(c.name))).toBe(false);
  });

  it('reads HostName, Port, User and IdentityFile, with Host * defaults and ~ expanded', async () => {
    const { candidates } = await services.imports.scan();

    const prod = byKey(candidates, 'ssh-config:prod-api');
    expect(prod).toMatchObject({
      source: 'ssh-config',
      name: 'prod-api',
      kind: 'docker-ssh',
      // The host's own User comes before the one under Host *.
      settings: { host: 'prod-api.example.com', port: 2222, username: 'ops', socketPath: '/var/run/docker.sock' },
      identityFile: join(home, '.ssh', 'prod_key'),
      unsupported: null,
    });

    const staging = byKey(candidates, 'ssh-config:staging-box');
    expect(staging.settings).toEqual({
      host: '10.0.0.20',
      port: 22,
      username: 'deploy',
      socketPath: '/var/run/docker.sock',
    });
    expect(staging.identityFile).toBe(join(home, '.ssh', 'missing_key'));
  });

  it('offers every alias of a multi-alias Host line, each with the shared settings', async () => {
    const { candidates } = await services.imports.scan();
    for (const key of ['ssh-config:web1', 'ssh-config:web1.example.com']) {
      const candidate = byKey(candidates, key);
      expect(candidate.settings).toEqual({
        host: '203.0.113.10',
        port: 22,
        username: 'deploy',
        socketPath: '/var/run/docker.sock',
      });
      expect(candidate.identityFile).toBeNull();
      expect(candidate.unsupported).toBeNull();
    }
    expect(byKey(candidates, 'ssh-config:web1.example.com').name).toBe('web1.example.com');
  });

  it('marks a host behind ProxyJump as unsupported, naming the jump host', async () => {
    const { candidates } = await services.imports.scan();
    const internal = byKey(candidates, 'ssh-config:internal-db');
    expect(internal.unsupported).toMatch(/internal-db/);
    expect(internal.unsupported).toMatch(/bastion\.example\.com/);
    expect(internal.unsupported).toMatch(/jump host/i);
  });

  it('reads ssh:// and unix:// Docker contexts and marks tcp:// as unsupported', async () => {
    const { candidates } = await services.imports.scan();
    expect(byKey(candidates, 'docker-context:prod-docker')).toMatchObject({
      source: 'docker-context',
      name: 'prod-docker',
      kind: 'docker-ssh',
      settings: { host: 'prod.example.com', port: 2222, username: 'admin', socketPath: '/var/run/docker.sock' },
      identityFile: null,
      unsupported: null,
    });
    // No user and no port in the URL: the local user and 22, as the docker CLI would.
    expect(byKey(candidates, 'docker-context:stg-ctx').settings).toEqual({
      host: 'stg.example.com',
      port: 22,
      username: userInfo().username,
      socketPath: '/var/run/docker.sock',
    });
    expect(byKey(candidates, 'docker-context:desktop-linux')).toMatchObject({
      kind: 'docker-local',
      settings: { socketPath: '/var/run/docker.sock' },
      unsupported: null,
    });
    const tcp = byKey(candidates, 'docker-context:remote-tcp');
    expect(tcp.unsupported).toContain('tcp://10.0.0.5:2376');
  });

  it('reports an invalid context file as a problem and still offers the others', async () => {
    const { candidates, problems } = await services.imports.scan();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(join(home, '.docker', 'contexts', 'meta', '0123abcd', 'meta.json'));
    expect(problems[0]).toMatch(/not valid JSON/);
    expect(candidates.filter((c) => c.source === 'docker-context')).toHaveLength(4);
  });

  it('guesses the environment from the name', async () => {
    const { candidates } = await services.imports.scan();
    const guesses = Object.fromEntries(candidates.map((c) => [c.key, c.suggestedEnvironment]));
    expect(guesses).toMatchObject({
      'ssh-config:prod-api': 'prod',
      'ssh-config:staging-box': 'staging',
      'ssh-config:web1': 'dev',
      'ssh-config:internal-db': 'dev',
      'docker-context:prod-docker': 'prod',
      'docker-context:stg-ctx': 'staging',
      'docker-context:desktop-linux': 'dev',
    });
  });

  it('flags candidates whose name is already taken, ignoring case', async () => {
    expect((await services.imports.scan()).candidates.every((c) => !c.exists)).toBe(true);
    await services.targets.create({
      name: 'WEB1',
      environment: 'dev',
      kind: 'docker-local',
      settings: { socketPath: '' },
    });
    const { candidates } = await services.imports.scan();
    expect(candidates.filter((c) => c.exists).map((c) => c.key)).toEqual(['ssh-config:web1']);
  });

  it('creates nothing by scanning', async () => {
    await services.imports.scan();
    expect(services.targets.list()).toEqual([]);
    expect(credentials.values.size).toBe(0);
  });

  it('finds nothing, without problems, in a home with neither file', async () => {
    rmSync(join(home, '.ssh'), { recursive: true });
    rmSync(join(home, '.docker'), { recursive: true });
    expect(await services.imports.scan()).toEqual({ candidates: [], problems: [] });
  });
});

describe('apply', () => {
  beforeEach(writeFixture);

  it('creates exactly the selected entries, with the chosen environment, and fails the others with their reason', async () => {
    const selections: ImportSelection[] = [
      { key: 'ssh-config:prod-api', environment: 'prod', copyIdentityFile: true },
      { key: 'ssh-config:staging-box', environment: 'staging', copyIdentityFile: true },
      { key: 'ssh-config:internal-db', environment: 'prod', copyIdentityFile: false },
      { key: 'ssh-config:web1.example.com', environment: 'dev', copyIdentityFile: false },
      // Chosen against the guess (prod): the choice wins.
      { key: 'docker-context:prod-docker', environment: 'staging', copyIdentityFile: false },
      { key: 'docker-context:desktop-linux', environment: 'dev', copyIdentityFile: false },
      { key: 'docker-context:remote-tcp', environment: 'dev', copyIdentityFile: false },
    ];
    const result = await services.imports.apply(selections);

    expect(result.created.map((c) => c.key).sort()).toEqual(
      [
        'docker-context:desktop-linux',
        'docker-context:prod-docker',
        'ssh-config:prod-api',
        'ssh-config:web1.example.com',
      ].sort(),
    );
    const failed = Object.fromEntries(result.failed.map((f) => [f.key, f.message]));
    expect(Object.keys(failed).sort()).toEqual([
      'docker-context:remote-tcp',
      'ssh-config:internal-db',
      'ssh-config:staging-box',
    ]);
    expect(failed['ssh-config:staging-box']).toContain(join(home, '.ssh', 'missing_key'));
    expect(failed['ssh-config:staging-box']).toMatch(/does not exist/);
    expect(failed['ssh-config:internal-db']).toMatch(/jump host \(bastion\.example\.com\)/);
    expect(failed['docker-context:remote-tcp']).toContain('tcp://10.0.0.5:2376');

    // Nothing else: not web1, not stg-ctx, nothing half-made for the failures.
    const targets = services.targets.list();
    expect(targets.map((t) => t.name).sort()).toEqual(['desktop-linux', 'prod-api', 'prod-docker', 'web1.example.com']);
    for (const created of result.created)
      expect(targets.find((t) => t.id === created.targetId)?.name).toBe(created.name);

    const byName = Object.fromEntries(targets.map((t) => [t.name, t]));
    expect(byName['prod-api']).toMatchObject({
      environment: 'prod',
      kind: 'docker-ssh',
      settings: { host: 'prod-api.example.com', port: 2222, username: 'ops', socketPath: '/var/run/docker.sock' },
      hostKey: null,
    });
    expect(byName['prod-docker']).toMatchObject({
      environment: 'staging',
      kind: 'docker-ssh',
      settings: { host: 'prod.example.com', port: 2222, username: 'admin', socketPath: '/var/run/docker.sock' },
    });
    expect(byName['desktop-linux']).toMatchObject({
      environment: 'dev',
      kind: 'docker-local',
      settings: { socketPath: '/var/run/docker.sock' },
    });
    expect(byName['web1.example.com']).toMatchObject({
      environment: 'dev',
      settings: { host: '203.0.113.10', username: 'deploy' },
    });

    // The one copied key is the only secret stored.
    expect([...credentials.values.keys()]).toEqual([`target/${byName['prod-api']!.id}/privateKey`]);
  });

  it('copies the identity file into the keychain as the private key when asked', async () => {
    const result = await services.imports.apply([
      { key: 'ssh-config:prod-api', environment: 'prod', copyIdentityFile: true },
    ]);
    expect(result.failed).toEqual([]);
    const id = result.created[0]!.targetId;

    const keyText = readFileSync(join(home, '.ssh', 'prod_key'), 'utf8');
    expect(keyText).toContain('BEGIN OPENSSH PRIVATE KEY');
    expect(credentials.values.get(`target/${id}/privateKey`)).toBe(keyText);

    const target = services.targets.get(id);
    expect(target.secrets.privateKey).toEqual({ ref: `target/${id}/privateKey`, present: true });
    expect(target.secrets.passphrase).toEqual({ ref: `target/${id}/passphrase`, present: false });
    // The value itself never appears in what the renderer is sent.
    expect(JSON.stringify(target)).not.toContain('OPENSSH PRIVATE KEY');
  });

  it('stores no key when not asked to copy it', async () => {
    const result = await services.imports.apply([
      { key: 'ssh-config:prod-api', environment: 'prod', copyIdentityFile: false },
    ]);
    const id = result.created[0]!.targetId;
    expect(credentials.values.size).toBe(0);
    expect(services.targets.get(id).secrets.privateKey?.present).toBe(false);
  });

  it('imports a host whose key file is missing when the key is not copied (ssh-agent will do)', async () => {
    const result = await services.imports.apply([
      { key: 'ssh-config:staging-box', environment: 'staging', copyIdentityFile: false },
    ]);
    expect(result.failed).toEqual([]);
    expect(services.targets.get(result.created[0]!.targetId)).toMatchObject({
      name: 'staging-box',
      environment: 'staging',
    });
  });

  it('refuses a name that is taken and keeps the existing target as it was', async () => {
    const existing = await services.targets.create({
      name: 'web1',
      environment: 'prod',
      kind: 'docker-local',
      settings: { socketPath: '' },
    });
    const result = await services.imports.apply([
      { key: 'ssh-config:web1', environment: 'dev', copyIdentityFile: false },
      { key: 'ssh-config:web1.example.com', environment: 'dev', copyIdentityFile: false },
    ]);
    expect(result.created.map((c) => c.key)).toEqual(['ssh-config:web1.example.com']);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]).toMatchObject({ key: 'ssh-config:web1' });
    expect(result.failed[0]!.message).toMatch(/already exists/);
    expect(services.targets.get(existing.id)).toMatchObject({ environment: 'prod', kind: 'docker-local' });
  });

  it('fails a key that is no longer in the files, and reads the files again at apply time', async () => {
    const { candidates } = await services.imports.scan();
    expect(byKey(candidates, 'ssh-config:prod-api').settings.port).toBe(2222);
    // The user edits their config between scan and apply.
    write(
      '.ssh/config',
      SSH_CONFIG.replace('Port 2222', 'Port 2022').replace('Host staging-box', 'Host staging-renamed'),
    );
    const result = await services.imports.apply([
      { key: 'ssh-config:staging-box', environment: 'staging', copyIdentityFile: false },
      { key: 'ssh-config:prod-api', environment: 'prod', copyIdentityFile: false },
    ]);
    expect(result.failed).toEqual([
      { key: 'ssh-config:staging-box', message: expect.stringMatching(/no longer in the file/) },
    ]);
    expect(services.targets.get(result.created[0]!.targetId).settings).toMatchObject({ port: 2022 });
  });

  it('imports nothing for an empty selection', async () => {
    expect(await services.imports.apply([])).toEqual({ created: [], failed: [] });
    expect(services.targets.list()).toEqual([]);
  });
});

describe('ssh config details', () => {
  it('reads keywords written in lower case, as ssh does', async () => {
    write(
      '.ssh/config',
      `host lower-prod
  hostname lower.example.com
  user alice
  port 2200
  identityfile ~/.ssh/lower_key

host lower-jump
  hostname hidden.internal
  proxyjump bastion.example.com
`,
    );
    write('.ssh/lower_key', 'not really a key\n');
    const { candidates } = await services.imports.scan();
    expect(byKey(candidates, 'ssh-config:lower-prod')).toMatchObject({
      settings: { host: 'lower.example.com', port: 2200, username: 'alice' },
      identityFile: join(home, '.ssh', 'lower_key'),
      unsupported: null,
    });
    // Missing this would import a host that must be reached through a jump host as a direct one.
    expect(byKey(candidates, 'ssh-config:lower-jump').unsupported).toMatch(/bastion\.example\.com/);
  });

  it('treats ProxyCommand like ProxyJump', async () => {
    write('.ssh/config', 'Host tunnelled\n  HostName t.example.com\n  ProxyCommand ssh -W %h:%p bastion\n');
    const { candidates } = await services.imports.scan();
    expect(byKey(candidates, 'ssh-config:tunnelled').unsupported).toMatch(/jump host/);
  });

  it('does not run Match exec commands while scanning', async () => {
    const marker = join(root, 'match-exec-ran');
    write(
      '.ssh/config',
      `Match exec "touch ${marker}"\n  User matched\n\nHost plain\n  HostName plain.example.com\n  User plainuser\n`,
    );
    const { candidates } = await services.imports.scan();
    expect(byKey(candidates, 'ssh-config:plain').settings).toMatchObject({
      host: 'plain.example.com',
      username: 'plainuser',
    });
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses to create a target from settings the target form would refuse', async () => {
    // ssh expands %h; Control Room does not, so the host is not a host name it can use.
    write(
      '.ssh/config',
      'Host tokens\n  HostName %h.corp.example.com\n\nHost fine\n  HostName fine.example.com\n  User ok\n',
    );
    const result = await services.imports.apply([
      { key: 'ssh-config:tokens', environment: 'dev', copyIdentityFile: false },
      { key: 'ssh-config:fine', environment: 'dev', copyIdentityFile: false },
    ]);
    expect(result.created.map((c) => c.key)).toEqual(['ssh-config:fine']);
    expect(result.failed).toEqual([{ key: 'ssh-config:tokens', message: expect.stringMatching(/host name/i) }]);
    expect(services.targets.list().map((t) => t.name)).toEqual(['fine']);
  });
});
