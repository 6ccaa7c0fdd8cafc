/**
 * One run's evidence: each condition's verdict with the value it saw, the run's facts (HTTP
 * status, provider, model …), the error, attempts, marks, and its artifacts to view or save.
 */
import { useState } from 'react';
import type { ArtifactRef, ConditionOutcome, ProbeResult } from '../../../../shared/model/probe';
import { useApi, usePlatform } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { formatBytes } from '../../components/format';
import { CheckIcon, WarningIcon } from '../../components/icons';
import { artifactFileName, readForView, saveArtifact, type ArtifactContent } from './artifacts';
import { formatLatency } from './probe-status';

export function ConditionList({ conditions }: { conditions: ConditionOutcome[] }) {
  if (!conditions.length) return <p className="muted result-none">No conditions: any completed check counts as OK.</p>;
  return (
    <ul className="condition-list" aria-label="Conditions">
      {conditions.map((condition, index) => (
        <li
          key={index}
          className={`condition-outcome ${condition.passed ? 'is-passed' : `is-failed is-${condition.severity}`}`}
          data-testid="condition-outcome"
        >
          <span className="condition-verdict">
            {condition.passed ? <CheckIcon size={13} /> : <WarningIcon size={13} />}
            {condition.passed ? 'Passed' : condition.severity === 'warn' ? 'Warned' : 'Failed'}
          </span>
          <code className="condition-expression">{condition.expression}</code>
          <span className="condition-observed">
            {condition.observed === null ? (
              <span className="muted">no value</span>
            ) : (
              <>
                <span className="muted">saw </span>
                <span className="mono">{condition.observed}</span>
              </>
            )}
            {condition.reason ? <span className="condition-reason"> — {condition.reason}</span> : null}
          </span>
        </li>
      ))}
    </ul>
  );
}

export const TRIGGER_LABELS: Record<ProbeResult['trigger'], string> = {
  auto_boot: 'At start-up',
  scheduler: 'On schedule',
  manual: 'Run now',
  cli: 'opsctl',
  test: 'Test',
};

export function ResultFacts({ result }: { result: ProbeResult }) {
  const metadata = Object.entries(result.metadata).filter(([, value]) => value !== null && value !== '');
  return (
    <dl className="result-facts">
      <div>
        <dt>Duration</dt>
        <dd>{formatLatency(result.durationMs)}</dd>
      </div>
      <div>
        <dt>Trigger</dt>
        <dd>{TRIGGER_LABELS[result.trigger]}</dd>
      </div>
      <div>
        <dt>Attempts</dt>
        <dd>{result.attempts}</dd>
      </div>
      {metadata.map(([key, value]) => (
        <div key={key}>
          <dt>{key === 'status' && 'method' in result.metadata ? 'HTTP status' : factLabel(key)}</dt>
          <dd className="mono">{String(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** `httpStatus` → `HTTP status`, `rate_limit_remaining` → `Rate limit remaining`. */
function factLabel(key: string): string {
  const spaced = key
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/\bhttp\b/g, 'HTTP')
    .replace(/\btls\b/g, 'TLS')
    .replace(/\bdns\b/g, 'DNS')
    .replace(/\bip\b/g, 'IP')
    .replace(/\burl\b/g, 'URL');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

export function ResultMarks({ result }: { result: ProbeResult }) {
  if (!result.interrupted && !result.maintenance) return null;
  return (
    <span className="result-marks">
      {result.interrupted ? (
        <span
          className="result-mark"
          title="The app stopped while this run was in flight; it proves nothing either way."
        >
          interrupted
        </span>
      ) : null}
      {result.maintenance ? (
        <span className="result-mark" title="Taken during a maintenance window.">
          maintenance
        </span>
      ) : null}
    </span>
  );
}

/** The whole evidence of one run, as the drill-down and the editor's Test show it. */
export function ResultDetail({
  result,
  probeName,
  viewable = true,
}: {
  result: ProbeResult;
  probeName: string;
  /** False for a Test run, whose artifacts are not stored. */
  viewable?: boolean;
}) {
  return (
    <div className="result-detail">
      {result.error ? (
        <p className="result-error" role={result.status === 'fail' ? 'alert' : undefined}>
          <WarningIcon size={14} />
          <span>{result.error}</span>
        </p>
      ) : null}
      <ConditionList conditions={result.conditions} />
      <ResultFacts result={result} />
      {result.artifacts.length ? <ArtifactList result={result} probeName={probeName} viewable={viewable} /> : null}
    </div>
  );
}

function ArtifactList({ result, probeName, viewable }: { result: ProbeResult; probeName: string; viewable: boolean }) {
  return (
    <div className="artifact-list" aria-label="Artifacts" role="group">
      {result.artifacts.map((artifact) => (
        <ArtifactItem key={artifact.id} result={result} artifact={artifact} probeName={probeName} viewable={viewable} />
      ))}
    </div>
  );
}

type ViewState =
  | { state: 'closed' }
  | { state: 'loading' }
  | { state: 'open'; content: ArtifactContent }
  | { state: 'failed'; message: string };

function ArtifactItem({
  result,
  artifact,
  probeName,
  viewable,
}: {
  result: ProbeResult;
  artifact: ArtifactRef;
  probeName: string;
  viewable: boolean;
}) {
  const api = useApi();
  const platform = usePlatform();
  const [view, setView] = useState<ViewState>({ state: 'closed' });
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<string>();

  function toggle() {
    if (view.state === 'open' || view.state === 'failed') {
      setView({ state: 'closed' });
      return;
    }
    setView({ state: 'loading' });
    readForView(api, result.id, artifact).then(
      (content) => setView({ state: 'open', content }),
      (error: unknown) => setView({ state: 'failed', message: toApiError(error).message }),
    );
  }

  function save() {
    setSaving(true);
    setSaved(undefined);
    saveArtifact(api, platform, result.id, artifact, artifactFileName(probeName, result.id, artifact)).then(
      (file) => {
        setSaving(false);
        if (file) setSaved(file.path ? `Saved to ${file.path}.` : `Saved ${file.name}.`);
      },
      (error: unknown) => {
        setSaving(false);
        setSaved(toApiError(error).message);
      },
    );
  }

  const open = view.state === 'open' || view.state === 'failed';
  return (
    <div className="artifact" data-testid="artifact">
      <div className="artifact-head">
        <span className="artifact-name mono">{artifact.name}</span>
        <span className="artifact-meta muted">
          {artifact.contentType || 'unknown type'} · {formatBytes(artifact.bytes)}
          {artifact.truncated ? ' · cut at the cap' : ''}
        </span>
        {viewable ? (
          <span className="artifact-actions">
            <button
              type="button"
              className="button button-small"
              aria-expanded={open}
              aria-label={`${open ? 'Hide' : 'View'} ${artifact.name}`}
              onClick={toggle}
              disabled={view.state === 'loading'}
            >
              {view.state === 'loading' ? 'Reading…' : open ? 'Hide' : 'View'}
            </button>
            <button
              type="button"
              className="button button-small"
              aria-label={`Save ${artifact.name}`}
              onClick={save}
              disabled={saving}
            >
              {saving ? 'Saving…' : 'Save…'}
            </button>
          </span>
        ) : (
          <span className="artifact-meta muted">kept only for saved runs</span>
        )}
      </div>
      {saved ? (
        <p className="artifact-saved muted" role="status">
          {saved}
        </p>
      ) : null}
      {view.state === 'failed' ? (
        <p className="form-error" role="alert">
          <WarningIcon size={14} /> {view.message}
        </p>
      ) : null}
      {view.state === 'open' ? <ArtifactContentView content={view.content} name={artifact.name} /> : null}
    </div>
  );
}

function ArtifactContentView({ content, name }: { content: ArtifactContent; name: string }) {
  const partial = content.complete ? null : (
    <p className="muted artifact-partial">
      Showing the first {formatBytes(2 * 1024 * 1024)}; Save keeps the whole artifact.
    </p>
  );
  switch (content.kind) {
    case 'image':
      return (
        <figure className="artifact-view artifact-image">
          <img src={content.url} alt={name} />
          {partial}
        </figure>
      );
    case 'json':
    case 'text':
      return (
        <div className="artifact-view">
          <pre
            className={`artifact-text ${content.kind === 'json' ? 'is-json' : ''}`}
            tabIndex={0}
            aria-label={`${name} content`}
          >
            {content.text || ' '}
          </pre>
          {partial}
        </div>
      );
    case 'binary':
      return (
        <p className="muted artifact-view">Binary data ({formatBytes(content.bytes)}); Save it to open it elsewhere.</p>
      );
  }
}
