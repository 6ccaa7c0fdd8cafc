/**
 * Integration probes: what a probe is, what a run of it produced, and how a probe stands now.
 *
 * A probe checks one external dependency (an AI API, GitHub, object storage, a website) with one
 * kind of check (`http`, `tls`, …) and judges the outcome with conditions in Gatus's syntax
 * (`[STATUS] == 200`, see shared/probe-conditions.ts). Its secrets live in the keychain; the
 * renderer sees each slot as `{ ref, present }`, as it does for targets. Settings may refer to a
 * secret as `{{secret.NAME}}` (in a URL, a header, a body); the value is put in at run time in
 * main and redacted from everything that is stored.
 */
import { z } from 'zod';
import { conditionError } from '../probe-conditions';
import { SecretInput, SecretStatus, TargetId } from './target';

export const PROBE_KINDS = ['http', 'tls', 'tcp', 'dns', 'docker', 'ssh', 'github', 's3', 'ops-api'] as const;
export const ProbeKind = z.enum(PROBE_KINDS);
export type ProbeKind = z.infer<typeof ProbeKind>;

/** What a finished run concluded; a check that could not be made at all (refused, timed out) is `fail`. */
export const RESULT_STATUSES = ['ok', 'warn', 'fail'] as const;
export const ResultStatus = z.enum(RESULT_STATUSES);
export type ResultStatus = z.infer<typeof ResultStatus>;

/**
 * How a probe stands now: its last result's status, or `stale` (no result within its SLA window),
 * `pending` (failing, retries not yet exhausted), `running`, `paused`, `never` (no result yet).
 */
export const PROBE_STATUSES = ['ok', 'warn', 'fail', 'stale', 'pending', 'running', 'paused', 'never'] as const;
export const ProbeStatus = z.enum(PROBE_STATUSES);
export type ProbeStatus = z.infer<typeof ProbeStatus>;

export const PROBE_TRIGGERS = ['auto_boot', 'scheduler', 'manual', 'cli', 'test'] as const;
export const ProbeTrigger = z.enum(PROBE_TRIGGERS);
export type ProbeTrigger = z.infer<typeof ProbeTrigger>;

export const ConditionSeverity = z.enum(['fail', 'warn']);
export type ConditionSeverity = z.infer<typeof ConditionSeverity>;

/** One condition as the user wrote it; parsed and checked by shared/probe-conditions.ts. */
export const ProbeCondition = z.strictObject({
  expression: z.string().trim().min(1, 'Write a condition, like [STATUS] == 200.').max(1000),
  severity: ConditionSeverity.default('fail'),
});
export type ProbeCondition = z.infer<typeof ProbeCondition>;

const Name = z
  .string()
  .trim()
  .min(1, 'Give it a name.')
  .max(80, 'Keep it under 80 characters.');
/** `gemini`, `github`, `spaces`, or any lower-case word. */
const ScopeName = z
  .string()
  .trim()
  .min(1, 'Name the integration, like github.')
  .max(40)
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'Use lower-case letters, digits, dots, dashes or underscores.');
const HostName = z
  .string()
  .trim()
  .min(1, 'Enter a host name or address.')
  .max(255)
  .regex(/^[A-Za-z0-9.:_[\]-]+$/, 'Enter a host name or IP address, without a scheme or a port.');
const Port = z.number().int('The port is a whole number.').min(1, 'Ports run 1–65535.').max(65535, 'Ports run 1–65535.');
const HttpUrl = z
  .string()
  .trim()
  .max(4096)
  .refine((value) => {
    try {
      const url = new URL(value.replace(/\{\{secret\.[A-Za-z0-9_]+\}\}/g, 'x'));
      return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'Enter an http(s) URL, like https://api.example.com/health.');

/** Response bodies and other artifacts are kept up to this many bytes per run by default. */
export const DEFAULT_ARTIFACT_CAP = 256 * 1024;

export const HttpSettings = z.strictObject({
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  url: HttpUrl,
  headers: z.record(z.string().min(1).max(256), z.string().max(8192)).default({}),
  body: z.string().max(1_048_576).optional(),
  /** Bytes of the response body kept as an artifact (and read for conditions). */
  bodyCap: z.number().int().min(0).max(64 * 1024 * 1024).default(DEFAULT_ARTIFACT_CAP),
  followRedirects: z.boolean().default(true),
  /**
   * Where the response holds an image to keep as an artifact (the Gemini image preset): a JSON
   * path to base64 data, e.g. `candidates[0].content.parts[0].inlineData.data`.
   */
  imageJsonPath: z.string().max(500).optional(),
});
export const TlsSettings = z.strictObject({ host: HostName, port: Port.default(443), serverName: z.string().max(255).optional() });
export const TcpSettings = z.strictObject({ host: HostName, port: Port });
export const DnsSettings = z.strictObject({
  /** `host` or `host:port`; empty: the system's resolver. */
  server: z.string().trim().max(300).default(''),
  name: z.string().trim().min(1, 'Enter the name to look up.').max(253),
  type: z.enum(['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SRV', 'CAA', 'PTR', 'SOA']).default('A'),
});
export const DockerProbeSettings = z.strictObject({
  targetId: TargetId,
  container: z.string().trim().min(1, 'Name the container.').max(256),
});
export const SshProbeSettings = z.strictObject({
  targetId: TargetId,
  command: z.string().trim().min(1, 'Enter the command to run on the host.').max(4096),
  /** Bytes of output kept (and read for conditions). */
  outputCap: z.number().int().min(0).max(16 * 1024 * 1024).default(DEFAULT_ARTIFACT_CAP),
});
export const GithubSettings = z.strictObject({
  /** https://api.github.com, or a GitHub Enterprise API root. */
  baseUrl: HttpUrl.default('https://api.github.com'),
  check: z.enum(['token', 'repository', 'workflow']),
  owner: z.string().trim().max(100).optional(),
  repo: z.string().trim().max(100).optional(),
  branch: z.string().trim().max(255).optional(),
  /** A workflow file name (`ci.yml`) or id; empty: the latest run of any workflow. */
  workflow: z.string().trim().max(255).optional(),
  /** Scopes (classic tokens) the token must have. */
  requiredScopes: z.array(z.string().max(100)).max(50).default([]),
});
export const S3Settings = z.strictObject({
  /** https://nyc3.digitaloceanspaces.com, https://s3.eu-west-1.amazonaws.com, http://127.0.0.1:9000 … */
  endpoint: HttpUrl,
  region: z.string().trim().min(1).max(64).default('us-east-1'),
  bucket: z.string().trim().min(1, 'Name the bucket.').max(255),
  /** Where the probe's small test object goes. */
  keyPrefix: z.string().trim().max(512).default('control-room-probe/'),
  /** Path-style URLs (MinIO, most local servers) rather than bucket subdomains. */
  forcePathStyle: z.boolean().default(false),
});
export const OpsApiProbeSettings = z.strictObject({
  targetId: TargetId,
  section: z.enum(['deploy', 'containers', 'host', 'migrations', 'frontend', 'alerts']),
});

/** The settings each kind takes, and the secret slots it may ask for. */
export const PROBE_SETTINGS = {
  http: HttpSettings,
  tls: TlsSettings,
  tcp: TcpSettings,
  dns: DnsSettings,
  docker: DockerProbeSettings,
  ssh: SshProbeSettings,
  github: GithubSettings,
  s3: S3Settings,
  'ops-api': OpsApiProbeSettings,
} as const satisfies Record<ProbeKind, z.ZodType>;

/** Secret slots a kind always uses; `http` takes any names its settings refer to. */
export const PROBE_SECRET_SLOTS: Record<ProbeKind, readonly string[]> = {
  http: [],
  tls: [],
  tcp: [],
  dns: [],
  docker: [],
  ssh: [],
  github: ['token'],
  s3: ['accessKeyId', 'secretAccessKey'],
  'ops-api': [],
};

export const SecretSlotName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'Name secrets with letters, digits and underscores.');

const probeBase = {
  name: Name,
  scope: ScopeName,
  provider: z.string().trim().max(40).regex(/^[a-z0-9_.-]*$/, 'Use lower-case letters, digits, dots, dashes or underscores.').nullable().default(null),
  /** `gemini.ai_studio.text`: a stable name for the check, for history and alerts. */
  check: z.string().trim().max(120).regex(/^[a-z0-9_.-]*$/, 'Use lower-case letters, digits, dots, dashes or underscores.').default(''),
  /** Refused when an expression does not read, with the column of the mistake in the field error. */
  conditions: z
    .array(ProbeCondition)
    .max(50)
    .superRefine((conditions, ctx) => {
      conditions.forEach((condition, index) => {
        const message = conditionError(condition.expression);
        if (message) ctx.addIssue({ code: 'custom', path: [index, 'expression'], message });
      });
    })
    .default([]),
  intervalSeconds: z.number().int().min(10, 'Run it at most every 10 seconds.').max(7 * 24 * 3600).default(300),
  timeoutSeconds: z.number().int().min(1).max(600).default(30),
  /** Extra attempts, with backoff, before a failure is recorded. */
  retries: z.number().int().min(0).max(10).default(1),
  /** Cheap checks run once at start-up so the panel has a baseline. */
  cheap: z.boolean().default(false),
  paused: z.boolean().default(false),
  /** No result within this long makes the probe `stale`; default: twice its interval. */
  slaSeconds: z.number().int().min(10).max(30 * 24 * 3600).nullable().default(null),
};

function kindVariant<K extends ProbeKind>(kind: K) {
  return { kind: z.literal(kind), settings: PROBE_SETTINGS[kind] as (typeof PROBE_SETTINGS)[K] };
}

/** What the renderer sends to create or edit a probe; secrets as in target drafts. */
export const ProbeDraft = z.discriminatedUnion('kind', [
  z.strictObject({ ...probeBase, ...kindVariant('http'), secrets: z.record(SecretSlotName, SecretInput.optional()).optional() }),
  z.strictObject({ ...probeBase, ...kindVariant('tls'), secrets: z.record(SecretSlotName, SecretInput.optional()).optional() }),
  z.strictObject({ ...probeBase, ...kindVariant('tcp'), secrets: z.record(SecretSlotName, SecretInput.optional()).optional() }),
  z.strictObject({ ...probeBase, ...kindVariant('dns'), secrets: z.record(SecretSlotName, SecretInput.optional()).optional() }),
  z.strictObject({ ...probeBase, ...kindVariant('docker'), secrets: z.record(SecretSlotName, SecretInput.optional()).optional() }),
  z.strictObject({ ...probeBase, ...kindVariant('ssh'), secrets: z.record(SecretSlotName, SecretInput.optional()).optional() }),
  z.strictObject({ ...probeBase, ...kindVariant('github'), secrets: z.record(SecretSlotName, SecretInput.optional()).optional() }),
  z.strictObject({ ...probeBase, ...kindVariant('s3'), secrets: z.record(SecretSlotName, SecretInput.optional()).optional() }),
  z.strictObject({ ...probeBase, ...kindVariant('ops-api'), secrets: z.record(SecretSlotName, SecretInput.optional()).optional() }),
]);
export type ProbeDraft = z.infer<typeof ProbeDraft>;
export type ProbeDraftInput = z.input<typeof ProbeDraft>;

export const ProbeId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'Not a probe id.');

const probeSaved = {
  id: ProbeId,
  secrets: z.record(z.string(), SecretStatus),
  createdAt: z.string(),
  updatedAt: z.string(),
};

/** A saved probe as the renderer sees it: secrets as `{ ref, present }` only. */
export const Probe = z.discriminatedUnion('kind', [
  z.strictObject({ ...probeBase, ...kindVariant('http'), ...probeSaved }),
  z.strictObject({ ...probeBase, ...kindVariant('tls'), ...probeSaved }),
  z.strictObject({ ...probeBase, ...kindVariant('tcp'), ...probeSaved }),
  z.strictObject({ ...probeBase, ...kindVariant('dns'), ...probeSaved }),
  z.strictObject({ ...probeBase, ...kindVariant('docker'), ...probeSaved }),
  z.strictObject({ ...probeBase, ...kindVariant('ssh'), ...probeSaved }),
  z.strictObject({ ...probeBase, ...kindVariant('github'), ...probeSaved }),
  z.strictObject({ ...probeBase, ...kindVariant('s3'), ...probeSaved }),
  z.strictObject({ ...probeBase, ...kindVariant('ops-api'), ...probeSaved }),
]);
export type Probe = z.infer<typeof Probe>;

/** A condition's verdict on one run, with the value it looked at (shortened, redacted). */
export const ConditionOutcome = z.object({
  expression: z.string(),
  severity: ConditionSeverity,
  passed: z.boolean(),
  /** What the left side resolved to, as text (`503`, `"DOWN"`, `412ms`); null when it could not. */
  observed: z.string().nullable(),
  /** Why it failed when that is not a plain comparison (a body that is not JSON, say). */
  reason: z.string().nullable().default(null),
});
export type ConditionOutcome = z.infer<typeof ConditionOutcome>;

export const ArtifactRef = z.object({
  id: z.string().max(64),
  name: z.string().max(200),
  contentType: z.string().max(200),
  bytes: z.number().int().min(0),
  /** True when the run produced more than the cap and only the start was kept. */
  truncated: z.boolean(),
});
export type ArtifactRef = z.infer<typeof ArtifactRef>;

/** Small facts about a run, shown in the drill-down (HTTP status, provider, model, region …). */
export const ProbeMetadata = z.record(z.string().max(100), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]));
export type ProbeMetadata = z.infer<typeof ProbeMetadata>;

export const ProbeResult = z.object({
  id: z.number().int(),
  probeId: ProbeId,
  status: ResultStatus,
  trigger: ProbeTrigger,
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number().min(0),
  /** One sentence when the check could not be made or a condition failed; null when ok. */
  error: z.string().nullable(),
  /** Attempts made (1 + retries used). */
  attempts: z.number().int().min(1),
  conditions: z.array(ConditionOutcome),
  metadata: ProbeMetadata,
  artifacts: z.array(ArtifactRef),
  /** Taken while the probe (or its scope) was in a maintenance window. */
  maintenance: z.boolean().default(false),
  /** The app stopped while this run was in flight; it proves nothing either way. */
  interrupted: z.boolean().default(false),
});
export type ProbeResult = z.infer<typeof ProbeResult>;

/** Where a probe runs: here, or on an ops-API target's host (its agent's configuration). */
export const ProbeOrigin = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local') }),
  z.object({ kind: z.literal('host'), targetId: z.string(), targetName: z.string(), host: z.string() }),
]);
export type ProbeOrigin = z.infer<typeof ProbeOrigin>;

/** One row of the Integrations table: a probe and how it stands. */
export const ProbeSummary = z.object({
  probe: Probe,
  status: ProbeStatus,
  running: z.boolean(),
  lastResult: ProbeResult.nullable(),
  lastSuccessAt: z.string().nullable(),
  lastFailureAt: z.string().nullable(),
  /** Fraction of ok (warn counts as up) results; null without results in the window. */
  uptime24h: z.number().min(0).max(1).nullable(),
  uptime30d: z.number().min(0).max(1).nullable(),
  /** The last few durations, oldest first, for the sparkline. */
  recentDurations: z.array(z.number()),
  /** The failing parent (probe name or `scope <name>`) holding this probe's alerts; null when none. */
  blockedBy: z.string().nullable().default(null),
  /** In a maintenance window now: its results are recorded as taken during maintenance, alerts muted. */
  maintenance: z.boolean().default(false),
  /** Where it runs: this app, or a host's agent (its results copied here, so history stays readable offline). */
  origin: ProbeOrigin.default({ kind: 'local' }),
  /** The probe of the other origin with the same `check` (local beside host), for side-by-side; null when none. */
  counterpart: z.string().nullable().default(null),
});
export type ProbeSummary = z.infer<typeof ProbeSummary>;

/** One bucket of a probe's history (a minute, an hour or a day). */
export const HistoryBucket = z.object({
  start: z.string(),
  ok: z.number().int(),
  warn: z.number().int(),
  fail: z.number().int(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
});
export type HistoryBucket = z.infer<typeof HistoryBucket>;

export const HistoryRange = z.enum(['1h', '24h', '7d', '30d', '365d']);
export type HistoryRange = z.infer<typeof HistoryRange>;

export const ProbeRetention = z.strictObject({
  rawDays: z.number().int().min(1).max(3650),
  aggregateDays: z.number().int().min(1).max(3650),
  maxMegabytes: z.number().int().min(10).max(1_000_000),
});
export type ProbeRetention = z.infer<typeof ProbeRetention>;
export const DEFAULT_PROBE_RETENTION: ProbeRetention = { rawDays: 30, aggregateDays: 365, maxMegabytes: 1024 };

/** A starting point offered by the empty Integrations screen (resources/probe-presets.json). */
export const ProbePreset = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  /** Secret slots the preset needs, with what to paste into each. */
  secrets: z.array(z.object({ slot: SecretSlotName, label: z.string(), help: z.string() })),
  /** Settings fields the user must fill in (a bucket, a repository), by name. */
  fill: z.array(z.object({ field: z.string(), label: z.string(), placeholder: z.string() })).default([]),
  draft: z.record(z.string(), z.unknown()),
});
export type ProbePreset = z.infer<typeof ProbePreset>;

/** What `probes:run` selects: everything, a scope, a provider within it, or one probe. */
export const ProbeSelection = z.strictObject({
  scope: z.string().max(40).optional(),
  provider: z.string().max(40).optional(),
  probeId: ProbeId.optional(),
});
export type ProbeSelection = z.infer<typeof ProbeSelection>;

/** A change of one probe's standing, streamed live (a run started or finished, a probe edited). */
export const ProbeUpdate = z.union([
  z.object({ type: z.literal('summary'), summary: ProbeSummary }),
  z.object({ type: z.literal('removed'), probeId: ProbeId }),
]);
export type ProbeUpdate = z.infer<typeof ProbeUpdate>;
