/**
 * What the command bar, the plan card and the approval card decide, apart from their markup (so
 * it is tested without a DOM): recent commands, the shortcut, steps by phase, what a run starts
 * with, the approval countdown and confirmation, and how a viewer merges run events.
 */
import {
  RUNBOOK_PHASES,
  type PlannedStep,
  type RiskLevel,
  type RunEvent,
  type RunbookInput,
} from '../../../../shared/model/runbook';

// ——— Recent commands ———

/** Setting names allow lower-case letters, digits and `.:_-` only (shared/contract.ts). */
export const RECENT_COMMANDS_KEY = 'runbooks.recent-commands';
export const RECENT_COMMANDS_LIMIT = 10;

/** The list with `text` first, without an older copy of it, at most ten long. */
export function pushRecent(recent: readonly string[], text: string): string[] {
  const trimmed = text.trim();
  if (!trimmed) return [...recent];
  return [trimmed, ...recent.filter((entry) => entry !== trimmed)].slice(0, RECENT_COMMANDS_LIMIT);
}

/** A stored value as a list of commands; anything else (a missing or hand-edited setting) as none. */
export function readRecent(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((entry): entry is string => typeof entry === 'string' && entry.trim() !== '')
    .slice(0, RECENT_COMMANDS_LIMIT);
}

/**
 * Where Up (`older`) or Down (`newer`) leads from `position` in the recent list (newest first);
 * -1 is the text being typed, below the newest.
 */
export function stepRecent(position: number, direction: 'older' | 'newer', length: number): number {
  if (length === 0) return -1;
  if (direction === 'older') return Math.min(position + 1, length - 1);
  return Math.max(position - 1, -1);
}

// ——— The shortcut ———

// Read through globalThis so this module also loads (and type-checks) where there is no DOM: tests.
const platform = (globalThis as { navigator?: { platform?: string } }).navigator?.platform ?? '';
export const IS_MAC = /Mac|iPhone|iPad/.test(platform);
/** The shortcut as the header button shows it. */
export const COMMAND_SHORTCUT_LABEL = IS_MAC ? '⌘K' : 'Ctrl K';

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/** Whether a key press is the command bar's shortcut: Cmd+K on a Mac, Ctrl+K elsewhere. */
export function isCommandShortcut(event: KeyPress, mac = IS_MAC): boolean {
  const modifier = mac ? event.metaKey && !event.ctrlKey : event.ctrlKey && !event.metaKey;
  return modifier && !event.altKey && !event.shiftKey && event.key.toLowerCase() === 'k';
}

// ——— Plans ———

/** How plans show a secret input's value (main never echoes it). */
export const SECRET_SHOWN = '[secret]';

export const RISK_LABELS: Record<RiskLevel, string> = {
  'read-only': 'Read only',
  'changes-prod': 'Changes prod',
  'docs-only': 'Docs only',
  'dry-run': 'Dry run only',
};

export const PHASE_LABELS: Record<PlannedStep['phase'], string> = {
  validate: 'Validate',
  preflight: 'Preflight',
  action: 'Action',
  verify: 'Verify',
  rollback: 'Rollback (when verify fails)',
  summarize: 'Summarize',
};

/** The phases in the order a run goes through them; rollback sits under verify. */
const PHASE_ORDER: PlannedStep['phase'][] = [...RUNBOOK_PHASES.slice(0, 4), 'rollback', 'summarize'];

/** The plan's steps by phase, in run order, leaving out phases without steps. */
export function stepsByPhase(steps: readonly PlannedStep[]): { phase: PlannedStep['phase']; steps: PlannedStep[] }[] {
  return PHASE_ORDER.map((phase) => ({ phase, steps: steps.filter((step) => step.phase === phase) })).filter(
    (group) => group.steps.length > 0,
  );
}

/** The values a run starts with: the plan's, without the `[secret]` stand-ins main shows for secrets. */
export function typedInputs(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).filter(([, value]) => value !== SECRET_SHOWN));
}

/** The value an input starts with: the one given, else its default, else empty. */
export function initialValue(input: RunbookInput, values: Record<string, string>): string {
  const given = values[input.name];
  if (given !== undefined) return given;
  return input.default === undefined ? '' : String(input.default);
}

/** The label people read: the runbook's, else the name with its words apart (`imageTag` → "image tag"). */
export function inputLabel(input: RunbookInput): string {
  return (
    input.label ??
    input.name
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/_/g, ' ')
      .toLowerCase()
  );
}

// ——— Approvals ———

/**
 * `mm:ss` until `expiresAt` (minutes past 59 keep counting: `90:00`); `00:00` once passed.
 * Whole seconds left, rounded down: the shared clock can be up to a tick old, and a fresh
 * 30-minute approval should not read 30:01.
 */
export function formatCountdown(expiresAt: string, now: number): string {
  const left = Math.max(0, Math.floor((Date.parse(expiresAt) - now) / 1000));
  if (Number.isNaN(left)) return '--:--';
  const minutes = Math.floor(left / 60);
  const seconds = left % 60;
  return `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
}

/** The first 12 characters of the evidence hash: enough to compare by eye with the audit log. */
export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

/** Whether the typed text approves: the confirmation exactly, ignoring spaces around it. */
export function confirmationMatches(typed: string, confirmText: string): boolean {
  return typed.trim() === confirmText && confirmText !== '';
}

// ——— Run events ———

/** Appends events the list does not hold yet, keeping sequence order. */
export function mergeRunEvents(held: RunEvent[], incoming: RunEvent[]): RunEvent[] {
  const last = held.at(-1)?.seq ?? 0;
  const fresh = incoming.filter((event) => event.seq > last).sort((a, b) => a.seq - b.seq);
  if (fresh.length === 0) return held;
  const deduped = fresh.filter((event, index) => index === 0 || event.seq !== fresh[index - 1]?.seq);
  return [...held, ...deduped];
}
