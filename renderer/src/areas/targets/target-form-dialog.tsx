/**
 * Add or edit a target. Checked with the same schema main uses before anything is sent; what
 * main still refuses (a taken name, a locked keychain) is shown on the field or in the form, and
 * everything the user typed stays.
 */
import { useId, type FormEvent } from 'react';
import {
  DEFAULT_LOCAL_DOCKER,
  ENVIRONMENTS,
  TARGET_KINDS,
  type Target,
  type TargetKind,
} from '../../../../shared/model/target';
import { useApi } from '../../api/api-context';
import { Dialog } from '../../components/dialog';
import { DialogFooter } from '../../components/dialog-footer';
import { ENVIRONMENT_LABELS } from '../../components/env-badge';
import { Field, TextField } from '../../components/field';
import { WarningIcon } from '../../components/icons';
import { submitOnModEnter, useFormDialog } from '../../components/use-form-dialog';
import { SecretField } from './secret-field';
import {
  KIND_LABELS,
  buildDraft,
  formFieldErrors,
  initialFormState,
  slotsOf,
  type FieldErrors,
  type TargetFormState,
} from './target-form';

interface TargetFormDialogProps {
  /** The target to edit; absent to add one. */
  target?: Target;
  onClose(): void;
  onSaved(target: Target, created: boolean): void;
}

const KIND_HINTS: Record<TargetKind, string> = {
  'ops-api': "the product's ops API (/api/ops/*) over HTTPS",
  'docker-ssh': 'a remote Docker engine through one SSH connection',
  'docker-local': 'the Docker engine on this machine',
};

export function TargetFormDialog({ target, onClose, onSaved }: TargetFormDialogProps) {
  const api = useApi();
  const { form, errors, formError, saving, update, showErrors, save } = useFormDialog<TargetFormState>(
    () => initialFormState(target),
    (key, current) => isShownField(key, current.kind),
  );
  const editing = Boolean(target);
  const environmentLabelId = useId();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (saving) return;
    const formElement = event.currentTarget;
    const built = buildDraft(form, target);
    if (!built.ok) {
      showErrors(built.errors, undefined, formElement);
      return;
    }
    await save(
      formElement,
      () =>
        target
          ? api.invoke('targets:update', { id: target.id, draft: built.draft })
          : api.invoke('targets:create', built.draft),
      (saved) => onSaved(saved, !target),
      (fieldErrors) => {
        const fields = formFieldErrors(fieldErrors);
        // None on a field this form shows: the general message says it, alone.
        return Object.keys(fields).some((key) => isShownField(key, form.kind)) ? fields : {};
      },
    );
  }

  const title = target ? `Edit ${target.name}` : 'Add target';
  const kindChanged = target && form.kind !== target.kind && Object.values(target.secrets).some((s) => s.present);

  return (
    <Dialog
      title={title}
      description="Secrets go straight to the system keychain; Control Room keeps only a reference to them."
      onClose={onClose}
      busy={saving}
      className="target-form-dialog"
    >
      <form noValidate onSubmit={(event) => void submit(event)} onKeyDown={submitOnModEnter} aria-label={title}>
        <fieldset className="form-body" disabled={saving}>
          <TextField
            label="Name"
            error={errors.name}
            value={form.name}
            placeholder="shop-prod"
            autoFocus
            onValue={(name) => update({ name }, 'name')}
          />

          <div className="field-row">
            <div className={`field ${errors.environment ? 'has-error' : ''}`}>
              <div className="field-label-row">
                <span className="field-label" id={environmentLabelId}>
                  Environment
                </span>
              </div>
              <div className="segmented" role="radiogroup" aria-labelledby={environmentLabelId}>
                {ENVIRONMENTS.map((environment) => (
                  <label key={environment} className={`segment segment-${environment}`}>
                    <input
                      type="radio"
                      name="environment"
                      value={environment}
                      checked={form.environment === environment}
                      onChange={() => update({ environment }, 'environment')}
                    />
                    <span>{ENVIRONMENT_LABELS[environment]}</span>
                  </label>
                ))}
              </div>
              {errors.environment ? <p className="field-error">{errors.environment}</p> : null}
            </div>

            <Field label="Kind" error={errors.kind} className="grow">
              {(control) => (
                <select
                  {...control}
                  className="input select"
                  value={form.kind}
                  onChange={(event) => update({ kind: event.target.value as TargetKind }, 'kind')}
                >
                  {TARGET_KINDS.map((kind) => (
                    <option key={kind} value={kind}>
                      {KIND_LABELS[kind]}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          {form.environment === 'prod' ? (
            <p className="prod-note">
              <strong>Production.</strong> Marked red everywhere it appears; deleting it asks you to type its name.
            </p>
          ) : null}

          <section className="form-section" aria-label="Connection">
            <h3 className="form-section-title">
              Connection <span className="form-section-note">{KIND_HINTS[form.kind]}</span>
            </h3>
            <ConnectionFields form={form} errors={errors} update={update} />
            {target?.hostKey && movedHost(target, form) ? (
              <p className="inline-note">
                <WarningIcon size={14} /> A new host or port forgets the pinned host key; you confirm the new one on the
                first connection.
              </p>
            ) : null}
          </section>

          {slotsOf(form.kind).length ? (
            <section className="form-section" aria-label="Secrets">
              <h3 className="form-section-title">
                Secrets <span className="form-section-note">kept in the system keychain, never shown again</span>
              </h3>
              {kindChanged ? (
                <p className="inline-note">
                  <WarningIcon size={14} /> Changing the kind removes the secrets stored for {target!.kind}.
                </p>
              ) : null}
              {slotsOf(form.kind).map((slot) => (
                <SecretField
                  key={slot}
                  slot={slot}
                  stored={Boolean(target?.kind === form.kind && target.secrets[slot]?.present)}
                  field={form.secrets[slot]}
                  error={errors[`secrets.${slot}`]}
                  onChange={(field) => update({ secrets: { ...form.secrets, [slot]: field } }, `secrets.${slot}`)}
                />
              ))}
            </section>
          ) : null}
        </fieldset>

        <DialogFooter error={formError} hint="Enter saves · Esc closes">
          <button type="button" className="button" onClick={onClose} disabled={saving}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={saving}>
            {saving ? 'Saving…' : editing ? 'Save changes' : 'Add target'}
          </button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}

interface ConnectionFieldsProps {
  form: TargetFormState;
  errors: FieldErrors;
  update(change: Partial<TargetFormState>, ...touched: string[]): void;
}

function ConnectionFields({ form, errors, update }: ConnectionFieldsProps) {
  switch (form.kind) {
    case 'ops-api':
      return (
        <TextField
          label="Base URL"
          error={errors['settings.baseUrl']}
          hint="The ops API's root, like https://ops.example.com."
          mono
          type="url"
          inputMode="url"
          value={form.opsApi.baseUrl}
          placeholder="https://ops.example.com"
          onValue={(baseUrl) => update({ opsApi: { baseUrl } }, 'settings.baseUrl')}
        />
      );
    case 'docker-ssh': {
      const ssh = form.dockerSsh;
      const set = (change: Partial<typeof ssh>, key: string) => update({ dockerSsh: { ...ssh, ...change } }, key);
      return (
        <>
          <div className="field-row">
            <TextField
              label="User"
              error={errors['settings.username']}
              className="user"
              mono
              value={ssh.username}
              placeholder="deploy"
              onValue={(username) => set({ username }, 'settings.username')}
            />
            <TextField
              label="Host"
              error={errors['settings.host']}
              className="grow"
              mono
              value={ssh.host}
              placeholder="prod-1.example.com"
              onValue={(host) => set({ host }, 'settings.host')}
            />
            <Field label="Port" error={errors['settings.port']} className="port">
              {(control) => (
                <input
                  {...control}
                  className="input mono"
                  inputMode="numeric"
                  value={ssh.port}
                  placeholder="22"
                  autoComplete="off"
                  onChange={(event) => set({ port: event.target.value }, 'settings.port')}
                />
              )}
            </Field>
          </div>
          <TextField
            label="Docker socket on the host"
            error={errors['settings.socketPath']}
            hint="Where the remote Docker engine listens; reached through the SSH connection."
            mono
            value={ssh.socketPath}
            placeholder="/var/run/docker.sock"
            onValue={(socketPath) => set({ socketPath }, 'settings.socketPath')}
          />
        </>
      );
    }
    case 'docker-local':
      return (
        <TextField
          label="Docker socket"
          error={errors['settings.socketPath']}
          hint="Leave empty to use DOCKER_HOST, or /var/run/docker.sock when it is not set."
          mono
          value={form.dockerLocal.socketPath}
          placeholder={DEFAULT_LOCAL_DOCKER}
          onValue={(socketPath) => update({ dockerLocal: { socketPath } }, 'settings.socketPath')}
        />
      );
  }
}

const SHOWN_FIELDS: Record<TargetKind, readonly string[]> = {
  'ops-api': ['settings.baseUrl', 'secrets.apiToken'],
  'docker-ssh': [
    'settings.host',
    'settings.port',
    'settings.username',
    'settings.socketPath',
    'secrets.privateKey',
    'secrets.passphrase',
  ],
  'docker-local': ['settings.socketPath'],
};

function isShownField(key: string, kind: TargetKind): boolean {
  return key === 'name' || key === 'environment' || key === 'kind' || SHOWN_FIELDS[kind].includes(key);
}

/** The SSH endpoint changed, so main will drop the pinned host key. */
function movedHost(target: Target, form: TargetFormState): boolean {
  if (target.kind !== 'docker-ssh' || form.kind !== 'docker-ssh') return form.kind !== target.kind;
  return (
    form.dockerSsh.host.trim() !== target.settings.host || Number(form.dockerSsh.port.trim()) !== target.settings.port
  );
}
