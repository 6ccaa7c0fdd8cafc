/**
 * Reconnection delays: exponential, capped, with "equal jitter" (half fixed, half random) so
 * that many clients dropped by the same outage do not all come back at the same instant.
 * Main's connections and log sources and the renderer's link to the host all wait by this.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1_000, maxMs: 30_000 };

export function backoffDelay(attempt: number, { initialMs, maxMs, random = Math.random }: BackoffOptions): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
