/**
 * The outcome of a run that could not reach what it checks (refused, unreachable, locked out):
 * `CONNECTED` false and one sentence as the run's error. A cancellation is not an outcome: it is
 * thrown on, so the run ends as cancelled rather than as a failed check.
 */
import type { ProbeMetadata } from '../../../shared/model/probe';
import { isAbort } from '../../abort';
import type { KindOutcome, PlaceholderValues } from '../probe-kind';

export function notConnected(
  error: unknown,
  signal: AbortSignal,
  sentence: string,
  more: { values?: PlaceholderValues; metadata?: ProbeMetadata } = {},
): KindOutcome {
  if (isAbort(error) || signal.aborted) throw error;
  return {
    values: { CONNECTED: false, ...more.values },
    metadata: more.metadata ?? {},
    artifacts: [],
    error: sentence,
  };
}

/** An error's own message, for a failure that already says what went wrong. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
