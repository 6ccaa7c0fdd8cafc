/**
 * A labelled form field with its hint and its error message, wired for screen readers.
 */
import { useId, type InputHTMLAttributes, type ReactElement, type ReactNode } from 'react';

interface FieldProps {
  label: ReactNode;
  /** Shown under the control while there is no error. */
  hint?: ReactNode;
  error?: string | undefined;
  /** Next to the label, e.g. a "secret set" tag. */
  aside?: ReactNode;
  className?: string;
  children: (control: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => ReactElement;
}

export function Field({ label, hint, error, aside, className = '', children }: FieldProps) {
  const id = useId();
  const messageId = `${id}-message`;
  const hasMessage = Boolean(error || hint);
  return (
    <div className={`field ${error ? 'has-error' : ''} ${className}`}>
      <div className="field-label-row">
        <label htmlFor={id}>{label}</label>
        {aside}
      </div>
      {children({ id, 'aria-invalid': Boolean(error), 'aria-describedby': hasMessage ? messageId : undefined })}
      {error ? (
        <p id={messageId} className="field-error">
          {error}
        </p>
      ) : hint ? (
        <p id={messageId} className="field-hint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

type TextFieldProps = Omit<FieldProps, 'children'> &
  Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'className' | 'id'> & {
    value: string;
    onValue(value: string): void;
    /** A name, path, host or URL: set in the monospaced face. */
    mono?: boolean;
  };

/** A one-line text input in a Field, neither autocompleted nor spell-checked: names, hosts, paths. */
export function TextField({
  label,
  hint,
  error,
  aside,
  className,
  mono = false,
  value,
  onValue,
  ...input
}: TextFieldProps) {
  return (
    <Field label={label} hint={hint} error={error} aside={aside} className={className ?? ''}>
      {(control) => (
        <input
          {...control}
          className={mono ? 'input mono' : 'input'}
          value={value}
          autoComplete="off"
          spellCheck={false}
          {...input}
          onChange={(event) => onValue(event.target.value)}
        />
      )}
    </Field>
  );
}
