/**
 * The bundles folder, newest first: each bundle's target, environment, window, created time,
 * size and kind, with Open, Save as…, Re-redact and Delete; "Open a file…" imports a bundle
 * from disk (a refused file shows its sentence); two ticked bundles can be compared.
 */
import { useState } from 'react';
import type { BundleFile } from '../../../../shared/model/bundle';
import { useApi, usePlatform } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { hrefOf, navigate } from '../../app/routes';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { EmptyState } from '../../components/empty-state';
import { EnvBadge } from '../../components/env-badge';
import { formatBytes, formatWhen } from '../../components/format';
import { AREA_ICONS, ImportIcon, PlusIcon, TrashIcon } from '../../components/icons';
import { Notice, useNotice } from '../../components/notice';
import { useNow } from '../../components/use-now';
import { openBundleFile, saveBundleAs, useBundleList } from './bundles-api';
import { diffRest, openRest } from './bundles-route';

export function BundleList() {
  const api = useApi();
  const platform = usePlatform();
  const { list, reload } = useBundleList();
  const [chosen, setChosen] = useState<string[]>([]);
  const [deleting, setDeleting] = useState<BundleFile>();
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  const [notice, showNotice] = useNotice();
  const now = useNow(30_000);

  async function act(label: string, work: () => Promise<string | undefined>) {
    setBusy(label);
    setError(undefined);
    try {
      const done = await work();
      if (done) showNotice(done);
    } catch (caught) {
      setError(toApiError(caught).message);
    } finally {
      setBusy(undefined);
    }
  }

  const openFile = () =>
    act('import', async () => {
      const bundle = await openBundleFile(api, platform);
      if (!bundle) return undefined;
      reload();
      navigate('bundles', openRest(bundle.id));
      return `Opened ${bundle.id}.`;
    });

  const saveAs = (id: string) =>
    act(`save:${id}`, async () => {
      const saved = await saveBundleAs(api, platform, id);
      return saved ? `Saved a copy as ${saved.path ?? saved.name}.` : undefined;
    });

  const reRedact = (id: string) =>
    act(`redact:${id}`, async () => {
      const copy = await api.invoke('bundles:redact', { id });
      reload();
      return `Re-redacted into ${copy.id}; ${id} is unchanged.`;
    });

  const toggle = (id: string, on: boolean) =>
    setChosen((ids) => (on ? [...ids.filter((x) => x !== id), id].slice(-2) : ids.filter((x) => x !== id)));

  const bundles = list.state === 'ready' ? list.bundles : [];
  // Older first, so the diff reads "before → after".
  const pair = bundles.filter((bundle) => chosen.includes(bundle.id)).reverse();

  return (
    <div className="bundle-list">
      <div className="bundles-toolbar">
        {bundles.length > 0 ? (
          <a className="button button-primary" href={hrefOf('bundles', 'new')}>
            <PlusIcon /> New bundle
          </a>
        ) : null}
        <button type="button" className="button" disabled={busy === 'import'} onClick={() => void openFile()}>
          <ImportIcon /> {busy === 'import' ? 'Opening…' : 'Open a file…'}
        </button>
        {bundles.length > 1 ? (
          <button
            type="button"
            className="button"
            disabled={pair.length !== 2}
            title={pair.length === 2 ? undefined : 'Tick two bundles to compare them'}
            onClick={() => navigate('bundles', diffRest(pair[0]!.id, pair[1]!.id))}
          >
            Compare{pair.length === 2 ? '' : ` (${pair.length} of 2 ticked)`}
          </button>
        ) : null}
      </div>

      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}

      {list.state === 'loading' ? (
        <p className="loading">Loading bundles…</p>
      ) : list.state === 'failed' ? (
        <p className="form-error" role="alert">
          Could not list the bundles: {list.message}
        </p>
      ) : bundles.length === 0 ? (
        <EmptyState
          icon={AREA_ICONS.bundles({ size: 28 })}
          title="No bundles yet — make one from a target"
          actions={
            <a className="button button-primary" href={hrefOf('bundles', 'new')}>
              <PlusIcon /> New bundle
            </a>
          }
        >
          <p>
            A bundle holds a target’s context, the logs of a time window, probe results, runs, frontend errors and the
            audit log — secrets redacted, with a report of what was.
          </p>
          <p className="muted">Open it later without a network, or compare two around a deploy.</p>
        </EmptyState>
      ) : (
        <table className="bundles-table bundle-rows">
          <thead className="table-heads">
            <tr>
              <th scope="col">
                <span className="visually-hidden">Compare</span>
              </th>
              <th scope="col">Target</th>
              <th scope="col">Env</th>
              <th scope="col">Window</th>
              <th scope="col">Created</th>
              <th scope="col" className="num">
                Size
              </th>
              <th scope="col">Kind</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {bundles.map((bundle) => (
              <tr key={bundle.id} className="bundle-row" data-bundle={bundle.id}>
                <td>
                  <input
                    type="checkbox"
                    className="checkbox"
                    aria-label={`Compare ${bundle.id}`}
                    checked={chosen.includes(bundle.id)}
                    onChange={(event) => toggle(bundle.id, event.target.checked)}
                  />
                </td>
                <td>
                  <a className="bundle-link" href={hrefOf('bundles', openRest(bundle.id))}>
                    {bundle.targetName ?? bundle.id}
                  </a>
                  <div className="muted mono small">{bundle.id}</div>
                </td>
                <td>
                  {bundle.environment ? (
                    <EnvBadge environment={bundle.environment} />
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>{bundle.window ?? <span className="muted">—</span>}</td>
                <td title={bundle.created}>{formatWhen(bundle.created, now)}</td>
                <td className="num">{formatBytes(bundle.bytes)}</td>
                <td>{bundle.kind === 'agent' ? 'Agent' : 'Control Room'}</td>
                <td>
                  <div className="row-actions">
                    <a className="button button-small" href={hrefOf('bundles', openRest(bundle.id))}>
                      Open
                    </a>
                    <button
                      type="button"
                      className="button button-small"
                      disabled={busy === `save:${bundle.id}`}
                      onClick={() => void saveAs(bundle.id)}
                    >
                      Save as…
                    </button>
                    {bundle.kind === 'control-room' ? (
                      <button
                        type="button"
                        className="button button-small"
                        disabled={busy === `redact:${bundle.id}`}
                        title="Redact again with today's rules into a new file"
                        onClick={() => void reRedact(bundle.id)}
                      >
                        {busy === `redact:${bundle.id}` ? 'Re-redacting…' : 'Re-redact'}
                      </button>
                    ) : null}
                    <button
                      type="button"
                      className="button button-small button-quiet-danger"
                      aria-label={`Delete ${bundle.id}`}
                      onClick={() => setDeleting(bundle)}
                    >
                      <TrashIcon />
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {deleting ? (
        <ConfirmDialog
          title={`Delete ${deleting.id}?`}
          description="The file is removed from the bundles folder. Copies saved elsewhere stay."
          confirmLabel="Delete"
          busyLabel="Deleting…"
          tone="danger"
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await api.invoke('bundles:delete', { id: deleting.id });
            setChosen((ids) => ids.filter((id) => id !== deleting.id));
            setDeleting(undefined);
            reload();
            showNotice(`Deleted ${deleting.id}.`);
          }}
        />
      ) : null}
      <Notice notice={notice} />
    </div>
  );
}
