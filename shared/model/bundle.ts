/**
 * Support bundles: one `.tar.gz` per target and time window, built from what the app holds (the
 * log cache, probe history, runs, alerts, audit log) plus what the target answers now, redacted
 * before it is written, with the redaction report inside so the sender can read what was hidden.
 *
 * Layout (docs/bundles.md): `manifest.json` first, then one file per section — `context.json`,
 * `logs/<source>.ndjson`, `probes.json`, `alerts.json`, `runs/<run id>/events.ndjson` and
 * `runs/<run id>/artifacts/<name>`, `frontend-errors.json`, `audit.json`, `agent-bundle.json.gz`,
 * `app.json`. A section that could not be collected is a note in the manifest, not a failed export.
 */
import { z } from 'zod';
import { Environment, TargetId, TargetKind } from './target';

export const BUNDLE_FORMAT = 'control-room-bundle';
export const BUNDLE_FORMAT_VERSION = 1;

export const BUNDLE_SECTIONS = ['context', 'logs', 'probes', 'alerts', 'runs', 'frontend-errors', 'audit', 'agent-bundle', 'app'] as const;
export const BundleSectionId = z.enum(BUNDLE_SECTIONS);
export type BundleSectionId = z.infer<typeof BundleSectionId>;

export const BUNDLE_SECTION_LABELS: Record<BundleSectionId, string> = {
  context: 'Context (ops API context or Docker overview)',
  logs: 'Logs of the window',
  probes: 'Probe results and artifacts',
  alerts: 'Alert history',
  runs: 'Runbook runs with events and artifacts',
  'frontend-errors': 'Frontend errors (grouped and raw)',
  audit: 'Audit log entries',
  'agent-bundle': "The agent's own bundle",
  app: 'App version and platform',
};

/** Which time the bundle covers: the last N minutes, around a time, or since the last deploy. */
export const BundleWindow = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('last'), minutes: z.number().int().min(1).max(60 * 24 * 30).default(60) }),
  z.strictObject({ mode: z.literal('around'), at: z.string().max(40), minutes: z.number().int().min(1).max(60 * 24).default(15) }),
  z.strictObject({ mode: z.literal('since-deploy') }),
]);
export type BundleWindow = z.infer<typeof BundleWindow>;
export type BundleWindowInput = z.input<typeof BundleWindow>;

/** The window resolved to times, as the manifest records it. */
export const ResolvedWindow = z.object({ from: z.string(), to: z.string(), description: z.string() });
export type ResolvedWindow = z.infer<typeof ResolvedWindow>;

/** Caps that always apply (also with a time window); what was cut is said in the manifest. */
export const BundleLimits = z.strictObject({
  /** Total before compression. */
  totalBytes: z.number().int().min(1024 * 1024).max(10 * 1024 ** 3).default(100 * 1024 * 1024),
  /** Per log source. */
  logBytesPerSource: z.number().int().min(1024).max(10 * 1024 ** 3).default(20 * 1024 * 1024),
  logLinesPerSource: z.number().int().min(1).max(100_000_000).default(200_000),
  /** Per run: events and artifacts together. */
  runBytes: z.number().int().min(1024).max(10 * 1024 ** 3).default(10 * 1024 * 1024),
});
export type BundleLimits = z.infer<typeof BundleLimits>;
export type BundleLimitsInput = z.input<typeof BundleLimits>;

/** What the user asks for: the preview and the export take the same. */
export const BundleRequest = z.strictObject({
  targetId: TargetId,
  window: BundleWindow.default({ mode: 'last', minutes: 60 }),
  /** Sections left out from the preview. */
  exclude: z.array(BundleSectionId).max(BUNDLE_SECTIONS.length).default([]),
  limits: BundleLimits.default(BundleLimits.parse({})),
});
export type BundleRequest = z.infer<typeof BundleRequest>;
export type BundleRequestInput = z.input<typeof BundleRequest>;

/** One rule's count in one file; never the value. */
export const RedactionCount = z.object({ rule: z.string(), file: z.string(), count: z.number().int().min(0) });
export type RedactionCount = z.infer<typeof RedactionCount>;

/** Something cut to fit a cap: the file, what was kept and what was left out. */
export const CutNote = z.object({ file: z.string(), keptBytes: z.number().int(), keptLines: z.number().int().nullable(), droppedBytes: z.number().int(), droppedLines: z.number().int().nullable(), reason: z.string() });
export type CutNote = z.infer<typeof CutNote>;

export const ManifestFile = z.object({
  path: z.string(),
  section: BundleSectionId,
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[a-f0-9]{64}$/),
  contentType: z.string(),
  lines: z.number().int().nullable(),
});
export type ManifestFile = z.infer<typeof ManifestFile>;

export const BundleManifest = z.object({
  format: z.literal(BUNDLE_FORMAT),
  formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
  created: z.string(),
  app: z.object({ version: z.string(), platform: z.string(), arch: z.string() }),
  target: z.object({ id: z.string(), name: z.string(), environment: Environment, kind: TargetKind }),
  window: ResolvedWindow,
  sections: z.array(z.object({ id: BundleSectionId, included: z.boolean(), files: z.number().int(), bytes: z.number().int() })),
  files: z.array(ManifestFile),
  /** What could not be collected and why (an unreachable target, a section left out). */
  notes: z.array(z.object({ section: BundleSectionId, message: z.string() })),
  cut: z.array(CutNote),
  redaction: z.object({
    /** Rule names applied (built-ins, custom rules, `keychain secret`). */
    rules: z.array(z.string()),
    counts: z.array(RedactionCount),
    total: z.number().int(),
  }),
  /** Set when this bundle was re-redacted from another: that one's created time and sha256. */
  redactedFrom: z.object({ created: z.string(), sha256: z.string() }).nullable(),
});
export type BundleManifest = z.infer<typeof BundleManifest>;

// ——— Redaction rules ———

export const REDACTION_RULE_KINDS = ['regex', 'literal', 'json-path'] as const;
export const RedactionRuleId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'Not a rule id.');

/** A custom rule saved in the app: regex with a named `mask` group, a literal value, or a JSON path. */
export const RedactionRuleDraft = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('regex'), name: z.string().trim().min(1).max(80), pattern: z.string().min(1).max(2000), enabled: z.boolean().default(true) }),
  z.strictObject({ kind: z.literal('literal'), name: z.string().trim().min(1).max(80), value: z.string().min(4).max(10_000), enabled: z.boolean().default(true) }),
  z.strictObject({ kind: z.literal('json-path'), name: z.string().trim().min(1).max(80), path: z.string().min(1).max(500), enabled: z.boolean().default(true) }),
]);
export type RedactionRuleDraft = z.infer<typeof RedactionRuleDraft>;

/** As listed: a literal rule's value is never sent back, only its length. */
export const RedactionRule = z.discriminatedUnion('kind', [
  z.object({ id: RedactionRuleId, kind: z.literal('regex'), name: z.string(), pattern: z.string(), enabled: z.boolean() }),
  z.object({ id: RedactionRuleId, kind: z.literal('literal'), name: z.string(), valueLength: z.number().int(), enabled: z.boolean() }),
  z.object({ id: RedactionRuleId, kind: z.literal('json-path'), name: z.string(), path: z.string(), enabled: z.boolean() }),
]);
export type RedactionRule = z.infer<typeof RedactionRule>;

// ——— Estimate, preview, export ———

export const SectionEstimate = z.object({
  id: BundleSectionId,
  label: z.string(),
  bytes: z.number().int(),
  lines: z.number().int().nullable(),
  /** False when it cannot be collected (a note says why). */
  available: z.boolean(),
  note: z.string().nullable(),
  /** Over its cap: how much will be cut. */
  overCapBytes: z.number().int(),
});
export type SectionEstimate = z.infer<typeof SectionEstimate>;

export const BundleEstimate = z.object({ sections: z.array(SectionEstimate), totalBytes: z.number().int(), budgetBytes: z.number().int(), window: ResolvedWindow });
export type BundleEstimate = z.infer<typeof BundleEstimate>;

/** A redacted line as the preview shows it (the secret already replaced). */
export const RedactionSample = z.object({ rule: z.string(), file: z.string(), line: z.string() });

export const BundlePreview = z.object({
  estimate: BundleEstimate,
  counts: z.array(RedactionCount),
  samples: z.array(RedactionSample),
  /** What the dry pass left out for speed (counts cover only what it read). */
  note: z.string().nullable().optional(),
});
export type BundlePreview = z.infer<typeof BundlePreview>;

export const BundleId = z.string().regex(/^[A-Za-z0-9._-]{1,200}\.(tar\.gz|json\.gz)$/, 'Not a bundle file name.');
export type BundleId = z.infer<typeof BundleId>;

/** A bundle file in the app's bundles folder. */
export const BundleFile = z.object({
  id: BundleId,
  bytes: z.number().int(),
  created: z.string(),
  kind: z.enum(['control-room', 'agent']),
  targetName: z.string().nullable(),
  environment: Environment.nullable(),
  window: z.string().nullable(),
});
export type BundleFile = z.infer<typeof BundleFile>;

export const ExportId = z.string().regex(/^exp-[a-z0-9-]{1,60}$/);

/** An export's progress: sections as they are collected, bytes written. */
export const ExportProgress = z.object({
  exportId: ExportId,
  state: z.enum(['running', 'done', 'failed', 'canceled']),
  section: BundleSectionId.nullable(),
  /** 0..1 over the estimate. */
  fraction: z.number().min(0).max(1),
  bytesWritten: z.number().int(),
  message: z.string(),
  /** Set when done. */
  bundle: BundleFile.nullable(),
});
export type ExportProgress = z.infer<typeof ExportProgress>;

// ——— Open and diff ———

/** An opened bundle, read-only: what the Bundles area shows. Logs are read page by page. */
export const BundleView = z.object({
  id: BundleId,
  kind: z.enum(['control-room', 'agent']),
  manifest: BundleManifest.nullable(),
  /** The agent bundle's own header when kind is agent. */
  created: z.string(),
  targetName: z.string().nullable(),
  context: z.unknown(),
  logSources: z.array(z.object({ source: z.string(), lines: z.number().int() })),
  probes: z.unknown(),
  runs: z.unknown(),
  frontendErrors: z.unknown(),
  alerts: z.unknown(),
  audit: z.unknown(),
});
export type BundleView = z.infer<typeof BundleView>;

export const BundleDiff = z.object({
  a: z.object({ id: z.string(), created: z.string() }),
  b: z.object({ id: z.string(), created: z.string() }),
  deployedSha: z.object({ before: z.string().nullable(), after: z.string().nullable() }).nullable(),
  images: z.array(z.object({ service: z.string(), before: z.string().nullable(), after: z.string().nullable(), digestBefore: z.string().nullable(), digestAfter: z.string().nullable() })),
  containers: z.object({
    added: z.array(z.string()),
    removed: z.array(z.string()),
    restarted: z.array(z.object({ name: z.string(), before: z.number().int().nullable(), after: z.number().int().nullable() })),
    health: z.array(z.object({ name: z.string(), before: z.string().nullable(), after: z.string().nullable() })),
  }),
  migrations: z.object({ added: z.array(z.string()), removed: z.array(z.string()) }).nullable(),
  probes: z.array(z.object({ probe: z.string(), before: z.string().nullable(), after: z.string().nullable() })),
  errors: z.array(z.object({ service: z.string(), ratePerMinBefore: z.number(), ratePerMinAfter: z.number(), newMessages: z.array(z.object({ message: z.string(), count: z.number().int() })) })),
  frontendErrors: z.object({ new: z.array(z.object({ message: z.string(), count: z.number().int() })), gone: z.array(z.object({ message: z.string(), count: z.number().int() })) }),
  config: z.array(z.object({ key: z.string(), before: z.string().nullable(), after: z.string().nullable() })),
  /** Nothing above changed. */
  same: z.boolean(),
});
export type BundleDiff = z.infer<typeof BundleDiff>;
