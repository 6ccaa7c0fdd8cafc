/**
 * The Docker engine of a step's target, through the connection the rest of the app keeps for it
 * (one SSH handshake per host, the pinned host key): shared by the docker, wait and ssh steps.
 */
import type Docker from 'dockerode';
import type { Target } from '../../../../shared/model/target';
import { untilAborted } from '../../../../node/abort';
import { SshDockerConnection } from '../../connections/docker-connection';
import { StepFailure, type StepContext } from '../step-kind';

/** The step's target, which a docker or ssh step cannot do without. */
export function requireTarget(context: StepContext, kind: string): Target {
  if (!context.target) {
    throw new StepFailure(`The ${kind} step has no target — set target: on the step or on the runbook.`);
  }
  return context.target;
}

/** The target's Docker engine, once its connection is up; aborts with the step. */
export async function dockerOf(context: StepContext, kind = 'docker'): Promise<{ target: Target; docker: Docker }> {
  const target = requireTarget(context, kind);
  if (target.kind === 'ops-api') {
    throw new StepFailure(`${target.name} is an ops API target; ${kind} steps need a Docker target.`);
  }
  const connection = context.services.connections.connection(target.id);
  try {
    await untilAborted(connection.ready(), context.signal);
  } catch (error) {
    if (context.signal.aborted) throw error;
    throw new StepFailure(`${target.name} cannot be reached: ${messageOf(error)}`);
  }
  return { target, docker: connection.docker };
}

/** The SSH connection of a docker-ssh target, for commands on the host itself. */
export async function sshOf(context: StepContext): Promise<{ target: Target; connection: SshDockerConnection }> {
  const target = requireTarget(context, 'ssh');
  if (target.kind !== 'docker-ssh') {
    const what = target.kind === 'ops-api' ? 'an ops API target' : 'a local Docker target';
    throw new StepFailure(`${target.name} is ${what}; ssh steps need a Docker-over-SSH target, whose host runs the command.`);
  }
  const connection = context.services.connections.connection(target.id);
  // The manager makes an SSH connection for every docker-ssh target; anything else is a bug.
  if (!(connection instanceof SshDockerConnection)) {
    throw new StepFailure(`${target.name} has no SSH connection — reconnect it and try again.`);
  }
  return { target, connection };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
