/**
 * The agent's configuration: an optional JSON file plus environment variables, validated once at
 * start-up. Environment variables win over the file, so a container or systemd unit can adjust one
 * value without editing the file.
 *
 * Unknown keys in the file are errors, not ignored: a typo such as `"migration"` would otherwise
 * silently leave a section unconfigured on a production host.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseAgentProbes, ProbeConfigError, type AgentProbe } from './probes/probes-config';

export const DEFAULT_PORT = 7307;
export const DEFAULT_SOCKET = '/var/run/docker.sock';
export const DATABASE_NAME = 'agent.sqlite';

const positive = z.number().int().positive();
const names = z.array(z.string().min(1)).min(1);

export const AgentConfigSchema = z
  .object({
    /** Loopback unless told otherwise: the agent answers to tokens, but a port on the Internet still invites scans. */
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(DEFAULT_PORT),
    dataDir: z.string().min(1).default(() => defaultDataDir(process.env)),
    /** Behind a reverse proxy the beacon's rate limit must key on X-Forwarded-For, not the proxy. */
    trustProxy: z.union([z.boolean(), z.string().min(1)]).default(false),
    docker: z
      .object({
        /** A socket path, `unix:///path`, or `tcp://host:port` / `http://host:port`. */
        socket: z.string().min(1).default(DEFAULT_SOCKET),
        /** Only this compose project's containers count for deploy tags and logs, when set. */
        project: z.string().min(1).nullable().default(null),
        timeoutSeconds: positive.default(10),
      })
      .strict()
      .prefault({}),
    disk: z.object({ mounts: z.array(z.string().min(1)).min(1).default(['/']) }).strict().prefault({}),
    deploy: z
      .object({
        /** Environment variable names, first present wins. */
        env: z
          .object({
            gitSha: names.default(['GIT_SHA', 'GIT_COMMIT', 'SOURCE_COMMIT', 'COMMIT_SHA']),
            branch: names.default(['GIT_BRANCH', 'BRANCH']),
            deployedAt: names.default(['DEPLOYED_AT']),
          })
          .strict()
          .prefault({}),
        /** A JSON object or KEY=VALUE lines written by the deploy script. Missing when configured = the section fails. */
        file: z.string().min(1).nullable().default(null),
        /** Container labels read when env and file leave a value unknown. */
        labels: z
          .object({
            enabled: z.boolean().default(true),
            gitSha: names.default(['org.opencontainers.image.revision', 'org.label-schema.vcs-ref']),
            branch: names.default(['org.opencontainers.image.ref.name', 'com.control-room.branch']),
            deployedAt: names.default(['com.control-room.deployed-at', 'org.opencontainers.image.created']),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    migrations: z
      .object({
        /** Run with `sh -c`; its output is the section. Null: the section says it is not configured. */
        command: z.string().min(1).nullable().default(null),
        cwd: z.string().min(1).nullable().default(null),
        timeoutSeconds: positive.default(15),
        /** Migration status changes on deploys, not per request: one run serves every caller for this long. */
        cacheSeconds: z.number().int().min(0).default(60),
      })
      .strict()
      .prefault({}),
    beacon: z
      .object({
        /** A public key browsers send with `?key=` or X-Ops-Ingest-Key; when set, beacons without it get 401. */
        ingestKey: z.string().min(1).nullable().default(null),
        maxBytes: positive.max(1 << 20).default(64 * 1024),
        ratePerMinute: positive.default(120),
        perRoute: positive.max(100_000).default(500),
        /** Routes are chosen by browsers, so their number is capped too; the least recent route is dropped. */
        maxRoutes: positive.max(100_000).default(200),
      })
      .strict()
      .prefault({}),
    logs: z
      .object({ defaultTail: positive.default(200), maxTail: positive.max(100_000).default(5_000) })
      .strict()
      .prefault({}),
    events: z
      .object({
        heartbeatSeconds: positive.default(30),
        /** A client this far behind is dropped rather than buffered without bound. */
        maxBufferedBytes: positive.default(1 << 20),
      })
      .strict()
      .prefault({}),
    alerts: z
      .object({ frontendBurst: positive.default(20), frontendBurstWindowSeconds: positive.default(300) })
      .strict()
      .prefault({}),
    bundle: z
      .object({ logTail: positive.max(100_000).default(500), frontendSinceSeconds: positive.default(86_400) })
      .strict()
      .prefault({}),
    audit: z.object({ retentionDays: positive.default(90) }).strict().prefault({}),
    /** Probes the host runs itself (agent/probes/probes-config.ts checks each one). */
    probes: z.array(z.unknown()).default([]),
  })
  .strict();

export type AgentConfigInput = z.input<typeof AgentConfigSchema>;
export type AgentConfig = Omit<z.output<typeof AgentConfigSchema>, 'probes'> & { probes: AgentProbe[] };

/** A configuration problem: printed as one line, exit code 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  if (env.AGENT_DATA_DIR) return resolve(env.AGENT_DATA_DIR);
  if (process.getuid?.() === 0) return '/var/lib/control-room-agent';
  return join(env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state'), 'control-room-agent');
}

/** Validates an already-assembled configuration (what tests pass to buildAgent). */
export function parseAgentConfig(input: unknown): AgentConfig {
  const result = AgentConfigSchema.safeParse(input ?? {});
  if (result.success) {
    try {
      return { ...result.data, probes: parseAgentProbes(result.data.probes) };
    } catch (error) {
      if (error instanceof ProbeConfigError) throw new ConfigError(`Invalid agent configuration: ${error.message}`);
      throw error;
    }
  }
  const issue = result.error.issues[0]!;
  const where = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    throw new ConfigError(`Invalid agent configuration: unknown key${issue.keys.length > 1 ? 's' : ''} ${keys} ${where ? `in ${where}` : 'at the top level'} (see agent/README.md).`);
  }
  throw new ConfigError(`Invalid agent configuration: ${where || 'the configuration'}: ${issue.message}.`);
}

/**
 * The file named by `--config` or CONTROL_ROOM_AGENT_CONFIG, overlaid with the environment.
 */
export function loadAgentConfig(configFile: string | null, env: NodeJS.ProcessEnv): AgentConfig {
  const file = configFile ?? env.CONTROL_ROOM_AGENT_CONFIG ?? null;
  let fromFile: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`The agent configuration file ${file} could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      fromFile = parsed as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(`The agent configuration file ${file} is not a JSON object (${(error as Error).message}).`);
    }
  }
  return parseAgentConfig(overlayEnv(fromFile, env));
}

/** Environment variables and where they land in the configuration. */
const ENV_KEYS: { name: string; path: string[]; kind: 'string' | 'number' | 'list' | 'proxy' }[] = [
  { name: 'AGENT_HOST', path: ['host'], kind: 'string' },
  { name: 'AGENT_PORT', path: ['port'], kind: 'number' },
  { name: 'AGENT_DATA_DIR', path: ['dataDir'], kind: 'string' },
  { name: 'AGENT_TRUST_PROXY', path: ['trustProxy'], kind: 'proxy' },
  { name: 'DOCKER_HOST', path: ['docker', 'socket'], kind: 'string' },
  // The more specific name wins over DOCKER_HOST, which other tools on the host may set.
  { name: 'DOCKER_SOCKET', path: ['docker', 'socket'], kind: 'string' },
  { name: 'AGENT_COMPOSE_PROJECT', path: ['docker', 'project'], kind: 'string' },
  { name: 'AGENT_DISK_MOUNTS', path: ['disk', 'mounts'], kind: 'list' },
  { name: 'AGENT_DEPLOY_FILE', path: ['deploy', 'file'], kind: 'string' },
  { name: 'AGENT_MIGRATIONS_COMMAND', path: ['migrations', 'command'], kind: 'string' },
  { name: 'AGENT_MIGRATIONS_TIMEOUT', path: ['migrations', 'timeoutSeconds'], kind: 'number' },
  { name: 'AGENT_MIGRATIONS_CACHE', path: ['migrations', 'cacheSeconds'], kind: 'number' },
  { name: 'AGENT_INGEST_KEY', path: ['beacon', 'ingestKey'], kind: 'string' },
  { name: 'AGENT_BEACON_MAX_BYTES', path: ['beacon', 'maxBytes'], kind: 'number' },
  { name: 'AGENT_BEACON_RATE', path: ['beacon', 'ratePerMinute'], kind: 'number' },
  { name: 'AGENT_LOG_MAX_TAIL', path: ['logs', 'maxTail'], kind: 'number' },
];

function overlayEnv(base: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out = structuredClone(base);
  for (const { name, path, kind } of ENV_KEYS) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    let value: unknown = raw;
    if (kind === 'number') {
      value = Number(raw);
      if (!Number.isFinite(value)) throw new ConfigError(`Invalid agent configuration: ${name}=${raw} is not a number.`);
    } else if (kind === 'list') {
      value = raw.split(',').map((s) => s.trim()).filter(Boolean);
    } else if (kind === 'proxy') {
      value = raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
    }
    let node = out;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      node = next && typeof next === 'object' && !Array.isArray(next) ? (next as Record<string, unknown>) : (node[key] = {});
    }
    node[path.at(-1)!] = value;
  }
  return out;
}
