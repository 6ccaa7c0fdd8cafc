/**
 * Deleting a target removes it and its keychain secrets. A prod target asks for its name first.
 */
import { useState, type FormEvent } from 'react';
import type { Target } from '../../../../shared/model/target';
import { useApi } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { useKeychain } from '../../app/keychain';
import { Dialog } from '../../components/dialog';
import { DialogFooter } from '../../components/dialog-footer';
import { EnvBadge } from '../../components/env-badge';

interface DeleteTargetDialogProps {
  target: Target;
  onClose(): void;
  onDeleted(target: Target): void;
}

export function DeleteTargetDialog({ target, onClose, onDeleted }: DeleteTargetDialogProps) {
  const api = useApi();
  const keychain = useKeychain();
  const [typed, setTyped] = useState('');
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string>();
  const prod = target.environment === 'prod';
  const confirmed = !prod || typed.trim() === target.name;
  const secretCount = Object.values(target.secrets).filter((secret) => secret.present).length;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!confirmed || deleting) return;
    setDeleting(true);
    setError(undefined);
    try {
      await api.invoke('targets:delete', { id: target.id });
      onDeleted(target);
    } catch (caught) {
      const apiError = toApiError(caught);
      setError(apiError.message);
      if (apiError.code.startsWith('keychain-')) keychain.refresh();
    } finally {
      setDeleting(false);
    }
  }

  return (
    <Dialog
      title={`Delete ${target.name}?`}
      onClose={onClose}
      busy={deleting}
      tone="danger"
      className={`delete-dialog ${prod ? 'is-prod' : ''}`}
    >
      <form noValidate onSubmit={(event) => void submit(event)}>
        <div className="form-body">
          <div className="delete-summary">
            <EnvBadge environment={target.environment} />
            <span className="delete-summary-name">{target.name}</span>
          </div>
          <p>
            Control Room forgets this target
            {secretCount
              ? ` and removes its ${secretCount === 1 ? 'secret' : `${secretCount} secrets`} from the system keychain`
              : ''}
            . Nothing on the host itself is touched.
          </p>
          {prod ? (
            <div className="field">
              <label htmlFor="confirm-delete-name" className="field-label">
                This is a <strong>production</strong> target. Type <code className="mono">{target.name}</code> to
                confirm.
              </label>
              <input
                id="confirm-delete-name"
                className="input mono"
                value={typed}
                autoComplete="off"
                spellCheck={false}
                autoFocus
                aria-label={`Type ${target.name} to confirm`}
                disabled={deleting}
                onChange={(event) => setTyped(event.target.value)}
              />
            </div>
          ) : null}
        </div>
        <DialogFooter error={error}>
          <button type="button" className="button" onClick={onClose} disabled={deleting} autoFocus={!prod}>
            Cancel
          </button>
          <button type="submit" className="button button-danger" disabled={!confirmed || deleting}>
            {deleting ? 'Deleting…' : 'Delete target'}
          </button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
