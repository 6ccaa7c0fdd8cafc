/**
 * The `ops-api` step kind: reads an ops-api target's context (`GET /api/ops/context`) or its
 * frontend errors, and compares the deployed SHA or the migrations with what they should be.
 * Read-only and safe to repeat; every run records the deployed SHA and image tags as facts, so an
 * approval given on them goes stale when a new deploy lands before the action phase.
 *
 * Only compare-sha fails on a difference: compare-migrations is informational (schema-sync shows
 * the difference as a diff artifact and a warning, and goes on).
 */
import type { z } from 'zod';
import type { FrontendErrors, OpsContext } from '../../../../shared/model/ops';
import type { StepParams } from '../../../../shared/model/runbook-steps';
import type { Target } from '../../../../shared/model/target';
import { StepFailure, type StepContext, type StepKind, type StepOutcome } from '../step-kind';
import { compareMigrations, migrationEntries, migrationsDiffText } from './migrations-diff';

type Params = StepParams<'ops-api'>;
type SectionName = Exclude<keyof OpsContext, 'generatedAt'>;

const SECTIONS: readonly SectionName[] = ['host', 'deploy', 'migrations', 'docker', 'frontend', 'alerts'];
const DEFAULT_FRONTEND_SINCE = '1h';

function opsTarget(context: StepContext): Target {
  const target = context.target;
  if (!target) throw new StepFailure('The ops-api step needs a target: run the runbook on an ops-api target.');
  if (target.kind !== 'ops-api') throw new StepFailure(`The ops-api step reads an ops API, and ${target.name} is a ${target.kind} target: give the step an ops-api target.`);
  return target;
}

/** Another target by id or name (any case), which must be an ops-api one too. */
function otherTarget(context: StepContext, reference: string | undefined): Target {
  const wanted = reference?.trim();
  if (!wanted) throw new StepFailure('compare-migrations needs `other`: the target to compare with, by name or id.');
  const targets = context.services.targets.list();
  const found = targets.find((t) => t.id === wanted) ?? targets.find((t) => t.name.toLowerCase() === wanted.toLowerCase());
  if (!found) throw new StepFailure(`There is no target named ${wanted} to compare with — check the name in Targets.`);
  if (found.kind !== 'ops-api') throw new StepFailure(`${found.name} is a ${found.kind} target, so it has no ops API to compare migrations with.`);
  return found;
}

async function readContext(context: StepContext, target: Target): Promise<OpsContext> {
  context.log('info', `Reading the ops context of ${target.name}.`);
  return context.services.opsApi.client(target.id).context({ signal: context.signal });
}

/** The deployed SHA and image tags, recorded as facts an approval is bound to. */
function deployFacts(context: StepContext, ops: OpsContext): { sha: string; imageTags: Record<string, string> } {
  if (!ops.deploy.ok) {
    context.log('warn', `The ops API could not read its deploy section: ${ops.deploy.error}`);
    context.fact('ops:sha', 'Deployed SHA', 'unknown');
    return { sha: '', imageTags: {} };
  }
  const sha = ops.deploy.data.gitSha ?? '';
  const imageTags = ops.deploy.data.imageTags;
  context.fact('ops:sha', 'Deployed SHA', sha || 'unknown');
  for (const [service, tag] of Object.entries(imageTags).sort(([a], [b]) => a.localeCompare(b))) context.fact(`ops:image:${service}`, `${service} image`, tag);
  return { sha, imageTags };
}

const short = (sha: string) => (/^[0-9a-f]{12,}$/i.test(sha) ? sha.slice(0, 7) : sha);

async function contextAction(params: Params, context: StepContext, target: Target): Promise<StepOutcome> {
  const ops = await readContext(context, target);
  const { sha, imageTags } = deployFacts(context, ops);
  const section = params.section?.trim();
  let value: unknown = ops;
  if (section) {
    if (!SECTIONS.includes(section as SectionName)) throw new StepFailure(`The ops context has no section ${section}: use one of ${SECTIONS.join(', ')}.`);
    const read = ops[section as SectionName];
    if (!read.ok) throw new StepFailure(`${target.name}'s ops API could not read its ${section} section: ${read.error.replace(/\.$/, '')}.`, { sha, imageTags });
    value = read.data;
  }
  const images = Object.keys(imageTags).length;
  return {
    message: `${target.name} runs ${sha ? short(sha) : 'an unknown SHA'} with ${images} image tag${images === 1 ? '' : 's'}${section ? ` (read its ${section} section)` : ''}.`,
    outputs: { context: value, sha, imageTags },
  };
}

/** True when one SHA is the other or a prefix of it of at least 7 characters (a short SHA). */
export function shaMatches(deployed: string, expected: string): boolean {
  const a = deployed.trim().toLowerCase();
  const b = expected.trim().toLowerCase();
  if (!a || !b) return false;
  if (a === b) return true;
  const [shorter, longer] = a.length < b.length ? [a, b] : [b, a];
  return shorter.length >= 7 && longer.startsWith(shorter);
}

async function compareSha(params: Params, context: StepContext, target: Target): Promise<StepOutcome> {
  const expected = params.expect?.trim();
  if (!expected) throw new StepFailure('compare-sha needs `expect`: the SHA that should be deployed.');
  const ops = await readContext(context, target);
  const { sha } = deployFacts(context, ops);
  const matches = shaMatches(sha, expected);
  const outputs = { sha, expected, matches };
  if (!sha) throw new StepFailure(`${target.name}'s ops API does not say which SHA is deployed, so it cannot be compared with ${short(expected)}.`, outputs);
  if (!matches) throw new StepFailure(`${target.name} runs ${short(sha)}, not ${short(expected)} as expected.`, outputs);
  return { message: `${target.name} runs ${short(sha)}, as expected.`, outputs };
}

async function compareMigrationsAction(params: Params, context: StepContext, target: Target): Promise<StepOutcome> {
  const other = otherTarget(context, params.other);
  const [here, there] = await Promise.all([readContext(context, target), readContext(context, other)]);
  deployFacts(context, here);
  const sides = [
    { target, ops: here },
    { target: other, ops: there },
  ].map(({ target: side, ops }) => {
    if (!ops.migrations.ok) throw new StepFailure(`${side.name}'s ops API could not read its migrations: ${ops.migrations.error.replace(/\.$/, '')}.`);
    return { name: side.name, entries: migrationEntries(ops.migrations.data.output), exitCode: ops.migrations.data.exitCode };
  });
  const [mine, theirs] = sides as [(typeof sides)[number], (typeof sides)[number]];
  const comparison = compareMigrations(mine.entries, theirs.entries);
  context.writeArtifact('migrations.diff', 'text/x-diff', migrationsDiffText(mine, theirs));
  if (comparison.same) {
    return { message: `${target.name} and ${other.name} list the same ${mine.entries.length} migration line${mine.entries.length === 1 ? '' : 's'}.`, outputs: { ...comparison } };
  }
  const message = `Migrations differ: ${comparison.onlyHere.length} only on ${target.name}, ${comparison.onlyOther.length} only on ${other.name} (see migrations.diff).`;
  context.log('warn', message, { onlyHere: comparison.onlyHere, onlyOther: comparison.onlyOther });
  return { message, outputs: { ...comparison } };
}

export interface FrontendErrorGroup {
  message: string;
  count: number;
}

/** Errors grouped by message, most frequent first; each error counts as many times as the browser batched it. */
export function groupFrontendErrors(errors: z.infer<typeof FrontendErrors>['errors']): { total: number; groups: FrontendErrorGroup[] } {
  const counts = new Map<string, number>();
  let total = 0;
  for (const error of errors) {
    const count = Math.max(1, error.count);
    total += count;
    counts.set(error.message, (counts.get(error.message) ?? 0) + count);
  }
  const groups = [...counts].map(([message, count]) => ({ message, count })).sort((a, b) => b.count - a.count || a.message.localeCompare(b.message));
  return { total, groups };
}

async function frontendErrors(params: Params, context: StepContext, target: Target): Promise<StepOutcome> {
  // Durations are the agent's to read against its own clock: the errors are stamped with it.
  const since = params.since?.trim() || DEFAULT_FRONTEND_SINCE;
  context.log('info', `Reading the frontend errors of ${target.name} since ${since}.`);
  const reply = await context.services.opsApi.client(target.id).frontendLogs({ since }, { signal: context.signal });
  const { total, groups } = groupFrontendErrors(reply.errors);
  context.writeArtifact('frontend-errors.json', 'application/json', `${JSON.stringify({ target: target.name, since, total, groups, errors: reply.errors }, null, 2)}\n`);
  const top = groups[0];
  const message =
    total === 0
      ? `No frontend errors on ${target.name} since ${since}.`
      : `${total} frontend error${total === 1 ? '' : 's'} on ${target.name} since ${since} in ${groups.length} group${groups.length === 1 ? '' : 's'}; most often: ${top!.message.slice(0, 120)} (${top!.count}).`;
  return { message, outputs: { total, groups } };
}

export const opsApiStep: StepKind<'ops-api'> = {
  kind: 'ops-api',
  changes: () => false,
  repeatable: () => true,
  describe(params, target) {
    const on = target ? ` of ${target.name}` : '';
    switch (params.action) {
      case 'context':
        return `Read the ops context${on}${params.section ? ` (${params.section})` : ''}`;
      case 'compare-sha':
        return `Check that the deployed SHA${on} is ${params.expect ?? '(expect)'}`;
      case 'compare-migrations':
        return `Compare the migrations${on} with ${params.other ?? '(other)'}`;
      case 'frontend-errors':
        return `Group the frontend errors${on} since ${params.since?.trim() || DEFAULT_FRONTEND_SINCE}`;
    }
  },
  async run(params, context) {
    // Checked before anything is read, for every action: a wrong target is the runbook's mistake.
    const target = opsTarget(context);
    switch (params.action) {
      case 'context':
        return contextAction(params, context, target);
      case 'compare-sha':
        return compareSha(params, context, target);
      case 'compare-migrations':
        return compareMigrationsAction(params, context, target);
      case 'frontend-errors':
        return frontendErrors(params, context, target);
    }
  },
};
