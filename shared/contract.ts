/**
 * The one contract between the renderer and main.
 *
 * Every request channel (`domain:verb`, request → response) and every event stream is declared
 * here with a zod schema. Main validates every incoming payload against it and parses every
 * response through it (so a field the contract does not name — a secret, say — cannot leak);
 * the renderer is typed from it. Both transports (Electron IPC and the browser-mode WebSocket)
 * carry exactly these messages.
 */
import { z } from 'zod';
import { Target, TargetDraft, TargetId } from './model/target';
import { ConnectionState, TargetConnectionState } from './model/connection';
import { AuditEntry, AuditSubjectKind } from './model/audit';
import { ContainerAction, DockerOverview } from './model/docker';
import { ImportResult, ImportScan, ImportSelection } from './model/import';
import { FrontendErrors, OpsContext, OpsEvent } from './model/ops';
import {
  HistoryBucket,
  HistoryRange,
  Probe,
  ProbeDraft,
  ProbeId,
  ProbePreset,
  ProbeResult,
  ProbeRetention,
  ProbeSelection,
  ProbeSummary,
  ProbeUpdate,
} from './model/probe';
import { ImportApplyResult, ImportChoice, ProbeImportPlan } from './model/probe-import';
import {
  AlertDecision,
  AlertDependency,
  AlertDependencyId,
  AlertHistoryQuery,
  AlertRule,
  AlertRuleSettings,
  AlertRules,
  AlertSubject,
  MaintenanceDraft,
  MaintenanceId,
  MaintenanceWindow,
} from './model/alerts';
import { LogCacheLimits, LogCacheSummary, LogEntry, LogFollowEvent, LogSourceKey, LogSourceOption } from './model/logs';
import { parseLogFollowEvent } from './model/log-follow-parse';
import {
  COPY_MAX_CHARS,
  ExternalUrl,
  FileFilter,
  OpenFileResult,
  PlatformHandleId,
  ReadChunkRequest,
  ReadChunkResult,
  SaveBeginResult,
  SaveChunk,
  SaveEndResult,
  SuggestedName,
} from './model/platform';
import {
  CommandResult,
  Remediation,
  RunbookFileError,
  RunbookId,
  RunbookSecretName,
  RunbookSecretStatus,
  RunbookSummary,
  RunDetail,
  RunEvent,
  RunId,
  RunPlan,
  RunQuery,
  RunStart,
  RunSummary,
  RunUpdate,
} from './model/runbook';
import { ProbeId as RemediationProbeId } from './model/probe';
import {
  BundleDiff,
  BundleEstimate,
  BundleFile,
  BundleId,
  BundlePreview,
  BundleRequest,
  BundleView,
  ExportId,
  ExportProgress,
  RedactionRule,
  RedactionRuleDraft,
  RedactionRuleId,
} from './model/bundle';
import { Channel as AlertChannel, ChannelDraft, ChannelId, DeliveryOutcome, DesktopNotice } from './model/channels';

/** `5m`, `2h`, `1d` or an ISO time, as the ops API's `since` takes it. */
const Since = z.string().regex(/^(\d{1,5}[smhd]|\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)$/, 'Use 5m, 2h, 1d or an ISO time.');

const Empty = z.strictObject({});
const SettingKey = z.string().regex(/^[a-z][a-z0-9.:_-]{0,127}$/, 'Not a setting name.');

export const channels = {
  /** What this process is: version, transport mode and where it keeps its data. */
  'app:info': {
    request: Empty,
    response: z.object({
      version: z.string(),
      /** `cli`: opsctl, which drives the same API from a terminal. */
      mode: z.enum(['electron', 'browser', 'cli']),
      dataDir: z.string(),
      platform: z.string(),
    }),
  },
  /** Whether the OS keychain can be used right now, and if not, what to do. */
  'credentials:status': {
    request: Empty,
    response: z.object({ available: z.boolean(), message: z.string().optional() }),
  },
  'targets:list': { request: Empty, response: z.array(Target) },
  'targets:get': { request: z.strictObject({ id: TargetId }), response: Target },
  'targets:create': { request: TargetDraft, response: Target },
  'targets:update': { request: z.strictObject({ id: TargetId, draft: TargetDraft }), response: Target },
  'targets:delete': { request: z.strictObject({ id: TargetId }), response: z.object({ id: TargetId }) },

  /** The connection state of every target that has a live or attempted connection. */
  'connections:list': { request: Empty, response: z.array(TargetConnectionState) },
  /** Connect now (or again), skipping the backoff wait. */
  'connections:retry': { request: z.strictObject({ targetId: TargetId }), response: ConnectionState },
  /** Pin the SSH host key the server offered, after the user compared its fingerprint. */
  'connections:trustHostKey': {
    request: z.strictObject({ targetId: TargetId, fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'Not a SHA256 fingerprint.') }),
    response: Target,
  },
  /** Forget a pinned key after a mismatch the user looked into; the next connection asks again. */
  'connections:forgetHostKey': { request: z.strictObject({ targetId: TargetId }), response: Target },

  'overview:get': { request: z.strictObject({ targetId: TargetId }), response: DockerOverview },
  'containers:act': {
    request: z.strictObject({
      targetId: TargetId,
      containerId: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'Not a container id.'),
      action: ContainerAction,
      confirmation: z.string().max(256).optional(),
    }),
    response: z.object({ container: z.string(), message: z.string() }),
  },
  /** The audit log, newest first: of one target and of one kind of subject (container, probe…) if asked. */
  'audit:list': {
    request: z.strictObject({
      targetId: TargetId.optional(),
      subjectKind: AuditSubjectKind.optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    }),
    response: z.array(AuditEntry),
  },

  /** An ops-api target's unified snapshot (`GET /api/ops/context`, see agent/openapi.json). */
  'opsapi:context': { request: z.strictObject({ targetId: TargetId }), response: OpsContext },
  /** Recent browser errors the product's frontend reported. */
  'opsapi:frontendErrors': {
    request: z.strictObject({ targetId: TargetId, since: Since.optional(), route: z.string().max(2048).optional() }),
    response: FrontendErrors,
  },
  /** The product's support bundle (gzipped JSON), base64 so either transport carries it. */
  'opsapi:supportBundle': { request: z.strictObject({ targetId: TargetId }), response: z.object({ gzipBase64: z.string() }) },

  /** What a log pane can follow on a target: its containers (Docker) or services (ops API). */
  'logs:sources': { request: z.strictObject({ targetId: TargetId }), response: z.array(LogSourceOption) },
  /** Flow control: the renderer hands back credit for lines it has drawn. */
  'logs:ack': {
    request: z.strictObject({ followId: z.string().max(64), lines: z.number().int().min(0).max(10_000_000) }),
    response: z.object({ ok: z.literal(true) }),
  },
  /**
   * The recent lines of sources, read once (no follow), merged in time order; `tail` counts per
   * source and 0 only checks that every source exists.
   */
  'logs:recent': {
    request: z.strictObject({
      targetId: TargetId,
      sources: z.array(LogSourceKey).min(1).max(12),
      tail: z.number().int().min(0).max(100_000).optional(),
      since: z.string().max(40).optional(),
    }),
    response: z.object({ entries: z.array(LogEntry) }),
  },
  /** Cached lines by time range and text, for offline review and downloads. */
  'logs:query': {
    request: z.strictObject({
      targetId: TargetId,
      sources: z.array(LogSourceKey).max(12).optional(),
      from: z.string().max(40).optional(),
      to: z.string().max(40).optional(),
      text: z.string().max(500).optional(),
      limit: z.number().int().min(1).max(200_000).optional(),
    }),
    response: z.object({ entries: z.array(LogEntry), truncated: z.boolean() }),
  },
  'logs:cacheInfo': { request: Empty, response: LogCacheSummary },
  'logs:setCacheLimits': { request: LogCacheLimits, response: LogCacheSummary },

  /** Small UI state kept with the app's data (pane layouts per target, say). */
  'settings:get': { request: z.strictObject({ key: SettingKey }), response: z.object({ value: z.unknown().nullable() }) },
  'settings:set': {
    request: z.strictObject({ key: SettingKey, value: z.unknown() }),
    response: z.object({ ok: z.literal(true) }),
  },

  /** Targets found in ~/.ssh/config and Docker contexts; nothing is imported yet. */
  'import:scan': { request: Empty, response: ImportScan },
  'import:apply': { request: z.strictObject({ selections: z.array(ImportSelection).min(1).max(200) }), response: ImportResult },

  // The desktop window's stand-ins for web APIs it refuses (shared/model/platform.ts). Served by
  // the Electron app only; browser mode uses the page's own clipboard, links and downloads.
  /** Opens an http(s) link in the system browser; any other scheme is refused. */
  'platform:openExternal': { request: z.strictObject({ url: ExternalUrl }), response: z.object({ ok: z.literal(true) }) },
  'platform:copyText': {
    request: z.strictObject({ text: z.string().max(COPY_MAX_CHARS) }),
    response: z.object({ ok: z.literal(true) }),
  },
  /** Asks where to save (the system dialog); then `saveWrite` chunks in order and `saveEnd`. */
  'platform:saveBegin': {
    request: z.strictObject({ suggestedName: SuggestedName, filters: z.array(FileFilter).max(8).optional() }),
    response: SaveBeginResult,
  },
  'platform:saveWrite': { request: SaveChunk, response: z.object({ bytes: z.number().int().nonnegative() }) },
  /** Finishes the file, or with `abort` throws the partial file away. */
  'platform:saveEnd': {
    request: z.strictObject({ saveId: PlatformHandleId, abort: z.boolean().optional() }),
    response: SaveEndResult,
  },
  /** Asks which file to open (the system dialog); read it with `readFile`, then `closeFile`. */
  'platform:openFile': {
    request: z.strictObject({ filters: z.array(FileFilter).max(8).optional() }),
    response: OpenFileResult,
  },
  'platform:readFile': { request: ReadChunkRequest, response: ReadChunkResult },
  'platform:closeFile': { request: z.strictObject({ fileId: PlatformHandleId }), response: z.object({ ok: z.literal(true) }) },
  /** Shows a system notification (the `channels:desktop` stream's notices); a click focuses the window and opens the probe. */
  'platform:notify': { request: DesktopNotice, response: z.object({ ok: z.literal(true) }) },

  /** Every probe with how it stands: the Integrations table. */
  'probes:list': { request: Empty, response: z.array(ProbeSummary) },
  'probes:get': { request: z.strictObject({ id: ProbeId }), response: Probe },
  /** Conditions are parsed here too: a bad expression is refused with the position of the mistake. */
  'probes:create': { request: ProbeDraft, response: Probe },
  'probes:update': { request: z.strictObject({ id: ProbeId, draft: ProbeDraft }), response: Probe },
  'probes:delete': { request: z.strictObject({ id: ProbeId }), response: z.object({ id: ProbeId }) },
  /** Runs now, in the background: everything, a scope, a provider or one probe. */
  'probes:run': { request: ProbeSelection, response: z.object({ started: z.number().int().min(0) }) },
  /**
   * Runs a draft once without saving it ("Test" in the editor). With `id`, secret slots the draft
   * leaves unchanged are read from that saved probe.
   */
  'probes:test': { request: z.strictObject({ id: ProbeId.optional(), draft: ProbeDraft }), response: ProbeResult },
  /** A probe's results, newest first; `before` is a result id for paging. */
  'probes:results': {
    request: z.strictObject({ probeId: ProbeId, before: z.number().int().optional(), limit: z.number().int().min(1).max(1000).optional() }),
    response: z.array(ProbeResult),
  },
  /** Buckets for the history chart: minutes for 1h, hours for 24h/7d, days for 30d/365d. */
  'probes:history': {
    request: z.strictObject({ probeId: ProbeId, range: HistoryRange }),
    response: z.object({ buckets: z.array(HistoryBucket), uptime: z.number().nullable(), p50Ms: z.number().nullable(), p95Ms: z.number().nullable() }),
  },
  /** One artifact's bytes (base64), at most 512 KiB a read. */
  'probes:artifact': {
    request: z.strictObject({ resultId: z.number().int(), artifactId: z.string().max(64), offset: z.number().int().min(0).optional() }),
    response: z.object({ contentType: z.string(), name: z.string(), base64: z.string(), bytes: z.number().int(), eof: z.boolean() }),
  },
  'probes:presets': { request: Empty, response: z.array(ProbePreset) },
  'probes:retention': { request: Empty, response: ProbeRetention },
  'probes:setRetention': { request: ProbeRetention, response: ProbeRetention },
  /** Plans an import of a Gatus config.yaml's text: imported / adapted / skipped per endpoint; saves nothing. */
  'probes:importGatus': { request: z.strictObject({ text: z.string().max(4_000_000) }), response: ProbeImportPlan },
  /** Plans an import of a Control Room probe file's text; saves nothing. */
  'probes:importYaml': { request: z.strictObject({ text: z.string().max(4_000_000) }), response: ProbeImportPlan },
  /** The chosen probes (or all) as a Control Room probe file: no secret values, only their slot names. */
  'probes:exportYaml': {
    request: z.strictObject({ ids: z.array(ProbeId).max(10_000).optional() }),
    response: z.object({ text: z.string(), count: z.number().int().min(0) }),
  },
  /** Saves the drafts the user kept from a plan, with the secrets they filled. */
  'probes:applyImport': { request: z.strictObject({ items: z.array(ImportChoice).min(1).max(1000) }), response: ImportApplyResult },

  /** Alert channels (desktop, webhook, Slack, Discord, email); secrets appear only as `{ ref, present }`. */
  'channels:list': { request: Empty, response: z.array(AlertChannel) },
  'channels:get': { request: z.strictObject({ id: ChannelId }), response: AlertChannel },
  'channels:create': { request: ChannelDraft, response: AlertChannel },
  'channels:update': { request: z.strictObject({ id: ChannelId, draft: ChannelDraft }), response: AlertChannel },
  'channels:delete': { request: z.strictObject({ id: ChannelId }), response: z.object({ id: ChannelId }) },
  /** "Send test": delivers a `test` message now, with retries, and answers how it went (a failed delivery is an outcome, not an error). */
  'channels:test': { request: z.strictObject({ id: ChannelId }), response: DeliveryOutcome },

  /** Alert rules per probe and per scope, with the defaults they fall through to. */
  'alerts:rules': { request: Empty, response: AlertRules },
  /** Creates or replaces the rule of a probe or a scope; settings left out fall through. */
  'alerts:setRule': { request: z.strictObject({ subject: AlertSubject, settings: AlertRuleSettings }), response: AlertRule },
  'alerts:deleteRule': { request: z.strictObject({ subject: AlertSubject }), response: z.object({ ok: z.literal(true) }) },
  'alerts:dependencies': { request: Empty, response: z.array(AlertDependency) },
  /** A probe or scope depends on a parent probe or scope; a cycle is refused. */
  'alerts:setDependency': { request: z.strictObject({ dependant: AlertSubject, parent: AlertSubject }), response: AlertDependency },
  'alerts:deleteDependency': { request: z.strictObject({ id: AlertDependencyId }), response: z.object({ id: AlertDependencyId }) },
  /** Maintenance windows, active ones and those to come. */
  'alerts:maintenance': { request: Empty, response: z.array(MaintenanceWindow) },
  'alerts:addMaintenance': { request: MaintenanceDraft, response: MaintenanceWindow },
  /** Ends a window now (a recurring one is removed). */
  'alerts:endMaintenance': { request: z.strictObject({ id: MaintenanceId }), response: z.object({ id: MaintenanceId }) },
  /** The alert history, newest first: every decision with its reason and delivery outcomes. */
  'alerts:history': { request: AlertHistoryQuery, response: z.array(AlertDecision) },

  /** Every runbook: built-ins and the folder's YAML files (a file that did not load is listed with its errors). */
  'runbooks:list': { request: Empty, response: z.array(RunbookSummary) },
  /** A runbook's YAML (a built-in's read-only) for the editor, with its errors. */
  'runbooks:get': {
    request: z.strictObject({ id: z.string().max(64) }),
    response: z.object({ id: z.string(), yaml: z.string(), source: z.enum(['built-in', 'file']), file: z.string().nullable(), errors: z.array(RunbookFileError) }),
  },
  /** Checks YAML without saving: line-numbered errors, empty when it would load. */
  'runbooks:check': { request: z.strictObject({ yaml: z.string().max(1_000_000) }), response: z.object({ errors: z.array(RunbookFileError) }) },
  /** Saves YAML to the runbooks folder when valid; `previousId` renames a file runbook. */
  'runbooks:save': {
    request: z.strictObject({ yaml: z.string().max(1_000_000), previousId: RunbookId.optional() }),
    response: z.object({ saved: z.boolean(), summary: RunbookSummary.nullable(), errors: z.array(RunbookFileError) }),
  },
  'runbooks:delete': { request: z.strictObject({ id: RunbookId }), response: z.object({ id: z.string() }) },
  /** The command bar: plain text to a plan card, or the closest runbooks when it named none. */
  'runbooks:command': { request: z.strictObject({ text: z.string().min(1).max(500) }), response: CommandResult },
  /** The plan card for chosen values (Edit on the card). */
  'runbooks:plan': {
    request: z.strictObject({ runbookId: RunbookId, targetId: TargetId.nullable(), inputs: z.record(z.string(), z.string().max(10_000)).default({}) }),
    response: RunPlan,
  },
  /** Secrets runbook steps use by name; only whether each is set. */
  'runbooks:secrets': { request: Empty, response: z.array(RunbookSecretStatus) },
  /** Sets a runbook secret (to the keychain), or removes it with null. */
  'runbooks:setSecret': {
    request: z.strictObject({ name: RunbookSecretName, value: z.string().min(1).max(100_000).nullable() }),
    response: RunbookSecretStatus,
  },
  'runbooks:remediations': { request: Empty, response: z.array(Remediation) },
  /** A probe's remediation runbook, or none with `runbookId: null`. */
  'runbooks:setRemediation': {
    request: z.strictObject({
      probeId: RemediationProbeId,
      runbookId: RunbookId.nullable(),
      targetId: TargetId.nullable().default(null),
      inputs: z.record(z.string(), z.string().max(10_000)).default({}),
    }),
    response: z.object({ remediation: Remediation.nullable() }),
  },
  /** Starts a probe's remediation runbook (origin `remediation`): same plan, approval and lock as any run. */
  'runbooks:remediate': { request: z.strictObject({ probeId: RemediationProbeId, dryRun: z.boolean().default(false) }), response: RunSummary },

  /** Starts a run; a changing run on a locked target queues (or is refused with the reason). */
  'runs:start': { request: RunStart, response: RunSummary },
  /** Run history, newest first, by runbook, target and status. */
  'runs:list': { request: RunQuery, response: z.array(RunSummary) },
  'runs:get': { request: z.strictObject({ id: RunId }), response: RunDetail },
  /** Events after a sequence number (a viewer catching up); see the `runs:events` stream for live ones. */
  'runs:events': {
    request: z.strictObject({ id: RunId, after: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(50_000).optional() }),
    response: z.object({ events: z.array(RunEvent), lastSeq: z.number().int() }),
  },
  /** Aborts the running step; steps not started are skipped. */
  'runs:cancel': { request: z.strictObject({ id: RunId }), response: RunSummary },
  /** Approves a run awaiting approval: the typed confirmation and the hash of the evidence the approver saw. */
  'runs:approve': {
    request: z.strictObject({ id: RunId, confirmation: z.string().max(256), evidenceHash: z.string().regex(/^[a-f0-9]{64}$/, 'Not an evidence hash.') }),
    response: RunSummary,
  },
  /** A new run with the same inputs, linked to this one; `resume` starts at the failed step. */
  'runs:retry': { request: z.strictObject({ id: RunId, resume: z.boolean().default(false) }), response: RunSummary },
  /** One artifact's bytes (base64), at most 512 KiB a read. */
  'runs:artifact': {
    request: z.strictObject({ runId: RunId, artifactId: z.string().max(64), offset: z.number().int().min(0).optional() }),
    response: z.object({ contentType: z.string(), name: z.string(), base64: z.string(), bytes: z.number().int(), eof: z.boolean() }),
  },

  /** What a bundle of a target and window would hold: sizes per section against the budget. */
  'bundles:estimate': { request: BundleRequest, response: BundleEstimate },
  /** The estimate with redaction counts and a few redacted lines per rule; writes nothing. */
  'bundles:preview': { request: BundleRequest, response: BundlePreview },
  /** Starts an export into the bundles folder; follow it on `bundles:progress`. */
  'bundles:export': { request: BundleRequest, response: ExportProgress },
  /** Stops an export; its partial file is removed. */
  'bundles:cancelExport': { request: z.strictObject({ exportId: ExportId }), response: ExportProgress },
  /** The bundles folder, newest first. */
  'bundles:list': { request: Empty, response: z.array(BundleFile) },
  'bundles:delete': { request: z.strictObject({ id: BundleId }), response: z.object({ id: z.string() }) },
  /** A bundle's bytes (base64, ≤512 KiB a read), for saving a copy through the platform channels. */
  'bundles:read': {
    request: z.strictObject({ id: BundleId, offset: z.number().int().min(0).default(0) }),
    response: z.object({ base64: z.string(), bytes: z.number().int(), eof: z.boolean() }),
  },
  /** Uploads a bundle file the user opened: begin, write chunks in order, end (checked, then kept). */
  'bundles:importBegin': { request: z.strictObject({ name: z.string().min(1).max(200) }), response: z.object({ uploadId: z.string() }) },
  'bundles:importWrite': {
    request: z.strictObject({ uploadId: z.string().max(64), base64: z.string().max(1_000_000) }),
    response: z.object({ bytes: z.number().int() }),
  },
  'bundles:importEnd': { request: z.strictObject({ uploadId: z.string().max(64), abort: z.boolean().default(false) }), response: z.object({ bundle: BundleFile.nullable() }) },
  /** Opens a bundle read-only (no network): context, probes, runs, errors; logs via `bundles:logs`. */
  'bundles:open': { request: z.strictObject({ id: BundleId }), response: BundleView },
  'bundles:logs': {
    request: z.strictObject({
      id: BundleId,
      source: z.string().max(200).optional(),
      text: z.string().max(500).optional(),
      level: z.string().max(16).optional(),
      offset: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(50_000).optional(),
    }),
    response: z.object({ entries: z.array(LogEntry), total: z.number().int() }),
  },
  /** What changed between two bundles of a target. */
  'bundles:diff': { request: z.strictObject({ a: BundleId, b: BundleId }), response: BundleDiff },
  /** Re-redacts a bundle with today's rules into a new file; the original is never overwritten. */
  'bundles:redact': { request: z.strictObject({ id: BundleId }), response: BundleFile },
  'bundles:rules': { request: Empty, response: z.array(RedactionRule) },
  'bundles:createRule': { request: RedactionRuleDraft, response: RedactionRule },
  'bundles:updateRule': { request: z.strictObject({ id: RedactionRuleId, draft: RedactionRuleDraft }), response: RedactionRule },
  'bundles:deleteRule': { request: z.strictObject({ id: RedactionRuleId }), response: z.object({ id: z.string() }) },
} as const;

export const streams = {
  /** The whole target list, sent whenever a target is created, edited or deleted. */
  'targets:changed': { params: Empty, event: z.object({ targets: z.array(Target) }) },
  /** Every change of any target's connection state. */
  'connections:state': { params: Empty, event: TargetConnectionState },
  /** A Docker target's overview, now and after every change Docker reports. */
  'overview:watch': {
    params: z.strictObject({ targetId: TargetId }),
    event: z.union([z.object({ overview: DockerOverview }), z.object({ error: z.string() })]),
  },
  /** An ops-api target's live events: container changes, frontend errors, alerts. */
  'opsapi:events': { params: z.strictObject({ targetId: TargetId }), event: OpsEvent },
  /**
   * Follows logs of one or more sources on a target, merged in time order by the pane. Lines
   * arrive batched (per 16 ms or 64 KB); once too many are unacknowledged (`logs:ack`) the
   * sources are paused, not buffered without bound.
   */
  'logs:follow': {
    params: z.strictObject({
      targetId: TargetId,
      sources: z.array(LogSourceKey).min(1).max(12),
      tail: z.number().int().min(0).max(100_000).optional(),
      since: z.string().max(40).optional(),
    }),
    event: LogFollowEvent,
    /** The schema's answers without zod's per-line cost for batches (see log-follow-parse.ts). */
    parseEvent: parseLogFollowEvent,
  },
  /** Each new audit log entry, of any subject and target. */
  'audit:recorded': { params: Empty, event: AuditEntry },
  /** Each change of a probe's standing: a run started or finished, a probe saved or removed. */
  'probes:updates': { params: Empty, event: ProbeUpdate },
  /** Notices for the desktop channel: the window's Platform shows each as a system notification. */
  'channels:desktop': { params: Empty, event: DesktopNotice },
  /** Where the desktop app sends the window (a clicked notification: `#/integrations/probe/<id>`); silent in browser mode. */
  'platform:navigate': { params: Empty, event: z.object({ route: z.string().regex(/^#\/\S{0,512}$/) }) },
  /** Each new alert decision, and the same decision again (same id) once its deliveries finished. */
  'alerts:decided': { params: Empty, event: AlertDecision },
  /** A run's summary whenever its status, lane or step changes. */
  'runs:updates': { params: Empty, event: RunUpdate },
  /**
   * A run's events after `after` (the last sequence number the viewer has), then live: a viewer
   * that reconnects with its last number gets no gap and no duplicate.
   */
  'runs:events': { params: z.strictObject({ runId: RunId, after: z.number().int().min(0).default(0) }), event: z.object({ events: z.array(RunEvent) }) },
  /** Every export's progress, until it is done, failed or canceled. */
  'bundles:progress': { params: Empty, event: ExportProgress },
} as const;

export type Channel = keyof typeof channels;
export type Stream = keyof typeof streams;
export type RequestOf<C extends Channel> = z.input<(typeof channels)[C]['request']>;
export type ParsedRequestOf<C extends Channel> = z.output<(typeof channels)[C]['request']>;
export type ResponseOf<C extends Channel> = z.output<(typeof channels)[C]['response']>;
export type ParamsOf<S extends Stream> = z.input<(typeof streams)[S]['params']>;
export type ParsedParamsOf<S extends Stream> = z.output<(typeof streams)[S]['params']>;
export type EventOf<S extends Stream> = z.output<(typeof streams)[S]['event']>;

export const CHANNEL_NAMES = Object.keys(channels) as Channel[];
export const STREAM_NAMES = Object.keys(streams) as Stream[];

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.hasOwn(channels, name);
}

export function isStream(name: unknown): name is Stream {
  return typeof name === 'string' && Object.hasOwn(streams, name);
}
