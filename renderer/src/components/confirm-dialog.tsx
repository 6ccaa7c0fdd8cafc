/**
 * Asks before doing something: a plain confirmation, or (on production) one that stays locked
 * until the user types the exact name of what they are acting on.
 *
 * Enter confirms (once allowed), Esc cancels unless the action is running. While it runs the
 * button says so; a failure is shown as one sentence and the dialog stays, to try again.
 */
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { toApiError } from '../api/open-api';
import { Dialog } from './dialog';
import { DialogFooter } from './dialog-footer';
import '../styles/components.css';

interface ConfirmDialogProps {
  title: string;
  description?: ReactNode;
  /** Set to require typing this text exactly before the button unlocks. */
  typeToConfirm?: string | undefined;
  /** What the typing prompt says before the name, e.g. "This is a production target." */
  typePrompt?: ReactNode;
  confirmLabel: string;
  /** Shown on the button while `onConfirm` runs, e.g. "Restarting…". */
  busyLabel: string;
  tone?: 'default' | 'danger';
  className?: string;
  /** Receives what was typed (when typing is required); a rejection is shown in the dialog. */
  onConfirm(typed: string | undefined): Promise<unknown>;
  onClose(): void;
  children?: ReactNode;
}

export function ConfirmDialog({
  title,
  description,
  typeToConfirm,
  typePrompt,
  confirmLabel,
  busyLabel,
  tone = 'default',
  className = '',
  onConfirm,
  onClose,
  children,
}: ConfirmDialogProps) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const inputId = useId();
  const needsTyping = typeToConfirm !== undefined;
  const matches = !needsTyping || typed === typeToConfirm;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!matches || busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm(needsTyping ? typed : undefined);
    } catch (caught) {
      setError(toApiError(caught).message);
      setBusy(false);
    }
  }

  return (
    <Dialog
      title={title}
      description={description}
      onClose={onClose}
      busy={busy}
      tone={tone}
      className={`confirm-dialog ${needsTyping ? 'is-typed' : ''} ${className}`}
    >
      <form noValidate onSubmit={(event) => void submit(event)}>
        <div className="form-body">
          {children}
          {needsTyping ? (
            <div className="field">
              <label htmlFor={inputId} className="field-label">
                {typePrompt} Type <code className="mono">{typeToConfirm}</code> to confirm.
              </label>
              <input
                id={inputId}
                className="input mono"
                value={typed}
                autoComplete="off"
                spellCheck={false}
                data-autofocus
                aria-label={`Type ${typeToConfirm} to confirm`}
                aria-invalid={typed !== '' && !typeToConfirm.startsWith(typed)}
                disabled={busy}
                onChange={(event) => setTyped(event.target.value)}
              />
            </div>
          ) : null}
        </div>
        <DialogFooter error={error} hint="Enter confirms · Esc cancels">
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button
            type="submit"
            className={`button ${tone === 'danger' ? 'button-danger' : 'button-primary'}`}
            disabled={!matches || busy}
            data-autofocus={needsTyping ? undefined : true}
          >
            {busy ? (
              <>
                <span className="spinner" aria-hidden="true" /> {busyLabel}
              </>
            ) : (
              confirmLabel
            )}
          </button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
