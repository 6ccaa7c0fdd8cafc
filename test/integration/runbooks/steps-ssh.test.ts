/**
 * The ssh step through the app's own SSH connection to a real sshd (the pinned host key), the
 * command running on this machine as that host.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError } from '../../../node/abort';
import { StepFailure } from '../../../main/services/runbooks/step-kind';
import { sshStep } from '../../../main/services/runbooks/steps/ssh-step';
import { SshStepParams } from '../../../shared/model/runbook-steps';
import { startDockerFixture, type DockerFixture } from '../../support/docker-fixture';
import { waitFor } from '../../support/keyring';
import { stepContext, trustedSshTarget } from './steps-docker-harness';

const exec = promisify(execFile);
let fx: DockerFixture;
let targetId: string;
let dir: string;

function params(input: Record<string, unknown>) {
  return SshStepParams.parse(input);
}

async function processIds(pattern: string): Promise<number[]> {
  const { stdout } = await exec('pgrep', ['-f', pattern]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter(Boolean).map(Number);
}

beforeAll(async () => {
  fx = await startDockerFixture();
  targetId = await trustedSshTarget(fx);
  dir = mkdtempSync(join(tmpdir(), 'cr-ssh-step-'));
}, 90_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await fx?.dispose();
});

describe('ssh step', () => {
  it('streams output lines while the command runs, then reports its exit code and stdout', async () => {
    const step = stepContext(fx.services, targetId);
    const go = join(dir, 'go');
    let settled = false;
    const running = sshStep.run(params({ command: `echo started; echo warming >&2; while [ ! -e ${go} ]; do sleep 0.05; done; echo finished` }), step.context);
    void running.finally(() => (settled = true));
    await waitFor(() => step.lines.includes('started') && step.lines.includes('warming'), 10_000, 'no line arrived while the command ran');
    expect(settled).toBe(false);
    writeFileSync(go, '');
    const outcome = await running;
    expect(outcome.outputs).toEqual({ exitCode: 0, stdout: 'started\nfinished\n', lines: 3 });
    expect(step.lines.at(-1)).toBe('finished');
    expect(outcome.message).toBe('Exit code 0, 3 lines of output');
  });

  it('keeps a character whole when the output splits it, and keeps a last line without a newline', async () => {
    const step = stepContext(fx.services, targetId);
    const outcome = await sshStep.run(params({ command: "printf 'caf\\303'; sleep 0.2; printf '\\251\\nno newline'" }), step.context);
    expect(step.lines).toEqual(['café', 'no newline']);
    expect(outcome.outputs).toMatchObject({ exitCode: 0, lines: 2 });
  });

  it('fails on a non-zero exit with the code and the last line, unless allowFailure', async () => {
    const error = await sshStep.run(params({ command: 'echo checking; echo "boom: disk full" >&2; exit 3' }), stepContext(fx.services, targetId).context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailure);
    expect((error as Error).message).toBe('The command exited with 3 (last line: boom: disk full).');
    expect((error as StepFailure).outputs).toMatchObject({ exitCode: 3, stdout: 'checking\n', lines: 2 });

    const step = stepContext(fx.services, targetId);
    const allowed = await sshStep.run(params({ command: 'exit 3', allowFailure: true }), step.context);
    expect(allowed.outputs).toMatchObject({ exitCode: 3 });
    expect(step.logs.some((l) => l.level === 'warn' && /exited with 3/.test(l.message))).toBe(true);
  });

  it('on cancel ends at once and the command dies with its channel', async () => {
    const marker = `tick-${process.pid}-4417`;
    const step = stepContext(fx.services, targetId);
    const running = sshStep.run(params({ command: `while true; do echo ${marker}; sleep 0.1; done` }), step.context).catch((e: unknown) => e);
    try {
      await waitFor(() => step.lines.includes(marker), 10_000, 'the command never wrote');
      expect((await processIds(marker)).length).toBeGreaterThan(0);
      step.abort.abort(new AbortedError('The run was cancelled.'));
      const error = await running;
      expect(error).toBeInstanceOf(AbortedError);
      await waitFor(async () => (await processIds(marker)).length === 0, 10_000, 'the command kept running after the cancel');
      const after = await sshStep.run(params({ command: 'echo still here' }), stepContext(fx.services, targetId).context);
      expect(after.outputs).toMatchObject({ exitCode: 0, stdout: 'still here\n' });
    } finally {
      for (const pid of await processIds(marker)) process.kill(pid, 'SIGKILL');
    }
  });

  it('stops a command that outlives its timeout', async () => {
    const marker = 'sleep 5731';
    try {
      const error = await sshStep.run(params({ command: `${marker}`, timeout: '1s' }), stepContext(fx.services, targetId).context).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StepFailure);
      expect((error as Error).message).toBe('The command did not finish within 1s and was stopped.');
    } finally {
      // The test sshd takes root logins, for which OpenSSH refuses the kill signal (SshTunnel.exec).
      for (const pid of await processIds(marker)) process.kill(pid, 'SIGKILL');
    }
  });

  it('refuses a local Docker target, and declares itself changing and not repeatable', async () => {
    const local = await fx.services.targets.create({ name: 'laptop', environment: 'dev', kind: 'docker-local', settings: { socketPath: fx.podman.socketPath } });
    await expect(sshStep.run(params({ command: 'true' }), stepContext(fx.services, local.id).context)).rejects.toThrow(
      'laptop is a local Docker target; ssh steps need a Docker-over-SSH target, whose host runs the command.',
    );
    expect(sshStep.changes(params({ command: 'uptime' }))).toBe(true);
    expect(sshStep.repeatable(params({ command: 'uptime' }))).toBe(false);
    expect(sshStep.describe(params({ command: 'docker compose pull' }), fx.services.targets.get(targetId))).toBe('Run `docker compose pull` on staging-1 over SSH');
  });
});
