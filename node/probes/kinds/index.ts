/**
 * The kinds of check this build can make, by kind name: the registry the engine runs from.
 *
 * Each kind is its own module in this folder; adding one is an import and a line below. A kind
 * missing from a build (the agent may leave some out) is not an error until a probe of that kind
 * runs, and then the run fails saying so instead of the process crashing.
 */
import { ApiError } from '../../../shared/errors';
import type { ProbeKind } from '../../../shared/model/probe';
import type { ProbeKindModule } from '../probe-kind';
import { dockerKind } from './docker';
import { sshKind } from './ssh';
import { opsApiKind } from './ops-api';
import { httpKind } from './http';
import { tlsKind } from './tls';
import { tcpKind } from './tcp';
import { dnsKind } from './dns';
import { githubKind } from './github';
import { s3Kind } from './s3';

/** Kind modules by name; a kind a build leaves out is simply absent. */
export type ProbeKindRegistry = Partial<Record<ProbeKind, ProbeKindModule>>;

export const PROBE_KIND_MODULES: ProbeKindRegistry = {
  // One line per kind module, e.g. `http: httpKind,`.
  docker: dockerKind,
  ssh: sshKind,
  'ops-api': opsApiKind,
  http: httpKind,
  tls: tlsKind,
  tcp: tcpKind,
  dns: dnsKind,
  github: githubKind,
  s3: s3Kind,
};

/** The module for `kind`; throws a one-sentence error when this build does not have it. */
export function kindModule(registry: ProbeKindRegistry, kind: ProbeKind): ProbeKindModule {
  const module = registry[kind];
  if (!module) throw new ApiError('not-found', `The ${kind} check is not available in this build.`);
  return module;
}
