/**
 * A bundle's time window, resolved to times: the last N minutes, N minutes either side of a time
 * (ISO, or HH:MM today), or since the last deploy — the ops API's `deploy.deployedAt`, or for a
 * Docker target the newest start among its compose containers or the newest successful deploy
 * run. A deploy that cannot be found falls back to the last hour, and the description says so.
 */
import { ApiError } from '../../../shared/errors';
import type { BundleRequest, ResolvedWindow } from '../../../shared/model/bundle';
import type { Target } from '../../../shared/model/target';
import { msToIso } from '../../../shared/iso-time';
import type { Services } from '../index';

const MINUTE = 60_000;
const FALLBACK_MINUTES = 60;
/** How long the target gets to say when it was deployed before the fallback is used. */
const DEPLOY_LOOKUP_MS = 10_000;

/** The window as times, and a note when "since the last deploy" had to fall back. */
export interface WindowInfo extends ResolvedWindow {
  fromMs: number;
  toMs: number;
  note: string | null;
}

export async function resolveBundleWindow(services: Services, target: Target, request: BundleRequest, now: number): Promise<WindowInfo> {
  const { window } = request;
  if (window.mode === 'last') {
    return info(now - window.minutes * MINUTE, now, `the last ${minutesText(window.minutes)}`, null);
  }
  if (window.mode === 'around') {
    const at = parseAround(window.at, now);
    return info(at - window.minutes * MINUTE, at + window.minutes * MINUTE, `${minutesText(window.minutes)} either side of ${msToIso(at)}`, null);
  }
  const deploy = await lastDeploy(services, target).catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }));
  if ('ms' in deploy && deploy.ms <= now) return info(deploy.ms, now, `since the last deploy (${deploy.how}, ${msToIso(deploy.ms)})`, null);
  const why = 'error' in deploy ? deploy.error : 'ms' in deploy ? 'the deploy time it reports is in the future' : deploy.none;
  return info(
    now - FALLBACK_MINUTES * MINUTE,
    now,
    `the last hour (no deploy time found)`,
    `The last deploy's time could not be found (${trimSentence(why)}), so the bundle covers the last hour.`,
  );
}

/** `2026-03-01T14:05:00Z` or `14:05` (today, local time). */
export function parseAround(at: string, now: number): number {
  const clock = /^(\d{1,2}):(\d{2})$/.exec(at.trim());
  if (clock) {
    const [hours, minutes] = [Number(clock[1]), Number(clock[2])];
    if (hours > 23 || minutes > 59) throw aroundError(at);
    const day = new Date(now);
    day.setHours(hours, minutes, 0, 0);
    return day.getTime();
  }
  const ms = Date.parse(at);
  if (!Number.isFinite(ms)) throw aroundError(at);
  return ms;
}

type DeployLookup = { ms: number; how: string } | { none: string };

async function lastDeploy(services: Services, target: Target): Promise<DeployLookup> {
  const signal = AbortSignal.timeout(DEPLOY_LOOKUP_MS);
  if (target.kind === 'ops-api') {
    const context = await services.opsApi.client(target.id).context({ signal });
    if (!context.deploy.ok) return { none: context.deploy.error };
    const at = context.deploy.data.deployedAt;
    const ms = at ? Date.parse(at) : NaN;
    return Number.isFinite(ms) ? { ms, how: 'deployedAt of the ops API' } : { none: 'the ops API does not say when it was deployed' };
  }
  const found: { ms: number; how: string }[] = [];
  const fromRuns = lastDeployRun(services, target.id);
  if (fromRuns) found.push(fromRuns);
  try {
    const overview = await services.overview.snapshot(target.id, signal);
    const starts = overview.projects
      .flatMap((project) => project.services.flatMap((service) => service.containers))
      .map((container) => (container.startedAt ? Date.parse(container.startedAt) : NaN))
      .filter((ms) => Number.isFinite(ms));
    if (starts.length) found.push({ ms: Math.max(...starts), how: 'the newest compose container start' });
  } catch (error) {
    if (!found.length) throw error;
  }
  if (!found.length) return { none: 'no compose container has started and no deploy run succeeded' };
  return found.reduce((newest, next) => (next.ms > newest.ms ? next : newest));
}

/** The newest run of a `deploy` runbook that succeeded on the target. */
function lastDeployRun(services: Services, targetId: string): { ms: number; how: string } | null {
  const deployRunbooks = new Set(services.runbooks.list().filter((runbook) => runbook.kind === 'deploy').map((runbook) => runbook.id));
  if (!deployRunbooks.size) return null;
  const runs = services.runbooks.listRuns({ targetId, status: 'succeeded', limit: 200 });
  const run = runs.find((candidate) => deployRunbooks.has(candidate.runbookId) && candidate.endedAt);
  return run?.endedAt ? { ms: Date.parse(run.endedAt), how: `deploy run ${run.id}` } : null;
}

function info(fromMs: number, toMs: number, description: string, note: string | null): WindowInfo {
  return { from: msToIso(fromMs), to: msToIso(toMs), description, fromMs, toMs, note };
}

function minutesText(minutes: number): string {
  if (minutes % 60 === 0) return minutes === 60 ? 'hour' : `${minutes / 60} hours`;
  return minutes === 1 ? 'minute' : `${minutes} minutes`;
}

function trimSentence(text: string): string {
  return text.replace(/[.\s]+$/, '');
}

function aroundError(at: string): ApiError {
  return new ApiError('invalid-request', `"${at}" is not a time — give an ISO time (2026-03-01T14:05:00Z) or HH:MM for today.`, {
    'window.at': 'Use an ISO time or HH:MM.',
  });
}
