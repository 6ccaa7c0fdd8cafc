/**
 * Add or edit a channel: its name and kind, then what the kind needs — nothing for desktop
 * notifications, the URL (and an optional bearer token) for webhooks, the server, security,
 * sender and recipients for email with the SMTP user name and password. Secrets go to the
 * keychain and are only ever shown as set or not set.
 */
import type { FormEvent } from 'react';
import {
  CHANNEL_KINDS,
  CHANNEL_SECRET_LABELS,
  CHANNEL_SECRET_SLOTS,
  SMTP_SECURITY,
  type Channel,
  type ChannelKind,
  type ChannelSecretSlot,
} from '../../../../shared/model/channels';
import { useApi } from '../../api/api-context';
import { Dialog } from '../../components/dialog';
import { DialogFooter } from '../../components/dialog-footer';
import { Field, TextField } from '../../components/field';
import { submitOnModEnter, useFormDialog } from '../../components/use-form-dialog';
import { SecretField } from '../targets/secret-field';
import {
  channelDraftOf,
  channelFieldKey,
  channelFormOf,
  emptyChannelForm,
  isChannelFieldShown,
  KIND_LABELS,
  secretField,
  SECURITY_LABELS,
  SECURITY_PORTS,
  type ChannelFormState,
} from './channel-form';

const SECRET_HINTS: Record<ChannelSecretSlot, string> = {
  url: 'Kept in the keychain: a Slack or Discord URL carries its key in the path.',
  token: 'Sent as "Authorization: Bearer …" when set.',
  username: 'Leave empty for a server that takes mail without signing in.',
  password: 'Kept in the keychain.',
};

interface ChannelDialogProps {
  channel?: Channel | undefined;
  onClose(): void;
  onSaved(channel: Channel, created: boolean): void;
}

export function ChannelDialog({ channel, onClose, onSaved }: ChannelDialogProps) {
  const api = useApi();
  const { form, errors, formError, saving, update, showErrors, save } = useFormDialog<ChannelFormState>(
    () => (channel ? channelFormOf(channel) : emptyChannelForm()),
    isChannelFieldShown,
  );

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const element = event.currentTarget;
    const { draft, errors: missing } = channelDraftOf(form, channel);
    if (Object.keys(missing).length) {
      showErrors(missing, undefined, element);
      return;
    }
    void save(
      element,
      () => (channel ? api.invoke('channels:update', { id: channel.id, draft }) : api.invoke('channels:create', draft)),
      (saved) => onSaved(saved, !channel),
      (fieldErrors) =>
        Object.fromEntries(Object.entries(fieldErrors ?? {}).map(([key, message]) => [channelFieldKey(key), message])),
    );
  }

  const email = form.email;
  const setEmail = (change: Partial<ChannelFormState['email']>, key: string) =>
    update((current) => ({ ...current, email: { ...current.email, ...change } }), `settings.${key}`);

  return (
    <Dialog
      title={channel ? `Edit ${channel.name}` : 'Add channel'}
      description="Where alert messages go. Send test once it is saved to see a delivery's result."
      onClose={onClose}
      busy={saving}
      className="alerts-dialog channel-dialog"
    >
      <form noValidate onSubmit={submit} onKeyDown={submitOnModEnter}>
        <div className="form-body">
          <TextField
            label="Name"
            value={form.name}
            onValue={(name) => update({ name }, 'name')}
            error={errors.name}
            placeholder="Ops webhook"
            data-autofocus
          />
          <Field label="Kind" hint={channel ? 'The kind of a saved channel stays as it is.' : undefined}>
            {(control) => (
              <select
                {...control}
                className="input select"
                value={form.kind}
                disabled={Boolean(channel)}
                onChange={(event) => update({ kind: event.target.value as ChannelKind })}
              >
                {CHANNEL_KINDS.map((kind) => (
                  <option key={kind} value={kind}>
                    {KIND_LABELS[kind]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {form.kind === 'desktop' ? (
            <p className="muted">
              Nothing to set up: messages show as system notifications on this machine (in browser mode, the browser
              asks once for permission), and clicking one opens the probe.
            </p>
          ) : null}
          {form.kind === 'email' ? (
            <>
              <div className="field-row">
                <TextField
                  label="SMTP server"
                  mono
                  value={email.host}
                  onValue={(host) => setEmail({ host }, 'host')}
                  error={errors['settings.host']}
                  placeholder="smtp.example.com"
                />
                <TextField
                  label="Port"
                  mono
                  inputMode="numeric"
                  value={email.port}
                  onValue={(port) => setEmail({ port }, 'port')}
                  error={errors['settings.port']}
                />
              </div>
              <Field label="Security" error={errors['settings.security']}>
                {(control) => (
                  <select
                    {...control}
                    className="input select"
                    value={email.security}
                    onChange={(event) => {
                      const security = event.target.value as keyof typeof SECURITY_LABELS;
                      // Follow the usual port when the port was still the previous choice's.
                      const usual = Object.values(SECURITY_PORTS).map(String).includes(email.port);
                      setEmail(usual ? { security, port: String(SECURITY_PORTS[security]) } : { security }, 'security');
                    }}
                  >
                    {SMTP_SECURITY.map((s) => (
                      <option key={s} value={s}>
                        {SECURITY_LABELS[s]}
                        {s === 'none' ? ' (never encrypted)' : ''}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <TextField
                label="From"
                value={email.from}
                onValue={(from) => setEmail({ from }, 'from')}
                error={errors['settings.from']}
                placeholder="control-room@example.com"
              />
              <TextField
                label="To"
                value={email.to}
                onValue={(to) => setEmail({ to }, 'to')}
                error={errors['settings.to']}
                placeholder="ops@example.com, oncall@example.com"
                hint="One or more addresses, separated by commas."
              />
            </>
          ) : null}
          {CHANNEL_SECRET_SLOTS[form.kind].map((slot) => (
            <SecretField
              key={`${form.kind}-${slot}`}
              slot={slot}
              label={CHANNEL_SECRET_LABELS[slot]}
              hint={SECRET_HINTS[slot]}
              placeholder={slot === 'url' ? 'https://hooks.example.com/…' : undefined}
              stored={channel?.kind === form.kind && Boolean(channel.secrets[slot]?.present)}
              field={secretField(form, slot)}
              error={errors[`secrets.${slot}`]}
              onChange={(field) =>
                update((current) => ({ ...current, secrets: { ...current.secrets, [slot]: field } }), `secrets.${slot}`)
              }
            />
          ))}
          <label className="checkbox">
            <input
              type="checkbox"
              checked={form.enabled}
              onChange={(event) => update({ enabled: event.target.checked })}
            />
            <span>Enabled — receives alert messages</span>
          </label>
        </div>
        <DialogFooter error={formError} hint="Ctrl+Enter saves · Esc closes">
          <button type="button" className="button" onClick={onClose} disabled={saving}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={saving}>
            {saving ? (
              <>
                <span className="spinner" aria-hidden="true" /> Saving…
              </>
            ) : channel ? (
              'Save channel'
            ) : (
              'Add channel'
            )}
          </button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
