/**
 * The probe import dialog: what a Gatus config.yaml or a Control Room probe file would bring in,
 * item by item — imported as it was, adapted (with each change), skipped (with the reason) — with
 * a tick per item, the keychain secrets each needs, then Import and a summary of what was saved.
 *
 * Nothing is saved before Import: the plan came from main, which saved nothing to make it.
 */
import { useId, useMemo, useState, type FormEvent } from 'react';
import type {
  ImportApplyResult,
  ImportOutcome,
  ProbeImportItem,
  ProbeImportPlan,
} from '../../../../shared/model/probe-import';
import { useApi } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { Dialog } from '../../components/dialog';
import { DialogFooter } from '../../components/dialog-footer';
import '../../styles/probe-import.css';

const SECTIONS: { outcome: ImportOutcome; title: string; hint: string }[] = [
  { outcome: 'imported', title: 'Imported as they are', hint: '' },
  { outcome: 'adapted', title: 'Adapted', hint: 'Imported with the changes listed.' },
  { outcome: 'skipped', title: 'Skipped', hint: 'Not imported, for the reason given.' },
];

const SOURCE_NAMES = { gatus: 'Gatus', 'control-room': 'Control Room' } as const;

export function ImportDialog({
  fileName,
  plan,
  onClose,
  onApplied,
}: {
  fileName: string;
  plan: ProbeImportPlan;
  onClose(): void;
  onApplied(result: ImportApplyResult): void;
}) {
  const api = useApi();
  const formId = useId();
  const importable = useMemo(() => plan.items.filter((item) => item.draft), [plan]);
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(importable.map((item) => item.key)));
  const [secrets, setSecrets] = useState<Record<string, Record<string, string>>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<ImportApplyResult>();

  const toggle = (key: string, on: boolean) =>
    setChosen((current) => {
      const next = new Set(current);
      if (on) next.add(key);
      else next.delete(key);
      return next;
    });
  const setSecret = (key: string, slot: string, value: string) =>
    setSecrets((current) => ({ ...current, [key]: { ...current[key], [slot]: value } }));

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy || result) return;
    const items = importable
      .filter((item) => chosen.has(item.key))
      .map((item) => ({
        draft: item.draft!,
        secrets: Object.fromEntries(Object.entries(secrets[item.key] ?? {}).filter(([, value]) => value !== '')),
        alert: item.alert,
      }));
    if (!items.length) {
      setError('Tick at least one probe to import, or close the dialog.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const applied = await api.invoke('probes:applyImport', { items });
      setResult(applied);
      onApplied(applied);
    } catch (caught) {
      setError(toApiError(caught).message);
    } finally {
      setBusy(false);
    }
  }

  const count = chosen.size;
  return (
    <Dialog
      title={`Import from ${SOURCE_NAMES[plan.source]}`}
      description={
        <>
          <code>{fileName}</code>: {plan.items.length} {plan.items.length === 1 ? 'item' : 'items'}. Nothing is saved
          until you press Import.
        </>
      }
      onClose={onClose}
      busy={busy}
      className="probe-import-dialog"
    >
      {result ? (
        <ImportSummary result={result} />
      ) : (
        <form id={formId} className="form-body probe-import-body" onSubmit={submit}>
          {plan.notes.length ? (
            <ul className="probe-import-notes">
              {plan.notes.map((note) => (
                <li key={note}>{note}</li>
              ))}
            </ul>
          ) : null}
          {SECTIONS.map(({ outcome, title, hint }) => {
            const items = plan.items.filter((item) => item.outcome === outcome);
            if (!items.length) return null;
            return (
              <section key={outcome} className={`probe-import-section is-${outcome}`} aria-label={title}>
                <h3>
                  {title} <span className="muted">({items.length})</span>
                  {hint ? <span className="probe-import-hint muted"> — {hint}</span> : null}
                </h3>
                <ul className="probe-import-list">
                  {items.map((item) => (
                    <ImportRow
                      key={item.key}
                      item={item}
                      chosen={chosen.has(item.key)}
                      secrets={secrets[item.key] ?? {}}
                      onToggle={(on) => toggle(item.key, on)}
                      onSecret={(slot, value) => setSecret(item.key, slot, value)}
                    />
                  ))}
                </ul>
              </section>
            );
          })}
        </form>
      )}
      <DialogFooter
        error={error}
        status={result ? undefined : <span className="muted">{`${count} of ${importable.length} ticked`}</span>}
      >
        {result ? (
          <button type="button" className="button button-primary" onClick={onClose} data-autofocus>
            Done
          </button>
        ) : (
          <>
            <button type="button" className="button" onClick={onClose} disabled={busy}>
              Cancel
            </button>
            <button type="submit" form={formId} className="button button-primary" disabled={busy || count === 0}>
              {busy ? 'Importing…' : `Import ${count} ${count === 1 ? 'probe' : 'probes'}`}
            </button>
          </>
        )}
      </DialogFooter>
    </Dialog>
  );
}

function ImportRow({
  item,
  chosen,
  secrets,
  onToggle,
  onSecret,
}: {
  item: ProbeImportItem;
  chosen: boolean;
  secrets: Record<string, string>;
  onToggle(on: boolean): void;
  onSecret(slot: string, value: string): void;
}) {
  const checkId = useId();
  const skipped = item.outcome === 'skipped';
  const renamed = item.draft && item.draft.name !== item.name ? item.draft.name : null;
  return (
    <li className={`probe-import-row is-${item.outcome}${chosen ? ' is-chosen' : ''}`} data-item={item.name}>
      <input
        id={checkId}
        type="checkbox"
        className="import-check"
        checked={chosen}
        disabled={skipped}
        onChange={(event) => onToggle(event.currentTarget.checked)}
        aria-label={skipped ? `${item.name} (skipped)` : `Import ${item.name}`}
      />
      <div className="probe-import-main">
        <label htmlFor={checkId} className="probe-import-name-line">
          <span className="probe-import-name">{item.name}</span>
          {renamed ? <span className="muted">→ {renamed}</span> : null}
          <span className="probe-import-type">
            {item.draft ? `${item.sourceType} → ${item.draft.kind}` : item.sourceType}
          </span>
          <span className={`probe-import-outcome is-${item.outcome}`}>{item.outcome}</span>
        </label>
        {item.changes.length ? (
          <ul className="probe-import-changes">
            {item.changes.map((change) => (
              <li key={change}>{change}</li>
            ))}
          </ul>
        ) : null}
        {!skipped && item.secrets.length && chosen ? (
          <div className="probe-import-secrets">
            {item.secrets.map((slot) => (
              <label key={slot} className="probe-import-secret">
                <span>
                  Secret <code>{slot}</code>
                </span>
                <input
                  type="password"
                  className="input"
                  autoComplete="off"
                  value={secrets[slot] ?? ''}
                  placeholder="Paste the value (kept in the keychain)"
                  onChange={(event) => onSecret(slot, event.currentTarget.value)}
                  aria-label={`Secret ${slot} for ${item.name}`}
                />
              </label>
            ))}
          </div>
        ) : null}
      </div>
    </li>
  );
}

function ImportSummary({ result }: { result: ImportApplyResult }) {
  return (
    <div className="form-body probe-import-summary" role="status">
      <p>
        <strong>
          Imported {result.created.length} {result.created.length === 1 ? 'probe' : 'probes'}
        </strong>
        {result.created.length ? `: ${result.created.map((probe) => probe.name).join(', ')}.` : '.'}
      </p>
      {result.failed.length ? (
        <>
          <p className="form-error">Not imported:</p>
          <ul>
            {result.failed.map((failure) => (
              <li key={failure.name}>
                {failure.name} — {failure.message}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {result.missingSecrets.length ? (
        <>
          <p>Secrets still to fill in (Edit the probe):</p>
          <ul>
            {result.missingSecrets.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </>
      ) : null}
      {result.alerts.length ? (
        <>
          <p>Alert thresholds:</p>
          <ul>
            {result.alerts.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
