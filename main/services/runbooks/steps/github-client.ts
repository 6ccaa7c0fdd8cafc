/**
 * GitHub's REST API for the `github` step: an Octokit bound to the runbook's token, the step's
 * AbortSignal and an API root (api.github.com, a GitHub Enterprise root, or a stand-in in tests),
 * and the one sentence each way a call can fail turns into.
 *
 * Calls go through `request(route, params)` so every endpoint the step uses is written as GitHub
 * documents it ("POST /repos/{owner}/{repo}/issues"); a refusal becomes a StepFailure naming what
 * was asked and what to do, never Octokit's own multi-line message.
 */
import type { Octokit } from '@octokit/rest';
import { abortReason } from '../../../../node/abort';
import {
  asOctokitError,
  createOctokit,
  networkSentence,
  rateLimitedUntil,
  type GithubHeaders as Headers,
  type OctokitError,
} from '../../../../node/github-api';
import { StepFailure } from '../step-kind';

export const DEFAULT_GITHUB_API = 'https://api.github.com';

export interface GithubReply<T = Record<string, unknown>> {
  status: number;
  data: T;
  headers: Headers;
}

/** A reply GitHub refused, with its status and message kept for callers that handle one case themselves. */
export class GithubRefusal extends StepFailure {
  constructor(
    message: string,
    readonly status: number,
    readonly githubMessage: string,
  ) {
    super(message);
  }
}

export class GithubClient {
  private readonly octokit: Octokit;
  readonly apiUrl: string;

  constructor(
    token: string,
    apiUrl: string | undefined,
    private readonly signal: AbortSignal,
    /** The runbook secret the token came from, for the sentence a refused token gets. */
    private readonly secretName: string,
  ) {
    this.apiUrl = (apiUrl?.trim() || DEFAULT_GITHUB_API).replace(/\/+$/, '');
    this.octokit = createOctokit({ token, baseUrl: this.apiUrl, userAgent: 'control-room-runbook', signal });
  }

  /**
   * One call; `what` says what it was for ("dispatching deploy.yml in shop/app") in the failure.
   * 404 is given back as null when `missingOk`, for lookups where "not there" is an answer.
   */
  async request<T = Record<string, unknown>>(route: string, params: Record<string, unknown>, what: string): Promise<GithubReply<T>>;
  async request<T = Record<string, unknown>>(route: string, params: Record<string, unknown>, what: string, missingOk: true): Promise<GithubReply<T> | null>;
  async request<T = Record<string, unknown>>(route: string, params: Record<string, unknown>, what: string, missingOk = false): Promise<GithubReply<T> | null> {
    try {
      const reply = await this.octokit.request(route, params);
      return { status: reply.status, data: reply.data as T, headers: reply.headers as Headers };
    } catch (failure) {
      if (this.signal.aborted) throw abortReason(this.signal);
      const error = asOctokitError(failure);
      if (missingOk && error.response?.status === 404) return null;
      if (error.response) throw new GithubRefusal(this.sentence(error, what), error.response.status, githubMessage(error.response.data));
      throw new StepFailure(this.sentence(error, what));
    }
  }

  private sentence(error: OctokitError, what: string): string {
    const response = error.response;
    if (!response) return networkSentence(this.apiUrl, error, 'the apiUrl');
    const { status, headers, data } = response;
    const said = githubMessage(data);
    if (status === 401) {
      return `GitHub refused the token in the runbook secret ${this.secretName} (401) while ${what} — check it has not expired or been revoked and set it again (Runbooks → Secrets).`;
    }
    const until = rateLimitedUntil(status, headers);
    if (until !== null) return `GitHub's rate limit is used up${until} while ${what} — run the step again after that.`;
    if (status === 403) return `GitHub refused ${what} (403${said ? `: ${said}` : ''}) — the token needs more access to the repository.`;
    if (status === 404) return `GitHub found nothing while ${what} (404) — check the repository and names, and that the token can see them.`;
    if (status === 422) return `GitHub would not accept ${what} (422${said ? `: ${said}` : ''}).`;
    return `GitHub answered ${status} while ${what}${said ? `: ${said}` : ''}.`;
  }
}

/** GitHub's `message`, with the first validation error's own message when it gives one. */
function githubMessage(data: unknown): string {
  if (typeof data !== 'object' || data === null) return '';
  const body = data as { message?: unknown; errors?: unknown };
  const message = typeof body.message === 'string' ? body.message.replace(/\.$/, '') : '';
  const first: unknown = Array.isArray(body.errors) ? body.errors[0] : undefined;
  const detail = typeof first === 'object' && first !== null && 'message' in first && typeof first.message === 'string' ? first.message : typeof first === 'string' ? first : '';
  const text = detail && detail !== message ? `${message}: ${detail}` : message;
  // GitHub's validation messages run over lines ("Invalid request.\n\n…"): one sentence is wanted.
  return text.replace(/\s+/g, ' ').trim();
}

/** `owner/name` split, or a StepFailure saying how to write it. */
export function splitRepo(repo: string): { owner: string; repo: string } {
  const match = /^\s*([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)\s*$/.exec(repo);
  if (!match) throw new StepFailure(`"${repo.slice(0, 80)}" is not a repository: write it as owner/name.`);
  return { owner: match[1]!, repo: match[2]! };
}
