/**
 * Alert rules as the UI reads and writes them: subjects as one select value, each setting's
 * effective value (probe rule, then scope rule, then the defaults, field by field), and the
 * dialog's state with an empty field meaning "as the scope / defaults say".
 */
import type {
  AlertRule,
  AlertRuleSettings,
  AlertRules,
  AlertSettings,
  AlertSubject,
  MaintenanceSubject,
} from '../../../../shared/model/alerts';
import type { ProbeSummary } from '../../../../shared/model/probe';

/** `probe:<id>`, `scope:<name>` or `all` — one value for a select. */
export function subjectKey(subject: AlertSubject | MaintenanceSubject): string {
  return subject.kind === 'probe'
    ? `probe:${subject.probeId}`
    : subject.kind === 'scope'
      ? `scope:${subject.scope}`
      : 'all';
}

export function subjectOfKey(key: string): MaintenanceSubject | undefined {
  if (key === 'all') return { kind: 'all' };
  const [kind, ...rest] = key.split(':');
  const value = rest.join(':');
  if (!value) return undefined;
  if (kind === 'probe') return { kind: 'probe', probeId: value };
  if (kind === 'scope') return { kind: 'scope', scope: value };
  return undefined;
}

/** How a subject reads: the probe's name, `scope github`, or everything. */
export function subjectName(subject: AlertSubject | MaintenanceSubject, summaries: ProbeSummary[]): string {
  if (subject.kind === 'all') return 'every probe';
  if (subject.kind === 'scope') return `scope ${subject.scope}`;
  return summaries.find((s) => s.probe.id === subject.probeId)?.probe.name ?? 'a deleted probe';
}

export function scopesOf(summaries: ProbeSummary[]): string[] {
  return [...new Set(summaries.map((s) => s.probe.scope))].sort();
}

export function ruleFor(rules: AlertRules, subject: AlertSubject): AlertRule | undefined {
  const key = subjectKey(subject);
  return rules.rules.find((r) => subjectKey(r.subject) === key);
}

/** What applies below a subject's own rule: the scope's rule over the defaults (for a probe), or the defaults. */
export function inheritedFor(rules: AlertRules, subject: AlertSubject, summaries: ProbeSummary[]): AlertSettings {
  if (subject.kind === 'scope') return rules.defaults;
  const scope = summaries.find((s) => s.probe.id === subject.probeId)?.probe.scope;
  const scopeRule = scope ? ruleFor(rules, { kind: 'scope', scope }) : undefined;
  return merge(rules.defaults, scopeRule?.settings ?? {});
}

export function effectiveFor(rules: AlertRules, subject: AlertSubject, summaries: ProbeSummary[]): AlertSettings {
  return merge(inheritedFor(rules, subject, summaries), ruleFor(rules, subject)?.settings ?? {});
}

function merge(base: AlertSettings, own: AlertRuleSettings): AlertSettings {
  const out = { ...base };
  for (const [key, value] of Object.entries(own)) if (value !== undefined) Object.assign(out, { [key]: value });
  return out;
}

export const NUMBER_SETTINGS = ['failuresToAlert', 'successesToResolve', 'reminderMinutes', 'cooldownMinutes'] as const;
export type NumberSetting = (typeof NUMBER_SETTINGS)[number];

export const SETTING_LABELS: Record<keyof AlertSettings, string> = {
  failuresToAlert: 'Failures before alert',
  successesToResolve: 'Successes before resolved',
  alertOnStale: 'Alert when stale',
  reminderMinutes: 'Reminder every (minutes)',
  cooldownMinutes: 'Cooldown (minutes)',
  channelIds: 'Channels',
};

export interface RuleFormState {
  subject: string;
  /** Empty: inherited. */
  numbers: Record<NumberSetting, string>;
  stale: 'inherit' | 'on' | 'off';
  channels: 'inherit' | 'all' | 'some';
  channelIds: string[];
}

export function ruleFormOf(subject: AlertSubject | undefined, rule: AlertRule | undefined): RuleFormState {
  const s = rule?.settings ?? {};
  const text = (value: number | undefined) => (value === undefined ? '' : String(value));
  return {
    subject: subject ? subjectKey(subject) : '',
    numbers: {
      failuresToAlert: text(s.failuresToAlert),
      successesToResolve: text(s.successesToResolve),
      reminderMinutes: text(s.reminderMinutes),
      cooldownMinutes: text(s.cooldownMinutes),
    },
    stale: s.alertOnStale === undefined ? 'inherit' : s.alertOnStale ? 'on' : 'off',
    channels: s.channelIds === undefined ? 'inherit' : s.channelIds === null ? 'all' : 'some',
    channelIds: s.channelIds ?? [],
  };
}

/** The rule's own settings from the form, with messages for numbers that are not whole numbers. */
export function ruleSettingsOf(form: RuleFormState): { settings: AlertRuleSettings; errors: Record<string, string> } {
  const settings: AlertRuleSettings = {};
  const errors: Record<string, string> = {};
  for (const key of NUMBER_SETTINGS) {
    const text = form.numbers[key].trim();
    if (!text) continue;
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
      errors[key] = 'Enter a whole number, or leave it empty to inherit.';
      continue;
    }
    settings[key] = value;
  }
  if (form.stale !== 'inherit') settings.alertOnStale = form.stale === 'on';
  if (form.channels === 'all') settings.channelIds = null;
  if (form.channels === 'some') {
    if (!form.channelIds.length) errors.channelIds = 'Pick at least one channel, or send to all of them.';
    settings.channelIds = form.channelIds;
  }
  if (!form.subject) errors.subject = 'Pick a probe or a scope.';
  return { settings, errors };
}

/** One line for a rule's card: only what it sets itself. */
export function describeSettings(settings: AlertRuleSettings, channelName: (id: string) => string): string {
  const parts: string[] = [];
  if (settings.failuresToAlert !== undefined) parts.push(`alert after ${plural(settings.failuresToAlert, 'failure')}`);
  if (settings.successesToResolve !== undefined)
    parts.push(`resolved after ${plural(settings.successesToResolve, 'success', 'successes')}`);
  if (settings.alertOnStale !== undefined) parts.push(settings.alertOnStale ? 'alerts when stale' : 'no stale alert');
  if (settings.reminderMinutes !== undefined)
    parts.push(settings.reminderMinutes ? `reminder every ${settings.reminderMinutes} min` : 'no reminders');
  if (settings.cooldownMinutes !== undefined) parts.push(`cooldown ${settings.cooldownMinutes} min`);
  if (settings.channelIds !== undefined)
    parts.push(
      settings.channelIds === null ? 'to every channel' : `to ${settings.channelIds.map(channelName).join(', ')}`,
    );
  return parts.length ? parts.join(' · ') : 'inherits everything';
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
