/**
 * Maintenance windows: mute a probe, a scope or everything — now for an hour, now for a custom
 * time, or every week on some days from a local time. Results are still recorded (and marked as
 * taken during maintenance); only the alerts are muted. A window can be ended now.
 */
import { useState, type FormEvent } from 'react';
import type { MaintenanceWindow } from '../../../../shared/model/alerts';
import type { ProbeSummary } from '../../../../shared/model/probe';
import { useApi } from '../../api/api-context';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Dialog } from '../../components/dialog';
import { DialogFooter } from '../../components/dialog-footer';
import { Field, TextField } from '../../components/field';
import { PlusIcon, WarningIcon } from '../../components/icons';
import { Notice, useNotice } from '../../components/notice';
import { submitOnModEnter, useFormDialog } from '../../components/use-form-dialog';
import { SubjectOptions } from './rule-dialog';
import { describeSchedule, maintenanceDraftOf, DAY_NAMES, type MaintenanceForm } from './maintenance-form';
import { subjectName } from './rule-form';
import { useRead } from './use-read';

export function MaintenanceView({ summaries, now }: { summaries: ProbeSummary[]; now: number }) {
  const api = useApi();
  const windows = useRead('alerts:maintenance', {});
  const [open, setOpen] = useState<
    { dialog: 'add'; subject?: string } | { dialog: 'end'; window: MaintenanceWindow } | null
  >(null);
  const [notice, showNotice] = useNotice();
  const list = [...(windows.data ?? [])].sort((a, b) => Number(b.active) - Number(a.active));

  return (
    <div className="alerts-view" data-testid="maintenance-view">
      <div className="alerts-toolbar">
        <p className="muted">While a window is on, its probes still run and are recorded; their alerts are muted.</p>
        <span className="spacer" />
        <button type="button" className="button button-primary" onClick={() => setOpen({ dialog: 'add' })}>
          <PlusIcon /> Add maintenance window
        </button>
      </div>
      {windows.error ? (
        <p className="form-error" role="alert">
          <WarningIcon size={14} /> {windows.error}
        </p>
      ) : null}
      {windows.data && list.length === 0 ? <p className="muted">No maintenance windows.</p> : null}
      {list.length ? (
        <ul className="alert-cards" aria-label="Maintenance windows">
          {list.map((window) => {
            const name = subjectName(window.subject, summaries);
            return (
              <li key={window.id} className="alert-card" aria-label={`Maintenance for ${name}`}>
                <div className="alert-card-title">
                  <span>{name}</span>
                  <span className={`probe-mark ${window.active ? 'mark-maintenance' : 'mark-origin'}`}>
                    {window.active ? 'in maintenance now' : 'scheduled'}
                  </span>
                  {window.schedule.kind === 'recurring' ? <span className="kind-tag">weekly</span> : null}
                </div>
                <div className="alert-card-facts">
                  {describeSchedule(window, now)}
                  {window.reason ? ` · ${window.reason}` : ''}
                </div>
                <div className="alert-card-actions">
                  <button
                    type="button"
                    className="button button-small"
                    aria-label={`End maintenance for ${name}`}
                    onClick={() => setOpen({ dialog: 'end', window })}
                  >
                    {window.schedule.kind === 'recurring' ? 'Remove' : 'End now'}
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      ) : null}

      <Notice notice={notice} />
      {open?.dialog === 'add' ? (
        <MaintenanceDialog
          summaries={summaries}
          subject={open.subject}
          onClose={() => setOpen(null)}
          onSaved={(window) => {
            setOpen(null);
            windows.reload();
            showNotice(`Maintenance for ${subjectName(window.subject, summaries)} added.`);
          }}
        />
      ) : null}
      {open?.dialog === 'end' ? (
        <ConfirmDialog
          title={open.window.schedule.kind === 'recurring' ? 'Remove this weekly window?' : 'End this maintenance now?'}
          description={`Alerts for ${subjectName(open.window.subject, summaries)} are sent again from now on.`}
          confirmLabel={open.window.schedule.kind === 'recurring' ? 'Remove window' : 'End now'}
          busyLabel="Ending…"
          onClose={() => setOpen(null)}
          onConfirm={async () => {
            await api.invoke('alerts:endMaintenance', { id: open.window.id });
            setOpen(null);
            windows.reload();
          }}
        />
      ) : null}
    </div>
  );
}

export function MaintenanceDialog({
  summaries,
  subject,
  onClose,
  onSaved,
}: {
  summaries: ProbeSummary[];
  subject?: string | undefined;
  onClose(): void;
  onSaved(window: MaintenanceWindow): void;
}) {
  const api = useApi();
  const { form, errors, formError, saving, update, showErrors, save } = useFormDialog<MaintenanceForm>(
    { subject: subject ?? 'all', reason: '', when: 'hour', hours: '2', days: [], start: '02:00', minutes: '60' },
    (key) => ['subject', 'reason', 'hours', 'days', 'start', 'minutes'].includes(key),
  );

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const element = event.currentTarget;
    const { draft, errors: wrong } = maintenanceDraftOf(form);
    if (!draft) {
      showErrors(wrong, undefined, element);
      return;
    }
    void save(
      element,
      () => api.invoke('alerts:addMaintenance', draft),
      onSaved,
      (fieldErrors) =>
        Object.fromEntries(
          Object.entries(fieldErrors ?? {}).map(([key, message]) => [
            key.replace(/^window\./, '').replace(/^durationMinutes$/, form.when === 'recurring' ? 'minutes' : 'hours'),
            message,
          ]),
        ),
    );
  }

  return (
    <Dialog
      title="Add maintenance window"
      description="Alerts are muted while it is on; results are still recorded."
      onClose={onClose}
      busy={saving}
      className="alerts-dialog maintenance-dialog"
    >
      <form noValidate onSubmit={submit} onKeyDown={submitOnModEnter}>
        <div className="form-body">
          <Field label="Mute" error={errors.subject}>
            {(control) => (
              <select
                {...control}
                className="input select"
                value={form.subject}
                disabled={Boolean(subject)}
                onChange={(event) => update({ subject: event.target.value }, 'subject')}
              >
                <SubjectOptions summaries={summaries} all />
              </select>
            )}
          </Field>
          <div className="segmented" role="radiogroup" aria-label="When">
            {(
              [
                ['hour', 'Now for 1 h'],
                ['custom', 'Now for…'],
                ['recurring', 'Every week'],
              ] as const
            ).map(([value, label]) => (
              <label key={value} className="segment">
                <input
                  type="radio"
                  name="maintenance-when"
                  value={value}
                  checked={form.when === value}
                  onChange={() => update({ when: value })}
                />
                <span>{label}</span>
              </label>
            ))}
          </div>
          {form.when === 'custom' ? (
            <TextField
              label="Hours"
              inputMode="decimal"
              value={form.hours}
              onValue={(hours) => update({ hours }, 'hours')}
              error={errors.hours}
              hint="From now; 0.5 is half an hour."
            />
          ) : null}
          {form.when === 'recurring' ? (
            <>
              <fieldset className="field">
                <legend className="field-label">Days</legend>
                <div className="day-picks">
                  {DAY_NAMES.map((day, index) => (
                    <label key={day} className="checkbox">
                      <input
                        type="checkbox"
                        checked={form.days.includes(index)}
                        onChange={(event) =>
                          update(
                            (current) => ({
                              ...current,
                              days: event.target.checked
                                ? [...current.days, index].sort()
                                : current.days.filter((d) => d !== index),
                            }),
                            'days',
                          )
                        }
                      />
                      <span>{day}</span>
                    </label>
                  ))}
                </div>
                {errors.days ? <p className="field-error">{errors.days}</p> : null}
              </fieldset>
              <div className="number-row">
                <TextField
                  label="Starts at"
                  mono
                  value={form.start}
                  onValue={(start) => update({ start }, 'start')}
                  error={errors.start}
                  hint="This machine's local time, HH:MM."
                />
                <TextField
                  label="For (minutes)"
                  inputMode="numeric"
                  value={form.minutes}
                  onValue={(minutes) => update({ minutes }, 'minutes')}
                  error={errors.minutes}
                />
              </div>
            </>
          ) : null}
          <TextField
            label="Reason (optional)"
            value={form.reason}
            onValue={(reason) => update({ reason }, 'reason')}
            error={errors.reason}
            placeholder="Database upgrade"
            maxLength={200}
          />
        </div>
        <DialogFooter error={formError} hint="Ctrl+Enter saves · Esc closes">
          <button type="button" className="button" onClick={onClose} disabled={saving}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={saving}>
            {saving ? 'Adding…' : 'Add window'}
          </button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
