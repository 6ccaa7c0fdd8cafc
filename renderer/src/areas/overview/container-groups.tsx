/**
 * A Docker host's containers, grouped the way docker compose labels them: one card per compose
 * project, its services in the first column, and the unlabelled containers apart under "Other
 * containers". Uptimes tick; CPU and memory are the latest stats snapshot.
 */
import type { ContainerAction, ContainerSummary, DockerOverview } from '../../../../shared/model/docker';
import { formatBytes, formatDuration, formatPercent, formatWhen } from '../../components/format';
import { PlayIcon, RestartIcon, StopIcon } from '../../components/icons';
import { useNow } from '../../components/use-now';

export interface PendingAction {
  containerId: string;
  action: ContainerAction;
}

interface ContainerGroupsProps {
  overview: DockerOverview;
  pending: PendingAction | undefined;
  /** Actions cannot reach the host right now (the connection is down). */
  actionsDisabled?: boolean;
  onAction(container: ContainerSummary, action: ContainerAction): void;
}

export function ContainerGroups({ overview, pending, actionsDisabled = false, onAction }: ContainerGroupsProps) {
  const now = useNow(1000);
  const rowProps = { now, pending, actionsDisabled, onAction };
  return (
    <div className="container-groups">
      {overview.projects.map((project) => {
        const containers = project.services.flatMap((service) => service.containers);
        return (
          <section key={project.project} className="group-card" aria-label={`Project ${project.project}`}>
            <header className="group-header">
              <h3 className="group-title">{project.project}</h3>
              <span className="group-kind">compose project</span>
              <span className="group-meta">
                {project.services.length} {project.services.length === 1 ? 'service' : 'services'} ·{' '}
                <RunningCount containers={containers} />
              </span>
            </header>
            <table className="container-table">
              <ContainerColumns />
              <tbody>
                {project.services.map((service) =>
                  service.containers.map((container, index) => (
                    <ContainerRow
                      key={container.id}
                      container={container}
                      service={index === 0 ? { name: service.service, span: service.containers.length } : null}
                      {...rowProps}
                    />
                  )),
                )}
              </tbody>
            </table>
          </section>
        );
      })}
      {overview.ungrouped.length ? (
        <section className="group-card is-ungrouped" aria-label="Other containers">
          <header className="group-header">
            <h3 className="group-title">Other containers</h3>
            <span className="group-kind">no compose labels</span>
            <span className="group-meta">
              <RunningCount containers={overview.ungrouped} />
            </span>
          </header>
          <table className="container-table">
            <ContainerColumns />
            <tbody>
              {overview.ungrouped.map((container) => (
                <ContainerRow key={container.id} container={container} service={{ name: '', span: 1 }} {...rowProps} />
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </div>
  );
}

function RunningCount({ containers }: { containers: ContainerSummary[] }) {
  const running = containers.filter((c) => c.state === 'running').length;
  const all = running === containers.length;
  return (
    <span className={all ? 'count-ok' : 'count-warn'}>
      {running} of {containers.length} running
    </span>
  );
}

/** The same column widths in every card, so the cards line up. */
function ContainerColumns() {
  return (
    <>
      <colgroup>
        <col className="col-service" />
        <col className="col-container" />
        <col className="col-image" />
        <col className="col-uptime" />
        <col className="col-restarts" />
        <col className="col-cpu" />
        <col className="col-memory" />
        <col className="col-actions" />
      </colgroup>
      <thead className="table-heads">
        <tr>
          <th scope="col">Service</th>
          <th scope="col">Container</th>
          <th scope="col">Image</th>
          <th scope="col">Uptime</th>
          <th scope="col" className="num">
            Restarts
          </th>
          <th scope="col" className="num">
            CPU
          </th>
          <th scope="col">Memory</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
    </>
  );
}

/** Which actions make sense in each state Docker reports. */
export function actionsFor(state: string): ContainerAction[] {
  switch (state) {
    case 'running':
    case 'paused':
      return ['restart', 'stop'];
    case 'restarting':
      return ['stop'];
    case 'exited':
    case 'created':
      return ['start'];
    default:
      return [];
  }
}

export const ACTION_LABELS: Record<ContainerAction, { verb: string; doing: string; done: string }> = {
  restart: { verb: 'Restart', doing: 'Restarting…', done: 'restarted' },
  stop: { verb: 'Stop', doing: 'Stopping…', done: 'stopped' },
  start: { verb: 'Start', doing: 'Starting…', done: 'started' },
};

const ACTION_ICONS: Record<ContainerAction, typeof RestartIcon> = {
  restart: RestartIcon,
  stop: StopIcon,
  start: PlayIcon,
};

interface ContainerRowProps {
  container: ContainerSummary;
  /** The service cell, on the first row of its service only; an empty name for ungrouped ones. */
  service: { name: string; span: number } | null;
  now: number;
  pending: PendingAction | undefined;
  actionsDisabled: boolean;
  onAction(container: ContainerSummary, action: ContainerAction): void;
}

function ContainerRow({ container, service, now, pending, actionsDisabled, onAction }: ContainerRowProps) {
  const busy = pending?.containerId === container.id ? pending.action : undefined;
  const running = container.state === 'running';
  const started = container.startedAt ? Date.parse(container.startedAt) : NaN;
  const memoryShare =
    container.memoryBytes !== null && container.memoryLimitBytes
      ? container.memoryBytes / container.memoryLimitBytes
      : null;
  return (
    <tr className={`container-row state-${container.state}`} data-testid={`container-${container.name}`}>
      {service ? (
        <td className="cell-service" rowSpan={service.span}>
          {service.name ? <span className="service-name">{service.name}</span> : <span className="faint">—</span>}
        </td>
      ) : null}
      <td className="cell-container">
        <div className="container-name">
          <span className={`state-dot state-dot-${container.state}`} aria-hidden="true" />
          <span className="container-name-text" title={container.id.slice(0, 12)}>
            {container.name}
          </span>
        </div>
        <div className="container-state">
          <span className="state-word">{container.state}</span>
          {container.health !== 'none' ? (
            <span className={`health health-${container.health}`}>{container.health}</span>
          ) : null}
        </div>
      </td>
      <td className="cell-image">
        <span className="mono" title={container.image}>
          <BreakableImage image={shortImage(container.image)} />
        </span>
      </td>
      <td
        className="cell-uptime"
        title={container.startedAt ? `Started ${formatWhen(container.startedAt, now)}` : undefined}
      >
        {running && !Number.isNaN(started) ? (
          <span className="mono" data-testid="uptime">
            {formatDuration(now - started)}
          </span>
        ) : (
          <span className="faint">—</span>
        )}
      </td>
      <td className={`cell-restarts num ${container.restartCount > 0 ? 'has-restarts' : ''}`}>
        <span className="mono">{container.restartCount}</span>
      </td>
      <td className="cell-cpu num">
        {container.cpuPercent !== null ? (
          <span className="mono">{formatPercent(container.cpuPercent)}</span>
        ) : (
          <span className="faint">—</span>
        )}
      </td>
      <td className="cell-memory">
        {container.memoryBytes !== null ? (
          <div
            className="meter-cell"
            title={memoryShare !== null ? `${formatPercent(memoryShare * 100)} of the limit` : undefined}
          >
            <span className="mono">
              {formatBytes(container.memoryBytes)}
              {container.memoryLimitBytes ? (
                <span className="memory-limit"> / {formatBytes(container.memoryLimitBytes)}</span>
              ) : null}
            </span>
            {memoryShare !== null ? (
              <span className="meter" aria-hidden="true">
                <span
                  className={`meter-fill ${memoryShare > 0.9 ? 'is-high' : memoryShare > 0.7 ? 'is-warm' : ''}`}
                  style={{ width: `${Math.max(2, Math.min(100, memoryShare * 100))}%` }}
                />
              </span>
            ) : null}
          </div>
        ) : (
          <span className="faint">—</span>
        )}
      </td>
      <td className="cell-actions">
        {busy ? (
          <span className="row-progress" role="status">
            <span className="spinner" aria-hidden="true" /> {ACTION_LABELS[busy].doing}
          </span>
        ) : (
          actionsFor(container.state).map((action) => {
            const Icon = ACTION_ICONS[action];
            return (
              <button
                key={action}
                type="button"
                className={`button button-small button-quiet ${action === 'stop' ? 'button-quiet-danger' : ''}`}
                aria-label={`${ACTION_LABELS[action].verb} ${container.name}`}
                disabled={Boolean(pending) || actionsDisabled}
                onClick={() => onAction(container, action)}
              >
                <Icon size={13} /> {ACTION_LABELS[action].verb}
              </button>
            );
          })
        )}
      </td>
    </tr>
  );
}

/** An image name without the default registry parts that say nothing: `docker.io/library/`, `localhost/`. */
export function shortImage(image: string): string {
  return image.replace(/^(docker\.io\/)?library\//, '').replace(/^(docker\.io|localhost)\//, '');
}

/** An image name that wraps after `/` and `:` (between name parts), not inside a word. */
function BreakableImage({ image }: { image: string }) {
  const parts = image.split(/(?<=[/:@])/);
  return (
    <>
      {parts.map((part, index) => (
        <span key={index}>
          {part}
          {index < parts.length - 1 ? <wbr /> : null}
        </span>
      ))}
    </>
  );
}
