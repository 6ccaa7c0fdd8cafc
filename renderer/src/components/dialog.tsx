/**
 * A modal dialog on the native <dialog> element: focus is trapped and the page behind is inert.
 *
 * Esc asks the owner to close (`onClose`), unless `busy` says a request is still running. The
 * element marked `data-autofocus` starts focused (else the browser picks the first focusable).
 */
import { useId, useLayoutEffect, useRef, type ReactNode } from 'react';

interface DialogProps {
  title: ReactNode;
  /** Text under the title. */
  description?: ReactNode;
  onClose(): void;
  busy?: boolean;
  className?: string;
  tone?: 'default' | 'danger';
  children: ReactNode;
}

export function Dialog({
  title,
  description,
  onClose,
  busy = false,
  className = '',
  tone = 'default',
  children,
}: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  const mounted = useRef(false);

  // A layout effect, so close() runs while the element is still in the document and the browser
  // returns focus to whatever opened the dialog.
  useLayoutEffect(() => {
    const dialog = ref.current!;
    mounted.current = true;
    if (!dialog.open) dialog.showModal();
    // showModal() focuses the first focusable element, whatever React's autoFocus did while the
    // dialog was still closed; `data-autofocus` names the control that should start focused.
    dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => {
      mounted.current = false;
      dialog.close();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={`dialog dialog-${tone} ${className}`}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onCancel={(event) => {
        // Esc: the owner decides (it unmounts us); the browser must not close it behind React's back.
        event.preventDefault();
        if (!busy) onClose();
      }}
      onClose={() => {
        // Chromium closes without a cancel event on a repeated Esc; keep React in charge.
        if (!mounted.current) return;
        if (busy) ref.current?.showModal();
        else onClose();
      }}
    >
      <header className="dialog-header">
        <h2 id={titleId}>{title}</h2>
        {description ? (
          <p id={descriptionId} className="dialog-description">
            {description}
          </p>
        ) : null}
      </header>
      {children}
    </dialog>
  );
}
