/**
 * One Docker target in the Overview: its connection, engine facts, containers grouped by compose
 * project and service, container actions, and its audit log.
 *
 * What it shows follows the connection first: a host key to trust or a failure to fix comes
 * before anything else; a connection that dropped keeps the last overview on screen, marked as
 * such. `r` reads a fresh snapshot.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { ConnectionState } from '../../../../shared/model/connection';
import type { ContainerAction, ContainerSummary, DockerOverview, EngineInfo } from '../../../../shared/model/docker';
import type { Target } from '../../../../shared/model/target';
import { useConnections, useConnectionState } from '../../app/connections-store';
import { RetryButton } from '../../components/connection-chip';
import { asSentence, formatBytes, formatWhen, secondsUntil } from '../../components/format';
import { FingerprintCompare } from '../../components/host-key-dialog';
import { KeyIcon, RestartIcon, ServerIcon, ShieldIcon, WarningIcon } from '../../components/icons';
import { Notice, useNotice } from '../../components/notice';
import { useNow } from '../../components/use-now';
import { AuditLogPanel } from './audit-log-panel';
import { ContainerActionDialog } from './container-action-dialog';
import { ContainerGroups, type PendingAction } from './container-groups';
import { TargetHeader } from './target-header';
import { useAuditLog } from './use-audit-log';
import { useDockerOverview, type DockerOverviewState } from './use-docker-overview';
import { useRefreshShortcut } from './use-refresh-shortcut';

type View = 'containers' | 'audit';

/** Host keys already put in front of the user this session, so Cancel is not undone by a re-render. */
const offeredKeys = new Set<string>();

export function DockerTargetView({ target }: { target: Target }) {
  const state = useConnectionState(target.id);
  const data = useDockerOverview(target, state);
  const audit = useAuditLog(target.id);
  const { reviewHostKey } = useConnections();
  const [view, setView] = useState<View>('containers');
  const [acting, setActing] = useState<{ container: ContainerSummary; action: ContainerAction }>();
  const [pending, setPending] = useState<PendingAction>();
  const [notice, showNotice] = useNotice();

  // A new host key: ask at once (once per key), since nothing else can happen until it is trusted.
  const offered = state.status === 'untrusted-host-key' ? `${target.id}:${state.fingerprint}` : undefined;
  useEffect(() => {
    if (!offered || offeredKeys.has(offered)) return;
    offeredKeys.add(offered);
    reviewHostKey(target.id);
  }, [offered, reviewHostKey, target.id]);

  useRefreshShortcut(data.overview && state.status === 'connected' ? data.refresh : undefined);

  const auditCount = audit.state === 'ready' ? audit.entries.length : undefined;

  return (
    <>
      <TargetHeader
        target={target}
        actions={
          <button
            type="button"
            className="button button-small"
            onClick={data.refresh}
            disabled={data.refreshing || state.status !== 'connected'}
            aria-keyshortcuts="R"
            title="Read everything again now (R)"
          >
            <RestartIcon size={13} /> {data.refreshing ? 'Refreshing…' : 'Refresh'}
          </button>
        }
      />
      {data.overview ? <EngineStrip engine={data.overview.engine} overview={data.overview} /> : null}

      <div className="view-tabs" role="tablist" aria-label="Views">
        <button
          type="button"
          role="tab"
          aria-selected={view === 'containers'}
          className={`view-tab ${view === 'containers' ? 'is-selected' : ''}`}
          onClick={() => setView('containers')}
        >
          Containers
          {data.overview ? <span className="view-tab-count">{countContainers(data.overview)}</span> : null}
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={view === 'audit'}
          className={`view-tab ${view === 'audit' ? 'is-selected' : ''}`}
          onClick={() => setView('audit')}
        >
          Audit log
          {auditCount !== undefined ? <span className="view-tab-count">{auditCount}</span> : null}
        </button>
      </div>

      {view === 'audit' ? (
        <AuditLogPanel audit={audit} />
      ) : (
        <ContainersView
          target={target}
          state={state}
          data={data}
          pending={pending}
          onAction={(container, action) => setActing({ container, action })}
        />
      )}

      {acting ? (
        <ContainerActionDialog
          target={target}
          container={acting.container}
          action={acting.action}
          onClose={() => setActing(undefined)}
          onStarted={() => setPending({ containerId: acting.container.id, action: acting.action })}
          onFailed={() => setPending(undefined)}
          onDone={(message) => {
            setPending(undefined);
            setActing(undefined);
            showNotice(message);
          }}
        />
      ) : null}
      <Notice notice={notice} />
    </>
  );
}

function countContainers(overview: DockerOverview): number {
  return (
    overview.projects.reduce((n, p) => n + p.services.reduce((m, s) => m + s.containers.length, 0), 0) +
    overview.ungrouped.length
  );
}

interface ContainersViewProps {
  target: Target;
  state: ConnectionState;
  data: DockerOverviewState;
  pending: PendingAction | undefined;
  onAction(container: ContainerSummary, action: ContainerAction): void;
}

function ContainersView({ target, state, data, pending, onAction }: ContainersViewProps) {
  const { reviewHostKey } = useConnections();
  const { overview, error } = data;

  if (state.status === 'untrusted-host-key') {
    return (
      <StatePanel icon={<ShieldIcon size={22} />} tone="warn" title={`Trust ${target.name}’s host key to connect`}>
        <p>
          {state.host} offers a host key Control Room has not seen before:{' '}
          <code className="fingerprint-inline">{state.fingerprint}</code>. Compare it with the server’s own before
          trusting it; nothing is sent until you do.
        </p>
        <div className="state-panel-actions">
          <button type="button" className="button button-primary" onClick={() => reviewHostKey(target.id)}>
            <KeyIcon size={14} /> Review the host key…
          </button>
        </div>
      </StatePanel>
    );
  }
  if (state.status === 'failed') {
    const mismatch = state.code === 'host-key-mismatch';
    return (
      <StatePanel
        icon={<WarningIcon size={22} />}
        tone="danger"
        title={mismatch ? `${target.name}’s host key has changed` : `Can’t connect to ${target.name}`}
      >
        <p className="state-panel-reason" role="alert">
          {state.reason}
        </p>
        {mismatch ? <FingerprintCompare reason={state.reason} /> : null}
        <div className="state-panel-actions">
          {mismatch ? (
            <>
              <button type="button" className="button" onClick={() => reviewHostKey(target.id)}>
                Compare the keys
              </button>
              <button
                type="button"
                className="button button-quiet button-quiet-danger"
                onClick={() => reviewHostKey(target.id, 'forget')}
              >
                Forget the old key…
              </button>
            </>
          ) : (
            <RetryButton target={target} className="button-retry" />
          )}
        </div>
      </StatePanel>
    );
  }

  if (overview) {
    const stale = !data.fresh || error || state.status === 'reconnecting' || state.status === 'connecting';
    return (
      <>
        {stale ? <StaleBanner overview={overview} state={state} error={error} onRetry={data.retry} /> : null}
        <div className={stale ? 'is-stale' : ''}>
          {countContainers(overview) === 0 ? (
            <div className="panel-empty">
              <p>There are no containers on this host, running or stopped.</p>
              <p className="muted">They appear here as soon as Docker creates them.</p>
            </div>
          ) : (
            <ContainerGroups
              overview={overview}
              pending={pending}
              actionsDisabled={state.status !== 'connected'}
              onAction={onAction}
            />
          )}
        </div>
      </>
    );
  }

  if (state.status === 'reconnecting') return <ReconnectingPanel target={target} state={state} />;
  if (error) {
    return (
      <StatePanel icon={<WarningIcon size={22} />} tone="danger" title={`Can’t read ${target.name}’s containers`}>
        <p className="state-panel-reason" role="alert">
          {error}
        </p>
        <div className="state-panel-actions">
          <button type="button" className="button" onClick={data.retry}>
            <RestartIcon size={14} /> Retry
          </button>
        </div>
      </StatePanel>
    );
  }
  return <OverviewSkeleton connecting={state.status === 'connecting' || state.status === 'idle'} />;
}

function StatePanel({
  icon,
  tone,
  title,
  children,
}: {
  icon: ReactNode;
  tone: 'warn' | 'danger' | 'info';
  title: string;
  children: ReactNode;
}) {
  return (
    <section className={`state-panel state-panel-${tone}`} aria-label={title}>
      <div className="state-panel-icon">{icon}</div>
      <div className="state-panel-body">
        <h3>{title}</h3>
        {children}
      </div>
    </section>
  );
}

function ReconnectingPanel({
  target,
  state,
}: {
  target: Target;
  state: Extract<ConnectionState, { status: 'reconnecting' }>;
}) {
  const now = useNow(1000);
  const seconds = secondsUntil(state.at, now);
  return (
    <StatePanel icon={<ServerIcon size={22} />} tone="warn" title={`${target.name} is not answering`}>
      <p>
        {asSentence(state.reason)} {seconds > 0 ? `Trying again in ${seconds} s` : 'Trying again now'} (attempt{' '}
        {state.attempt}).
      </p>
      <div className="state-panel-actions">
        <RetryButton target={target} className="button-retry" />
      </div>
    </StatePanel>
  );
}

function StaleBanner({
  overview,
  state,
  error,
  onRetry,
}: {
  overview: DockerOverview;
  state: ConnectionState;
  error: string | undefined;
  onRetry(): void;
}) {
  const now = useNow(1000, state.status === 'reconnecting');
  const why =
    state.status === 'reconnecting'
      ? `Connection lost (${state.reason}) — reconnecting${secondsUntil(state.at, now) > 0 ? ` in ${secondsUntil(state.at, now)} s` : '…'}`
      : state.status === 'connecting'
        ? 'Reconnecting…'
        : (error ?? 'Reading the current state…');
  return (
    <div className="stale-banner" role="status">
      <WarningIcon size={15} />
      <span>
        {why} <span className="faint">Showing the state as of {formatWhen(overview.fetchedAt, now)}.</span>
      </span>
      {/* While reconnecting, the connection chip above has the Retry. */}
      {state.status === 'connected' && error ? (
        <button type="button" className="button button-small" onClick={onRetry}>
          <RestartIcon size={13} /> Retry
        </button>
      ) : null}
    </div>
  );
}

function EngineStrip({ engine, overview }: { engine: EngineInfo; overview: DockerOverview }) {
  const all = [...overview.projects.flatMap((p) => p.services.flatMap((s) => s.containers)), ...overview.ungrouped];
  const running = all.filter((c) => c.state === 'running').length;
  const facts: { label: string; value: string; title?: string }[] = [
    {
      label: 'Engine',
      value: engine.version,
      ...(engine.apiVersion ? { title: `Docker API ${engine.apiVersion}` } : {}),
    },
    { label: 'Host', value: engine.hostname || '—' },
    { label: 'OS', value: [engine.os, engine.arch].filter(Boolean).join(' · ') || '—' },
    { label: 'Kernel', value: engine.kernel || '—' },
    { label: 'CPUs', value: String(engine.cpus) },
    { label: 'Memory', value: engine.memoryBytes ? formatBytes(engine.memoryBytes) : '—' },
    { label: 'Running', value: `${running} of ${all.length}` },
  ];
  return (
    <dl className="engine-strip" aria-label="Engine and host">
      {facts.map((fact) => (
        <div key={fact.label} className="engine-fact" title={fact.title ?? fact.value}>
          <dt>{fact.label}</dt>
          <dd>{fact.value}</dd>
        </div>
      ))}
    </dl>
  );
}

function OverviewSkeleton({ connecting }: { connecting: boolean }) {
  return (
    <div className="overview-skeleton" aria-busy="true" aria-label="Loading the overview">
      <p className="muted skeleton-caption">
        <span className="spinner" aria-hidden="true" /> {connecting ? 'Connecting…' : 'Reading containers…'}
      </p>
      <div className="skeleton-strip">
        {Array.from({ length: 6 }, (_, i) => (
          <span key={i} className="skeleton-block" />
        ))}
      </div>
      <div className="skeleton-card">
        {Array.from({ length: 4 }, (_, i) => (
          <span key={i} className="skeleton-line" style={{ width: `${90 - i * 12}%` }} />
        ))}
      </div>
    </div>
  );
}
