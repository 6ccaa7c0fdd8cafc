/**
 * An export under way: a progress bar (fraction, the section being collected, bytes written) with
 * Cancel; when done the file with "Save as…" and "Open"; a failure or cancel in one sentence.
 */
import { useState } from 'react';
import { BUNDLE_SECTION_LABELS, type ExportProgress } from '../../../../shared/model/bundle';
import { useApi, usePlatform } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { hrefOf } from '../../app/routes';
import { formatBytes } from '../../components/format';
import { saveBundleAs } from './bundles-api';
import { openRest } from './bundles-route';

export function ExportPanel({ progress, targetName }: { progress: ExportProgress; targetName: string }) {
  const api = useApi();
  const platform = usePlatform();
  const [message, setMessage] = useState<string>();
  const [canceling, setCanceling] = useState(false);
  const percent = Math.round(progress.fraction * 100);

  async function cancel() {
    setCanceling(true);
    try {
      await api.invoke('bundles:cancelExport', { exportId: progress.exportId });
    } catch (caught) {
      setMessage(`Could not cancel: ${toApiError(caught).message}`);
    } finally {
      setCanceling(false);
    }
  }

  async function saveAs(id: string) {
    setMessage(undefined);
    try {
      const saved = await saveBundleAs(api, platform, id);
      if (saved) setMessage(`Saved a copy as ${saved.path ?? saved.name}.`);
    } catch (caught) {
      setMessage(`Could not save a copy: ${toApiError(caught).message}`);
    }
  }

  return (
    <section className={`export-panel is-${progress.state}`} aria-label="Export" data-state={progress.state}>
      {progress.state === 'running' ? (
        <>
          <div className="export-line">
            <span>
              Exporting a bundle of <strong>{targetName}</strong>
              {progress.section ? <> — {BUNDLE_SECTION_LABELS[progress.section].toLowerCase()}</> : null}
            </span>
            <span className="muted mono">
              {percent} % · {formatBytes(progress.bytesWritten)}
            </span>
            <button type="button" className="button button-small" disabled={canceling} onClick={() => void cancel()}>
              {canceling ? 'Canceling…' : 'Cancel'}
            </button>
          </div>
          <div
            className="export-bar"
            role="progressbar"
            aria-label="Export progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
          >
            <div style={{ width: `${percent}%` }} />
          </div>
          {progress.message ? <p className="muted small">{progress.message}</p> : null}
        </>
      ) : progress.state === 'done' && progress.bundle ? (
        <div className="export-line" role="status">
          <span className="tone-ok">
            Saved <strong className="mono">{progress.bundle.id}</strong> ({formatBytes(progress.bundle.bytes)})
          </span>
          <button type="button" className="button button-small" onClick={() => void saveAs(progress.bundle!.id)}>
            Save as…
          </button>
          <a className="button button-small button-primary" href={hrefOf('bundles', openRest(progress.bundle.id))}>
            Open
          </a>
        </div>
      ) : progress.state === 'canceled' ? (
        <p className="export-line" role="status">
          Export canceled — no file was kept.
        </p>
      ) : (
        <p className="export-line form-error" role="alert">
          The export failed: {progress.message}
        </p>
      )}
      {message ? (
        <p className="muted small" role="status">
          {message}
        </p>
      ) : null}
    </section>
  );
}
