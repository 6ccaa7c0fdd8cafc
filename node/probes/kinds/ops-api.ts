/**
 * The `ops-api` kind: the health of one section of an ops-API target's context.
 *
 * The context (`/api/ops/context`) answers every section separately: one that could not be read
 * carries its own error while the others still answer. `HEALTH` is `failed` for such a section,
 * `degraded` when it was read but reports trouble (a container down or unhealthy, a migration
 * that exited non-zero, an active critical or warning alert, frontend errors in the last hour),
 * and `ok` otherwise. `BODY` is the section as JSON, for conditions like `[BODY].data.gitSha`;
 * it is also kept as `section.json`.
 */
import type { z } from 'zod';
import { OpsContext } from '../../../shared/model/ops';
import type { OpsApiProbeSettings } from '../../../shared/model/probe';
import type { KindOutcome, ProbeKindModule } from '../probe-kind';
import { messageOf, notConnected } from './not-connected';

type Settings = z.output<typeof OpsApiProbeSettings>;
type SectionName = Settings['section'];

export type SectionHealth = 'ok' | 'degraded' | 'failed';

export const opsApiKind: ProbeKindModule<Settings> = {
  kind: 'ops-api',
  async run(settings, ctx): Promise<KindOutcome> {
    const started = ctx.clock.now();
    let context: OpsContext;
    try {
      const parsed = OpsContext.safeParse(await ctx.opsContext(settings.targetId, ctx.signal));
      if (!parsed.success)
        throw new Error(
          "The target's ops API answered with a context this version does not understand — check that it implements /api/ops/context as agent/openapi.json describes.",
        );
      context = parsed.data;
    } catch (error) {
      return notConnected(error, ctx.signal, messageOf(error));
    }
    const elapsedMs = ctx.clock.now() - started;
    const section = sectionOf(context, settings.section);
    const health = healthOf(settings.section, section);
    const body = JSON.stringify(section);
    return {
      values: { CONNECTED: true, HEALTH: health, BODY: body, RESPONSE_TIME: elapsedMs },
      metadata: {
        section: settings.section,
        health,
        generatedAt: context.generatedAt,
        ...(section.ok ? {} : { sectionError: section.error }),
      },
      artifacts: [
        {
          name: 'section.json',
          contentType: 'application/json',
          data: Buffer.from(JSON.stringify(section, null, 2)),
          truncated: false,
        },
      ],
      // A section the target could not read is a failed check, whatever the conditions say.
      ...(section.ok ? {} : { error: `The target could not read its ${settings.section} section: ${section.error}` }),
    };
  },
};

type Section = { ok: true; data: unknown } | { ok: false; error: string };

function sectionOf(context: OpsContext, name: SectionName): Section {
  // The probe names it `containers`, as the UI does; the context calls it `docker`.
  return name === 'containers' ? context.docker : context[name];
}

function healthOf(name: SectionName, section: Section): SectionHealth {
  if (!section.ok) return 'failed';
  return troubled(name, section.data) ? 'degraded' : 'ok';
}

function troubled(name: SectionName, data: unknown): boolean {
  switch (name) {
    case 'containers': {
      const { containers } = data as { containers: { state: string; health: string }[] };
      return containers.some((c) => c.state !== 'running' || c.health === 'unhealthy');
    }
    case 'migrations': {
      const { exitCode } = data as { exitCode: number | null };
      return exitCode !== null && exitCode !== 0;
    }
    case 'alerts':
      return (data as { severity: string }[]).some((alert) => alert.severity !== 'info');
    case 'frontend':
      return (data as { errorsLastHour: number }).errorsLastHour > 0;
    default:
      return false;
  }
}
