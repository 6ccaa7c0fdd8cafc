/**
 * The secrets runbook steps use by name (`secret: github-token`): whether each is set, set one
 * (a password field; the value goes to the keychain in main) or remove it. Values never come back.
 */
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { RunbookSecretName } from '../../../../shared/model/runbook';
import { toApiError } from '../../api/open-api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { KeyIcon, TrashIcon, WarningIcon } from '../../components/icons';
import { useRunbooksApi } from './runbooks-api';

interface SecretStatus {
  name: string;
  present: boolean;
}

export function SecretsView() {
  const runbooks = useRunbooksApi();
  const [secrets, setSecrets] = useState<SecretStatus[]>();
  const [error, setError] = useState<string>();
  const [removing, setRemoving] = useState<string>();

  const read = useCallback(() => {
    runbooks.secrets().then(
      (list) => {
        setSecrets(list);
        setError(undefined);
      },
      (caught: unknown) => setError(toApiError(caught).message),
    );
  }, [runbooks]);
  useEffect(read, [read]);

  const changed = (status: SecretStatus) =>
    setSecrets((list) => {
      const rest = (list ?? []).filter((secret) => secret.name !== status.name);
      return [...rest, status].sort((a, b) => a.name.localeCompare(b.name));
    });

  return (
    <div className="runbook-secrets">
      <p className="muted">
        Runbook steps name the secrets they use (<span className="mono">secret: github-token</span>). Values go to the
        system keychain and are never shown again, here or in a run’s events.
      </p>
      {error ? (
        <p className="form-error" role="alert">
          <WarningIcon size={14} /> {error}
        </p>
      ) : null}
      {secrets === undefined ? (
        error ? null : (
          <p className="loading">Loading secrets…</p>
        )
      ) : (
        <table className="secrets-table" aria-label="Runbook secrets">
          <thead className="table-heads">
            <tr>
              <th>Name</th>
              <th>State</th>
              <th>Set a new value</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {secrets.length === 0 ? (
              <tr>
                <td colSpan={4} className="muted">
                  No runbook names a secret yet; add one below.
                </td>
              </tr>
            ) : null}
            {secrets.map((secret) => (
              <tr key={secret.name} data-secret={secret.name}>
                <td className="mono">{secret.name}</td>
                <td>
                  <span className={`secret-tag ${secret.present ? 'is-set' : ''}`}>
                    {secret.present ? 'Set' : 'Not set'}
                  </span>
                </td>
                <td>
                  <SetSecretForm name={secret.name} onSaved={changed} />
                </td>
                <td>
                  {secret.present ? (
                    <button
                      type="button"
                      className="button button-small button-quiet button-quiet-danger"
                      aria-label={`Remove ${secret.name}`}
                      onClick={() => setRemoving(secret.name)}
                    >
                      <TrashIcon size={13} /> Remove
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NewSecretForm onSaved={changed} />
      {removing ? (
        <ConfirmDialog
          title={`Remove ${removing}?`}
          description="Runbooks that use it stop at validate until it is set again."
          confirmLabel="Remove"
          busyLabel="Removing…"
          tone="danger"
          onConfirm={async () => {
            changed(await runbooks.setSecret(removing, null));
            setRemoving(undefined);
          }}
          onClose={() => setRemoving(undefined)}
        />
      ) : null}
    </div>
  );
}

/** Saving a secret's value in the keychain: busy while it goes, and why it was refused. */
function useSecretSaver(onSaved: (status: SecretStatus) => void) {
  const runbooks = useRunbooksApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  /** True once saved (the form then empties its fields). */
  const save = async (name: string, value: string): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      onSaved(await runbooks.setSecret(name, value));
      return true;
    } catch (caught) {
      setError(toApiError(caught).message);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, save };
}

function SetSecretForm({ name, onSaved }: { name: string; onSaved(status: SecretStatus): void }) {
  const [value, setValue] = useState('');
  const { busy, error, save } = useSecretSaver(onSaved);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!value || busy) return;
    if (await save(name, value)) setValue('');
  };
  return (
    <form className="secret-form" onSubmit={(event) => void submit(event)}>
      <input
        type="password"
        className="input input-small"
        aria-label={`New value for ${name}`}
        autoComplete="new-password"
        value={value}
        onChange={(event) => setValue(event.target.value)}
      />
      <button type="submit" className="button button-small" disabled={!value || busy}>
        <KeyIcon /> {busy ? 'Saving…' : 'Set'}
      </button>
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </form>
  );
}

function NewSecretForm({ onSaved }: { onSaved(status: SecretStatus): void }) {
  const nameId = useId();
  const valueId = useId();
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const { busy, error, save } = useSecretSaver(onSaved);
  const nameCheck = name ? RunbookSecretName.safeParse(name) : undefined;
  const nameError = nameCheck && !nameCheck.success ? nameCheck.error.issues[0]?.message : undefined;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!name || !value || nameError || busy) return;
    if (await save(name, value)) {
      setName('');
      setValue('');
    }
  };
  return (
    <form className="secret-new" aria-label="Add a secret" onSubmit={(event) => void submit(event)}>
      <h2 className="run-section-title">Add a secret</h2>
      <div className="secret-new-row">
        <label className="field" htmlFor={nameId}>
          <span className="field-label">Name</span>
          <input
            id={nameId}
            className="input input-small mono"
            placeholder="github-token"
            value={name}
            aria-invalid={Boolean(nameError)}
            onChange={(event) => setName(event.target.value)}
          />
        </label>
        <label className="field" htmlFor={valueId}>
          <span className="field-label">Value</span>
          <input
            id={valueId}
            type="password"
            className="input input-small"
            autoComplete="new-password"
            value={value}
            onChange={(event) => setValue(event.target.value)}
          />
        </label>
        <button type="submit" className="button" disabled={!name || !value || Boolean(nameError) || busy}>
          <KeyIcon /> {busy ? 'Saving…' : 'Add secret'}
        </button>
      </div>
      {nameError ? <p className="field-error">{nameError}</p> : null}
      {error ? (
        <p className="form-error" role="alert">
          <WarningIcon size={14} /> {error}
        </p>
      ) : null}
    </form>
  );
}
