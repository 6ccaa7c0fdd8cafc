/**
 * The alerting UI's models (renderer/src/areas/alerts/*-form.ts, the history's upsert, the tab
 * routes), in node with no DOM: what the dialogs build is what main's contract accepts, field
 * by field; rules merge probe → scope → defaults; live decisions replace their earlier copy.
 */
import { describe, expect, it } from 'vitest';
import { channels } from '../../../../shared/contract';
import { DEFAULT_ALERT_SETTINGS, type AlertDecision, type AlertRules } from '../../../../shared/model/alerts';
import type { Channel } from '../../../../shared/model/channels';
import type { ProbeSummary } from '../../../../shared/model/probe';
import {
  channelDraftOf,
  channelFormOf,
  describeChannel,
  emptyChannelForm,
  recipientsOf,
} from '../../../../renderer/src/areas/alerts/channel-form';
import { alertTabOf } from '../../../../renderer/src/areas/alerts/alert-routes';
import { formatMinutes, maintenanceDraftOf } from '../../../../renderer/src/areas/alerts/maintenance-form';
import {
  describeSettings,
  effectiveFor,
  ruleFormOf,
  ruleSettingsOf,
  subjectKey,
  subjectOfKey,
} from '../../../../renderer/src/areas/alerts/rule-form';
import { upsertDecision } from '../../../../renderer/src/areas/alerts/decisions';

const at = '2026-11-26T10:00:00.000Z';

function emailChannel(): Channel {
  return {
    id: 'mail-1',
    name: 'Ops mail',
    kind: 'email',
    enabled: true,
    settings: {
      host: 'smtp.example.com',
      port: 465,
      security: 'tls',
      from: 'cr@example.com',
      to: ['a@example.com', 'b@example.com'],
    },
    secrets: {
      username: { ref: 'channel/mail-1/username', present: true },
      password: { ref: 'channel/mail-1/password', present: true },
    },
    createdAt: at,
    updatedAt: at,
  };
}

function summary(id: string, scope: string): ProbeSummary {
  return { probe: { id, name: id, scope } } as unknown as ProbeSummary;
}

describe('channel form', () => {
  it('builds a webhook draft the contract accepts, with the typed URL and token as secrets', () => {
    const form = { ...emptyChannelForm('webhook'), name: ' Ops hook ' };
    form.secrets = {
      url: { value: 'https://hooks.example.com/x', clear: false },
      token: { value: 't0k', clear: false },
    };
    const { draft, errors } = channelDraftOf(form);
    expect(errors).toEqual({});
    expect(channels['channels:create'].request.parse(draft)).toMatchObject({
      name: 'Ops hook',
      kind: 'webhook',
      secrets: { url: 'https://hooks.example.com/x', token: 't0k' },
    });
  });

  it('refuses a new webhook without its URL, at the URL field', () => {
    const { errors } = channelDraftOf({ ...emptyChannelForm('slack'), name: 'Slack' });
    expect(errors['secrets.url']).toMatch(/webhook URL/);
  });

  it('round-trips an email channel: stored secrets kept unless cleared, recipients split', () => {
    const channel = emailChannel();
    const form = channelFormOf(channel);
    expect(form.email).toEqual({
      host: 'smtp.example.com',
      port: '465',
      security: 'tls',
      from: 'cr@example.com',
      to: 'a@example.com, b@example.com',
    });
    const kept = channelDraftOf(form, channel);
    expect(kept.errors).toEqual({});
    const parsed = channels['channels:update'].request.parse({ id: channel.id, draft: kept.draft });
    expect(parsed.draft).toMatchObject({
      kind: 'email',
      settings: { port: 465, to: ['a@example.com', 'b@example.com'] },
    });
    expect(parsed.draft.secrets).toBeUndefined();
    form.secrets = { password: { value: '', clear: true } };
    expect(channelDraftOf(form, channel).draft.secrets).toEqual({ password: null });
    expect(describeChannel(channel)).toBe(
      'smtp.example.com:465 · TLS · from cr@example.com to a@example.com, b@example.com',
    );
  });

  it('says which port is not a number', () => {
    const form = { ...emptyChannelForm('email'), name: 'm' };
    form.email.port = 'x';
    expect(channelDraftOf(form).errors['settings.port']).toMatch(/whole number/);
  });

  it('splits recipients on commas, semicolons and spaces', () => {
    expect(recipientsOf(' a@x.io, b@x.io;c@x.io  d@x.io ,')).toEqual(['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io']);
  });
});

describe('rule form', () => {
  const rules: AlertRules = {
    defaults: DEFAULT_ALERT_SETTINGS,
    rules: [
      {
        subject: { kind: 'scope', scope: 'shop' },
        settings: { failuresToAlert: 2, cooldownMinutes: 10 },
        updatedAt: at,
      },
      {
        subject: { kind: 'probe', probeId: 'site' },
        settings: { failuresToAlert: 1, channelIds: ['hook'] },
        updatedAt: at,
      },
    ],
  };
  const summaries = [summary('site', 'shop'), summary('api', 'shop'), summary('other', 'misc')];

  it('merges probe rule over scope rule over defaults, field by field', () => {
    expect(effectiveFor(rules, { kind: 'probe', probeId: 'site' }, summaries)).toEqual({
      ...DEFAULT_ALERT_SETTINGS,
      failuresToAlert: 1,
      cooldownMinutes: 10,
      channelIds: ['hook'],
    });
    expect(effectiveFor(rules, { kind: 'probe', probeId: 'api' }, summaries).failuresToAlert).toBe(2);
    expect(effectiveFor(rules, { kind: 'probe', probeId: 'other' }, summaries)).toEqual(DEFAULT_ALERT_SETTINGS);
  });

  it('sends only what the form sets; empty fields inherit; the request is the contract’s', () => {
    const form = ruleFormOf({ kind: 'probe', probeId: 'site' }, undefined);
    form.numbers.failuresToAlert = '1';
    form.numbers.successesToResolve = '1';
    form.stale = 'off';
    form.channels = 'all';
    const { settings, errors } = ruleSettingsOf(form);
    expect(errors).toEqual({});
    expect(settings).toEqual({ failuresToAlert: 1, successesToResolve: 1, alertOnStale: false, channelIds: null });
    const subject = subjectOfKey(form.subject)!;
    expect(channels['alerts:setRule'].request.parse({ subject, settings })).toEqual({ subject, settings });
  });

  it('reads an existing rule back into the form unchanged', () => {
    const rule = rules.rules[1]!;
    const { settings } = ruleSettingsOf(ruleFormOf(rule.subject, rule));
    expect(settings).toEqual(rule.settings);
  });

  it('refuses numbers that are not whole, and "only these" channels with none picked', () => {
    const form = ruleFormOf({ kind: 'scope', scope: 'shop' }, undefined);
    form.numbers.cooldownMinutes = '1.5';
    form.channels = 'some';
    const { errors } = ruleSettingsOf(form);
    expect(Object.keys(errors).sort()).toEqual(['channelIds', 'cooldownMinutes']);
  });

  it('keys subjects for selects and back', () => {
    for (const subject of [
      { kind: 'probe', probeId: 'a-1' },
      { kind: 'scope', scope: 'x.y' },
      { kind: 'all' },
    ] as const)
      expect(subjectOfKey(subjectKey(subject))).toEqual(subject);
    expect(subjectOfKey('probe:')).toBeUndefined();
  });

  it('describes only what a rule sets', () => {
    expect(describeSettings({}, () => '')).toBe('inherits everything');
    expect(describeSettings({ failuresToAlert: 1, reminderMinutes: 0, channelIds: ['h'] }, () => 'Ops')).toBe(
      'alert after 1 failure · no reminders · to Ops',
    );
  });
});

describe('maintenance form', () => {
  const base = {
    subject: 'all',
    reason: ' upgrade ',
    when: 'hour' as const,
    hours: '2',
    days: [],
    start: '02:00',
    minutes: '60',
  };

  it('now for 1 h, now for some hours, and weekly windows are drafts the contract accepts', () => {
    const hour = maintenanceDraftOf(base).draft!;
    expect(channels['alerts:addMaintenance'].request.parse(hour)).toEqual({
      subject: { kind: 'all' },
      reason: 'upgrade',
      window: { kind: 'now', durationMinutes: 60 },
    });
    expect(maintenanceDraftOf({ ...base, when: 'custom', hours: '1.5' }).draft!.window).toEqual({
      kind: 'now',
      durationMinutes: 90,
    });
    const weekly = maintenanceDraftOf({
      ...base,
      subject: 'scope:shop',
      when: 'recurring',
      days: [1, 3],
      start: '23:30',
      minutes: '45',
    });
    expect(channels['alerts:addMaintenance'].request.parse(weekly.draft).window).toEqual({
      kind: 'recurring',
      days: [1, 3],
      start: '23:30',
      durationMinutes: 45,
    });
  });

  it('says what is wrong, per field', () => {
    expect(Object.keys(maintenanceDraftOf({ ...base, when: 'custom', hours: '0' }).errors)).toEqual(['hours']);
    const { errors } = maintenanceDraftOf({ ...base, when: 'recurring', start: '25:00', minutes: '0' });
    expect(Object.keys(errors).sort()).toEqual(['days', 'minutes', 'start']);
  });

  it('formats lengths', () => {
    expect([formatMinutes(45), formatMinutes(60), formatMinutes(90), formatMinutes(1500)]).toEqual([
      '45 min',
      '1 h',
      '1 h 30 min',
      '1 d 1 h',
    ]);
  });
});

describe('alert history and routes', () => {
  function decision(id: number, delivering: boolean): AlertDecision {
    return {
      id,
      at,
      probeId: 'p',
      probeName: 'P',
      kind: 'alert',
      decision: 'sent',
      reason: 'r',
      deliveries: [],
      delivering,
    };
  }

  it('keeps newest first and replaces a decision that comes again with its deliveries', () => {
    const list = [decision(3, false), decision(1, false)].reduce(upsertDecision, [] as AlertDecision[]);
    const next = upsertDecision(upsertDecision(list, decision(4, true)), decision(4, false));
    expect(next.map((d) => [d.id, d.delivering])).toEqual([
      [4, false],
      [3, false],
      [1, false],
    ]);
  });

  it('reads the alerts tab from the route', () => {
    expect(alertTabOf('')).toBeUndefined();
    expect(alertTabOf('probe/abc')).toBeUndefined();
    expect(alertTabOf('alerts')).toEqual({ tab: 'history', rest: '' });
    expect(alertTabOf('alerts/channels')).toEqual({ tab: 'channels', rest: '' });
    expect(alertTabOf('alerts/history/p-1')).toEqual({ tab: 'history', rest: 'p-1' });
    expect(alertTabOf('alerts/nope/x')).toEqual({ tab: 'history', rest: '' });
  });
});
