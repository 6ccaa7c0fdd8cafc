/**
 * `opsctl agent …`: the ops agent run as a child process, so main/ never imports agent/.
 *
 * Built, the agent is dist/agent/agent.cjs beside dist/cli/opsctl.cjs; in a source checkout it
 * is agent/main.ts run through tsx. The child shares this terminal (stdio inherited), its exit
 * code becomes opsctl's, and SIGINT, SIGTERM and SIGHUP sent to opsctl are passed on.
 *
 * The child gets its own process group (`detached`): a Ctrl+C in the terminal then reaches the
 * agent once, through opsctl, instead of twice (the terminal signals the whole foreground group),
 * and the agent's second SIGINT would skip its orderly stop.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface AgentCommandLine {
  command: string;
  args: string[];
}

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * How to start the agent from the folder opsctl runs from (`dist/cli` built, `main/cli` from
 * source); null when neither the bundle nor the source is there.
 */
export function agentCommandLine(cliDir: string = __dirname, resolveTsx: () => string = () => require.resolve('tsx')): AgentCommandLine | null {
  const bundle = join(cliDir, '..', 'agent', 'agent.cjs');
  if (existsSync(bundle)) return { command: process.execPath, args: [bundle] };
  const source = join(cliDir, '..', '..', 'agent', 'main.ts');
  if (!existsSync(source)) return null;
  let tsx: string;
  try {
    tsx = resolveTsx();
  } catch {
    return null;
  }
  return { command: process.execPath, args: ['--import', pathToFileURL(tsx).href, source] };
}

/** Runs the agent with `argv` until it exits; resolves with its exit code (128 + n after signal n). */
export function runAgentProcess(argv: string[], env: NodeJS.ProcessEnv, line = agentCommandLine()): Promise<number> {
  if (!line) {
    return Promise.reject(new Error('The ops agent is not in this installation: build it with `npm run build` (dist/agent/agent.cjs).'));
  }
  return new Promise((resolve, reject) => {
    const child = spawn(line.command, [...line.args, ...argv], { stdio: 'inherit', env, detached: process.platform !== 'win32' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const signal of FORWARDED) process.on(signal, forward);
    // opsctl ending for another reason (an uncaught error) must not leave the agent behind.
    const orphaned = () => child.kill('SIGTERM');
    process.once('exit', orphaned);
    const done = () => {
      for (const signal of FORWARDED) process.off(signal, forward);
      process.off('exit', orphaned);
    };
    child.once('error', (error) => {
      done();
      reject(new Error(`The ops agent could not start: ${error.message}.`));
    });
    child.once('exit', (code, signal) => {
      done();
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}
