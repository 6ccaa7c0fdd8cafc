/**
 * opsctl — Control Room's services from a terminal (seed 000 §5). JSON on stdout for `jq` by
 * default, `--plain` for people; errors on stderr as one sentence; exit codes a script can test.
 *
 *   opsctl targets
 *   opsctl summary        [--target NAME | --url URL] [--plain]
 *   opsctl logs SERVICE   [--tail N] [--since 5m] [--follow] [--plain]
 *   opsctl frontend-logs  [--since 5m] [--route /path] [--plain]
 *   opsctl bundle         > bundle.json.gz
 *   opsctl agent ...      (the ops agent: `opsctl agent`, `opsctl agent token create --scope read`)
 *
 * A target comes from the app's saved targets and keychain (`--target`), or from `--url` with
 * the token in OPSCTL_TOKEN (or `--token`, which other users can see in the process list).
 */
import { parseArgs } from 'node:util';
import { ApiError } from '../../shared/errors';
import type { OpsContext, OpsLogEntry } from '../../shared/model/ops';
import type { Target } from '../../shared/model/target';
import { createServices, type Services } from '../services';
import { KeytarBackend } from '../services/credentials/keytar-backend';
import { defaultDataDir } from '../services/data-dir';
import { OpsApiClient } from '../services/ops-api/ops-api-client';

export const EXIT = { ok: 0, failed: 1, usage: 2, auth: 3, notFound: 4 } as const;

export interface Io {
  out: (text: string) => void;
  outBytes: (bytes: Buffer) => void;
  err: (text: string) => void;
  stdoutIsTty: boolean;
  env: NodeJS.ProcessEnv;
}

const USAGE = `Usage: opsctl <command> [options]
  targets                       the saved targets
  summary                       context of an ops API target, overview of a Docker target
  logs <service>                recent logs (--tail N, --since 5m, --follow)
  frontend-logs                 recent browser errors (--since 5m, --route /path)
  bundle                        the support bundle, gzipped JSON, to stdout or --out FILE
  agent                         run the ops agent here; 'agent token create --scope read|admin'
Options: --target NAME, --url URL (token in OPSCTL_TOKEN), --plain, --help`;

class UsageError extends Error {}

export async function opsctl(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command ? EXIT.ok : EXIT.usage;
  }
  if (command === 'agent') return runAgentCommand(rest, io);

  let services: Services | undefined;
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
      },
    });
    const open = () => (services ??= createServices({ dataDir: defaultDataDir(io.env), credentials: new KeytarBackend() }));

    switch (command) {
      case 'targets': {
        const targets = open().targets.list();
        if (values.plain) {
          if (!targets.length) io.out('No targets yet — add one in Control Room.');
          for (const t of targets) io.out(`${t.name.padEnd(24)} ${t.environment.padEnd(8)} ${t.kind.padEnd(13)} ${describe(t)}`);
        } else {
          io.out(JSON.stringify(targets, null, 2));
        }
        return EXIT.ok;
      }
      case 'summary': {
        if (!values.url) {
          const target = pickTarget(open(), values.target);
          if (target.kind !== 'ops-api') {
            const overview = await open().overview.snapshot(target.id);
            io.out(values.plain ? plainOverview(overview) : JSON.stringify(overview, null, 2));
            return EXIT.ok;
          }
        }
        const context = await client(values, open, io).context();
        io.out(values.plain ? plainContext(context) : JSON.stringify(context, null, 2));
        return EXIT.ok;
      }
      case 'logs': {
        const service = positionals[0];
        if (!service) throw new UsageError('Name the service: opsctl logs <service>.');
        const tail = Number(values.tail);
        if (!Number.isInteger(tail) || tail < 0) throw new UsageError('--tail takes a whole number.');
        const api = client(values, open, io);
        if (values.plain && !values.follow) {
          io.out((await api.logsPlain({ service, tail, since: values.since })).replace(/\n$/, ''));
          return EXIT.ok;
        }
        const first = await api.logs({ service, tail, since: values.since });
        if (!values.follow) {
          io.out(JSON.stringify(first, null, 2));
          return EXIT.ok;
        }
        return follow(api, service, first.entries, Number(values.interval) * 1000, values.plain, io);
      }
      case 'frontend-logs': {
        const { errors } = await client(values, open, io).frontendLogs({ since: values.since ?? '1h', route: values.route });
        if (values.plain) {
          if (!errors.length) io.out('No frontend errors in that window.');
          for (const e of errors) io.out(`${e.receivedAt}  ${e.route}  ${e.count > 1 ? `(${e.count}×) ` : ''}${e.message}`);
        } else {
          io.out(JSON.stringify({ errors }, null, 2));
        }
        return EXIT.ok;
      }
      case 'bundle': {
        if (!values.out && io.stdoutIsTty) throw new UsageError('The bundle is binary: redirect it (opsctl bundle > bundle.json.gz) or use --out FILE.');
        const bytes = await client(values, open, io).supportBundle();
        if (values.out) {
          const { writeFile } = await import('node:fs/promises');
          await writeFile(values.out, bytes);
          io.err(`Wrote ${bytes.length} bytes to ${values.out}.`);
        } else {
          io.outBytes(bytes);
        }
        return EXIT.ok;
      }
      default:
        throw new UsageError(`Unknown command "${command}". Run opsctl --help.`);
    }
  } catch (error) {
    return report(error, io);
  } finally {
    services?.close();
  }
}

function client(values: { url?: string | undefined; token?: string | undefined; target?: string | undefined }, open: () => Services, io: Io): OpsApiClient {
  if (values.url) {
    const token = values.token ?? io.env.OPSCTL_TOKEN ?? null;
    try {
      new URL(values.url);
    } catch {
      throw new UsageError(`--url must be a full URL, like https://ops.example.com.`);
    }
    return new OpsApiClient({ baseUrl: values.url, token: async () => token });
  }
  const services = open();
  const target = pickTarget(services, values.target);
  if (target.kind !== 'ops-api') throw new UsageError(`${target.name} is a Docker target; this command needs an ops API target.`);
  return services.opsApi.clientFor(target);
}

function pickTarget(services: Services, wanted: string | undefined): Target {
  const targets = services.targets.list();
  if (!wanted) {
    if (targets.length === 1) return targets[0]!;
    throw new UsageError(
      targets.length
        ? `Pick a target with --target: ${targets.map((t) => t.name).join(', ')}.`
        : 'There are no saved targets: add one in Control Room, or pass --url.',
    );
  }
  const found = targets.find((t) => t.id === wanted || t.name.toLowerCase() === wanted.toLowerCase());
  if (!found) throw new ApiError('not-found', `No target named "${wanted}" — opsctl targets lists them.`);
  return found;
}

async function follow(api: OpsApiClient, service: string, first: OpsLogEntry[], intervalMs: number, plain: boolean, io: Io): Promise<number> {
  const print = (entry: OpsLogEntry) => io.out(plain ? `${entry.ts} ${entry.stream === 'stderr' ? '!' : ' '} ${entry.message}` : JSON.stringify(entry));
  first.forEach(print);
  // Polls with `since` = the last timestamp seen; entries at exactly that instant are compared
  // so none is printed twice.
  let last = first.at(-1)?.ts ?? new Date().toISOString();
  let seenAtLast = new Set(first.filter((e) => e.ts === last).map((e) => e.message));
  let stop = false;
  process.once('SIGINT', () => (stop = true));
  while (!stop) {
    await new Promise((r) => setTimeout(r, intervalMs));
    const { entries } = await api.logs({ service, since: last, tail: 5000 });
    for (const entry of entries) {
      if (entry.ts < last || (entry.ts === last && seenAtLast.has(entry.message))) continue;
      print(entry);
      if (entry.ts !== last) {
        last = entry.ts;
        seenAtLast = new Set();
      }
      seenAtLast.add(entry.message);
    }
  }
  return EXIT.ok;
}

async function runAgentCommand(argv: string[], io: Io): Promise<number> {
  try {
    const agent = await import('../../agent/main');
    return await agent.agentCommand(argv, { out: io.out, err: io.err, env: io.env });
  } catch (error) {
    return report(error, io);
  }
}

function report(error: unknown, io: Io): number {
  if (error instanceof UsageError) {
    io.err(`opsctl: ${error.message}`);
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

function describe(target: Target): string {
  const s = target.settings as Record<string, unknown>;
  if (target.kind === 'ops-api') return String(s.baseUrl);
  if (target.kind === 'docker-ssh') return `${s.username}@${s.host}:${s.port}`;
  return String(s.socketPath || 'DOCKER_HOST or /var/run/docker.sock');
}

function plainContext(context: OpsContext): string {
  const lines = [`Context at ${context.generatedAt}`];
  const show = <T>(name: string, section: { ok: true; data: T } | { ok: false; error: string }, render: (data: T) => string[]) =>
    lines.push(`\n${name}`, ...(section.ok ? render(section.data) : [`  unavailable: ${section.error}`]).map((l) => `  ${l.trimStart()}`));
  show('Host', context.host, (h) => [`${h.name}, up ${Math.round(h.uptimeSeconds / 3600)} h, load ${h.load.map((n) => n.toFixed(2)).join(' ')}`]);
  show('Deploy', context.deploy, (d) => [
    `git ${d.gitSha ?? '?'} on ${d.branch ?? '?'}, deployed ${d.deployedAt ?? '?'}`,
    ...Object.entries(d.imageTags).map(([k, v]) => `${k}: ${v}`),
  ]);
  show('Migrations', context.migrations, (m) => [`${m.command} → exit ${m.exitCode ?? '?'}`, ...m.output.split('\n').slice(0, 5)]);
  show('Containers', context.docker, (d) => d.containers.map((c) => `${c.name.padEnd(28)} ${c.state.padEnd(10)} ${c.health.padEnd(10)} restarts ${c.restarts}`));
  show('Frontend', context.frontend, (f) => [`build ${f.lastBuildHash ?? '?'}, ${f.errorsLastHour} errors in the last hour, ${f.errorsLastDay} today`]);
  show('Alerts', context.alerts, (alerts) => (alerts.length ? alerts.map((a) => `[${a.severity}] ${a.message}`) : ['none']));
  return lines.join('\n');
}

function plainOverview(overview: Awaited<ReturnType<Services['overview']['snapshot']>>): string {
  const lines = [`${overview.engine.hostname}: Docker ${overview.engine.version}, ${overview.engine.os}`];
  for (const project of overview.projects) {
    lines.push(`\n${project.project}`);
    for (const service of project.services) {
      for (const c of service.containers) lines.push(`  ${service.service.padEnd(16)} ${c.name.padEnd(28)} ${c.state.padEnd(10)} restarts ${c.restartCount}`);
    }
  }
  if (overview.ungrouped.length) lines.push('\n(no compose project)', ...overview.ungrouped.map((c) => `  ${c.name.padEnd(45)} ${c.state}`));
  return lines.join('\n');
}

/** The process entry (`npm run opsctl`, `dist/cli/opsctl.cjs`). */
export function main(): void {
  const io: Io = {
    out: (text) => process.stdout.write(`${text}\n`),
    outBytes: (bytes) => process.stdout.write(bytes),
    err: (text) => process.stderr.write(`${text}\n`),
    stdoutIsTty: Boolean(process.stdout.isTTY),
    env: process.env,
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
