/**
 * The Docker Engine calls the docker and wait steps make, each aborting its HTTP request with the
 * step's signal (dockerode hands `abortSignal` to docker-modem; its typings leave it out, so the
 * casts live here), and an image pull whose progress is reported as it streams.
 */
import type Docker from 'dockerode';
import type { ContainerInspectInfo, ImageInspectInfo } from 'dockerode';
import { abortReason } from '../../../../node/abort';

type Signal = AbortSignal | undefined;
const withSignal = <T extends object>(options: T, abortSignal: Signal) => ({ ...options, abortSignal }) as T;

export function inspectContainer(docker: Docker, id: string, signal: Signal): Promise<ContainerInspectInfo> {
  return docker.getContainer(id).inspect(withSignal({}, signal));
}

/** The image's inspect, or null when the engine does not have it. */
export async function inspectImage(docker: Docker, reference: string, signal: Signal): Promise<ImageInspectInfo | null> {
  try {
    const image = docker.getImage(reference) as unknown as { inspect(options: object): Promise<ImageInspectInfo> };
    return await image.inspect(withSignal({}, signal));
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return null;
    throw error;
  }
}

export interface PullProgress {
  status?: string;
  id?: string;
  progress?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Pulls `reference` (POST /images/create), calling `onProgress` for each progress message as it
 * arrives; rejects with the engine's own error, which arrives in the stream rather than as a status.
 */
export async function pullImage(docker: Docker, reference: string, signal: Signal, onProgress: (event: PullProgress) => void): Promise<void> {
  const stream = (await docker.pull(reference, withSignal({}, signal))) as NodeJS.ReadableStream;
  await new Promise<void>((resolve, reject) => {
    let buffer = '';
    let failure: string | undefined;
    const onLine = (line: string) => {
      if (!line.trim()) return;
      let event: PullProgress;
      try {
        event = JSON.parse(line) as PullProgress;
      } catch {
        return; // a garbled line is skipped; the pull's outcome still arrives
      }
      if (event.error || event.errorDetail?.message) failure = event.errorDetail?.message ?? event.error;
      else onProgress(event);
    };
    stream.on('data', (chunk: Buffer | string) => {
      buffer += chunk.toString();
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        onLine(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
      }
    });
    stream.once('error', (error: Error) => reject(signal?.aborted ? abortReason(signal) : error));
    stream.once('end', () => {
      onLine(buffer);
      if (failure) reject(new Error(failure));
      else resolve();
    });
  });
}

/** Stops with Docker's own grace period; "already stopped" (304) is not a failure. */
export async function stopContainer(docker: Docker, id: string, signal: Signal): Promise<void> {
  try {
    await docker.getContainer(id).stop(withSignal({ t: STOP_TIMEOUT_S }, signal));
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 304) throw error;
  }
}

export async function startContainer(docker: Docker, id: string, signal: Signal): Promise<void> {
  try {
    await docker.getContainer(id).start(withSignal({}, signal));
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 304) throw error;
  }
}

export function restartContainer(docker: Docker, id: string, signal: Signal): Promise<unknown> {
  return docker.getContainer(id).restart(withSignal({ t: STOP_TIMEOUT_S }, signal));
}

export function renameContainer(docker: Docker, id: string, name: string, signal: Signal): Promise<unknown> {
  return docker.getContainer(id).rename(withSignal({ name }, signal));
}

export function removeContainer(docker: Docker, id: string, force: boolean, signal: Signal): Promise<unknown> {
  // Volumes stay: an anonymous volume of the old container may hold the only copy of its data.
  return docker.getContainer(id).remove(withSignal({ force, v: false }, signal));
}

export async function createContainer(docker: Docker, name: string, body: Record<string, unknown>, signal: Signal): Promise<string> {
  // `_query`/`_body` keep the configuration in the request body and only the name in the URL.
  const container = await docker.createContainer(withSignal({ _query: { name }, _body: body } as unknown as Docker.ContainerCreateOptions, signal));
  return container.id;
}

export function connectNetwork(docker: Docker, network: string, containerId: string, endpoint: Record<string, unknown>, signal: Signal): Promise<unknown> {
  const handle = docker.getNetwork(network) as unknown as { connect(options: object): Promise<unknown> };
  return handle.connect(withSignal({ Container: containerId, EndpointConfig: endpoint }, signal));
}

/** Seconds Docker waits for a graceful stop before killing, as `docker stop` does. */
export const STOP_TIMEOUT_S = 10;
