/**
 * The Context tab: an ops-api target's `/api/ops/context` as six cards — host, deploy,
 * frontend, containers, alerts, migrations. A section the API could not read shows its own
 * error in its card while the others render; a failed request as a whole is one sentence with
 * a way out, and a failed refresh keeps the last context on screen, marked as such.
 */
import type { ReactNode } from 'react';
import type { OpsAlert, OpsContext } from '../../../../shared/model/ops';
import type { Target } from '../../../../shared/model/target';
import { navigate } from '../../app/routes';
import { formatAgo, formatBytes, formatDuration, formatWhen } from '../../components/format';
import { CheckIcon, RestartIcon, ServerIcon, WarningIcon } from '../../components/icons';
import { useNow } from '../../components/use-now';
import { CopyButton } from './copy-button';
import type { OpsContextState } from './use-ops-context';

type Section<T> = { ok: true; data: T } | { ok: false; error: string };
type DataOf<K extends keyof OpsContext> = Extract<OpsContext[K], { ok: true }>['data'];

interface ContextViewProps {
  target: Target;
  data: OpsContextState;
  /** Read again (and restart a live link that gave up). */
  onRetry(): void;
  onShowErrors(): void;
}

export function ContextView({ target, data, onRetry, onShowErrors }: ContextViewProps) {
  const { context, error } = data;
  if (!context) {
    if (error) return <RequestFailed target={target} error={error} onRetry={onRetry} what="context" />;
    return <ContextSkeleton />;
  }
  return (
    <div className="ops-context">
      {error ? <StaleBanner message={error.message} readAt={data.readAt} onRetry={onRetry} /> : null}
      <div className={`ops-grid ${error ? 'is-stale' : ''}`}>
        <HostCard section={context.host} readAt={data.readAt} />
        <DeployCard section={context.deploy} />
        <FrontendCard section={context.frontend} onShowErrors={onShowErrors} />
        <DockerCard section={context.docker} />
        <AlertsCard section={context.alerts} />
        <MigrationsCard section={context.migrations} />
      </div>
    </div>
  );
}

/** The whole request failed and nothing was read before: one sentence and what to do. */
export function RequestFailed({
  target,
  error,
  onRetry,
  what,
}: {
  target: Target;
  error: { message: string; code: string };
  onRetry(): void;
  what: string;
}) {
  const fixInTargets =
    error.code === 'unauthorized' || error.code === 'keychain-unavailable' || error.code === 'keychain-locked';
  return (
    <section
      className="state-panel state-panel-danger ops-request-failed"
      aria-label={`Can’t read ${target.name}’s ${what}`}
    >
      <div className="state-panel-icon">
        <WarningIcon size={22} />
      </div>
      <div className="state-panel-body">
        <h3>
          Can’t read {target.name}’s {what}
        </h3>
        <p className="state-panel-reason" role="alert">
          {error.message}
        </p>
        <div className="state-panel-actions">
          <button type="button" className="button" onClick={onRetry}>
            <RestartIcon size={14} /> Retry
          </button>
          {fixInTargets ? (
            <button type="button" className="button button-quiet" onClick={() => navigate('targets')}>
              Open Targets to fix the token
            </button>
          ) : null}
        </div>
      </div>
    </section>
  );
}

export function StaleBanner({
  message,
  readAt,
  onRetry,
}: {
  message: string;
  readAt: number | undefined;
  onRetry(): void;
}) {
  const now = useNow(10_000);
  return (
    <div className="stale-banner" role="status">
      <WarningIcon size={15} />
      <span>
        {message}{' '}
        {readAt ? (
          <span className="faint">Showing what was read at {formatWhen(new Date(readAt).toISOString(), now)}.</span>
        ) : null}
      </span>
      <button type="button" className="button button-small" onClick={onRetry}>
        <RestartIcon size={13} /> Retry
      </button>
    </div>
  );
}

function Card<T>({
  id,
  title,
  section,
  meta,
  children,
}: {
  id: string;
  title: string;
  section: Section<T>;
  meta?: (data: T) => ReactNode;
  children: (data: T) => ReactNode;
}) {
  return (
    <section
      className={`ops-card ops-card-${id} ${section.ok ? '' : 'has-error'}`}
      aria-label={title}
      data-testid={`ops-section-${id}`}
    >
      <header className="ops-card-header">
        <h3>{title}</h3>
        {section.ok && meta ? <div className="ops-card-meta">{meta(section.data)}</div> : null}
      </header>
      {section.ok ? (
        <div className="ops-card-body">{children(section.data)}</div>
      ) : (
        <p className="ops-card-error">
          <WarningIcon size={15} />
          <span>{section.error}</span>
        </p>
      )}
    </section>
  );
}

function HostCard({ section, readAt }: { section: Section<DataOf<'host'>>; readAt: number | undefined }) {
  return (
    <Card id="host" title="Host" section={section}>
      {(host) => (
        <>
          <div className="ops-host-name">
            <ServerIcon size={15} />
            <span className="mono" title={host.name}>
              {host.name}
            </span>
          </div>
          <dl className="ops-facts">
            <div>
              <dt>Uptime</dt>
              <dd>
                <Uptime seconds={host.uptimeSeconds} readAt={readAt} />
              </dd>
            </div>
            <div>
              <dt>Load</dt>
              <dd className="mono" title="Load average over 1, 5 and 15 minutes">
                {host.load.length ? host.load.map((n) => n.toFixed(2)).join('  ') : '—'}
              </dd>
            </div>
          </dl>
          {host.disk.length ? (
            <ul className="ops-disks" aria-label="Disks">
              {host.disk.map((disk) => {
                const used = Math.max(0, disk.totalBytes - disk.freeBytes);
                const percent = disk.totalBytes > 0 ? (used / disk.totalBytes) * 100 : 0;
                const level = percent >= 90 ? 'is-high' : percent >= 75 ? 'is-warm' : '';
                return (
                  <li key={disk.mount} className="ops-disk">
                    <div className="ops-disk-line">
                      <span className="mono ops-disk-mount" title={disk.mount}>
                        {disk.mount}
                      </span>
                      <span className="ops-disk-usage">
                        {formatBytes(used)} <span className="faint">of {formatBytes(disk.totalBytes)}</span>
                        <strong className={level}>{Math.round(percent)} %</strong>
                      </span>
                    </div>
                    <span
                      className="meter"
                      role="meter"
                      aria-label={`${disk.mount} used`}
                      aria-valuemin={0}
                      aria-valuemax={100}
                      aria-valuenow={Math.round(percent)}
                    >
                      <span className={`meter-fill ${level}`} style={{ width: `${Math.min(100, percent)}%` }} />
                    </span>
                  </li>
                );
              })}
            </ul>
          ) : (
            <p className="muted">No disks reported.</p>
          )}
        </>
      )}
    </Card>
  );
}

/** Uptime as read, kept ticking from the moment it was read. */
function Uptime({ seconds, readAt }: { seconds: number; readAt: number | undefined }) {
  const now = useNow(1000);
  const elapsed = readAt ? Math.max(0, now - readAt) : 0;
  return <>{formatDuration(seconds * 1000 + elapsed)}</>;
}

function DeployCard({ section }: { section: Section<DataOf<'deploy'>> }) {
  const now = useNow(10_000);
  return (
    <Card
      id="deploy"
      title="Deploy"
      section={section}
      meta={(deploy) =>
        deploy.sources.length ? <span className="faint">from {deploy.sources.join(', ')}</span> : null
      }
    >
      {(deploy) => {
        const tags = Object.entries(deploy.imageTags).sort(([a], [b]) => a.localeCompare(b));
        const nothing = !deploy.gitSha && !deploy.branch && !deploy.deployedAt && tags.length === 0;
        if (nothing) {
          return (
            <p className="muted">
              No deploy info found. Set <code>GIT_SHA</code> and <code>DEPLOYED_AT</code> in the agent’s environment, a
              deploy file, or image labels.
            </p>
          );
        }
        return (
          <>
            <dl className="ops-facts ops-facts-rows">
              <div>
                <dt>Git SHA</dt>
                <dd>
                  {deploy.gitSha ? (
                    <span className="ops-sha">
                      <code title={deploy.gitSha} data-testid="git-sha">
                        {deploy.gitSha.slice(0, 10)}
                      </code>
                      <CopyButton text={deploy.gitSha} what="the git SHA" />
                    </span>
                  ) : (
                    <span className="faint">—</span>
                  )}
                </dd>
              </div>
              <div>
                <dt>Branch</dt>
                <dd className="mono">{deploy.branch ?? <span className="faint">—</span>}</dd>
              </div>
              <div>
                <dt>Deployed</dt>
                <dd title={deploy.deployedAt ?? undefined}>
                  {deploy.deployedAt ? (
                    <>
                      {formatAgo(deploy.deployedAt, now) || deploy.deployedAt}{' '}
                      <span className="faint">· {formatWhen(deploy.deployedAt, now)}</span>
                    </>
                  ) : (
                    <span className="faint">—</span>
                  )}
                </dd>
              </div>
            </dl>
            {tags.length ? (
              <div className="ops-tags">
                <h4>Image tags</h4>
                <ul>
                  {tags.map(([service, tag]) => (
                    <li key={service}>
                      <span className="service-name">{service}</span>
                      <span className="mono ops-tag" title={tag}>
                        {tag}
                      </span>
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
          </>
        );
      }}
    </Card>
  );
}

function FrontendCard({ section, onShowErrors }: { section: Section<DataOf<'frontend'>>; onShowErrors(): void }) {
  const now = useNow(10_000);
  return (
    <Card id="frontend" title="Frontend" section={section}>
      {(frontend) => (
        <>
          <div className="ops-counts">
            <div className={`ops-count ${frontend.errorsLastHour > 0 ? 'is-bad' : ''}`}>
              <span className="ops-count-value">{frontend.errorsLastHour}</span>
              <span className="ops-count-label">errors last hour</span>
            </div>
            <div className="ops-count">
              <span className="ops-count-value">{frontend.errorsLastDay}</span>
              <span className="ops-count-label">last 24 hours</span>
            </div>
          </div>
          <dl className="ops-facts ops-facts-rows">
            <div>
              <dt>Last build</dt>
              <dd>
                {frontend.lastBuildHash ? (
                  <code title={frontend.lastBuildHash}>{frontend.lastBuildHash}</code>
                ) : (
                  <span className="faint">none reported yet</span>
                )}
              </dd>
            </div>
            <div>
              <dt>Last error</dt>
              <dd title={frontend.lastErrorAt ?? undefined}>
                {frontend.lastErrorAt ? formatAgo(frontend.lastErrorAt, now) : <span className="faint">none</span>}
              </dd>
            </div>
          </dl>
          <button type="button" className="button button-small ops-card-link" onClick={onShowErrors}>
            Frontend errors →
          </button>
        </>
      )}
    </Card>
  );
}

function DockerCard({ section }: { section: Section<DataOf<'docker'>> }) {
  return (
    <Card
      id="docker"
      title="Containers"
      section={section}
      meta={({ containers }) => {
        const running = containers.filter((c) => c.state === 'running').length;
        return (
          <span className={running === containers.length ? 'count-ok' : 'count-warn'}>
            {running} of {containers.length} running
          </span>
        );
      }}
    >
      {({ containers }) =>
        containers.length === 0 ? (
          <p className="muted">There are no containers on this host.</p>
        ) : (
          <table className="ops-table">
            <thead className="table-heads">
              <tr>
                <th>Container</th>
                <th>Service</th>
                <th>Image</th>
                <th>Health</th>
                <th className="num">Restarts</th>
              </tr>
            </thead>
            <tbody>
              {[...containers]
                .sort((a, b) => (a.project ?? '~').localeCompare(b.project ?? '~') || a.name.localeCompare(b.name))
                .map((c) => (
                  <tr key={c.id} data-testid={`ops-container-${c.name}`}>
                    <td>
                      <div className="container-name">
                        <span className={`state-dot state-dot-${c.state}`} aria-hidden="true" />
                        <span className="container-name-text" title={c.name}>
                          {c.name}
                        </span>
                      </div>
                      <div className={`ops-state state-${c.state}`}>
                        <span className="state-word">{c.state}</span>
                        {c.project ? <span className="faint"> · {c.project}</span> : null}
                      </div>
                    </td>
                    <td>
                      {c.service ? <span className="service-name">{c.service}</span> : <span className="faint">—</span>}
                    </td>
                    <td>
                      <span className="mono ops-image" title={c.image}>
                        {shortImage(c.image)}
                      </span>
                    </td>
                    <td>
                      {c.health === 'none' ? (
                        <span className="faint">no check</span>
                      ) : (
                        <span className={`health health-${c.health}`}>{c.health}</span>
                      )}
                    </td>
                    <td className={`num mono ${c.restarts > 0 ? 'has-restarts' : ''}`}>{c.restarts}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        )
      }
    </Card>
  );
}

/** `localhost/local/busybox:latest` → `busybox:latest`: the registry path rarely tells containers apart. */
function shortImage(image: string): string {
  if (/^sha256:/.test(image)) return image.slice(7, 19);
  return image.slice(image.lastIndexOf('/') + 1) || image;
}

const SEVERITY_ORDER: Record<OpsAlert['severity'], number> = { critical: 0, warning: 1, info: 2 };

function AlertsCard({ section }: { section: Section<DataOf<'alerts'>> }) {
  const now = useNow(10_000);
  return (
    <Card
      id="alerts"
      title="Alerts"
      section={section}
      meta={(alerts) => (alerts.length ? <span className="ops-alert-total">{alerts.length}</span> : null)}
    >
      {(alerts) =>
        alerts.length === 0 ? (
          <p className="ops-no-alerts">
            <CheckIcon size={15} /> No alerts
          </p>
        ) : (
          <ul className="ops-alerts">
            {[...alerts]
              .sort(
                (a, b) =>
                  SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || Date.parse(b.since) - Date.parse(a.since),
              )
              .map((alert) => (
                <li key={alert.id} className={`ops-alert severity-${alert.severity}`}>
                  <span className="ops-severity">{alert.severity}</span>
                  <div className="ops-alert-text">
                    <p>{alert.message}</p>
                    <p className="faint">
                      {alert.source} · since{' '}
                      <span title={alert.since}>{formatAgo(alert.since, now) || alert.since}</span>
                    </p>
                  </div>
                </li>
              ))}
          </ul>
        )
      }
    </Card>
  );
}

function MigrationsCard({ section }: { section: Section<DataOf<'migrations'>> }) {
  const now = useNow(10_000);
  return (
    <Card
      id="migrations"
      title="Migrations"
      section={section}
      meta={(m) => (
        <>
          <span
            className={`result-badge ${m.exitCode === 0 ? 'result-badge-ok' : m.exitCode === null ? 'result-badge-none' : 'result-badge-error'}`}
          >
            {m.exitCode === null ? 'no exit code' : `exit ${m.exitCode}`}
          </span>
          <span className="faint" title={m.ranAt}>
            ran {formatAgo(m.ranAt, now) || m.ranAt}
          </span>
        </>
      )}
    >
      {(m) => (
        <>
          <p className="ops-command">
            <span className="faint">$</span> <code>{m.command}</code>
          </p>
          {m.output.trim() ? (
            <pre className="ops-output" tabIndex={0} aria-label="Migration output">
              {m.output}
            </pre>
          ) : (
            <p className="muted">The command printed nothing.</p>
          )}
        </>
      )}
    </Card>
  );
}

function ContextSkeleton() {
  return (
    <div className="overview-skeleton" aria-busy="true" aria-label="Loading the context">
      <p className="muted skeleton-caption">
        <span className="spinner" aria-hidden="true" /> Reading the context…
      </p>
      <div className="ops-grid">
        {['host', 'deploy', 'frontend', 'docker', 'alerts', 'migrations'].map((id, i) => (
          <div key={id} className={`skeleton-card ops-card-${id}`}>
            {Array.from({ length: i === 3 ? 5 : 3 }, (_, n) => (
              <span key={n} className="skeleton-line" style={{ width: `${88 - n * 14}%` }} />
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}
