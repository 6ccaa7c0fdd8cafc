/**
 * How a probe stands, as the Integrations screen shows it: a status with its words (never colour
 * alone), the SLA window that makes a result stale, uptimes and latencies as people read them.
 */
import type { Probe, ProbeStatus, ProbeSummary, ResultStatus } from '../../../../shared/model/probe';

export const STATUS_LABELS: Record<ProbeStatus, string> = {
  ok: 'OK',
  warn: 'Warning',
  fail: 'Failing',
  stale: 'Stale',
  pending: 'Retrying',
  running: 'Running',
  paused: 'Paused',
  never: 'Never run',
};

export const STATUS_HINTS: Record<ProbeStatus, string> = {
  ok: 'The last run passed every condition.',
  warn: 'The last run failed a warn-level condition.',
  fail: 'The last run failed, or the check could not be made.',
  stale: 'No result within the probe’s SLA window.',
  pending: 'Failing; retries are not used up yet.',
  running: 'A run is in progress.',
  paused: 'Paused: it runs only when asked.',
  never: 'No result yet.',
};

export const RESULT_LABELS: Record<ResultStatus, string> = { ok: 'OK', warn: 'Warning', fail: 'Failed' };

/** Seconds without a result after which the probe is stale: its SLA, or twice its interval. */
export function slaSecondsOf(probe: Probe): number {
  return probe.slaSeconds ?? probe.intervalSeconds * 2;
}

/** Milliseconds since the newest result finished; undefined without one. */
export function ageOfLastResult(summary: ProbeSummary, now: number): number | undefined {
  const finished = summary.lastResult ? Date.parse(summary.lastResult.finishedAt) : Number.NaN;
  return Number.isNaN(finished) ? undefined : Math.max(0, now - finished);
}

/**
 * The status to show now. Main judges staleness when it sends a summary; the SLA may pass
 * between two summaries, so the screen judges it again on its own clock.
 */
export function effectiveStatus(summary: ProbeSummary, now: number): ProbeStatus {
  if (summary.running || summary.status === 'running') return 'running';
  if (summary.status === 'ok' || summary.status === 'warn' || summary.status === 'fail') {
    const age = ageOfLastResult(summary, now);
    if (age !== undefined && age > slaSecondsOf(summary.probe) * 1000) return 'stale';
  }
  return summary.status;
}

/** `99.87 %`, `100 %`, `—`: never rounds a failure away to 100. */
export function formatUptime(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined) return '—';
  if (fraction >= 1) return '100 %';
  const percent = Math.floor(fraction * 10_000) / 100;
  return `${percent.toFixed(percent >= 10 ? 2 : 1)} %`;
}

/** `85 ms`, `1.24 s`, `2m 03s`. */
export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}

/** `every 5 min`, `every 30 s`, `every 2 h`. */
export function formatEvery(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** A full local date and time, for the `title` of a relative time. */
export function absoluteTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}
