/**
 * The `log-scan` step against a REAL log cache: createServices on a temporary data directory
 * (its SQLite file), lines written with the cache's own insert, as followed lines are. Time is a
 * fake clock, so "since 15m" means the same instant on every run.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogScanStep, logScanStep } from '../../../main/services/runbooks/steps/log-scan-step';
import type { LogEntry } from '../../../shared/model/logs';
import { LogScanStepParams } from '../../../shared/model/runbook-steps';
import type { Target } from '../../../shared/model/target';
import { isAbort } from '../../../node/abort';
import { FakeClock } from '../../support/fake-clock';
import { failureOf, startServices, stepHarness, type StepHarness, type TestServices } from './steps-remote-context';

const NOW = Date.parse('2024-05-01T10:30:00.000Z');
let clock: FakeClock;
let env: TestServices;
let target: Target;
let busy: Target;

function line(targetId: string, container: string, service: string | null, at: number, message: string, level: LogEntry['level'] = null): LogEntry {
  return { ts: new Date(at).toISOString(), target: targetId, service, container, stream: 'stdout', level, message };
}

const minute = 60_000;

beforeAll(async () => {
  clock = new FakeClock(NOW);
  env = startServices(clock);
  target = await env.services.targets.create({ name: 'shop-local', environment: 'staging', kind: 'docker-local', settings: { socketPath: '/var/run/docker.sock' } });
  busy = await env.services.targets.create({ name: 'shop-busy', environment: 'staging', kind: 'docker-local', settings: { socketPath: '/var/run/docker.sock' } });
  const id = target.id;
  env.services.logs.cache.insert([
    // Before the window: never counted.
    line(id, 'shop-api-1', 'api', NOW - 20 * minute, 'ERROR old failure before the window'),
    line(id, 'shop-api-1', 'api', NOW - 14 * minute, 'GET /health 200'),
    line(id, 'shop-api-1', 'api', NOW - 12 * minute, 'ERROR payment provider timed out', 'error'),
    line(id, 'shop-api-2', 'api', NOW - 10 * minute, 'error: connection reset by peer', 'error'),
    line(id, 'shop-api-2', 'api', NOW - 9 * minute, 'errors=0 in the last batch'),
    line(id, 'shop-web-1', 'web', NOW - 8 * minute, `Error rendering /checkout ${'x'.repeat(400)}`),
    line(id, 'shop-db-1', 'db', NOW - 7 * minute, 'checkpoint complete'),
    line(id, 'shop-api-1', 'api', NOW - 2 * minute, 'ERROR retry failed', 'error'),
  ]);
  // 1,200 lines on two containers, 300 of them sharing one millisecond: more than a page of the scan.
  const lines: LogEntry[] = [];
  for (let i = 0; i < 900; i++) lines.push(line(busy.id, i % 2 ? 'busy-a' : 'busy-b', 'busy', NOW - 10 * minute + i * 10, i % 3 === 0 ? `ERROR ${i}` : `ok ${i}`));
  for (let i = 0; i < 300; i++) lines.push(line(busy.id, 'busy-a', 'busy', NOW - minute, i % 4 === 0 ? `ERROR burst ${i}` : `burst ${i}`));
  env.services.logs.cache.insert(lines);
});

afterAll(() => env?.close());

beforeEach(() => {
  expect(clock.now()).toBe(NOW);
});

const params = (input: Record<string, unknown>) => LogScanStepParams.parse(input);
const harness = (on: Target | null = target): StepHarness => stepHarness(env.services, { clock, target: on });

describe('log-scan step (real log cache)', () => {
  it('counts case-insensitive matches since 15m on every cached source, with samples', async () => {
    const h = harness();
    const outcome = await logScanStep.run(params({ pattern: '(?i)\\berror\\b', since: '15m' }), h.context);
    expect(outcome.outputs).toEqual({
      count: 4,
      since: '2024-05-01T10:15:00.000Z',
      samples: [
        'shop-api-1: ERROR payment provider timed out',
        'shop-api-2: error: connection reset by peer',
        `shop-web-1: Error rendering /checkout ${'x'.repeat(300 - 'shop-web-1: Error rendering /checkout '.length - 1)}…`,
        'shop-api-1: ERROR retry failed',
      ],
    });
    expect((outcome.outputs!.samples as string[])[2]).toHaveLength(300);
    expect(outcome.message).toBe('4 lines matched (?i)\\berror\\b since 10:15 UTC.');
  });

  it('is case-sensitive without (?i)', async () => {
    const outcome = await logScanStep.run(params({ pattern: '^ERROR', since: '15m' }), harness().context);
    expect(outcome.outputs).toMatchObject({ count: 2 });
  });

  it('fails when more lines match than allowed, with the first sample', async () => {
    const failure = await failureOf(logScanStep.run(params({ pattern: '(?i)\\berror\\b', since: '15m', max: 0 }), harness().context));
    expect(failure.message).toBe('4 lines matched (?i)\\berror\\b since 10:15 UTC (at most 0 allowed): shop-api-1: ERROR payment provider timed out');
    expect(failure.outputs).toMatchObject({ count: 4 });
  });

  it('passes under the limit, and an unfilled max means none', async () => {
    expect((await logScanStep.run(params({ pattern: '(?i)error', since: '15m', max: 10 }), harness().context)).message).toMatch(/\(at most 10 allowed\)\.$/);
    // What the step gets when `max: '{{ inputs.maxErrorLines }}'` was filled with nothing.
    const unfilled = { ...params({ pattern: '(?i)error', since: '15m' }), max: '' };
    expect((await logScanStep.run(unfilled, harness().context)).outputs).toMatchObject({ count: 5 });
  });

  it('takes an ISO window with since and until', async () => {
    const outcome = await logScanStep.run(params({ pattern: 'ERROR', since: '2024-05-01T10:00:00Z', until: '2024-05-01T10:20:00Z' }), harness().context);
    expect(outcome.outputs).toMatchObject({ count: 2, since: '2024-05-01T10:00:00.000Z' });
  });

  it('maps a compose service to its containers, and takes container names and keys', async () => {
    const byService = await logScanStep.run(params({ pattern: '(?i)error', since: '15m', sources: ['api'] }), harness().context);
    // Both api containers; `errors=0` matches a pattern without word boundaries too.
    expect(byService.outputs).toMatchObject({ count: 4 });
    const byNames = await logScanStep.run(params({ pattern: '(?i)error', since: '15m', sources: ['shop-web-1', 'container:shop-api-2'] }), harness().context);
    expect(byNames.outputs).toMatchObject({ count: 3 });
  });

  it('leaves out a source neither the cache nor the (unreachable) target has lines of with a warning, and fails when none has any', async () => {
    const h = harness();
    const outcome = await logScanStep.run(params({ pattern: '(?i)error', since: '15m', sources: ['web', 'worker', ''] }), h.context);
    expect(outcome.outputs).toMatchObject({ count: 1 });
    // Not cached, so it is asked of the target itself, whose engine is not there: two warnings.
    expect(h.events.filter((e) => e.level === 'warn').map((e) => e.message)).toEqual([
      expect.stringMatching(/^Could not read the logs of worker from shop-local: .+/),
      'Neither the log cache nor shop-local has lines of worker; it is left out of the scan.',
    ]);
    const failure = await failureOf(logScanStep.run(params({ pattern: 'x', since: '15m', sources: ['worker'] }), harness().context));
    expect(failure.message).toBe('Neither the log cache nor shop-local has lines of worker: check the names, or follow their logs in the Logs pane so they are cached.');
  });

  it('pages through more lines than one query returns, lines sharing a millisecond counted once', async () => {
    const paged = createLogScanStep({ pageSize: 100 });
    const h = harness(busy);
    const outcome = await paged.run(params({ pattern: 'ERROR', since: '1h' }), h.context);
    // 300 of the 900 spread lines, 75 of the 300 burst lines.
    expect(outcome.outputs).toMatchObject({ count: 375 });
    expect(h.events.at(-1)!.data).toEqual({ count: 375, scanned: 1_200 });
    expect((outcome.outputs!.samples as string[]).slice(0, 2)).toEqual(['busy-b: ERROR 0', 'busy-a: ERROR 3']);
    // The one-page scan agrees.
    expect((await logScanStep.run(params({ pattern: 'ERROR', since: '1h' }), harness(busy).context)).outputs).toMatchObject({ count: 375 });
  });

  it('says what is wrong with a pattern, a time or a missing target', async () => {
    expect((await failureOf(logScanStep.run(params({ pattern: '(?i)error(', since: '15m' }), harness().context))).message).toMatch(
      /^The pattern \(\?i\)error\( is not a regular expression \(.+\): write it as JavaScript reads one\.$/,
    );
    expect((await failureOf(logScanStep.run(params({ pattern: 'x', since: 'yesterday' }), harness().context))).message).toBe(
      'since: yesterday is not a time — write a duration such as 15m or an ISO time.',
    );
    expect((await failureOf(logScanStep.run(params({ pattern: 'x', since: '15m' }), harness(null).context))).message).toBe(
      'The log-scan step needs a target whose logs are cached: run the runbook on a target.',
    );
  });

  it('stops when cancelled', async () => {
    const h = harness();
    h.abort.abort();
    const error = await logScanStep.run(params({ pattern: 'x', since: '15m' }), h.context).then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(isAbort(error)).toBe(true);
  });
});
