/**
 * What an add/edit dialog keeps beside its own fields: the form's state, the message under each
 * field, the one in the footer, and whether it is saving.
 *
 * An error goes on its field when the form shows one; one the form has no field for goes in the
 * footer, and the first field in error takes the focus. Typing in a field drops its message.
 */
import { useState, type KeyboardEvent } from 'react';
import { toApiError } from '../api/open-api';
import { useKeychain } from '../app/keychain';

/** Messages by field key (`name`, `settings.host`, `secrets.apiToken` …). */
export type FieldErrors = Record<string, string>;

export function useFormDialog<S extends object>(
  initial: S | (() => S),
  /** Whether the form, as it is now, shows a field for this error key. */
  isShown: (key: string, form: S) => boolean,
) {
  const keychain = useKeychain();
  const [form, setForm] = useState<S>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string>();
  const [saving, setSaving] = useState(false);

  /** Applies a change and drops the errors of the fields it touched. */
  function update(change: Partial<S> | ((current: S) => S), ...touched: string[]) {
    setForm((current) => (typeof change === 'function' ? change(current) : { ...current, ...change }));
    if (touched.some((key) => errors[key])) {
      setErrors((current) => Object.fromEntries(Object.entries(current).filter(([key]) => !touched.includes(key))));
    }
  }

  /**
   * Shows errors on their fields. The footer says what has no field: `message` (main's) when
   * some error did land on a field, else the first one without; `message` alone when there are
   * no field errors at all.
   */
  function showErrors(fields: FieldErrors, message: string | undefined, formElement: HTMLFormElement | null) {
    setErrors(fields);
    const unplaced = Object.entries(fields).filter(([key]) => !isShown(key, form));
    setFormError(
      unplaced.length
        ? message && Object.keys(fields).length > unplaced.length
          ? message
          : unplaced[0]![1]
        : Object.keys(fields).length
          ? undefined
          : message,
    );
    if (formElement) focusFirstInvalid(formElement);
  }

  /** Before sending: no messages left from the last try. */
  function clearErrors() {
    setErrors({});
    setFormError(undefined);
  }

  /**
   * Sends a checked draft and hands what main saved to `done` (the owner closes the dialog, so
   * the form stays busy). What main refuses goes on the fields as `toFields` keys its field
   * errors to the form, and the form is free again; a locked or missing keychain is looked at
   * again, so the app says so.
   */
  async function save<T>(
    formElement: HTMLFormElement,
    send: () => Promise<T>,
    done: (saved: T) => void,
    toFields: (fieldErrors: Record<string, string> | undefined) => FieldErrors,
  ) {
    setSaving(true);
    clearErrors();
    try {
      done(await send());
    } catch (caught) {
      const error = toApiError(caught);
      showErrors(toFields(error.fieldErrors), error.message, formElement);
      if (error.code === 'keychain-locked' || error.code === 'keychain-unavailable') keychain.refresh();
      setSaving(false);
    }
  }

  return { form, errors, formError, saving, update, showErrors, clearErrors, save };
}

/** Ctrl/Cmd+Enter submits from any control, a textarea too (where Enter alone is a new line). */
export function submitOnModEnter(event: KeyboardEvent<HTMLFormElement>) {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    event.currentTarget.requestSubmit();
  }
}

/** Focuses the first control in error, once React has rendered the messages. */
export function focusFirstInvalid(form: HTMLFormElement) {
  requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
}
