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
import { cutText } from '../../node/redact/redactor';

type Migrations = z.infer<typeof MigrationsSection>;
type Outcome = { ok: true; data: Migrations } | { ok: false; error: string };
/** As run and cached: a failure's last line whole, so each reader shortens it its own way. */
type RunOutcome = Outcome | { ok: false; error: string; lastLine: string };

/** Shortens a text to `max` characters: `cutText`, or a redactor's `textCut` for a support bundle. */
export type Shorten = (text: string, max: number) => string;

/** Migration listings are short; a command that prints more keeps only its last part. */
const MAX_OUTPUT = 64 * 1024;
/** The failing command's last line, in the section's error. */
const ERROR_LINE = 300;

export class MigrationsRunner {
  private cached: { at: number; outcome: RunOutcome } | undefined;
  private inflight: Promise<RunOutcome> | undefined;
  private readonly children = new Set<number>();

  constructor(
    private readonly config: AgentConfig['migrations'],
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /**
   * The section, from a run at most `cacheSeconds` old. `shorten` cuts the failing line in the
   * error: a support bundle passes its redactor's, so the line is redacted before it is cut.
   */
  async read(shorten: Shorten = cutText): Promise<Outcome> {
    if (!this.config.command) {
      return { ok: false, error: 'No migrations command is configured (set migrations.command or AGENT_MIGRATIONS_COMMAND).' };
    }
    let outcome: RunOutcome;
    if (this.cached && Date.now() - this.cached.at < this.config.cacheSeconds * 1000) {
      outcome = this.cached.outcome;
    } else {
      this.inflight ??= this.run(this.config.command).then((result) => {
        this.cached = { at: Date.now(), outcome: result };
        this.inflight = undefined;
        return result;
      });
      outcome = await this.inflight;
    }
    if (outcome.ok || !('lastLine' in outcome)) return outcome;
    return { ok: false, error: `${outcome.error}: ${shorten(outcome.lastLine, ERROR_LINE)}` };
  }

  /** Stops a command still running when the agent shuts down. */
  close(): void {
    for (const pid of this.children) killGroup(pid);
  }

  private run(command: string): Promise<RunOutcome> {
    const ranAt = new Date().toISOString();
    return new Promise<RunOutcome>((resolve) => {
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
        // Trimmed at a line start too: a plain slice here could be what is kept if no more comes.
        if (output.length > MAX_OUTPUT * 2) output = lastPart(output, MAX_OUTPUT);
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
        const text = lastPart(output, MAX_OUTPUT);
        if (timedOut) {
          resolve({ ok: false, error: `The migrations command did not finish within ${this.config.timeoutSeconds} s and was stopped.` });
        } else if (code !== 0) {
          const error = `The migrations command exited with code ${code ?? 'unknown'}`;
          const last = text.trim().split('\n').at(-1)?.trim() ?? '';
          resolve(last ? { ok: false, error, lastLine: last } : { ok: false, error: `${error}.` });
        } else {
          resolve({ ok: true, data: { command, exitCode: code, output: text, ranAt } });
        }
      });
    });
  }
}

/**
 * The last `max` characters of `text`, from the start of a line: a line cut at its front could
 * begin with the tail of a secret, which a bundle's redaction would no longer recognise.
 */
function lastPart(text: string, max: number): string {
  if (text.length <= max) return text;
  const tail = text.slice(-max);
  const newline = tail.indexOf('\n');
  return newline >= 0 ? tail.slice(newline + 1) : '';
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
