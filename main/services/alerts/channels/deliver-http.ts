/**
 * One HTTP POST delivery with retries: 5xx, 429, timeouts and network errors are retried with
 * backoff (shared/backoff.ts, waited on the service's clock); any other 4xx is not, since sending
 * the same body again cannot fix it. Every attempt has its own timeout. The result is always an
 * outcome with one sentence for the user; it never throws, and the secrets (the URL, which for
 * Slack and Discord is the key, and the token) are redacted from that sentence.
 */
import { backoffDelay, type BackoffOptions } from '../../../../shared/backoff';
import { delay, type Clock } from '../../../../node/clock';
import { Redactor } from '../../../../node/redact/redactor';

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Each attempt's limit, in ms. */
  timeoutMs: number;
  backoff: BackoffOptions;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 3, timeoutMs: 10_000, backoff: { initialMs: 1_000, maxMs: 30_000 } };

export interface AttemptResult {
  ok: boolean;
  retry: boolean;
  status: number | null;
  error: string | null;
}

export interface RetriedOutcome {
  ok: boolean;
  attempts: number;
  status: number | null;
  error: string | null;
}

/**
 * Runs `attempt` until it succeeds, fails for good or runs out of attempts. `attempt` gets a
 * signal that aborts at the attempt's timeout (or when `signal` does).
 */
export async function withRetries(
  attempt: (signal: AbortSignal) => Promise<AttemptResult>,
  { clock, retry, signal, secrets }: { clock: Clock; retry: RetryOptions; signal?: AbortSignal; secrets: readonly string[] },
): Promise<RetriedOutcome> {
  const redactor = new Redactor(secrets, []);
  let last: AttemptResult = { ok: false, retry: false, status: null, error: 'Nothing was sent.' };
  let made = 0;
  for (let n = 0; n < retry.attempts; n++) {
    if (n > 0) {
      try {
        await delay(clock, backoffDelay(n - 1, retry.backoff), signal);
      } catch {
        return { ok: false, attempts: made, status: last.status, error: 'The delivery was canceled before it could be retried.' };
      }
    }
    if (signal?.aborted) return { ok: false, attempts: made, status: last.status, error: 'The delivery was canceled.' };
    made++;
    last = await timed(attempt, clock, retry.timeoutMs, signal);
    if (last.ok || !last.retry) break;
  }
  if (last.ok) return { ok: true, attempts: made, status: last.status, error: null };
  const tries = made === 1 ? 'after 1 attempt' : `after ${made} attempts`;
  const error = `${redactor.text(last.error ?? 'The delivery failed.').replace(/\.$/, '')} (${tries}) — check the channel's settings and send a test.`;
  return { ok: false, attempts: made, status: last.status, error };
}

async function timed(
  attempt: (signal: AbortSignal) => Promise<AttemptResult>,
  clock: Clock,
  timeoutMs: number,
  outer: AbortSignal | undefined,
): Promise<AttemptResult> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = clock.setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('timeout'));
  }, timeoutMs);
  const onOuter = () => controller.abort(new Error('canceled'));
  outer?.addEventListener('abort', onOuter, { once: true });
  try {
    return await attempt(controller.signal);
  } catch (error) {
    if (timedOut) return { ok: false, retry: true, status: null, error: `No answer within ${Math.round(timeoutMs / 1000)} s.` };
    if (outer?.aborted) return { ok: false, retry: false, status: null, error: 'The delivery was canceled.' };
    return { ok: false, retry: true, status: null, error: `Could not reach the server: ${causeOf(error)}.` };
  } finally {
    clock.clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  }
}

/** A POST of `body` as JSON to `url`, judged by its status: 2xx ok; 5xx and 429 retried; other 4xx not. */
export function postJson(url: string, body: object, token: string | null): (signal: AbortSignal) => Promise<AttemptResult> {
  return async (signal) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'ControlRoom-Alerts/1' };
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal, redirect: 'error' });
    const text = await response.text().catch(() => '');
    if (response.ok) return { ok: true, retry: false, status: response.status, error: null };
    const retry = response.status >= 500 || response.status === 429;
    const said = text.trim().slice(0, 200).replace(/\s+/g, ' ');
    return {
      ok: false,
      retry,
      status: response.status,
      error: `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${said ? `: ${said}` : ''}.`,
    };
  };
}

function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) return cause.message;
  return error.message;
}
