/**
 * Runs and steps in words: status labels and tones, step state marks, durations that tick while
 * something runs, and the routes of the Runbooks area.
 */
import type { RunOrigin, RunStatus, RunSummary, StepState } from '../../../../shared/model/runbook';
import { ACTIVE_RUN_STATUSES } from '../../../../shared/model/runbook';
import { formatDuration } from '../../components/format';

export type Tone = 'ok' | 'warn' | 'danger' | 'info' | 'muted';

export const STATUS_LABELS: Record<RunStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  'awaiting-approval': 'Awaiting approval',
  succeeded: 'Succeeded',
  failed: 'Failed',
  canceled: 'Canceled',
  interrupted: 'Interrupted',
  'approval-expired': 'Approval expired',
  refused: 'Refused',
};

export const STATUS_TONES: Record<RunStatus, Tone> = {
  queued: 'muted',
  running: 'info',
  'awaiting-approval': 'warn',
  succeeded: 'ok',
  failed: 'danger',
  canceled: 'muted',
  interrupted: 'warn',
  'approval-expired': 'warn',
  refused: 'danger',
};

export const ORIGIN_LABELS: Record<RunOrigin, string> = {
  app: 'app',
  opsctl: 'opsctl',
  remediation: 'remediation',
};

/** A mark and a word per step state: the mark for the eye, the word for everyone. */
export const STEP_STATES: Record<StepState, { mark: string; label: string; tone: Tone }> = {
  pending: { mark: '○', label: 'Pending', tone: 'muted' },
  running: { mark: '◐', label: 'Running', tone: 'info' },
  succeeded: { mark: '✓', label: 'Done', tone: 'ok' },
  failed: { mark: '✕', label: 'Failed', tone: 'danger' },
  skipped: { mark: '–', label: 'Skipped', tone: 'muted' },
  canceled: { mark: '⊘', label: 'Canceled', tone: 'muted' },
  described: { mark: '≡', label: 'Described', tone: 'info' },
  reused: { mark: '↺', label: 'Reused', tone: 'ok' },
};

export function isActive(status: RunStatus): boolean {
  return ACTIVE_RUN_STATUSES.includes(status);
}

/**
 * How long something ran: its recorded duration once ended, else from its start to `now`
 * (ticking); undefined before it started.
 */
export function elapsedMs(
  item: { startedAt: string | null; endedAt: string | null; durationMs: number | null },
  now: number,
): number | undefined {
  if (item.durationMs !== null && item.endedAt) return item.durationMs;
  if (!item.startedAt) return undefined;
  const started = Date.parse(item.startedAt);
  if (Number.isNaN(started)) return undefined;
  const ended = item.endedAt ? Date.parse(item.endedAt) : now;
  return Math.max(0, ended - started);
}

/** `850 ms`, `12s`, `3m 04s`; '—' when it never started. */
export function formatElapsed(ms: number | undefined): string {
  if (ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return formatDuration(ms);
}

/** "shop-prod (prod)", "no target". */
export function targetText(run: Pick<RunSummary, 'targetName' | 'environment'>): string {
  if (!run.targetName) return 'no target';
  return run.environment ? `${run.targetName} (${run.environment})` : run.targetName;
}

// ——— Routes: `#/runbooks`, `#/runbooks/list`, `#/runbooks/secrets`, `#/runbooks/run/<id>`,
// `#/runbooks/edit/<id>`, `#/runbooks/new` ———

export type RunbooksRoute =
  | { view: 'runs' }
  | { view: 'list' }
  | { view: 'secrets' }
  | { view: 'run'; runId: string }
  | { view: 'edit'; runbookId: string }
  | { view: 'new' };

export function parseRunbooksRoute(rest: string): RunbooksRoute {
  const [head = '', ...tail] = rest.split('/');
  const id = decodeURIComponent(tail.join('/'));
  switch (head) {
    case 'list':
      return { view: 'list' };
    case 'secrets':
      return { view: 'secrets' };
    case 'new':
      return { view: 'new' };
    case 'run':
      return id ? { view: 'run', runId: id } : { view: 'runs' };
    case 'edit':
      return id ? { view: 'edit', runbookId: id } : { view: 'list' };
    default:
      return { view: 'runs' };
  }
}
