/**
 * Add or edit an alert rule for a probe or a scope. Every field left empty inherits (a probe's
 * from its scope's rule, then the defaults); the placeholder says what that comes to.
 */
import type { FormEvent } from 'react';
import type { AlertRules, AlertSubject } from '../../../../shared/model/alerts';
import type { Channel } from '../../../../shared/model/channels';
import type { ProbeSummary } from '../../../../shared/model/probe';
import { useApi } from '../../api/api-context';
import { Dialog } from '../../components/dialog';
import { DialogFooter } from '../../components/dialog-footer';
import { Field, TextField } from '../../components/field';
import { submitOnModEnter, useFormDialog } from '../../components/use-form-dialog';
import {
  inheritedFor,
  NUMBER_SETTINGS,
  ruleFor,
  ruleFormOf,
  ruleSettingsOf,
  scopesOf,
  SETTING_LABELS,
  subjectOfKey,
  type RuleFormState,
} from './rule-form';

const HINTS: Record<(typeof NUMBER_SETTINGS)[number], string> = {
  failuresToAlert: 'Failed runs in a row before an alert is sent.',
  successesToResolve: 'Good runs in a row before "resolved" is sent.',
  reminderMinutes: 'While it stays failing; 0 for none. Never more often than the cooldown.',
  cooldownMinutes: 'The least time between two messages about one probe.',
};

interface RuleDialogProps {
  rules: AlertRules;
  /** Fixed when editing, or when opened from a probe's page. */
  subject?: AlertSubject | undefined;
  summaries: ProbeSummary[];
  channels: Channel[];
  onClose(): void;
  onSaved(): void;
}

export function RuleDialog({ rules, subject, summaries, channels, onClose, onSaved }: RuleDialogProps) {
  const api = useApi();
  const existing = subject ? ruleFor(rules, subject) : undefined;
  const { form, errors, formError, saving, update, showErrors, save } = useFormDialog<RuleFormState>(
    () => ruleFormOf(subject, existing),
    (key) =>
      key === 'subject' ||
      key === 'channelIds' ||
      (NUMBER_SETTINGS as readonly string[]).includes(key) ||
      key === 'alertOnStale',
  );
  const chosen = subjectOfKey(form.subject) as AlertSubject | undefined;
  const inherited =
    chosen && chosen.kind !== ('all' as string) ? inheritedFor(rules, chosen, summaries) : rules.defaults;
  const from = chosen?.kind === 'probe' ? 'its scope or the defaults' : 'the defaults';

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const element = event.currentTarget;
    const { settings, errors: wrong } = ruleSettingsOf(form);
    if (Object.keys(wrong).length || !chosen) {
      showErrors(wrong, undefined, element);
      return;
    }
    void save(
      element,
      () => api.invoke('alerts:setRule', { subject: chosen, settings }),
      () => onSaved(),
      (fieldErrors) =>
        Object.fromEntries(
          Object.entries(fieldErrors ?? {}).map(([key, message]) => [
            key.replace(/^settings\./, '').replace(/\.\d+$/, ''),
            message,
          ]),
        ),
    );
  }

  return (
    <Dialog
      title={
        subject
          ? `Alert rule: ${subject.kind === 'scope' ? `scope ${subject.scope}` : (summaries.find((s) => s.probe.id === subject.probeId)?.probe.name ?? 'probe')}`
          : 'Add alert rule'
      }
      description={`Leave a field empty to take it from ${from}.`}
      onClose={onClose}
      busy={saving}
      className="alerts-dialog rule-dialog"
    >
      <form noValidate onSubmit={submit} onKeyDown={submitOnModEnter}>
        <div className="form-body">
          <Field label="Applies to" error={errors.subject}>
            {(control) => (
              <select
                {...control}
                className="input select"
                value={form.subject}
                disabled={Boolean(subject)}
                data-autofocus={subject ? undefined : true}
                onChange={(event) => update({ subject: event.target.value }, 'subject')}
              >
                <option value="">Pick a probe or a scope…</option>
                <SubjectOptions summaries={summaries} />
              </select>
            )}
          </Field>
          <div className="number-row">
            {NUMBER_SETTINGS.map((key) => (
              <TextField
                key={key}
                label={SETTING_LABELS[key]}
                inputMode="numeric"
                value={form.numbers[key]}
                placeholder={`${inherited[key]} (inherited)`}
                error={errors[key]}
                hint={HINTS[key]}
                onValue={(value) =>
                  update((current) => ({ ...current, numbers: { ...current.numbers, [key]: value } }), key)
                }
                data-autofocus={subject && key === 'failuresToAlert' ? true : undefined}
              />
            ))}
          </div>
          <Field
            label={SETTING_LABELS.alertOnStale}
            hint="When no result arrives within the probe's SLA."
            error={errors.alertOnStale}
          >
            {(control) => (
              <select
                {...control}
                className="input select"
                value={form.stale}
                onChange={(event) => update({ stale: event.target.value as RuleFormState['stale'] }, 'alertOnStale')}
              >
                <option value="inherit">Inherited ({inherited.alertOnStale ? 'on' : 'off'})</option>
                <option value="on">On</option>
                <option value="off">Off</option>
              </select>
            )}
          </Field>
          <fieldset className="field">
            <legend className="field-label">{SETTING_LABELS.channelIds}</legend>
            <div className="segmented" role="radiogroup" aria-label="Channels">
              {(
                [
                  [
                    'inherit',
                    `Inherited (${inherited.channelIds === null ? 'all' : `${inherited.channelIds.length} picked`})`,
                  ],
                  ['all', 'Every channel'],
                  ['some', 'Only these'],
                ] as const
              ).map(([value, label]) => (
                <label key={value} className="segment">
                  <input
                    type="radio"
                    name="rule-channels"
                    value={value}
                    checked={form.channels === value}
                    onChange={() => update({ channels: value }, 'channelIds')}
                  />
                  <span>{label}</span>
                </label>
              ))}
            </div>
            {form.channels === 'some' ? (
              <div className="channel-picks">
                {channels.length === 0 ? (
                  <span className="muted">No channels yet — add one under Channels.</span>
                ) : null}
                {channels.map((channel) => (
                  <label key={channel.id} className="checkbox">
                    <input
                      type="checkbox"
                      checked={form.channelIds.includes(channel.id)}
                      onChange={(event) =>
                        update(
                          (current) => ({
                            ...current,
                            channelIds: event.target.checked
                              ? [...current.channelIds, channel.id]
                              : current.channelIds.filter((id) => id !== channel.id),
                          }),
                          'channelIds',
                        )
                      }
                    />
                    <span>{channel.name}</span>
                  </label>
                ))}
              </div>
            ) : null}
            {errors.channelIds ? <p className="field-error">{errors.channelIds}</p> : null}
          </fieldset>
        </div>
        <DialogFooter error={formError} hint="Ctrl+Enter saves · Esc closes">
          <button type="button" className="button" onClick={onClose} disabled={saving}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save rule'}
          </button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}

/** Scopes, then probes, as `<option>`s keyed by `subjectKey`. */
export function SubjectOptions({ summaries, all = false }: { summaries: ProbeSummary[]; all?: boolean }) {
  return (
    <>
      {all ? <option value="all">Everything</option> : null}
      <optgroup label="Scopes">
        {scopesOf(summaries).map((scope) => (
          <option key={scope} value={`scope:${scope}`}>
            scope {scope}
          </option>
        ))}
      </optgroup>
      <optgroup label="Probes">
        {summaries.map((s) => (
          <option key={s.probe.id} value={`probe:${s.probe.id}`}>
            {s.probe.name}
          </option>
        ))}
      </optgroup>
    </>
  );
}
