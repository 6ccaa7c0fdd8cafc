/**
 * Probes brought in from a file: a Gatus `config.yaml` or Control Room's own probe YAML.
 *
 * Importing is two steps. Reading a file gives a plan: one item per endpoint or probe in it, each
 * `imported` (as it was), `adapted` (with what changed) or `skipped` (with why), and the drafts
 * that would be saved. Nothing is saved until the user picks the items and fills the secrets they
 * need, and sends those (`probes:applyImport`).
 */
import { z } from 'zod';
import { ProbeDraft, ProbeId, SecretSlotName } from './probe';

export const IMPORT_OUTCOMES = ['imported', 'adapted', 'skipped'] as const;
export const ImportOutcome = z.enum(IMPORT_OUTCOMES);
export type ImportOutcome = z.infer<typeof ImportOutcome>;

/** Alert thresholds an import found (Gatus's `failure-threshold` / `success-threshold`). */
export const ImportedAlert = z.object({
  failureThreshold: z.number().int().min(1),
  successThreshold: z.number().int().min(1),
  /** Where the source sent its alerts (`slack`, `email` …), for the user to set up channels. */
  channels: z.array(z.string()),
});
export type ImportedAlert = z.infer<typeof ImportedAlert>;

export const ProbeImportItem = z.object({
  /** Stable within a plan: the item's position in the file. */
  key: z.string(),
  /** The name in the file (the draft's may differ, and then `changes` says so). */
  name: z.string(),
  /** What the file called its type (`https`, `tcp`, `icmp`, `dns` …, or a probe kind). */
  sourceType: z.string(),
  outcome: ImportOutcome,
  /** For `adapted`: each change, one sentence; for `skipped`: the reason, first. */
  changes: z.array(z.string()),
  draft: ProbeDraft.nullable(),
  /** Keychain secrets the probe needs (`{{secret.NAME}}`), which the user fills before importing. */
  secrets: z.array(z.string()),
  alert: ImportedAlert.nullable(),
});
export type ProbeImportItem = z.infer<typeof ProbeImportItem>;

export const ImportSource = z.enum(['gatus', 'control-room']);
export type ImportSource = z.infer<typeof ImportSource>;

export const ProbeImportPlan = z.object({
  source: ImportSource,
  items: z.array(ProbeImportItem),
  /** Things about the file as a whole (no endpoints, alerting providers not brought over …). */
  notes: z.array(z.string()),
});
export type ProbeImportPlan = z.infer<typeof ProbeImportPlan>;

/** One chosen item to save, with the secret values the user typed. */
export const ImportChoice = z.strictObject({
  draft: ProbeDraft,
  secrets: z.record(SecretSlotName, z.string().min(1).max(65_536)).default({}),
  alert: ImportedAlert.nullable().default(null),
});
export type ImportChoice = z.infer<typeof ImportChoice>;

export const ImportApplyResult = z.object({
  created: z.array(z.object({ id: ProbeId, name: z.string() })),
  failed: z.array(z.object({ name: z.string(), message: z.string() })),
  /** What became of alert thresholds (applied as rules, or noted only), one sentence each. */
  alerts: z.array(z.string()),
  /** Probes saved with a secret slot still empty: `name: SLOT`. */
  missingSecrets: z.array(z.string()),
});
export type ImportApplyResult = z.infer<typeof ImportApplyResult>;
