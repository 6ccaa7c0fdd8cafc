/**
 * Import targets from ~/.ssh/config and Docker contexts. Main scans; the user picks rows (none
 * is preselected), sets each one's environment and whether its key file is copied into the
 * keychain; Import creates them and each row says whether it was added or why not.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { ImportCandidate, ImportResult, ImportScan } from '../../../../shared/model/import';
import { ENVIRONMENTS, type Environment } from '../../../../shared/model/target';
import { useApi } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { useKeychain } from '../../app/keychain';
import { Dialog } from '../../components/dialog';
import { DialogFooter } from '../../components/dialog-footer';
import { ENVIRONMENT_LABELS } from '../../components/env-badge';
import { CheckIcon, KeyIcon, WarningIcon } from '../../components/icons';
import { SHORT_KIND_LABELS } from './target-form';
import '../../styles/import.css';

interface ImportDialogProps {
  onClose(): void;
  /** Some targets were created (the list updates by itself). */
  onImported(names: string[]): void;
}

interface Choice {
  selected: boolean;
  environment: Environment;
  copyIdentityFile: boolean;
}

type Outcome = { ok: true } | { ok: false; message: string };

const SOURCE_LABELS: Record<ImportCandidate['source'], string> = {
  'ssh-config': '~/.ssh/config',
  'docker-context': 'Docker context',
};

export function ImportDialog({ onClose, onImported }: ImportDialogProps) {
  const api = useApi();
  const keychain = useKeychain();
  const [scan, setScan] = useState<
    { state: 'loading' } | { state: 'ready'; scan: ImportScan } | { state: 'failed'; message: string }
  >({
    state: 'loading',
  });
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [outcomes, setOutcomes] = useState<Record<string, Outcome>>({});
  const [importing, setImporting] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    let current = true;
    api.invoke('import:scan', {}).then(
      (result) => {
        if (!current) return;
        setScan({ state: 'ready', scan: result });
        setChoices(
          Object.fromEntries(
            result.candidates.map((c) => [
              c.key,
              { selected: false, environment: c.suggestedEnvironment, copyIdentityFile: false },
            ]),
          ),
        );
      },
      (caught: unknown) => current && setScan({ state: 'failed', message: toApiError(caught).message }),
    );
    return () => {
      current = false;
    };
  }, [api]);

  const candidates = scan.state === 'ready' ? scan.scan.candidates : [];
  const selectable = (c: ImportCandidate) => !c.unsupported && !c.exists && !outcomes[c.key]?.ok;
  const selected = candidates.filter((c) => selectable(c) && choices[c.key]?.selected);
  const added = Object.values(outcomes).filter((o) => o.ok).length;

  function update(key: string, change: Partial<Choice>) {
    setChoices((current) => ({ ...current, [key]: { ...current[key]!, ...change } }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (importing) return;
    if (selected.length === 0) {
      if (added) onClose();
      return;
    }
    setImporting(true);
    setError(undefined);
    try {
      const result: ImportResult = await api.invoke('import:apply', {
        selections: selected.map((c) => ({
          key: c.key,
          environment: choices[c.key]!.environment,
          copyIdentityFile: Boolean(c.identityFile) && choices[c.key]!.copyIdentityFile,
        })),
      });
      setOutcomes((current) => {
        const next = { ...current };
        for (const created of result.created) next[created.key] = { ok: true };
        for (const failed of result.failed) next[failed.key] = { ok: false, message: failed.message };
        return next;
      });
      setChoices((current) => {
        const next = { ...current };
        for (const created of result.created) next[created.key] = { ...next[created.key]!, selected: false };
        return next;
      });
      if (result.created.length) onImported(result.created.map((c) => c.name));
      if (result.failed.some((f) => /keychain/i.test(f.message))) keychain.refresh();
    } catch (caught) {
      setError(toApiError(caught).message);
    } finally {
      setImporting(false);
    }
  }

  const buttonLabel = importing
    ? 'Importing…'
    : selected.length
      ? `Import ${selected.length} ${selected.length === 1 ? 'target' : 'targets'}`
      : added
        ? 'Done'
        : 'Import';

  return (
    <Dialog
      title="Import targets"
      description="Found in ~/.ssh/config and your Docker contexts. Pick what to add — nothing is imported until you do."
      onClose={onClose}
      busy={importing}
      className="import-dialog"
    >
      <form noValidate onSubmit={(event) => void submit(event)} aria-label="Import targets">
        <div className="form-body import-body">
          {scan.state === 'loading' ? (
            <p className="muted" aria-busy="true">
              <span className="spinner" aria-hidden="true" /> Looking in ~/.ssh/config and ~/.docker/contexts…
            </p>
          ) : scan.state === 'failed' ? (
            <p className="form-error" role="alert">
              <WarningIcon size={15} />
              <span>{scan.message}</span>
            </p>
          ) : (
            <>
              {scan.scan.problems.map((problem) => (
                <p key={problem} className="inline-note">
                  <WarningIcon size={14} /> {problem}
                </p>
              ))}
              {candidates.length === 0 ? (
                <div className="import-empty">Nothing found in ~/.ssh/config or Docker contexts.</div>
              ) : (
                <ul className="import-list" aria-label="Found targets">
                  {candidates.map((candidate) => (
                    <CandidateRow
                      key={candidate.key}
                      candidate={candidate}
                      choice={choices[candidate.key]!}
                      outcome={outcomes[candidate.key]}
                      disabled={importing}
                      onChange={(change) => update(candidate.key, change)}
                    />
                  ))}
                </ul>
              )}
            </>
          )}
        </div>
        <DialogFooter
          error={error}
          hint="Enter imports · Esc closes"
          status={
            added ? (
              <span className="import-summary">
                <CheckIcon size={14} /> Added {added} {added === 1 ? 'target' : 'targets'}
              </span>
            ) : undefined
          }
        >
          <button type="button" className="button" onClick={onClose} disabled={importing}>
            {added ? 'Close' : 'Cancel'}
          </button>
          <button
            type="submit"
            className="button button-primary"
            disabled={importing || (selected.length === 0 && !added)}
          >
            {buttonLabel}
          </button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}

interface CandidateRowProps {
  candidate: ImportCandidate;
  choice: Choice;
  outcome: Outcome | undefined;
  disabled: boolean;
  onChange(change: Partial<Choice>): void;
}

function CandidateRow({ candidate, choice, outcome, disabled, onChange }: CandidateRowProps) {
  const blocked = candidate.unsupported ? candidate.unsupported : candidate.exists ? 'already added' : undefined;
  const done = outcome?.ok === true;
  const locked = Boolean(blocked) || done || disabled;
  const checkboxId = useId();
  return (
    <li
      className={`import-row ${blocked ? 'is-blocked' : ''} ${choice.selected ? 'is-selected' : ''} ${done ? 'is-done' : ''}`}
      data-testid={`import-${candidate.key}`}
    >
      <input
        id={checkboxId}
        type="checkbox"
        className="import-check"
        checked={choice.selected && !blocked && !done}
        disabled={locked}
        aria-label={`Import ${candidate.name}`}
        onChange={(event) => onChange({ selected: event.target.checked })}
      />
      <label htmlFor={checkboxId} className="import-main">
        <span className="import-name-line">
          <span className="import-name">{candidate.name}</span>
          <span className="import-source">{SOURCE_LABELS[candidate.source]}</span>
          <span className="import-kind">{SHORT_KIND_LABELS[candidate.kind]}</span>
        </span>
        <span className="mono import-connection">{describeConnection(candidate)}</span>
      </label>
      <div className="import-side">
        {candidate.unsupported ? (
          <span className="import-blocked">
            <WarningIcon size={13} /> not supported
          </span>
        ) : candidate.exists ? (
          <span className="import-blocked is-exists">
            <CheckIcon size={13} /> already added
          </span>
        ) : done ? (
          <span className="import-added">
            <CheckIcon size={13} /> Added
          </span>
        ) : (
          <select
            className={`input select import-env ${choice.environment === 'prod' ? 'is-prod' : ''}`}
            value={choice.environment}
            disabled={locked}
            aria-label={`Environment for ${candidate.name}`}
            onChange={(event) => onChange({ environment: event.target.value as Environment })}
          >
            {ENVIRONMENTS.map((environment) => (
              <option key={environment} value={environment}>
                {ENVIRONMENT_LABELS[environment]}
              </option>
            ))}
          </select>
        )}
      </div>
      {candidate.identityFile && !blocked && !done ? (
        <div className="import-key">
          <KeyIcon size={13} />
          <span className="mono import-key-path" title={candidate.identityFile}>
            {candidate.identityFile}
          </span>
          <label className="checkbox import-copy">
            <input
              type="checkbox"
              checked={choice.copyIdentityFile}
              disabled={locked}
              onChange={(event) => onChange({ copyIdentityFile: event.target.checked })}
            />
            <span>Copy key file into the keychain</span>
          </label>
        </div>
      ) : null}
      {candidate.unsupported ? <p className="import-reason">{candidate.unsupported}</p> : null}
      {outcome && !outcome.ok ? (
        <p className="import-failed" role="alert">
          <WarningIcon size={13} /> {outcome.message}
        </p>
      ) : null}
    </li>
  );
}

function describeConnection(candidate: ImportCandidate): string {
  const s = candidate.settings;
  if (candidate.kind === 'docker-ssh') return `${s.username}@${s.host}:${s.port}`;
  return String(s.socketPath || 'DOCKER_HOST or /var/run/docker.sock');
}
