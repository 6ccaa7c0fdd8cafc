/**
 * A new bundle: a target and a window, a preview (sections with their sizes, redaction counts
 * and samples; sections can be left out), then the export with its progress bar and Cancel,
 * and at the end the file with "Save as…" and "Open".
 *
 * Other areas link here with the target and window prefilled (`#/bundles/new?target=…&mode=…`).
 */
import { useState } from 'react';
import type {
  BundlePreview,
  BundleSectionId,
  BundleWindowInput,
  ExportProgress,
} from '../../../../shared/model/bundle';
import { useApi } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { hrefOf } from '../../app/routes';
import { useTargets } from '../../app/targets-store';
import { useExportWatch } from './bundles-api';
import { ExportPanel } from './export-panel';
import { PreviewPanel } from './preview-panel';
import { WINDOW_CHOICES, formOfWindow, windowOfForm, type WindowChoice, type WindowForm } from './window-form';

interface Previewed {
  /** The request it answers, to tell when the form moved on. */
  key: string;
  preview: BundlePreview;
}

export function NewBundle({
  targetId: askedTarget,
  window: askedWindow,
}: {
  targetId: string;
  window: BundleWindowInput;
}) {
  const api = useApi();
  const targets = useTargets();
  const watch = useExportWatch();
  const targetList = targets.state === 'ready' ? targets.targets : [];
  const [chosenTarget, setTargetId] = useState(askedTarget);
  const targetId = chosenTarget || targetList[0]?.id || '';
  const [form, setForm] = useState<WindowForm>(() => formOfWindow(askedWindow, Date.now()));
  const [exclude, setExclude] = useState<BundleSectionId[]>([]);
  const [previewed, setPreviewed] = useState<Previewed>();
  const [previewing, setPreviewing] = useState(false);
  const [started, setStarted] = useState<ExportProgress>();
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string>();

  const windowResult = windowOfForm(form);
  const formError = 'error' in windowResult ? windowResult.error : undefined;
  const request = 'window' in windowResult ? { targetId, window: windowResult.window, exclude } : undefined;
  const requestKey = request ? JSON.stringify(request) : '';
  const stale = previewed !== undefined && previewed.key !== requestKey;
  const running = started ? (watch.progressOf(started.exportId) ?? started).state === 'running' : false;

  async function preview(excluded = exclude) {
    if (!request) return;
    const asked = { ...request, exclude: excluded };
    setPreviewing(true);
    setError(undefined);
    try {
      const result = await api.invoke('bundles:preview', asked);
      setPreviewed({ key: JSON.stringify(asked), preview: result });
    } catch (caught) {
      setError(`Could not preview the bundle: ${toApiError(caught).message}`);
    } finally {
      setPreviewing(false);
    }
  }

  async function exportBundle() {
    if (!request) return;
    setStarting(true);
    setError(undefined);
    try {
      await watch.ready();
      setStarted(await api.invoke('bundles:export', request));
    } catch (caught) {
      setError(`Could not start the export: ${toApiError(caught).message}`);
    } finally {
      setStarting(false);
    }
  }

  function toggleSection(id: BundleSectionId, included: boolean) {
    const next = included ? exclude.filter((section) => section !== id) : [...exclude, id];
    setExclude(next);
    // Leaving a section out changes the sizes and counts: preview again at once.
    if (previewed) void preview(next);
  }

  const setChoice = (choice: WindowChoice) => setForm({ ...form, choice });
  const targetName = targetList.find((target) => target.id === targetId)?.name;

  return (
    <div className="new-bundle">
      <form
        className="new-bundle-form"
        aria-label="New bundle"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void preview();
        }}
      >
        <div className="new-bundle-row">
          <label className="field new-bundle-target">
            <span className="field-label">Target</span>
            <select
              className="input select"
              aria-label="Target"
              value={targetId}
              disabled={running}
              onChange={(event) => setTargetId(event.target.value)}
            >
              {targetList.length === 0 ? <option value="">No targets yet</option> : null}
              {askedTarget && targets.state === 'ready' && !targetList.some((t) => t.id === askedTarget) ? (
                <option value={askedTarget}>{askedTarget} (not found)</option>
              ) : null}
              {targetList.map((target) => (
                <option key={target.id} value={target.id}>
                  {target.name} ({target.environment})
                </option>
              ))}
            </select>
          </label>
          <fieldset className="field new-bundle-window" disabled={running}>
            <legend className="field-label">Window</legend>
            <div className="segmented" role="radiogroup" aria-label="Window">
              {WINDOW_CHOICES.map((choice) => (
                <label key={choice.id} className="segment">
                  <input
                    type="radio"
                    name="bundle-window"
                    value={choice.id}
                    checked={form.choice === choice.id}
                    onChange={() => setChoice(choice.id)}
                  />
                  <span>{choice.label}</span>
                </label>
              ))}
            </div>
            {form.choice === 'minutes' ? (
              <label className="window-detail">
                <span>Minutes</span>
                <MinutesInput
                  label="Last minutes"
                  value={form.lastMinutes}
                  onChange={(lastMinutes) => setForm({ ...form, lastMinutes })}
                />
              </label>
            ) : null}
            {form.choice === 'around' ? (
              <div className="window-detail">
                <label>
                  <span>Time</span>
                  <input
                    type="datetime-local"
                    step={1}
                    className="input input-small mono"
                    aria-label="Around time"
                    value={form.aroundAt}
                    onChange={(event) => setForm({ ...form, aroundAt: event.target.value })}
                  />
                </label>
                <label>
                  <span>± minutes</span>
                  <MinutesInput
                    label="Minutes either side"
                    value={form.aroundMinutes}
                    onChange={(aroundMinutes) => setForm({ ...form, aroundMinutes })}
                  />
                </label>
              </div>
            ) : null}
          </fieldset>
        </div>
        {formError ? (
          <p className="field-error" role="alert">
            {formError}
          </p>
        ) : null}
        <div className="new-bundle-actions">
          <button type="submit" className="button" disabled={!request || !targetId || previewing || running}>
            {previewing ? (
              <>
                <span className="spinner" aria-hidden="true" /> Previewing…
              </>
            ) : previewed ? (
              'Preview again'
            ) : (
              'Preview'
            )}
          </button>
          <button
            type="button"
            className="button button-primary"
            disabled={!request || !targetId || starting || running}
            onClick={() => void exportBundle()}
          >
            {starting ? 'Starting…' : 'Export'}
          </button>
          <a className="button button-quiet" href={hrefOf('bundles')}>
            Back to bundles
          </a>
          {stale ? <span className="muted">The preview is for other choices — preview again to update it.</span> : null}
        </div>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
      </form>

      {started ? (
        <ExportPanel
          key={started.exportId}
          progress={watch.progressOf(started.exportId) ?? started}
          targetName={targetName ?? targetId}
        />
      ) : null}

      {previewed ? (
        <PreviewPanel
          preview={previewed.preview}
          exclude={exclude}
          busy={previewing || running}
          onToggle={toggleSection}
        />
      ) : (
        <p className="muted new-bundle-hint">
          Preview first to see each section’s size, what will be redacted and a sample of redacted lines — or export
          straight away.
        </p>
      )}
    </div>
  );
}

/** A number of minutes for the window, as typed (the form checks it). */
function MinutesInput({ label, value, onChange }: { label: string; value: string; onChange(value: string): void }) {
  return (
    <input
      className="input input-small mono window-minutes"
      inputMode="numeric"
      aria-label={label}
      value={value}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}
