/**
 * Alert rules, dependencies, maintenance windows and the alert history.
 *
 * A rule belongs to a probe or to a scope; each setting left out falls through, field by field,
 * from the probe's rule to its scope's rule to the defaults below. A dependency says a probe (or
 * every probe of a scope) depends on a parent probe or scope: while the parent fails, the
 * dependant's alerts are held. A maintenance window mutes a probe, a scope or everything, now for
 * a while or on a weekly schedule (local time). Every decision the alerting makes — sent, held,
 * muted, throttled — is kept with its reason and, for a sent one, each channel's outcome.
 */
import { z } from 'zod';
import { ProbeId } from './probe';

const ScopeName = z
  .string()
  .trim()
  .min(1, 'Name the scope, like github.')
  .max(40)
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'Use lower-case letters, digits, dots, dashes or underscores.');

/** What a rule or a dependency is about: one probe, or every probe of a scope. */
export const AlertSubject = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('probe'), probeId: ProbeId }),
  z.strictObject({ kind: z.literal('scope'), scope: ScopeName }),
]);
export type AlertSubject = z.infer<typeof AlertSubject>;

/** What a maintenance window mutes: a probe, a scope, or everything. */
export const MaintenanceSubject = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('probe'), probeId: ProbeId }),
  z.strictObject({ kind: z.literal('scope'), scope: ScopeName }),
  z.strictObject({ kind: z.literal('all') }),
]);
export type MaintenanceSubject = z.infer<typeof MaintenanceSubject>;

export const ChannelId = z.string().min(1).max(64);

/** Every setting of a rule, as they apply to a probe once probe rule, scope rule and defaults are merged. */
export const AlertSettings = z.strictObject({
  /** Consecutive failed runs before an alert is sent. */
  failuresToAlert: z.number().int().min(1, 'Alert after at least 1 failure.').max(100),
  /** Consecutive successful runs (ok or warn) before a "resolved" message. */
  successesToResolve: z.number().int().min(1, 'Resolve after at least 1 success.').max(100),
  /** Alert when the probe has no result within its SLA window. */
  alertOnStale: z.boolean(),
  /** Minutes between reminders while it stays failing; 0: no reminders. Never more often than the cooldown. */
  reminderMinutes: z.number().int().min(0).max(7 * 24 * 60),
  /** Minutes after a message about a probe before the next one about it may be sent. */
  cooldownMinutes: z.number().int().min(0).max(24 * 60),
  /** Channels that receive this probe's messages; null: every channel. */
  channelIds: z.array(ChannelId).max(50).nullable(),
});
export type AlertSettings = z.infer<typeof AlertSettings>;

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  failuresToAlert: 3,
  successesToResolve: 2,
  alertOnStale: true,
  reminderMinutes: 60,
  cooldownMinutes: 5,
  channelIds: null,
};

/** A rule's own settings: each one left out falls through to the scope's rule, then the defaults. */
export const AlertRuleSettings = AlertSettings.partial();
export type AlertRuleSettings = z.infer<typeof AlertRuleSettings>;

export const AlertRule = z.object({
  subject: AlertSubject,
  settings: AlertRuleSettings,
  updatedAt: z.string(),
});
export type AlertRule = z.infer<typeof AlertRule>;

export const AlertRules = z.object({ defaults: AlertSettings, rules: z.array(AlertRule) });
export type AlertRules = z.infer<typeof AlertRules>;

export const AlertDependencyId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'Not a dependency id.');

/** `dependant` depends on `parent`: while the parent fails, the dependant's alerts are held. */
export const AlertDependency = z.object({
  id: AlertDependencyId,
  dependant: AlertSubject,
  parent: AlertSubject,
  /** The parent as people read it: the probe's name, or `scope <name>`. */
  parentName: z.string(),
  createdAt: z.string(),
});
export type AlertDependency = z.infer<typeof AlertDependency>;

const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Write the time as HH:MM, like 02:30.');

/** When a window applies: from now for a while, or every week on some days from a local time. */
export const MaintenanceSchedule = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('once'),
    startsAt: z.string(),
    endsAt: z.string(),
  }),
  z.strictObject({
    kind: z.literal('recurring'),
    /** 0 Sunday … 6 Saturday. */
    days: z.array(z.number().int().min(0).max(6)).min(1, 'Pick at least one day.').max(7),
    /** Local time of day the window starts. */
    start: TimeOfDay,
    durationMinutes: z.number().int().min(1).max(7 * 24 * 60),
  }),
]);
export type MaintenanceSchedule = z.infer<typeof MaintenanceSchedule>;

export const MaintenanceId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'Not a maintenance window id.');

export const MaintenanceWindow = z.object({
  id: MaintenanceId,
  subject: MaintenanceSubject,
  reason: z.string(),
  schedule: MaintenanceSchedule,
  /** True while the window mutes its subject. */
  active: z.boolean(),
  createdAt: z.string(),
});
export type MaintenanceWindow = z.infer<typeof MaintenanceWindow>;

/** What `alerts:addMaintenance` takes: now for some minutes (the UI offers 1 h), or a weekly window. */
export const MaintenanceDraft = z.strictObject({
  subject: MaintenanceSubject,
  reason: z.string().trim().max(200).default(''),
  window: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('now'), durationMinutes: z.number().int().min(1).max(30 * 24 * 60).default(60) }),
    z.strictObject({
      kind: z.literal('recurring'),
      days: z.array(z.number().int().min(0).max(6)).min(1, 'Pick at least one day.').max(7),
      start: TimeOfDay,
      durationMinutes: z.number().int().min(1).max(7 * 24 * 60),
    }),
  ]),
});
export type MaintenanceDraft = z.infer<typeof MaintenanceDraft>;
export type MaintenanceDraftInput = z.input<typeof MaintenanceDraft>;

export const ALERT_KINDS = ['alert', 'resolved', 'reminder', 'stale'] as const;
export const AlertKind = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof AlertKind>;

/** sent: delivered to the channels; held: a parent fails; muted: maintenance; throttled: the cooldown. */
export const ALERT_DECISIONS = ['sent', 'held', 'muted', 'throttled'] as const;
export const AlertDecisionKind = z.enum(ALERT_DECISIONS);
export type AlertDecisionKind = z.infer<typeof AlertDecisionKind>;

/** One channel's delivery of a sent message; a delivery that finally failed stays here with its error. */
export const AlertDelivery = z.object({
  channelId: z.string(),
  channelName: z.string().nullable(),
  ok: z.boolean(),
  attempts: z.number().int().min(0),
  error: z.string().nullable(),
  status: z.number().int().nullable().default(null),
});
export type AlertDelivery = z.infer<typeof AlertDelivery>;

/** One entry of the alert history. */
export const AlertDecision = z.object({
  id: z.number().int(),
  at: z.string(),
  probeId: z.string(),
  /** Copied, so the entry outlives its probe. */
  probeName: z.string(),
  kind: AlertKind,
  decision: AlertDecisionKind,
  /** One sentence: why this decision ("3 failures in a row", "blocked by network reachable"). */
  reason: z.string(),
  /** Each channel's outcome, once delivered; empty while delivering and for decisions not sent. */
  deliveries: z.array(AlertDelivery),
  /** A sent message whose deliveries have not all finished yet (retries may take a while). */
  delivering: z.boolean(),
});
export type AlertDecision = z.infer<typeof AlertDecision>;

export const AlertHistoryQuery = z.strictObject({
  probeId: ProbeId.optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  /** A decision id: entries older than it, for paging. */
  before: z.number().int().optional(),
});
export type AlertHistoryQuery = z.infer<typeof AlertHistoryQuery>;
