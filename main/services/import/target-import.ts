/**
 * Offers targets from `~/.ssh/config` (Host, HostName, User, Port, IdentityFile) and from Docker
 * contexts (`~/.docker/contexts/meta/<hash>/meta.json`, ssh:// and unix:// endpoints). The user
 * picks which to import; an import re-reads the files so what is created is what is there now.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';
import { ApiError } from '../../../shared/errors';
import type { ImportCandidate, ImportResult, ImportScan, ImportSelection } from '../../../shared/model/import';
import { TargetDraft, type Environment } from '../../../shared/model/target';
import type { TargetsService } from '../targets/targets-service';

const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
const MAX_KEY_BYTES = 64 * 1024;

export class TargetImport {
  constructor(
    private readonly targets: TargetsService,
    private readonly home: string,
  ) {}

  async scan(): Promise<ImportScan> {
    const problems: string[] = [];
    const existing = new Set(this.targets.list().map((t) => t.name.toLowerCase()));
    const candidates = [...(await this.fromSshConfig(problems)), ...(await this.fromDockerContexts(problems))].map((c) => ({
      ...c,
      exists: existing.has(c.name.toLowerCase()),
    }));
    return { candidates, problems };
  }

  async apply(selections: ImportSelection[]): Promise<ImportResult> {
    const { candidates } = await this.scan();
    const byKey = new Map(candidates.map((c) => [c.key, c]));
    const result: ImportResult = { created: [], failed: [] };
    for (const selection of selections) {
      const candidate = byKey.get(selection.key);
      try {
        if (!candidate) throw new ApiError('not-found', 'This entry is no longer in the file — scan again.');
        if (candidate.unsupported) throw new ApiError('invalid-request', candidate.unsupported);
        const draft = await this.draftOf(candidate, selection);
        // Imported values skip the form, so they get the form's checks here (HostName %h…).
        const checked = TargetDraft.safeParse(draft);
        if (!checked.success) {
          const reasons = checked.error.issues.map((issue) => issue.message).join(' ');
          const message = `${candidate.name} cannot be imported as it is written: ${reasons} Add it by hand instead.`;
          throw new ApiError('invalid-request', message);
        }
        const target = await this.targets.create(checked.data);
        result.created.push({ key: selection.key, targetId: target.id, name: target.name });
      } catch (error) {
        result.failed.push({ key: selection.key, message: error instanceof Error ? error.message : String(error) });
      }
    }
    return result;
  }

  private async draftOf(candidate: ImportCandidate, selection: ImportSelection): Promise<TargetDraft> {
    const base = { name: candidate.name, environment: selection.environment };
    if (candidate.kind === 'docker-local') {
      return { ...base, kind: 'docker-local', settings: { socketPath: String(candidate.settings.socketPath ?? '') } };
    }
    const secrets: { privateKey?: string } = {};
    if (selection.copyIdentityFile && candidate.identityFile) {
      const info = await stat(candidate.identityFile).catch(() => undefined);
      if (!info?.isFile()) throw new ApiError('not-found', `The key file ${candidate.identityFile} does not exist — import without copying it and use ssh-agent, or fix the path.`);
      if (info.size > MAX_KEY_BYTES) throw new ApiError('invalid-request', `${candidate.identityFile} is too large to be a private key.`);
      secrets.privateKey = await readFile(candidate.identityFile, 'utf8');
    }
    return {
      ...base,
      kind: 'docker-ssh',
      settings: {
        host: String(candidate.settings.host),
        port: Number(candidate.settings.port),
        username: String(candidate.settings.username),
        socketPath: String(candidate.settings.socketPath ?? DEFAULT_DOCKER_SOCKET),
      },
      secrets,
    };
  }

  private async fromSshConfig(problems: string[]): Promise<Omit<ImportCandidate, 'exists'>[]> {
    const file = join(this.home, '.ssh', 'config');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return [];
    }
    let config: SSHConfig;
    try {
      config = SSHConfig.parse(text);
    } catch (error) {
      problems.push(`${file} could not be read: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
    const aliases = new Set<string>();
    for (const line of config) {
      if (line.type !== SSHConfig.DIRECTIVE || line.param.toLowerCase() !== 'host') continue;
      const values = Array.isArray(line.value) ? line.value.map((v) => (typeof v === 'string' ? v : v.val)) : String(line.value).split(/\s+/);
      // Patterns (*, ?, !negations) describe defaults, not a host one can connect to.
      for (const alias of values) if (alias && !/[*?!]/.test(alias)) aliases.add(alias);
    }
    return [...aliases].map((alias) => {
      // ssh keywords are case-insensitive (`hostname`, `user`…), and a scan must never run the
      // config's `Match exec` commands.
      const computed = config.compute(alias, { ignoreCase: true, matchExec: false }) as Record<
        string,
        string | string[] | undefined
      >;
      const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
      const identity = first(computed.identityfile);
      const proxy = first(computed.proxyjump) ?? first(computed.proxycommand);
      return {
        key: `ssh-config:${alias}`,
        source: 'ssh-config' as const,
        name: targetName(alias),
        kind: 'docker-ssh' as const,
        settings: {
          host: first(computed.hostname) ?? alias,
          port: Number(first(computed.port) ?? 22),
          username: first(computed.user) ?? userInfo().username,
          socketPath: DEFAULT_DOCKER_SOCKET,
        },
        identityFile: identity ? expandHome(identity, this.home) : null,
        suggestedEnvironment: guessEnvironment(alias),
        unsupported: proxy ? `${alias} goes through a jump host (${proxy}), which Control Room does not support yet.` : null,
      };
    });
  }

  private async fromDockerContexts(problems: string[]): Promise<Omit<ImportCandidate, 'exists'>[]> {
    const root = join(this.home, '.docker', 'contexts', 'meta');
    let folders: string[];
    try {
      folders = await readdir(root);
    } catch {
      return [];
    }
    const found: Omit<ImportCandidate, 'exists'>[] = [];
    for (const folder of folders) {
      const file = join(root, folder, 'meta.json');
      let meta: { Name?: string; Endpoints?: { docker?: { Host?: string } } };
      try {
        meta = JSON.parse(await readFile(file, 'utf8'));
      } catch {
        problems.push(`${file} is not valid JSON; that context was skipped.`);
        continue;
      }
      const name = meta.Name;
      const endpoint = meta.Endpoints?.docker?.Host;
      if (!name || !endpoint) continue;
      const common = {
        key: `docker-context:${name}`,
        source: 'docker-context' as const,
        name: targetName(name),
        identityFile: null,
        suggestedEnvironment: guessEnvironment(name),
      };
      if (endpoint.startsWith('unix://')) {
        found.push({ ...common, kind: 'docker-local', settings: { socketPath: endpoint.slice('unix://'.length) }, unsupported: null });
      } else if (endpoint.startsWith('ssh://')) {
        const url = new URL(endpoint);
        found.push({
          ...common,
          kind: 'docker-ssh',
          settings: {
            host: url.hostname.replace(/^\[|\]$/g, ''),
            port: Number(url.port || 22),
            username: decodeURIComponent(url.username) || userInfo().username,
            socketPath: DEFAULT_DOCKER_SOCKET,
          },
          unsupported: null,
        });
      } else {
        found.push({ ...common, kind: 'docker-local', settings: { socketPath: '' }, unsupported: `${endpoint} is not an ssh:// or unix:// endpoint, which are the ones Control Room supports.` });
      }
    }
    return found;
  }
}

function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

/** Host aliases may hold characters target names do not allow. */
function targetName(alias: string): string {
  const cleaned = alias.replace(/[^\p{L}\p{N} ._-]/gu, '-').replace(/^[^\p{L}\p{N}]+/u, '');
  return (cleaned || 'imported').slice(0, 64);
}

function guessEnvironment(name: string): Environment {
  if (/stag|stg|preprod|uat/i.test(name)) return 'staging';
  if (/prod|prd|live/i.test(name)) return 'prod';
  return 'dev';
}
