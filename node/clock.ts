/**
 * The one clock and timer interface every service takes.
 *
 * Reading the time and starting timers both go through a `Clock`, so a test hands in a fake one
 * (test/support/fake-clock.ts) and moves time by hand: a cache trim, a reconnect backoff or a
 * poll interval is then exercised exactly, without sleeping and without racing the real clock.
 * Production code uses `systemClock`, which is `Date.now` and Node's own timers.
 */
import { abortReason } from './abort';

/** A scheduled timer; `unref` lets the process exit while it is pending (a no-op on fakes). */
export interface Timer {
  unref(): unknown;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): Timer;
  clearTimeout(timer: Timer | undefined): void;
  setInterval(callback: () => void, ms: number): Timer;
  clearInterval(timer: Timer | undefined): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout | undefined),
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (timer) => clearInterval(timer as NodeJS.Timeout | undefined),
};

/** The clock's time as an ISO string, the form the model's times take. */
export function isoNow(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}

/**
 * Resolves after `ms` on `clock`; rejects with the signal's reason as soon as it aborts, so a
 * backoff wait never outlives what it was waiting for.
 */
export function delay(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
