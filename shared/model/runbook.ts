/**
 * Runbooks and their runs.
 *
 * A runbook is a named procedure with typed inputs and five phases that always run in the same
 * order — validate, preflight, action, verify, summarize — each a list of steps of a known kind
 * (shared/model/runbook-steps.ts). Built-ins ship with the app; custom ones are YAML files in a
 * folder the app watches. A run is one execution against a target: main owns it, persists every
 * event with a sequence number, keeps its artifacts, and holds the target's lock while it changes
 * anything.
 */
import { z } from 'zod';
import { Environment, TargetId } from './target';
import { RunbookStep } from './runbook-steps';

export const RUNBOOK_PHASES = ['validate', 'preflight', 'action', 'verify', 'summarize'] as const;
export const RunbookPhase = z.enum(RUNBOOK_PHASES);
export type RunbookPhase = z.infer<typeof RunbookPhase>;

/**
 * `changes-prod`: changes what a target runs (one at a time per target, approval on prod);
 * `read-only`: reads only (runs in the parallel lanes); `docs-only`: writes documents elsewhere
 * (a GitHub issue or pull request), never the target; `dry-run`: only ever plans.
 */
export const RISK_LEVELS = ['read-only', 'changes-prod', 'docs-only', 'dry-run'] as const;
export const RiskLevel = z.enum(RISK_LEVELS);
export type RiskLevel = z.infer<typeof RiskLevel>;

export const RunbookId = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'Use lower-case letters, digits and dashes, starting with a letter.');
export type RunbookId = z.infer<typeof RunbookId>;

export const INPUT_TYPES = ['string', 'number', 'boolean', 'target', 'time', 'secret'] as const;
export const RunbookInputType = z.enum(INPUT_TYPES);

export const InputName = z.string().regex(/^[a-z][a-zA-Z0-9_]{0,39}$/, 'Name inputs with letters, digits and underscores, starting with a lower-case letter.');

/** One typed input; checked in the validate phase, one sentence per bad value. */
export const RunbookInput = z.strictObject({
  name: InputName,
  label: z.string().max(80).optional(),
  type: RunbookInputType.default('string'),
  required: z.boolean().default(false),
  /** Used when the input is left out; a string for every type (`"true"`, `"3"`). */
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  /** The only values accepted. */
  allowed: z.array(z.string().max(200)).max(100).optional(),
  /** A JavaScript regular expression the whole value must match. */
  pattern: z.string().max(500).optional(),
  help: z.string().max(500).optional(),
});
export type RunbookInput = z.infer<typeof RunbookInput>;
export type RunbookInputDraft = z.input<typeof RunbookInput>;

const Steps = z.array(RunbookStep).max(100).default([]);

/**
 * A runbook as written (YAML or built-in). Templates `{{ inputs.tag }}`, `{{ target.name }}`,
 * `{{ steps.<id>.<output> }}` may appear in any step's string fields (shared/runbook-template.ts).
 */
export const RunbookDefinition = z.strictObject({
  id: RunbookId,
  title: z.string().min(1).max(120),
  description: z.string().max(2000).default(''),
  /** deploy, healthcheck, incident, schema-sync, spec, restart… or anything of the author's. */
  kind: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/),
  risk: RiskLevel,
  inputs: z.array(RunbookInput).max(40).default([]),
  /**
   * Command-bar phrasings, tried in order: words match themselves (case-insensitive), `{name}`
   * takes one word into that input, `{target}` a target's name or environment, `{time}` a time
   * like 14:05. "deploy {service} {tag} to {target}".
   */
  commands: z.array(z.string().min(1).max(200)).max(20).default([]),
  phases: z
    .strictObject({
      validate: Steps,
      preflight: Steps,
      action: Steps,
      verify: Steps,
      summarize: Steps,
    })
    .partial()
    .default({}),
  /** Run when a verify step fails and `rollbackIf` (a template) reads true; shown under verify. */
  rollback: Steps,
  rollbackIf: z.string().max(500).optional(),
  approval: z
    .strictObject({
      /** An approval not given within this long ends the run as `approval-expired`. */
      expiresMinutes: z.number().int().min(1).max(24 * 60).default(30),
      /** Environments whose targets need one for a changing run. */
      environments: z.array(Environment).default(['prod']),
    })
    .default({ expiresMinutes: 30, environments: ['prod'] }),
});
export type RunbookDefinition = z.infer<typeof RunbookDefinition>;
export type RunbookDefinitionInput = z.input<typeof RunbookDefinition>;

/** A YAML problem, with the line (1-based) it is on when known. */
export const RunbookFileError = z.object({ line: z.number().int().nullable(), column: z.number().int().nullable(), message: z.string() });
export type RunbookFileError = z.infer<typeof RunbookFileError>;

/** A runbook as listed: where it came from, and a file's problems when it did not load. */
export const RunbookSummary = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  kind: z.string(),
  risk: RiskLevel,
  source: z.enum(['built-in', 'file']),
  /** The YAML file's name in the runbooks folder; null for built-ins. */
  file: z.string().nullable(),
  /** Non-empty when the file did not load: the runbook cannot run until it is fixed. */
  errors: z.array(RunbookFileError),
  inputs: z.array(RunbookInput),
  commands: z.array(z.string()),
});
export type RunbookSummary = z.infer<typeof RunbookSummary>;

// ——— Plans ———

export const PlannedStep = z.object({
  phase: RunbookPhase.or(z.literal('rollback')),
  id: z.string(),
  kind: z.string(),
  /** What the step will do, in a sentence with the inputs filled in. */
  description: z.string(),
  changes: z.boolean(),
  repeatable: z.boolean(),
});
export type PlannedStep = z.infer<typeof PlannedStep>;

/** What a run would do, before it starts: the command bar's card, the dry run's description. */
export const RunPlan = z.object({
  runbookId: z.string(),
  title: z.string(),
  risk: RiskLevel,
  targetId: TargetId.nullable(),
  targetName: z.string().nullable(),
  environment: Environment.nullable(),
  /** Values as given or defaulted; secret inputs appear as `[secret]`. */
  inputs: z.record(z.string(), z.string()),
  /** One sentence per bad or missing input; the plan cannot run until it is empty. */
  problems: z.array(z.string()),
  steps: z.array(PlannedStep),
  /** The action steps that change something, as sentences: "Recreate backend with shop/backend:v1.4.2". */
  changes: z.array(z.string()),
  needsApproval: z.boolean(),
});
export type RunPlan = z.infer<typeof RunPlan>;

/** The command bar's answer: a plan, or the closest runbooks when the text named none. */
export const CommandResult = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('plan'), plan: RunPlan, command: z.string() }),
  z.object({ kind: z.literal('unrecognised'), message: z.string(), suggestions: z.array(z.object({ runbookId: z.string(), title: z.string(), example: z.string() })) }),
]);
export type CommandResult = z.infer<typeof CommandResult>;

// ——— Runs ———

export const RunId = z.string().regex(/^run-[a-z0-9-]{1,60}$/, 'Not a run id.');
export type RunId = z.infer<typeof RunId>;

export const RUN_STATUSES = [
  'queued',
  'running',
  'awaiting-approval',
  'succeeded',
  'failed',
  'canceled',
  'interrupted',
  'approval-expired',
  'refused',
] as const;
export const RunStatus = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatus>;
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'awaiting-approval'];

export const RUN_ORIGINS = ['app', 'opsctl', 'remediation'] as const;
export const RunOrigin = z.enum(RUN_ORIGINS);
export type RunOrigin = z.infer<typeof RunOrigin>;

export const STEP_STATES = ['pending', 'running', 'succeeded', 'failed', 'skipped', 'canceled', 'described', 'reused'] as const;
export const StepState = z.enum(STEP_STATES);
export type StepState = z.infer<typeof StepState>;

export const RunSummary = z.object({
  id: RunId,
  runbookId: z.string(),
  runbookTitle: z.string(),
  risk: RiskLevel,
  targetId: z.string().nullable(),
  targetName: z.string().nullable(),
  environment: Environment.nullable(),
  status: RunStatus,
  dryRun: z.boolean(),
  /** Why it waits, was refused or ended as it did, in one sentence. */
  statusMessage: z.string(),
  /** Who started it (the OS user) and from where. */
  startedBy: z.string(),
  origin: RunOrigin,
  /** The read-only lane (A–D) it ran in; null for changing runs. */
  lane: z.string().nullable(),
  inputs: z.record(z.string(), z.string()),
  /** The run this one retries or resumes. */
  retryOf: RunId.nullable(),
  resumedFrom: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  /** The newest event's sequence number. */
  lastSeq: z.number().int(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const RunStepInfo = z.object({
  index: z.number().int(),
  phase: RunbookPhase.or(z.literal('rollback')),
  id: z.string(),
  kind: z.string(),
  description: z.string(),
  state: StepState,
  changes: z.boolean(),
  repeatable: z.boolean(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  /** The outcome in a sentence: "2 of 2 probes ok", the error. */
  message: z.string(),
});
export type RunStepInfo = z.infer<typeof RunStepInfo>;

/** A preflight fact an approval is bound to: re-read before the action phase. */
export const EvidenceFact = z.object({ key: z.string(), label: z.string(), value: z.string() });
export type EvidenceFact = z.infer<typeof EvidenceFact>;

/** What the approver sees, frozen when the run stopped for approval. */
export const ApprovalEvidence = z.object({
  facts: z.array(EvidenceFact),
  /** What the action phase will change, as sentences. */
  changes: z.array(z.string()),
  /** sha256 of the canonical facts and changes: approving names it, the audit log keeps it. */
  hash: z.string(),
  takenAt: z.string(),
});
export type ApprovalEvidence = z.infer<typeof ApprovalEvidence>;

export const ApprovalRequest = z.object({
  evidence: ApprovalEvidence,
  requestedAt: z.string(),
  expiresAt: z.string(),
  /** What to type to approve: the target's name. */
  confirmText: z.string(),
  /** Facts that changed since an earlier approval (a stale approval asks again). */
  changed: z.array(z.object({ key: z.string(), label: z.string(), before: z.string(), after: z.string() })),
  approvedBy: z.string().nullable(),
  approvedAt: z.string().nullable(),
});
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;

export const RunArtifact = z.object({
  id: z.string(),
  name: z.string(),
  contentType: z.string(),
  bytes: z.number().int(),
  step: z.string().nullable(),
  createdAt: z.string(),
});
export type RunArtifact = z.infer<typeof RunArtifact>;

export const RunDetail = z.object({
  run: RunSummary,
  steps: z.array(RunStepInfo),
  artifacts: z.array(RunArtifact),
  /** The pending or last approval; null when the run needed none. */
  approval: ApprovalRequest.nullable(),
  /** Set once the run ended: what was done and what was not. */
  summary: z.string().nullable(),
  /** Whether "resume from the failed step" is offered, and why not when it is not. */
  resumable: z.object({ ok: z.boolean(), reason: z.string(), fromStep: z.string().nullable() }),
});
export type RunDetail = z.infer<typeof RunDetail>;

export const RUN_EVENT_LEVELS = ['debug', 'info', 'warn', 'error', 'output'] as const;
export const RunEventLevel = z.enum(RUN_EVENT_LEVELS);
export type RunEventLevel = z.infer<typeof RunEventLevel>;

/** One event of a run; `seq` counts from 1 per run with no gaps. */
export const RunEvent = z.object({
  seq: z.number().int().min(1),
  at: z.string(),
  level: RunEventLevel,
  phase: z.string().nullable(),
  step: z.string().nullable(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).nullable(),
});
export type RunEvent = z.infer<typeof RunEvent>;

export const RunQuery = z.strictObject({
  runbookId: z.string().max(64).optional(),
  targetId: TargetId.optional(),
  status: RunStatus.optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  /** Runs created before this run (paging). */
  before: RunId.optional(),
});
export type RunQuery = z.infer<typeof RunQuery>;

/** What starts a run: a plan's choices. */
export const RunStart = z.strictObject({
  runbookId: RunbookId,
  targetId: TargetId.nullable(),
  /** Input values as typed; secret inputs are used and never stored. */
  inputs: z.record(InputName, z.string().max(10_000)).default({}),
  dryRun: z.boolean().default(false),
  /** A changing run on a locked target waits in the queue (default) or is refused. */
  whenLocked: z.enum(['queue', 'refuse']).default('queue'),
});
export type RunStart = z.infer<typeof RunStart>;
export type RunStartInput = z.input<typeof RunStart>;

/** The run update stream: a run's summary whenever its status, step or lane changes. */
export const RunUpdate = z.object({ run: RunSummary });
export type RunUpdate = z.infer<typeof RunUpdate>;

/** Secrets the runbook steps use (`secret: github-token`), kept in the keychain; only presence is shown. */
export const RunbookSecretName = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'Name secrets with lower-case letters, digits and dashes.');
export const RunbookSecretStatus = z.object({ name: z.string(), present: z.boolean() });

/** A failing probe's remediation: the runbook its drill-down offers to run. */
export const Remediation = z.object({
  probeId: z.string(),
  runbookId: RunbookId,
  targetId: TargetId.nullable(),
  inputs: z.record(z.string(), z.string()),
});
export type Remediation = z.infer<typeof Remediation>;
