/**
 * opsctl — Control Room from a terminal. JSON on stdout for `jq` by default,
 * `--plain` for people; errors on stderr as one sentence; exit codes a script can test.
 *
 *   opsctl targets
 *   opsctl summary        [--target NAME | --url URL] [--plain]
 *   opsctl sources        what `logs` can read on a target
 *   opsctl logs NAME      [--tail N] [--since 5m] [--follow] [--plain]
 *   opsctl frontend-logs  [--since 5m] [--route /path] [--plain]
 *   opsctl bundle         --target T [--since 1h | --around TIME [--minutes 15] | --since-deploy] [--exclude S,…] > bundle.tar.gz
 *   opsctl bundle --agent > bundle.json.gz   (the agent's own bundle of an ops API target)
 *   opsctl bundle diff A B [--plain] | redact IN OUT
 *   opsctl probes list | run [--scope S] [--provider P] [--probe NAME] | history NAME [--limit N]
 *   opsctl alerts channels | test CHANNEL
 *   opsctl runbooks list
 *   opsctl run RUNBOOK    --target T --input k=v … [--dry-run] [--refuse-if-locked] [--approve NAME [--evidence HASH]]
 *   opsctl runs list [--runbook R] [--target T] [--status S] [--limit N] | show RUN [--events]
 *   opsctl runs cancel RUN | approve RUN --confirm NAME [--evidence HASH]
 *   opsctl agent ...      (the ops agent: `opsctl agent`, `opsctl agent token create --scope read`)
 *
 * Every command goes through `createApi`, the door both transports use (session.ts): the JSON
 * printed is the contract's response, and ApiError codes become the exit codes. A target comes
 * from the app's saved targets and keychain (`--target`), or from `--url` with the token in
 * OPSCTL_TOKEN (or `--token`, which other users can see in the process list).
 */
import { parseArgs } from 'node:util';
import { ApiError } from '../../shared/errors';
import { batchEntries, LogSourceKey, type LogFollowEvent } from '../../shared/model/logs';
import type { Target } from '../../shared/model/target';
import type { ControlRoomApi } from '../../shared/transport';
import { runAgentProcess } from './agent-process';
import { probesCommand } from './probes-commands';
import { alertsCommand } from './alerts-commands';
import { bundleCommand } from './bundle-commands';
import { runbooksCommand, runCommand, runsCommand } from './runbooks-commands';
import { plainContext, plainLogLine, plainOverview, plainSources, plainTargets } from './plain-output';
import { savedTargetsSession, urlSession, UsageError, type Session } from './session';

export const EXIT = { ok: 0, failed: 1, usage: 2, auth: 3, notFound: 4 } as const;

export interface Io {
  out: (text: string) => void;
  outBytes: (bytes: Buffer) => void;
  err: (text: string) => void;
  stdoutIsTty: boolean;
  /** `opsctl bundle` prints its progress to stderr only when a person watches it. */
  stderrIsTty?: boolean;
  env: NodeJS.ProcessEnv;
  /** Ends a `--follow`; without it, SIGINT or SIGTERM does. */
  stop?: AbortSignal;
  /** Asks a person at the terminal (stdin a TTY): `opsctl run`'s approval. Absent without one. */
  prompt?: (question: string, signal: AbortSignal) => Promise<string>;
}

const USAGE = `Usage: opsctl <command> [options]
  targets                       the saved targets
  summary                       context of an ops API target, overview of a Docker target
  sources                       what logs can read: containers (Docker) or services (ops API)
  logs <name>                   recent logs of a container, compose service or ops API service
                                (--tail N per source, --since 5m, --follow, --interval S for ops API polling)
  frontend-logs                 recent browser errors (--since 5m, --route /path)
  bundle                        a support bundle (.tar.gz) of the target, to stdout or --out FILE
                                (--since 1h | --around TIME [--minutes 15] | --since-deploy;
                                --exclude logs,audit,... leaves sections out)
  bundle --agent                the agent's own bundle of an ops API target, gzipped JSON
  bundle diff <a> <b>           what changed between two bundle files (JSON; --plain a summary)
  bundle redact <in> <out>      re-redact a bundle file with today's rules into a new file
  agent                         run the ops agent here; 'agent token create --scope read|admin'
  probes list                   every integration probe and how it stands
  probes run                    run probes now and wait for their results; exit 1 when one failed
                                (--scope S, --provider P, --probe NAME; none: all of them)
  probes history <name>         a probe's latest results (--limit N, default 50)
  alerts channels               the alert channels (desktop, webhook, Slack, Discord, email)
  alerts test <channel>         send a channel its test message; exit 1 when it was not delivered
  runbooks list                 built-in and YAML runbooks; a file that does not load with its errors
  run <runbook>                 run it here, printing its events; exit 0 when it succeeded, 1 otherwise
                                (--target T, --input name=value ..., --dry-run, --refuse-if-locked;
                                approval without a terminal: --approve <target name> [--evidence HASH])
  runs list                     run history (--runbook R, --target T, --status S, --limit N)
  runs show <run>               a run's steps, artifacts and summary (--events for its events)
  runs cancel <run>             cancel a run; one still running in another process says which
  runs approve <run>            approve a waiting run (--confirm <target name>, --evidence HASH), as cancel
Options: --target NAME, --url URL (token in OPSCTL_TOKEN), --plain, --help`;

/** As many sources as one `logs:follow` takes. */
const MAX_SOURCES = 12;

export async function opsctl(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command ? EXIT.ok : EXIT.usage;
  }
  if (command === 'agent') {
    try {
      return await runAgentProcess(rest, io.env);
    } catch (error) {
      return report(error, io);
    }
  }

  let session: Session | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        target: { type: 'string', short: 't' },
        url: { type: 'string' },
        token: { type: 'string' },
        plain: { type: 'boolean', default: false },
        follow: { type: 'boolean', short: 'f', default: false },
        tail: { type: 'string', default: '200' },
        since: { type: 'string' },
        route: { type: 'string' },
        out: { type: 'string', short: 'o' },
        interval: { type: 'string', default: '2' },
        scope: { type: 'string' },
        provider: { type: 'string' },
        probe: { type: 'string' },
        limit: { type: 'string' },
        input: { type: 'string', short: 'i', multiple: true },
        'dry-run': { type: 'boolean', default: false },
        'refuse-if-locked': { type: 'boolean', default: false },
        approve: { type: 'string' },
        confirm: { type: 'string' },
        evidence: { type: 'string' },
        events: { type: 'boolean', default: false },
        runbook: { type: 'string' },
        status: { type: 'string' },
        around: { type: 'string' },
        minutes: { type: 'string' },
        'since-deploy': { type: 'boolean', default: false },
        exclude: { type: 'string' },
        agent: { type: 'boolean', default: false },
      },
    });
    const interval = Number(values.interval);
    if (!(interval > 0 && interval <= 3600)) throw new UsageError('--interval takes seconds, like 2 or 0.5.');
    const options = { env: io.env, err: io.err, opsPollMs: interval * 1000 };
    const open = async (): Promise<Session> =>
      (session ??= values.url
        ? await urlSession(values.url, values.token ?? io.env.OPSCTL_TOKEN ?? null, options)
        : savedTargetsSession(options));
    const print = (value: unknown) => io.out(JSON.stringify(value, null, 2));

    switch (command) {
      case 'targets': {
        const targets = await (await open()).api.invoke('targets:list', {});
        if (values.plain) plainTargets(targets).forEach((line) => io.out(line));
        else print(targets);
        return EXIT.ok;
      }
      case 'summary': {
        const { api, target } = await pick(await open(), values.target);
        if (target.kind === 'ops-api') {
          const context = await api.invoke('opsapi:context', { targetId: target.id });
          io.out(values.plain ? plainContext(context) : JSON.stringify(context, null, 2));
        } else {
          const overview = await api.invoke('overview:get', { targetId: target.id });
          io.out(values.plain ? plainOverview(overview) : JSON.stringify(overview, null, 2));
        }
        return EXIT.ok;
      }
      case 'sources': {
        const { api, target } = await pick(await open(), values.target);
        const sources = await api.invoke('logs:sources', { targetId: target.id });
        if (values.plain) plainSources(sources).forEach((line) => io.out(line));
        else print(sources);
        return EXIT.ok;
      }
      case 'logs': {
        const name = positionals[0];
        if (!name) throw new UsageError('Name the container or service: opsctl logs <name>.');
        const tail = Number(values.tail);
        if (!Number.isInteger(tail) || tail < 0) throw new UsageError('--tail takes a whole number.');
        const { api, target } = await pick(await open(), values.target);
        const sources = await sourcesFor(api, target, name);
        const request = { targetId: target.id, sources, tail, ...(values.since ? { since: values.since } : {}) };
        if (values.follow) return await follow(api, request, values.plain, io);
        const { entries } = await api.invoke('logs:recent', request);
        if (values.plain) entries.forEach((entry) => io.out(plainLogLine(entry, sources.length > 1)));
        else print({ entries });
        return EXIT.ok;
      }
      case 'frontend-logs': {
        const { api, target } = await pick(await open(), values.target, 'ops-api');
        const { errors } = await api.invoke('opsapi:frontendErrors', {
          targetId: target.id,
          since: values.since ?? '1h',
          ...(values.route ? { route: values.route } : {}),
        });
        if (values.plain) {
          if (!errors.length) io.out('No frontend errors in that window.');
          for (const e of errors) io.out(`${e.receivedAt}  ${e.route}  ${e.count > 1 ? `(${e.count}×) ` : ''}${e.message}`);
        } else {
          print({ errors });
        }
        return EXIT.ok;
      }
      case 'bundle': {
        const opened = await open();
        const { signal, release } = stopSignal(io);
        try {
          const bundleIo = {
            out: io.out,
            outBytes: io.outBytes,
            err: io.err,
            stdoutIsTty: io.stdoutIsTty,
            stderrIsTty: io.stderrIsTty ?? false,
            stop: signal,
            target: () => opened.target(values.target),
          };
          return await bundleCommand(opened.api, positionals, values, bundleIo);
        } finally {
          release();
        }
      }
      case 'probes': {
        const { signal, release } = stopSignal(io);
        try {
          return await probesCommand((await open()).api, positionals, values, { out: io.out, err: io.err, stop: signal });
        } finally {
          release();
        }
      }
      case 'alerts':
        return await alertsCommand((await open()).api, positionals, values, { out: io.out, err: io.err });
      case 'runbooks':
      case 'run':
      case 'runs': {
        const opened = await open();
        const { signal, release } = stopSignal(io);
        try {
          const runbooksIo = { out: io.out, err: io.err, stop: signal, target: (wanted: string) => opened.target(wanted), prompt: io.prompt };
          const handler = command === 'run' ? runCommand : command === 'runs' ? runsCommand : runbooksCommand;
          return await handler(opened.api, positionals, values, runbooksIo);
        } finally {
          release();
        }
      }
      default:
        throw new UsageError(`Unknown command "${command}". Run opsctl --help.`);
    }
  } catch (error) {
    return report(error, io);
  } finally {
    session?.close();
  }
}

async function pick(session: Session, wanted: string | undefined, kind?: 'ops-api'): Promise<{ api: ControlRoomApi; target: Target }> {
  const target = await session.target(wanted);
  if (kind && target.kind !== kind) throw new UsageError(`${target.name} is a Docker target; this command needs an ops API target.`);
  return { api: session.api, target };
}

/**
 * The log sources `name` means on the target: the ops API's service of that name; on Docker the
 * container of that name, else every container of that compose service.
 */
async function sourcesFor(api: ControlRoomApi, target: Target, name: string): Promise<string[]> {
  if (target.kind === 'ops-api') {
    const key = `service:${name}`;
    if (!LogSourceKey.safeParse(key).success) throw new UsageError(`"${name}" is not a service name.`);
    return [key];
  }
  const sources = await api.invoke('logs:sources', { targetId: target.id });
  const container = sources.find((s) => s.key === `container:${name}`);
  if (container) return [container.key];
  const ofService = sources.filter((s) => s.service === name).map((s) => s.key);
  if (!ofService.length) {
    throw new ApiError('not-found', `${target.name} has no container or compose service called "${name}" — opsctl sources lists them.`);
  }
  if (ofService.length > MAX_SOURCES) {
    throw new UsageError(`${name} has ${ofService.length} containers; name one of them (opsctl sources lists them).`);
  }
  return ofService;
}

/**
 * Prints lines as the `logs:follow` stream delivers them, one JSON entry (or plain line) each,
 * and acknowledges each batch once printed (`logs:ack`), so a slow reader pauses the sources
 * instead of filling memory. Source trouble (reconnecting, a stopped container) goes to stderr;
 * the follow goes on until stopped.
 */
async function follow(
  api: ControlRoomApi,
  request: { targetId: string; sources: string[]; tail: number; since?: string },
  plain: boolean,
  io: Io,
): Promise<number> {
  // The same check as without --follow first, so a missing service or a refused token is an
  // error with its exit code, not a source state.
  await api.invoke('logs:recent', { ...request, tail: 0 });
  const withContainer = request.sources.length > 1;
  let followId: string | undefined;
  const troubled = new Set<string>();
  const onEvent = (event: LogFollowEvent) => {
    if (event.type === 'started') {
      followId = event.followId;
    } else if (event.type === 'lines') {
      for (const entry of batchEntries(event)) io.out(plain ? plainLogLine(entry, withContainer) : JSON.stringify(entry));
      if (followId) api.invoke('logs:ack', { followId, lines: event.lines.length }).catch(() => undefined);
    } else if (event.type === 'masked') {
      // The lines already show the marker; a terminal needs no running count.
    } else if (event.state === 'live') {
      if (troubled.delete(event.source)) io.err(`opsctl: ${event.source} is live again.`);
    } else {
      troubled.add(event.source);
      io.err(`opsctl: ${event.source} is ${event.state}${event.reason ? `: ${event.reason}` : ''}.`);
    }
  };
  const { signal, release } = stopSignal(io);
  try {
    const unsubscribe = await api.subscribe('logs:follow', request, onEvent);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    unsubscribe();
    return EXIT.ok;
  } finally {
    release();
  }
}

/** `io.stop`, or one that SIGINT/SIGTERM aborts; `release` removes the signal handlers. */
function stopSignal(io: Io): { signal: AbortSignal; release: () => void } {
  if (io.stop) return { signal: io.stop, release: () => undefined };
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  return {
    signal: controller.signal,
    release: () => {
      process.off('SIGINT', abort);
      process.off('SIGTERM', abort);
    },
  };
}

function report(error: unknown, io: Io): number {
  // parseArgs' own errors (an unknown option, a missing value) are usage mistakes too.
  const parseError = error instanceof TypeError && String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');
  if (error instanceof UsageError || parseError) {
    io.err(`opsctl: ${(error as Error).message}`);
    return EXIT.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`opsctl: ${message}`);
  if (error instanceof ApiError) {
    if (error.code === 'unauthorized') return EXIT.auth;
    if (error.code === 'not-found') return EXIT.notFound;
  }
  return EXIT.failed;
}

/** One line typed at the terminal; the question goes to stderr so stdout stays JSON. */
async function askAtTerminal(question: string, signal: AbortSignal): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question, { signal });
  } finally {
    rl.close();
  }
}

/** The process entry (`npm run opsctl`, `dist/cli/opsctl.cjs`). */
export function main(): void {
  const io: Io = {
    out: (text) => process.stdout.write(`${text}\n`),
    outBytes: (bytes) => process.stdout.write(bytes),
    err: (text) => process.stderr.write(`${text}\n`),
    stdoutIsTty: Boolean(process.stdout.isTTY),
    stderrIsTty: Boolean(process.stderr.isTTY),
    env: process.env,
    ...(process.stdin.isTTY ? { prompt: askAtTerminal } : {}),
  };
  opsctl(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      io.err(`opsctl: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = EXIT.failed;
    },
  );
}

if (require.main === module) main();
