/**
 * `opsctl runbooks list`, `opsctl run RUNBOOK …` and `opsctl runs list | show | cancel | approve`:
 * runbooks and their runs from a terminal, through the contract like every other command.
 *
 * `opsctl run` is its own process with its own services, so the run it starts lives in it: the
 * executor is per process. It prints the run's events as they come (NDJSON, or lines with
 * `--plain`) and exits with the run's outcome: 0 when it succeeded, 1 when it ended any other way.
 * Ctrl+C cancels the run (the running step is aborted) and waits for it to end.
 *
 * Approvals, since no other process can reach this one's run:
 * - stdin a terminal: the evidence is shown and the target's name asked for, as the app's card does;
 * - otherwise `--approve NAME` gives the typed confirmation up front, and `--evidence HASH` binds it
 *   to evidence seen before (a run stopped at the gate prints the hash): different evidence at the
 *   gate cancels the run instead of approving it;
 * - with neither, the run goes as far as the gate, prints the evidence and its hash, and is canceled
 *   with nothing changed, so the next `opsctl run … --approve NAME --evidence HASH` approves exactly that.
 * A stale approval (a preflight fact changed after it) is asked again on a terminal and never
 * approved by itself without one.
 */
import { ApiError } from '../../shared/errors';
import type {
  ApprovalRequest,
  RunDetail,
  RunEvent,
  RunStatus,
  RunSummary,
  RunbookSummary,
} from '../../shared/model/runbook';
import { ACTIVE_RUN_STATUSES, RUN_STATUSES } from '../../shared/model/runbook';
import type { Target } from '../../shared/model/target';
import type { ControlRoomApi } from '../../shared/transport';
import { UsageError } from './session';

export interface RunbooksCommandOptions {
  plain: boolean;
  input?: string[] | undefined;
  target?: string | undefined;
  runbook?: string | undefined;
  status?: string | undefined;
  limit?: string | undefined;
  'dry-run'?: boolean | undefined;
  'refuse-if-locked'?: boolean | undefined;
  approve?: string | undefined;
  confirm?: string | undefined;
  evidence?: string | undefined;
  events?: boolean | undefined;
}

export interface RunbooksIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Ctrl+C: cancels a run that `opsctl run` started. */
  stop: AbortSignal;
  /** The saved target named with --target (by name or id). */
  target: (wanted: string) => Promise<Target>;
  /** Asks a person at a terminal (stdin a TTY) and resolves with the line typed; absent otherwise. */
  prompt?: ((question: string, signal: AbortSignal) => Promise<string>) | undefined;
}

const EVIDENCE_HASH = /^[a-f0-9]{64}$/;

/** `opsctl runbooks [list]`. */
export async function runbooksCommand(
  api: ControlRoomApi,
  positionals: string[],
  options: RunbooksCommandOptions,
  io: RunbooksIo,
): Promise<number> {
  const [sub] = positionals;
  if (sub !== undefined && sub !== 'list') throw new UsageError(`Unknown runbooks command "${sub}": use list.`);
  const runbooks = await api.invoke('runbooks:list', {});
  if (options.plain) plainRunbooks(runbooks).forEach((line) => io.out(line));
  else io.out(JSON.stringify(runbooks, null, 2));
  return 0;
}

/** `opsctl runs list | show RUN | cancel RUN | approve RUN --confirm NAME [--evidence HASH]`. */
export async function runsCommand(
  api: ControlRoomApi,
  positionals: string[],
  options: RunbooksCommandOptions,
  io: RunbooksIo,
): Promise<number> {
  const [sub, runId] = positionals;
  const print = (value: unknown) => io.out(JSON.stringify(value, null, 2));
  switch (sub) {
    case 'list':
    case undefined: {
      const limit = options.limit === undefined ? undefined : Number(options.limit);
      if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 1000))
        throw new UsageError('--limit takes a whole number from 1 to 1000.');
      if (options.status !== undefined && !(RUN_STATUSES as readonly string[]).includes(options.status)) {
        throw new UsageError(`--status takes one of ${RUN_STATUSES.join(', ')}.`);
      }
      const targetId = options.target ? (await io.target(options.target)).id : undefined;
      const runs = await api.invoke('runs:list', {
        ...(options.runbook ? { runbookId: options.runbook } : {}),
        ...(targetId ? { targetId } : {}),
        ...(options.status ? { status: options.status as RunStatus } : {}),
        ...(limit ? { limit } : {}),
      });
      if (options.plain) {
        if (!runs.length) io.out('No runs match.');
        runs.forEach((run) => io.out(plainRunLine(run)));
      } else {
        print(runs);
      }
      return 0;
    }
    case 'show': {
      const id = requireRunId(runId, 'show');
      const detail = await api.invoke('runs:get', { id });
      const events = options.events ? await allEvents(api, id, 0) : undefined;
      if (options.plain) {
        plainDetail(detail).forEach((line) => io.out(line));
        events?.forEach((event) => io.out(plainEvent(event)));
      } else {
        print(events ? { ...detail, events } : detail);
      }
      return 0;
    }
    case 'cancel': {
      const id = requireRunId(runId, 'cancel');
      await refuseElsewhere(api, id, 'cancel');
      const run = await api.invoke('runs:cancel', { id });
      if (options.plain) io.out(plainRunLine(run));
      else print(run);
      return 0;
    }
    case 'approve': {
      const id = requireRunId(runId, 'approve');
      if (!options.confirm) throw new UsageError('Approving takes the typed confirmation: --confirm <target name>.');
      const current = await api.invoke('runs:get', { id });
      if (current.run.status !== 'awaiting-approval')
        throw new ApiError('conflict', `Run ${id} is not waiting for an approval (it is ${current.run.status}).`);
      await refuseElsewhere(api, id, 'approve');
      const evidenceHash = options.evidence ?? current.approval?.evidence.hash;
      if (!evidenceHash) throw new ApiError('conflict', `Run ${id} is not waiting for an approval.`);
      if (!EVIDENCE_HASH.test(evidenceHash)) throw new UsageError('--evidence takes the evidence hash: 64 hex digits.');
      const run = await api.invoke('runs:approve', { id, confirmation: options.confirm, evidenceHash });
      if (options.plain) io.out(plainRunLine(run));
      else print(run);
      return 0;
    }
    default:
      throw new UsageError(`Unknown runs command "${sub}": use list, show, cancel or approve.`);
  }
}

/**
 * A `runs cancel | approve` process starts no runs, so an active run always lives in another
 * process (a crashed one's runs were marked interrupted when this one started): only that
 * process's executor can abort its step or release its gate.
 */
async function refuseElsewhere(api: ControlRoomApi, id: string, verb: 'cancel' | 'approve'): Promise<void> {
  const { run } = await api.invoke('runs:get', { id });
  if ((ACTIVE_RUN_STATUSES as readonly string[]).includes(run.status)) {
    throw new ApiError(
      'conflict',
      `Run ${id} is running in another Control Room process (${run.origin === 'opsctl' ? 'an opsctl run' : 'the app'}); ${verb} it there.`,
    );
  }
}

function requireRunId(runId: string | undefined, sub: string): string {
  if (!runId) throw new UsageError(`Name the run: opsctl runs ${sub} <run id> (opsctl runs list lists them).`);
  return runId;
}

/** Every event after `after`, read in pages. */
async function allEvents(api: ControlRoomApi, id: string, after: number): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  let cursor = after;
  for (;;) {
    const page = await api.invoke('runs:events', { id, after: cursor, limit: 50_000 });
    events.push(...page.events);
    if (!page.events.length || cursor >= page.lastSeq) return events;
    cursor = page.events[page.events.length - 1]!.seq;
    if (cursor >= page.lastSeq) return events;
  }
}

/** `k=v` pairs as inputs; the same name twice is a mistake, not a choice of the last. */
export function parseInputs(pairs: readonly string[]): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) throw new UsageError(`--input takes name=value (got "${pair}").`);
    const name = pair.slice(0, at);
    if (Object.hasOwn(inputs, name)) throw new UsageError(`--input ${name} is given twice.`);
    inputs[name] = pair.slice(at + 1);
  }
  return inputs;
}

/** `opsctl run RUNBOOK --target T --input k=v … [--dry-run] [--refuse-if-locked] [--approve NAME] [--evidence HASH]`. */
export async function runCommand(
  api: ControlRoomApi,
  positionals: string[],
  options: RunbooksCommandOptions,
  io: RunbooksIo,
): Promise<number> {
  const [runbookId, extra] = positionals;
  if (!runbookId)
    throw new UsageError(
      'Name the runbook: opsctl run <runbook> --target <target> --input name=value (opsctl runbooks list lists them).',
    );
  if (extra)
    throw new UsageError(
      `One runbook at a time (got "${runbookId}" and "${extra}"); inputs go with --input name=value.`,
    );
  if (options.evidence !== undefined && !EVIDENCE_HASH.test(options.evidence))
    throw new UsageError('--evidence takes the evidence hash: 64 hex digits.');
  if (options.evidence !== undefined && options.approve === undefined)
    throw new UsageError('--evidence binds an approval: give --approve <target name> with it.');
  const inputs = parseInputs(options.input ?? []);
  const dryRun = Boolean(options['dry-run']);

  const runbook = (await api.invoke('runbooks:list', {})).find((r) => r.id === runbookId);
  if (!runbook) throw new ApiError('not-found', `No runbook called "${runbookId}" — opsctl runbooks list lists them.`);
  if (runbook.errors.length) {
    const first = runbook.errors[0]!;
    throw new ApiError(
      'invalid-request',
      `${runbook.file ?? runbook.id}${first.line ? ` line ${first.line}` : ''}: ${first.message} — fix the file first.`,
    );
  }
  // As other commands do: without --target, the only saved target (the plan says when one is needed).
  const targets = options.target ? [] : await api.invoke('targets:list', {});
  const target = options.target ? await io.target(options.target) : targets.length === 1 ? targets[0]! : null;
  const plan = await api.invoke('runbooks:plan', { runbookId, targetId: target?.id ?? null, inputs });
  if (plan.problems.length) {
    const onTheCommandLine = (problem: string) =>
      problem.startsWith('Choose a target')
        ? problem.replace(/\.$/, ' with --target NAME (opsctl targets lists them).')
        : problem;
    throw new UsageError(plan.problems.map(onTheCommandLine).join(' '));
  }

  const follower = new RunFollower(api, options.plain, io);
  await follower.watchUpdates();
  try {
    const started = await api.invoke('runs:start', {
      runbookId,
      targetId: target?.id ?? null,
      inputs,
      dryRun,
      whenLocked: options['refuse-if-locked'] ? 'refuse' : 'queue',
    });
    io.err(
      `opsctl: started ${started.id} (${started.runbookTitle}${started.targetName ? ` on ${started.targetName}` : ''}${dryRun ? ', dry run' : ''}).`,
    );
    const gate = new ApprovalGate(api, io, options.approve, options.evidence);
    const ended = await follower.follow(started, (run) => gate.consider(run));
    io.err(`opsctl: ${ended.id} ${ended.status}${ended.statusMessage ? `: ${ended.statusMessage}` : '.'}`);
    return ended.status === 'succeeded' ? 0 : 1;
  } finally {
    follower.close();
  }
}

/**
 * Prints a run's events as they come and resolves once the run has ended with every event
 * printed exactly once: the stream from sequence 0, then what the store holds after the last one
 * printed (the end can be reported before the last batch of events is delivered).
 */
class RunFollower {
  private lastSeq = 0;
  private runId: string | null = null;
  private readonly early: RunSummary[] = [];
  private onUpdate: ((run: RunSummary) => void) | null = null;
  private readonly unsubscribes: (() => void)[] = [];

  constructor(
    private readonly api: ControlRoomApi,
    private readonly plain: boolean,
    private readonly io: RunbooksIo,
  ) {}

  /** Subscribed before the run starts, so an end that comes at once is not missed. */
  async watchUpdates(): Promise<void> {
    this.unsubscribes.push(
      await this.api.subscribe('runs:updates', {}, ({ run }) => {
        if (this.onUpdate) {
          if (run.id === this.runId) this.onUpdate(run);
        } else {
          this.early.push(run);
        }
      }),
    );
  }

  async follow(started: RunSummary, onActive: (run: RunSummary) => Promise<void>): Promise<RunSummary> {
    this.runId = started.id;
    this.unsubscribes.push(
      await this.api.subscribe('runs:events', { runId: started.id, after: 0 }, ({ events }) => this.print(events)),
    );
    let canceling = false;
    const cancel = () => {
      if (canceling) return;
      canceling = true;
      this.io.err(`opsctl: canceling ${started.id}…`);
      this.api
        .invoke('runs:cancel', { id: started.id })
        .catch((error: unknown) => this.io.err(`opsctl: ${error instanceof Error ? error.message : String(error)}`));
    };
    const ended = await new Promise<RunSummary>((resolve, reject) => {
      // Updates are handled one after another: an approval prompt finishes before the next is looked at.
      let queue = Promise.resolve();
      const consider = (run: RunSummary) => {
        queue = queue
          .then(async () => {
            if (!(ACTIVE_RUN_STATUSES as readonly string[]).includes(run.status)) {
              this.io.stop.removeEventListener('abort', cancel);
              resolve(run);
            } else if (!canceling) {
              await onActive(run);
            }
          })
          .catch((error: unknown) => {
            // A refused approval (or a failed call) must not leave this process's run waiting.
            this.io.err(`opsctl: ${error instanceof Error ? error.message : String(error)}`);
            cancel();
          });
      };
      if (this.io.stop.aborted) cancel();
      else this.io.stop.addEventListener('abort', cancel, { once: true });
      this.onUpdate = consider;
      for (const run of this.early.splice(0)) if (run.id === started.id) consider(run);
      // The run may have moved on before the subscription saw it: its state now counts too.
      this.api.invoke('runs:get', { id: started.id }).then(({ run }) => consider(run), reject);
    });
    this.print(await allEvents(this.api, started.id, this.lastSeq));
    return ended;
  }

  private print(events: RunEvent[]): void {
    for (const event of events) {
      if (event.seq <= this.lastSeq) continue;
      this.lastSeq = event.seq;
      this.io.out(this.plain ? plainEvent(event) : JSON.stringify({ runId: this.runId, ...event }));
    }
  }

  close(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
  }
}

/**
 * What `opsctl run` does at an approval gate of its own run: ask at a terminal, use the
 * confirmation given up front, or show the evidence and refuse. Each request (evidence hash and
 * time asked) is handled once.
 */
class ApprovalGate {
  private readonly handled = new Set<string>();
  private approvedOnce = false;

  constructor(
    private readonly api: ControlRoomApi,
    private readonly io: RunbooksIo,
    private readonly confirmation: string | undefined,
    private readonly evidenceHash: string | undefined,
  ) {}

  async consider(run: RunSummary): Promise<void> {
    if (run.status !== 'awaiting-approval') return;
    const detail = await this.api.invoke('runs:get', { id: run.id });
    const approval = detail.approval;
    if (!approval || approval.approvedAt || detail.run.status !== 'awaiting-approval') return;
    const key = `${approval.evidence.hash}@${approval.requestedAt}`;
    if (this.handled.has(key)) return;
    this.handled.add(key);
    evidenceLines(detail, approval).forEach((line) => this.io.err(line));

    let typed: string;
    if (this.io.prompt) {
      const ended = new AbortController();
      const watch = setInterval(() => {
        this.api.invoke('runs:get', { id: run.id }).then(
          ({ run: now }) => now.status !== 'awaiting-approval' && ended.abort(),
          () => undefined,
        );
      }, 1000);
      try {
        typed = await this.io.prompt(
          `Type ${approval.confirmText} to approve (anything else cancels the run): `,
          ended.signal,
        );
      } catch {
        return; // the run ended (expired, canceled) while the question was open
      } finally {
        clearInterval(watch);
      }
    } else if (this.confirmation === undefined) {
      throw new ApiError(
        'confirmation-required',
        `${run.targetName ?? 'This target'} needs an approval: review the evidence above, then run again with --approve ${approval.confirmText} --evidence ${approval.evidence.hash}.`,
      );
    } else if (this.approvedOnce || approval.changed.length) {
      throw new ApiError(
        'conflict',
        `The facts changed after the approval (${changedText(approval)}); nothing was changed — run again to approve the new evidence.`,
      );
    } else if (this.evidenceHash && this.evidenceHash !== approval.evidence.hash) {
      throw new ApiError(
        'conflict',
        `The evidence at the gate (${approval.evidence.hash.slice(0, 12)}) is not the one approved (${this.evidenceHash.slice(0, 12)}); nothing was changed — review it and run again.`,
      );
    } else {
      typed = this.confirmation;
    }
    await this.api.invoke('runs:approve', { id: run.id, confirmation: typed, evidenceHash: approval.evidence.hash });
    this.approvedOnce = true;
    this.io.err(`opsctl: approved (evidence ${approval.evidence.hash.slice(0, 12)}).`);
  }
}

function changedText(approval: ApprovalRequest): string {
  if (!approval.changed.length) return 'asked again';
  return approval.changed.map((c) => `${c.label}: ${c.before} → ${c.after}`).join('; ');
}

/** The approval card as lines on stderr: facts, what will change, what changed since, the hash. */
function evidenceLines(detail: RunDetail, approval: ApprovalRequest): string[] {
  const { run } = detail;
  return [
    `opsctl: ${run.id} (${run.runbookTitle} on ${run.targetName ?? '?'}, ${run.environment ?? '?'}) is waiting for an approval until ${approval.expiresAt}.`,
    ...(approval.changed.length
      ? ['Changed since the last approval:', ...approval.changed.map((c) => `  ${c.label}: ${c.before} → ${c.after}`)]
      : []),
    'Evidence:',
    ...approval.evidence.facts.map((f) => `  ${f.label}: ${f.value}`),
    'Will change:',
    ...(approval.evidence.changes.length ? approval.evidence.changes.map((c) => `  ${c}`) : ['  (nothing listed)']),
    `Evidence hash: ${approval.evidence.hash}`,
  ];
}

// ——— plain output ———

export function plainRunbooks(runbooks: RunbookSummary[]): string[] {
  if (!runbooks.length) return ['No runbooks.'];
  const lines: string[] = [];
  for (const r of runbooks) {
    const where = r.source === 'file' ? (r.file ?? 'file') : 'built-in';
    lines.push(
      `${r.id.padEnd(20)} ${r.risk.padEnd(13)} ${where.padEnd(24)} ${r.errors.length ? `(does not load) ${r.title}` : r.title}`,
    );
    for (const e of r.errors)
      lines.push(`  ${where}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : ''} ${e.message}`);
  }
  return lines;
}

export function plainRunLine(run: RunSummary): string {
  const took = run.durationMs === null ? '' : `${(run.durationMs / 1000).toFixed(1)} s`;
  return [
    run.id,
    run.status.padEnd(17),
    run.runbookId.padEnd(14),
    (run.targetName ?? '-').padEnd(16),
    run.origin.padEnd(11),
    run.createdAt,
    took.padStart(8),
    run.statusMessage,
  ]
    .join('  ')
    .trimEnd();
}

function plainDetail(detail: RunDetail): string[] {
  const { run } = detail;
  const lines = [
    `${run.id}  ${run.runbookTitle} on ${run.targetName ?? '-'}${run.dryRun ? ' (dry run)' : ''}`,
    `status ${run.status}${run.statusMessage ? `: ${run.statusMessage}` : ''}`,
    `started by ${run.startedBy} from ${run.origin}${run.lane ? `, lane ${run.lane}` : ''}, created ${run.createdAt}`,
    ...Object.entries(run.inputs).map(([k, v]) => `input ${k} = ${v}`),
    'steps:',
    ...detail.steps.map(
      (s) =>
        `  ${s.phase}/${s.id}`.padEnd(32) +
        ` ${s.state.padEnd(10)} ${s.durationMs === null ? '' : `${Math.round(s.durationMs)} ms `}${s.message || s.description}`,
    ),
  ];
  if (detail.artifacts.length)
    lines.push('artifacts:', ...detail.artifacts.map((a) => `  ${a.name} (${a.bytes} bytes)`));
  if (detail.summary) lines.push('summary:', ...detail.summary.split('\n').map((l) => `  ${l}`));
  return lines;
}

/** `time level [phase/step] message`. */
export function plainEvent(event: RunEvent): string {
  const where = event.phase ? ` [${event.phase}${event.step ? `/${event.step}` : ''}]` : '';
  return `${event.at} ${event.level.padEnd(6)}${where} ${event.message}`;
}
