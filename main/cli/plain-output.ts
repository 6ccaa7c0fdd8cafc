/**
 * opsctl's `--plain` output: the contract's responses as lines for people. JSON (the default)
 * prints the responses themselves; these only choose what a terminal reader needs.
 */
import type { DockerOverview } from '../../shared/model/docker';
import type { LogEntry, LogSourceOption } from '../../shared/model/logs';
import type { OpsContext } from '../../shared/model/ops';
import { describeTarget, type Target } from '../../shared/model/target';

export function plainTargets(targets: Target[]): string[] {
  if (!targets.length) return ['No targets yet — add one in Control Room.'];
  return targets.map((t) => `${t.name.padEnd(24)} ${t.environment.padEnd(8)} ${t.kind.padEnd(13)} ${describeTarget(t)}`);
}

export function plainContext(context: OpsContext): string {
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

export function plainOverview(overview: DockerOverview): string {
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

export function plainSources(sources: LogSourceOption[]): string[] {
  if (!sources.length) return ['Nothing to follow on this target.'];
  return sources.map((s) => `${s.label.padEnd(32)} ${(s.service ?? '-').padEnd(16)} ${(s.project ?? '-').padEnd(16)} ${s.state ?? ''}`.trimEnd());
}

/** `time ! message` (`!` marks stderr); the container's name too when several are merged. */
export function plainLogLine(entry: LogEntry, withContainer: boolean): string {
  return `${entry.ts} ${entry.stream === 'stderr' ? '!' : ' '} ${withContainer ? `${entry.container}: ` : ''}${entry.message}`;
}
