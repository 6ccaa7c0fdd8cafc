/**
 * The dockerode calls whose typings leave out `abortSignal`.
 *
 * dockerode hands `abortSignal` from the options of every call to docker-modem, which aborts
 * the HTTP request (and destroys a response being read); @types/dockerode only declares it for
 * some of them. These wrappers keep the one cast in one place.
 */
import type Docker from 'dockerode';

interface Abortable {
  abortSignal?: AbortSignal | undefined;
}

type EngineCalls = {
  ping(options: Abortable): Promise<unknown>;
  version(options: Abortable): Promise<Docker.DockerVersion>;
  info(options: Abortable): Promise<Record<string, unknown>>;
};

export function ping(docker: Docker, abortSignal?: AbortSignal): Promise<unknown> {
  return (docker as unknown as EngineCalls).ping({ abortSignal });
}

export function version(docker: Docker, abortSignal?: AbortSignal): Promise<Docker.DockerVersion> {
  return (docker as unknown as EngineCalls).version({ abortSignal });
}

export function info(docker: Docker, abortSignal?: AbortSignal): Promise<Record<string, unknown>> {
  return (docker as unknown as EngineCalls).info({ abortSignal });
}

/** One stats reading (not a stream). */
export function statsOnce(container: Docker.Container, abortSignal?: AbortSignal): Promise<Docker.ContainerStats> {
  return (container as unknown as { stats(options: Abortable & { stream: false }): Promise<Docker.ContainerStats> }).stats({
    stream: false,
    abortSignal,
  });
}
