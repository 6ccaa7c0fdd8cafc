/**
 * The agent's command line, shared by `npm run agent` (agent/main.ts) and `opsctl agent`:
 *
 *   agent [serve] [--config FILE]                      run the agent
 *   agent token create --scope read|admin [--label X]  make a token (printed once)
 *   agent token list                                   tokens, without their values
 *   agent token revoke ID                              revoke a token at once
 *
 * Exit codes: 0 ok, 1 failed, 2 bad usage or configuration, 4 no such token.
 */
import { parseArgs } from 'node:util';
import { ConfigError, defaultDataDir, loadAgentConfig } from './config';
import { buildAgent } from './server';
import { openAgentStore } from './store';
import { insertToken, markRevoked, selectTokens, TokenScope, type TokenInfo } from './tokens';

export const AGENT_EXIT = { ok: 0, failed: 1, usage: 2, notFound: 4 } as const;

export interface AgentIo {
  /** One line (the caller adds the newline). */
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const USAGE = `Usage: agent [serve] [--config FILE]
       agent token create --scope read|admin [--label TEXT] [--plain]
       agent token list [--plain]
       agent token revoke ID
Configuration: --config FILE or CONTROL_ROOM_AGENT_CONFIG, and AGENT_* environment variables (see agent/README.md).`;

class UsageError extends Error {}

/** Makes a token in the agent's data directory and returns it: the only time its value is known. */
export function createToken(options: { dataDir?: string; scope: TokenScope; label?: string }): { token: string; id: string } {
  const scope = TokenScope.parse(options.scope);
  const db = openAgentStore(options.dataDir ?? defaultDataDir(process.env));
  try {
    return insertToken(db, scope, options.label ?? '');
  } finally {
    db.close();
  }
}

export function listTokens(options: { dataDir?: string } = {}): TokenInfo[] {
  const db = openAgentStore(options.dataDir ?? defaultDataDir(process.env));
  try {
    return selectTokens(db);
  } finally {
    db.close();
  }
}

/** True when a live token was revoked. */
export function revokeToken(options: { dataDir?: string; id: string }): boolean {
  const db = openAgentStore(options.dataDir ?? defaultDataDir(process.env));
  try {
    return markRevoked(db, options.id);
  } finally {
    db.close();
  }
}

/** `npm run agent -- ...`: the same as agentCommand with this process's streams. */
export function runAgent(argv: string[]): Promise<number> {
  return agentCommand(argv, {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    env: process.env,
  });
}

export async function agentCommand(argv: string[], io: AgentIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        scope: { type: 'string' },
        label: { type: 'string' },
        plain: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.out(USAGE);
      return AGENT_EXIT.ok;
    }
    const [command = 'serve', sub, ...rest] = positionals;
    if (command === 'serve' || command === 'start') {
      if (sub) throw new UsageError(`"${command}" takes no argument "${sub}".`);
      return await serve(values.config ?? null, io);
    }
    if (command !== 'token') throw new UsageError(`Unknown command "${command}".`);
    const dataDir = loadAgentConfig(values.config ?? null, io.env).dataDir;
    if (sub === 'create') {
      const scope = TokenScope.safeParse(values.scope);
      if (!scope.success) throw new UsageError('Give the token a scope: --scope read or --scope admin.');
      const label = values.label ?? '';
      const made = createToken({ dataDir, scope: scope.data, label });
      if (values.plain) io.out(made.token);
      else io.out(JSON.stringify({ id: made.id, scope: scope.data, label, token: made.token }, null, 2));
      io.err(`Token ${made.id} (${scope.data}) created; its value is shown only this once.`);
      return AGENT_EXIT.ok;
    }
    if (sub === 'list') {
      const tokens = listTokens({ dataDir });
      if (!values.plain) io.out(JSON.stringify(tokens, null, 2));
      else if (!tokens.length) io.out('No tokens yet: agent token create --scope read');
      else for (const t of tokens) io.out(`${t.id}  ${t.scope.padEnd(5)}  ${t.revokedAt ? 'revoked' : 'active '}  ${t.lastUsedAt ?? 'never used'}  ${t.label}`);
      return AGENT_EXIT.ok;
    }
    if (sub === 'revoke') {
      const id = rest[0];
      if (!id) throw new UsageError('Name the token to revoke: agent token revoke ID (see agent token list).');
      if (!revokeToken({ dataDir, id })) {
        io.err(`There is no active token ${id}.`);
        return AGENT_EXIT.notFound;
      }
      io.err(`Token ${id} revoked.`);
      return AGENT_EXIT.ok;
    }
    throw new UsageError(sub ? `Unknown token command "${sub}".` : 'Say what to do with tokens: create, list or revoke.');
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`agent: ${(error as Error).message} Run with --help for usage.`);
      return AGENT_EXIT.usage;
    }
    if (error instanceof ConfigError) {
      io.err(`agent: ${error.message}`);
      return AGENT_EXIT.usage;
    }
    io.err(`agent: ${error instanceof Error ? error.message : String(error)}`);
    return AGENT_EXIT.failed;
  }
}

async function serve(configFile: string | null, io: AgentIo): Promise<number> {
  const config = loadAgentConfig(configFile, io.env);
  const app = await buildAgent(config, { env: io.env, log: io.err });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    const err = error as NodeJS.ErrnoException;
    throw new Error(
      err.code === 'EADDRINUSE'
        ? `Port ${config.port} on ${config.host} is already in use; set AGENT_PORT or "port" in the configuration.`
        : `The agent could not listen on ${config.host}:${config.port} (${err.message}).`,
    );
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  io.out(`Control Room agent listening on http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port} (data ${config.dataDir}, docker ${config.docker.socket})`);
  if (!selectTokens(app.agent.db).some((t) => !t.revokedAt)) {
    io.err('No tokens yet: make one with `npm run agent -- token create --scope read` (or `opsctl agent token create --scope read`).');
  }
  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.err(`Stopping (${signal}).`);
      app.close().then(
        () => resolve(AGENT_EXIT.ok),
        () => resolve(AGENT_EXIT.failed),
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
