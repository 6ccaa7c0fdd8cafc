/**
 * The `wait` step kind: checks a condition every `interval` until it holds, or fails after
 * `timeout` saying what it last saw ("api was not healthy after 2m (last: starting).").
 *
 * - container-healthy: the container's healthcheck says healthy; one without a healthcheck
 *   counts as healthy while it runs; one the engine reports unhealthy fails at once.
 * - container-running: the container runs.
 * - probe-ok: a probe run now (as the probe step runs it) is ok.
 * - http-status: a GET of `url` answers `status` (default 200).
 * - log-line: a line of the container's log written since the step started matches `pattern`.
 *
 * A check that cannot be made (the container is being recreated, the host is briefly away) is not
 * a failure yet: it becomes `last`, and the next interval tries again. Timers come from the
 * step's clock, and the step's signal stops the wait at once.
 */
import type Docker from 'dockerode';
import type { z } from 'zod';
import { abortReason } from '../../../../node/abort';
import { delay } from '../../../../node/clock';
import { dockerReason } from '../../../../node/docker/docker-message';
import { parseDockerLogs } from '../../../../node/docker/docker-log-parser';
import { durationMs, type WaitStepParams } from '../../../../shared/model/runbook-steps';
import { StepFailure, type StepContext, type StepKind } from '../step-kind';
import { findContainer, selectorLabel } from './container-match';
import { inspectContainer } from './docker-engine';
import { healthOf } from './docker-step';
import { dockerOf } from './docker-target';
import { runAndAwait, selectProbes } from './probe-runs';

type Params = z.output<typeof WaitStepParams>;

/** One look at the condition: did it hold, and what was seen (`last`). */
/** `settled`: what was seen cannot turn into the condition by waiting (a container reported unhealthy). */
type Check = () => Promise<{ ok: boolean; last: string; settled?: boolean }>;

export const waitStep: StepKind<'wait'> = {
  kind: 'wait',
  changes: () => false,
  repeatable: () => true,
  describe(params, target) {
    const on = target ? ` on ${target.name}` : '';
    const subject = selectorLabel(params);
    switch (params.until) {
      case 'container-healthy':
        return `Wait up to ${params.timeout} for ${subject}${on} to be healthy`;
      case 'container-running':
        return `Wait up to ${params.timeout} for ${subject}${on} to run`;
      case 'probe-ok':
        return `Wait up to ${params.timeout} for probe ${params.probe ?? '?'} to be ok`;
      case 'http-status':
        return `Wait up to ${params.timeout} for ${params.url ?? '?'} to answer ${params.status ?? 200}`;
      case 'log-line':
        return `Wait up to ${params.timeout} for a line of ${subject}${on} matching /${params.pattern ?? ''}/`;
    }
  },
  async run(params, context) {
    const timeoutMs = durationMs(params.timeout);
    const intervalMs = durationMs(params.interval);
    if (!Number.isFinite(timeoutMs) || !Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new StepFailure(`Write timeout and interval as durations like 30s or 2m (got ${params.timeout} and ${params.interval}).`);
    }
    const { check, expected, failure } = await checkFor(params, context);
    const { clock, signal } = context;
    const startedAt = clock.now();
    let last = 'not checked yet';
    for (;;) {
      try {
        const seen = await check();
        last = seen.last;
        if (seen.ok) {
          const waitedMs = clock.now() - startedAt;
          return { message: `${capitalised(expected)} after ${seconds(waitedMs)}`, outputs: { waitedMs, last } };
        }
        if (seen.settled) {
          const waitedMs = clock.now() - startedAt;
          throw new StepFailure(`${failure}: ${last} after ${seconds(waitedMs)}, so waiting longer would not help.`, { waitedMs, last });
        }
      } catch (error) {
        if (signal.aborted) throw abortReason(signal);
        if (error instanceof StepFailure) throw error;
        last = error instanceof Error ? error.message : String(error);
      }
      if (clock.now() - startedAt >= timeoutMs) {
        throw new StepFailure(`${failure} after ${params.timeout} (last: ${last}).`, { waitedMs: clock.now() - startedAt, last });
      }
      context.log('info', `Not yet (${last}); checking again in ${params.interval}.`);
      await delay(clock, Math.min(intervalMs, Math.max(0, startedAt + timeoutMs - clock.now())), signal);
    }
  },
};

function capitalised(text: string): string {
  return text.replace(/^./, (c) => c.toUpperCase());
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}


async function checkFor(params: Params, context: StepContext): Promise<{ check: Check; expected: string; failure: string }> {
  const { signal } = context;
  const needsContainer = params.until === 'container-healthy' || params.until === 'container-running' || params.until === 'log-line';
  // Said now, not after the timeout: waiting cannot fix a step that names no container.
  if (needsContainer && !params.service?.trim() && !params.container?.trim()) {
    throw new StepFailure(`Name the container to wait for: set service (a compose service) or container (a name or id).`);
  }
  switch (params.until) {
    case 'container-healthy':
    case 'container-running': {
      const { target, docker } = await dockerOf(context, 'wait');
      const label = selectorLabel(params);
      const healthy = params.until === 'container-healthy';
      return {
        expected: `${label} is ${healthy ? 'healthy' : 'running'}`,
        failure: `${label} was not ${healthy ? 'healthy' : 'running'}`,
        check: async () => {
          const match = await findContainer(docker, params, target.name, signal).catch(asTransient);
          const info = await inspectContainer(docker, match.id, signal);
          const health = healthOf(info);
          if (!healthy) return { ok: info.State.Running, last: info.State.Status };
          // Without a healthcheck, running is as healthy as a container can say it is.
          if (health === 'none') return { ok: info.State.Running, last: info.State.Running ? 'running, no healthcheck' : info.State.Status };
          // Docker says unhealthy only after the healthcheck's retries all failed: fail now, as
          // `docker compose up --wait` does, instead of at the timeout.
          return {
            ok: info.State.Running && health === 'healthy',
            last: info.State.Running ? health : info.State.Status,
            settled: info.State.Running && health === 'unhealthy',
          };
        },
      };
    }
    case 'probe-ok': {
      const selected = selectProbes(context, { probe: params.probe });
      return {
        expected: `probe ${selected[0]!.probe.name} is ok`,
        failure: `Probe ${selected[0]!.probe.name} was not ok`,
        check: async () => {
          const [run] = await runAndAwait(context, selected);
          const error = run!.result.error ? `: ${run!.result.error}` : '';
          return { ok: run!.result.status === 'ok', last: `${run!.result.status}${run!.result.status === 'ok' ? '' : error}` };
        },
      };
    }
    case 'http-status': {
      const url = params.url?.trim();
      if (!url || !/^https?:\/\//.test(url)) throw new StepFailure('Set url to the http(s) address to wait for.');
      const status = Number(params.status ?? 200);
      if (!Number.isInteger(status)) throw new StepFailure(`status should be an HTTP status like 200 (got ${params.status}).`);
      return {
        expected: `${url} answered ${status}`,
        failure: `${url} did not answer ${status}`,
        check: async () => {
          const response = await fetch(url, { signal, redirect: 'manual' });
          await response.body?.cancel();
          return { ok: response.status === status, last: `HTTP ${response.status}` };
        },
      };
    }
    case 'log-line': {
      let pattern: RegExp;
      try {
        pattern = new RegExp(params.pattern ?? '');
      } catch (error) {
        throw new StepFailure(`pattern is not a regular expression: ${(error as Error).message}.`);
      }
      if (!params.pattern) throw new StepFailure('Set pattern to the regular expression a log line should match.');
      const { target, docker } = await dockerOf(context, 'wait');
      const label = selectorLabel(params);
      // Docker's `since` counts whole seconds; lines are then kept from the step's own start.
      const fromMs = Math.floor(context.clock.now() / 1000) * 1000;
      return {
        expected: `a line of ${label} matched /${params.pattern}/`,
        failure: `No line of ${label} matched /${params.pattern}/`,
        check: async () => {
          const match = await findContainer(docker, params, target.name, signal).catch(asTransient);
          const lines = await logsSince(docker, match.id, fromMs, signal);
          const hit = lines.find((line) => pattern.test(line));
          return { ok: hit !== undefined, last: hit ?? `${lines.length} new line${lines.length === 1 ? '' : 's'}, none matching` };
        },
      };
    }
  }
}

/** A container that is missing for a moment (mid-recreate) is something to wait out, not a failure. */
function asTransient(error: unknown): never {
  if (error instanceof StepFailure) throw new Error(error.message);
  throw error;
}

async function logsSince(docker: Docker, id: string, fromMs: number, signal: AbortSignal): Promise<string[]> {
  const container = docker.getContainer(id);
  const info = await inspectContainer(docker, id, signal);
  try {
    const body = (await container.logs({
      stdout: true,
      stderr: true,
      follow: false,
      timestamps: true,
      since: Math.floor(fromMs / 1000),
      abortSignal: signal,
    } as Docker.ContainerLogsOptions & { follow: false })) as unknown as Buffer;
    return parseDockerLogs(Buffer.from(body), info.Config.Tty)
      .filter((line) => line.tsMs === null || line.tsMs >= fromMs)
      .map((line) => line.message);
  } catch (error) {
    if (signal.aborted) throw abortReason(signal);
    throw new Error(`the logs could not be read: ${dockerReason(error)}`);
  }
}
