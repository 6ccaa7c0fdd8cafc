/**
 * The command bar's, plan card's and approval card's models (renderer/src/areas/runbooks/*), in
 * node with no DOM: recent commands, the shortcut, the countdown and confirmation, steps by
 * phase, what a run starts with (checked against the contract main validates with), and the
 * event merge a reconnecting viewer relies on.
 */
import { describe, expect, it } from 'vitest';
import { channels } from '../../../../shared/contract';
import type { PlannedStep, RunEvent, RunbookInput } from '../../../../shared/model/runbook';
import {
  confirmationMatches,
  formatCountdown,
  initialValue,
  inputLabel,
  isCommandShortcut,
  mergeRunEvents,
  pushRecent,
  readRecent,
  RECENT_COMMANDS_KEY,
  shortHash,
  stepRecent,
  stepsByPhase,
  typedInputs,
  type KeyPress,
} from '../../../../renderer/src/areas/runbooks/command-model';

describe('recent commands', () => {
  it('keeps the newest first, without repeats, at most ten', () => {
    let recent: string[] = [];
    for (let i = 0; i < 12; i++) recent = pushRecent(recent, `healthcheck staging ${i}`);
    expect(recent).toHaveLength(10);
    expect(recent[0]).toBe('healthcheck staging 11');
    expect(recent.at(-1)).toBe('healthcheck staging 2');
    recent = pushRecent(recent, '  healthcheck staging 5 ');
    expect(recent[0]).toBe('healthcheck staging 5');
    expect(recent.filter((entry) => entry === 'healthcheck staging 5')).toHaveLength(1);
    expect(pushRecent(['a'], '   ')).toEqual(['a']);
  });

  it('reads a stored value as a list of commands, anything else as none', () => {
    expect(readRecent(['deploy backend v1 to prod', 3, '', 'healthcheck staging'])).toEqual([
      'deploy backend v1 to prod',
      'healthcheck staging',
    ]);
    expect(readRecent(null)).toEqual([]);
    expect(readRecent({ commands: [] })).toEqual([]);
  });

  it('is kept under a setting name main accepts', () => {
    expect(channels['settings:set'].request.safeParse({ key: RECENT_COMMANDS_KEY, value: ['x'] }).success).toBe(true);
  });

  it('steps older with Up and newer with Down, back to the typed text below the newest', () => {
    expect(stepRecent(-1, 'older', 3)).toBe(0);
    expect(stepRecent(0, 'older', 3)).toBe(1);
    expect(stepRecent(2, 'older', 3)).toBe(2);
    expect(stepRecent(1, 'newer', 3)).toBe(0);
    expect(stepRecent(0, 'newer', 3)).toBe(-1);
    expect(stepRecent(-1, 'newer', 3)).toBe(-1);
    expect(stepRecent(-1, 'older', 0)).toBe(-1);
  });
});

describe('the shortcut', () => {
  const key = (over: Partial<KeyPress>): KeyPress => ({
    key: 'k',
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    shiftKey: false,
    ...over,
  });
  it('is Ctrl+K off a Mac and Cmd+K on one, nothing else', () => {
    expect(isCommandShortcut(key({ ctrlKey: true }), false)).toBe(true);
    expect(isCommandShortcut(key({ ctrlKey: true, key: 'K' }), false)).toBe(true);
    expect(isCommandShortcut(key({ metaKey: true }), false)).toBe(false);
    expect(isCommandShortcut(key({ metaKey: true }), true)).toBe(true);
    expect(isCommandShortcut(key({ ctrlKey: true }), true)).toBe(false);
    expect(isCommandShortcut(key({ ctrlKey: true, shiftKey: true }), false)).toBe(false);
    expect(isCommandShortcut(key({ ctrlKey: true, key: 'j' }), false)).toBe(false);
  });
});

describe('the approval card', () => {
  const now = Date.parse('2026-11-26T14:00:00Z');
  it('counts down in mm:ss, minutes past an hour included, and stops at zero', () => {
    expect(formatCountdown('2026-11-26T14:29:59Z', now)).toBe('29:59');
    expect(formatCountdown('2026-11-26T14:00:01.900Z', now)).toBe('00:01');
    expect(formatCountdown('2026-11-26T14:30:00.400Z', now - 400)).toBe('30:00');
    expect(formatCountdown('2026-11-26T15:30:00Z', now)).toBe('90:00');
    expect(formatCountdown('2026-11-26T13:59:00Z', now)).toBe('00:00');
  });

  it('approves only on the confirmation exactly, and names the evidence by 12 characters', () => {
    expect(confirmationMatches('shop-prod', 'shop-prod')).toBe(true);
    expect(confirmationMatches(' shop-prod ', 'shop-prod')).toBe(true);
    expect(confirmationMatches('shop-pro', 'shop-prod')).toBe(false);
    expect(confirmationMatches('SHOP-PROD', 'shop-prod')).toBe(false);
    expect(confirmationMatches('', '')).toBe(false);
    expect(shortHash('a'.repeat(20) + 'b'.repeat(44))).toBe('aaaaaaaaaaaa');
  });
});

describe('the plan card', () => {
  const step = (phase: PlannedStep['phase'], id: string): PlannedStep => ({
    phase,
    id,
    kind: 'docker',
    description: id,
    changes: phase === 'action',
    repeatable: true,
  });

  it('lists steps by phase in run order, rollback under verify, empty phases left out', () => {
    const groups = stepsByPhase([
      step('summarize', 's'),
      step('action', 'a'),
      step('rollback', 'r'),
      step('preflight', 'p'),
      step('verify', 'v'),
    ]);
    expect(groups.map((group) => group.phase)).toEqual(['preflight', 'action', 'verify', 'rollback', 'summarize']);
  });

  it('starts a run with the typed values, never the [secret] stand-in, as main accepts it', () => {
    const inputs = typedInputs({ service: 'backend', token: '[secret]', force: 'false' });
    expect(inputs).toEqual({ service: 'backend', force: 'false' });
    const request = { runbookId: 'restart', targetId: 't-1', inputs, dryRun: false };
    expect(channels['runs:start'].request.safeParse(request).success).toBe(true);
    expect(channels['runbooks:plan'].request.safeParse({ runbookId: 'restart', targetId: null, inputs }).success).toBe(
      true,
    );
  });

  it('fills inputs from the given value, else the default as text, and labels them readably', () => {
    const input: RunbookInput = { name: 'imageTag', type: 'string', required: false, default: 3 };
    expect(initialValue(input, {})).toBe('3');
    expect(initialValue(input, { imageTag: 'v1.4.2' })).toBe('v1.4.2');
    expect(initialValue({ ...input, default: undefined }, {})).toBe('');
    expect(inputLabel(input)).toBe('image tag');
    expect(inputLabel({ ...input, label: 'Image tag or git ref' })).toBe('Image tag or git ref');
  });
});

describe('run events for a viewer', () => {
  const event = (seq: number): RunEvent => ({
    seq,
    at: '2026-11-26T14:00:00Z',
    level: 'info',
    phase: null,
    step: null,
    message: `e${seq}`,
    data: null,
  });

  it('appends only what it does not hold, in order, without repeats', () => {
    const held = [event(1), event(2)];
    const merged = mergeRunEvents(held, [event(2), event(4), event(3), event(3)]);
    expect(merged.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(mergeRunEvents(merged, [event(1), event(4)])).toBe(merged);
    expect(mergeRunEvents([], [event(5)]).map((e) => e.seq)).toEqual([5]);
  });
});
