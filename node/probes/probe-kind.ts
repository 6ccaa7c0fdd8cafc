/**
 * One kind of check (`http`, `tls`, `docker` …): a small module behind this interface.
 *
 * A kind makes the check and reports what it saw as placeholder values (`STATUS`, `BODY`,
 * `RESPONSE_TIME` … as Gatus names them, see shared/probe-conditions.ts); it does not judge them.
 * The engine (probe-engine.ts) evaluates the probe's conditions against those values, redacts,
 * caps and stores. A kind never reads the keychain or a target itself: everything from outside
 * comes through the context, so the app and the agent can each supply their own.
 */
import type Docker from 'dockerode';
import type { Clock } from '../clock';
import type { ProbeKind, ProbeMetadata } from '../../shared/model/probe';

/** A file a run produced (a response body, an image, a certificate chain), before it is stored. */
export interface ArtifactData {
  name: string;
  contentType: string;
  data: Buffer;
  /** The run produced more than the cap: `data` is the start of it. */
  truncated: boolean;
}

/**
 * What the check saw, by placeholder name without brackets: `STATUS`, `RESPONSE_TIME` (ms),
 * `BODY` (text, capped), `HEADERS` (lower-case names), `CONNECTED`, `IP`, `CERTIFICATE_EXPIRATION`
 * (ms left), `DNS_RCODE`, and kind-specific ones (`HEALTH`, `RESTARTS`, `RATE_LIMIT_REMAINING` …).
 */
export type PlaceholderValues = Record<string, unknown>;

export interface KindOutcome {
  values: PlaceholderValues;
  metadata: ProbeMetadata;
  artifacts: ArtifactData[];
  /**
   * Set when the check could not be made at all (refused, unreachable, bad credentials): one
   * sentence. The run fails with it whatever the conditions say.
   */
  error?: string;
}

/** A command run on a docker-ssh target's host through its pinned-key connection. */
export interface SshExecResult {
  exitCode: number | null;
  output: string;
  truncated: boolean;
}

/** What a run may use. Capabilities a host does not have throw an ApiError saying so. */
export interface ProbeRunContext {
  signal: AbortSignal;
  clock: Clock;
  /** The value of one of the probe's secret slots; throws a clear error when unset or locked. */
  secret(slot: string): Promise<string>;
  /** A dockerode client for a Docker target, over its existing connection. */
  docker(targetId: string): Promise<Docker>;
  /** Runs a command on a docker-ssh target's host; output capped at `outputCap` bytes. */
  sshExec(targetId: string, command: string, outputCap: number, signal: AbortSignal): Promise<SshExecResult>;
  /** An ops-API target's context (the `/api/ops/context` reply). */
  opsContext(targetId: string, signal: AbortSignal): Promise<unknown>;
  /** What this probe's last finished run saw (for "restarts since the last run"); null on the first. */
  previousValues: PlaceholderValues | null;
}

export interface ProbeKindModule<S = unknown> {
  kind: ProbeKind;
  /** Runs the check once. Honour `ctx.signal`: abort ends the run promptly. */
  run(settings: S, ctx: ProbeRunContext): Promise<KindOutcome>;
  /**
   * True when the kind reads `ctx.previousValues`: the app then keeps each run's values on disk,
   * so the first run after a restart still has the last run's to compare with.
   */
  comparesWithPrevious?: boolean;
}
