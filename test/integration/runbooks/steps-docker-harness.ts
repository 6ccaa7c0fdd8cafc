/**
 * A small StepContext for step tests: the services are the real ones (createServices on a temporary
 * data directory); the harness only collects what a step reports — its events, output lines and
 * facts — into arrays, as the executor would persist them.
 */
import { systemClock, type Clock } from '../../../node/clock';
import type { Services } from '../../../main/services';
import type { StepContext, StepServices } from '../../../main/services/runbooks/step-kind';
import type { RunArtifact } from '../../../shared/model/runbook';
import { waitForState, type DockerFixture } from '../../support/docker-fixture';
import { BUSYBOX_IMAGE } from '../../support/podman';

export interface StepRecord {
  context: StepContext;
  abort: AbortController;
  logs: { level: string; message: string; data?: Record<string, unknown> }[];
  lines: string[];
  facts: { key: string; label: string; value: string }[];
}

export function stepContext(
  services: Services,
  targetId: string | null,
  options: { clock?: Clock; outputs?: Record<string, Record<string, unknown>> } = {},
): StepRecord {
  const abort = new AbortController();
  const record: Omit<StepRecord, 'context'> = { abort, logs: [], lines: [], facts: [] };
  const artifacts = new Map<string, Buffer>();
  const stepServices: StepServices = {
    targets: services.targets,
    connections: services.connections,
    overview: services.overview,
    opsApi: services.opsApi,
    logs: services.logs,
    probes: services.probes,
    hostProbes: services.hostProbes,
    credentials: services.credentials,
    audit: services.audit,
    secret: () => Promise.resolve(null),
  };
  const context: StepContext = {
    runId: 'run-test',
    stepId: 'step',
    target: targetId ? services.targets.get(targetId) : null,
    inputs: {},
    signal: abort.signal,
    clock: options.clock ?? systemClock,
    services: stepServices,
    log: (level, message, data) => record.logs.push({ level, message, ...(data ? { data } : {}) }),
    output: (line) => record.lines.push(line),
    writeArtifact: (name, contentType, content): RunArtifact => {
      const data = Buffer.from(content);
      artifacts.set(name, data);
      return { id: name, name, contentType, bytes: data.length, step: 'step', createdAt: new Date().toISOString() };
    },
    readArtifact: (name) => artifacts.get(name) ?? null,
    fact: (key, label, value) => record.facts.push({ key, label, value }),
    outputs: options.outputs ?? {},
  };
  return { ...record, context };
}

/** A docker-ssh target against the fixture's podman, its host key trusted and its connection up. */
export async function trustedSshTarget(fx: DockerFixture, name = 'staging-1'): Promise<string> {
  const target = await fx.services.targets.create({
    name,
    environment: 'staging',
    kind: 'docker-ssh',
    settings: { host: '127.0.0.1', port: fx.sshd.port, username: 'root', socketPath: fx.podman.socketPath },
    secrets: { privateKey: fx.sshd.clientPrivateKey },
  });
  fx.services.connections.connection(target.id);
  await waitForState(fx.services, target.id, (s) => s.status === 'untrusted-host-key');
  fx.services.connections.trustHostKey(target.id, await fx.sshd.hostKeyFingerprint());
  await waitForState(fx.services, target.id, (s) => s.status === 'connected');
  return target.id;
}

/**
 * The shop's backend image in two versions (and one that cannot start), made from the fixture's
 * busybox with `podman commit`: each carries its own revision label and VERSION variable, as a
 * CI-built image would.
 */
export async function backendImages(fx: DockerFixture): Promise<void> {
  await fx.podman.cli(['create', '--name', 'image-source', BUSYBOX_IMAGE, 'true']);
  const commit = (tag: string, changes: string[]) =>
    fx.podman.cli(['commit', ...changes.flatMap((c) => ['--change', c]), 'image-source', `localhost/shop/backend:${tag}`]);
  await commit('v1', ['LABEL org.opencontainers.image.revision=rev-1', 'ENV VERSION=1', 'CMD ["/bin/sh"]']);
  await commit('v2', ['LABEL org.opencontainers.image.revision=rev-2', 'ENV VERSION=2', 'CMD ["/bin/sh"]']);
  await commit('broken', ['LABEL org.opencontainers.image.revision=rev-broken', 'ENTRYPOINT ["/bin/no-such-program"]', 'CMD ["/bin/sh"]']);
  await fx.podman.cli(['rm', 'image-source']);
}
