/**
 * Add or edit a probe, from a preset or from scratch. Checked with the same schema main uses
 * before anything is sent; what main still refuses (a condition it cannot read, with the
 * position of the mistake; a locked keychain) is shown on the field or in the footer, and
 * everything typed stays. "Test" runs the draft once without saving and shows the result here.
 */
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import {
  PROBE_KINDS,
  type Probe,
  type ProbeKind,
  type ProbePreset,
  type ProbeResult,
} from '../../../../shared/model/probe';
import type { Target } from '../../../../shared/model/target';
import { useApi } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { useTargets } from '../../app/targets-store';
import { Dialog } from '../../components/dialog';
import { DialogFooter } from '../../components/dialog-footer';
import { EnvBadge } from '../../components/env-badge';
import { Field, TextField } from '../../components/field';
import { PlusIcon, TrashIcon, WarningIcon } from '../../components/icons';
import { submitOnModEnter, useFormDialog } from '../../components/use-form-dialog';
import { SecretField } from '../targets/secret-field';
import {
  KIND_LABELS,
  SETTING_INPUTS,
  buildDraft,
  conditionRow,
  formFieldErrors,
  initialFormState,
  isShownField,
  presetFormState,
  slotsOf,
  withKind,
  type FieldErrors,
  type ProbeFormState,
  type SettingInput,
} from './probe-form';
import { formatLatency } from './probe-status';
import { ResultDetail } from './result-detail';
import { ResultBadge } from './status-light';

interface ProbeEditorDialogProps {
  /** The probe to edit; absent to add one. */
  probe?: Probe | undefined;
  /** The preset a new probe starts from; null or absent: from scratch. */
  preset?: ProbePreset | null | undefined;
  onClose(): void;
  onSaved(probe: Probe, created: boolean): void;
  /** Asks to delete the probe being edited (the owner confirms). */
  onDelete?: (() => void) | undefined;
}

type TestState =
  | { state: 'idle' }
  | { state: 'running' }
  | { state: 'done'; result: ProbeResult }
  | { state: 'failed'; message: string };

export function ProbeEditorDialog({ probe, preset, onClose, onSaved, onDelete }: ProbeEditorDialogProps) {
  const api = useApi();
  const { form, errors, formError, saving, update, showErrors, clearErrors, save } = useFormDialog<ProbeFormState>(
    () => (probe ? initialFormState(probe) : preset ? presetFormState(preset) : initialFormState()),
    (key, current) => isShownField(key, current, slotsOf(current, probe)),
  );
  const [test, setTest] = useState<TestState>({ state: 'idle' });
  const slots = slotsOf(form, probe);
  const busy = saving || test.state === 'running';

  function setSetting(key: string, value: string | boolean) {
    update(
      (current) => ({
        ...current,
        settings: { ...current.settings, [current.kind]: { ...current.settings[current.kind], [key]: value } },
      }),
      `settings.${key}`,
    );
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    const formElement = event.currentTarget;
    const built = buildDraft(form, probe);
    if (!built.ok) {
      showErrors(built.errors, undefined, formElement);
      return;
    }
    await save(
      formElement,
      () =>
        probe
          ? api.invoke('probes:update', { id: probe.id, draft: built.draft })
          : api.invoke('probes:create', built.draft),
      (saved) => onSaved(saved, !probe),
      (fieldErrors) => formFieldErrors(fieldErrors, form),
    );
  }

  async function runTest(formElement: HTMLFormElement | null) {
    if (busy) return;
    const built = buildDraft(form, probe);
    if (!built.ok) {
      showErrors(built.errors, undefined, formElement);
      return;
    }
    clearErrors();
    setTest({ state: 'running' });
    try {
      const result = await api.invoke('probes:test', { ...(probe ? { id: probe.id } : {}), draft: built.draft });
      setTest({ state: 'done', result });
    } catch (caught) {
      const error = toApiError(caught);
      if (error.fieldErrors) showErrors(formFieldErrors(error.fieldErrors, form), error.message, formElement);
      setTest({ state: 'failed', message: error.message });
    }
  }

  const title = probe ? `Edit ${probe.name}` : preset ? `Add probe: ${preset.title}` : 'Add probe';
  const formId = useId();

  return (
    <Dialog
      title={title}
      description={
        preset && !probe ? preset.description : 'Runs on this machine; its secrets stay in the system keychain.'
      }
      onClose={onClose}
      busy={saving}
      className="probe-editor-dialog"
    >
      <form
        id={formId}
        noValidate
        onSubmit={(event) => void submit(event)}
        onKeyDown={submitOnModEnter}
        aria-label={title}
      >
        {/* The scrolling box is a div: Chromium does not clip a scrolled fieldset's grid content. */}
        <div className="form-body">
          <fieldset className="editor-fields" disabled={saving}>
            {form.fill.length ? (
              <section className="fill-section" aria-label="Fill in">
                <h3 className="form-section-title">
                  Fill in <span className="form-section-note">put in wherever the preset writes {'{{name}}'}</span>
                </h3>
                <div className="settings-grid">
                  {form.fill.map((f, index) => (
                    <TextField
                      key={f.name}
                      label={f.label}
                      error={errors[`fill.${f.name}`]}
                      mono
                      value={form.fills[f.name] ?? ''}
                      placeholder={f.placeholder}
                      data-autofocus={index === 0 ? true : undefined}
                      onValue={(value) =>
                        update(
                          (current) => ({ ...current, fills: { ...current.fills, [f.name]: value } }),
                          `fill.${f.name}`,
                        )
                      }
                    />
                  ))}
                </div>
              </section>
            ) : null}
            <div className="field-row">
              <TextField
                label="Name"
                error={errors.name}
                className="grow"
                value={form.name}
                placeholder="Gemini text (AI Studio)"
                data-autofocus={form.fill.length ? undefined : true}
                onValue={(name) => update({ name }, 'name')}
              />
              <Field label="Kind" error={errors.kind}>
                {(control) => (
                  <select
                    {...control}
                    className="input select"
                    value={form.kind}
                    onChange={(event) =>
                      update((current) => withKind(current, event.target.value as ProbeKind), 'kind')
                    }
                  >
                    {PROBE_KINDS.map((kind) => (
                      <option key={kind} value={kind}>
                        {KIND_LABELS[kind]}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
            <div className="field-row probe-names">
              <TextField
                label="Scope"
                error={errors.scope}
                hint="The integration: gemini, github, spaces…"
                mono
                value={form.scope}
                placeholder="github"
                onValue={(scope) => update({ scope }, 'scope')}
              />
              <TextField
                label="Provider"
                error={errors.provider}
                hint="Optional: ai_studio, vertex…"
                mono
                value={form.provider}
                placeholder="—"
                onValue={(provider) => update({ provider }, 'provider')}
              />
              <TextField
                label="Check"
                error={errors.check}
                hint="A stable name for history and alerts."
                className="grow"
                mono
                value={form.check}
                placeholder="github.api.token"
                onValue={(check) => update({ check }, 'check')}
              />
            </div>

            <section className="form-section" aria-label="What it checks">
              <h3 className="form-section-title">
                What it checks <span className="form-section-note">{KIND_LABELS[form.kind]}</span>
              </h3>
              <div className="settings-grid">
                {SETTING_INPUTS[form.kind].map((input) => (
                  <SettingField
                    key={`${form.kind}.${input.key}`}
                    input={input}
                    value={form.settings[form.kind][input.key]}
                    error={errors[`settings.${input.key}`]}
                    onChange={(value) => setSetting(input.key, value)}
                  />
                ))}
              </div>
            </section>

            <ConditionsSection form={form} errors={errors} update={update} />

            <section className="form-section" aria-label="Schedule">
              <h3 className="form-section-title">Schedule</h3>
              <div className="field-row schedule-row">
                <NumberField
                  label="Every (seconds)"
                  value={form.intervalSeconds}
                  error={errors.intervalSeconds}
                  hint="Start to start; at least 10."
                  onChange={(value) => update({ intervalSeconds: value }, 'intervalSeconds')}
                />
                <NumberField
                  label="Timeout (seconds)"
                  value={form.timeoutSeconds}
                  error={errors.timeoutSeconds}
                  onChange={(value) => update({ timeoutSeconds: value }, 'timeoutSeconds')}
                />
                <NumberField
                  label="Retries"
                  value={form.retries}
                  error={errors.retries}
                  hint="Before a failure counts."
                  onChange={(value) => update({ retries: value }, 'retries')}
                />
                <NumberField
                  label="SLA (seconds)"
                  value={form.slaSeconds}
                  error={errors.slaSeconds}
                  placeholder={`${(Number(form.intervalSeconds) || 300) * 2}`}
                  hint="No result for this long: stale."
                  onChange={(value) => update({ slaSeconds: value }, 'slaSeconds')}
                />
              </div>
              <div className="checkbox-row">
                <label className="checkbox">
                  <input
                    type="checkbox"
                    checked={form.cheap}
                    onChange={(event) => update({ cheap: event.target.checked })}
                  />
                  <span>Cheap: run once at start-up</span>
                </label>
                <label className="checkbox">
                  <input
                    type="checkbox"
                    checked={form.paused}
                    onChange={(event) => update({ paused: event.target.checked })}
                  />
                  <span>Paused: run only when asked</span>
                </label>
              </div>
            </section>

            {slots.length ? (
              <section className="form-section" aria-label="Secrets">
                <h3 className="form-section-title">
                  Secrets <span className="form-section-note">kept in the system keychain, never shown again</span>
                </h3>
                {slots.map((slot) => (
                  <SecretField
                    key={slot}
                    slot={slot}
                    label={form.secretHelp[slot]?.label ?? slotLabel(slot)}
                    hint={form.secretHelp[slot]?.help ?? `Used as {{secret.${slot}}}.`}
                    placeholder="Paste the secret"
                    stored={Boolean(probe?.kind === form.kind && probe.secrets[slot]?.present)}
                    field={form.secrets[slot] ?? { value: '', clear: false }}
                    error={errors[`secrets.${slot}`]}
                    onChange={(field) =>
                      update(
                        (current) => ({ ...current, secrets: { ...current.secrets, [slot]: field } }),
                        `secrets.${slot}`,
                      )
                    }
                  />
                ))}
              </section>
            ) : null}

            <TestPanel test={test} probeName={form.name || 'probe'} />
          </fieldset>
        </div>

        <DialogFooter error={formError} hint="Ctrl+Enter saves · Esc closes">
          {probe && onDelete ? (
            <button
              type="button"
              className="button button-quiet button-quiet-danger editor-delete"
              onClick={onDelete}
              disabled={busy}
            >
              <TrashIcon /> Delete…
            </button>
          ) : null}
          <button
            type="button"
            className="button"
            onClick={(event) => void runTest(event.currentTarget.form)}
            disabled={busy}
          >
            {test.state === 'running' ? (
              <>
                <span className="spinner" aria-hidden="true" /> Testing…
              </>
            ) : (
              'Test'
            )}
          </button>
          <button type="button" className="button" onClick={onClose} disabled={saving}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {saving ? 'Saving…' : probe ? 'Save changes' : 'Add probe'}
          </button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}

function slotLabel(slot: string): string {
  const spaced = slot
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function NumberField({
  label,
  value,
  error,
  hint,
  placeholder,
  onChange,
}: {
  label: string;
  value: string;
  error: string | undefined;
  hint?: string;
  placeholder?: string;
  onChange(value: string): void;
}) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(control) => (
        <input
          {...control}
          className="input mono"
          inputMode="numeric"
          value={value}
          placeholder={placeholder}
          autoComplete="off"
          onChange={(event) => onChange(event.target.value)}
        />
      )}
    </Field>
  );
}

function SettingField({
  input,
  value,
  error,
  onChange,
}: {
  input: SettingInput;
  value: string | boolean | undefined;
  error: string | undefined;
  onChange(value: string | boolean): void;
}) {
  const targets = useTargets();
  const text = typeof value === 'string' ? value : '';
  const label: ReactNode = input.label;
  const aside = /\{\{\s*[A-Za-z]\w*\s*\}\}/.test(text) ? <span className="fill-tag">filled in</span> : undefined;
  const wide = input.type === 'textarea' || input.type === 'headers' || ('mono' in input && input.key === 'url');
  const className = wide ? 'is-wide' : '';
  switch (input.type) {
    case 'checkbox':
      return (
        <label className="checkbox setting-checkbox">
          <input type="checkbox" checked={Boolean(value)} onChange={(event) => onChange(event.target.checked)} />
          <span>{input.label}</span>
        </label>
      );
    case 'select':
      return (
        <Field label={label} error={error} hint={input.hint} aside={aside} className={className}>
          {(control) => (
            <select
              {...control}
              className="input select"
              value={text}
              onChange={(event) => onChange(event.target.value)}
            >
              {input.options.map((option) => (
                <option key={option} value={option}>
                  {option}
                </option>
              ))}
            </select>
          )}
        </Field>
      );
    case 'target': {
      const list: Target[] =
        targets.state === 'ready' ? targets.targets.filter((t) => input.targetKinds.includes(t.kind)) : [];
      const chosen = list.find((t) => t.id === text);
      return (
        <Field
          label={label}
          error={error}
          hint={list.length ? input.hint : `No ${input.targetKinds.join(' or ')} targets yet — add one under Targets.`}
          aside={chosen ? <EnvBadge environment={chosen.environment} /> : aside}
          className={`${className} ${chosen?.environment === 'prod' ? 'is-prod-target' : ''}`}
        >
          {(control) => (
            <select
              {...control}
              className="input select"
              value={text}
              onChange={(event) => onChange(event.target.value)}
            >
              <option value="">Choose a target…</option>
              {list.map((target) => (
                <option key={target.id} value={target.id}>
                  {target.name} ({target.environment})
                </option>
              ))}
            </select>
          )}
        </Field>
      );
    }
    case 'headers':
    case 'textarea':
      return (
        <Field label={label} error={error} hint={input.hint} aside={aside} className={className}>
          {(control) => (
            <textarea
              {...control}
              className="input mono"
              rows={input.type === 'headers' ? 2 : 3}
              value={text}
              placeholder={
                ('placeholder' in input ? input.placeholder : undefined) ??
                (input.type === 'headers' ? 'Accept: application/json' : undefined)
              }
              spellCheck={false}
              autoComplete="off"
              onChange={(event) => onChange(event.target.value)}
            />
          )}
        </Field>
      );
    default:
      return (
        <Field label={label} error={error} hint={input.hint} aside={aside} className={className}>
          {(control) => (
            <input
              {...control}
              className={`input ${'mono' in input && input.mono ? 'mono' : ''} ${input.type === 'number' ? 'mono' : ''}`}
              inputMode={input.type === 'number' ? 'numeric' : undefined}
              value={text}
              placeholder={'placeholder' in input ? input.placeholder : undefined}
              spellCheck={false}
              autoComplete="off"
              onChange={(event) => onChange(event.target.value)}
            />
          )}
        </Field>
      );
  }
}

function ConditionsSection({
  form,
  errors,
  update,
}: {
  form: ProbeFormState;
  errors: FieldErrors;
  update(change: (current: ProbeFormState) => ProbeFormState, ...touched: string[]): void;
}) {
  return (
    <section className="form-section" aria-label="Conditions">
      <h3 className="form-section-title">
        Conditions{' '}
        <span className="form-section-note">
          Gatus syntax: [STATUS] == 200, [BODY].status == UP, [RESPONSE_TIME] &lt; 500
        </span>
      </h3>
      {form.conditions.length === 0 ? (
        <p className="muted">No conditions: any check that completes counts as OK.</p>
      ) : null}
      <ol className="condition-rows">
        {form.conditions.map((condition, index) => {
          const error = errors[`conditions.${index}.expression`] ?? errors[`conditions.${index}.severity`];
          const setRow = (change: Partial<typeof condition>) =>
            update(
              (current) => ({
                ...current,
                conditions: current.conditions.map((c) => (c.key === condition.key ? { ...c, ...change } : c)),
              }),
              `conditions.${index}.expression`,
              `conditions.${index}.severity`,
            );
          return (
            <li key={condition.key} className={`condition-row ${error ? 'has-error' : ''}`}>
              <Field label={`Condition ${index + 1}`} error={error} className="grow condition-field">
                {(control) => (
                  <input
                    {...control}
                    className="input mono"
                    value={condition.expression}
                    placeholder="[STATUS] == 200"
                    spellCheck={false}
                    autoComplete="off"
                    onChange={(event) => setRow({ expression: event.target.value })}
                  />
                )}
              </Field>
              <Field label={`Severity of condition ${index + 1}`} className="condition-severity">
                {(control) => (
                  <select
                    {...control}
                    className="input select"
                    value={condition.severity}
                    onChange={(event) => setRow({ severity: event.target.value === 'warn' ? 'warn' : 'fail' })}
                  >
                    <option value="fail">fails</option>
                    <option value="warn">warns</option>
                  </select>
                )}
              </Field>
              <button
                type="button"
                className="button button-small button-quiet condition-remove"
                aria-label={`Remove condition ${index + 1}`}
                title="Remove"
                onClick={() =>
                  update((current) => ({
                    ...current,
                    conditions: current.conditions.filter((c) => c.key !== condition.key),
                  }))
                }
              >
                <TrashIcon size={14} />
              </button>
              {error ? <ErrorCaret expression={condition.expression} message={error} /> : null}
            </li>
          );
        })}
      </ol>
      <div>
        <button
          type="button"
          className="button button-small"
          onClick={() => update((current) => ({ ...current, conditions: [...current.conditions, conditionRow()] }))}
        >
          <PlusIcon size={13} /> Add condition
        </button>
      </div>
    </section>
  );
}

/** Under an expression main refused "at position N": the expression with a caret under N. */
function ErrorCaret({ expression, message }: { expression: string; message: string }) {
  const match = /(?:position|column|char(?:acter)?)\s+(\d+)/i.exec(message);
  if (!match) return null;
  const position = Number(match[1]);
  // Positions may count from 0 or 1; a caret past the end points at the end.
  const at = Math.min(Math.max(0, position - (/\b1-based|column\b/i.test(message) ? 1 : 0)), expression.length);
  return (
    <pre className="condition-caret" aria-hidden="true">
      {expression}
      {'\n'}
      {' '.repeat(at)}^
    </pre>
  );
}

function TestPanel({ test, probeName }: { test: TestState; probeName: string }) {
  if (test.state === 'idle') return null;
  return (
    <section className="form-section test-panel" aria-label="Test result" aria-live="polite">
      <h3 className="form-section-title">Test run</h3>
      {test.state === 'running' ? (
        <p className="muted">
          <span className="spinner" aria-hidden="true" /> Running once, without saving…
        </p>
      ) : test.state === 'failed' ? (
        <p className="form-error" role="alert">
          <WarningIcon size={15} /> <span>{test.message}</span>
        </p>
      ) : (
        <div className="test-result" data-testid="test-result">
          <div className="test-result-head">
            <ResultBadge status={test.result.status} />
            <span className="muted">in {formatLatency(test.result.durationMs)} · not saved</span>
          </div>
          <ResultDetail result={test.result} probeName={probeName} viewable={false} />
        </div>
      )}
    </section>
  );
}
