/**
 * The bottom row every dialog shares: on the left the error of the last attempt (an alert), or
 * else a status or the keyboard hint; on the right the buttons, the main one last.
 */
import type { ReactNode } from 'react';
import { WarningIcon } from './icons';

interface DialogFooterProps {
  /** The last attempt's error, in one sentence; replaces the hint and status while shown. */
  error?: string | null | undefined;
  /**
   * What the keys do ("Enter saves · Esc closes"); hidden from screen readers, the buttons say it.
   * Without one the left side stays empty and the buttons keep to the right.
   */
  hint?: string;
  /** Shown instead of the hint (an outcome such as "Added 3 targets"). */
  status?: ReactNode;
  children: ReactNode;
}

export function DialogFooter({ error, hint, status, children }: DialogFooterProps) {
  return (
    <footer className="dialog-footer">
      {error ? (
        <p className="form-error" role="alert">
          <WarningIcon size={15} />
          <span>{error}</span>
        </p>
      ) : (
        (status ?? (
          <span className="dialog-footer-hint" aria-hidden="true">
            {hint}
          </span>
        ))
      )}
      <div className="dialog-buttons">{children}</div>
    </footer>
  );
}
