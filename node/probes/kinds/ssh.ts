/**
 * The `ssh` kind: a command on a docker-ssh target's host, judged by its exit code and output.
 *
 * The command runs over the target's existing pinned-key connection (no new handshake, no other
 * host key trusted). As in Gatus's ssh endpoints, `STATUS` is the exit code, so
 * `[STATUS] == 0` is the usual condition; `BODY` is the output (stdout and stderr interleaved,
 * capped at the probe's `outputCap`), kept as `output.txt`.
 */
import type { z } from 'zod';
import type { SshProbeSettings } from '../../../shared/model/probe';
import type { KindOutcome, ProbeKindModule } from '../probe-kind';
import { messageOf, notConnected } from './not-connected';

type Settings = z.output<typeof SshProbeSettings>;

export const sshKind: ProbeKindModule<Settings> = {
  kind: 'ssh',
  async run(settings, ctx): Promise<KindOutcome> {
    const started = ctx.clock.now();
    let result;
    try {
      result = await ctx.sshExec(settings.targetId, settings.command, settings.outputCap, ctx.signal);
    } catch (error) {
      return notConnected(error, ctx.signal, messageOf(error));
    }
    const elapsedMs = ctx.clock.now() - started;
    const data = Buffer.from(result.output, 'utf8');
    return {
      values: {
        CONNECTED: true,
        STATUS: result.exitCode,
        EXIT_CODE: result.exitCode,
        BODY: result.output,
        RESPONSE_TIME: elapsedMs,
      },
      metadata: { exitCode: result.exitCode, outputBytes: data.length, truncated: result.truncated },
      artifacts: [{ name: 'output.txt', contentType: 'text/plain; charset=utf-8', data, truncated: result.truncated }],
      // A command killed by a signal has no exit code: say so rather than let `[STATUS] == 0` fail mutely.
      ...(result.exitCode === null
        ? {
            error:
              'The command ended without an exit code (a signal stopped it) — run it by hand on the host to see why.',
          }
        : {}),
    };
  },
};
