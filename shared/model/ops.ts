/**
 * The ops API: what `/api/ops/*` answers, whether the agent in `agent/` serves it or
 * a product implements it itself. The console parses every reply with these schemas, so a
 * malformed reply becomes one clear error instead of a broken screen.
 */
import { z } from 'zod';
import { ProbeCondition, ProbeKind, ProbeResult, ProbeStatus } from './probe';

/** A context section that could not be read reports its own error; the others still answer. */
const section = <T extends z.ZodType>(data: T) =>
  z.union([z.object({ ok: z.literal(true), data }), z.object({ ok: z.literal(false), error: z.string() })]);

export const HostSection = z.object({
  name: z.string(),
  uptimeSeconds: z.number(),
  load: z.array(z.number()).max(3),
  disk: z.array(z.object({ mount: z.string(), totalBytes: z.number(), freeBytes: z.number() })),
});

export const DeploySection = z.object({
  gitSha: z.string().nullable(),
  branch: z.string().nullable(),
  deployedAt: z.string().nullable(),
  imageTags: z.record(z.string(), z.string()),
  /** Where each value came from: env, file or labels. */
  sources: z.array(z.string()),
});

export const MigrationsSection = z.object({
  command: z.string(),
  exitCode: z.number().nullable(),
  output: z.string(),
  ranAt: z.string(),
});

export const OpsContainer = z.object({
  id: z.string(),
  name: z.string(),
  service: z.string().nullable(),
  project: z.string().nullable(),
  image: z.string(),
  state: z.string(),
  health: z.string(),
  restarts: z.number(),
});

export const FrontendSection = z.object({
  lastBuildHash: z.string().nullable(),
  errorsLastHour: z.number(),
  errorsLastDay: z.number(),
  lastErrorAt: z.string().nullable(),
});

export const OpsAlert = z.object({
  id: z.string(),
  severity: z.enum(['critical', 'warning', 'info']),
  message: z.string(),
  since: z.string(),
  source: z.string(),
});
export type OpsAlert = z.infer<typeof OpsAlert>;

export const OpsContext = z.object({
  generatedAt: z.string(),
  host: section(HostSection),
  deploy: section(DeploySection),
  migrations: section(MigrationsSection),
  docker: section(z.object({ containers: z.array(OpsContainer) })),
  frontend: section(FrontendSection),
  alerts: section(z.array(OpsAlert)),
});
export type OpsContext = z.infer<typeof OpsContext>;

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export const LogLevel = z.enum(LOG_LEVELS);
export type LogLevel = z.infer<typeof LogLevel>;

export const OpsLogEntry = z.object({
  ts: z.string(),
  service: z.string(),
  stream: z.enum(['stdout', 'stderr']),
  level: LogLevel.nullable(),
  message: z.string(),
});
export type OpsLogEntry = z.infer<typeof OpsLogEntry>;

export const OpsLogs = z.object({ service: z.string(), entries: z.array(OpsLogEntry) });

/** What the browser reporter sends. */
export const FrontendBeacon = z.object({
  build_hash: z.string().max(200).nullable().optional(),
  route: z.string().max(2048),
  message: z.string().max(8192),
  stack: z.string().max(32_768).nullable().optional(),
  browser: z.string().max(512).nullable().optional(),
  ws_state: z.string().max(64).nullable().optional(),
  /** Which hook caught it: console.error, onerror or unhandledrejection. */
  kind: z.string().max(64).optional(),
  /** How many identical errors the reporter folded into this one. */
  count: z.number().int().min(1).max(1_000_000).optional(),
});
export type FrontendBeacon = z.infer<typeof FrontendBeacon>;

export const FrontendError = z.object({
  id: z.number(),
  receivedAt: z.string(),
  buildHash: z.string().nullable(),
  route: z.string(),
  message: z.string(),
  stack: z.string().nullable(),
  browser: z.string().nullable(),
  wsState: z.string().nullable(),
  kind: z.string().nullable(),
  count: z.number(),
});
export type FrontendError = z.infer<typeof FrontendError>;

export const FrontendErrors = z.object({ errors: z.array(FrontendError) });

/** One message on `GET /api/ops/events` (WebSocket). */
export const OpsEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('container'),
    at: z.string(),
    action: z.string(),
    container: z.string(),
    service: z.string().nullable(),
  }),
  z.object({ type: z.literal('frontend-error'), at: z.string(), error: FrontendError }),
  z.object({ type: z.literal('alert'), at: z.string(), alert: OpsAlert }),
  /** A host probe's status changed (a run started or finished with another verdict). */
  z.object({
    type: z.literal('probe'),
    at: z.string(),
    probeId: z.string(),
    status: ProbeStatus,
    previous: ProbeStatus.nullable(),
    lastResult: ProbeResult.nullable(),
  }),
]);
export type OpsEvent = z.infer<typeof OpsEvent>;

/**
 * One probe the host runs, as `GET /api/ops/probes` lists it. Its definition carries no secret
 * values: `secrets` names each secret it needs and whether the host has a value for it now.
 */
export const HostProbe = z.object({
  probe: z.object({
    id: z.string(),
    name: z.string(),
    scope: z.string(),
    provider: z.string().nullable(),
    check: z.string(),
    kind: ProbeKind,
    settings: z.record(z.string(), z.unknown()),
    conditions: z.array(ProbeCondition),
    intervalSeconds: z.number(),
    timeoutSeconds: z.number(),
    retries: z.number(),
    cheap: z.boolean(),
    paused: z.boolean(),
    slaSeconds: z.number().nullable(),
    secrets: z.record(z.string(), z.object({ present: z.boolean() })),
  }),
  status: ProbeStatus,
  running: z.boolean(),
  lastResult: ProbeResult.nullable(),
  lastSuccessAt: z.string().nullable(),
  lastFailureAt: z.string().nullable(),
  uptime24h: z.number().nullable(),
  uptime30d: z.number().nullable(),
  recentDurations: z.array(z.number()),
});
export type HostProbe = z.infer<typeof HostProbe>;
export const HostProbes = z.object({ probes: z.array(HostProbe) });
export const HostProbeResults = z.object({ results: z.array(ProbeResult) });
export const HostProbeRun = z.object({ started: z.number().int() });

/** Every error reply: one sentence. */
export const OpsErrorReply = z.object({ error: z.string(), statusCode: z.number() });
