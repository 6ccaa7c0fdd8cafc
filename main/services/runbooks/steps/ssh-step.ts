/**
 * The `ssh` step kind: a command on a Docker-over-SSH target's host, over the connection the app
 * already keeps for it (the pinned host key, one handshake per host). Its output is streamed line
 * by line as `output` events while it runs; the step keeps the last 64 KiB of stdout.
 *
 * It may change anything, so it declares `changes`, and it is not repeatable: running a command
 * twice is not known to be safe. Cancel and the step's own `timeout` both end it: the server is
 * asked to kill it and the channel is closed (OpenSSH refuses that signal for root logins; a
 * command still writing then dies of the closed pipe).
 */
import { anySignal, abortReason, AbortedError } from '../../../../node/abort';
import { durationMs } from '../../../../shared/model/runbook-steps';
import { StepFailure, type StepKind } from '../step-kind';
import { messageOf, sshOf } from './docker-target';

/** Kept of stdout for `steps.<id>.stdout`. */
const STDOUT_TAIL = 64 * 1024;

export const sshStep: StepKind<'ssh'> = {
  kind: 'ssh',
  changes: () => true,
  repeatable: () => false,
  describe(params, target) {
    return `Run \`${oneLine(params.command)}\` on ${target ? target.name : 'the target'} over SSH`;
  },
  async run(params, context) {
    const { target, connection } = await sshOf(context);
    const timeoutMs = durationMs(params.timeout);
    if (!Number.isFinite(timeoutMs)) throw new StepFailure(`Write timeout as a duration like 30s or 5m (got ${params.timeout}).`);
    const allowFailure = params.allowFailure === true || /^(true|yes|1)$/i.test(String(params.allowFailure));

    const timeout = new AbortController();
    const timer = context.clock.setTimeout(() => timeout.abort(new AbortedError('timeout')), timeoutMs);
    const signal = anySignal(context.signal, timeout.signal)!;

    let stdout = '';
    let lines = 0;
    let lastLine = '';
    const partial = { stdout: '', stderr: '' };
    const emit = (line: string) => {
      lines++;
      lastLine = line || lastLine;
      context.output(line);
    };
    const onOutput = (text: string, stream: 'stdout' | 'stderr') => {
      if (stream === 'stdout') {
        stdout += text;
        if (stdout.length > 2 * STDOUT_TAIL) stdout = stdout.slice(-STDOUT_TAIL);
      }
      const parts = (partial[stream] + text).split('\n');
      partial[stream] = parts.pop()!;
      for (const line of parts) emit(line.replace(/\r$/, ''));
    };

    context.log('info', `Running on ${target.name}: ${oneLine(params.command)}`);
    let outcome;
    try {
      // Output is streamed and tailed here; exec itself keeps none of it.
      outcome = await connection.exec(params.command, { signal, outputCap: 0, onOutput });
    } catch (error) {
      if (context.signal.aborted) throw abortReason(context.signal);
      if (timeout.signal.aborted) {
        throw new StepFailure(`The command did not finish within ${params.timeout} and was stopped.`, { exitCode: null, stdout: stdout.slice(-STDOUT_TAIL), lines });
      }
      throw new StepFailure(messageOf(error));
    } finally {
      context.clock.clearTimeout(timer);
    }
    for (const stream of ['stdout', 'stderr'] as const) if (partial[stream]) emit(partial[stream]);

    const outputs = { exitCode: outcome.exitCode, stdout: stdout.slice(-STDOUT_TAIL), lines };
    if (outcome.exitCode !== 0) {
      const how = outcome.exitCode === null ? `was ended by signal ${outcome.exitSignal ?? 'unknown'}` : `exited with ${outcome.exitCode}`;
      const said = lastLine ? ` (last line: ${lastLine.slice(0, 200)})` : '';
      if (!allowFailure) throw new StepFailure(`The command ${how}${said}.`, outputs);
      context.log('warn', `The command ${how}${said}; allowed by allowFailure.`);
    }
    return { message: `Exit code ${outcome.exitCode ?? outcome.exitSignal}, ${lines} line${lines === 1 ? '' : 's'} of output`, outputs };
  },
};

function oneLine(command: string): string {
  const first = command.trim().split('\n')[0] ?? '';
  return first.length > 120 || command.trim().includes('\n') ? `${first.slice(0, 120)}…` : first;
}
