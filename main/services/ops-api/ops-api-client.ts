/**
 * A client for a product's ops API (`/api/ops/*`, described in agent/openapi.json) — the agent in `agent/` or the
 * product's own implementation. Every reply is parsed against shared/model/ops.ts, so a wrong
 * base URL or a half-implemented endpoint becomes one clear sentence instead of a broken screen.
 *
 * Every request takes an optional AbortSignal: when it fires, the request (and the reading of its
 * reply) stops at once with an `AbortedError` naming what was cancelled. Time — the request
 * timeout and the events stream's reconnect backoff — comes from the Clock it is given.
 */
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import WebSocket from 'ws';
import { ApiError } from '../../../shared/errors';
import type { ConnectionState } from '../../../shared/model/connection';
import { FrontendErrors, HostProbeResults, HostProbes, OpsContext, OpsEvent, OpsLogs } from '../../../shared/model/ops';
import { HistoryBucket, type HistoryRange } from '../../../shared/model/probe';
import { AbortedError, anySignal } from '../../../node/abort';
import { isoNow, systemClock, type Clock, type Timer } from '../../../node/clock';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../../../shared/backoff';

export interface OpsApiClientOptions {
  baseUrl: string;
  /** Read from the keychain on each call, so a token changed in the app applies at once. */
  token: () => Promise<string | null>;
  timeoutMs?: number;
  backoff?: BackoffOptions;
  clock?: Clock;
  /** Aborts every request of this client (the service that made it is being disposed). */
  signal?: AbortSignal | undefined;
}

export interface RequestOptions {
  /** Cancels the request; it then rejects with an AbortedError. */
  signal?: AbortSignal | undefined;
  /** A JSON body, sent with POST (every other request is a GET). */
  post?: unknown;
}

type LogsQuery = { service: string; tail?: number | undefined; since?: string | undefined };

const MAX_REPLY_BYTES = 64 * 1024 * 1024;

const HostProbeHistory = z.object({ buckets: z.array(HistoryBucket), uptime: z.number().nullable(), p50Ms: z.number().nullable(), p95Ms: z.number().nullable() });

export class OpsApiClient {
  constructor(private readonly options: OpsApiClientOptions) {}

  context(options: RequestOptions = {}): Promise<OpsContext> {
    return this.getJson('/api/ops/context', {}, OpsContext, options);
  }

  frontendLogs(
    query: { since?: string | undefined; route?: string | undefined },
    options: RequestOptions = {},
  ): Promise<z.infer<typeof FrontendErrors>> {
    return this.getJson('/api/ops/frontend-logs', query, FrontendErrors, options);
  }

  logs(query: LogsQuery, options: RequestOptions = {}): Promise<z.infer<typeof OpsLogs>> {
    return this.getJson('/api/ops/logs', { ...query, tail: query.tail?.toString(), format: 'json' }, OpsLogs, options);
  }

  /** Plain text logs, passed through untouched. */
  async logsPlain(query: LogsQuery, options: RequestOptions = {}): Promise<string> {
    const res = await this.request('/api/ops/logs', { ...query, tail: query.tail?.toString(), format: 'plain' }, options);
    return res.toString('utf8');
  }

  /** The gzipped support bundle, checked to be gzip holding JSON before it is handed on. */
  async supportBundle(options: RequestOptions = {}): Promise<Buffer> {
    const body = await this.request('/api/ops/support-bundle', {}, options);
    try {
      JSON.parse(gunzipSync(body).toString('utf8'));
    } catch {
      throw new ApiError('invalid-request', `${this.where()} sent a support bundle that is not gzipped JSON — is the base URL an ops API?`);
    }
    return body;
  }

  /** Runs host probes now (an agent's admin scope): everything, a scope, a provider or one probe. */
  runProbes(selection: { scope?: string; provider?: string; probeId?: string }, options: RequestOptions = {}): Promise<{ started: number }> {
    return this.getJson('/api/ops/probes/run', {}, z.object({ started: z.number().int() }), { ...options, post: selection });
  }

  /** The probes the host runs itself (an agent's `probes` configuration), with how each stands. */
  probes(options: RequestOptions = {}): Promise<z.infer<typeof HostProbes>> {
    return this.getJson('/api/ops/probes', {}, HostProbes, options);
  }

  /** One host probe's results, newest first; `before` is a result id of the host's, for paging. */
  probeResults(probeId: string, query: { before?: number | undefined; limit?: number | undefined }, options: RequestOptions = {}): Promise<z.infer<typeof HostProbeResults>> {
    return this.getJson(`/api/ops/probes/${encodeURIComponent(probeId)}/results`, { before: query.before?.toString(), limit: query.limit?.toString() }, HostProbeResults, options);
  }

  probeHistory(probeId: string, range: HistoryRange, options: RequestOptions = {}): Promise<z.infer<typeof HostProbeHistory>> {
    return this.getJson(`/api/ops/probes/${encodeURIComponent(probeId)}/history`, { range }, HostProbeHistory, options);
  }

  /** One artifact's bytes as the host stored them, with their content type. */
  probeArtifact(probeId: string, resultId: number, artifactId: string, options: RequestOptions = {}): Promise<{ contentType: string; data: Buffer }> {
    const path = `/api/ops/probes/${encodeURIComponent(probeId)}/results/${resultId}/artifacts/${encodeURIComponent(artifactId)}`;
    return this.reply(path, {}, options).then(({ body, contentType }) => ({ contentType, data: body }));
  }

  /**
   * Follows `/api/ops/events`, reconnecting with backoff until stopped. `onState` reports the
   * link as a connection state; malformed messages are skipped, not fatal.
   */
  events(onEvent: (event: OpsEvent) => void, onState: (state: ConnectionState) => void): () => void {
    let socket: WebSocket | undefined;
    let timer: Timer | undefined;
    let attempt = 0;
    let stopped = false;

    const open = async () => {
      onState({ status: 'connecting' });
      let token: string | null;
      try {
        token = await this.options.token();
      } catch (error) {
        onState({ status: 'failed', code: 'keychain', reason: error instanceof Error ? error.message : String(error) });
        return;
      }
      if (stopped) return;
      const url = new URL('/api/ops/events', this.options.baseUrl);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      const ws = new WebSocket(url, { headers: token ? { Authorization: `Bearer ${token}` } : {}, handshakeTimeout: this.timeout() });
      socket = ws;
      let refused: string | undefined;
      ws.on('open', () => {
        attempt = 0;
        onState({ status: 'connected', since: isoNow(this.clock) });
      });
      ws.on('unexpected-response', (_req, res) => {
        refused = res.statusCode === 401 || res.statusCode === 403 ? this.authMessage(res.statusCode) : `HTTP ${res.statusCode}`;
        ws.terminate();
      });
      ws.on('message', (data) => {
        try {
          const parsed = OpsEvent.safeParse(JSON.parse(data.toString()));
          if (parsed.success) onEvent(parsed.data);
        } catch {
          // one unreadable message is skipped; the stream goes on
        }
      });
      ws.on('error', () => undefined);
      ws.on('close', () => {
        if (stopped || socket !== ws) return;
        if (refused && refused !== 'HTTP 404' && !refused.startsWith('HTTP 5')) {
          onState({ status: 'failed', code: 'auth', reason: refused });
          return;
        }
        const delay = backoffDelay(attempt++, this.options.backoff ?? DEFAULT_BACKOFF);
        onState({ status: 'reconnecting', at: new Date(this.clock.now() + delay).toISOString(), attempt, reason: refused ?? 'the events stream closed' });
        timer = this.clock.setTimeout(() => {
          timer = undefined;
          void open();
        }, delay);
      });
    };
    void open();
    return () => {
      stopped = true;
      this.clock.clearTimeout(timer);
      timer = undefined;
      socket?.terminate();
    };
  }

  private where(): string {
    return new URL(this.options.baseUrl).host;
  }

  private timeout(): number {
    return this.options.timeoutMs ?? 10_000;
  }

  private get clock(): Clock {
    return this.options.clock ?? systemClock;
  }

  private cancelled(path: string, signal: AbortSignal): AbortedError {
    const reason: unknown = signal.reason;
    const why = reason instanceof Error && reason.name !== 'AbortError' ? ` (${reason.message})` : '';
    return new AbortedError(`The request for ${path} to the ops API at ${this.where()} was cancelled${why}.`, { cause: reason });
  }

  private authMessage(status: number): string {
    return status === 401
      ? `The ops API at ${this.where()} refused the token (401) — set a valid API token for this target.`
      : `The token for ${this.where()} is not allowed to do this (403) — create one with the admin scope.`;
  }

  private async getJson<T extends z.ZodType>(
    path: string,
    query: Record<string, string | undefined>,
    schema: T,
    options: RequestOptions,
  ): Promise<z.output<T>> {
    const body = await this.request(path, query, options);
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new ApiError('invalid-request', `${this.where()} answered ${path} with something that is not JSON — is the base URL an ops API?`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ApiError(
        'invalid-request',
        `${this.where()} answered ${path} in a shape Control Room does not understand (${issue.path.join('.') || 'reply'}: ${issue.message}) — check that it implements the ops API.`,
      );
    }
    return parsed.data;
  }

  private async request(path: string, query: Record<string, string | undefined>, options: RequestOptions): Promise<Buffer> {
    return (await this.reply(path, query, options)).body;
  }

  private async reply(path: string, query: Record<string, string | undefined>, options: RequestOptions): Promise<{ body: Buffer; contentType: string }> {
    const signal = anySignal(options.signal, this.options.signal);
    const url = new URL(path, this.options.baseUrl);
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') url.searchParams.set(key, value);
    if (signal?.aborted) throw this.cancelled(path, signal);
    let token: string | null;
    try {
      token = await this.options.token();
    } catch (error) {
      throw error instanceof ApiError ? error : new ApiError('keychain-unavailable', String(error));
    }
    if (signal?.aborted) throw this.cancelled(path, signal);
    // One controller for both ends: the caller's signal and the timeout (on the clock, so a
    // fake clock decides when a request has waited too long).
    const controller = new AbortController();
    let timedOut = false;
    const timer = this.clock.setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeout());
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const failed = (error: unknown): Error => {
      if (signal?.aborted) return this.cancelled(path, signal);
      const reason = timedOut ? 'no answer in time' : networkReason(error);
      return new ApiError('unreachable', `Could not reach the ops API at ${this.where()}: ${reason} — is it running, and is the base URL right?`);
    };
    let res: Response;
    let body: Buffer;
    try {
      try {
        res = await fetch(url, {
          ...(options.post !== undefined
            ? { method: 'POST', body: JSON.stringify(options.post) }
            : {}),
          headers: {
            Accept: 'application/json',
            ...(options.post !== undefined ? { 'Content-Type': 'application/json' } : {}),
            ...(token ? { Authorization: `Bearer ${token}` } : {}),
          },
          signal: controller.signal,
          redirect: 'error',
        });
      } catch (error) {
        throw failed(error);
      }
      if (res.status === 401 || res.status === 403) {
        controller.abort();
        throw new ApiError('unauthorized', this.authMessage(res.status));
      }
      const length = Number(res.headers.get('content-length') ?? 0);
      if (length > MAX_REPLY_BYTES) {
        controller.abort();
        throw new ApiError('invalid-request', `${this.where()} sent a reply of ${length} bytes, more than Control Room accepts.`);
      }
      try {
        body = Buffer.from(await res.arrayBuffer());
      } catch (error) {
        throw failed(error);
      }
    } finally {
      this.clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    if (!res.ok) {
      let message = `HTTP ${res.status}`;
      try {
        const error = (JSON.parse(body.toString('utf8')) as { error?: unknown }).error;
        if (typeof error === 'string') message = error;
      } catch {
        // not JSON: keep the status
      }
      throw new ApiError(res.status === 404 ? 'not-found' : 'invalid-request', `${this.where()}: ${message}`);
    }
    return { body, contentType: (res.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim() };
  }
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code === 'ENOTFOUND') return 'host name not found';
  if (cause?.code?.startsWith('CERT_') || cause?.code === 'DEPTH_ZERO_SELF_SIGNED_CERT') return `its TLS certificate is not trusted (${cause.code})`;
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}
