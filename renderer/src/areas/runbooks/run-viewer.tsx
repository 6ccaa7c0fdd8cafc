/**
 * The full-screen run viewer (`#/runbooks/run/<id>`): what ran where and how it stands, the
 * phases and steps on the left, the live event stream in the log pane's terminal on the right,
 * the approval card while the run waits for one, artifacts and the summary once it ended.
 *
 * Cancel (while queued or running; awaiting approval, the card has its own), Retry (a new run with the same inputs),
 * Resume from the failed step (only when every step before it is safe to repeat; otherwise the
 * reason is on the disabled button). Esc goes back to the history.
 */
import { useEffect, useState } from 'react';
import type { RunArtifact, RunDetail } from '../../../../shared/model/runbook';
import { usePlatform } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { navigate } from '../../app/routes';
import { formatBytes, formatWhen } from '../../components/format';
import { PlayIcon, RestartIcon, StopIcon, WarningIcon } from '../../components/icons';
import { useNow } from '../../components/use-now';
import { ApprovalCard } from './approval-card';
import { RiskBadge } from './plan-card';
import { useRunbooksApi, useRunDetail, type RunbooksApi } from './runbooks-api';
import { ORIGIN_LABELS, elapsedMs, formatElapsed, isActive, targetText } from './run-status';
import { RunSteps } from './run-steps';
import { RunTerminal } from './run-terminal';
import { StatusBadge } from './status-badge';
import { aroundRange } from '../bundles/bundle-link';
import { SupportBundleLink } from '../bundles/support-bundle-link';

export function RunViewer({ runId }: { runId: string }) {
  const { detail, reload } = useRunDetail(runId);

  // Esc: back to the history (unless a dialog, a field or the terminal's search took it).
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      if (document.querySelector('dialog[open]')) return;
      const target = event.target as HTMLElement | null;
      if (target?.closest('input, textarea, select')) return;
      navigate('runbooks');
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);

  return (
    <section className="run-viewer" aria-labelledby="run-viewer-title">
      {detail.state === 'loading' ? (
        <>
          <BackLink />
          <p className="loading">Loading the run…</p>
        </>
      ) : detail.state === 'failed' ? (
        <>
          <BackLink />
          <p className="form-error" role="alert">
            <WarningIcon size={14} /> Could not read the run: {detail.message}
          </p>
        </>
      ) : (
        <RunView detail={detail.detail} onChanged={reload} />
      )}
    </section>
  );
}

function BackLink() {
  return (
    <a className="run-back" href="#/runbooks" title="Back to the run history (Esc)">
      ← Runs
    </a>
  );
}

function RunView({ detail, onChanged }: { detail: RunDetail; onChanged(): void }) {
  const runbooks = useRunbooksApi();
  const { run } = detail;
  const active = isActive(run.status);
  // The approval card has its own Cancel beside Approve.
  const awaitingApproval = run.status === 'awaiting-approval' && detail.approval !== null;
  const now = useNow(1000, active);
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();

  const act = async (label: string, action: () => Promise<unknown>) => {
    setBusy(label);
    setError(undefined);
    try {
      await action();
    } catch (caught) {
      setError(toApiError(caught).message);
    } finally {
      setBusy(undefined);
    }
  };

  const cancel = () =>
    act('cancel', async () => {
      await runbooks.cancelRun(run.id);
      onChanged();
    });
  const retry = (resume: boolean) =>
    act(resume ? 'resume' : 'retry', async () => {
      const next = await runbooks.retryRun(run.id, resume);
      navigate('runbooks', `run/${next.id}`);
    });

  return (
    <>
      <header className="run-header">
        <div className="run-header-main">
          <BackLink />
          <div className="run-title-row">
            <h1 id="run-viewer-title">{run.runbookTitle}</h1>
            <StatusBadge status={run.status} />
            <RiskBadge risk={run.risk} />
            {run.dryRun ? <span className="tag tag-muted">dry run</span> : null}
          </div>
          <dl className="run-facts">
            <div>
              <dt>Target</dt>
              <dd>{targetText(run)}</dd>
            </div>
            <div>
              <dt>Duration</dt>
              <dd data-testid="run-duration">{formatElapsed(elapsedMs(run, now))}</dd>
            </div>
            <div>
              <dt>Started by</dt>
              <dd>
                {run.startedBy} <span className={`origin origin-${run.origin}`}>{ORIGIN_LABELS[run.origin]}</span>
              </dd>
            </div>
            <div>
              <dt>Started</dt>
              <dd title={run.startedAt ?? run.createdAt}>{formatWhen(run.startedAt ?? run.createdAt, now)}</dd>
            </div>
            {run.lane ? (
              <div>
                <dt>Lane</dt>
                <dd className="mono">{run.lane}</dd>
              </div>
            ) : null}
            {run.retryOf ? (
              <div>
                <dt>{run.resumedFrom ? 'Resumes' : 'Retries'}</dt>
                <dd>
                  <a href={`#/runbooks/run/${run.retryOf}`} className="mono">
                    {run.retryOf}
                  </a>
                  {run.resumedFrom ? <span className="muted"> from {run.resumedFrom}</span> : null}
                </dd>
              </div>
            ) : null}
          </dl>
          {run.statusMessage ? (
            <p className={`run-status-message tone-${run.status === 'failed' ? 'danger' : 'muted'}`}>
              {run.statusMessage}
            </p>
          ) : null}
        </div>
        <div className="run-actions">
          <SupportBundleLink
            className="button"
            link={{
              targetId: run.targetId ?? undefined,
              window: aroundRange(run.startedAt ?? run.createdAt, run.endedAt ?? now),
            }}
            description="Collect a support bundle of the run's target around the run"
          />
          {active && !awaitingApproval ? (
            <button
              type="button"
              className="button button-danger"
              disabled={busy !== undefined}
              onClick={() => void cancel()}
            >
              <StopIcon /> {busy === 'cancel' ? 'Canceling…' : 'Cancel run'}
            </button>
          ) : null}
          {!active ? (
            <button type="button" className="button" disabled={busy !== undefined} onClick={() => void retry(false)}>
              <RestartIcon /> {busy === 'retry' ? 'Starting…' : 'Retry'}
            </button>
          ) : null}
          {!active && run.status !== 'succeeded' ? (
            <span title={detail.resumable.ok ? undefined : detail.resumable.reason}>
              <button
                type="button"
                className="button"
                disabled={!detail.resumable.ok || busy !== undefined}
                aria-describedby={detail.resumable.ok ? undefined : 'resume-reason'}
                onClick={() => void retry(true)}
              >
                <PlayIcon />{' '}
                {busy === 'resume'
                  ? 'Starting…'
                  : detail.resumable.fromStep
                    ? `Resume from ${detail.resumable.fromStep}`
                    : 'Resume'}
              </button>
              {detail.resumable.ok ? null : (
                <span id="resume-reason" className="visually-hidden">
                  {detail.resumable.reason}
                </span>
              )}
            </span>
          ) : null}
        </div>
      </header>
      {error ? (
        <p className="form-error" role="alert">
          <WarningIcon size={14} /> {error}
        </p>
      ) : null}

      {awaitingApproval ? (
        <div className="run-approval">
          <ApprovalCard detail={detail} onDone={onChanged} />
        </div>
      ) : null}

      <div className="run-body">
        <div className="run-side">
          <RunSteps steps={detail.steps} />
          {detail.artifacts.length ? <Artifacts runId={run.id} artifacts={detail.artifacts} /> : null}
          {detail.summary ? (
            <section className="run-summary" aria-label="Summary">
              <h2 className="run-section-title">Summary</h2>
              <pre className="run-summary-text">{detail.summary}</pre>
            </section>
          ) : null}
        </div>
        <RunTerminal runId={run.id} title={run.runbookTitle} />
      </div>
    </>
  );
}

function Artifacts({ runId, artifacts }: { runId: string; artifacts: RunArtifact[] }) {
  const runbooks = useRunbooksApi();
  const platform = usePlatform();
  const [message, setMessage] = useState<string>();
  const download = async (artifact: RunArtifact) => {
    setMessage(undefined);
    try {
      const saved = await saveArtifact(runbooks, platform, runId, artifact);
      if (saved) setMessage(`Saved ${saved}.`);
    } catch (error) {
      setMessage(`Could not save ${artifact.name}: ${toApiError(error).message}`);
    }
  };
  return (
    <section className="run-artifacts" aria-label="Artifacts">
      <h2 className="run-section-title">Artifacts</h2>
      <ul>
        {artifacts.map((artifact) => (
          <li key={artifact.id}>
            <span className="mono">{artifact.name}</span>
            <span className="muted">
              {formatBytes(artifact.bytes)}
              {artifact.step ? ` · ${artifact.step}` : ''}
            </span>
            <button
              type="button"
              className="button button-small"
              aria-label={`Download ${artifact.name}`}
              onClick={() => void download(artifact)}
            >
              Download
            </button>
          </li>
        ))}
      </ul>
      {message ? (
        <p className="muted" role="status">
          {message}
        </p>
      ) : null}
    </section>
  );
}

/** Reads the artifact in 512 KiB pieces into a file the user picks; its name, or undefined when canceled. */
async function saveArtifact(
  runbooks: RunbooksApi,
  platform: ReturnType<typeof usePlatform>,
  runId: string,
  artifact: RunArtifact,
): Promise<string | undefined> {
  const sink = await platform.saveFile({ suggestedName: artifact.name, mimeType: artifact.contentType });
  if (!sink) return undefined;
  try {
    let offset = 0;
    for (;;) {
      const piece = await runbooks.artifact({ runId, artifactId: artifact.id, offset });
      const bytes = Uint8Array.from(atob(piece.base64), (c) => c.charCodeAt(0));
      if (bytes.length) await sink.write(bytes);
      offset += bytes.length;
      if (piece.eof || bytes.length === 0) break;
    }
    return (await sink.close()).name;
  } catch (error) {
    await sink.abort().catch(() => undefined);
    throw error;
  }
}
