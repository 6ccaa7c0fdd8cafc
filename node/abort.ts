/**
 * Cancellation: the error a cancelled operation ends with, and the small helpers around
 * AbortSignal that the services share.
 *
 * Long operations (an ops-API request, a Docker call, a log read) take an optional AbortSignal;
 * when it fires they end at once with an `AbortedError`, whose name is `AbortError` like the
 * platform's own, so `isAbort` recognises both, and whose message says what was cancelled.
 */

export class AbortedError extends Error {
  override readonly name = 'AbortError';
}

/** True for an AbortedError and for the platform's AbortError (fetch, dockerode, streams). */
export function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** Why `signal` aborted, always as an Error (abort() without a reason gives a DOMException). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new AbortedError(typeof reason === 'string' ? reason : 'The operation was cancelled.');
}

/** One signal that aborts when any of `signals` does; undefined ones are left out. */
export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (present.length <= 1) return present[0];
  return AbortSignal.any(present);
}

/**
 * Resolves or rejects with `promise`, or rejects with the signal's reason as soon as `signal`
 * aborts, whichever comes first. A promise left behind by an abort may still reject: that is
 * swallowed rather than left unhandled.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
