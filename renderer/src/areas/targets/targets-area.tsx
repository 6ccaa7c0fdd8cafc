/**
 * The Targets screen: every place Control Room can reach, live, with add, edit and delete.
 */
import { useEffect, useState } from 'react';
import { SECRET_LABELS, type SecretSlot, type Target } from '../../../../shared/model/target';
import { navigate } from '../../app/routes';
import { useTargets } from '../../app/targets-store';
import { ConnectionChip } from '../../components/connection-chip';
import { EmptyState } from '../../components/empty-state';
import { EnvBadge } from '../../components/env-badge';
import { AREA_ICONS, ImportIcon, KeyIcon, PencilIcon, PlusIcon, TrashIcon, WarningIcon } from '../../components/icons';
import { DeleteTargetDialog } from './delete-target-dialog';
import { connectionSummary, shortFingerprint } from './describe';
import { ImportDialog } from './import-dialog';
import { SHORT_KIND_LABELS } from './target-form';
import { TargetFormDialog } from './target-form-dialog';

type Open = { dialog: 'edit'; target: Target } | { dialog: 'delete'; target: Target } | null;

export function TargetsArea({ rest }: { rest: string }) {
  const targets = useTargets();
  const [open, setOpen] = useState<Open>(null);
  const [notice, setNotice] = useState<string>();
  const adding = rest === 'new';
  const importing = rest === 'import';

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(undefined), 5000);
    return () => clearTimeout(timer);
  }, [notice]);

  const startAdd = () => navigate('targets', 'new');
  const closeAdd = () => navigate('targets', '', { replace: true });
  const startImport = () => navigate('targets', 'import');

  return (
    <section className="area targets-area" aria-labelledby="targets-title">
      <header className="area-header">
        <div>
          <h1 id="targets-title">Targets</h1>
          <p className="area-subtitle">
            The hosts and ops APIs Control Room watches. Their secrets stay in the system keychain.
          </p>
        </div>
        {targets.state === 'ready' && targets.targets.length ? (
          <div className="area-actions">
            <button type="button" className="button" onClick={startImport}>
              <ImportIcon /> Import…
            </button>
            <button type="button" className="button button-primary" onClick={startAdd}>
              <PlusIcon /> Add target
            </button>
          </div>
        ) : null}
      </header>

      <p className="notice" role="status">
        {notice}
      </p>

      {targets.state === 'loading' ? (
        <p className="loading">Loading targets…</p>
      ) : targets.state === 'failed' ? (
        <p className="form-error" role="alert">
          <WarningIcon size={15} /> {targets.message}
        </p>
      ) : targets.targets.length === 0 ? (
        <EmptyState
          icon={AREA_ICONS.targets({ size: 28 })}
          title="No targets yet — add the prod host or ops API you want to watch."
          actions={
            <>
              <button type="button" className="button button-primary" onClick={startAdd}>
                <PlusIcon /> Add target
              </button>
              <button type="button" className="button" onClick={startImport}>
                <ImportIcon /> Import…
              </button>
            </>
          }
        >
          <p>
            A target is a Docker engine (on this machine, or on a host over SSH) or your product’s ops API. Control Room
            stores its connection settings; keys and tokens go to the system keychain.
          </p>
        </EmptyState>
      ) : (
        <TargetsTable
          targets={targets.targets}
          onEdit={(target) => setOpen({ dialog: 'edit', target })}
          onDelete={(target) => setOpen({ dialog: 'delete', target })}
        />
      )}

      {adding ? (
        <TargetFormDialog
          onClose={closeAdd}
          onSaved={(target) => {
            closeAdd();
            setNotice(`Added ${target.name}.`);
          }}
        />
      ) : null}
      {importing ? (
        <ImportDialog
          onClose={closeAdd}
          onImported={(names) =>
            setNotice(names.length === 1 ? `Imported ${names[0]}.` : `Imported ${names.length} targets.`)
          }
        />
      ) : null}
      {open?.dialog === 'edit' ? (
        <TargetFormDialog
          key={open.target.id}
          target={open.target}
          onClose={() => setOpen(null)}
          onSaved={(target) => {
            setOpen(null);
            setNotice(`Saved ${target.name}.`);
          }}
        />
      ) : null}
      {open?.dialog === 'delete' ? (
        <DeleteTargetDialog
          target={open.target}
          onClose={() => setOpen(null)}
          onDeleted={(target) => {
            setOpen(null);
            setNotice(`Deleted ${target.name}.`);
          }}
        />
      ) : null}
    </section>
  );
}

interface TargetsTableProps {
  targets: Target[];
  onEdit(target: Target): void;
  onDelete(target: Target): void;
}

function TargetsTable({ targets, onEdit, onDelete }: TargetsTableProps) {
  const prodCount = targets.filter((target) => target.environment === 'prod').length;
  return (
    <div className="table-card">
      <div className="table-caption" aria-hidden="true">
        {targets.length} {targets.length === 1 ? 'target' : 'targets'}
        {prodCount ? <span className="caption-prod"> · {prodCount} prod</span> : null}
      </div>
      <table className="targets-table" aria-label="Targets">
        <thead className="table-heads">
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Connection</th>
            <th scope="col">Secrets</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {targets.map((target) => (
            <TargetRow key={target.id} target={target} onEdit={onEdit} onDelete={onDelete} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TargetRow({ target, onEdit, onDelete }: { target: Target } & Omit<TargetsTableProps, 'targets'>) {
  const summary = connectionSummary(target);
  const slots = Object.entries(target.secrets) as [SecretSlot, Target['secrets'][string]][];
  return (
    <tr className={`target-row env-row-${target.environment}`} data-testid={`target-row-${target.id}`}>
      <td className="cell-name">
        <div className="target-name has-status">
          <EnvBadge environment={target.environment} />
          <div className="target-name-stack">
            <span className="target-name-text">{target.name}</span>
            <ConnectionChip target={target} />
          </div>
        </div>
      </td>
      <td className="cell-kind">{SHORT_KIND_LABELS[target.kind]}</td>
      <td className="cell-connection">
        <span className="mono">{summary.main}</span>
        {summary.detail ? <span className="mono muted connection-detail">{summary.detail}</span> : null}
        {target.kind === 'docker-ssh' ? (
          <span className="host-key" title={target.hostKey ? `Pinned ${target.hostKey.pinnedAt}` : undefined}>
            {target.hostKey ? (
              <>
                host key <span className="mono">{shortFingerprint(target.hostKey.fingerprint)}</span>
              </>
            ) : (
              'host key confirmed on first connection'
            )}
          </span>
        ) : null}
      </td>
      <td className="cell-secrets">
        {slots.length === 0 ? (
          <span className="muted">None needed</span>
        ) : (
          <ul className="secret-list">
            {slots.map(([slot, status]) => (
              <li key={slot} className={status.present ? 'secret-status is-set' : 'secret-status'}>
                {status.present ? <KeyIcon size={13} /> : <span className="secret-dot" aria-hidden="true" />}
                <span>
                  {SECRET_LABELS[slot]}: {status.present ? 'secret set' : 'no secret'}
                </span>
              </li>
            ))}
          </ul>
        )}
      </td>
      <td className="cell-actions">
        <button
          type="button"
          className="button button-small button-quiet"
          aria-label={`Edit ${target.name}`}
          onClick={() => onEdit(target)}
        >
          <PencilIcon /> Edit
        </button>
        <button
          type="button"
          className="button button-small button-quiet button-quiet-danger"
          aria-label={`Delete ${target.name}`}
          onClick={() => onDelete(target)}
        >
          <TrashIcon /> Delete
        </button>
      </td>
    </tr>
  );
}
