/**
 * How a probe stands right now, from its last result and what the scheduler is doing with it.
 *
 * Computed on every read with the clock rather than stored: "stale" is the absence of a result,
 * which no event announces, so a stored status would be wrong exactly when it matters (the app
 * was asleep, the network was off). The order says what the user most needs to see: a run in
 * flight, then a probe the user paused, then one failing with retries left, then the verdict.
 */
import type { Probe, ProbeResult, ProbeStatus } from '../../../shared/model/probe';

export interface StandingFacts {
  probe: Pick<Probe, 'paused' | 'intervalSeconds' | 'slaSeconds'>;
  last: Pick<ProbeResult, 'status' | 'finishedAt'> | null;
  running: boolean;
  /** Failing, waiting out a retry's backoff before the next attempt. */
  retrying: boolean;
  now: number;
}

/** How long a probe may go without a result before it is stale: its SLA, or twice its interval. */
export function slaWindowMs(probe: Pick<Probe, 'intervalSeconds' | 'slaSeconds'>): number {
  return (probe.slaSeconds ?? 2 * probe.intervalSeconds) * 1000;
}

export function probeStatus({ probe, last, running, retrying, now }: StandingFacts): ProbeStatus {
  if (retrying) return 'pending';
  if (running) return 'running';
  if (probe.paused) return 'paused';
  if (!last) return 'never';
  if (now - Date.parse(last.finishedAt) > slaWindowMs(probe)) return 'stale';
  return last.status;
}
