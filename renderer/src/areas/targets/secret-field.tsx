/**
 * One keychain secret in the target form. The stored value is never shown (the renderer never
 * has it): a set secret reads "•••••• set — leave empty to keep", with a Clear option.
 */
import { useRef, useState } from 'react';
import { SECRET_LABELS, type SecretSlot } from '../../../../shared/model/target';
import { Field } from '../../components/field';
import type { SecretField as SecretFieldState } from './target-form';

const MAX_SECRET_BYTES = 65_536;

const EMPTY_PLACEHOLDERS: Record<SecretSlot, string> = {
  apiToken: 'Paste the ops API token',
  privateKey: 'Paste the private key (-----BEGIN OPENSSH PRIVATE KEY----- …)',
  passphrase: 'Only if the key has one',
};

const HINTS: Record<SecretSlot, string> = {
  apiToken: 'Sent as a bearer token to the ops API.',
  privateKey: 'OpenSSH or PEM format. Ctrl+Enter saves from here.',
  passphrase: 'Leave empty if the key is not encrypted.',
};

interface SecretFieldProps {
  /** A target's slot, or any other named secret (a probe's) with its `label`. */
  slot: SecretSlot | (string & {});
  /** For a slot that is not a target's: its label, hint and empty placeholder. */
  label?: string | undefined;
  hint?: string | undefined;
  placeholder?: string | undefined;
  /** A value is stored in the keychain for this slot. */
  stored: boolean;
  field: SecretFieldState;
  error?: string | undefined;
  onChange(field: SecretFieldState): void;
}

export function SecretField({ slot, stored, field, error, onChange, ...own }: SecretFieldProps) {
  const known = (Object.hasOwn(SECRET_LABELS, slot) ? slot : undefined) as SecretSlot | undefined;
  const label = own.label ?? (known ? SECRET_LABELS[known] : slot);
  const fileInput = useRef<HTMLInputElement>(null);
  const [fileError, setFileError] = useState<string>();
  const placeholder = field.clear
    ? 'Will be removed from the keychain'
    : stored
      ? '•••••• set — leave empty to keep'
      : (own.placeholder ?? (known ? EMPTY_PLACEHOLDERS[known] : 'Paste the secret'));

  const aside = (
    <div className="secret-aside">
      {slot === 'privateKey' ? (
        <>
          <button
            type="button"
            className="button button-small button-quiet"
            disabled={field.clear}
            onClick={() => fileInput.current?.click()}
          >
            Load from file…
          </button>
          <input
            ref={fileInput}
            type="file"
            hidden
            aria-label={`${label} file`}
            onChange={(event) => {
              const file = event.target.files?.[0];
              event.target.value = '';
              if (!file) return;
              if (file.size > MAX_SECRET_BYTES) {
                setFileError('That file is over 64 KB — pick the private key file itself, like ~/.ssh/id_ed25519.');
                return;
              }
              setFileError(undefined);
              void file.text().then((text) => onChange({ ...field, value: text }));
            }}
          />
        </>
      ) : null}
      {stored ? (
        <label className="checkbox">
          <input
            type="checkbox"
            checked={field.clear}
            aria-label={`Clear ${label}`}
            onChange={(event) => onChange({ value: '', clear: event.target.checked })}
          />
          <span aria-hidden="true">Clear</span>
        </label>
      ) : null}
      {stored ? <span className="secret-tag is-set">secret set</span> : <span className="secret-tag">no secret</span>}
    </div>
  );

  return (
    <Field
      label={label}
      aside={aside}
      error={error ?? fileError}
      hint={own.hint ?? (known ? HINTS[known] : undefined)}
      className="secret-field"
    >
      {(control) =>
        slot === 'privateKey' ? (
          // A textarea keeps the key's line breaks (an <input> would strip them); the CSS
          // masks it like a password field.
          <textarea
            {...control}
            className="input secret-input masked"
            rows={3}
            value={field.value}
            placeholder={placeholder}
            disabled={field.clear}
            autoComplete="off"
            autoCorrect="off"
            autoCapitalize="off"
            spellCheck={false}
            onChange={(event) => onChange({ ...field, value: event.target.value })}
          />
        ) : (
          <input
            {...control}
            className="input secret-input"
            type="password"
            value={field.value}
            placeholder={placeholder}
            disabled={field.clear}
            autoComplete="off"
            spellCheck={false}
            onChange={(event) => onChange({ ...field, value: event.target.value })}
          />
        )
      }
    </Field>
  );
}
