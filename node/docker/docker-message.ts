/**
 * A Docker engine error as words a person can act on, for the app and the agent alike.
 *
 * dockerode wraps the engine's own sentence as "(HTTP code 404) no such container - No such
 * container: web-1"; the part after the dash (or the parsed body's `message`) is what Docker
 * meant, the rest repeats the status. A socket that cannot be reached has no engine sentence at
 * all, only a code, so it gets one of ours naming where we looked.
 */

interface EngineError {
  code?: unknown;
  address?: unknown;
  message?: unknown;
  json?: unknown;
}

/** Not an engine answer: nothing is listening, or we may not talk to it. */
const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES']);

/**
 * What the engine said, without dockerode's "(HTTP code N) … - " prefix: a fragment to put
 * after "reconnecting (" or "could not restart web: ".
 */
export function dockerReason(error: unknown): string {
  const err = (error ?? {}) as EngineError;
  const json = err.json as { message?: unknown } | null | undefined;
  if (json && typeof json === 'object' && typeof json.message === 'string' && json.message.trim()) return json.message.trim();
  const message = typeof err.message === 'string' ? err.message : String(error);
  return message.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '').trim() || 'the Docker engine did not answer';
}

/** A whole sentence for an error reply or a context section: where the engine was not found, or what it said. */
export function dockerMessage(error: unknown): string {
  const err = (error ?? {}) as EngineError;
  if (typeof err.code === 'string' && UNREACHABLE.has(err.code)) {
    const where = typeof err.address === 'string' ? err.address : 'its socket';
    return `The Docker engine could not be reached at ${where} (${err.code}).`;
  }
  return dockerReason(error);
}
