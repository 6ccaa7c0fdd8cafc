/**
 * History settings: how long the probe store keeps raw results and per-minute/hour/day
 * aggregates, and the size on disk it is bounded by (oldest raw results go first). Says what is
 * in use now; checked before sending, and what main refuses is shown on the field. Saving prunes
 * straight away, so a shorter setting frees the space at once.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { DEFAULT_PROBE_RETENTION, type ProbeRetention } from '../../../../shared/model/probe';
import { useApi } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { Dialog } from '../../components/dialog';
import { DialogFooter } from '../../components/dialog-footer';
import { Field } from '../../components/field';
import { focusFirstInvalid, submitOnModEnter } from '../../components/use-form-dialog';
import {
  RETENTION_BOUNDS,
  buildRetention,
  defaultRetentionForm,
  describeRetention,
  formatCount,
  retentionFormState,
  sameRetention,
  type RetentionErrors,
  type RetentionField,
  type RetentionFormState,
} from './retention-form';

type Loaded = { state: 'loading' } | { state: 'ready'; current: ProbeRetention } | { state: 'failed'; message: string };

const FIELDS: { field: RetentionField; label: string; unit: string; hint: string }[] = [
  {
    field: 'rawDays',
    label: 'Keep raw results (days)',
    unit: 'days',
    hint: 'Every run with its conditions, error and artifacts.',
  },
  {
    field: 'aggregateDays',
    label: 'Keep aggregates (days)',
    unit: 'days',
    hint: 'Per-minute, per-hour and per-day uptime and latency for the charts.',
  },
  {
    field: 'maxMegabytes',
    label: 'At most (MB on disk)',
    unit: 'MB',
    hint: 'Past this, the oldest raw results go first.',
  },
];

export function RetentionDialog({ onClose, onSaved }: { onClose(): void; onSaved(retention: ProbeRetention): void }) {
  const api = useApi();
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [form, setForm] = useState<RetentionFormState>();
  const [errors, setErrors] = useState<RetentionErrors>({});
  const [formError, setFormError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const formId = useId();

  useEffect(() => {
    let live = true;
    api.invoke('probes:retention', {}).then(
      (current) => {
        if (!live) return;
        setLoaded({ state: 'ready', current });
        setForm(retentionFormState(current));
      },
      (error: unknown) => live && setLoaded({ state: 'failed', message: toApiError(error).message }),
    );
    return () => {
      live = false;
    };
  }, [api]);

  function update(field: RetentionField, value: string) {
    setForm((current) => (current ? { ...current, [field]: value } : current));
    // The two day fields are checked against each other: typing in either clears both.
    const touched: RetentionField[] = field === 'maxMegabytes' ? [field] : ['rawDays', 'aggregateDays'];
    if (touched.some((key) => errors[key]))
      setErrors((current) =>
        Object.fromEntries(Object.entries(current).filter(([key]) => !touched.includes(key as RetentionField))),
      );
    setFormError(undefined);
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!form || saving) return;
    const formElement = event.currentTarget;
    const built = buildRetention(form);
    if (!built.ok) {
      setErrors(built.errors);
      focusFirstInvalid(formElement);
      return;
    }
    setSaving(true);
    setErrors({});
    setFormError(undefined);
    try {
      onSaved(await api.invoke('probes:setRetention', built.retention));
    } catch (caught) {
      const error = toApiError(caught);
      const fields: RetentionErrors = {};
      for (const [key, message] of Object.entries(error.fieldErrors ?? {})) {
        if (key in RETENTION_BOUNDS) fields[key as RetentionField] = message;
      }
      setErrors(fields);
      setFormError(Object.keys(fields).length ? undefined : error.message);
      setSaving(false);
    }
  }

  const current = loaded.state === 'ready' ? loaded.current : undefined;
  const built = form ? buildRetention(form) : undefined;
  const unchanged = Boolean(current && built?.ok && sameRetention(built.retention, current));
  const atDefaults = Boolean(form && sameForm(form, defaultRetentionForm()));

  return (
    <Dialog
      title="History settings"
      description="How long probe results are kept on this machine, and how much room they may take. The last success and the last failure of every probe are kept whatever these say."
      onClose={onClose}
      busy={saving}
      className="retention-dialog"
    >
      <form
        id={formId}
        noValidate
        onSubmit={(event) => void submit(event)}
        onKeyDown={submitOnModEnter}
        aria-label="History settings"
      >
        <div className="form-body">
          {loaded.state === 'loading' ? (
            <p className="loading">Reading the settings in use…</p>
          ) : loaded.state === 'failed' ? (
            <p className="form-error" role="alert">
              Could not read the settings in use: {loaded.message}
            </p>
          ) : (
            <>
              <p className="retention-now" data-testid="retention-now">
                <span className="retention-now-label">In use now</span> {describeRetention(loaded.current)}
                {sameRetention(loaded.current, DEFAULT_PROBE_RETENTION) ? (
                  <span className="muted"> (the defaults)</span>
                ) : null}
              </p>
              <fieldset className="retention-fields" disabled={saving}>
                {FIELDS.map(({ field, label, unit, hint }, index) => {
                  const { min, max } = RETENTION_BOUNDS[field];
                  return (
                    <Field
                      key={field}
                      label={label}
                      error={errors[field]}
                      hint={`${hint} ${formatCount(min)}–${formatCount(max)} ${unit}.`}
                    >
                      {(control) => (
                        <input
                          {...control}
                          className="input mono retention-input"
                          inputMode="numeric"
                          autoComplete="off"
                          spellCheck={false}
                          value={form?.[field] ?? ''}
                          data-autofocus={index === 0 ? true : undefined}
                          onChange={(event) => update(field, event.target.value)}
                        />
                      )}
                    </Field>
                  );
                })}
              </fieldset>
            </>
          )}
        </div>
        <DialogFooter error={formError} hint="Ctrl+Enter saves · Esc closes">
          <button
            type="button"
            className="button button-quiet"
            disabled={saving || !form || atDefaults}
            onClick={() => {
              setForm(defaultRetentionForm());
              setErrors({});
              setFormError(undefined);
            }}
          >
            Use defaults
          </button>
          <button type="button" className="button" onClick={onClose} disabled={saving}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={saving || !form || unchanged}>
            {saving ? 'Saving…' : 'Save'}
          </button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}

function sameForm(a: RetentionFormState, b: RetentionFormState): boolean {
  return (Object.keys(a) as RetentionField[]).every((key) => a[key].trim() === b[key]);
}
