/**
 * The steps a runbook is made of, one schema per kind.
 *
 * Every kind is one small module in main (main/services/runbooks/steps/) behind the `StepKind`
 * interface, which declares whether a step changes anything and whether it is safe to repeat.
 * String fields may hold templates (`{{ inputs.tag }}`); they are filled in just before the step
 * runs, so numbers and booleans a template fills are accepted as strings too.
 */
import { z } from 'zod';

export const STEP_KINDS = ['probe', 'wait', 'docker', 'ssh', 'http', 'github', 'ops-api', 'log-scan', 'approval', 'summary'] as const;
export const StepKindName = z.enum(STEP_KINDS);
export type StepKindName = z.infer<typeof StepKindName>;

/** `30s`, `5m`, `2h`, or a template filling one. */
export const Duration = z.string().regex(/^(\d{1,6}(ms|s|m|h)|\{\{.+\}\})$/, 'Write a duration like 30s, 5m or 2h.');
// After filling, a template's value is text: "3" and "true" must read here too (the executor parses again).
const Num = z.union([z.number(), z.string().regex(/^\s*-?\d+(\.\d+)?\s*$|\{\{.+\}\}/, 'A number or a {{ template }}.')]);
const Flag = z.union([z.boolean(), z.string().regex(/^\s*(true|false)\s*$|\{\{.+\}\}/i, 'true, false or a {{ template }}.')]);
const Text = z.string().max(20_000);

export const ProbeStepParams = z.strictObject({
  /** A probe's name or id; or every probe of `scope`. */
  probe: Text.optional(),
  scope: Text.optional(),
  /** `ok` (default): the step fails unless every probe run is ok; `any`: records without judging. */
  require: z.enum(['ok', 'any']).default('ok'),
});

export const WaitStepParams = z.strictObject({
  until: z.enum(['container-healthy', 'container-running', 'probe-ok', 'http-status', 'log-line']),
  /** A container name, or a compose service on the target (container-*, log-line). */
  container: Text.optional(),
  service: Text.optional(),
  probe: Text.optional(),
  url: Text.optional(),
  status: Num.optional(),
  /** A regular expression a log line must match (log-line). */
  pattern: Text.optional(),
  timeout: Duration.default('2m'),
  interval: Duration.default('2s'),
});

export const DockerStepParams = z.strictObject({
  action: z.enum(['inspect', 'pull', 'recreate', 'restart', 'stop', 'start']),
  /** A compose service (label com.docker.compose.service) or a container name. */
  service: Text.optional(),
  container: Text.optional(),
  /** A full image reference for pull/recreate; or `tag` alone keeps the container's repository. */
  image: Text.optional(),
  tag: Text.optional(),
});

export const SshStepParams = z.strictObject({
  command: Text,
  /** Exit codes other than 0 fail the step unless this reads true. */
  allowFailure: Flag.default(false),
  timeout: Duration.default('5m'),
});

export const HTTP_PRESETS = ['vercel-deployments', 'digitalocean-droplets', 'supabase-health'] as const;
export const HttpStepParams = z.strictObject({
  /** Fills method, URL and auth for a known API; `url` may still override the base address. */
  preset: z.enum(HTTP_PRESETS).optional(),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
  url: Text.optional(),
  headers: z.record(z.string(), Text).default({}),
  body: Text.optional(),
  /** A runbook secret sent as a bearer token (or as the preset wants it). */
  secret: Text.optional(),
  /** Statuses that count as success; default 200–299. */
  expectStatus: z.array(Num).optional(),
  /** Preset arguments: a Vercel project, a DigitalOcean tag, a Supabase project URL. */
  project: Text.optional(),
});

export const GithubStepParams = z.strictObject({
  action: z.enum(['dispatch-workflow', 'actions-status', 'open-issue', 'open-pull-request']),
  /** owner/name */
  repo: Text,
  workflow: Text.optional(),
  ref: Text.optional(),
  workflowInputs: z.record(z.string(), Text).default({}),
  /** dispatch-workflow: wait for the run it started to finish (default true). */
  wait: Flag.default(true),
  timeout: Duration.default('30m'),
  title: Text.optional(),
  body: Text.optional(),
  /** The body from an artifact this run wrote (its name). */
  bodyArtifact: Text.optional(),
  labels: z.array(Text).default([]),
  branch: Text.optional(),
  base: Text.optional(),
  /** Files a pull request adds: content inline or from an artifact of this run. */
  files: z.array(z.strictObject({ path: Text, content: Text.optional(), artifact: Text.optional() })).default([]),
  /** The runbook secret holding the token; default `github-token`. */
  secret: Text.default('github-token'),
  /** The API's address; default https://api.github.com (a stand-in's in tests). */
  apiUrl: Text.optional(),
});

export const OpsApiStepParams = z.strictObject({
  action: z.enum(['context', 'compare-sha', 'compare-migrations', 'frontend-errors']),
  /** A section of the context to keep as the output (`deploy`, `migrations`…); all when left out. */
  section: Text.optional(),
  /** compare-sha: the SHA that should be deployed. */
  expect: Text.optional(),
  /** compare-*: another target to compare with (name or id). */
  other: Text.optional(),
  since: Text.optional(),
});

export const LogScanStepParams = z.strictObject({
  pattern: Text,
  /** `15m`, or a time (`{{ steps.action.startedAt }}`). */
  since: Text,
  until: Text.optional(),
  /** Containers or services; every cached source of the target when left out. */
  sources: z.array(Text).default([]),
  /** The step fails when more lines than this match. */
  max: Num.optional(),
});

export const ApprovalStepParams = z.strictObject({
  message: Text.optional(),
  /** Ask on every environment, not only those in the runbook's `approval.environments`. */
  always: Flag.default(false),
});

export const SummaryStepParams = z.strictObject({
  /** A template; the text becomes the run's summary and a `summary.md` artifact. */
  template: Text,
  artifact: Text.default('summary.md'),
});

export const STEP_PARAMS = {
  probe: ProbeStepParams,
  wait: WaitStepParams,
  docker: DockerStepParams,
  ssh: SshStepParams,
  http: HttpStepParams,
  github: GithubStepParams,
  'ops-api': OpsApiStepParams,
  'log-scan': LogScanStepParams,
  approval: ApprovalStepParams,
  summary: SummaryStepParams,
} as const satisfies Record<StepKindName, z.ZodType>;

export type StepParams<K extends StepKindName> = z.output<(typeof STEP_PARAMS)[K]>;

export const StepId = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'Name steps with lower-case letters, digits and dashes.');

const stepBase = {
  id: StepId,
  /** Shown in the viewer; defaults to the step's description. */
  name: z.string().max(120).optional(),
  /** A template: the step runs only when it reads true (non-empty, not `false`/`0`/`no`). */
  if: z.string().max(500).optional(),
  /** Another target than the run's (name or id, or a template like `{{ inputs.other }}`). */
  target: z.string().max(200).optional(),
  /** A failure is recorded as a warning and the run goes on. */
  continueOnError: z.boolean().default(false),
  /** Aborts the step after this long. */
  timeout: Duration.optional(),
};

function stepOf<K extends StepKindName>(kind: K) {
  return z.strictObject({ ...stepBase, kind: z.literal(kind), with: STEP_PARAMS[kind] });
}

export const RunbookStep = z.discriminatedUnion('kind', [
  stepOf('probe'),
  stepOf('wait'),
  stepOf('docker'),
  stepOf('ssh'),
  stepOf('http'),
  stepOf('github'),
  stepOf('ops-api'),
  stepOf('log-scan'),
  stepOf('approval'),
  stepOf('summary'),
]);
export type RunbookStep = z.infer<typeof RunbookStep>;
export type RunbookStepInput = z.input<typeof RunbookStep>;

/** `30s` → 30000; NaN when it does not read. */
export function durationMs(text: string): number {
  const match = /^(\d{1,6})(ms|s|m|h)$/.exec(text.trim());
  if (!match) return Number.NaN;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}
