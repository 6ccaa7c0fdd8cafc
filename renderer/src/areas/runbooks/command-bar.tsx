/**
 * The command bar (Ctrl/Cmd+K from anywhere): plain text in, a plan card out. Text that names no
 * runbook shows the closest ones as examples that fill the field — never a guess that runs.
 * Up and Down step through the last ten commands.
 */
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { Dialog } from '../../components/dialog';
import { WarningIcon } from '../../components/icons';
import { isCommandShortcut } from './command-model';
import { PlanCard } from './plan-card';
import { useCommand } from './use-command';
import '../../styles/runbooks-command.css';

export { COMMAND_SHORTCUT_LABEL } from './command-model';

/**
 * Whether the command bar is open; Ctrl/Cmd+K toggles it from anywhere, a text field included
 * (listened for before the page's own handlers, so none can swallow it).
 */
export function useCommandBar(): { open: boolean; show(): void; close(): void } {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKeyDown = (event: globalThis.KeyboardEvent) => {
      if (!isCommandShortcut(event)) return;
      event.preventDefault();
      event.stopPropagation();
      setOpen((value) => !value);
    };
    window.addEventListener('keydown', onKeyDown, { capture: true });
    return () => window.removeEventListener('keydown', onKeyDown, { capture: true });
  }, []);
  const show = useCallback(() => setOpen(true), []);
  const close = useCallback(() => setOpen(false), []);
  return { open, show, close };
}

export function CommandBar({ onClose }: { onClose(): void }) {
  const command = useCommand();
  const field = useRef<HTMLInputElement>(null);
  const fieldId = useId();
  const hintId = useId();
  const state = command.command;

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
      if (command.browse(event.key === 'ArrowUp' ? 'older' : 'newer')) event.preventDefault();
    }
  }

  return (
    <Dialog title="Run a command" onClose={onClose} className="command-bar">
      <form
        className="command-form"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          command.submit();
        }}
      >
        <label htmlFor={fieldId} className="visually-hidden">
          Command
        </label>
        <input
          ref={field}
          id={fieldId}
          className="input command-input mono"
          data-autofocus
          value={command.text}
          placeholder="deploy backend v1.4.2 to prod · healthcheck staging"
          autoComplete="off"
          spellCheck={false}
          aria-describedby={hintId}
          onChange={(event) => command.setText(event.target.value)}
          onKeyDown={onKeyDown}
        />
        <p id={hintId} className="command-hint muted">
          Enter shows the plan; nothing runs until you press Run. <kbd>↑</kbd> <kbd>↓</kbd> recent commands ·{' '}
          <kbd>Esc</kbd> close
        </p>
      </form>
      <div className="command-result" aria-live="polite">
        {state.state === 'asking' ? (
          <p className="loading">
            <span className="spinner" aria-hidden="true" /> Reading “{state.text}”…
          </p>
        ) : null}
        {state.state === 'failed' ? (
          <p className="form-error" role="alert">
            <WarningIcon size={14} /> {state.message}
          </p>
        ) : null}
        {state.state === 'answered' && state.result.kind === 'plan' ? (
          <PlanCard key={state.ask} plan={state.result.plan} onCancel={onClose} onStarted={onClose} />
        ) : null}
        {state.state === 'answered' && state.result.kind === 'unrecognised' ? (
          <div className="command-unrecognised" data-testid="command-unrecognised">
            <p className="form-error">
              <WarningIcon size={14} /> {state.result.message}
            </p>
            {state.result.suggestions.length > 0 ? (
              <div className="command-suggestions">
                <p className="muted">Did you mean:</p>
                <ul>
                  {state.result.suggestions.map((suggestion) => (
                    <li key={suggestion.runbookId}>
                      <button
                        type="button"
                        className="button button-small command-suggestion"
                        onClick={() => {
                          command.setText(suggestion.example);
                          field.current?.focus();
                        }}
                      >
                        <strong>{suggestion.runbookId}</strong>
                        <span className="muted"> — e.g. </span>
                        <span className="mono">{suggestion.example}</span>
                      </button>
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
          </div>
        ) : null}
      </div>
    </Dialog>
  );
}
