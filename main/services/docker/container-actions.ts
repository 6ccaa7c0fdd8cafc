/**
 * Restart, stop and start a container, each recorded in the audit log with its outcome.
 *
 * On a prod target the caller must pass the container's name as typed by the user. The UI asks
 * for it; checking it here as well means no other client of the API can skip the step.
 */
import { ApiError } from '../../../shared/errors';
import { dockerMessage } from '../../../node/docker/docker-message';
import type { ContainerAction } from '../../../shared/model/docker';
import type { AuditLog } from '../audit/audit-log';
import type { ConnectionManager } from '../connections/connection-manager';
import type { TargetsService } from '../targets/targets-service';

export interface ContainerActionRequest {
  targetId: string;
  containerId: string;
  action: ContainerAction;
  /** The container name, typed by the user; required on prod targets. */
  confirmation?: string | undefined;
}

/** Seconds Docker waits for a graceful stop before killing, as `docker stop` does. */
const STOP_TIMEOUT_S = 10;

export class ContainerActions {
  constructor(
    private readonly targets: TargetsService,
    private readonly connections: ConnectionManager,
    private readonly audit: AuditLog,
  ) {}

  async run({
    targetId,
    containerId,
    action,
    confirmation,
  }: ContainerActionRequest): Promise<{ container: string; message: string }> {
    const target = this.targets.get(targetId);
    const connection = this.connections.connection(targetId);
    try {
      await connection.ready();
    } catch (error) {
      throw new ApiError('unreachable', error instanceof Error ? error.message : String(error));
    }
    const container = connection.docker.getContainer(containerId);
    let name: string;
    try {
      name = (await container.inspect()).Name.replace(/^\//, '');
    } catch {
      throw new ApiError('not-found', `That container no longer exists on ${target.name} — refresh the Overview.`);
    }
    if (target.environment === 'prod' && confirmation !== name) {
      throw new ApiError(
        'confirmation-required',
        `${target.name} is production: type the container name (${name}) to confirm the ${action}.`,
        { confirmation: `Type ${name} to confirm.` },
      );
    }
    const entry = {
      subjectKind: 'container',
      subject: name,
      action,
      target: { id: targetId, name: target.name, environment: target.environment },
    } as const;
    try {
      if (action === 'restart') await container.restart({ t: STOP_TIMEOUT_S });
      else if (action === 'stop') await container.stop({ t: STOP_TIMEOUT_S });
      else await container.start();
    } catch (error) {
      const message = dockerMessage(error);
      const statusCode = (error as { statusCode?: number }).statusCode;
      // 304 means "already in that state": not a failure worth alarming anyone over.
      if (statusCode === 304) {
        const already = `already ${action === 'stop' ? 'stopped' : 'running'}`;
        this.audit.record({ ...entry, outcome: 'ok', detail: { message: already } });
        return { container: name, message: `${name} was ${already}.` };
      }
      this.audit.record({
        ...entry,
        outcome: 'error',
        detail: { message, ...(statusCode !== undefined ? { statusCode } : {}) },
      });
      throw new ApiError('docker', `Docker could not ${action} ${name}: ${message}`);
    }
    const done = action === 'restart' ? 'restarted' : action === 'stop' ? 'stopped' : 'started';
    this.audit.record({ ...entry, outcome: 'ok', detail: { message: done } });
    return { container: name, message: `${name} ${done}.` };
  }
}
