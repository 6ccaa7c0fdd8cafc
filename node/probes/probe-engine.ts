/**
 * Runs one probe once: secrets filled in, the kind's check made under a timeout, retried with
 * backoff, judged by the probe's conditions, and everything it produced redacted and capped.
 *
 * The engine is the one place a probe's secret values exist in the clear, so it is also the place
 * that makes sure none leaves: every value read (through `{{secret.NAME}}` in the settings or a
 * kind's own `ctx.secret`) is redacted from the error, the metadata, each condition's observed
 * value and reason, the artifacts and the values kept for the next run. Redaction comes before any
 * cut, so a secret across a cut cannot leave its first characters behind.
 *
 * It never throws: a kind that throws, hangs or is missing, a secret that cannot be read and a
 * cancelled run each end as a `fail` outcome with one sentence saying what happened.
 */
import type Docker from 'dockerode';
import { anySignal, untilAborted } from '../abort';
import { delay, type Clock } from '../clock';
import { REDACTED, Redactor } from '../redact/redactor';
import { backoffDelay, type BackoffOptions } from '../../shared/backoff';
import { ApiError } from '../../shared/errors';
import {
  DEFAULT_ARTIFACT_CAP,
  type ConditionOutcome,
  type ProbeCondition,
  type ProbeKind,
  type ProbeMetadata,
  type ProbeResult,
  type ProbeTrigger,
  type ResultStatus,
} from '../../shared/model/probe';
import { evaluateConditions, resultStatus } from '../../shared/probe-conditions';
import { kindModule, type ProbeKindRegistry } from './kinds';
import type { ArtifactData, KindOutcome, PlaceholderValues, ProbeKindModule, ProbeRunContext } from './probe-kind';
import { fillSecrets, secretForms, secretSlotsIn } from './secret-template';

/** What the engine needs of a probe: its check and how to judge and retry it. */
export interface EngineProbe {
  kind: ProbeKind;
  /** Already parsed by the kind's schema; may hold `{{secret.NAME}}` in its strings. */
  settings: unknown;
  conditions: readonly ProbeCondition[];
  timeoutSeconds: number;
  /** Extra attempts after a failed one. */
  retries: number;
}

/**
 * What the host lends a run: the keychain, Docker, SSH and ops-API connections. `docker` is given
 * the attempt's signal, so a timeout also ends a wait for the connection.
 */
export type ProbeCapabilities = Pick<ProbeRunContext, 'secret' | 'sshExec' | 'opsContext'> & {
  docker(targetId: string, signal?: AbortSignal): Promise<Docker>;
};

export interface EngineDeps {
  kinds: ProbeKindRegistry;
  capabilities: ProbeCapabilities;
  clock: Clock;
  /** Cancels the whole run (app shutting down, probe deleted); the outcome says `cancelled`. */
  signal?: AbortSignal;
  /** What the probe's previous run saw (its outcome's `values`); null on the first. */
  previousValues?: PlaceholderValues | null;
  /** Bytes kept per artifact; more is cut and marked truncated. */
  artifactCap?: number;
  /** Waits between attempts; `random` fixed makes them exact (tests). */
  backoff?: BackoffOptions;
  /** An attempt failed and another follows after `waitMs`: the app shows the probe as pending. */
  onRetry?: (failedAttempts: number, waitMs: number) => void;
}

export interface EngineOutcome {
  status: ResultStatus;
  /** One sentence when the check could not be made or a condition failed; null when ok. */
  error: string | null;
  /** Attempts made: 1 + the retries used. */
  attempts: number;
  conditions: ConditionOutcome[];
  metadata: ProbeMetadata;
  artifacts: ArtifactData[];
  /** The last attempt's values, redacted, without the body or other large values: the next run's `previousValues`. */
  values: PlaceholderValues;
  /** The run was cancelled through `deps.signal`: it proves nothing either way. */
  cancelled: boolean;
  /** The first attempt's start. */
  startedAtMs: number;
  finishedAtMs: number;
  /** The last attempt's own duration (what latency charts want), backoff waits not included. */
  durationMs: number;
}

/** Between attempts: 2 s, 4 s, 8 s … up to 30 s, with jitter. */
export const DEFAULT_PROBE_BACKOFF: BackoffOptions = { initialMs: 2_000, maxMs: 30_000 };

/** Text fields of an outcome are kept to these many characters, after redaction. */
const ERROR_MAX = 1_000;
const METADATA_MAX = 2_000;
const OBSERVED_MAX = 1_000;
/** A value kept for the next run larger than this (as JSON) is left out: it is history, not state. */
const KEPT_VALUE_MAX = 4_096;
/** Values the redactor leaves alone (it would blank ordinary words); see node/redact/redactor.ts. */
const MIN_SECRET_LENGTH = 6;

export const CANCELLED_MESSAGE = 'The run was cancelled.';

/** One attempt as it came out of the kind, before redaction. */
interface Attempt {
  status: ResultStatus;
  error: string | null;
  conditions: ConditionOutcome[];
  outcome: KindOutcome;
  durationMs: number;
  cancelled: boolean;
}

/** Runs `probe` once (with its retries) and returns what it found, redacted. Never throws. */
export async function runProbe(probe: EngineProbe, deps: EngineDeps): Promise<EngineOutcome> {
  const { clock } = deps;
  const startedAtMs = clock.now();
  const read = new Map<string, string>();
  const secret = async (slot: string): Promise<string> => {
    const known = read.get(slot);
    if (known !== undefined) return known;
    const value = await deps.capabilities.secret(slot);
    read.set(slot, value);
    return value;
  };

  let attempts = 0;
  let last: Attempt;
  try {
    const module = kindModule(deps.kinds, probe.kind);
    // Secrets are read once per run, before the first attempt: a locked keychain fails the run
    // at once with its own message rather than being retried.
    const settings = await untilAborted(fillSettings(probe.settings, secret), deps.signal);
    for (;;) {
      attempts++;
      last = await attempt(probe, module, settings, { ...deps, secret });
      if (last.status !== 'fail' || last.cancelled || attempts > probe.retries) break;
      const waitMs = backoffDelay(attempts - 1, deps.backoff ?? DEFAULT_PROBE_BACKOFF);
      try {
        deps.onRetry?.(attempts, waitMs);
      } catch {
        // A listener's failure is not the probe's: the retry goes ahead.
      }
      try {
        await delay(clock, waitMs, deps.signal);
      } catch {
        last = { ...last, error: CANCELLED_MESSAGE, cancelled: true };
        break;
      }
    }
  } catch (error) {
    // Only the set-up can land here (a missing kind, a secret that cannot be read, a cancel while
    // reading it): attempts themselves catch everything.
    const cancelled = deps.signal?.aborted === true;
    attempts = Math.max(1, attempts);
    last = {
      status: 'fail',
      error: cancelled ? CANCELLED_MESSAGE : sentence(error),
      conditions: [],
      outcome: emptyOutcome(),
      durationMs: 0,
      cancelled,
    };
  }
  return finish(last, attempts, startedAtMs, clock.now(), [...read.values()], deps.artifactCap ?? DEFAULT_ARTIFACT_CAP);
}

/** `settings` with every `{{secret.NAME}}` filled in through `secret`. */
async function fillSettings(settings: unknown, secret: (slot: string) => Promise<string>): Promise<unknown> {
  const values = new Map<string, string>();
  for (const slot of secretSlotsIn(settings)) values.set(slot, await secret(slot));
  return values.size ? fillSecrets(settings, values) : settings;
}

/** One try of the kind's check under the probe's timeout, judged by its conditions. */
async function attempt(
  probe: EngineProbe,
  module: ProbeKindModule,
  settings: unknown,
  deps: EngineDeps & { secret: (slot: string) => Promise<string> },
): Promise<Attempt> {
  const { clock } = deps;
  const timeout = new AbortController();
  const timeoutMessage = `No answer within ${probe.timeoutSeconds} s.`;
  const timer = clock.setTimeout(() => timeout.abort(new ApiError('unreachable', timeoutMessage)), probe.timeoutSeconds * 1_000);
  const signal = anySignal(deps.signal, timeout.signal)!;
  const started = clock.now();
  let outcome: KindOutcome = emptyOutcome();
  let error: string | null = null;
  let cancelled = false;
  try {
    const context: ProbeRunContext = {
      signal,
      clock,
      secret: deps.secret,
      docker: (targetId) => deps.capabilities.docker(targetId, signal),
      sshExec: (targetId, command, outputCap, callSignal) => deps.capabilities.sshExec(targetId, command, outputCap, callSignal),
      opsContext: (targetId, callSignal) => deps.capabilities.opsContext(targetId, callSignal),
      previousValues: deps.previousValues ?? null,
    };
    // Raced against the signal so a kind that ignores it still cannot hold the run past its timeout.
    outcome = normalise(await untilAborted(Promise.resolve().then(() => module.run(settings, context)), signal));
    error = outcome.error ?? null;
  } catch (thrown) {
    if (deps.signal?.aborted) {
      cancelled = true;
      error = CANCELLED_MESSAGE;
    } else if (timeout.signal.aborted) {
      error = timeoutMessage;
    } else {
      error = sentence(thrown, probe.kind);
    }
  } finally {
    clock.clearTimeout(timer);
  }
  const durationMs = clock.now() - started;
  const values: PlaceholderValues = { ...outcome.values };
  values.RESPONSE_TIME ??= durationMs;
  outcome = { ...outcome, values };

  let conditions: ConditionOutcome[] = [];
  try {
    conditions = evaluateConditions([...probe.conditions], values, { now: clock.now() });
  } catch (thrown) {
    error ??= `The conditions could not be checked: ${sentence(thrown)}`;
  }
  const status = cancelled ? 'fail' : resultStatus(conditions, error);
  return { status, error, conditions, outcome, durationMs, cancelled };
}

/** The outcome as it leaves the engine: every text redacted then cut, artifacts capped. */
function finish(last: Attempt, attempts: number, startedAtMs: number, finishedAtMs: number, secrets: string[], cap: number): EngineOutcome {
  const forms = secrets.flatMap(secretForms).filter((form) => form.length >= MIN_SECRET_LENGTH);
  const redactor = new Redactor(forms);
  const conditions = last.conditions.map((condition) => ({
      expression: redactor.text(condition.expression),
      severity: condition.severity,
      passed: condition.passed,
      observed: condition.observed === null ? null : redactor.textCut(withoutCutSecret(condition.observed, forms), OBSERVED_MAX),
      reason: condition.reason === null ? null : redactor.textCut(withoutCutSecret(condition.reason, forms), OBSERVED_MAX),
  }));
  // Without an error of its own, a run that is not ok says which condition decided it, from the
  // redacted outcomes: the raw ones may hold a secret's start before a cut.
  const error = last.status === 'ok' ? null : (last.error ?? conditionMessage(conditions, last.status));
  return {
    status: last.status,
    error: error === null ? null : redactor.textCut(error, ERROR_MAX),
    attempts,
    conditions,
    metadata: redactMetadata(last.outcome.metadata, redactor),
    artifacts: last.outcome.artifacts.map((artifact) => redactArtifact(artifact, redactor, forms, cap)),
    values: keptValues(last.outcome.values, redactor),
    cancelled: last.cancelled,
    startedAtMs,
    finishedAtMs,
    durationMs: last.durationMs,
  };
}

function redactMetadata(metadata: ProbeMetadata, redactor: Redactor): ProbeMetadata {
  const out: ProbeMetadata = {};
  for (const [key, value] of Object.entries(metadata)) {
    const name = redactor.textCut(key, 100);
    if (typeof value === 'string') out[name] = redactor.textCut(value, METADATA_MAX);
    else if (typeof value === 'number' || typeof value === 'boolean' || value === null) out[name] = value;
    // A kind that put something else here still gets it shown, as text.
    else out[name] = redactor.textCut(safeJson(value) ?? String(value), METADATA_MAX);
  }
  return out;
}

/** Values worth keeping for the next run: redacted, without the body or anything large. */
function keptValues(values: PlaceholderValues, redactor: Redactor): PlaceholderValues {
  const out: PlaceholderValues = {};
  for (const [key, value] of Object.entries(values)) {
    if (key === 'BODY' || value === undefined || typeof value === 'function') continue;
    const json = safeJson(value);
    if (json === null || json.length > KEPT_VALUE_MAX) continue;
    out[key] = redactor.deep(JSON.parse(json) as unknown);
  }
  return out;
}

const TEXT_TYPE = /^text\/|[/+](json|xml|yaml|x-yaml|javascript|x-www-form-urlencoded|csv)\b/i;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `artifact` without any secret and at most `cap` bytes. Text in UTF-8 goes through the redactor
 * (which also knows secrets by their shape); anything else (an image, text in another encoding)
 * has only the exact bytes of a secret replaced, so an image without one is kept byte for byte.
 */
function redactArtifact(artifact: ArtifactData, redactor: Redactor, forms: string[], cap: number): ArtifactData {
  let data = artifact.data;
  let truncated = artifact.truncated;
  // The kind cut it already: a secret across that cut left its first characters at the end.
  if (truncated) data = data.subarray(0, data.length - secretPrefixAtEnd(data, forms));
  const text = TEXT_TYPE.test(artifact.contentType) ? utf8(data) : null;
  data = text === null ? replaceBytes(data, forms) : Buffer.from(redactor.text(text), 'utf8');
  if (data.length > cap) {
    data = data.subarray(0, text === null ? cap : textCutEnd(data, cap));
    truncated = true;
  }
  return { name: artifact.name, contentType: artifact.contentType, data, truncated };
}

function utf8(data: Buffer): string | null {
  try {
    return UTF8.decode(data);
  } catch {
    return null;
  }
}

/**
 * `text` as shortened upstream (the conditions cut a long observed value and add `…`) without the
 * start of a secret the cut left just before the `…`: redacting after that cut cannot catch it.
 */
function withoutCutSecret(text: string, forms: string[]): string {
  if (!text.endsWith('…')) return text;
  const body = Buffer.from(text.slice(0, -1), 'utf8');
  const keep = body.length - secretPrefixAtEnd(body, forms);
  return keep === body.length ? text : `${body.subarray(0, keep).toString('utf8')}…`;
}

/** How many bytes at the end of `data` are the start of one of `forms` (the longest such start). */
function secretPrefixAtEnd(data: Buffer, forms: string[]): number {
  let longest = 0;
  for (const form of forms) {
    const bytes = Buffer.from(form, 'utf8');
    for (let length = Math.min(bytes.length - 1, data.length); length > longest; length--) {
      if (data.subarray(data.length - length).equals(bytes.subarray(0, length))) {
        longest = length;
        break;
      }
    }
  }
  return longest;
}

/** `data` with each exact occurrence of a form's UTF-8 bytes replaced by the marker. */
function replaceBytes(data: Buffer, forms: string[]): Buffer {
  let out = data;
  // Longest first, as the redactor does, so a secret that contains another goes whole.
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    const needle = Buffer.from(form, 'utf8');
    let at = out.indexOf(needle);
    if (at < 0) continue;
    const parts: Buffer[] = [];
    let from = 0;
    while (at >= 0) {
      parts.push(out.subarray(from, at), Buffer.from(REDACTED));
      from = at + needle.length;
      at = out.indexOf(needle, from);
    }
    parts.push(out.subarray(from));
    out = Buffer.concat(parts);
  }
  return out;
}

/** Where to cut UTF-8 `data` to keep at most `cap` bytes: never inside a marker or a character. */
function textCutEnd(data: Buffer, cap: number): number {
  let end = cap;
  const marker = data.lastIndexOf(REDACTED, end - 1);
  if (marker >= 0 && marker + REDACTED.length > end) end = marker;
  while (end > 0 && (data[end]! & 0xc0) === 0x80) end--;
  return end;
}

/** Why the run is not ok when no error said so: the first failed condition that decided it. */
function conditionMessage(conditions: ConditionOutcome[], status: ResultStatus): string {
  const failed = conditions.find((c) => !c.passed && c.severity === status) ?? conditions.find((c) => !c.passed);
  if (!failed) return status === 'warn' ? 'A warning condition failed.' : 'The check failed.';
  const saw = failed.reason ?? (failed.observed === null ? 'no value' : failed.observed);
  return `${failed.expression} failed (${trimStop(saw)}).`;
}

/** A kind's outcome with every field present, whatever the kind returned. */
function normalise(outcome: Partial<KindOutcome> | undefined): KindOutcome {
  const values = outcome?.values && typeof outcome.values === 'object' ? outcome.values : {};
  const metadata = outcome?.metadata && typeof outcome.metadata === 'object' ? outcome.metadata : {};
  const artifacts = Array.isArray(outcome?.artifacts) ? outcome.artifacts.filter((a) => Buffer.isBuffer(a?.data)) : [];
  const error = typeof outcome?.error === 'string' && outcome.error.trim() ? outcome.error : undefined;
  return { values, metadata, artifacts, ...(error ? { error } : {}) };
}

function emptyOutcome(): KindOutcome {
  return { values: {}, metadata: {}, artifacts: [] };
}

/** An error as one sentence: an ApiError's own; anything else prefixed with the check it came from. */
function sentence(error: unknown, kind?: ProbeKind): string {
  if (error instanceof ApiError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  const text = trimStop(message.trim() || 'an unexpected error');
  return kind ? `The ${kind} check failed: ${text}.` : `${text}.`;
}

function trimStop(text: string): string {
  return text.replace(/[.\s]+$/, '');
}

function safeJson(value: unknown): string | null {
  try {
    return JSON.stringify(value) ?? null;
  } catch {
    return null;
  }
}

/** What a finished run is stored as (the app and the agent store it alike). */
export function resultOf(probeId: string, trigger: ProbeTrigger, outcome: EngineOutcome): Omit<ProbeResult, 'id' | 'artifacts'> {
  return {
    probeId,
    status: outcome.status,
    trigger,
    startedAt: new Date(outcome.startedAtMs).toISOString(),
    finishedAt: new Date(outcome.finishedAtMs).toISOString(),
    durationMs: outcome.durationMs,
    error: outcome.error,
    attempts: outcome.attempts,
    conditions: outcome.conditions,
    metadata: outcome.metadata,
    maintenance: false,
    interrupted: outcome.cancelled,
  };
}
