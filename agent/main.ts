/**
 * The agent's entry: `npm run agent -- [serve|token ...]`, and dist/agent/agent.cjs once built.
 *
 * It also re-exports the command functions for tests. Importing it must not start a server, and
 * `require.main === module` cannot tell (in a bundle it is true for every inlined module), so the
 * entry is recognised by the script path instead. `opsctl agent` runs this entry as a child
 * process (main/ never imports agent/).
 */
import { runAgent } from './cli';

export { agentCommand, createToken, listTokens, revokeToken, runAgent, AGENT_EXIT, type AgentIo } from './cli';
export { buildAgent, type AgentServices, type BuildOptions } from './server';
export { parseAgentConfig, loadAgentConfig, type AgentConfig, type AgentConfigInput } from './config';

/** True when this file (or its bundle) is the script node was asked to run. */
export function isAgentEntry(script = process.argv[1] ?? ''): boolean {
  return /(^|[\\/])agent[\\/]main\.ts$|(^|[\\/])agent\.cjs$/.test(script);
}

if (isAgentEntry()) {
  runAgent(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`agent: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
