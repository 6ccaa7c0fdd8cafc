/**
 * Runbooks as the API sees them: the catalog, the command bar's plans, runs (the executor and
 * its store), runbook secrets and probe remediations, behind one object.
 */
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../../node/clock';
import { ApiError } from '../../../shared/errors';
import type {
  CommandResult,
  Remediation,
  RunbookSummary,
  RunDetail,
  RunEvent,
  RunOrigin,
  RunPlan,
  RunQuery,
  RunStart,
  RunSummary,
} from '../../../shared/model/runbook';
import type { AuditLog } from '../audit/audit-log';
import type { CredentialBackend } from '../credentials/credential-backend';
import type { Db } from '../store/database';
import type { TargetsService } from '../targets/targets-service';
import { RunExecutor } from './executor';
import { buildPlan, checkInputs, withCommandProblems } from './run-plan';
import { RunbookCatalog, RUNBOOKS_DIR, type RunbookSource, type SaveOutcome } from './runbook-catalog';
import { RunStore, type RunStoreOptions } from './run-store';
import { RunbookSecrets } from './runbook-secrets';
import { Remediations } from './remediations';
import { RunOwners, RUN_OWNERS_DIR } from './run-owners';
import { parseCommand } from '../../../shared/runbook-command';
import type { StepServices } from './step-kind';

export interface RunbooksServiceOptions {
  /** The watched folder of YAML runbooks; default `<data dir>/runbooks`. */
  folder?: string;
  store?: RunStoreOptions;
  /** Who starts runs from this process; default the OS user. */
  user?: string;
}

export interface RunbooksServiceDeps {
  db: Db;
  dataDir: string;
  credentials: CredentialBackend;
  targets: TargetsService;
  audit: AuditLog;
  clock: Clock;
  /** The services steps use (everything but the runbook secrets, added here). */
  steps: Omit<StepServices, 'secret'>;
  options?: RunbooksServiceOptions;
}

export class RunbooksService {
  readonly catalog: RunbookCatalog;
  readonly store: RunStore;
  readonly executor: RunExecutor;
  readonly secrets: RunbookSecrets;
  readonly remediations: Remediations;
  private readonly targets: TargetsService;
  private readonly clock: Clock;

  constructor({ db, dataDir, credentials, targets, audit, clock, steps, options = {} }: RunbooksServiceDeps) {
    this.targets = targets;
    this.clock = clock;
    this.catalog = new RunbookCatalog(options.folder ?? join(dataDir, RUNBOOKS_DIR), clock);
    this.store = new RunStore(db, dataDir, clock, options.store);
    this.secrets = new RunbookSecrets(db, credentials, clock);
    // A remediation names a runbook that loads and a target that exists (get throws the ApiError).
    this.remediations = new Remediations(db, ({ runbookId, targetId }) => {
      this.catalog.get(runbookId);
      if (targetId !== null) targets.get(targetId);
    });
    this.executor = new RunExecutor({
      store: this.store,
      catalog: this.catalog,
      targets,
      audit,
      clock,
      user: options.user ?? currentUser(),
      owners: new RunOwners(join(dataDir, RUN_OWNERS_DIR)),
      steps: { ...steps, secret: (name) => this.secrets.value(name) },
    });
  }

  start(): void {
    this.store.start();
    this.catalog.start();
    this.executor.start();
  }

  dispose(): void {
    this.executor.dispose();
    this.catalog.dispose();
    this.store.dispose();
  }

  list(): RunbookSummary[] {
    return this.catalog.list();
  }

  source(id: string): RunbookSource {
    return this.catalog.source(id);
  }

  check(yaml: string) {
    return this.catalog.check(yaml);
  }

  save(yaml: string, previousId?: string): SaveOutcome {
    return this.catalog.save(yaml, previousId);
  }

  delete(id: string): { id: string } {
    this.catalog.delete(id);
    return { id };
  }

  /** The command bar: a plan for a recognised command, the closest runbooks otherwise. */
  command(text: string): CommandResult {
    const parsed = parseCommand(text, this.catalog.list(), this.targets.list(), new Date(this.clock.now()));
    if (parsed.kind === 'unrecognised') return parsed;
    return { kind: 'plan', command: text, plan: withCommandProblems(this.plan(parsed.runbookId, parsed.targetId, parsed.inputs), parsed.problems) };
  }

  plan(runbookId: string, targetId: string | null, inputs: Record<string, string>): RunPlan {
    const runbook = this.catalog.get(runbookId);
    return buildPlan(runbook, checkInputs(runbook, targetId, inputs, this.targets.list(), { now: this.clock.now() }));
  }

  startRun(request: RunStart, origin: RunOrigin): RunSummary {
    return this.executor.startRun(request, { origin });
  }

  listRuns(query: RunQuery): RunSummary[] {
    return this.store.listRuns(query);
  }

  detail(runId: string): RunDetail {
    return this.executor.detail(runId);
  }

  events(runId: string, after: number, limit?: number): { events: RunEvent[]; lastSeq: number } {
    const run = this.store.getRun(runId);
    return { events: this.store.eventsAfter(runId, after, limit), lastSeq: run.lastSeq };
  }

  followEvents(runId: string, after: number, emit: (events: RunEvent[]) => void): () => void {
    this.store.getRun(runId);
    return this.store.follow(runId, after, emit);
  }

  onRunUpdate(listener: (run: RunSummary) => void): () => void {
    return this.store.onUpdate(listener);
  }

  cancel(runId: string): RunSummary {
    return this.executor.cancel(runId);
  }

  approve(runId: string, confirmation: string, evidenceHash: string): RunSummary {
    return this.executor.approve(runId, confirmation, evidenceHash);
  }

  retry(runId: string, resume: boolean, origin: RunOrigin): RunSummary {
    return this.executor.retry(runId, resume, origin);
  }

  artifact(runId: string, artifactId: string, offset?: number) {
    return this.store.readArtifact(runId, artifactId, offset);
  }

  /** Starts a probe's remediation runbook: the same plan, approval and lock as any run. */
  remediate(probeId: string, dryRun: boolean): RunSummary {
    const remediation: Remediation | null = this.remediations.get(probeId);
    if (!remediation) throw new ApiError('not-found', 'This probe has no remediation runbook — choose one in its drill-down first.');
    return this.executor.startRun(
      { runbookId: remediation.runbookId, targetId: remediation.targetId, inputs: remediation.inputs, dryRun, whenLocked: 'queue' },
      { origin: 'remediation' },
    );
  }
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
