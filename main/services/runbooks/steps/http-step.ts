/**
 * The `http` step kind: one request, with presets for the seed's integrations (Vercel
 * deployments, DigitalOcean droplets, Supabase health). Tokens come from runbook secrets in the
 * keychain and go only into the request's headers — never into events, outputs or messages.
 * `url` replaces a preset's base address (a stand-in's in tests).
 *
 * Read-only requests (GET, HEAD) record the status as a fact `http:<METHOD> <url>`, so an
 * approval given on a preflight that read an endpoint goes stale when that endpoint answers
 * differently.
 */
import type { StepParams } from '../../../../shared/model/runbook-steps';
import { StepFailure, type StepKind } from '../step-kind';

/** Bodies are kept (and parsed) up to this size. */
export const HTTP_BODY_LIMIT = 64 * 1024;

type HttpParams = StepParams<'http'>;

interface PresetRequest {
  url: string;
  /** The runbook secret to use when the step names none. */
  secret: string | null;
  /** How the secret is sent: a bearer token, or Supabase's apikey header (and bearer). */
  auth: 'bearer' | 'supabase';
  label: string;
}

function trimBase(url: string): string {
  return url.replace(/\/+$/, '');
}

function requireProject(params: HttpParams, what: string): string {
  if (!params.project) throw new StepFailure(`The ${params.preset} preset needs \`project\` (${what}).`);
  return params.project;
}

/** The request a step's parameters describe. */
export function httpRequestOf(params: HttpParams): PresetRequest {
  switch (params.preset) {
    case 'vercel-deployments': {
      const project = requireProject(params, 'the Vercel project id');
      return {
        url: `${trimBase(params.url ?? 'https://api.vercel.com')}/v6/deployments?projectId=${encodeURIComponent(project)}&limit=5`,
        secret: 'vercel-token',
        auth: 'bearer',
        label: 'Vercel deployments',
      };
    }
    case 'digitalocean-droplets': {
      const project = requireProject(params, 'the droplets\' tag');
      return {
        url: `${trimBase(params.url ?? 'https://api.digitalocean.com')}/v2/droplets?tag_name=${encodeURIComponent(project)}`,
        secret: 'digitalocean-token',
        auth: 'bearer',
        label: 'DigitalOcean droplets',
      };
    }
    case 'supabase-health': {
      const base = params.url ?? params.project;
      if (!base) throw new StepFailure('The supabase-health preset needs `project` (the project URL, like https://abc.supabase.co) or `url`.');
      return { url: `${trimBase(base)}/auth/v1/health`, secret: 'supabase-key', auth: 'supabase', label: 'Supabase health' };
    }
    default:
      if (!params.url) throw new StepFailure('An http step needs `url` or a `preset`.');
      return { url: params.url, secret: null, auth: 'bearer', label: '' };
  }
}

function readOnly(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

function expected(params: HttpParams, status: number): boolean {
  if (!params.expectStatus?.length) return status >= 200 && status <= 299;
  return params.expectStatus.some((value) => Number(value) === status);
}

function expectedText(params: HttpParams): string {
  return params.expectStatus?.length ? params.expectStatus.join(' or ') : '200–299';
}

/** The body as text, at most HTTP_BODY_LIMIT bytes (the rest is not read). */
async function cappedBody(response: Response): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: '', truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = HTTP_BODY_LIMIT - bytes;
    if (value.byteLength > room) {
      chunks.push(value.subarray(0, room));
      bytes += room;
      truncated = true;
      await reader.cancel().catch(() => undefined);
      break;
    }
    chunks.push(value);
    bytes += value.byteLength;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated };
}

function reachFailure(method: string, url: string, error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
  return `${method} ${url} could not be reached (${cause}) — check the address and that the service is up.`;
}

export const httpStep: StepKind<'http'> = {
  kind: 'http',
  changes: (params) => !readOnly(params.method),
  repeatable: (params) => ['GET', 'HEAD', 'PUT', 'DELETE'].includes(params.method),
  describe: (params) => {
    try {
      const request = httpRequestOf(params);
      return `${params.method} ${request.url}${request.label ? ` (${request.label})` : ''}`;
    } catch {
      return `${params.method} request (${params.preset ?? 'no url'})`;
    }
  },
  run: async (params, context) => {
    const request = httpRequestOf(params);
    const headers = new Headers(params.headers);
    const secretName = params.secret ?? request.secret;
    if (secretName) {
      const token = await context.services.secret(secretName);
      if (token === null) throw new StepFailure(`The runbook secret ${secretName} is not set — add it in Runbooks → Secrets, then run again.`);
      if (request.auth === 'supabase') headers.set('apikey', token);
      headers.set('authorization', `Bearer ${token}`);
    }
    if (params.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');

    const started = context.clock.now();
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: params.method,
        headers,
        ...(params.body !== undefined && params.method !== 'GET' && params.method !== 'HEAD' ? { body: params.body } : {}),
        signal: context.signal,
      });
    } catch (error) {
      if (context.signal.aborted) throw error;
      throw new StepFailure(reachFailure(params.method, request.url, error));
    }
    let body: { text: string; truncated: boolean };
    try {
      body = await cappedBody(response);
    } catch (error) {
      if (context.signal.aborted) throw error;
      throw new StepFailure(`${params.method} ${request.url} stopped sending its answer (${error instanceof Error ? error.message : String(error)}).`);
    }
    let json: unknown = null;
    if (!body.truncated && body.text) {
      try {
        json = JSON.parse(body.text) as unknown;
      } catch {
        json = null;
      }
    }
    const outputs = { status: response.status, body: body.text, json };
    context.log('info', `${params.method} ${request.url} → ${response.status} in ${context.clock.now() - started} ms${body.truncated ? ' (body cut at 64 KiB)' : ''}`);
    if (readOnly(params.method)) context.fact(`http:${params.method} ${request.url}`, `${params.method} ${request.url}`, String(response.status));
    if (!expected(params, response.status)) {
      const excerpt = body.text.replace(/\s+/g, ' ').trim().slice(0, 200);
      throw new StepFailure(
        `${params.method} ${request.url} answered ${response.status} (expected ${expectedText(params)})${excerpt ? `: ${excerpt}` : ''}.`,
        outputs,
      );
    }
    return { message: `${params.method} ${request.url} answered ${response.status}.`, outputs };
  },
};
