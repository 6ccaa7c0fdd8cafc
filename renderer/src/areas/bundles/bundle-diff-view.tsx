/**
 * What changed between two bundles of a target, as a person asks after a deploy: the deployed
 * SHA, images, containers, migrations, probes, error lines per service, frontend error groups
 * and configuration keys. "No changes" when nothing did; the diff also downloads as JSON.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { BundleDiff } from '../../../../shared/model/bundle';
import { useApi, usePlatform } from '../../api/api-context';
import { toApiError } from '../../api/open-api';
import { hrefOf } from '../../app/routes';
import { saveText } from '../../platform/platform';
import { FromBundleBadge } from './bundle-viewer';
import { openRest } from './bundles-route';

type DiffState = { state: 'loading' } | { state: 'ready'; diff: BundleDiff } | { state: 'failed'; message: string };

export function BundleDiffView({ a, b }: { a: string; b: string }) {
  const api = useApi();
  const platform = usePlatform();
  const [loaded, setLoaded] = useState<DiffState>({ state: 'loading' });
  const [message, setMessage] = useState<string>();

  useEffect(() => {
    let current = true;
    api.invoke('bundles:diff', { a, b }).then(
      (diff) => current && setLoaded({ state: 'ready', diff }),
      (error: unknown) => current && setLoaded({ state: 'failed', message: toApiError(error).message }),
    );
    return () => {
      current = false;
    };
  }, [api, a, b]);

  if (loaded.state === 'loading')
    return (
      <p className="loading">
        Comparing {a} and {b}…
      </p>
    );
  if (loaded.state === 'failed') {
    return (
      <div className="bundle-diff">
        <p className="form-error" role="alert">
          Could not compare the bundles: {loaded.message}
        </p>
        <a className="button" href={hrefOf('bundles')}>
          Back to bundles
        </a>
      </div>
    );
  }
  const diff = loaded.diff;

  async function download() {
    setMessage(undefined);
    try {
      const saved = await saveText(
        platform,
        {
          suggestedName: `bundle-diff_${stem(a)}_${stem(b)}.json`,
          filters: [{ name: 'JSON', extensions: ['json'] }],
          mimeType: 'application/json',
        },
        `${JSON.stringify(diff, null, 2)}\n`,
      );
      if (saved) setMessage(`Saved ${saved.path ?? saved.name}.`);
    } catch (error) {
      setMessage(`Could not save the diff: ${toApiError(error).message}`);
    }
  }

  return (
    <div className="bundle-diff">
      <header className="bundle-diff-header">
        <div className="bundle-diff-sides">
          <Side label="Before" id={diff.a.id} created={diff.a.created} />
          <span className="bundle-diff-arrow" aria-hidden="true">
            →
          </span>
          <Side label="After" id={diff.b.id} created={diff.b.created} />
        </div>
        <div className="bundle-diff-actions">
          <button type="button" className="button button-small" onClick={() => void download()}>
            Download JSON
          </button>
          <a className="button button-small button-quiet" href={hrefOf('bundles')}>
            Back to bundles
          </a>
        </div>
        {message ? (
          <p className="muted small" role="status">
            {message}
          </p>
        ) : null}
      </header>

      {diff.same ? (
        <p className="bundle-diff-same" role="status">
          No changes — the two bundles agree on everything compared.
        </p>
      ) : (
        <div className="bundle-diff-sections">
          {diff.deployedSha && diff.deployedSha.before !== diff.deployedSha.after ? (
            <DiffSection title="Deployed SHA">
              <BeforeAfter before={diff.deployedSha.before} after={diff.deployedSha.after} mono />
            </DiffSection>
          ) : null}
          {diff.images.length > 0 ? (
            <DiffSection title="Images">
              <DiffTable columns={['Service', 'Tag', 'Digest']}>
                {diff.images.map((image) => (
                  <tr key={image.service}>
                    <td>{image.service}</td>
                    <td>
                      <BeforeAfter before={image.before} after={image.after} mono />
                    </td>
                    <td>
                      <BeforeAfter
                        before={shortDigest(image.digestBefore)}
                        after={shortDigest(image.digestAfter)}
                        mono
                      />
                    </td>
                  </tr>
                ))}
              </DiffTable>
            </DiffSection>
          ) : null}
          {hasContainerChanges(diff) ? (
            <DiffSection title="Containers">
              <ul className="diff-list">
                {diff.containers.added.map((name) => (
                  <DiffItem key={`a${name}`} change="added" tag="added" name={name} />
                ))}
                {diff.containers.removed.map((name) => (
                  <DiffItem key={`r${name}`} change="removed" tag="removed" name={name} />
                ))}
                {diff.containers.restarted.map((entry) => (
                  <DiffItem key={`s${entry.name}`} change="changed" tag="restarted" name={entry.name}>
                    <span className="muted">restarts</span>{' '}
                    <BeforeAfter before={num(entry.before)} after={num(entry.after)} />
                  </DiffItem>
                ))}
                {diff.containers.health.map((entry) => (
                  <DiffItem key={`h${entry.name}`} change="changed" tag="health" name={entry.name}>
                    <BeforeAfter before={entry.before} after={entry.after} />
                  </DiffItem>
                ))}
              </ul>
            </DiffSection>
          ) : null}
          {diff.migrations && (diff.migrations.added.length > 0 || diff.migrations.removed.length > 0) ? (
            <DiffSection title="Migrations">
              <ul className="diff-list">
                {diff.migrations.added.map((name) => (
                  <DiffItem key={`a${name}`} change="added" tag="applied" name={name} />
                ))}
                {diff.migrations.removed.map((name) => (
                  <DiffItem key={`r${name}`} change="removed" tag="gone" name={name} />
                ))}
              </ul>
            </DiffSection>
          ) : null}
          {diff.probes.length > 0 ? (
            <DiffSection title="Probes">
              <ul className="diff-list">
                {diff.probes.map((probe) => (
                  <li key={probe.probe}>
                    <span className="mono">{probe.probe}</span>{' '}
                    <BeforeAfter before={probe.before} after={probe.after} />
                  </li>
                ))}
              </ul>
            </DiffSection>
          ) : null}
          {diff.errors.length > 0 ? (
            <DiffSection title="Error lines">
              {diff.errors.map((service) => (
                <div key={service.service} className="diff-errors" data-service={service.service}>
                  <div className="diff-errors-head">
                    <span className="mono">{service.service}</span> <span className="muted">errors a minute</span>{' '}
                    <BeforeAfter before={rate(service.ratePerMinBefore)} after={rate(service.ratePerMinAfter)} />
                  </div>
                  {service.newMessages.length > 0 ? (
                    <ul className="diff-messages">
                      {service.newMessages.map((entry) => (
                        <DiffItem key={entry.message} change="added" tag="new" name={entry.message}>
                          <Count count={entry.count} />
                        </DiffItem>
                      ))}
                    </ul>
                  ) : null}
                </div>
              ))}
            </DiffSection>
          ) : null}
          {diff.frontendErrors.new.length > 0 || diff.frontendErrors.gone.length > 0 ? (
            <DiffSection title="Frontend errors">
              <ul className="diff-list">
                {diff.frontendErrors.new.map((entry) => (
                  <DiffItem key={`n${entry.message}`} change="added" tag="new" name={entry.message}>
                    <Count count={entry.count} />
                  </DiffItem>
                ))}
                {diff.frontendErrors.gone.map((entry) => (
                  <DiffItem key={`g${entry.message}`} change="removed" tag="gone" name={entry.message}>
                    <Count count={entry.count} />
                  </DiffItem>
                ))}
              </ul>
            </DiffSection>
          ) : null}
          {diff.config.length > 0 ? (
            <DiffSection title="Configuration">
              <DiffTable columns={['Key', 'Change']}>
                {diff.config.map((entry) => (
                  <tr key={entry.key}>
                    <td className="mono">{entry.key}</td>
                    <td>
                      <BeforeAfter before={entry.before} after={entry.after} mono />
                    </td>
                  </tr>
                ))}
              </DiffTable>
            </DiffSection>
          ) : null}
        </div>
      )}
    </div>
  );
}

function Side({ label, id, created }: { label: string; id: string; created: string }) {
  return (
    <div className="bundle-diff-side">
      <span className="muted small">{label}</span>
      <a className="bundle-link mono" href={hrefOf('bundles', openRest(id))}>
        {id}
      </a>
      <FromBundleBadge created={created} />
    </div>
  );
}

function DiffSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="diff-section" aria-label={title}>
      <h3>{title}</h3>
      {children}
    </section>
  );
}

/**
 * One line of a diff list: a tag coloured by the kind of change (`tag` says it in the list's
 * words: added, applied, gone…), the name of what changed, then whatever more there is to say.
 */
function DiffItem({
  change,
  tag,
  name,
  children,
}: {
  change: 'added' | 'removed' | 'changed';
  tag: string;
  name: string;
  children?: ReactNode;
}) {
  return (
    <li>
      <span className={`diff-tag is-${change}`}>{tag}</span> <span className="mono">{name}</span>
      {children ? <> {children}</> : null}
    </li>
  );
}

/** How many times an error line was seen. */
function Count({ count }: { count: number }) {
  return <span className="muted">× {count}</span>;
}

/** A table of changes under its column heads. */
function DiffTable({ columns, children }: { columns: string[]; children: ReactNode }) {
  return (
    <table className="bundles-table diff-table">
      <thead className="table-heads">
        <tr>
          {columns.map((column) => (
            <th key={column} scope="col">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

function BeforeAfter({ before, after, mono = false }: { before: string | null; after: string | null; mono?: boolean }) {
  if (before === after) return <span className={mono ? 'mono' : ''}>{before ?? '—'}</span>;
  return (
    <span className={`before-after ${mono ? 'mono' : ''}`}>
      <span className="diff-before">{before ?? '—'}</span>
      <span className="muted"> → </span>
      <span className="diff-after">{after ?? '—'}</span>
    </span>
  );
}

function hasContainerChanges(diff: BundleDiff): boolean {
  const { added, removed, restarted, health } = diff.containers;
  return added.length + removed.length + restarted.length + health.length > 0;
}

function shortDigest(digest: string | null): string | null {
  if (!digest) return digest;
  const match = /sha256:([a-f0-9]{12})/.exec(digest);
  return match ? `sha256:${match[1]}…` : digest;
}

function num(value: number | null): string | null {
  return value === null ? null : String(value);
}

function rate(value: number): string {
  return value < 10 ? value.toFixed(1) : String(Math.round(value));
}

function stem(id: string): string {
  return id.replace(/\.(tar|json)\.gz$/, '');
}
