/**
 * The runbook editor (`#/runbooks/edit/<id>`, `#/runbooks/new`): the YAML in a monospace text
 * area, checked as it is typed (`runbooks:check`, once typing pauses) with line-numbered errors —
 * a click on one puts the caret on its line. Save writes the file (disabled while there are
 * errors); Delete removes a file after a confirmation. A built-in is never changed: it can be
 * saved as a copy under a new id.
 */
import { useEffect, useRef, useState } from 'react';
import type { RunbookFileError } from '../../../../shared/model/runbook';
import { toApiError } from '../../api/open-api';
import { navigate } from '../../app/routes';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { CheckIcon, TrashIcon, WarningIcon } from '../../components/icons';
import { useRunbooksApi } from './runbooks-api';
import { caretRangeOfLine, copyId, NEW_RUNBOOK_YAML, readId, withId } from './runbook-yaml';

/** How long typing pauses before the YAML is checked. */
const CHECK_DELAY_MS = 300;

type Loaded =
  | { state: 'loading' }
  | { state: 'failed'; message: string }
  | { state: 'ready'; source: 'built-in' | 'file' | 'new'; id: string | undefined; file: string | null; yaml: string };

export function RunbookEditor({ runbookId }: { runbookId: string | undefined }) {
  const runbooks = useRunbooksApi();
  const [loaded, setLoaded] = useState<Loaded>(() =>
    runbookId ? { state: 'loading' } : { state: 'ready', source: 'new', id: undefined, file: null, yaml: NEW_RUNBOOK_YAML },
  );

  // The area keys this component by the route, so a new id mounts a fresh one (state starts over).
  useEffect(() => {
    if (!runbookId) return;
    let current = true;
    runbooks.getRunbook(runbookId).then(
      (value) =>
        current && setLoaded({ state: 'ready', source: value.source, id: value.id, file: value.file, yaml: value.yaml }),
      (caught: unknown) => current && setLoaded({ state: 'failed', message: toApiError(caught).message }),
    );
    return () => {
      current = false;
    };
  }, [runbooks, runbookId]);

  if (loaded.state === 'loading') return <p className="loading">Loading the runbook…</p>;
  if (loaded.state === 'failed')
    return (
      <div className="runbook-editor">
        <a className="run-back" href="#/runbooks/list">
          ← Runbooks
        </a>
        <p className="form-error" role="alert">
          <WarningIcon size={14} /> Could not open the runbook: {loaded.message}
        </p>
      </div>
    );
  return <Editor key={`${loaded.source}:${loaded.id ?? ''}`} loaded={loaded} />;
}

function Editor({ loaded }: { loaded: Extract<Loaded, { state: 'ready' }> }) {
  const runbooks = useRunbooksApi();
  const [yaml, setYaml] = useState(loaded.yaml);
  const [errors, setErrors] = useState<RunbookFileError[]>();
  /** A check is due or on its way for the text shown. */
  const [checking, setChecking] = useState(true);
  const [checkError, setCheckError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const text = useRef<HTMLTextAreaElement>(null);
  const builtIn = loaded.source === 'built-in';

  // Check once typing pauses; only the newest answer counts.
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      runbooks.checkRunbook(yaml).then(
        (result) => {
          if (!current) return;
          setErrors(result.errors);
          setCheckError(undefined);
          setChecking(false);
        },
        (caught: unknown) => {
          if (!current) return;
          setCheckError(toApiError(caught).message);
          setChecking(false);
        },
      );
    }, CHECK_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [runbooks, yaml]);

  const edit = (next: string) => {
    setYaml(next);
    setChecking(true);
  };

  const goToLine = (line: number | null) => {
    const area = text.current;
    if (!area || line === null) return;
    const [start, end] = caretRangeOfLine(area.value, line);
    area.focus();
    area.setSelectionRange(start, end);
    // Bring the line into view: the text area scrolls to its caret only on typing.
    const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 18;
    area.scrollTop = Math.max(0, (line - 3) * lineHeight);
  };

  const save = async () => {
    setSaving(true);
    setSaveError(undefined);
    try {
      // A built-in is saved as a copy under a new id; a file keeps its name unless its id changed.
      const toSave = builtIn ? withId(yaml, copyId(readId(yaml) ?? loaded.id ?? 'runbook')) : yaml;
      const result = await runbooks.saveRunbook({
        yaml: toSave,
        ...(loaded.source === 'file' && loaded.id ? { previousId: loaded.id } : {}),
      });
      if (!result.saved || !result.summary) {
        setErrors(result.errors);
        setSaveError(result.errors.length ? 'Not saved: fix the errors listed first.' : 'Not saved.');
        return;
      }
      navigate('runbooks', 'list');
    } catch (caught) {
      setSaveError(toApiError(caught).message);
    } finally {
      setSaving(false);
    }
  };

  const hasErrors = (errors?.length ?? 0) > 0;
  const canSave = !saving && !checking && errors !== undefined && !hasErrors;
  const title =
    loaded.source === 'new' ? 'New runbook' : builtIn ? `${loaded.id} (built-in)` : (loaded.file ?? loaded.id ?? '');

  return (
    <div className="runbook-editor">
      <div className="runbook-editor-head">
        <a className="run-back" href="#/runbooks/list">
          ← Runbooks
        </a>
        <h2 className="runbook-editor-title mono">{title}</h2>
        <span className="spacer" />
        {loaded.source === 'file' && loaded.id ? (
          <button type="button" className="button button-quiet button-quiet-danger" onClick={() => setConfirmDelete(true)}>
            <TrashIcon /> Delete
          </button>
        ) : null}
        <button type="button" className="button button-primary" disabled={!canSave} onClick={() => void save()}>
          {saving ? 'Saving…' : builtIn ? 'Save as a copy' : 'Save'}
        </button>
      </div>
      {builtIn ? (
        <p className="inline-note">
          Built-in runbooks ship with the app and are never changed: edit here and save as a copy (its id gets
          “-copy”), then run the copy.
        </p>
      ) : null}
      <div className="runbook-editor-body">
        <textarea
          ref={text}
          className="input mono runbook-yaml"
          aria-label="Runbook YAML"
          aria-invalid={hasErrors}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          wrap="off"
          value={yaml}
          onChange={(event) => edit(event.target.value)}
          onKeyDown={(event) => {
            // Tab indents (YAML wants spaces) instead of leaving the field.
            if (event.key === 'Tab' && !event.shiftKey && !event.ctrlKey && !event.metaKey && !event.altKey) {
              event.preventDefault();
              const area = event.currentTarget;
              const { selectionStart, selectionEnd } = area;
              edit(`${yaml.slice(0, selectionStart)}  ${yaml.slice(selectionEnd)}`);
              requestAnimationFrame(() => area.setSelectionRange(selectionStart + 2, selectionStart + 2));
            }
          }}
        />
        <aside className="runbook-check" aria-label="Check" aria-live="polite">
          {checkError ? (
            <p className="form-error" role="alert">
              <WarningIcon size={14} /> Could not check the YAML: {checkError}
            </p>
          ) : errors === undefined ? (
            <p className="muted">Checking…</p>
          ) : hasErrors ? (
            <>
              <p className="runbook-check-title tone-danger">
                <WarningIcon size={14} /> {errors.length} {errors.length === 1 ? 'problem' : 'problems'}
                {checking ? <span className="muted"> · checking…</span> : null}
              </p>
              <ul className="runbook-check-errors">
                {errors.map((error, index) => (
                  <li key={index}>
                    <button
                      type="button"
                      className="runbook-error"
                      disabled={error.line === null}
                      onClick={() => goToLine(error.line)}
                      title={error.line !== null ? `Go to line ${error.line}` : undefined}
                    >
                      <span className="mono runbook-error-line">
                        {error.line !== null ? `Line ${error.line}` : 'File'}
                      </span>
                      <span>{error.message}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p className="runbook-check-ok tone-ok">
              <CheckIcon /> No problems{checking ? <span className="muted"> · checking…</span> : null}
            </p>
          )}
          {saveError ? (
            <p className="form-error" role="alert">
              <WarningIcon size={14} /> {saveError}
            </p>
          ) : null}
        </aside>
      </div>
      {confirmDelete && loaded.id ? (
        <ConfirmDialog
          title={`Delete ${loaded.file ?? loaded.id}?`}
          description="The file is removed from the runbooks folder. Runs of it stay in the history."
          confirmLabel="Delete"
          busyLabel="Deleting…"
          tone="danger"
          onConfirm={async () => {
            await runbooks.deleteRunbook(loaded.id!);
            navigate('runbooks', 'list');
          }}
          onClose={() => setConfirmDelete(false)}
        />
      ) : null}
    </div>
  );
}
