/**
 * The migrations section: the output of a command the operator configures (`npm run
 * migrate:status`, `alembic current`, `rails db:migrate:status` ...), run with a timeout and
 * cached, so a dashboard polling `/context` does not start a process per request.
 *
 * A non-zero exit or a timeout is the section's error: "the migrations could not be checked" is
 * exactly what an operator needs to see in that place.
 */
import { spawn } from 'node:child_process';
import type { z } from 'zod';
import type { MigrationsSection } from '../../shared/model/ops';
import type { AgentConfig } from '../config';

type Migrations = z.infer<typeof MigrationsSection>;
type Outcome = { ok: true; data: Migrations } | { ok: false; error: string };

/** Migration listings are short; a command that prints more keeps only its last part. */
const MAX_OUTPUT = 64 * 1024;

export class MigrationsRunner {
  private cached: { at: number; outcome: Outcome } | undefined;
  private inflight: Promise<Outcome> | undefined;
  private readonly children = new Set<number>();

  constructor(
    private readonly config: AgentConfig['migrations'],
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async read(): Promise<Outcome> {
    if (!this.config.command) {
      return { ok: false, error: 'No migrations command is configured (set migrations.command or AGENT_MIGRATIONS_COMMAND).' };
    }
    if (this.cached && Date.now() - this.cached.at < this.config.cacheSeconds * 1000) return this.cached.outcome;
    this.inflight ??= this.run(this.config.command).then((outcome) => {
      this.cached = { at: Date.now(), outcome };
      this.inflight = undefined;
      return outcome;
    });
    return this.inflight;
  }

  /** Stops a command still running when the agent shuts down. */
  close(): void {
    for (const pid of this.children) killGroup(pid);
  }

  private run(command: string): Promise<Outcome> {
    const ranAt = new Date().toISOString();
    return new Promise<Outcome>((resolve) => {
      // Its own process group, so a timeout stops the command's children too (npm → node → ...).
      const child = spawn('sh', ['-c', command], {
        cwd: this.config.cwd ?? undefined,
        env: this.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let output = '';
      let timedOut = false;
      const collect = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.length > MAX_OUTPUT * 2) output = output.slice(-MAX_OUTPUT);
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      if (child.pid) this.children.add(child.pid);
      const timer = setTimeout(() => {
        timedOut = true;
        if (child.pid) killGroup(child.pid);
      }, this.config.timeoutSeconds * 1000);
      child.once('error', (error) => {
        clearTimeout(timer);
        resolve({ ok: false, error: `The migrations command could not be started (${error.message}).` });
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        if (child.pid) this.children.delete(child.pid);
        const text = output.length > MAX_OUTPUT ? output.slice(-MAX_OUTPUT) : output;
        if (timedOut) {
          resolve({ ok: false, error: `The migrations command did not finish within ${this.config.timeoutSeconds} s and was stopped.` });
        } else if (code !== 0) {
          const last = lastLine(text);
          resolve({ ok: false, error: `The migrations command exited with code ${code ?? 'unknown'}${last ? `: ${last}` : '.'}` });
        } else {
          resolve({ ok: true, data: { command, exitCode: code, output: text, ranAt } });
        }
      });
    });
  }
}

function lastLine(text: string): string {
  const line = text.trim().split('\n').at(-1)?.trim() ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
